/**
 * `configMapGenerator` and `secretGenerator`: ConfigMaps and Secrets made
 * from literals (`key=value`), files (`key=path` or `path`) and env files
 * (`KEY=value` lines), in that order (env files, literals, files), with the
 * generator's and the kustomization's `generatorOptions` labels and
 * annotations, `immutable`, and a content hash appended to the name unless
 * `disableNameSuffixHash`. Secret values are base64, broken into 70-character
 * lines as kustomize does; a ConfigMap value that is not UTF-8 goes to
 * `binaryData`.
 *
 * Each data value's origin is where it was written: the literal in the
 * kustomization file, the file it was read from, the env file's line.
 */
import type { ComputedOrigin, Origin, ValueOrigin } from '../sources/sourcemap';
import type { Span } from '../types';
import { KustomizeFailure } from './errors';
import type {
  GeneratorOptionsSetting,
  GeneratorSetting,
  Kustomization,
  PairSetting,
  Setting,
} from './kustomization';
import { Resource } from './resource';
import type { Behavior } from './resource';
import { kmap, scalar, set, str } from './tree';
import type { KMap, KNode } from './tree';

export interface LoadedFile {
  /** The file as read: text when it is UTF-8, else bytes. */
  text: string | null;
  bytes: Uint8Array | null;
  path: string;
}

/** Reads a file of a kustomization as kustomize's loader does (root-restricted); throws kustomize's error. */
export type FileLoader = (path: string, node: KNode) => LoadedFile;

interface Pair {
  key: string;
  value: string;
  /** Bytes that are not UTF-8 (ConfigMaps put these in binaryData). */
  binary: Uint8Array | null;
  keyOrigin: Origin | null;
  valueOrigin: Origin | null;
}

function span(n: KNode | null | undefined): Span {
  return n?.origin ? { start: n.origin.start, end: n.origin.end } : { start: 0, end: 0 };
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function configKeyErrors(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(k))
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function envNameErrors(k: string): string[] {
  const errs: string[] = [];
  if (!ENV_NAME.test(k))
    errs.push(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    );
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Go's `%v` of a string slice. */
const goList = (xs: readonly Setting[]): string => `[${xs.map((x) => x.value).join(' ')}]`;

function removeQuotes(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

function pathBase(p: string): string {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

function parseFileSource(source: string): { key: string; path: string } {
  const n = (source.match(/=/g) ?? []).length;
  if (n === 0) return { key: pathBase(source), path: source };
  if (n === 1 && source.startsWith('='))
    throw new Error(
      `missing key name for file path ${JSON.stringify(source.slice(1))} in source ${JSON.stringify(source)}`,
    );
  if (n === 1 && source.endsWith('='))
    throw new Error(
      `missing file path for key name ${JSON.stringify(source.slice(0, -1))} in source ${JSON.stringify(source)}`,
    );
  if (n > 1) throw new Error(`source ${JSON.stringify(source)} key name or file path contains '='`);
  const [key = '', path = ''] = source.split('=');
  return { key, path };
}

function fileOrigin(file: string, start: number, end: number): ValueOrigin {
  return { kind: 'value', file, start, end, path: [], document: 0 };
}

/** Read the key-value pairs of a generator (env files, then literals, then files). */
function loadPairs(g: GeneratorSetting, load: FileLoader, kfile: string, maxBytes: number): Pair[] {
  const out: Pair[] = [];
  let bytes = 0;
  const budget = (n: number, node: KNode): void => {
    bytes += n;
    if (bytes > maxBytes)
      throw new KustomizeFailure(
        'limit',
        `generator data over ${maxBytes} bytes: not built`,
        kfile,
        span(node),
      );
  };
  const wrapErr =
    (prefix: string, node: KNode) =>
    (e: unknown): never => {
      if (e instanceof KustomizeFailure) throw e.wrap(`loading KV pairs: ${prefix}`);
      throw new KustomizeFailure(
        'generator',
        `loading KV pairs: ${prefix}: ${(e as Error).message}`,
        kfile,
        span(node),
      );
    };
  for (const env of g.envs) {
    try {
      const f = load(env.value, env.node);
      const text = f.text ?? '';
      budget(text.length, env.node);
      let lineNo = 0;
      let pos = 0;
      for (const raw of text.split('\n')) {
        const lineStart = pos;
        pos += raw.length + 1;
        let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        let offset = lineStart;
        if (lineNo === 0 && line.charCodeAt(0) === 0xfeff) {
          line = line.slice(1);
          offset++;
        }
        lineNo++;
        const trimmed = line.replace(/^\s+/u, '');
        offset += line.length - trimmed.length;
        if (trimmed === '' || trimmed.startsWith('#')) continue;
        const eq = trimmed.indexOf('=');
        const key = eq < 0 ? trimmed : trimmed.slice(0, eq);
        const errs = envNameErrors(key);
        if (errs.length > 0)
          throw new Error(`${JSON.stringify(key)} is not a valid key name: ${errs.join(';')}`);
        const value = eq < 0 ? '' : trimmed.slice(eq + 1);
        const vStart = eq < 0 ? offset + trimmed.length : offset + eq + 1;
        out.push({
          key,
          value,
          binary: null,
          keyOrigin: fileOrigin(f.path, offset, offset + key.length),
          valueOrigin: fileOrigin(f.path, vStart, vStart + value.length),
        });
      }
    } catch (e) {
      wrapErr(`env source files: ${goList(g.envs)}`, env.node)(e);
    }
  }
  for (const lit of g.literals) {
    const s = lit.value;
    if (s.indexOf('=') <= 0) {
      throw new KustomizeFailure(
        'generator',
        `loading KV pairs: literal sources ${goList(g.literals)}: invalid literal source ${s}, expected key=value`,
        kfile,
        span(lit.node),
      );
    }
    const eq = s.indexOf('=');
    budget(s.length, lit.node);
    out.push({
      key: s.slice(0, eq),
      value: removeQuotes(s.slice(eq + 1)),
      binary: null,
      keyOrigin: lit.node.origin,
      valueOrigin: lit.node.origin,
    });
  }
  for (const fsrc of g.files) {
    try {
      const { key, path } = parseFileSource(fsrc.value);
      const f = load(path, fsrc.node);
      const size = f.text !== null ? f.text.length : (f.bytes?.length ?? 0);
      budget(size, fsrc.node);
      out.push({
        key,
        value: f.text ?? '',
        binary: f.text === null ? f.bytes : null,
        keyOrigin: fsrc.node.origin,
        valueOrigin: fileOrigin(f.path, 0, f.text?.length ?? 0),
      });
    } catch (e) {
      wrapErr(`file sources: ${goList(g.files)}`, fsrc.node)(e);
    }
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += A[a >> 2];
    out += A[((a & 3) << 4) | ((b ?? 0) >> 4)];
    out += b === undefined ? '=' : A[((b & 15) << 2) | ((c ?? 0) >> 6)];
    out += c === undefined ? '=' : A[c & 63];
  }
  return out;
}

/** kustomize's base64 of a value: lines of 70 characters, each ended by a newline once there is more than one. */
export function encodeBase64(bytes: Uint8Array): string {
  const enc = base64(bytes);
  const lines = Math.floor(enc.length / 70) + 1;
  if (lines <= 1) return enc;
  let out = '';
  for (let i = 0; i < enc.length; i += 70) out += `${enc.slice(i, i + 70)}\n`;
  return out;
}

function mergeOptions(
  local: GeneratorOptionsSetting | null,
  global: GeneratorOptionsSetting | null,
): GeneratorOptionsSetting | null {
  if (!global) return local;
  const l: GeneratorOptionsSetting = local
    ? { ...local, labels: [...local.labels], annotations: [...local.annotations] }
    : { labels: [], annotations: [], disableNameSuffixHash: false, immutable: false, node: null };
  const add = (into: PairSetting[], from: PairSetting[], hadMap: boolean): PairSetting[] => {
    if (!hadMap) return [...from];
    for (const p of from) if (!into.some((q) => q.key === p.key)) into.push(p);
    return into;
  };
  l.labels = add(l.labels, global.labels, !!local && local.labels.length > 0);
  l.annotations = add(l.annotations, global.annotations, !!local && local.annotations.length > 0);
  if (global.disableNameSuffixHash) l.disableNameSuffixHash = true;
  if (global.immutable) l.immutable = true;
  return l;
}

const BEHAVIORS = new Set(['create', 'merge', 'replace']);

/** Generate the ConfigMap or Secret of one generator entry. */
export function generate(
  k: Kustomization,
  g: GeneratorSetting,
  load: FileLoader,
  maxBytes: number,
): Resource {
  const what = g.kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator';
  const name = g.name?.value ?? '';
  const gen: ComputedOrigin = {
    kind: 'computed',
    file: k.file,
    start: g.node.origin?.start ?? 0,
    end: g.node.origin?.end ?? 0,
    expression: `${what} ${name}`,
  };
  if (!name)
    throw new KustomizeFailure('generator', 'a configmap must have a name', k.file, span(g.node));
  const node: KMap = kmap(gen);
  set(node, 'apiVersion', str('v1', gen), gen);
  set(node, 'kind', str(g.kind, gen), gen);
  const md = kmap(gen);
  set(node, 'metadata', md, gen);
  set(md, 'name', str(name, g.name?.node.origin ?? gen), gen);
  if (g.namespace) set(md, 'namespace', str(g.namespace, gen), gen);
  if (g.kind === 'Secret') set(node, 'type', str(g.type || 'Opaque', gen), gen);
  const pairs = loadPairs(g, load, k.file, maxBytes);
  const known = new Map<string, Pair>();
  for (const p of pairs) {
    const errs = configKeyErrors(p.key);
    if (errs.length > 0)
      throw new KustomizeFailure(
        'generator',
        `${JSON.stringify(p.key)} is not a valid key name: ${errs.join(';')}`,
        k.file,
        span(g.node),
      );
    if (known.has(p.key))
      throw new KustomizeFailure(
        'generator',
        `configmap ${name} illegally repeats the key \`${p.key}\``,
        k.file,
        span(g.node),
      );
    known.set(p.key, p);
  }
  const keys = [...known.keys()].sort();
  for (const key of keys) {
    const p = known.get(key) as Pair;
    let field: 'data' | 'binaryData' = 'data';
    let value: string;
    if (g.kind === 'Secret') value = encodeBase64(p.binary ?? new TextEncoder().encode(p.value));
    else if (p.binary) {
      field = 'binaryData';
      value = encodeBase64(p.binary);
    } else value = p.value;
    let m = node.entries.find((e) => e.key === field)?.value as KMap | undefined;
    if (!m) {
      m = kmap(gen);
      set(node, field, m, gen);
    }
    set(m, key, str(value, p.valueOrigin ?? gen), p.keyOrigin ?? gen);
  }
  const opts = mergeOptions(g.options, k.generatorOptions);
  if (opts) {
    const labelsOrAnnotations = (field: 'labels' | 'annotations', list: PairSetting[]): void => {
      if (list.length === 0) return;
      let m = md.entries.find((e) => e.key === field)?.value as KMap | undefined;
      if (!m) {
        m = kmap(gen);
        set(md, field, m, gen);
      }
      for (const p of [...list].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
        const o: ComputedOrigin = {
          kind: 'computed',
          file: k.file,
          start: p.entry.keyOrigin?.start ?? gen.start,
          end: p.entry.value.origin?.end ?? gen.end,
          expression: `${what} ${name} ${field} ${p.key}: ${p.value}`,
        };
        set(m, p.key, str(p.value, o), o);
      }
    };
    labelsOrAnnotations('labels', opts.labels);
    labelsOrAnnotations('annotations', opts.annotations);
    if (opts.immutable) set(node, 'immutable', scalar('true', 'bool', gen), gen);
  }
  const r = new Resource(node, { file: k.file, document: 0, start: gen.start, end: gen.end });
  r.needsHash = !opts?.disableNameSuffixHash;
  const b = g.behavior?.value ?? '';
  r.behavior = (BEHAVIORS.has(b) ? b : '') as Behavior;
  return r;
}
