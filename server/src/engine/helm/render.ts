/**
 * Rendering a chart as `helm template` does, in-process: load, merge values,
 * process dependencies, parse every template into one namespace (Helm's
 * order), execute each non-partial template, then sort and print the
 * documents. The result is a GeneratedSource whose segments say where each
 * run of output came from, the documents Helm would print, and Helm's
 * error message when Helm would fail. Unlike Helm, a failing template does
 * not stop the others: every template that can render does (for editors);
 * `ok` says whether Helm itself would have succeeded.
 */
import { LinearRegex } from '../linearRegex';
import type { GeneratedSource, Origin } from '../sources/sourcemap';
import type { SourceFs } from '../sources/sourceFs';
import { chartFullPath, chartName, ChartLoadError, isLibrary, loadChart, text } from './chart';
import type { Chart, ChartFile, Metadata } from './chart';
import { coalesceChartValues, isCompatibleRange, processDependencies, table } from './coalesce';
import { chartFuncs } from './funcs';
import { builtinFuncs, Rand, sprigFuncs } from './funcs/sprig';
import { fromUtf8, base64Encode } from './funcs/encoding';
import { goMatch } from './chart';
import { ManifestError, sortManifests, splitManifests } from './manifests';
import type { Manifest } from './manifests';
import { validateValues } from './schema';
import { SegText } from './segtext';
import { parseInto, parseIntoFile, parseJson } from './strvals';
import { Executor, ExecError, TemplateParseError } from './template/exec';
import type { ExecLimits, Func } from './template/exec';
import { GoList, GoMap, GoStruct, list, strList } from './values';
import type { GoMethod, Value } from './values';
import { mergeMaps, readValuesYaml, toYamlText, YamlError } from './yaml';
import { fromJsonText } from './funcs/json';
import { strval } from './funcs/convert';

/** A Go string argument (already checked by the executor), as text. */
const gs = (v: Value | undefined): string => (typeof v === 'string' ? v : strval(v ?? null));

/** The Kubernetes version Helm v4.2 assumes without a cluster (client-go v0.36 → v1.36.0). */
export const DEFAULT_KUBE_VERSION = 'v1.36.0';
export const HELM_VERSION = 'v4.2.4';

export interface ValuesFile {
  /** For messages and origins. */
  path: string;
  text: string;
}

export interface RenderOptions {
  releaseName?: string;
  /** --name-template: a template for the release name (Sprig functions, no data). */
  nameTemplate?: string;
  namespace?: string;
  /** --kube-version, e.g. `1.29` or `v1.29.3`. */
  kubeVersion?: string;
  /** --api-versions, added to Helm's default set. */
  apiVersions?: string[];
  noHooks?: boolean;
  /** --skip-tests: hooks of the `test` event are not printed. */
  skipTests?: boolean;
  includeCrds?: boolean;
  isUpgrade?: boolean;
  /** --show-only patterns (`templates/deployment.yaml`). */
  showOnly?: string[];
  /** --values files, in order (read by the caller). */
  values?: ValuesFile[];
  set?: string[];
  setString?: string[];
  setJson?: string[];
  /** --set-file key=path pairs, with a reader for the paths. */
  setFile?: string[];
  readFile?: (path: string) => string | null;
  skipSchemaValidation?: boolean;
  limits?: Partial<ExecLimits>;
  /** Helm's test build: KubeVersion v1.20.0, as Helm's own golden files were made. */
  testCapabilities?: boolean;
  /** Render as if Chart.yaml said these (test harnesses such as helm-unittest override them). */
  overrideChart?: { version?: string; appVersion?: string };
}

export type RenderErrorKind =
  'load' | 'values' | 'schema' | 'parse' | 'exec' | 'yaml' | 'limit' | 'options';

export interface RenderError {
  kind: RenderErrorKind;
  /** Helm's message (what `helm template` prints after `Error: `). */
  message: string;
  /** The file the error is in (innermost template for an execution error), and its offset. */
  file?: string;
  offset?: number;
  /** The template whose rendering failed (`mychart/templates/x.yaml`). */
  template?: string;
}

export interface RenderedDocument {
  /** `mychart/templates/deployment.yaml` (as in `# Source:`). */
  template: string;
  kind: string;
  hook?: string[];
  crd?: boolean;
  /** The document's text span in the output. */
  start: number;
  end: number;
}

export interface RenderResult {
  /** Whether Helm would have rendered the chart without an error. */
  ok: boolean;
  output: GeneratedSource;
  documents: RenderedDocument[];
  errors: RenderError[];
  warnings: string[];
  chart: { name: string; version: string; path: string } | null;
  releaseName: string;
}

const VALUES_TYPE = 'common.Values';

// ---------------------------------------------------------------- objects

function strs(xs: string[]): GoList {
  return list(xs);
}

function depMap(d: NonNullable<Metadata['dependencies']>[number]): GoMap {
  return new GoMap([
    ['Name', d.name],
    ['Version', d.version],
    ['Repository', d.repository],
    ['Condition', d.condition],
    ['Tags', strs(d.tags)],
    ['Enabled', d.enabled],
    ['ImportValues', list(d.importValues.map(jsToValue))],
    ['Alias', d.alias],
  ]);
}

function jsToValue(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number') return x;
  if (Array.isArray(x)) return list(x.map(jsToValue));
  if (typeof x === 'object')
    return new GoMap(
      Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, jsToValue(v)]),
    );
  return null;
}

/** .Chart: MetadataAsMap (Go field names) plus IsRoot. */
function chartObject(c: Chart, withRoot: boolean): GoMap {
  const m = c.metadata;
  const o = new GoMap([
    ['Name', m.name],
    ['Home', m.home],
    ['Sources', strs(m.sources)],
    ['Version', m.version],
    ['Description', m.description],
    ['Keywords', strs(m.keywords)],
    [
      'Maintainers',
      list(
        m.maintainers.map(
          (x) =>
            new GoMap([
              ['Name', x.name],
              ['Email', x.email],
              ['URL', x.url],
            ]),
        ),
      ),
    ],
    ['Icon', m.icon],
    ['APIVersion', m.apiVersion],
    ['Condition', m.condition],
    ['Tags', m.tags],
    ['AppVersion', m.appVersion],
    ['Deprecated', m.deprecated],
    ['Annotations', new GoMap(m.annotations ?? [], 'map[string]string')],
    ['KubeVersion', m.kubeVersion],
    ['Dependencies', list((m.dependencies ?? []).map(depMap))],
    ['Type', m.type],
  ]);
  if (withRoot) o.set('IsRoot', c.parent === null);
  return o;
}

/** gobwas/glob with `/` as separator: `*` stays in a path element, `**` crosses them. */
function globRegExp(p: string): { test(s: string): boolean } {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? '';
    if (c === '*') {
      if (p[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const j = p.indexOf('}', i);
      if (j < 0) re += '\\{';
      else {
        re += `(?:${p
          .slice(i + 1, j)
          .split(',')
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\*/g, '[^/]*'))
          .join('|')})`;
        i = j;
      }
    } else if (c === '[') {
      const j = p.indexOf(']', i);
      if (j < 0) re += '\\[';
      else {
        re += `[${p.slice(i + 1, j).replace(/^!/, '^')}]`;
        i = j;
      }
    } else if (c === '\\') {
      i++;
      re += (p[i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    // Matched in linear time: a template's pattern with many stars cannot freeze the render.
    return new LinearRegex(`^${re}$`);
  } catch {
    return /^.*$/;
  }
}

function filesObject(files: Map<string, Uint8Array>): GoMap {
  const m = new GoMap(
    [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    'engine.files',
  );
  const baseName = (k: string): string => k.slice(k.lastIndexOf('/') + 1);
  const methods: Record<string, GoMethod> = {
    GetBytes: { params: ['string'], call: ([n]) => files.get(gs(n)) ?? new Uint8Array() },
    Get: { params: ['string'], call: ([n]) => fromUtf8(files.get(gs(n)) ?? new Uint8Array()) },
    Glob: {
      params: ['string'],
      call: ([p]) => {
        const re = globRegExp(gs(p));
        return filesObject(new Map([...files].filter(([k]) => re.test(k))));
      },
    },
    AsConfig: {
      params: [],
      call: () => {
        const o = new GoMap();
        for (const [k, v] of files) o.set(baseName(k), fromUtf8(v));
        return toYamlText(o).text.replace(/\n$/, '');
      },
    },
    AsSecrets: {
      params: [],
      call: () => {
        const o = new GoMap();
        for (const [k, v] of files) o.set(baseName(k), base64Encode(v));
        return toYamlText(o).text.replace(/\n$/, '');
      },
    },
    Lines: {
      params: ['string'],
      call: ([n]) => {
        const b = files.get(gs(n));
        if (!b || b.length === 0) return strList([]);
        let s = fromUtf8(b);
        if (s.endsWith('\n')) s = s.slice(0, -1);
        return strList(s.split('\n'));
      },
    },
  };
  m.methods = methods;
  return m;
}

/** k8s.io/apimachinery's version.ParseGeneric, as Helm's ParseKubeVersion uses it. */
export function parseKubeVersion(
  v: string,
): { version: string; normalized: string; major: string; minor: string } | null {
  const m = /^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$/.exec(v);
  if (!m) return null;
  const parts = (m[1] ?? '').split('.');
  if (parts.length < 2) return null;
  const rest = m[2] ?? '';
  if (rest !== '' && !/^[-+]/.test(rest)) return null;
  const comps = parts.map((p) => BigInt(p).toString());
  return {
    version: v.startsWith('v') ? v : `v${v}`,
    normalized: `v${comps.join('.')}`,
    major: comps[0] ?? '0',
    minor: comps[1] ?? '0',
  };
}

/** client-go v0.36's scheme group versions plus apiextensions, as Helm's DefaultVersionSet. */
export const DEFAULT_API_VERSIONS = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'admissionregistration.k8s.io/v1alpha1',
  'admissionregistration.k8s.io/v1beta1',
  'internal.apiserver.k8s.io/v1alpha1',
  'apps/v1',
  'apps/v1beta1',
  'apps/v1beta2',
  'authentication.k8s.io/v1',
  'authentication.k8s.io/v1alpha1',
  'authentication.k8s.io/v1beta1',
  'authorization.k8s.io/v1',
  'authorization.k8s.io/v1beta1',
  'autoscaling/v1',
  'autoscaling/v2',
  'batch/v1',
  'batch/v1beta1',
  'certificates.k8s.io/v1',
  'certificates.k8s.io/v1alpha1',
  'certificates.k8s.io/v1beta1',
  'coordination.k8s.io/v1',
  'coordination.k8s.io/v1alpha2',
  'coordination.k8s.io/v1beta1',
  'discovery.k8s.io/v1',
  'discovery.k8s.io/v1beta1',
  'events.k8s.io/v1',
  'events.k8s.io/v1beta1',
  'extensions/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta2',
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1',
  'networking.k8s.io/v1beta1',
  'node.k8s.io/v1',
  'node.k8s.io/v1alpha1',
  'node.k8s.io/v1beta1',
  'policy/v1',
  'policy/v1beta1',
  'rbac.authorization.k8s.io/v1',
  'rbac.authorization.k8s.io/v1alpha1',
  'rbac.authorization.k8s.io/v1beta1',
  'resource.k8s.io/v1',
  'resource.k8s.io/v1alpha3',
  'resource.k8s.io/v1beta1',
  'resource.k8s.io/v1beta2',
  'scheduling.k8s.io/v1',
  'scheduling.k8s.io/v1alpha2',
  'scheduling.k8s.io/v1beta1',
  'storage.k8s.io/v1',
  'storage.k8s.io/v1alpha1',
  'storage.k8s.io/v1beta1',
  'storagemigration.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1',
  'apiextensions.k8s.io/v1beta1',
];

function capabilities(o: RenderOptions): { value: GoStruct; kubeVersion: string } | string {
  let kv = {
    version: DEFAULT_KUBE_VERSION,
    normalized: DEFAULT_KUBE_VERSION,
    major: '1',
    minor: '36',
  };
  if (o.testCapabilities)
    kv = { version: 'v1.20.0', normalized: 'v1.20.0', major: '1', minor: '20' };
  if (o.kubeVersion) {
    const p = parseKubeVersion(o.kubeVersion);
    if (!p)
      return `invalid kube version '${o.kubeVersion}': could not parse "${o.kubeVersion}" as version`;
    kv = p;
  }
  const kube = new GoStruct(
    'common.KubeVersion',
    new Map<string, Value>([
      ['Version', kv.version],
      ['Major', kv.major],
      ['Minor', kv.minor],
    ]),
    {
      String: { params: [], call: () => kv.normalized },
      GitVersion: { params: [], call: () => kv.version },
    },
    () => kv.normalized,
  );
  const apis = new GoList([...DEFAULT_API_VERSIONS, ...(o.apiVersions ?? [])], 'common.VersionSet');
  apis.methods = { Has: { params: ['string'], call: ([a]) => apis.items.includes(gs(a)) } };
  const helm = new GoStruct(
    'version.BuildInfo',
    new Map<string, Value>([
      ['Version', o.testCapabilities ? 'v4.2' : HELM_VERSION],
      ['GitCommit', ''],
      ['GitTreeState', ''],
      ['GoVersion', o.testCapabilities ? '' : 'go1.26.0'],
      ['KubeClientVersion', o.testCapabilities ? 'v1.20' : 'v1.36'],
    ]),
  );
  const caps = new GoStruct(
    '*common.Capabilities',
    new Map<string, Value>([
      ['KubeVersion', kube],
      ['APIVersions', apis],
      ['HelmVersion', helm],
    ]),
    {},
    undefined,
    true,
  );
  return { value: caps, kubeVersion: kv.normalized };
}

// ---------------------------------------------------------------- templates

interface Renderable {
  chart: Chart;
  file: ChartFile;
  dot: GoMap;
  basePath: string;
}

function allTemplates(c: Chart, parentDot: GoMap, out: Map<string, Renderable>): GoMap {
  const sub = new GoMap();
  const files = new Map(c.files.map((f) => [f.name, f.data]));
  const next = new GoMap(
    [
      ['Chart', chartObject(c, true)],
      ['Files', filesObject(files)],
      ['Release', parentDot.get('Release') ?? null],
      ['Capabilities', parentDot.get('Capabilities') ?? null],
      ['Values', new GoMap(undefined, VALUES_TYPE)],
      ['Subcharts', sub],
    ],
    VALUES_TYPE,
  );
  if (c.parent === null)
    next.set('Values', parentDot.get('Values') ?? new GoMap(undefined, VALUES_TYPE));
  else {
    const pv = parentDot.get('Values');
    const t = pv instanceof GoMap ? table(pv, chartName(c)) : null;
    if (t) {
      const shared = new GoMap(t.m, VALUES_TYPE);
      t.origins ??= new Map();
      shared.origins = t.origins;
      next.set('Values', shared);
    }
  }
  for (const d of c.dependencies) sub.set(chartName(d), allTemplates(d, next, out));
  const base = chartFullPath(c);
  for (const t of c.templates) {
    if (isLibrary(c) && !t.name.slice(t.name.lastIndexOf('/') + 1).startsWith('_')) continue;
    out.set(`${base}/${t.name}`, { chart: c, file: t, dot: next, basePath: `${base}/templates` });
  }
  return next;
}

function slashes(s: string): number {
  let n = 0;
  for (const c of s) if (c === '/') n++;
  return n;
}

/** Helm's sortTemplates: deeper paths first, then reverse alphabetical. */
function sortTemplates(names: string[]): string[] {
  return [...names].sort((a, b) => {
    const d = slashes(b) - slashes(a);
    if (d !== 0) return d;
    return a < b ? 1 : a > b ? -1 : 0;
  });
}

function cleanupParseError(filename: string, msg: string): string {
  const tokens = msg.split(': ');
  if (tokens.length === 1) return `parse error in (${filename}): ${msg}`;
  return `parse error at (${tokens[1] ?? ''}): ${tokens[tokens.length - 1] ?? ''}`;
}

const WARN_RE = /HELM_ERR_START([\s\S]*)HELM_ERR_END/;

function reformatExecError(filename: string, msg: string): string {
  const tokens = splitN(msg, ': ', 3);
  if (tokens.length !== 3) return `execution error in (${filename}): ${msg}`;
  const m = WARN_RE.exec(tokens[2] ?? '');
  if (m) return `execution error at (${tokens[1] ?? ''}): ${m[1] ?? ''}`;
  return msg;
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

// ---------------------------------------------------------------- values

function userValues(o: RenderOptions, errors: RenderError[]): GoMap {
  let base = new GoMap();
  for (const f of o.values ?? []) {
    try {
      base = mergeMaps(base, readValuesYaml(f.text, f.path));
    } catch (e) {
      errors.push({
        kind: 'values',
        message: `failed to parse ${f.path}: ${(e as Error).message}`,
        file: f.path,
      });
    }
  }
  for (const v of o.setJson ?? []) {
    const t = v.trim();
    try {
      if (t.startsWith('{')) {
        const j = fromJsonText(t);
        if (j instanceof GoMap) base = mergeMaps(base, j);
      } else parseJson(v, base);
    } catch {
      errors.push({
        kind: 'options',
        message: t.startsWith('{')
          ? `failed parsing --set-json data JSON: ${v}`
          : `failed parsing --set-json data ${v}`,
      });
    }
  }
  for (const v of o.set ?? []) {
    try {
      parseInto(v, base);
    } catch (e) {
      errors.push({
        kind: 'options',
        message: `failed parsing --set data: ${(e as Error).message}`,
      });
    }
  }
  for (const v of o.setString ?? []) {
    try {
      parseInto(v, base, true);
    } catch (e) {
      errors.push({
        kind: 'options',
        message: `failed parsing --set-string data: ${(e as Error).message}`,
      });
    }
  }
  for (const v of o.setFile ?? []) {
    try {
      parseIntoFile(v, base, (p) => {
        const t = o.readFile?.(p);
        if (t === null || t === undefined) throw new Error(`open ${p}: no such file or directory`);
        return t;
      });
    } catch (e) {
      errors.push({
        kind: 'options',
        message: `failed parsing --set-file data: ${(e as Error).message}`,
      });
    }
  }
  return base;
}

function releaseName(o: RenderOptions, funcs: Map<string, Func>): string | RenderError {
  if (o.nameTemplate) {
    const ex = new Executor({ funcs });
    try {
      ex.parse('name-template', o.nameTemplate);
      const out = new SegText();
      ex.execute('name-template', { v: undefined }, out);
      return out.text;
    } catch (e) {
      return { kind: 'options', message: (e as Error).message };
    }
  }
  return o.releaseName ?? 'release-name';
}

// ---------------------------------------------------------------- render

function failed(errors: RenderError[], warnings: string[], name: string): RenderResult {
  return {
    ok: false,
    output: { text: '', segments: [], label: '' },
    documents: [],
    errors,
    warnings,
    chart: null,
    releaseName: name,
  };
}

/** Render the chart at `dir` (a folder or a .tgz) in `fs`, as `helm template` would. */
export function renderChart(fs: SourceFs, dir: string, o: RenderOptions = {}): RenderResult {
  const errors: RenderError[] = [];
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
  };
  const nameFuncs = new Map<string, Func>([...builtinFuncs(), ...sprigFuncs(new Rand())]);
  const rn = releaseName(o, nameFuncs);
  if (typeof rn !== 'string') return failed([rn], warnings, '');
  let chart: Chart;
  try {
    chart = loadChart(fs, dir);
  } catch (e) {
    if (e instanceof ChartLoadError || e instanceof YamlError)
      return failed([{ kind: 'load', message: e.message, file: dir }], warnings, rn);
    throw e;
  }
  if (o.overrideChart?.version !== undefined) chart.metadata.version = o.overrideChart.version;
  if (o.overrideChart?.appVersion !== undefined)
    chart.metadata.appVersion = o.overrideChart.appVersion;
  const info = { name: chart.metadata.name, version: chart.metadata.version, path: dir };
  const vals = userValues(o, errors);
  if (errors.length) return { ...failed(errors, warnings, rn), chart: info };
  const caps = capabilities(o);
  if (typeof caps === 'string')
    return { ...failed([{ kind: 'options', message: caps }], warnings, rn), chart: info };
  try {
    processDependencies(chart, vals, warn);
  } catch (e) {
    return {
      ...failed(
        [
          {
            kind: 'values',
            message: `chart dependencies processing failed: ${(e as Error).message}`,
          },
        ],
        warnings,
        rn,
      ),
      chart: info,
    };
  }
  if (
    chart.metadata.kubeVersion &&
    !isCompatibleRange(chart.metadata.kubeVersion, caps.kubeVersion)
  ) {
    errors.push({
      kind: 'load',
      message: `chart requires kubeVersion: ${chart.metadata.kubeVersion} which is incompatible with Kubernetes ${caps.kubeVersion}`,
    });
    return { ...failed(errors, warnings, rn), chart: info };
  }
  let values: GoMap;
  try {
    values = coalesceChartValues(chart, vals, warn);
  } catch (e) {
    return {
      ...failed([{ kind: 'values', message: (e as Error).message }], warnings, rn),
      chart: info,
    };
  }
  values.typeName = VALUES_TYPE;
  if (!o.skipSchemaValidation) {
    const schemaErr = validateValues(chart, values);
    if (schemaErr) {
      errors.push({
        kind: 'schema',
        message: `values don't meet the specifications of the schema(s) in the following chart(s):\n${schemaErr.message}`,
        ...(schemaErr.file ? { file: schemaErr.file } : {}),
      });
    }
  }
  const release = new GoMap([
    ['Name', rn],
    ['Namespace', o.namespace ?? 'default'],
    ['IsUpgrade', o.isUpgrade === true],
    ['IsInstall', o.isUpgrade !== true],
    ['Revision', 1n],
    ['Service', 'Helm'],
  ]);
  const top = new GoMap([
    ['Chart', chartObject(chart, false)],
    ['Capabilities', caps.value],
    ['Release', release],
    ['Values', values],
  ]);
  const tpls = new Map<string, Renderable>();
  allTemplates(chart, top, tpls);
  const names = sortTemplates([...tpls.keys()]);
  const byParse = new Map<string, string>();
  for (const [n, r] of tpls) byParse.set(n, r.file.path);
  const ex = new Executor({
    funcs: chartFuncs(),
    limits: o.limits ?? {},
    fileOf: (p) => byParse.get(p) ?? p,
  });
  const unparsed = new Set<string>();
  for (const n of names) {
    const r = tpls.get(n) as Renderable;
    try {
      ex.parse(n, text(r.file.data));
    } catch (e) {
      if (!(e instanceof TemplateParseError)) throw e;
      unparsed.add(n);
      errors.push({
        kind: 'parse',
        message: cleanupParseError(n, e.message),
        file: r.file.path,
        offset: e.offset,
        template: n,
      });
    }
  }
  const rendered = new Map<string, SegText>();
  for (const n of names) {
    const r = tpls.get(n) as Renderable;
    const base = n.slice(n.lastIndexOf('/') + 1);
    if (base.startsWith('_') || unparsed.has(n)) continue;
    r.dot.set(
      'Template',
      new GoMap(
        [
          ['Name', n],
          ['BasePath', r.basePath],
        ],
        VALUES_TYPE,
      ),
    );
    const dot = new GoMap(r.dot.m, VALUES_TYPE);
    const out = new SegText();
    try {
      ex.execute(n, { v: dot }, out);
      rendered.set(n, out.replaceAll('<no value>', ''));
    } catch (e) {
      if (!(e instanceof ExecError)) throw e;
      const file = byParse.get(e.parseName);
      errors.push({
        kind: e.limit ? 'limit' : 'exec',
        message: reformatExecError(n, e.message),
        ...(file ? { file, offset: e.offset } : {}),
        template: n,
      });
    } finally {
      ex.includeCounts.clear();
    }
  }
  // NOTES.txt is rendered but not printed.
  for (const n of [...rendered.keys()]) if (n.endsWith('NOTES.txt')) rendered.delete(n);
  let sorted: { hooks: Manifest[]; manifests: Manifest[] };
  try {
    sorted = sortManifests(rendered);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    errors.push({ kind: 'yaml', message: e.message });
    sorted = { hooks: [], manifests: [] };
  }
  const out = new SegText();
  const docs: RenderedDocument[] = [];
  const emit = (
    name: string,
    content: SegText,
    kind: string,
    extra: Partial<RenderedDocument>,
  ): void => {
    out.push(`---\n# Source: ${name}\n`);
    const start = out.length;
    out.append(content);
    docs.push({ template: name, kind, start, end: out.length, ...extra });
    out.push('\n');
  };
  if (o.includeCrds) {
    for (const crd of crdObjects(chart)) {
      const t = text(crd.file.data);
      emit(crd.name, SegText.of(t, textOrigin(crd.file.path, t)), 'CustomResourceDefinition', {
        crd: true,
      });
    }
  }
  for (const m of sorted.manifests) emit(m.name, m.content, m.kind, {});
  // helm template: strings.TrimSpace(rel.Manifest) + "\n", then the hooks.
  let result = out.trimLeft((c) => /\s/.test(c)).trimRight((c) => /\s/.test(c));
  const shift = out.text.length - out.trimLeft((c) => /\s/.test(c)).text.length;
  for (const d of docs) {
    d.start -= shift;
    d.end = Math.min(d.end - shift, result.length);
  }
  result.push('\n');
  if (!o.noHooks) {
    const all = new SegText();
    all.append(result);
    for (const h of sorted.hooks) {
      if (o.skipTests && h.hook?.some((e) => e === 'test' || e === 'test-success')) continue;
      all.push(`---\n# Source: ${h.name}\n`);
      const start = all.length;
      all.append(h.content);
      docs.push({ template: h.name, kind: h.kind, start, end: all.length, hook: h.hook ?? [] });
      all.push('\n');
    }
    result = all;
  }
  if (o.showOnly && o.showOnly.length) {
    const shown = showOnly(result, o.showOnly, docs);
    if (typeof shown === 'string') errors.push({ kind: 'options', message: shown });
    else {
      result = shown.text;
      docs.length = 0;
      docs.push(...shown.docs);
    }
  }
  return {
    ok: errors.length === 0,
    output: { text: result.text, segments: result.segments(), label: `chart ${dir}` },
    documents: docs,
    errors,
    warnings,
    chart: info,
    releaseName: rn,
  };
}

function textOrigin(file: string, t: string): Origin {
  return { kind: 'text', file, start: 0, end: t.length };
}

function crdObjects(c: Chart): { name: string; file: ChartFile }[] {
  const out: { name: string; file: ChartFile }[] = [];
  for (const f of c.files)
    if (f.name.startsWith('crds/') && /\.(ya?ml|json)$/.test(f.name))
      out.push({ name: `${chartFullPath(c)}/${f.name}`, file: f });
  for (const d of c.dependencies) out.push(...crdObjects(d));
  return out;
}

function showOnly(
  all: SegText,
  patterns: string[],
  docs: RenderedDocument[],
): { text: SegText; docs: RenderedDocument[] } | string {
  const chunks = splitManifests(all);
  const picked: SegText[] = [];
  for (const f of patterns) {
    let missing = true;
    for (const ch of chunks) {
      const m = /# Source: [^/]+\/(.+)/.exec(ch.text);
      if (!m) continue;
      if (!goMatch(f, m[1] ?? '')) continue;
      picked.push(ch);
      missing = false;
    }
    if (missing) return `could not find template ${f} in chart`;
  }
  const out = new SegText();
  const nd: RenderedDocument[] = [];
  for (const p of picked) {
    out.push('---\n');
    const m = /^# Source: ([^\n]+)\n/.exec(p.text);
    const start = out.length + (m ? m[0].length : 0);
    out.append(p);
    const src = m?.[1] ?? '';
    const d = docs.find((x) => x.template === src);
    nd.push({
      template: src,
      kind: d?.kind ?? '',
      start,
      end: out.length,
      ...(d?.hook ? { hook: d.hook } : {}),
    });
    out.push('\n');
  }
  return { text: out, docs: nd };
}
