/**
 * Loading a chart as Helm's loader does (pkg/chart/v2/loader): Chart.yaml
 * (apiVersion v1 or v2), requirements.yaml for v1, values.yaml, templates/,
 * charts/ (folders and .tgz archives), crds/, .helmignore (with Helm's
 * default `templates/.?*`), everything else as .Files. Only through a
 * SourceFs, never outside the chart's folder.
 */
import { LinearRegex } from '../linearRegex';
import { gunzipSync } from 'fflate';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { firstVisit, isInside, joinPath } from '../sources/sourceFs';
import type { SourceFs } from '../sources/sourceFs';
import { formatFloat32 } from './gofmt';
import { resolvePlain, readValuesYaml, YamlError } from './yaml';
import { GoMap } from './values';

export interface ChartFile {
  /** Path inside the chart: `templates/deployment.yaml`. */
  name: string;
  data: Uint8Array;
  /** Where origins point: the file in the SourceFs, or `<archive>/<path>` inside a .tgz. */
  path: string;
}

export interface Dependency {
  name: string;
  version: string;
  repository: string;
  condition: string;
  tags: string[];
  enabled: boolean;
  importValues: unknown[];
  alias: string;
}

export interface Metadata {
  name: string;
  home: string;
  sources: string[];
  version: string;
  description: string;
  keywords: string[];
  maintainers: { name: string; email: string; url: string }[];
  icon: string;
  apiVersion: string;
  condition: string;
  tags: string;
  appVersion: string;
  deprecated: boolean;
  annotations: Map<string, string> | null;
  kubeVersion: string;
  dependencies: Dependency[] | null;
  type: string;
}

export interface Chart {
  metadata: Metadata;
  templates: ChartFile[];
  files: ChartFile[];
  values: GoMap;
  schema: string | null;
  schemaPath: string;
  dependencies: Chart[];
  parent: Chart | null;
  /** The folder or archive it was loaded from. */
  source: string;
}

export class ChartLoadError extends Error {}

export const MAX_CHART_BYTES = 100 * 1024 * 1024;
export const MAX_CHART_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_CHART_FILES = 20_000;

const dec = new TextDecoder();
export function text(b: Uint8Array): string {
  const s = dec.decode(b);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

// ---------------------------------------------------------------- .helmignore

/** Go's path/filepath.Match. */
export function goMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      re += (pattern[i] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      while (j < pattern.length && pattern[j] !== ']') {
        const x = pattern[j] ?? '';
        cls += x === '\\' ? `\\${pattern[++j] ?? ''}` : x;
        j++;
      }
      if (j >= pattern.length) return false;
      re += `[${cls}]`;
      i = j;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    // Matched in linear time: a .helmignore line such as *a*a*a*a*ab cannot freeze the load.
    return new LinearRegex(`^${re}$`).test(name);
  } catch {
    return false;
  }
}

interface IgnoreRule {
  negate: boolean;
  mustDir: boolean;
  match: (path: string) => boolean;
}

export function parseHelmignore(textIn: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  const add = (raw: string): void => {
    let rule = raw.trim();
    if (rule === '' || rule.startsWith('#')) return;
    if (rule.includes('**')) throw new ChartLoadError('double-star (**) syntax is not supported');
    let negate = false;
    let mustDir = false;
    if (rule.startsWith('!')) {
      negate = true;
      rule = rule.slice(1);
    }
    if (rule.endsWith('/')) {
      mustDir = true;
      rule = rule.slice(0, -1);
    }
    let match: (p: string) => boolean;
    if (rule.startsWith('/')) {
      const r = rule.slice(1);
      match = (p) => goMatch(r, p);
    } else if (rule.includes('/')) match = (p) => goMatch(rule, p);
    else match = (p) => goMatch(rule, p.slice(p.lastIndexOf('/') + 1));
    rules.push({ negate, mustDir, match });
  };
  for (const line of textIn.split(/\r?\n/)) add(line);
  add('templates/.?*');
  return rules;
}

function ignored(rules: IgnoreRule[], path: string, isDir: boolean): boolean {
  for (const p of rules) {
    if (p.negate) {
      if (p.mustDir && !isDir) return true;
      if (!p.match(path)) return true;
      continue;
    }
    if (p.mustDir && !isDir) continue;
    if (p.match(path)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- tar

function octal(b: Uint8Array, off: number, len: number): number {
  const s = dec
    .decode(b.subarray(off, off + len))
    .replace(/\0.*$/, '')
    .trim();
  return s ? parseInt(s, 8) : 0;
}

function cstr(b: Uint8Array, off: number, len: number): string {
  const sub = b.subarray(off, off + len);
  const z = sub.indexOf(0);
  return dec.decode(z >= 0 ? sub.subarray(0, z) : sub);
}

/** The regular files of a tar archive (ustar, PAX path records, GNU long names). */
export function untar(data: Uint8Array): { name: string; data: Uint8Array }[] {
  const out: { name: string; data: Uint8Array }[] = [];
  let off = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  let total = 0;
  while (off + 512 <= data.length) {
    const h = data.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 0);
    let name = cstr(h, 0, 100);
    const magic = cstr(h, 257, 6);
    if (magic.startsWith('ustar')) {
      const prefix = cstr(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const body = data.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cstr(body, 0, body.length);
      continue;
    }
    if (type === 'x') {
      const recs = dec.decode(body);
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(recs);
      paxPath = m?.[1] ?? null;
      continue;
    }
    if (type === 'g') continue;
    if (longName !== null) name = longName;
    if (paxPath !== null) name = paxPath;
    longName = null;
    paxPath = null;
    if (type !== '0' && type !== '\0' && type !== '7') continue;
    total += size;
    if (size > MAX_CHART_FILE_BYTES)
      throw new ChartLoadError(
        `decompressed chart file "${name}" is larger than the maximum file size ${MAX_CHART_FILE_BYTES}`,
      );
    if (total > MAX_CHART_BYTES)
      throw new ChartLoadError(
        `decompressed chart is larger than the maximum size ${MAX_CHART_BYTES}`,
      );
    out.push({ name, data: body.slice() });
  }
  return out;
}

/** Files of a chart archive, named as Helm names them (first path element removed). */
export function archiveFiles(bytes: Uint8Array): { name: string; data: Uint8Array }[] {
  let raw: Uint8Array;
  try {
    raw = gunzipSync(bytes);
  } catch {
    throw new ChartLoadError('gzip: invalid header');
  }
  if (raw.length > MAX_CHART_BYTES + 1024 * 1024)
    throw new ChartLoadError(
      `decompressed chart is larger than the maximum size ${MAX_CHART_BYTES}`,
    );
  const files: { name: string; data: Uint8Array }[] = [];
  for (const e of untar(raw)) {
    const delim = e.name.includes('\\') ? '\\' : '/';
    const parts = e.name.split(delim);
    let n = parts.slice(1).join('/');
    if (n.startsWith('/')) throw new ChartLoadError('chart illegally contains absolute paths');
    n = cleanPath(n);
    if (n === '.')
      throw new ChartLoadError(
        `chart illegally contains content outside the base directory: "${e.name}"`,
      );
    if (n.startsWith('..')) throw new ChartLoadError('chart illegally references parent directory');
    if (/^[a-zA-Z]:\//.test(n)) throw new ChartLoadError('chart contains illegally named files');
    if (parts[0] === 'Chart.yaml') throw new ChartLoadError('chart yaml not in base directory');
    files.push({
      name: n,
      data:
        e.data.length >= 3 && e.data[0] === 0xef && e.data[1] === 0xbb && e.data[2] === 0xbf
          ? e.data.slice(3)
          : e.data,
    });
  }
  if (files.length === 0) throw new ChartLoadError('no files in chart archive');
  return files;
}

function cleanPath(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
    } else out.push(s);
  }
  return out.join('/') || '.';
}

// ---------------------------------------------------------------- Chart.yaml

type Raw = string | boolean | null | Raw[] | { [k: string]: Raw };

/** A YAML node decoded into a Go struct field the way sigs.k8s.io/yaml does (scalars into string fields keep their text, numbers as Go formats them). */
function rawNode(n: unknown): Raw {
  if (isScalar(n)) {
    const s = String(n.value);
    if (n.type !== 'PLAIN' || n.tag) return s;
    const r = resolvePlain(s);
    if (r.tag === 'null') return null;
    if (r.tag === 'bool') return r.v;
    if (r.tag === 'int') return r.v.toString();
    if (r.tag === 'float') return formatFloat32(r.v);
    return s;
  }
  if (isSeq(n)) return n.items.map(rawNode);
  if (isMap(n)) {
    const o: { [k: string]: Raw } = {};
    for (const p of n.items) o[String(isScalar(p.key) ? p.key.value : p.key)] = rawNode(p.value);
    return o;
  }
  return null;
}

function rawYaml(t: string, what: string): { [k: string]: Raw } {
  const doc = parseDocument(t, { schema: 'failsafe', uniqueKeys: false });
  const err = doc.errors[0];
  if (err)
    throw new ChartLoadError(
      `cannot load ${what}: error converting YAML to JSON: yaml: ${err.message.split('\n')[0] ?? ''}`,
    );
  const r = rawNode(doc.contents);
  if (r === null) return {};
  if (typeof r !== 'object' || Array.isArray(r))
    throw new ChartLoadError(
      `cannot load ${what}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(r) ? 'array' : 'string'} into Go value of type v2.Metadata`,
    );
  return r;
}

const s = (r: Raw | undefined): string =>
  typeof r === 'string' ? r : typeof r === 'boolean' ? String(r) : '';
const sl = (r: Raw | undefined): string[] => (Array.isArray(r) ? r.map(s) : []);

function toDeps(r: Raw | undefined): Dependency[] | null {
  if (!Array.isArray(r)) return null;
  return r.map((d) => {
    const o = d && typeof d === 'object' && !Array.isArray(d) ? d : {};
    const iv = o['import-values'];
    return {
      name: s(o.name),
      version: s(o.version),
      repository: s(o.repository),
      condition: s(o.condition),
      tags: sl(o.tags),
      enabled: o.enabled === true,
      importValues: Array.isArray(iv) ? iv.map(rawToPlain) : [],
      alias: s(o.alias),
    };
  });
}

function rawToPlain(r: Raw): unknown {
  if (Array.isArray(r)) return r.map(rawToPlain);
  if (r && typeof r === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) o[k] = rawToPlain(v);
    return o;
  }
  return r;
}

function toMetadata(o: { [k: string]: Raw }, base?: Metadata): Metadata {
  const m: Metadata = base ?? {
    name: '',
    home: '',
    sources: [],
    version: '',
    description: '',
    keywords: [],
    maintainers: [],
    icon: '',
    apiVersion: '',
    condition: '',
    tags: '',
    appVersion: '',
    deprecated: false,
    annotations: null,
    kubeVersion: '',
    dependencies: null,
    type: '',
  };
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  if (has('name')) m.name = s(o.name);
  if (has('home')) m.home = s(o.home);
  if (has('sources')) m.sources = sl(o.sources);
  if (has('version')) m.version = s(o.version);
  if (has('description')) m.description = s(o.description);
  if (has('keywords')) m.keywords = sl(o.keywords);
  if (has('maintainers') && Array.isArray(o.maintainers))
    m.maintainers = o.maintainers.map((x) => {
      const mo = x && typeof x === 'object' && !Array.isArray(x) ? x : {};
      return { name: s(mo.name), email: s(mo.email), url: s(mo.url) };
    });
  if (has('icon')) m.icon = s(o.icon);
  if (has('apiVersion')) m.apiVersion = s(o.apiVersion);
  if (has('condition')) m.condition = s(o.condition);
  if (has('tags')) m.tags = s(o.tags);
  if (has('appVersion')) m.appVersion = s(o.appVersion);
  if (has('deprecated')) m.deprecated = o.deprecated === true;
  if (
    has('annotations') &&
    o.annotations &&
    typeof o.annotations === 'object' &&
    !Array.isArray(o.annotations)
  )
    m.annotations = new Map(Object.entries(o.annotations).map(([k, v]) => [k, s(v)]));
  if (has('kubeVersion')) m.kubeVersion = s(o.kubeVersion);
  if (has('dependencies')) m.dependencies = toDeps(o.dependencies);
  if (has('type')) m.type = s(o.type);
  return m;
}

// ---------------------------------------------------------------- loading

interface BufferedFile {
  name: string;
  data: Uint8Array;
  path: string;
}

/** Helm's LoadFiles: a chart from its files (names relative to the chart). */
export function loadFiles(files: BufferedFile[], source: string): Chart {
  let metadata: Metadata | null = null;
  for (const f of files) {
    if (f.name === 'Chart.yaml') {
      metadata = toMetadata(rawYaml(text(f.data), 'Chart.yaml'));
      if (metadata.apiVersion === '') metadata.apiVersion = 'v1';
    }
  }
  const c: Chart = {
    metadata: metadata ?? toMetadata({}),
    templates: [],
    files: [],
    values: new GoMap(),
    schema: null,
    schemaPath: '',
    dependencies: [],
    parent: null,
    source,
  };
  const subcharts = new Map<string, BufferedFile[]>();
  for (const f of files) {
    if (f.name === 'Chart.yaml' || f.name === 'Chart.lock') continue;
    if (f.name === 'values.yaml') {
      try {
        c.values = readValuesYaml(text(f.data), f.path);
      } catch (e) {
        throw new ChartLoadError(
          `cannot load values.yaml: ${e instanceof YamlError ? e.message : String(e)}`,
        );
      }
    } else if (f.name === 'values.schema.json') {
      c.schema = text(f.data);
      c.schemaPath = f.path;
    } else if (f.name === 'requirements.yaml') {
      if (!metadata) metadata = c.metadata;
      c.metadata = toMetadata(rawYaml(text(f.data), 'requirements.yaml'), c.metadata);
      if (c.metadata.apiVersion === 'v1') c.files.push(f);
    } else if (f.name === 'requirements.lock') {
      if (c.metadata.apiVersion === 'v1') c.files.push(f);
    } else if (f.name.startsWith('templates/')) c.templates.push(f);
    else if (f.name.startsWith('charts/')) {
      if (f.name.endsWith('.prov')) {
        c.files.push(f);
        continue;
      }
      const rest = f.name.slice('charts/'.length);
      const cname = rest.split('/')[0] ?? '';
      const list = subcharts.get(cname) ?? [];
      list.push({ ...f, name: rest });
      subcharts.set(cname, list);
    } else c.files.push(f);
  }
  if (!metadata) throw new ChartLoadError('Chart.yaml file is missing');
  validateMetadata(c.metadata);
  for (const n of [...subcharts.keys()].sort()) {
    const fs = subcharts.get(n) ?? [];
    if (n.startsWith('_') || n.startsWith('.')) continue;
    let sc: Chart;
    try {
      if (n.endsWith('.tgz')) {
        const file = fs[0];
        if (!file || file.name !== n)
          throw new ChartLoadError(
            `error unpacking subchart tar in ${c.metadata.name}: expected ${n}, got ${file?.name ?? ''}`,
          );
        sc = loadArchive(file.data, file.path);
      } else {
        const buff: BufferedFile[] = [];
        for (const f of fs) {
          const i = f.name.indexOf('/');
          if (i < 0) continue;
          buff.push({ ...f, name: f.name.slice(i + 1) });
        }
        sc = loadFiles(buff, `${source}/charts/${n}`);
      }
    } catch (e) {
      if (e instanceof ChartLoadError && e.message.startsWith('error unpacking subchart')) throw e;
      throw new ChartLoadError(
        `error unpacking subchart ${n} in ${c.metadata.name}: ${(e as Error).message}`,
      );
    }
    sc.parent = c;
    c.dependencies.push(sc);
  }
  return c;
}

function validateMetadata(m: Metadata): void {
  if (m.apiVersion === '')
    throw new ChartLoadError('validation: chart.metadata.apiVersion is required');
  if (m.name === '') throw new ChartLoadError('validation: chart.metadata.name is required');
  if (m.name === '.' || m.name === '..')
    throw new ChartLoadError(`validation: chart.metadata.name "${m.name}" is not allowed`);
  if (m.name.includes('/'))
    throw new ChartLoadError(`validation: chart.metadata.name "${m.name}" is invalid`);
  if (m.version === '') throw new ChartLoadError('validation: chart.metadata.version is required');
  if (m.type !== '' && m.type !== 'application' && m.type !== 'library')
    throw new ChartLoadError('validation: chart.metadata.type must be application or library');
}

export function loadArchive(bytes: Uint8Array, path: string): Chart {
  const files = archiveFiles(bytes).map((f) => ({ ...f, path: `${path}/${f.name}` }));
  return loadFiles(files, path);
}

/** A chart folder (or a .tgz) from the source tree. */
export function loadChart(fs: SourceFs, dir: string): Chart {
  if (dir.endsWith('.tgz')) {
    const b = fs.readBytes(dir);
    if (!b) throw new ChartLoadError(`cannot read ${dir}`);
    return loadArchive(b, dir);
  }
  const ig = fs.readBytes(joinPath(dir, '.helmignore'));
  const rules = parseHelmignore(ig ? text(ig) : '');
  const files: BufferedFile[] = [];
  let total = 0;
  // Each real folder once: a link to `.` inside the chart is not a loop.
  const visited = new Set<string>();
  const walk = (rel: string): void => {
    const at = rel === '' ? dir : joinPath(dir, rel);
    if (!firstVisit(fs, at, visited)) return;
    const entries = fs.list(at);
    if (!entries) return;
    for (const e of entries) {
      const n = rel === '' ? e.name : `${rel}/${e.name}`;
      const full = joinPath(dir, n);
      if (!isInside(dir, full)) continue;
      if (e.dir) {
        if (ignored(rules, n, true)) continue;
        walk(n);
        continue;
      }
      if (ignored(rules, n, false)) continue;
      const data = fs.readBytes(full);
      if (!data)
        throw new ChartLoadError(`error reading ${n}: not a regular file, unreadable or too large`);
      if (data.length > MAX_CHART_FILE_BYTES)
        throw new ChartLoadError(
          `chart file "${e.name}" is larger than the maximum file size ${MAX_CHART_FILE_BYTES}`,
        );
      total += data.length;
      if (total > MAX_CHART_BYTES || files.length > MAX_CHART_FILES)
        throw new ChartLoadError(`chart is larger than the maximum size ${MAX_CHART_BYTES}`);
      const bomless =
        data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf
          ? data.subarray(3)
          : data;
      files.push({ name: n, data: bomless, path: full });
    }
  };
  walk('');
  return loadFiles(files, dir);
}

export function chartName(c: Chart): string {
  return c.metadata.name;
}

export function chartFullPath(c: Chart): string {
  return c.parent ? `${chartFullPath(c.parent)}/charts/${c.metadata.name}` : c.metadata.name;
}

export function isLibrary(c: Chart): boolean {
  return c.metadata.type === 'library';
}
