/**
 * YAML as Helm reads and writes it (sigs.k8s.io/yaml over go-yaml v2):
 *
 *  - reading: go-yaml v2's YAML 1.1 resolution of plain scalars (yes/no/on/off
 *    are booleans, 0x1F and 0777 are ints, timestamps stay strings), then the
 *    JSON round trip that makes every number a float64; each map entry and
 *    list item keeps the node it came from (file, span, key path).
 *  - writing (toYaml): go-yaml v2's output of the JSON-decoded value: keys in
 *    v2's order (non-letters first, digit runs by number), `- ` items at their
 *    parent's indentation, quoting only what would read back as another type,
 *    `|-` blocks for multi-line strings. Each scalar keeps its origin.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { aliasTarget } from '../aliases';
import type { Document, Node as YNode, Scalar } from 'yaml';
import type { ValueOrigin } from '../sources/sourcemap';
import { formatFloat } from './gofmt';
import { SegText } from './segtext';
import { assertExpandable, GoList, GoMap, GoStruct, I64 } from './values';
import type { Value } from './values';
import { base64Decode, base64Encode, fromUtf8 } from './funcs/encoding';

export class YamlError extends Error {}

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const FLOATS: Record<string, number> = {
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
};
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP =
  /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/;

type Resolved =
  | { tag: 'str'; v: string }
  | { tag: 'bool'; v: boolean }
  | { tag: 'null'; v: null }
  | { tag: 'int'; v: bigint }
  | { tag: 'float'; v: number };

/** Go's strconv.ParseInt(s, 0, 64) (with underscores already removed by the caller). */
function parseIntBase0(s: string): bigint | null {
  let neg = false;
  let t = s;
  if (t.startsWith('+') || t.startsWith('-')) {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = BigInt(t);
  else if (/^0[bB][01]+$/.test(t)) v = BigInt(t);
  else if (/^0[oO][0-7]+$/.test(t)) v = BigInt(`0o${t.slice(2)}`);
  else if (/^0[0-7]+$/.test(t)) v = BigInt(`0o${t.slice(1)}`);
  else if (/^(0|[1-9][0-9]*)$/.test(t)) v = BigInt(t);
  else return null;
  return neg ? -v : v;
}

/** go-yaml v2's resolve() for a plain scalar. */
export function resolvePlain(s: string): Resolved {
  if (TRUE.has(s)) return { tag: 'bool', v: true };
  if (FALSE.has(s)) return { tag: 'bool', v: false };
  if (NULL.has(s)) return { tag: 'null', v: null };
  const f = Object.prototype.hasOwnProperty.call(FLOATS, s) ? FLOATS[s] : undefined;
  if (f !== undefined) return { tag: 'float', v: f };
  const c = s[0] ?? '';
  if (c === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) return { tag: 'float', v: Number(s) };
    return { tag: 'str', v: s };
  }
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (TIMESTAMP.test(s)) return { tag: 'str', v: s }; // timestamps stay strings (v2, interface{} target)
    const plain = s.replace(/_/g, '');
    const i = parseIntBase0(plain);
    if (i !== null && i >= -(2n ** 63n) && i < 2n ** 64n) return { tag: 'int', v: i };
    if (YAML_FLOAT.test(plain)) return { tag: 'float', v: Number(plain) };
  }
  return { tag: 'str', v: s };
}

export interface ReadOptions {
  /** The file the text is (for origins); none: no origins. */
  file?: string;
  /** Keep only the first document (yaml.Unmarshal); else merge all, as Helm's LoadValues. */
  firstOnly?: boolean;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

class Reader {
  aliasCount = 0;
  constructor(
    private readonly doc: Document,
    private readonly file: string | undefined,
    private readonly docIndex: number,
  ) {}

  origin(
    node: YNode | null | undefined,
    path: readonly (string | number)[],
    fallback?: [number, number],
  ): ValueOrigin | undefined {
    if (this.file === undefined) return undefined;
    const r = node?.range;
    const start = r ? r[0] : fallback?.[0];
    const end = r ? r[1] : fallback?.[1];
    if (start === undefined || end === undefined) return undefined;
    return {
      kind: 'value',
      file: this.file,
      start,
      end: Math.max(start, end),
      path: [...path],
      document: this.docIndex,
    };
  }

  value(node: unknown, path: (string | number)[], depth: number): Value {
    if (depth > 500) throw new YamlError('yaml: exceeded max depth of 500');
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      if (++this.aliasCount > 10000)
        throw new YamlError('yaml: document contains excessive aliasing');
      return this.value(aliasTarget(this.doc, node), path, depth + 1);
    }
    if (isScalar(node)) return this.scalar(node);
    if (isMap(node)) {
      const m = new GoMap();
      const merges: YNode[] = [];
      for (const pair of node.items) {
        const k = pair.key as YNode | null;
        if (isScalar(k) && k.type === 'PLAIN' && k.value === '<<' && !k.tag) {
          merges.push(pair.value as YNode);
          continue;
        }
        const key = this.keyString(k);
        const vn = pair.value as YNode | null;
        const target = isAlias(vn) ? (aliasTarget(this.doc, vn) as YNode | undefined) : vn;
        const kr = k?.range;
        m.set(
          key,
          this.value(vn, [...path, key], depth + 1),
          this.origin(target, [...path, key], kr ? [kr[0], kr[1]] : undefined),
        );
      }
      // << merge keys: earlier keys of the map win, then the merged maps in order.
      for (const mn of merges) {
        const src = isAlias(mn) ? aliasTarget(this.doc, mn) : mn;
        const list = isSeq(src)
          ? src.items.map((x) => (isAlias(x) ? aliasTarget(this.doc, x) : x))
          : [src];
        for (const one of list) {
          const mv = this.value(one, path, depth + 1);
          if (!(mv instanceof GoMap))
            throw new YamlError('yaml: map merge requires map or sequence of maps as the value');
          for (const [k, v] of mv.m) if (!m.has(k)) m.set(k, v, mv.origin(k));
        }
      }
      return m;
    }
    if (isSeq(node)) {
      const items: Value[] = [];
      const l = new GoList(items);
      node.items.forEach((it, i) => {
        items.push(this.value(it, [...path, i], depth + 1));
        const target = isAlias(it)
          ? (aliasTarget(this.doc, it) as YNode | undefined)
          : (it as YNode);
        l.setOrigin(i, this.origin(target, [...path, i]));
      });
      return l;
    }
    return null;
  }

  keyString(k: YNode | null): string {
    if (k === null) return 'null';
    const v = this.value(k, [], 0);
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return String(v);
    if (v === null) return 'null';
    if (typeof v === 'number') return formatFloat(v, 'g', -1);
    if (typeof v === 'bigint') return v.toString();
    throw new YamlError('error converting YAML to JSON: yaml: invalid map key');
  }

  scalar(n: Scalar): Value {
    const raw = typeof n.value === 'string' ? n.value : String(n.value);
    const tag = n.tag;
    const plain = n.type === 'PLAIN';
    if (tag && tag !== '!') {
      const short = tag.replace('tag:yaml.org,2002:', '!!');
      switch (short) {
        case '!!str':
          return raw;
        case '!!binary':
          return base64Encode(base64Decode(raw.replace(/\s+/g, '')));
        case '!!null':
          return null;
        case '!!bool': {
          const r = resolvePlain(raw);
          if (r.tag !== 'bool')
            throw new YamlError(`yaml: cannot decode !!str \`${raw}\` as a !!bool`);
          return r.v;
        }
        case '!!int':
        case '!!float': {
          const r = resolvePlain(raw);
          if (r.tag === 'int') return Number(r.v);
          if (r.tag === 'float') return this.finite(r.v);
          throw new YamlError(`yaml: cannot decode !!str \`${raw}\` as a ${short}`);
        }
        default:
          if (!short.startsWith('!!')) return plain ? this.resolved(raw) : raw;
          return raw;
      }
    }
    if (!plain) return raw;
    return this.resolved(raw);
  }

  private resolved(raw: string): Value {
    const r = resolvePlain(raw);
    switch (r.tag) {
      case 'int':
        return Number(r.v);
      case 'float':
        return this.finite(r.v);
      default:
        return r.v;
    }
  }

  private finite(x: number): number {
    if (!Number.isFinite(x))
      throw new YamlError(
        `error converting YAML to JSON: json: unsupported value: ${formatFloat(x, 'g', -1)}`,
      );
    return x;
  }
}

/** The documents of a YAML text as Go values (JSON round trip: numbers are float64). */
export function readYamlDocuments(text: string, opts: ReadOptions = {}): Value[] {
  const docs = parseAllDocuments(text, {
    schema: 'failsafe',
    uniqueKeys: false,
    strict: false,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Value[] = [];
  for (let i = 0; i < list.length; i++) {
    const d = list[i];
    if (!d) continue;
    const err = d.errors[0];
    if (err) {
      const at = err.pos?.[0] ?? 0;
      throw new YamlError(
        `error converting YAML to JSON: yaml: line ${lineOf(text, at)}: ${err.message.split('\n')[0] ?? ''}`,
      );
    }
    out.push(new Reader(d, opts.file, i).value(d.contents, [], 0));
    if (opts.firstOnly) break;
  }
  return out;
}

function typeWord(v: Value): string {
  if (v instanceof GoList) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'object';
}

/** A values file: one map (documents merged as Helm's LoadValues; empty → empty map). */
export function readValuesYaml(text: string, file?: string, firstOnly = false): GoMap {
  let merged = new GoMap();
  for (const d of readYamlDocuments(text, { ...(file !== undefined ? { file } : {}), firstOnly })) {
    if (d === null || d === undefined) continue;
    if (!(d instanceof GoMap))
      throw new YamlError(
        `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${typeWord(d)} into Go value of type map[string]interface {}`,
      );
    merged = mergeMaps(merged, d);
  }
  return merged;
}

/** Helm's loader.MergeMaps: maps merged recursively, anything else replaced. */
export function mergeMaps(a: GoMap, b: GoMap): GoMap {
  const out = a.copy();
  out.typeName = 'map[string]interface {}';
  for (const [k, v] of b.m) {
    const cur = out.get(k);
    if (v instanceof GoMap && cur instanceof GoMap)
      out.set(k, mergeMaps(cur, v), b.origin(k) ?? out.origin(k));
    else out.set(k, v, b.origin(k));
  }
  return out;
}

// ---------------------------------------------------------------- writing

/** go-yaml v2's map key order. */
export function yamlKeyLess(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string): boolean => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined): boolean => c !== undefined && /\p{Nd}/u.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0n;
    let bn = 0n;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++)
      an = an * 10n + BigInt((ar[ai] ?? '0').charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]); bi++)
      bn = bn * 10n + BigInt((br[bi] ?? '0').charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return ar.length - br.length;
}

/** The JSON form a value takes in json.Marshal, as go-yaml then reads it back. */
type J =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'map'; keys: string[]; vals: J[]; origins: (ValueOrigin | undefined)[] }
  | { t: 'list'; vals: J[]; origins: (ValueOrigin | undefined)[] };

/** Go's encoding/json float text. */
export function jsonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`json: unsupported value: ${formatFloat(x, 'g', -1)}`);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-6 || a >= 1e21)) {
    let s = formatFloat(x, 'e', -1);
    s = s.replace(/e([-+])0(\d)$/, 'e$1$2');
    return s;
  }
  return formatFloat(x, 'f', -1);
}

function toJ(v: Value, depth = 0): J {
  if (depth > 1000) throw new Error('json: unsupported value: encountered a cycle');
  if (v === undefined || v === null) return { t: 'null' };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'string') return { t: 'str', v };
  if (typeof v === 'bigint') return { t: 'int', v };
  if (v instanceof I64) return { t: 'int', v: v.v };
  if (typeof v === 'number') {
    const s = jsonFloat(v);
    // go-yaml reads the JSON number back: integral text is an int.
    if (/^-?\d+$/.test(s)) {
      const b = BigInt(s);
      if (b >= -(2n ** 63n) && b < 2n ** 64n) return { t: 'int', v: b };
    }
    return { t: 'float', v: Number(s) };
  }
  if (v instanceof Uint8Array) return { t: 'str', v: base64Encode(v) };
  if (v instanceof GoMap) {
    const keys = [...v.m.keys()].sort(yamlKeyLess);
    return {
      t: 'map',
      keys,
      vals: keys.map((k) => toJ(v.get(k), depth + 1)),
      origins: keys.map((k) => v.origin(k)),
    };
  }
  if (v instanceof GoList) {
    return {
      t: 'list',
      vals: v.items.map((x) => toJ(x, depth + 1)),
      origins: v.items.map((_, i) => v.origin(i)),
    };
  }
  if (v instanceof GoStruct) {
    const keys = [...v.fields.keys()].sort(yamlKeyLess);
    return {
      t: 'map',
      keys,
      vals: keys.map((k) => toJ(v.fields.get(k) ?? null, depth + 1)),
      origins: keys.map(() => undefined),
    };
  }
  return { t: 'null' };
}

function isPrintableYaml(c: number): boolean {
  return (
    c === 0x09 ||
    c === 0x0a ||
    c === 0x0d ||
    (c >= 0x20 && c <= 0x7e) ||
    c === 0x85 ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

interface ScalarAnalysis {
  plain: boolean;
  single: boolean;
  block: boolean;
}

function analyze(s: string): ScalarAnalysis {
  if (s === '') return { plain: false, single: true, block: false };
  let special = false;
  let lineBreaks = false;
  let flowInd = false;
  let blockInd = false;
  let spaceBreak = false;
  let breakSpace = false;
  let prevSpace = false;
  let prevBreak = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  if (s.startsWith('---') || s.startsWith('...')) {
    blockInd = true;
    flowInd = true;
  }
  const chars = [...s];
  let preceded = true;
  chars.forEach((ch, i) => {
    const c = ch.codePointAt(0) ?? 0;
    const first = i === 0;
    const last = i === chars.length - 1;
    const next = chars[i + 1];
    const followed = last || next === ' ' || next === '\t' || next === '\n' || next === '\r';
    if (first) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowInd = true;
        blockInd = true;
      }
      if (ch === '?' || ch === ':') {
        flowInd = true;
        if (followed) blockInd = true;
      }
      if (ch === '-' && followed) {
        flowInd = true;
        blockInd = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowInd = true;
      if (ch === ':') {
        flowInd = true;
        if (followed) blockInd = true;
      }
      if (ch === '#' && preceded) {
        flowInd = true;
        blockInd = true;
      }
    }
    if (!isPrintableYaml(c) || c === 0xfeff) special = true;
    if (ch === '\n' || ch === '\r') lineBreaks = true;
    if (ch === ' ') {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (ch === '\n' || ch === '\r') {
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevBreak = true;
      prevSpace = false;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    preceded = ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
  });
  let plain = true;
  let single = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) plain = false;
  if (trailingSpace) block = false;
  if (breakSpace) {
    plain = false;
    single = false;
  }
  if (spaceBreak || special) {
    plain = false;
    single = false;
  }
  if (spaceBreak || special) block = false;
  if (lineBreaks) plain = false;
  void flowInd; // toYaml writes block style: only block indicators matter
  if (blockInd) plain = false;
  return { plain, single, block };
}

function quoteDouble(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 0) out += '\\0';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 0x0b) out += '\\v';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x1b) out += '\\e';
    else if (c === 0x85) out += '\\N';
    else if (c === 0xa0) out += '\\_';
    else if (c === 0x2028) out += '\\L';
    else if (c === 0x2029) out += '\\P';
    else if (!isPrintableYaml(c) || c === 0xfeff) {
      if (c <= 0xff) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
      else if (c <= 0xffff) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** A string scalar as go-yaml v2 writes it, at indentation `indent` (for block scalars). */
function yamlString(s: string, indent: number): string {
  const r = resolvePlain(s);
  const canPlain = r.tag === 'str' && !/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s);
  const a = analyze(s);
  if (s.includes('\n') && a.block) {
    const pad = ' '.repeat(indent + 2);
    let header = '|';
    if (s.startsWith(' ') || s.startsWith('\n')) header += '2';
    if (!s.endsWith('\n')) header += '-';
    else if (s.endsWith('\n\n') || s === '\n') header += '+';
    const body = s.endsWith('\n') ? s.slice(0, -1) : s;
    return `${header}\n${body
      .split('\n')
      .map((l) => (l === '' ? '' : pad + l))
      .join('\n')}`;
  }
  // go-yaml asks for plain style unless the text would read back as another type (then double
  // quotes); the emitter falls back from plain to single quotes, and from single to double.
  if (!canPlain) return quoteDouble(s);
  if (a.plain) return s;
  if (a.single && !s.includes('\n')) return `'${s.replace(/'/g, "''")}'`;
  return quoteDouble(s);
}

function scalarText(j: J, indent: number): string | null {
  switch (j.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(j.v);
    case 'int':
      return j.v.toString();
    case 'float':
      return yamlFloat(j.v);
    case 'str':
      return yamlString(j.v, indent);
    case 'map':
      return j.keys.length === 0 ? '{}' : null;
    case 'list':
      return j.vals.length === 0 ? '[]' : null;
  }
}

function yamlFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  return formatFloat(x, 'g', -1);
}

function emit(out: SegText, j: J, indent: number, origin: ValueOrigin | undefined): void {
  const s = scalarText(j, indent - 2 < 0 ? 0 : indent - 2);
  if (s !== null) {
    out.push(s, origin);
    return;
  }
  const pad = ' '.repeat(indent);
  if (j.t === 'map') {
    j.keys.forEach((k, i) => {
      const v = j.vals[i] as J;
      const o = j.origins[i];
      if (i > 0) out.push(pad);
      out.push(`${yamlString(k, indent)}:`, o);
      const st = scalarText(v, indent);
      if (st !== null) {
        out.push(' ');
        out.push(st, o);
        out.push('\n');
      } else if (v.t === 'map') {
        out.push(`\n${pad}  `);
        emit(out, v, indent + 2, o);
      } else {
        out.push(`\n${pad}`);
        emit(out, v, indent, o);
      }
    });
    return;
  }
  if (j.t === 'list') {
    j.vals.forEach((v, i) => {
      const o = j.origins[i];
      if (i > 0) out.push(pad);
      out.push('- ');
      const st = scalarText(v, indent + 2);
      if (st !== null) {
        out.push(st, o);
        out.push('\n');
      } else if (v.t === 'map') emit(out, v, indent + 2, o);
      else emit(out, v, indent + 2, o);
    });
  }
}

/** sigs.k8s.io/yaml.Marshal, with the trailing newline (Helm's toYaml trims it). */
export function toYamlText(v: Value, origin?: ValueOrigin): SegText {
  assertExpandable(v, 'yaml');
  const out = new SegText();
  const j = toJ(v);
  const s = scalarText(j, 0);
  if (s !== null) {
    out.push(s, origin);
    out.push('\n');
    return out;
  }
  emit(out, j, 0, origin);
  return out;
}

export { fromUtf8 };
