/**
 * `helmCharts` entries rendered by the engine's own Helm renderer, as
 * kustomize's HelmChartInflationGenerator (v5.5, `kubectl kustomize
 * --enable-helm`) runs `helm template`:
 *
 * - the chart is `<chartHome>/<name>` (`helmGlobals.chartHome`, default
 *   `charts`, relative to the kustomization), or `<chartHome>/<name>-<version>/<name>`
 *   when both `version` and `repo` are given; a chart that is not there is
 *   never fetched: without `repo` that is kustomize's error, with one (a
 *   repository URL or `oci://`) the entry is skipped with a note and the
 *   build is incomplete;
 * - values: `valuesFile` (default the chart's `values.yaml`, read as any file
 *   of the kustomization: inside its root), then `additionalValuesFiles`;
 *   `valuesInline` merged over the values file (`override`, the default),
 *   under it (`merge`: the file wins), or alone (`replace`), as kyaml merges
 *   them (maps key by key, lists replaced, `null` deletes);
 * - `releaseName` (default Helm's `release-name`), `nameTemplate`,
 *   `namespace` (`.Release.Namespace`), `kubeVersion`, `apiVersions`,
 *   `includeCRDs`, `skipHooks` (`--no-hooks`), `skipTests` (`--skip-tests`);
 *   `configHome` and `debug` change nothing Helm prints here. The entry's
 *   fields and their types are checked with the kustomization's (an unknown
 *   field is kustomize's error).
 *
 * The render's source map travels with its text: every value of a rendered
 * object keeps the origin the renderer gave it (a template's line, a values
 * key), and a value from `valuesInline` its line in the kustomization file.
 */
import { renderChart } from '../helm/render';
import type { RenderOptions, ValuesFile } from '../helm/render';
import type { DirEntry, SourceFs } from '../sources/sourceFs';
import { joinPath, normalizePath } from '../sources/sourceFs';
import { originOf } from '../sources/sourcemap';
import type { GeneratedSource, Origin, Segment } from '../sources/sourcemap';
import type { Span } from '../types';
import { emitDocuments, EmitError } from './emit';
import { KustomizeFailure } from './errors';
import type { LoadedFile } from './generators';
import { MergeError, strategicMerge } from './merge';
import { clone, kmap } from './tree';
import type { KMap, KNode } from './tree';
import { readYamlDocuments } from './yamlfiles';

/** What a `helmCharts` entry is rendered from. */
export interface HelmChartRequest {
  /** The kustomization's directory and file. */
  dir: string;
  file: string;
  /** The `helmCharts` entry (and `helmGlobals`, when set) as written. */
  chart: KNode;
  globals: KNode | null;
  /** The build's files (the chart is read through them). */
  fs: SourceFs;
  /** Reads a file as the kustomization's loader does (inside its root); throws kustomize's error. */
  load: (path: string, node: KNode) => LoadedFile;
  /** Notes a file the render read (to watch it). */
  read: (path: string) => void;
  /** Bounds of the values documents read. */
  maxNodes: number;
  maxDepth: number;
}

export interface HelmNote {
  kind: 'helm' | 'unsupported';
  message: string;
  span: Span;
}

export type HelmOutcome =
  | {
      text: string;
      /** The name the text's origins carry until they are mapped through `source`. */
      file: string;
      /** The text's source map (origins in chart files, values files, the kustomization). */
      source?: GeneratedSource;
      /** The chart's folder (a file added to it changes the render). */
      chartDir?: string;
      notes?: HelmNote[];
    }
  | { skipped: string; span?: Span; notes?: HelmNote[] }
  | { error: string; span?: Span };

export type HelmRenderer = (req: HelmChartRequest) => HelmOutcome;

const MERGES = ['merge', 'override', 'replace'];

function spanOf(n: KNode | null | undefined): Span {
  const o = n?.origin;
  return o ? { start: o.start, end: o.end } : { start: 0, end: 0 };
}

class EntryError extends Error {
  constructor(
    message: string,
    readonly node: KNode | null,
  ) {
    super(message);
  }
}

/** A field of an entry, its name matched as Go's JSON decoding matches it (exactly, else ignoring case). */
function field(m: KNode | null, key: string): KNode | undefined {
  if (!m || m.kind !== 'map') return undefined;
  const lower = key.toLowerCase();
  return (
    m.entries.find((e) => e.key === key) ?? m.entries.find((e) => e.key.toLowerCase() === lower)
  )?.value;
}

// The entry's fields and their types were checked with the kustomization's (kustomization.ts).

/** A string field, or ''. */
function text(m: KNode | null, key: string): string {
  const v = field(m, key);
  return v && v.kind === 'scalar' && v.tag !== 'null' ? v.text : '';
}

function bool(m: KNode, key: string): boolean {
  const v = field(m, key);
  return (
    v !== undefined &&
    v.kind === 'scalar' &&
    v.tag === 'bool' &&
    /^(?:true|yes|on|y)$/i.test(v.text)
  );
}

function strings(m: KNode, key: string): Array<{ value: string; node: KNode }> {
  const v = field(m, key);
  if (!v || v.kind !== 'seq') return [];
  return v.items.flatMap((i) => (i.kind === 'scalar' ? [{ value: i.text, node: i }] : []));
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/)/i;

/** Reads of a chart's files, each noted (so the editor watches them). */
class NotingFs implements SourceFs {
  constructor(
    private readonly fs: SourceFs,
    private readonly noted: (path: string) => void,
  ) {}

  readText(path: string): string | null {
    this.noted(normalizePath(path));
    return this.fs.readText(path);
  }

  readBytes(path: string): Uint8Array | null {
    this.noted(normalizePath(path));
    return this.fs.readBytes(path);
  }

  list(path: string): DirEntry[] | null {
    return this.fs.list(path);
  }

  refusal(path: string): string | null {
    return this.fs.refusal?.(path) ?? null;
  }
}

/** The values `valuesInline` makes, printed, with the origin of every key and value. */
function inlineValues(
  req: HelmChartRequest,
  inline: KMap,
  mode: string,
  valuesFile: LoadedFile,
): GeneratedSource {
  let merged: KMap = clone(inline);
  if (mode !== 'replace') {
    const docs = readYamlDocuments(
      valuesFile.text ?? '',
      { file: valuesFile.path },
      { yaml11: false, uniqueKeys: true, maxNodes: req.maxNodes, maxDepth: req.maxDepth },
    );
    const first = docs[0];
    const fileValues: KMap = first && first.kind === 'map' ? first : kmap(first?.origin ?? null);
    try {
      // override: the inline values win; merge: the file's do.
      const out =
        mode === 'override'
          ? strategicMerge(clone(fileValues), clone(inline), null)
          : strategicMerge(clone(inline), clone(fileValues), null);
      merged = out ?? kmap(inline.origin);
    } catch (e) {
      if (e instanceof MergeError)
        throw new EntryError(`could not merge values: ${e.message}`, e.node ?? null);
      throw e;
    }
  }
  try {
    const printed = emitDocuments([merged], 'valuesInline');
    return { text: printed.text, segments: printed.segments, label: 'valuesInline' };
  } catch (e) {
    if (e instanceof EmitError) throw new EntryError(e.message, inline);
    throw e;
  }
}

/** A value of the printed inline values, at its origin (the kustomization file, the values file). */
function inlineOrigin(values: GeneratedSource, o: Origin, whole = true): Origin | null {
  const hit = originOf(values, o.start, whole ? Math.max(o.end, o.start + 1) : o.start + 1);
  if (!hit) return null;
  return hit.origin.kind === 'text'
    ? { kind: 'text', file: hit.file, start: hit.start, end: hit.end }
    : hit.origin;
}

/**
 * The origin of a value read from a render's text (offsets into the text),
 * through the render's source map: the template text it was copied from
 * (exactly), or the values node or expression it came from; with `whole`
 * false (a map, a list), where its text starts. Null when no file holds it.
 */
export function renderedOrigin(render: GeneratedSource, o: Origin, whole: boolean): Origin | null {
  return inlineOrigin(render, o, whole);
}

/** Render one `helmCharts` entry with the engine's Helm renderer. */
export function renderHelmChart(req: HelmChartRequest): HelmOutcome {
  try {
    return render(req);
  } catch (e) {
    if (e instanceof EntryError) return { error: e.message, span: spanOf(e.node ?? req.chart) };
    throw e;
  }
}

function render(req: HelmChartRequest): HelmOutcome {
  const c = req.chart;
  const g = req.globals;
  const name = text(c, 'name');
  const version = text(c, 'version');
  const repo = text(c, 'repo');
  const releaseName = text(c, 'releaseName');
  const namespace = text(c, 'namespace');
  const nameTemplate = text(c, 'nameTemplate');
  const kubeVersion = text(c, 'kubeVersion');
  const valuesMerge = text(c, 'valuesMerge') || 'override';
  const apiVersions = strings(c, 'apiVersions').map((s) => s.value);
  const additional = strings(c, 'additionalValuesFiles');
  const includeCrds = bool(c, 'includeCRDs');
  const skipHooks = bool(c, 'skipHooks');
  const skipTests = bool(c, 'skipTests');
  const chartHomeSetting = g && g.kind === 'map' ? text(g, 'chartHome') : '';
  if (!name) throw new EntryError('chart name cannot be empty', c);

  const chartHome = chartHomeSetting || 'charts';
  const home = normalizePath(chartHome.startsWith('/') ? chartHome : joinPath(req.dir, chartHome));
  const absHome = version && repo ? joinPath(home, `${name}-${version}`) : home;
  const chartDir = joinPath(absHome, name);

  // The values files are read (and refused) before the chart is looked for, as kustomize does.
  const valuesNode = field(c, 'valuesFile') ?? c;
  const valuesFileSetting = text(c, 'valuesFile');
  if (valuesFileSetting && REMOTE.test(valuesFileSetting))
    return {
      skipped: `helmCharts: chart ${name}: values file ${valuesFileSetting} was not fetched (remote values are never fetched): its objects are missing from this build, which is incomplete`,
      span: spanOf(valuesNode),
    };
  const loadOrFail = (path: string, node: KNode, prefix: string): LoadedFile => {
    try {
      return req.load(path, node);
    } catch (e) {
      if (e instanceof KustomizeFailure) throw new EntryError(prefix + e.message, node);
      throw e;
    }
  };
  const extra: ValuesFile[] = [];
  for (const a of additional) {
    const f = loadOrFail(a.value, a.node, 'could not load additionalValuesFile: ');
    extra.push({ path: f.path, text: f.text ?? '' });
  }
  if (!MERGES.includes(valuesMerge))
    throw new EntryError(
      `valuesMerge must be one of ${`[${MERGES.join(' ')}]`}`,
      field(c, 'valuesMerge') ?? c,
    );

  if (req.fs.list(chartDir) === null) {
    if (!repo) throw new EntryError(`no repo specified for pull, no chart found at ''`, c);
    return {
      skipped: `helmCharts: chart ${name}${version ? ` ${version}` : ''} is not in ${chartDir} and is not fetched from ${repo}: its objects are missing from this build, which is incomplete`,
      span: spanOf(field(c, 'repo') ?? c),
    };
  }

  const valuesPath = valuesFileSetting || joinPath(chartDir, 'values.yaml');
  const valuesFile = loadOrFail(valuesPath, valuesNode, '');
  const inline = field(c, 'valuesInline');
  let values: ValuesFile[];
  let inlineSource: { file: string; source: GeneratedSource } | null = null;
  if (inline && inline.kind === 'map' && inline.entries.length > 0) {
    const source = inlineValues(req, inline, valuesMerge, valuesFile);
    const file = joinPath(req.dir, `${name}-kustomize-values.yaml`);
    inlineSource = { file, source };
    values = [{ path: file, text: source.text }, ...extra];
  } else values = [{ path: valuesFile.path, text: valuesFile.text ?? '' }, ...extra];

  if (releaseName && nameTemplate)
    throw new EntryError(
      'Error: cannot set --name-template and also specify a name',
      field(c, 'nameTemplate') ?? c,
    );
  const options: RenderOptions = {
    values,
    ...(releaseName ? { releaseName } : {}),
    ...(nameTemplate ? { nameTemplate } : {}),
    ...(namespace ? { namespace } : {}),
    ...(kubeVersion ? { kubeVersion } : {}),
    ...(apiVersions.length > 0 ? { apiVersions } : {}),
    ...(includeCrds ? { includeCrds: true } : {}),
    ...(skipHooks ? { noHooks: true } : {}),
    ...(skipTests ? { skipTests: true } : {}),
  };
  const fs = new NotingFs(req.fs, req.read);
  const r = renderChart(fs, chartDir, options);
  if (!r.ok) {
    const first = r.errors[0];
    throw new EntryError(
      `helmCharts: chart ${name}: Error: ${first?.message ?? 'the chart does not render'}`,
      c,
    );
  }
  const file = `${chartDir}#rendered`;
  const segments: Segment[] = [];
  for (const s of r.output.segments) {
    if (inlineSource === null || s.origin.file !== inlineSource.file) {
      segments.push(s);
      continue;
    }
    const o = inlineOrigin(inlineSource.source, s.origin);
    if (o) segments.push({ start: s.start, end: s.end, origin: o });
  }
  return {
    text: r.output.text,
    file,
    chartDir,
    source: { text: r.output.text, segments, label: `chart ${chartDir}` },
    notes: r.warnings.map((w) => ({
      kind: 'helm' as const,
      message: `Helm: ${w}`,
      span: spanOf(c),
    })),
  };
}
