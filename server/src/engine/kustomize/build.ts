/**
 * A Kustomize build, in kustomize's order (its `KustTarget`):
 *
 * 1. resources (files, folders with their own kustomization, each built first),
 * 2. generators (`configMapGenerator`, `secretGenerator`; `helmCharts` via a hook),
 * 3. components (each adds to and transforms what has been accumulated so far),
 * 4. transformers: `patchesStrategicMerge`, `patches`, `namespace`,
 *    `namePrefix`, `nameSuffix`, `labels`/`commonLabels`, `commonAnnotations`,
 *    `patchesJson6902`, `replicas`, `images`;
 *
 * then, for the kustomization built: content hashes on generated names,
 * name references fixed, local-config objects dropped, and the output sorted
 * as `kubectl kustomize` sorts it (or as `sortOptions` says).
 *
 * Files are read through a `SourceFs` only; remote resources are never
 * fetched (a note names them). Errors are kustomize's, at the file and span
 * that cause them. The work is bounded: nesting, kustomizations visited,
 * resources, bytes read, generated data and expanded YAML.
 */
import { LinearRegex } from '../linearRegex';
import { DEFAULT_LIMITS } from '../limits';
import type { SourceFs } from '../sources/sourceFs';
import { isInside, joinPath, normalizePath } from '../sources/sourceFs';
import type { GeneratedSource } from '../sources/sourcemap';
import type { Span } from '../types';
import { emitDocuments, EmitError } from './emit';
import type { KustomizeError, KustomizeErrorClass } from './errors';
import { KustomizeFailure } from './errors';
import { configMapHash, secretHash } from './hash';
import { generate } from './generators';
import type { LoadedFile } from './generators';
import { applyJsonPatch, decodeOps, JsonPatchError } from './jsonpatch';
import type { JsonPatchOp } from './jsonpatch';
import type { Kustomization, PatchSetting, SelectorSetting, Setting } from './kustomization';
import { readKustomization } from './kustomization';
import { matchesSelector, SelectorSyntaxError } from './labelSelector';
import { directivesIn, MergeError, strategicMerge } from './merge';
import { fixNameReferences } from './nameref';
import type { ResId } from './resid';
import { idEquals, idKey, idString, legacyCompare, ORDER_FIRST, ORDER_LAST } from './resid';
import { isLocalConfig, Resource } from './resource';
import { rootType } from './schema';
import {
  addPrefixSuffix,
  applyAnnotations,
  applyImages,
  applyLabels,
  applyReplicas,
  setNamespace,
} from './transformers';
import { clone, entry, get, getString, kmap, normalizeAsJson, remove, str, toPlain } from './tree';
import type { KMap, KNode } from './tree';
import { readYamlDocuments } from './yamlfiles';

export interface KustomizeNote {
  kind: 'remote' | 'helm' | 'unsupported' | 'deprecated' | 'directive';
  message: string;
  file: string;
  span: Span;
}

/** What a `helmCharts` entry renders to, once a Helm renderer is plugged in. */
export interface HelmChartRequest {
  /** The kustomization's directory. */
  dir: string;
  /** The `helmCharts` entry (and `helmGlobals`, when set) as written. */
  chart: KNode;
  globals: KNode | null;
}

export type HelmRenderer = (
  req: HelmChartRequest,
) => { text: string; file: string } | { error: string };

export interface BuildOptions {
  /** Most kustomizations nested inside each other. */
  maxDepth?: number;
  /** Most kustomization builds in one build (a base included twice counts twice). */
  maxKustomizations?: number;
  /** Most objects held at once. */
  maxResources?: number;
  /** Most characters read from all files together. */
  maxBytes?: number;
  /** Most characters of data one generator may read. */
  maxGeneratedBytes?: number;
  /** Most nodes one YAML document may expand to (aliases included). */
  maxNodes?: number;
  /** What the generated source is called in messages (`overlay overlays/prod`). */
  label?: string;
  /** Renders `helmCharts` entries; without it they are skipped with a note. */
  helm?: HelmRenderer;
}

export const DEFAULT_BUILD_LIMITS = {
  maxDepth: 64,
  maxKustomizations: 2000,
  maxResources: 20_000,
  maxBytes: 256 * 1024 * 1024,
  maxGeneratedBytes: 16 * 1024 * 1024,
  maxNodes: 2_000_000,
} as const;

export interface BuiltObject {
  /** The object's id as built (final name and namespace). */
  id: ResId;
  node: KMap;
  /** Where it was read (the resource document) or generated (the generator entry). */
  source: { file: string; document: number; start: number; end: number };
  /** [start, end) of its document in the build's text. */
  span: Span;
}

export interface KustomizeBuild {
  /** The kustomization directory built (absolute). */
  dir: string;
  error: KustomizeError | null;
  objects: BuiltObject[];
  /** The build printed as `kubectl kustomize` prints it, with the origin of every key and scalar. */
  source: GeneratedSource;
  notes: KustomizeNote[];
  /** Every file the build read (kustomization files, resources, patches, generator inputs). */
  files: string[];
}

type Limits = { [K in keyof typeof DEFAULT_BUILD_LIMITS]: number };

function spanOf(n: { origin: KNode['origin'] } | null | undefined): Span {
  const o = n?.origin;
  return o ? { start: o.start, end: o.end } : { start: 0, end: 0 };
}

/** Go's `%q`. */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git::|git@|ssh:)/i;
const HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::[0-9]+)?\//i;

/** Whether kustomize would fetch this resource from the network (a URL, `git::`, `github.com/...`). */
export function isRemoteResource(path: string): boolean {
  return REMOTE.test(path) || HOST.test(path) || /[?&](ref|version|timeout|submodules)=/.test(path);
}

class Accumulator {
  resources: Resource[] = [];
}

class Builder {
  readonly notes: KustomizeNote[] = [];
  readonly files = new Set<string>();
  private bytes = 0;
  private visits = 0;

  constructor(
    readonly fs: SourceFs,
    readonly limits: Limits,
    readonly helm: HelmRenderer | undefined,
  ) {}

  private note(kind: KustomizeNote['kind'], message: string, file: string, span: Span): void {
    if (
      !this.notes.some(
        (n) => n.message === message && n.file === file && n.span.start === span.start,
      )
    )
      this.notes.push({ kind, message, file, span });
  }

  private countBytes(n: number, file: string, span: Span): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxBytes)
      throw new KustomizeFailure(
        'limit',
        `the build reads more than ${this.limits.maxBytes} characters: not built`,
        file,
        span,
      );
  }

  private checkResources(ra: Accumulator, file: string, span: Span): void {
    if (ra.resources.length > this.limits.maxResources)
      throw new KustomizeFailure(
        'limit',
        `the build holds more than ${this.limits.maxResources} objects: not built`,
        file,
        span,
      );
  }

  /** kustomize's root-restricted file loader. */
  load(k: Kustomization, rel: string, node: KNode): LoadedFile {
    const path = normalizePath(rel.startsWith('/') ? rel : joinPath(k.dir, rel));
    const text = this.fs.readText(path);
    const bytes = text === null ? this.fs.readBytes(path) : null;
    if (text === null && bytes === null) {
      const refused = this.fs.refusal?.(path);
      if (refused)
        throw new KustomizeFailure('security', `security; ${refused}`, k.file, spanOf(node));
      if (this.fs.list(path) !== null)
        throw new KustomizeFailure(
          'missingResource',
          `'${path}' must resolve to a file`,
          k.file,
          spanOf(node),
        );
      throw new KustomizeFailure(
        'missingResource',
        `evalsymlink failure on '${path}' : lstat ${path}: no such file or directory`,
        k.file,
        spanOf(node),
      );
    }
    if (!isInside(k.dir, path))
      throw new KustomizeFailure(
        'security',
        `security; file '${path}' is not in or below '${k.dir}'`,
        k.file,
        spanOf(node),
      );
    this.files.add(path);
    this.countBytes(text?.length ?? bytes?.length ?? 0, k.file, spanOf(node));
    // A file that is not UTF-8 is bytes: decode leniently for YAML uses, keep the bytes for generators.
    return { path, text: text, bytes };
  }

  readKustomization(dir: string): Kustomization {
    const k = readKustomization(this.fs, dir, {
      maxNodes: this.limits.maxNodes,
      maxDepth: DEFAULT_LIMITS.maxDepth,
    });
    this.files.add(k.file);
    this.countBytes(k.text.length, k.file, { start: 0, end: 0 });
    for (const d of k.deprecations)
      this.note('deprecated', d.message, k.file, {
        start: d.node.keyOrigin?.start ?? 0,
        end: d.node.keyOrigin?.end ?? 0,
      });
    for (const u of k.unsupported) {
      this.note(
        'unsupported',
        `\`${u.field}\` is not supported: this build leaves it out, so it may differ from kustomize's`,
        k.file,
        { start: u.node.keyOrigin?.start ?? 0, end: u.node.keyOrigin?.end ?? 0 },
      );
    }
    return k;
  }

  /** Parse a resource file's documents into objects (kustomize's resource factory). */
  private resourcesFrom(
    text: string,
    file: string,
    display: string,
    mapSrc?: { map: (o: number) => number; document: number },
  ): Resource[] {
    let docs: Array<KNode | null>;
    try {
      docs = readYamlDocuments(
        text,
        { file, ...(mapSrc ?? {}) },
        {
          yaml11: false,
          uniqueKeys: true,
          maxNodes: this.limits.maxNodes,
          maxDepth: DEFAULT_LIMITS.maxDepth,
        },
      );
    } catch (e) {
      if (e instanceof KustomizeFailure && e.errorClass === 'yaml' && !e.bare)
        throw new KustomizeFailure(
          'yaml',
          `MalformedYAMLError: ${e.message.replace(/^MalformedYAMLError: /, '').replace(/ in File: .*$/s, '')} in File: ${display}`,
          e.file,
          e.span,
        );
      throw e;
    }
    const queue: Array<{ node: KNode; document: number }> = [];
    docs.forEach((d, i) => {
      if (d) queue.push({ node: d, document: mapSrc?.document ?? i });
    });
    const out: Resource[] = [];
    while (queue.length > 0) {
      const { node, document } = queue.shift() as { node: KNode; document: number };
      if (
        (node.kind === 'map' && node.entries.length === 0) ||
        (node.kind === 'seq' && node.items.length === 0) ||
        (node.kind === 'scalar' && node.tag === 'null')
      )
        continue;
      const at: Span = spanOf(node);
      if (node.kind !== 'map')
        throw new KustomizeFailure(
          'invalidResource',
          `missing kind in object {{ } {{ } map[] map[]}}`,
          file,
          at,
        );
      const meta = resourceMeta(node);
      const kind = getString(node, ['kind']);
      if (!kind)
        throw new KustomizeFailure('invalidResource', `missing kind in object ${meta}`, file, at);
      if (kind.endsWith('List')) {
        const items = get(node, 'items');
        if (items !== undefined) {
          if (items.kind === 'scalar' && items.tag === 'null') continue;
          if (items.kind !== 'seq')
            throw new KustomizeFailure(
              'invalidResource',
              `expected array in ${kind}/items, but found ${items.kind === 'map' ? 'map[string]interface {}' : 'string'}`,
              file,
              spanOf(items),
            );
          for (const item of items.items) {
            const c = clone(item);
            normalizeAsJson(c);
            queue.push({ node: c, document });
          }
          continue;
        }
      } else if (!getString(node, ['metadata', 'name']))
        throw new KustomizeFailure(
          'invalidResource',
          `missing metadata.name in object ${meta}`,
          file,
          at,
        );
      out.push(new Resource(node, { file, document, start: at.start, end: at.end }));
    }
    return out;
  }

  private append(
    ra: Accumulator,
    rs: readonly Resource[],
    onConflict: (id: ResId) => KustomizeFailure,
  ): void {
    const ids = new Set(ra.resources.map((o) => idKey(o.curId())));
    for (const r of rs) {
      const id = r.curId();
      const key = idKey(id);
      if (ids.has(key)) throw onConflict(id);
      ids.add(key);
      ra.resources.push(r);
    }
  }

  /** kustomize's `accumulateFile`: the error message when the path is not a file of resources. */
  private accumulateFile(
    ra: Accumulator,
    k: Kustomization,
    s: Setting,
  ): string | KustomizeFailure | null {
    let f: LoadedFile;
    try {
      f = this.load(k, s.value, s.node);
    } catch (e) {
      if (e instanceof KustomizeFailure && e.errorClass === 'missingResource')
        return `accumulating resources from '${s.value}': ${e.message}`;
      if (e instanceof KustomizeFailure && e.errorClass === 'security')
        return e.wrap(`accumulating resources from '${s.value}'`);
      throw e;
    }
    const text = f.text ?? new TextDecoder().decode(f.bytes ?? new Uint8Array());
    let rs: Resource[];
    try {
      rs = this.resourcesFrom(text, f.path, s.value);
      const seen = new Set<string>();
      for (const r of rs) {
        const key = idKey(r.curId());
        if (seen.has(key))
          throw new KustomizeFailure(
            'idConflict',
            `may not add resource with an already registered id: ${idString(r.curId())}`,
            f.path,
            { start: r.source.start, end: r.source.end },
          );
        seen.add(key);
      }
    } catch (e) {
      if (e instanceof KustomizeFailure && (e.errorClass === 'yaml' || e.bare))
        throw e.wrap(`accumulating resources from '${s.value}'`);
      if (e instanceof KustomizeFailure) return e.wrap(`accumulating resources from '${s.value}'`);
      throw e;
    }
    const have = new Set(ra.resources.map((o) => idKey(o.curId())));
    const clash = rs.find((r) => have.has(idKey(r.curId())));
    if (clash) {
      return new KustomizeFailure(
        'idConflict',
        `merging resources from '${s.value}': may not add resource with an already registered id: ${idString(clash.curId())}`,
        k.file,
        spanOf(s.node),
      );
    }
    ra.resources.push(...rs);
    this.checkResources(ra, k.file, spanOf(s.node));
    return null;
  }

  /** kustomize's loader.New: the directory of a base or component, or its error. */
  private newRoot(k: Kustomization, s: Setting, chain: readonly string[]): string {
    if (s.value.startsWith('/'))
      throw new KustomizeFailure(
        'missingResource',
        `new root '${s.value}' cannot be absolute`,
        k.file,
        spanOf(s.node),
      );
    const dir = joinPath(k.dir, s.value);
    if (this.fs.list(dir) === null) {
      const refused = this.fs.refusal?.(dir);
      if (refused)
        throw new KustomizeFailure('security', `security; ${refused}`, k.file, spanOf(s.node));
      if (this.fs.readText(dir) !== null || this.fs.readBytes(dir) !== null)
        throw new KustomizeFailure(
          'missingResource',
          `must build at directory: '${dir}': file is not directory`,
          k.file,
          spanOf(s.node),
        );
      throw new KustomizeFailure(
        'missingResource',
        `must build at directory: not a valid directory: evalsymlink failure on '${dir}' : lstat ${dir}: no such file or directory`,
        k.file,
        spanOf(s.node),
      );
    }
    // kustomize compares roots with links resolved: a link to `.` is a cycle, not a deeper folder.
    const real = (d: string): string => this.fs.realPath?.(d) ?? d;
    const candidate = real(dir);
    for (const visited of [...chain, k.dir].reverse().map(real)) {
      if (visited === candidate || candidate === '/' || visited.startsWith(`${candidate}/`))
        throw new KustomizeFailure(
          'cycle',
          `cycle detected: candidate root '${candidate}' contains visited root '${visited}'`,
          k.file,
          spanOf(s.node),
        );
    }
    return dir;
  }

  private accumulateResources(ra: Accumulator, k: Kustomization, chain: readonly string[]): void {
    for (const s of k.resources) {
      if (isRemoteResource(s.value) && this.fs.readText(joinPath(k.dir, s.value)) === null) {
        this.note(
          'remote',
          `remote resource ${s.value} was not fetched (podsec reads no network): the build leaves it out`,
          k.file,
          spanOf(s.node),
        );
        continue;
      }
      const errF = this.accumulateFile(ra, k, s);
      if (errF === null) continue;
      const fileMessage = typeof errF === 'string' ? errF : errF.message;
      let dir: string;
      try {
        dir = this.newRoot(k, s, chain);
      } catch (e) {
        if (e instanceof KustomizeFailure) {
          if (typeof errF !== 'string')
            throw new KustomizeFailure(
              errF.errorClass,
              `accumulation err='${fileMessage}': ${e.message}`,
              errF.file,
              errF.span,
            );
          throw new KustomizeFailure(
            e.errorClass,
            `accumulation err='${fileMessage}': ${e.message}`,
            e.file,
            e.span,
          );
        }
        throw e;
      }
      try {
        this.accumulateDirectory(ra, dir, false, [...chain, k.dir], k, s);
      } catch (e) {
        if (e instanceof KustomizeFailure) throw e.wrap(`accumulation err='${fileMessage}'`);
        throw e;
      }
    }
  }

  private accumulateComponents(
    ra: Accumulator,
    k: Kustomization,
    chain: readonly string[],
  ): Accumulator {
    let cur = ra;
    for (const s of k.components) {
      let dir: string;
      try {
        dir = this.newRoot(k, s, chain);
      } catch (e) {
        if (e instanceof KustomizeFailure)
          throw new KustomizeFailure(
            e.errorClass,
            `loader.New ${goQuote(e.message)}`,
            e.file,
            e.span,
          );
        throw e;
      }
      try {
        cur = this.accumulateDirectory(cur, dir, true, [...chain, k.dir], k, s);
      } catch (e) {
        if (e instanceof KustomizeFailure)
          throw new KustomizeFailure(
            e.errorClass,
            `accumulateDirectory: ${goQuote(e.message)}`,
            e.file,
            e.span,
          );
        throw e;
      }
    }
    return cur;
  }

  private accumulateDirectory(
    ra: Accumulator,
    dir: string,
    isComponent: boolean,
    chain: readonly string[],
    parent: Kustomization,
    s: Setting,
  ): Accumulator {
    if (chain.length > this.limits.maxDepth)
      throw new KustomizeFailure(
        'limit',
        `kustomizations nested deeper than ${this.limits.maxDepth}: not built`,
        parent.file,
        spanOf(s.node),
      );
    let sub: Kustomization;
    try {
      sub = this.readKustomization(dir);
    } catch (e) {
      if (e instanceof KustomizeFailure) {
        const moved =
          e.errorClass === 'missingKustomization'
            ? new KustomizeFailure(e.errorClass, e.message, parent.file, spanOf(s.node))
            : e;
        throw moved.wrap(`couldn't make target for path '${dir}'`);
      }
      throw e;
    }
    if (isComponent && sub.kind !== 'Component')
      throw new KustomizeFailure(
        'invalidKustomization',
        `expected kind 'Component' for path '${dir}' but got '${sub.kind}'`,
        sub.file,
        spanOf(entry(sub.root, 'kind')?.value ?? sub.root),
      );
    if (!isComponent && sub.kind === 'Component')
      throw new KustomizeFailure(
        'invalidKustomization',
        `expected kind != 'Component' for path '${dir}'`,
        parent.file,
        spanOf(s.node),
      );
    let subRa: Accumulator;
    try {
      subRa = this.accumulateTarget(sub, isComponent ? ra : new Accumulator(), chain);
    } catch (e) {
      if (e instanceof KustomizeFailure) throw e.wrap(`recursed accumulation of path '${dir}'`);
      throw e;
    }
    if (isComponent) return subRa;
    this.append(
      ra,
      subRa.resources,
      (id) =>
        new KustomizeFailure(
          'idConflict',
          `recursed merging from path '${dir}': may not add resource with an already registered id: ${idString(id)}`,
          parent.file,
          spanOf(s.node),
        ),
    );
    this.checkResources(ra, parent.file, spanOf(s.node));
    return ra;
  }

  accumulateTarget(k: Kustomization, raIn: Accumulator, chain: readonly string[]): Accumulator {
    if (++this.visits > this.limits.maxKustomizations)
      throw new KustomizeFailure(
        'limit',
        `more than ${this.limits.maxKustomizations} kustomizations built: not built`,
        k.file,
        { start: 0, end: 0 },
      );
    const ra = raIn;
    try {
      this.accumulateResources(ra, k, chain);
    } catch (e) {
      if (e instanceof KustomizeFailure) throw e.wrap('accumulating resources');
      throw e;
    }
    this.runGenerators(ra, k);
    let after: Accumulator;
    try {
      after = this.accumulateComponents(ra, k, chain);
    } catch (e) {
      if (e instanceof KustomizeFailure) throw e.wrap('accumulating components');
      throw e;
    }
    this.runTransformers(after, k);
    return after;
  }

  private runGenerators(ra: Accumulator, k: Kustomization): void {
    for (const g of [...k.configMapGenerator, ...k.secretGenerator]) {
      const r = generate(k, g, (p, n) => this.load(k, p, n), this.limits.maxGeneratedBytes);
      this.absorb(ra, r, k, g.node);
    }
    for (const chart of k.helmCharts) {
      if (!this.helm) {
        this.note(
          'helm',
          'helmCharts: charts are not rendered yet (no Helm renderer): their objects are missing from this build',
          k.file,
          spanOf(chart),
        );
        continue;
      }
      const out = this.helm({ dir: k.dir, chart, globals: get(k.root, 'helmGlobals') ?? null });
      if ('error' in out)
        throw new KustomizeFailure('invalidKustomization', out.error, k.file, spanOf(chart));
      const rs = this.resourcesFrom(out.text, out.file, out.file);
      for (const r of rs) this.absorb(ra, r, k, chart);
    }
    this.checkResources(ra, k.file, { start: 0, end: 0 });
  }

  /** kustomize's appendReplaceOrMerge: a generated object joins, replaces or merges into one of the same id. */
  private absorb(ra: Accumulator, r: Resource, k: Kustomization, node: KNode): void {
    const id = r.curId();
    const matches = ra.resources.filter((o) => o.allIds().some((x) => idEquals(x, id)));
    const goId = (i: ResId): string =>
      `resid.ResId{Gvk:resid.Gvk{Group:"${i.gvk.group}", Version:"${i.gvk.version}", Kind:"${i.gvk.kind}", isClusterScoped:false}, Name:"${i.name}", Namespace:"${i.namespace}"}`;
    if (matches.length === 0) {
      if (r.behavior === 'merge' || r.behavior === 'replace')
        throw new KustomizeFailure(
          'patchUnmatched',
          `merging from generator &{0xc000000000 <nil>}: id ${goId(id)} does not exist; cannot merge or replace`,
          k.file,
          spanOf(node),
        );
      ra.resources.push(r);
      return;
    }
    if (matches.length > 1)
      throw new KustomizeFailure(
        'idConflict',
        `merging from generator &{0xc000000000 <nil>}: found multiple objects ${matches.map((m) => idString(m.curId())).join(' ')} that could accept merge of ${idString(id)}`,
        k.file,
        spanOf(node),
      );
    const old = matches[0] as Resource;
    if (r.behavior !== 'merge' && r.behavior !== 'replace')
      throw new KustomizeFailure(
        'idConflict',
        `merging from generator &{0xc000000000 <nil>}: id ${goId(id)} exists; behavior must be merge or replace`,
        k.file,
        spanOf(node),
      );
    const behavior = r.behavior;
    mergeMetadata(r, old);
    if (behavior === 'merge') {
      for (const field of ['data', 'binaryData'] as const) {
        const merged = kmap(null);
        for (const e of old.dataEntries(field)) merged.entries.push(e);
        for (const e of r.dataEntries(field)) {
          const at = merged.entries.findIndex((x) => x.key === e.key);
          if (at >= 0) merged.entries[at] = e;
          else merged.entries.push(e);
        }
        remove(r.node, field);
        if (merged.entries.length > 0) {
          merged.origin = (get(r.node, field) ?? get(old.node, field))?.origin ?? r.node.origin;
          r.node.entries.push({ key: field, keyOrigin: merged.origin, value: merged });
        }
      }
    }
    ra.resources[ra.resources.indexOf(old)] = r;
  }

  private runTransformers(ra: Accumulator, k: Kustomization): void {
    // kustomize configures every transformer (reading and checking patches) before running any.
    const steps: Array<() => void> = [];
    const smp = this.configurePatchesStrategicMerge(k);
    steps.push(() => {
      for (const p of smp) this.applyPatchById(ra, p, k, true);
    });
    for (const p of k.patches) {
      const run = this.configurePatch(k, p);
      steps.push(() => run(ra));
    }
    steps.push(() => setNamespace(k, ra.resources));
    steps.push(() => addPrefixSuffix(k, ra.resources, 'prefix'));
    steps.push(() => addPrefixSuffix(k, ra.resources, 'suffix'));
    steps.push(() => applyLabels(k, ra.resources));
    steps.push(() => applyAnnotations(k, ra.resources));
    for (const p of k.patchesJson6902) {
      const run = this.configureJson6902(k, p);
      steps.push(() => run(ra));
    }
    steps.push(() => applyReplicas(k, ra.resources));
    steps.push(() => applyImages(k, ra.resources));
    for (const step of steps) {
      step();
      ra.resources = ra.resources.filter((r) => !r.isEmpty());
    }
  }

  // -------------------------------------------------------------------------
  // Patches

  private configError(
    k: Kustomization,
    plugin: string,
    config: KMap,
    message: string,
    cls: KustomizeErrorClass,
    node: KNode,
  ): KustomizeFailure {
    const yaml = emitDocuments([config], '').text;
    return new KustomizeFailure(
      cls,
      `trouble configuring builtin ${plugin} with config: \`\n${yaml}\`: ${message}`,
      k.file,
      spanOf(node),
    );
  }

  /** The patches of a text: strategic merge patches (objects) or JSON patch operations, as kustomize tells them apart. */
  private parsePatch(
    text: string,
    file: string,
    map: ((o: number) => number) | undefined,
    document: number | undefined,
  ): { sm: Resource[] | null; json: JsonPatchOp[] | null } {
    let sm: Resource[] | null = null;
    try {
      sm = this.resourcesFrom(text, file, file, map ? { map, document: document ?? 0 } : undefined);
      if (sm.length === 0) sm = null;
    } catch (e) {
      if (
        !(e instanceof KustomizeFailure) ||
        (e.errorClass !== 'invalidResource' && e.errorClass !== 'yaml')
      )
        throw e;
      sm = null;
    }
    let json: JsonPatchOp[] | null = null;
    try {
      const t = text.trim();
      if (t === '') throw new JsonPatchError('empty json patch operations', null);
      const docs = readYamlDocuments(
        text,
        { file, ...(map ? { map, document: document ?? 0 } : {}) },
        {
          yaml11: true,
          uniqueKeys: false,
          maxNodes: this.limits.maxNodes,
          maxDepth: DEFAULT_LIMITS.maxDepth,
        },
      );
      json = decodeOps(docs[0] ?? null);
    } catch (e) {
      if (!(e instanceof KustomizeFailure) && !(e instanceof JsonPatchError)) throw e;
      json = null;
    }
    return { sm, json };
  }

  private patchText(
    k: Kustomization,
    p: PatchSetting,
    plugin: string,
    config: KMap,
  ): {
    text: string;
    file: string;
    map?: (o: number) => number;
    document?: number;
    source: string;
  } {
    if (p.patch && p.path)
      throw this.configError(
        k,
        plugin,
        config,
        `patch and path can't be set at the same time\n${emitDocuments([config], '').text}`,
        'invalidPatch',
        p.node,
      );
    if (p.patch) {
      const node = p.patch.node;
      return {
        text: p.patch.value,
        file: k.file,
        map: inlineMap(k, node),
        document: 0,
        source: `[patch: ${goQuote(p.patch.value.trim())}]`,
      };
    }
    if (p.path) {
      let f: LoadedFile;
      try {
        f = this.load(k, p.path.value, p.path.node);
      } catch (e) {
        if (e instanceof KustomizeFailure)
          throw this.configError(
            k,
            plugin,
            config,
            `failed to get the patch file from path(${p.path.value}): ${e.message}`,
            e.errorClass,
            p.path.node,
          );
        throw e;
      }
      return { text: f.text ?? '', file: f.path, source: `[path: ${goQuote(p.path.value)}]` };
    }
    throw this.configError(
      k,
      plugin,
      config,
      `must specify one of patch and path in\n${emitDocuments([config], '').text}`,
      'invalidPatch',
      p.node,
    );
  }

  private configurePatch(k: Kustomization, p: PatchSetting): (ra: Accumulator) => void {
    const config = patchConfig(p);
    const src = this.patchText(k, p, 'PatchTransformer', config);
    const { sm, json } = this.parsePatch(src.text, src.file, src.map, src.document);
    if (sm && json)
      throw this.configError(
        k,
        'PatchTransformer',
        config,
        `illegally qualifies as both an SM and JSON patch: ${src.source}`,
        'invalidPatch',
        p.node,
      );
    if (!sm && !json)
      throw this.configError(
        k,
        'PatchTransformer',
        config,
        `unable to parse SM or JSON patch from ${src.source}`,
        'invalidPatch',
        p.node,
      );
    if (sm) {
      for (const r of sm) {
        r.allowNameChange = p.options.allowNameChange === true;
        r.allowKindChange = p.options.allowKindChange === true;
        this.noteDirectives(r.node);
      }
      return (ra) => {
        if (p.target) {
          if (sm.length > 1)
            throw new KustomizeFailure(
              'invalidPatch',
              `Multiple Strategic-Merge Patches in one \`patches\` entry is not allowed to set \`patches.target\` field: ${src.source}`,
              k.file,
              spanOf(p.node),
            );
          const patch = sm[0] as Resource;
          const selected = this.select(
            ra,
            p.target,
            k,
            p.node,
            (e) =>
              `unable to find patch target ${goQuote(selectorString(p.target as SelectorSetting))} in \`resources\`: ${e}`,
          );
          for (const r of selected) this.applySm(r, patch, true);
          return;
        }
        for (const patch of sm) this.applyPatchById(ra, patch, k, false, p.node);
      };
    }
    const ops = json as JsonPatchOp[];
    return (ra) => {
      if (!p.target)
        throw new KustomizeFailure(
          'invalidPatch',
          `must specify a target for JSON patch ${src.source}`,
          k.file,
          spanOf(p.node),
        );
      for (const r of this.select(ra, p.target, k, p.node, (e) => e)) {
        r.storePreviousId();
        this.applyJson(r, ops, k);
      }
    };
  }

  private configureJson6902(k: Kustomization, p: PatchSetting): (ra: Accumulator) => void {
    const config = kmap(null);
    if (p.target)
      config.entries.push({ key: 'target', keyOrigin: null, value: selectorNode(p.target) });
    if (p.path)
      config.entries.push({ key: 'path', keyOrigin: null, value: str(p.path.value, null) });
    if (p.patch)
      config.entries.push({ key: 'jsonOp', keyOrigin: null, value: str(p.patch.value, null) });
    const fail = (m: string): KustomizeFailure =>
      this.configError(k, 'PatchJson6902Transformer', config, m, 'invalidPatch', p.node);
    if (!p.target?.name) throw fail('must specify the target name');
    if (!p.path && !p.patch) throw fail('empty file path and empty jsonOp');
    if (p.path && p.patch) throw fail('must specify a file path or jsonOp, not both');
    let text: string;
    let file = k.file;
    let map: ((o: number) => number) | undefined;
    if (p.path) {
      let f: LoadedFile;
      try {
        f = this.load(k, p.path.value, p.path.node);
      } catch (e) {
        if (e instanceof KustomizeFailure)
          throw this.configError(
            k,
            'PatchJson6902Transformer',
            config,
            e.message,
            e.errorClass,
            p.path.node,
          );
        throw e;
      }
      text = f.text ?? '';
      file = f.path;
      if (text === '') throw fail(`patch file '${p.path.value}' empty seems to be empty`);
    } else {
      text = (p.patch as Setting).value;
      map = inlineMap(k, (p.patch as Setting).node);
    }
    let ops: JsonPatchOp[];
    try {
      const docs = readYamlDocuments(
        text,
        { file, ...(map ? { map, document: 0 } : {}) },
        {
          yaml11: true,
          uniqueKeys: false,
          maxNodes: this.limits.maxNodes,
          maxDepth: DEFAULT_LIMITS.maxDepth,
        },
      );
      ops = decodeOps(docs[0] ?? null);
    } catch (e) {
      if (e instanceof JsonPatchError) throw fail(`decoding ${text}: ${e.message}`);
      throw e;
    }
    if (ops.length === 0)
      throw fail(`patch appears to be empty; file=${p.path?.value ?? ''}, JsonOp=${text}`);
    return (ra) => {
      for (const r of this.select(ra, p.target as SelectorSetting, k, p.node, (e) => e))
        this.applyJson(r, ops, k);
    };
  }

  private configurePatchesStrategicMerge(k: Kustomization): Resource[] {
    if (k.patchesStrategicMerge.length === 0) return [];
    const config = kmap(null);
    config.entries.push({
      key: 'paths',
      keyOrigin: null,
      value: {
        kind: 'seq',
        origin: null,
        items: k.patchesStrategicMerge.map((s) => str(s.value, null)),
      },
    });
    const out: Resource[] = [];
    for (const s of k.patchesStrategicMerge) {
      // Legacy: the entry may be the patch itself rather than a file name.
      let rs: Resource[] | null = null;
      try {
        rs = this.resourcesFrom(s.value, k.file, k.file, {
          map: inlineMap(k, s.node),
          document: 0,
        });
        if (rs.length === 0) rs = null;
      } catch (e) {
        if (
          !(e instanceof KustomizeFailure) ||
          (e.errorClass !== 'invalidResource' && e.errorClass !== 'yaml')
        )
          throw e;
      }
      if (!rs) {
        let f: LoadedFile;
        try {
          f = this.load(k, s.value, s.node);
        } catch (e) {
          if (e instanceof KustomizeFailure)
            throw this.configError(
              k,
              'PatchStrategicMergeTransformer',
              config,
              e.message,
              e.errorClass,
              s.node,
            );
          throw e;
        }
        rs = this.resourcesFrom(f.text ?? '', f.path, s.value);
      }
      for (const r of rs) this.noteDirectives(r.node);
      out.push(...rs);
    }
    return out;
  }

  private noteDirectives(patch: KNode): void {
    for (const d of directivesIn(patch)) {
      const o = d.node.origin;
      if (!o) continue;
      this.note(
        'directive',
        `\`${d.key}\`: kustomize does not apply this strategic merge directive; it keeps it in the built object as a field`,
        o.file,
        { start: o.start, end: o.end },
      );
    }
  }

  private select(
    ra: Accumulator,
    t: SelectorSetting,
    k: Kustomization,
    node: KNode,
    wrapErr: (e: string) => string,
  ): Resource[] {
    // Go regular expressions, matched in linear time (a backtracking RegExp could be frozen
    // by a pattern such as (a+)+b).
    const anchored = (p: string): LinearRegex | null => {
      if (p === '') return null;
      try {
        return new LinearRegex(`^(?:${p})$`);
      } catch (e) {
        throw new KustomizeFailure(
          'invalidPatch',
          wrapErr(`error parsing regexp: ${(e as Error).message}`),
          k.file,
          spanOf(node),
        );
      }
    };
    const [g, v, kd, n, ns] = [t.group, t.version, t.kind, t.name, t.namespace].map(anchored);
    const out: Resource[] = [];
    for (const r of ra.resources) {
      const cur = r.curId();
      const org = r.orgId();
      const effNs = (id: ResId): string =>
        id.namespace === '' || id.namespace === 'default' ? 'default' : id.namespace;
      if (ns && !ns.test(effNs(org)) && !ns.test(effNs(cur))) continue;
      if (n && !n.test(org.name) && !n.test(cur.name)) continue;
      const gvk = r.gvk();
      if ((g && !g.test(gvk.group)) || (v && !v.test(gvk.version)) || (kd && !kd.test(gvk.kind)))
        continue;
      try {
        if (t.labelSelector && !matchesSelector(t.labelSelector, r.labels())) continue;
        if (t.annotationSelector && !matchesSelector(t.annotationSelector, r.annotations()))
          continue;
      } catch (e) {
        if (e instanceof SelectorSyntaxError)
          throw new KustomizeFailure('invalidPatch', wrapErr(e.message), k.file, spanOf(node));
        throw e;
      }
      out.push(r);
    }
    return out;
  }

  /** A strategic merge patch without a target: the object with the patch's id (by any of its names). */
  private applyPatchById(
    ra: Accumulator,
    patch: Resource,
    k: Kustomization,
    legacy: boolean,
    node?: KNode,
  ): void {
    const id = patch.curId();
    const matches = ra.resources.filter((r) => r.allIds().some((x) => idEquals(x, id)));
    if (matches.length !== 1) {
      const base = `${matches.length > 1 ? 'multiple' : 'no'} matches for Id ${idString(id)}; failed to find unique target for patch ${idString(id)}`;
      throw new KustomizeFailure(
        'patchUnmatched',
        legacy
          ? base
          : `no resource matches strategic merge patch ${goQuote(idString(id))}: ${base}`,
        node ? k.file : patch.source.file,
        node ? spanOf(node) : { start: patch.source.start, end: patch.source.end },
      );
    }
    this.applySm(matches[0] as Resource, patch, legacy);
  }

  private applySm(r: Resource, patch: Resource, copyGvk: boolean): void {
    const p = clone(patch.node);
    if (copyGvk) {
      // kustomize sets the patch's apiVersion to the target's (its kind stays the patch's).
      const av = get(r.node, 'apiVersion');
      if (av) {
        const e = entry(p, 'apiVersion');
        if (e) e.value = clone(av);
        else p.entries.push({ key: 'apiVersion', keyOrigin: av.origin, value: clone(av) });
      }
    }
    const nameNode = getNode(r.node, ['metadata', 'name']);
    const nsNode = getNode(r.node, ['metadata', 'namespace']);
    const kindNode = get(r.node, 'kind');
    if (patch.allowNameChange || patch.allowKindChange) r.storePreviousId();
    let merged: KMap | undefined;
    try {
      merged = strategicMerge(r.node, p, rootType(r.apiVersion, r.kind));
    } catch (e) {
      if (e instanceof MergeError) {
        const o = e.node?.origin;
        throw new KustomizeFailure(
          'mergeConflict',
          e.message,
          o?.file ?? patch.source.file,
          o ? { start: o.start, end: o.end } : { start: patch.source.start, end: patch.source.end },
        );
      }
      throw e;
    }
    if (!merged) {
      r.node = kmap(r.node.origin);
      return;
    }
    r.node = merged;
    if (r.isEmpty()) return;
    if (!patch.allowKindChange && kindNode)
      r.node.entries.splice(
        Math.max(
          0,
          r.node.entries.findIndex((e) => e.key === 'kind'),
        ),
        r.node.entries.some((e) => e.key === 'kind') ? 1 : 0,
        {
          key: 'kind',
          keyOrigin: entry(r.node, 'kind')?.keyOrigin ?? kindNode.origin,
          value: kindNode,
        },
      );
    const md = get(r.node, 'metadata');
    if (md && md.kind === 'map') {
      if (!patch.allowNameChange && nameNode) {
        const e = entry(md, 'name');
        if (e) e.value = nameNode;
        else md.entries.push({ key: 'name', keyOrigin: nameNode.origin, value: nameNode });
      }
      const e = entry(md, 'namespace');
      if (nsNode) {
        if (e) e.value = nsNode;
        else md.entries.push({ key: 'namespace', keyOrigin: nsNode.origin, value: nsNode });
      } else if (e) remove(md, 'namespace');
    }
  }

  private applyJson(r: Resource, ops: readonly JsonPatchOp[], k: Kustomization): void {
    try {
      const out = applyJsonPatch(r.node, ops);
      if (out.kind !== 'map')
        throw new JsonPatchError(
          'json: cannot unmarshal array into Go value of type map[string]interface {}',
          null,
        );
      r.node = out;
    } catch (e) {
      if (e instanceof JsonPatchError) {
        const o = e.op?.node.origin;
        throw new KustomizeFailure(
          'jsonPatchFailed',
          e.message,
          o?.file ?? k.file,
          o ? { start: o.start, end: o.end } : { start: 0, end: 0 },
        );
      }
      throw e;
    }
  }
}

function getNode(n: KNode, path: readonly string[]): KNode | undefined {
  let cur: KNode | undefined = n;
  for (const p of path) cur = get(cur, p);
  return cur;
}

/** kustomize's ResourceMeta as Go prints it (`{{v1 ConfigMap} {{name ns} map[] map[]}}`). */
function resourceMeta(n: KMap): string {
  const goMap = (m: KNode | undefined): string => {
    if (!m || m.kind !== 'map') return 'map[]';
    const pairs = m.entries
      .map((e) => [e.key, e.value.kind === 'scalar' ? e.value.text : ''] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `map[${pairs.map(([a, b]) => `${a}:${b}`).join(' ')}]`;
  };
  const md = get(n, 'metadata');
  return `{{${getString(n, ['apiVersion'])} ${getString(n, ['kind'])}} {{${getString(md, ['name'])} ${getString(md, ['namespace'])}} ${goMap(get(md, 'labels'))} ${goMap(get(md, 'annotations'))}}}`;
}

/** Offsets inside an inline patch (a block scalar in the kustomization file) mapped to the file. */
function inlineMap(k: Kustomization, node: KNode): (o: number) => number {
  if (node.kind !== 'scalar' || !node.origin) return () => node.origin?.start ?? 0;
  const start = node.origin.start;
  const header = k.text[start];
  if (header !== '|' && header !== '>') return () => start;
  // Content lines follow the header line; their common indentation is dropped.
  const value = node.text;
  const fileLines: number[] = [];
  let p = k.text.indexOf('\n', start);
  while (p >= 0 && p + 1 < node.origin.end) {
    fileLines.push(p + 1);
    p = k.text.indexOf('\n', p + 1);
  }
  let indent = Infinity;
  for (const ls of fileLines) {
    let i = ls;
    while (k.text[i] === ' ') i++;
    if (k.text[i] !== '\n' && k.text[i] !== '\r' && i < k.text.length)
      indent = Math.min(indent, i - ls);
  }
  if (!Number.isFinite(indent)) indent = 0;
  const valueLines: number[] = [0];
  for (let i = 0; i < value.length; i++) if (value[i] === '\n') valueLines.push(i + 1);
  return (o: number) => {
    let lo = 0;
    let hi = valueLines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((valueLines[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    const ls = fileLines[lo];
    if (ls === undefined) return node.origin?.end ?? start;
    return Math.min(ls + indent + (o - (valueLines[lo] as number)), node.origin?.end ?? ls);
  };
}

function selectorString(t: SelectorSetting): string {
  const gvk = `${t.kind || '[noKind]'}.${t.version || '[noVer]'}.${t.group || '[noGrp]'}`;
  return `${gvk}/${t.name || '[noName]'}.${t.namespace || '[noNs]'}:a=${t.annotationSelector}:l=${t.labelSelector}`;
}

function selectorNode(t: SelectorSetting): KMap {
  const m = kmap(null);
  for (const [key, v] of Object.entries(t) as Array<[string, string]>)
    if (v) m.entries.push({ key, keyOrigin: null, value: str(v, null) });
  return m;
}

function patchConfig(p: PatchSetting): KMap {
  const m = kmap(null);
  if (p.path) m.entries.push({ key: 'path', keyOrigin: null, value: str(p.path.value, null) });
  if (p.patch) m.entries.push({ key: 'patch', keyOrigin: null, value: str(p.patch.value, null) });
  if (p.target) m.entries.push({ key: 'target', keyOrigin: null, value: selectorNode(p.target) });
  const opts = Object.entries(p.options);
  if (opts.length > 0) {
    const o = kmap(null);
    for (const [key, v] of opts)
      o.entries.push({
        key,
        keyOrigin: null,
        value: { kind: 'scalar', tag: 'bool', text: v ? 'true' : 'false', origin: null },
      });
    m.entries.push({ key: 'options', keyOrigin: null, value: o });
  }
  return m;
}

/** A generated object's new metadata takes the old one's labels and annotations under its own, and the old name. */
function mergeMetadata(r: Resource, old: Resource): void {
  const md = (x: Resource): KMap => {
    const m = get(x.node, 'metadata');
    if (m && m.kind === 'map') return m;
    const created = kmap(x.node.origin);
    x.node.entries.push({ key: 'metadata', keyOrigin: x.node.origin, value: created });
    return created;
  };
  const rm = md(r);
  const om = md(old);
  for (const field of ['labels', 'annotations'] as const) {
    const merged = kmap(null);
    const add = (m: KNode | undefined): void => {
      if (!m || m.kind !== 'map') return;
      for (const e of m.entries) {
        const v: KNode =
          e.value.kind === 'scalar'
            ? { ...e.value, tag: 'str', text: e.value.tag === 'null' ? e.value.text : e.value.text }
            : str('', e.value.origin);
        const at = merged.entries.findIndex((x) => x.key === e.key);
        if (at >= 0) merged.entries[at] = { key: e.key, keyOrigin: e.keyOrigin, value: v };
        else merged.entries.push({ key: e.key, keyOrigin: e.keyOrigin, value: v });
      }
      merged.origin ??= m.origin;
    };
    add(get(om, field));
    add(get(rm, field));
    remove(rm, field);
    if (merged.entries.length > 0)
      rm.entries.push({ key: field, keyOrigin: merged.origin, value: merged });
  }
  const on = get(om, 'name');
  if (on) {
    const e = entry(rm, 'name');
    if (e) e.value = clone(on);
  }
  const ons = get(om, 'namespace');
  remove(rm, 'namespace');
  if (ons && !(ons.kind === 'scalar' && ons.text === ''))
    rm.entries.push({
      key: 'namespace',
      keyOrigin: entry(om, 'namespace')?.keyOrigin ?? null,
      value: clone(ons),
    });
  // Build memory comes from the object merged into; the hash only if both want one.
  r.prevIds = [...old.prevIds];
  r.prefixes = [...old.prefixes];
  r.suffixes = [...old.suffixes];
  r.needsHash = r.needsHash && old.needsHash;
  r.behavior = old.behavior;
}

function addHashes(resources: readonly Resource[]): void {
  for (const r of resources) {
    if (!r.needsHash) continue;
    const plain = (f: string): ReturnType<typeof toPlain> | undefined => {
      const n = get(r.node, f);
      if (n === undefined) return undefined;
      if (n.kind === 'scalar') return n.text;
      if (n.kind === 'seq') return null;
      return toPlain(n);
    };
    const h =
      r.kind === 'Secret'
        ? secretHash(plain('type'), plain('data'), plain('stringData'))
        : configMapHash(plain('data'), plain('binaryData'));
    r.storePreviousId();
    const nameNode = getNode(r.node, ['metadata', 'name']);
    if (nameNode && nameNode.kind === 'scalar') nameNode.text = `${nameNode.text}-${h}`;
  }
}

/** kustomize rewrites every object's annotations as a string map when it finishes (dropping an empty one). */
function finishAnnotations(r: Resource): void {
  const md = get(r.node, 'metadata');
  if (!md || md.kind !== 'map') return;
  const a = entry(md, 'annotations');
  if (!a) return;
  if (a.value.kind !== 'map' || a.value.entries.length === 0) {
    remove(md, 'annotations');
    return;
  }
  for (const e of a.value.entries) {
    if (e.value.kind === 'scalar') {
      if (e.value.tag === 'int') e.value = { ...e.value, tag: 'str', text: e.value.text };
      else e.value = { ...e.value, tag: 'str' };
    } else e.value = str('', e.value.origin);
  }
}

function sortResources(resources: Resource[], k: Kustomization): Resource[] {
  const so = k.sortOptions;
  if (so && so.order === 'fifo') return resources;
  const first = so?.orderFirst ?? ORDER_FIRST;
  const last = so?.orderLast ?? ORDER_LAST;
  const cmp = legacyCompare(first, last);
  return [...resources].sort((a, b) => cmp(a.curId(), b.curId()));
}

function errorResult(
  dir: string,
  label: string,
  e: KustomizeFailure,
  b: Builder | null,
): KustomizeBuild {
  return {
    dir,
    error: e.toError(),
    objects: [],
    source: { text: '', segments: [], label },
    notes: b?.notes ?? [],
    files: b ? [...b.files].sort() : [],
  };
}

/** Build the kustomization in `dir` (absolute, `/`-separated) from the files `fs` gives. */
export function buildKustomization(
  fs: SourceFs,
  dirIn: string,
  options: BuildOptions = {},
): KustomizeBuild {
  const dir = normalizePath(dirIn);
  const label = options.label ?? `kustomization ${dir}`;
  const limits: Limits = {
    maxDepth: options.maxDepth ?? DEFAULT_BUILD_LIMITS.maxDepth,
    maxKustomizations: options.maxKustomizations ?? DEFAULT_BUILD_LIMITS.maxKustomizations,
    maxResources: options.maxResources ?? DEFAULT_BUILD_LIMITS.maxResources,
    maxBytes: options.maxBytes ?? DEFAULT_BUILD_LIMITS.maxBytes,
    maxGeneratedBytes: options.maxGeneratedBytes ?? DEFAULT_BUILD_LIMITS.maxGeneratedBytes,
    maxNodes: options.maxNodes ?? DEFAULT_BUILD_LIMITS.maxNodes,
  };
  const b = new Builder(fs, limits, options.helm);
  try {
    const k = b.readKustomization(dir);
    const ra = b.accumulateTarget(k, new Accumulator(), []);
    addHashes(ra.resources);
    fixNameReferences(ra.resources);
    const kept = ra.resources.filter((r) => !isLocalConfig(r));
    const sorted = sortResources(kept, k);
    for (const r of sorted) finishAnnotations(r);
    let emitted;
    try {
      emitted = emitDocuments(
        sorted.map((r) => r.node),
        label,
      );
    } catch (e) {
      if (e instanceof EmitError) {
        const o = e.origin;
        throw new KustomizeFailure(
          'invalidResource',
          e.message,
          o?.file ?? k.file,
          o ? { start: o.start, end: o.end } : { start: 0, end: 0 },
        );
      }
      throw e;
    }
    return {
      dir,
      error: null,
      objects: sorted.map((r, i) => ({
        id: r.curId(),
        node: r.node,
        source: r.source,
        span: emitted.documents[i] as Span,
      })),
      source: { text: emitted.text, segments: emitted.segments, label },
      notes: b.notes,
      files: [...b.files].sort(),
    };
  } catch (e) {
    if (e instanceof KustomizeFailure) return errorResult(dir, label, e, b);
    if (e instanceof RangeError)
      return errorResult(
        dir,
        label,
        new KustomizeFailure('limit', `build too deep to carry out: ${e.message}`, dir, {
          start: 0,
          end: 0,
        }),
        b,
      );
    throw e;
  }
}
