/**
 * Go's template builtins and the Sprig functions (Masterminds/sprig v3's
 * TxtFuncMap, less env/expandenv, as Helm registers them), with Go's
 * parameter types so argument errors read as Go's. Random, time and crypto
 * functions are deterministic (see README: Helm charts).
 */
import type { ValueOrigin } from '../../sources/sourcemap';
import { formatValue, quoteGo, sprint, sprintf, sprintln } from '../gofmt';
import { SegText, isSpace } from '../segtext';
import { FuncError, Ret } from '../template/exec';
import type { CallCtx, Func, Prov } from '../template/exec';
import {
  compareGo,
  deepCopy,
  deepEqual,
  GoFunc,
  GoList,
  GoMap,
  GoStruct,
  I64,
  isEmpty,
  kindOf,
  strList,
  truth,
  typeName,
  wrap64,
} from '../values';
import { ValueTooLarge } from '../values';
import type { Value } from '../values';
import { kindForError, sliceItems, strval, toFloat64, toInt64 } from './convert';
import {
  adler32,
  base32Decode,
  base32Encode,
  base64Decode,
  base64Encode,
  fromUtf8,
  sha1,
  sha256,
  sha512,
  utf8,
} from './encoding';
import {
  addNanos,
  durationString,
  formatTime,
  FIXED_NOW_MS,
  now,
  parseDuration,
  parseTime,
  timeParts,
  timeValue,
  ZERO_TIME_MS,
} from './gotime';
import type { TimeParts } from './gotime';
import { fromJsonText, toJsonText } from './json';
import { checkConstraint, parseVersion } from './semver';
import { LinearRegex, RegexSyntaxError } from '../../linearRegex';

/** A Go string argument (already checked by the executor), as text. */
const gs = (v: Value | undefined): string => (typeof v === 'string' ? v : strval(v ?? null));

const S = 'string';
const A = 'interface {}';
const I = 'int';
const M = 'map[string]interface {}';
const RV = 'reflect.Value';

type Fn = Func['fn'];
const f = (params: string[], fn: Fn, variadic?: string): Func =>
  variadic !== undefined ? { params, fn, variadic } : { params, fn };

const str = (v: Value): string => (typeof v === 'string' ? v : strval(v));
const int = (v: Value): number => Number(typeof v === 'bigint' ? v : v instanceof I64 ? v.v : 0);

/** A deterministic generator for rand* and uuidv4: the same chart renders the same text. */
export class Rand {
  private s = 0x9e3779b9;
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x100000000;
  }
  pick(chars: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += chars[Math.floor(this.next() * chars.length)] ?? '';
    return out;
  }
}

function provOf(c: CallCtx, i: number): Prov {
  return c.provs[i];
}

/** A string result derived from one value: keeps that value's origin. */
function derived(c: CallCtx, i: number, v: Value): Ret {
  const p = provOf(c, i);
  return new Ret(v, p instanceof SegText ? undefined : p);
}

/** quote/squote of one value: when the text is only wrapped, the inside keeps its pieces. */
function wrapped(c: CallCtx, v: Value, s: string, q: string): Value | Ret {
  const inner = typeof v === 'string' ? v : strval(v);
  if (s !== `${q}${inner}${q}`) return derived(c, 0, s);
  const p = provOf(c, 0);
  const out = SegText.of(q);
  if (p instanceof SegText && p.text === inner) out.append(p);
  else if (p) out.push(inner, p instanceof SegText ? undefined : p);
  else return s;
  out.push(q);
  return new Ret(s, out);
}

function listFrom(items: Value[], origins?: (ValueOrigin | undefined)[]): GoList {
  const l = new GoList(items);
  if (origins?.some((o) => o)) l.origins = origins;
  return l;
}

function valueOrigin(p: Prov): ValueOrigin | undefined {
  return p && !(p instanceof SegText) ? p : undefined;
}

function originsOf(v: Value): (ValueOrigin | undefined)[] | undefined {
  return v instanceof GoList ? v.origins : undefined;
}

const compiled = new Map<string, LinearRegex | RegexSyntaxError>();

/**
 * A Go pattern compiled for the linear matcher (a backtracking RegExp can be
 * frozen by `(a+)+b`), or the syntax error Go reports for it: the `must`
 * functions return it, the others panic with it, as sprig's do.
 */
function goRegex(re: string, must: boolean): LinearRegex {
  let l = compiled.get(re);
  if (l === undefined) {
    try {
      l = new LinearRegex(re);
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      l = e;
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(re, l);
  }
  if (l instanceof RegexSyntaxError)
    throw new FuncError(
      must
        ? `error parsing regexp: ${l.message}`
        : `regexp: Compile(${goQuoteBack(re)}): error parsing regexp: ${l.message}`,
    );
  return l;
}

/** Go's `%q`-free quoting in regexp.MustCompile's panic: the pattern in back quotes. */
const goQuoteBack = (s: string): string => `\`${s}\``;

const titleCase = (s: string): string => {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = !/[\p{L}\p{N}_']/u.test(prev);
    out += sep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
};

function words(s: string): string[] {
  // xstrings word splitting: boundaries at case changes, digits and separators.
  const out: string[] = [];
  let cur = '';
  const flush = (): void => {
    if (cur) out.push(cur);
    cur = '';
  };
  const chars = [...s];
  chars.forEach((ch, i) => {
    if (/[\s_\-.]/.test(ch)) {
      flush();
      return;
    }
    const prev = chars[i - 1] ?? '';
    const next = chars[i + 1] ?? '';
    const isUp = /\p{Lu}/u.test(ch);
    if (cur && isUp && (/\p{Ll}/u.test(prev) || (/\p{Lu}/u.test(prev) && /\p{Ll}/u.test(next))))
      flush();
    cur += ch;
  });
  flush();
  return out;
}

function wrapText(s: string, limit: number, sep: string, wrapLong: boolean): string {
  if (limit < 1) limit = 1;
  const lines = s.split('\n');
  return lines
    .map((line) => {
      const out: string[] = [];
      let cur = '';
      for (const w of line.split(' ')) {
        if (w === '') {
          continue;
        }
        let word = w;
        if (cur === '') {
          while (wrapLong && word.length > limit) {
            out.push(word.slice(0, limit));
            word = word.slice(limit);
          }
          cur = word;
        } else if (cur.length + 1 + word.length <= limit) cur += ` ${word}`;
        else {
          out.push(cur);
          while (wrapLong && word.length > limit) {
            out.push(word.slice(0, limit));
            word = word.slice(limit);
          }
          cur = word;
        }
      }
      out.push(cur);
      return out.join(sep);
    })
    .join('\n');
}

function abbreviateFull(s: string, offset: number, width: number): string {
  if (s === '') return '';
  if (width < 4) throw new FuncError('minimum abbreviation width is 4');
  if (s.length <= width) return s;
  if (offset > s.length) offset = s.length;
  if (s.length - offset < width - 3) offset = s.length - (width - 3);
  if (offset <= 4) return `${s.slice(0, width - 3)}...`;
  if (width < 7) throw new FuncError('minimum abbreviation width with offset is 7');
  if (offset + width - 3 < s.length) return `...${abbreviateFull(s.slice(offset), 0, width - 3)}`;
  return `...${s.slice(s.length - (width - 3))}`;
}

function untilStep(start: number, stop: number, step: number, c: CallCtx): GoList {
  const v: Value[] = [];
  const guard = (): void => {
    if (v.length > 10_000_000) throw new FuncError(`list longer than 10000000 items`);
    c.exec.step(c.state);
  };
  if (stop < start) {
    if (step >= 0) return new GoList(v, '[]int');
    for (let i = start; i > stop; i += step) {
      guard();
      v.push(BigInt(i));
    }
    return new GoList(v, '[]int');
  }
  if (step <= 0) return new GoList(v, '[]int');
  for (let i = start; i < stop; i += step) {
    guard();
    v.push(BigInt(i));
  }
  return new GoList(v, '[]int');
}

/** mergo.Merge (overwrite=false) / MergeWithOverwrite of map values, as Sprig's merge functions. */
function mergo(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [k, sv] of src.m) {
    if (sv === null || sv === undefined) {
      if (overwrite) dst.set(k, null);
      continue;
    }
    const has = dst.has(k);
    const dv = dst.get(k);
    if (sv instanceof GoMap && dv instanceof GoMap) mergo(dv, sv, overwrite);
    else if (sv instanceof GoList && overwrite && has && !isEmpty(dv)) {
      dst.set(k, sv, src.origin(k));
      continue;
    }
    if (has && !isEmpty(dv) && (sv instanceof GoMap || sv instanceof GoList)) continue;
    if (overwrite || !has || isEmpty(dv)) dst.set(k, sv, src.origin(k));
  }
}

function toTime(v: Value): TimeParts {
  const t = timeParts(v);
  if (t) return t;
  if (typeof v === 'bigint' || v instanceof I64)
    return { ms: Number(toInt64(v)) * 1000, nanos: 0, offsetMin: 0, zone: 'UTC' };
  if (typeof v === 'number')
    return { ms: Math.trunc(v) * 1000, nanos: 0, offsetMin: 0, zone: 'UTC' };
  return { ms: FIXED_NOW_MS, nanos: 0, offsetMin: 0, zone: 'UTC' };
}

function zoned(t: TimeParts, zone: string): TimeParts {
  void zone;
  return { ...t, offsetMin: 0, zone: 'UTC' };
}

function placeholderPem(kind: string, what: string): string {
  return `-----BEGIN ${kind}-----\n${base64Encode(utf8(`podsec placeholder: ${what}`))}\n-----END ${kind}-----\n`;
}

function certificate(what: string): GoStruct {
  return new GoStruct(
    'sprig.certificate',
    new Map<string, Value>([
      ['Cert', placeholderPem('CERTIFICATE', what)],
      ['Key', placeholderPem('RSA PRIVATE KEY', what)],
    ]),
  );
}

function urlParse(s: string): GoMap {
  const m = new GoMap();
  let rest = s;
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    scheme = (sm[1] ?? '').toLowerCase();
    rest = rest.slice(sm[0].length);
  }
  let fragment = '';
  const hi = rest.indexOf('#');
  if (hi >= 0) {
    fragment = rest.slice(hi + 1);
    rest = rest.slice(0, hi);
  }
  let query = '';
  const qi = rest.indexOf('?');
  if (qi >= 0) {
    query = rest.slice(qi + 1);
    rest = rest.slice(0, qi);
  }
  let userinfo = '';
  let host = '';
  if (rest.startsWith('//')) {
    rest = rest.slice(2);
    const si = rest.indexOf('/');
    const auth = si >= 0 ? rest.slice(0, si) : rest;
    rest = si >= 0 ? rest.slice(si) : '';
    const at = auth.lastIndexOf('@');
    if (at >= 0) {
      userinfo = auth.slice(0, at);
      host = auth.slice(at + 1);
    } else host = auth;
  }
  m.set('scheme', scheme);
  m.set('host', host);
  m.set('hostname', host.replace(/:\d*$/, '').replace(/^\[(.*)\]$/, '$1'));
  m.set('path', decodeURIComponentSafe(rest));
  m.set('query', query);
  m.set('opaque', '');
  m.set('fragment', fragment);
  m.set('userinfo', userinfo);
  return m;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8(s)) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function pathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else parts.push(seg);
  }
  const out = (rooted ? '/' : '') + parts.join('/');
  return out === '' ? '.' : out;
}

function pathBase(p: string): string {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return pathClean(p.slice(0, i + 1));
}

function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

// ---------------------------------------------------------------- Go builtins

function indexArg(v: Value, cap: number): number {
  let x: bigint;
  if (typeof v === 'bigint') x = v;
  else if (v instanceof I64) x = v.v;
  else if (v === undefined || v === null) throw new FuncError('cannot index slice/array with nil');
  else throw new FuncError(`cannot index slice/array with type ${typeName(v)}`);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function basicKind(v: Value): string {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint' || v instanceof I64) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

function eqTwo(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if (a !== undefined && a !== null && b !== undefined && b !== null)
      throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
    return false;
  }
  switch (k1) {
    case 'bool':
    case 'string':
    case 'float':
      return a === b;
    case 'int':
      return toInt64(a) === toInt64(b);
    case 'invalid':
      return true;
  }
  if (a instanceof GoMap || a instanceof GoList || b instanceof GoMap || b instanceof GoList)
    throw new FuncError(`non-comparable type ${formatValue(b, 'v')}: ${typeName(b)}`);
  return a === b;
}

function lessThan(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  if (k1 === 'invalid' || k1 === 'other') throw new FuncError('invalid type for comparison');
  const k2 = basicKind(b);
  if (k2 === 'invalid' || k2 === 'other') throw new FuncError('invalid type for comparison');
  if (k1 !== k2)
    throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  switch (k1) {
    case 'bool':
      throw new FuncError('invalid type for comparison');
    case 'int':
      return toInt64(a) < toInt64(b);
    case 'float':
      return (a as number) < (b as number);
    default:
      return (a as string) < (b as string);
  }
}

function evalArgs(args: Value[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(
    args.map((a) => (a === null ? undefined : a)).map((a) => (a === undefined ? null : a)),
  );
}

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) =>
    c === '\0'
      ? '\ufffd'
      : c === '"'
        ? '&#34;'
        : c === "'"
          ? '&#39;'
          : c === '&'
            ? '&amp;'
            : c === '<'
              ? '&lt;'
              : '&gt;',
  );
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** text/template's builtins (and/or are handled by the executor). */
export function builtinFuncs(): [string, Func][] {
  return [
    ['not', f([RV], ([a]) => !truth(a))],
    ['html', f([], (args) => htmlEscape(evalArgs(args)), A)],
    ['js', f([], (args) => jsEscape(evalArgs(args)), A)],
    ['urlquery', f([], (args) => queryEscape(evalArgs(args)), A)],
    ['print', f([], (args, c) => printProv(args, c, sprint(args)), A)],
    ['println', f([], (args) => sprintln(args), A)],
    ['printf', f([S], ([fmt, ...rest], c) => printfProv(gs(fmt), rest, c), A)],
    [
      'len',
      f([RV], ([v]) => {
        if (v === undefined || v === null) throw new FuncError('len of nil pointer');
        if (typeof v === 'string') return BigInt(utf8(v).length);
        if (v instanceof GoMap) return BigInt(v.size);
        if (v instanceof GoList) return BigInt(v.length);
        if (v instanceof Uint8Array) return BigInt(v.length);
        throw new FuncError(`len of type ${typeName(v)}`);
      }),
    ],
    [
      'index',
      f(
        [RV],
        ([item, ...idx], c) => {
          let cur = item;
          let prov: Prov = c.provs[0];
          if (cur === undefined || cur === null) throw new FuncError('index of untyped nil');
          for (const x of idx) {
            if (cur === undefined || cur === null) throw new FuncError('index of nil pointer');
            if (cur instanceof GoList || cur instanceof Uint8Array || typeof cur === 'string') {
              const len =
                cur instanceof GoList
                  ? cur.length
                  : cur instanceof Uint8Array
                    ? cur.length
                    : utf8(cur).length;
              const i = indexArg(x, len);
              if (i >= len) throw new FuncError(`index out of range: ${i}`);
              if (cur instanceof GoList) {
                prov = cur.origin(i);
                cur = cur.items[i];
              } else if (cur instanceof Uint8Array) cur = BigInt(cur[i] ?? 0);
              else cur = BigInt(utf8(cur)[i] ?? 0);
            } else if (cur instanceof GoMap) {
              if (typeof x !== 'string') {
                if (x === undefined || x === null)
                  throw new FuncError('value is nil; should be of type string');
                throw new FuncError(`value has type ${typeName(x)}; should be string`);
              }
              prov = cur.origin(x);
              if (cur.has(x)) cur = cur.get(x);
              else cur = cur.typeName === 'map[string]string' ? '' : null;
            } else throw new FuncError(`can't index item of type ${typeName(cur)}`);
          }
          return new Ret(cur, prov);
        },
        RV,
      ),
    ],
    [
      'slice',
      f(
        [RV],
        ([item, ...idx]) => {
          if (item === undefined || item === null) throw new FuncError('slice of untyped nil');
          if (idx.length > 3) throw new FuncError(`too many slice indexes: ${idx.length}`);
          let len: number;
          if (typeof item === 'string') {
            if (idx.length === 3) throw new FuncError('cannot 3-index slice a string');
            len = utf8(item).length;
          } else if (item instanceof GoList) len = item.length;
          else if (item instanceof Uint8Array) len = item.length;
          else throw new FuncError(`can't slice item of type ${typeName(item)}`);
          const ix = [0, len];
          idx.forEach((x, i) => (ix[i] = indexArg(x, len)));
          const [a = 0, b = len] = ix;
          if (a > b) throw new FuncError(`invalid slice index: ${a} > ${b}`);
          if (idx.length === 3 && b > (ix[2] ?? 0))
            throw new FuncError(`invalid slice index: ${b} > ${ix[2]}`);
          if (typeof item === 'string') return fromUtf8(utf8(item).slice(a, b));
          if (item instanceof Uint8Array) return item.slice(a, b);
          const l = new GoList(item.items.slice(a, b), item.typeName);
          if (item.origins) l.origins = item.origins.slice(a, b);
          return l;
        },
        RV,
      ),
    ],
    [
      'eq',
      f(
        [RV],
        ([a, ...rest]) => {
          if (rest.length === 0) throw new FuncError('missing argument for comparison');
          return rest.some((b) => eqTwo(a, b));
        },
        RV,
      ),
    ],
    ['ne', f([RV, RV], ([a, b]) => !eqTwo(a, b))],
    ['lt', f([RV, RV], ([a, b]) => lessThan(a, b))],
    ['le', f([RV, RV], ([a, b]) => lessThan(a, b) || eqTwo(a, b))],
    ['gt', f([RV, RV], ([a, b]) => !(lessThan(a, b) || eqTwo(a, b)))],
    ['ge', f([RV, RV], ([a, b]) => !lessThan(a, b))],
    [
      'call',
      f(
        [RV],
        ([fn, ...args]) => {
          if (fn === undefined || fn === null) throw new FuncError('call of nil');
          if (!(fn instanceof GoFunc)) throw new FuncError(`non-function of type ${typeName(fn)}`);
          return fn.method.call(args);
        },
        RV,
      ),
    ],
  ];
}

/** print of strings keeps their pieces when every operand is a string. */
function printProv(args: Value[], c: CallCtx, text: string): Value | Ret {
  if (args.length === 1) return derived(c, 0, text);
  if (!args.every((a) => typeof a === 'string')) return text;
  const out = new SegText();
  args.forEach((a, i) => {
    const p = c.provs[i];
    if (p instanceof SegText && p.text === a) out.append(p);
    else out.push(gs(a), valueOrigin(p));
  });
  return out.tracked ? new Ret(out.text, out) : text;
}

/** printf keeps the pieces of %s/%v/%d operands when the format has only those verbs. */
function printfProv(fmt: string, args: Value[], c: CallCtx): Value | Ret {
  const text = sprintf(fmt, args);
  if (!/^(?:[^%]|%%|%[vsd])*$/.test(fmt)) return text;
  const out = new SegText();
  let ai = 0;
  const re = /%%|%[vsd]/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(fmt))) {
    out.push(fmt.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === '%%') {
      out.push('%');
      continue;
    }
    const a = args[ai];
    const p = c.provs[ai + 1];
    ai++;
    const piece = sprintf(m[0], [a]);
    if (p instanceof SegText && p.text === piece) out.append(p);
    else out.push(piece, valueOrigin(p));
  }
  out.push(fmt.slice(last));
  if (out.text !== text || !out.tracked) return text;
  return new Ret(text, out);
}

// ---------------------------------------------------------------- Sprig

export function sprigFuncs(rand: Rand): [string, Func][] {
  const strFn = (fn: (s: string) => string): Func => f([S], ([s], c) => derived(c, 0, fn(gs(s))));
  const segTrim = (c: CallCtx, s: string, out: string, from: number): Ret => {
    const p = provOf(c, from);
    if (p instanceof SegText && p.text === s) {
      const i = s.indexOf(out);
      if (i >= 0) return new Ret(out, p.slice(i, i + out.length));
    }
    return derived(c, from, out);
  };
  const trimSet = (s: string, cut: string, left: boolean, right: boolean): string => {
    const set = new Set([...cut]);
    const chars = [...s];
    let a = 0;
    let b = chars.length;
    if (left) while (a < b && set.has(chars[a] ?? '')) a++;
    if (right) while (b > a && set.has(chars[b - 1] ?? '')) b--;
    return chars.slice(a, b).join('');
  };
  const listFn = (
    what: string,
    fn: (items: Value[], v: Value, c: CallCtx) => Value | Ret,
    must: boolean,
  ): Func =>
    f([A], ([v], c) => {
      const items = sliceItems(v ?? null);
      if (!items) {
        const msg = `Cannot ${what} on type ${kindForError(v ?? null)}`;
        throw new FuncError(must ? msg : msg);
      }
      return fn(items, v ?? null, c);
    });
  const both = (
    name: string,
    what: string,
    fn: (items: Value[], v: Value, c: CallCtx) => Value | Ret,
  ): [string, Func][] => [
    [name, listFn(what, fn, false)],
    [`must${name[0]?.toUpperCase()}${name.slice(1)}`, listFn(what, fn, true)],
  ];
  const out: [string, Func][] = [
    ['hello', f([], () => 'Hello!')],
    // dates
    [
      'ago',
      f([A], ([d]) =>
        durationString(
          BigInt(Math.round((FIXED_NOW_MS - toTime(d ?? null).ms) / 1000)) * 1000000000n,
        ),
      ),
    ],
    ['date', f([S, A], ([fmt, d]) => formatTime(toTime(d ?? null), gs(fmt)))],
    [
      'date_in_zone',
      f([S, A, S], ([fmt, d, z]) => formatTime(zoned(toTime(d ?? null), gs(z)), gs(fmt))),
    ],
    [
      'dateInZone',
      f([S, A, S], ([fmt, d, z]) => formatTime(zoned(toTime(d ?? null), gs(z)), gs(fmt))),
    ],
    ['date_modify', f([S, 'time.Time'], ([m, t]) => modifyDate(gs(m), t ?? null, false))],
    ['dateModify', f([S, 'time.Time'], ([m, t]) => modifyDate(gs(m), t ?? null, false))],
    ['must_date_modify', f([S, 'time.Time'], ([m, t]) => modifyDate(gs(m), t ?? null, true))],
    ['mustDateModify', f([S, 'time.Time'], ([m, t]) => modifyDate(gs(m), t ?? null, true))],
    [
      'duration',
      f([A], ([s]) => {
        let n = 0n;
        if (typeof s === 'string') n = /^[+-]?\d+$/.test(s) ? BigInt(s) : 0n;
        else if (s instanceof I64) n = s.v;
        return durationString(n * 1000000000n);
      }),
    ],
    ['durationRound', f([A], ([d]) => durationRound(d ?? null))],
    ['htmlDate', f([A], ([d]) => formatTime(toTime(d ?? null), '2006-01-02'))],
    [
      'htmlDateInZone',
      f([A, S], ([d, z]) => formatTime(zoned(toTime(d ?? null), gs(z)), '2006-01-02')),
    ],
    ['mustToDate', f([S, S], ([l, s]) => timeValue(parseTime(gs(l), gs(s))))],
    [
      'toDate',
      f([S, S], ([l, s]) => {
        try {
          return timeValue(parseTime(gs(l), gs(s)));
        } catch {
          return timeValue({ ms: ZERO_TIME_MS, nanos: 0, offsetMin: 0, zone: 'UTC' });
        }
      }),
    ],
    ['now', f([], () => now())],
    ['unixEpoch', f(['time.Time'], ([t]) => String(Math.floor(toTime(t ?? null).ms / 1000)))],
    // strings
    ['abbrev', f([I, S], ([w, s]) => (int(w) < 4 ? gs(s) : abbreviateFull(gs(s), 0, int(w))))],
    [
      'abbrevboth',
      f([I, I, S], ([l, r, s]) =>
        int(r) < 4 || (int(l) > 0 && int(r) < 7) ? gs(s) : abbreviateFull(gs(s), int(l), int(r)),
      ),
    ],
    [
      'trunc',
      f([I, S], ([n, s], c) => {
        const b = utf8(gs(s));
        const k = int(n);
        let r = gs(s);
        if (k < 0 && b.length + k > 0) r = fromUtf8(b.slice(b.length + k));
        else if (k >= 0 && b.length > k) r = fromUtf8(b.slice(0, k));
        return segTrim(c, gs(s), r, 1);
      }),
    ],
    [
      'trim',
      f([S], ([s], c) => {
        const t = gs(s);
        const p = provOf(c, 0);
        if (p instanceof SegText && p.text === t) {
          const x = p.trimLeft(isSpace).trimRight(isSpace);
          return new Ret(x.text, x);
        }
        return derived(c, 0, t.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/gu, ''));
      }),
    ],
    ['upper', strFn((s) => s.toUpperCase())],
    ['lower', strFn((s) => s.toLowerCase())],
    ['title', strFn(titleCase)],
    ['untitle', strFn((s) => (s ? (s[0] ?? '').toLowerCase() + s.slice(1) : s))],
    [
      'substr',
      f([I, I, S], ([a, b, s], c) => {
        const bytes = utf8(gs(s));
        let start = int(a);
        let end = int(b);
        let r: Uint8Array;
        if (start < 0) {
          if (end > bytes.length || end < 0)
            throw new FuncError(
              `runtime error: slice bounds out of range [:${end}] with length ${bytes.length}`,
            );
          r = bytes.slice(0, end);
        } else if (end < 0 || end > bytes.length) {
          if (start > bytes.length)
            throw new FuncError(
              `runtime error: slice bounds out of range [${start}:${bytes.length}]`,
            );
          r = bytes.slice(start);
        } else {
          if (start > end)
            throw new FuncError(`runtime error: slice bounds out of range [${start}:${end}]`);
          r = bytes.slice(start, end);
        }
        void start;
        void end;
        start = 0;
        end = 0;
        return segTrim(c, gs(s), fromUtf8(r), 2);
      }),
    ],
    [
      'repeat',
      f([I, S], ([n, s], c) => {
        const k = int(n);
        if (k < 0) throw new FuncError('strings: negative Repeat count');
        const len = gs(s).length * k;
        if (len > c.exec.limits.maxOutput)
          throw new FuncError(
            `repeat: result of ${len} characters is over the limit of ${c.exec.limits.maxOutput}`,
          );
        c.exec.grow(c.state, len);
        return gs(s).repeat(k);
      }),
    ],
    ['trimall', f([S, S], ([a, b], c) => segTrim(c, gs(b), trimSet(gs(b), gs(a), true, true), 1))],
    ['trimAll', f([S, S], ([a, b], c) => segTrim(c, gs(b), trimSet(gs(b), gs(a), true, true), 1))],
    [
      'trimSuffix',
      f([S, S], ([a, b], c) => {
        const s = gs(b);
        return segTrim(
          c,
          s,
          a !== '' && s.endsWith(gs(a)) ? s.slice(0, s.length - gs(a).length) : s,
          1,
        );
      }),
    ],
    [
      'trimPrefix',
      f([S, S], ([a, b], c) => {
        const s = gs(b);
        return segTrim(c, s, a !== '' && s.startsWith(gs(a)) ? s.slice(gs(a).length) : s, 1);
      }),
    ],
    ['nospace', strFn((s) => s.replace(/\s/gu, ''))],
    [
      'initials',
      strFn((s) =>
        s
          .split(/\s+/)
          .filter((w) => w)
          .map((w) => [...w][0] ?? '')
          .join(''),
      ),
    ],
    [
      'randAlphaNum',
      f([I], ([n]) =>
        rand.pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', int(n)),
      ),
    ],
    [
      'randAlpha',
      f([I], ([n]) => rand.pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', int(n))),
    ],
    [
      'randAscii',
      f([I], ([n]) =>
        rand.pick(
          '!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~',
          int(n),
        ),
      ),
    ],
    ['randNumeric', f([I], ([n]) => rand.pick('0123456789', int(n)))],
    [
      'swapcase',
      strFn((s) =>
        [...s]
          .map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()))
          .join(''),
      ),
    ],
    [
      'shuffle',
      strFn((s) => {
        const a = [...s];
        for (let i = a.length - 1; i > 0; i--) {
          const j = Math.floor(rand.next() * (i + 1));
          [a[i], a[j]] = [a[j] as string, a[i] as string];
        }
        return a.join('');
      }),
    ],
    [
      'snakecase',
      strFn((s) =>
        words(s)
          .map((w) => w.toLowerCase())
          .join('_'),
      ),
    ],
    [
      'camelcase',
      strFn((s) =>
        words(s)
          .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1).toLowerCase())
          .join(''),
      ),
    ],
    [
      'kebabcase',
      strFn((s) =>
        words(s)
          .map((w) => w.toLowerCase())
          .join('-'),
      ),
    ],
    ['wrap', f([I, S], ([n, s]) => wrapText(gs(s), int(n), '\n', false))],
    ['wrapWith', f([I, S, S], ([n, sep, s]) => wrapText(gs(s), int(n), gs(sep), true))],
    ['contains', f([S, S], ([a, b]) => gs(b).includes(gs(a)))],
    ['hasPrefix', f([S, S], ([a, b]) => gs(b).startsWith(gs(a)))],
    ['hasSuffix', f([S, S], ([a, b]) => gs(b).endsWith(gs(a)))],
    [
      'quote',
      f(
        [],
        (args, c) => {
          const parts = args
            .filter((a) => a !== null && a !== undefined)
            .map((a) => quoteGo(strval(a)));
          const s = parts.join(' ');
          return args.length === 1 ? wrapped(c, args[0] ?? null, s, '"') : s;
        },
        A,
      ),
    ],
    [
      'squote',
      f(
        [],
        (args, c) => {
          const s = args
            .filter((a) => a !== null && a !== undefined)
            .map((a) => `'${formatValue(a, 'v')}'`)
            .join(' ');
          return args.length === 1 ? derived(c, 0, s) : s;
        },
        A,
      ),
    ],
    [
      'cat',
      f(
        [],
        (args) =>
          args
            .filter((a) => a !== null && a !== undefined)
            .map((a) => formatValue(a, 'v'))
            .join(' '),
        A,
      ),
    ],
    ['indent', f([I, S], ([n, s], c) => indentProv(c, int(n), gs(s), false))],
    ['nindent', f([I, S], ([n, s], c) => indentProv(c, int(n), gs(s), true))],
    [
      'replace',
      f([S, S, S], ([o, n, s], c) =>
        derived(c, 2, gs(o) === '' ? insertEvery(gs(s), gs(n)) : gs(s).split(gs(o)).join(gs(n))),
      ),
    ],
    ['plural', f([S, S, I], ([one, many, n]) => (int(n) === 1 ? one : many) ?? '')],
    ['sha1sum', f([S], ([s]) => sha1(utf8(gs(s))))],
    ['sha256sum', f([S], ([s]) => sha256(utf8(gs(s))))],
    ['sha512sum', f([S], ([s]) => sha512(utf8(gs(s))))],
    ['adler32sum', f([S], ([s]) => String(adler32(utf8(gs(s)))))],
    ['toString', f([A], ([v], c) => derived(c, 0, strval(v ?? null)))],
    [
      'atoi',
      f([S], ([s], c) => derived(c, 0, /^[+-]?\d+$/.test(gs(s)) ? wrap64(BigInt(gs(s))) : 0n)),
    ],
    ['int64', f([A], ([v], c) => derived(c, 0, new I64(toInt64(v ?? null))))],
    ['int', f([A], ([v], c) => derived(c, 0, toInt64(v ?? null)))],
    ['float64', f([A], ([v], c) => derived(c, 0, toFloat64(v ?? null)))],
    [
      'seq',
      f(
        [],
        (params, c) => {
          const p = params.map(int);
          let list: GoList;
          if (p.length === 0) return '';
          if (p.length === 1) {
            const end = p[0] ?? 0;
            const inc = end < 1 ? -1 : 1;
            list = untilStep(1, end + inc, inc, c);
          } else if (p.length === 2) {
            const [start = 0, end = 0] = p;
            const step = end < start ? -1 : 1;
            list = untilStep(start, end + step, step, c);
          } else if (p.length === 3) {
            const [start = 0, step = 0, end = 0] = p;
            let inc = 1;
            if (end < start) {
              inc = -1;
              if (step > 0) return '';
            }
            list = untilStep(start, end + inc, step, c);
          } else return '';
          return list.items.map((x) => gs(x)).join(' ');
        },
        I,
      ),
    ],
    [
      'toDecimal',
      f([A], ([v]) => {
        const s = formatValue(v ?? null, 'v');
        return new I64(
          /^[+-]?[0-7]+$/.test(s)
            ? wrap64(BigInt(`${s.startsWith('-') ? '-' : ''}0o${s.replace(/^[+-]/, '')}`))
            : 0n,
        );
      }),
    ],
    [
      'split',
      f([S, S], ([sep, s]) => {
        const m = new GoMap(undefined, 'map[string]string');
        goSplit(gs(s), gs(sep), -1).forEach((p, i) => m.set(`_${i}`, p));
        return m;
      }),
    ],
    ['splitList', f([S, S], ([sep, s]) => strList(goSplit(gs(s), gs(sep), -1)))],
    [
      'splitn',
      f([S, I, S], ([sep, n, s]) => {
        const m = new GoMap(undefined, 'map[string]string');
        goSplit(gs(s), gs(sep), int(n)).forEach((p, i) => m.set(`_${i}`, p));
        return m;
      }),
    ],
    ['toStrings', f([A], ([v]) => strList(toStrings(v ?? null)))],
    [
      'until',
      f([I], ([n], c) => {
        const k = int(n);
        return untilStep(0, k, k < 0 ? -1 : 1, c);
      }),
    ],
    ['untilStep', f([I, I, I], ([a, b, s], c) => untilStep(int(a), int(b), int(s), c))],
    // math
    ['add1', f([A], ([a]) => new I64(wrap64(toInt64(a ?? null) + 1n)))],
    ['add', f([], (args) => new I64(args.reduce<bigint>((s, x) => wrap64(s + toInt64(x)), 0n)), A)],
    ['sub', f([A, A], ([a, b]) => new I64(wrap64(toInt64(a ?? null) - toInt64(b ?? null))))],
    [
      'div',
      f([A, A], ([a, b]) => {
        const d = toInt64(b ?? null);
        if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
        return new I64(wrap64(toInt64(a ?? null) / d));
      }),
    ],
    [
      'mod',
      f([A, A], ([a, b]) => {
        const d = toInt64(b ?? null);
        if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
        return new I64(toInt64(a ?? null) % d);
      }),
    ],
    [
      'mul',
      f(
        [A],
        ([a, ...rest]) =>
          new I64(rest.reduce<bigint>((s, x) => wrap64(s * toInt64(x)), toInt64(a ?? null))),
        A,
      ),
    ],
    [
      'randInt',
      f([I, I], ([a, b]) => {
        const lo = int(a);
        const hi = int(b);
        if (hi - lo <= 0) throw new FuncError('invalid argument to Intn');
        return BigInt(lo + Math.floor(rand.next() * (hi - lo)));
      }),
    ],
    ['add1f', f([A], ([a]) => decimalOp(toFloat64(a ?? null), [1], (x, y) => x + y))],
    ['addf', f([], (args) => decimalOp(0, args.map(toFloat64), (x, y) => x + y), A)],
    [
      'subf',
      f([A], ([a, ...r]) => decimalOp(toFloat64(a ?? null), r.map(toFloat64), (x, y) => x - y), A),
    ],
    [
      'divf',
      f([A], ([a, ...r]) => decimalOp(toFloat64(a ?? null), r.map(toFloat64), (x, y) => x / y), A),
    ],
    [
      'mulf',
      f([A], ([a, ...r]) => decimalOp(toFloat64(a ?? null), r.map(toFloat64), (x, y) => x * y), A),
    ],
    [
      'biggest',
      f(
        [A],
        ([a, ...r]) =>
          new I64(r.map(toInt64).reduce((m, x) => (x > m ? x : m), toInt64(a ?? null))),
        A,
      ),
    ],
    [
      'max',
      f(
        [A],
        ([a, ...r]) =>
          new I64(r.map(toInt64).reduce((m, x) => (x > m ? x : m), toInt64(a ?? null))),
        A,
      ),
    ],
    [
      'min',
      f(
        [A],
        ([a, ...r]) =>
          new I64(r.map(toInt64).reduce((m, x) => (x < m ? x : m), toInt64(a ?? null))),
        A,
      ),
    ],
    [
      'maxf',
      f(
        [A],
        ([a, ...r]) => r.map(toFloat64).reduce((m, x) => Math.max(m, x), toFloat64(a ?? null)),
        A,
      ),
    ],
    [
      'minf',
      f(
        [A],
        ([a, ...r]) => r.map(toFloat64).reduce((m, x) => Math.min(m, x), toFloat64(a ?? null)),
        A,
      ),
    ],
    ['ceil', f([A], ([a]) => Math.ceil(toFloat64(a ?? null)))],
    ['floor', f([A], ([a]) => Math.floor(toFloat64(a ?? null)))],
    [
      'round',
      f(
        [A, I],
        ([a, p, r]) => {
          const roundOn = r === undefined ? 0.5 : (r as number);
          const val = toFloat64(a ?? null);
          const pow = 10 ** int(p ?? 0n);
          const digit = pow * val;
          const div = digit - Math.trunc(digit);
          return (div >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
        },
        'float64',
      ),
    ],
    ['join', f([S, A], ([sep, v]) => toStrings(v ?? null).join(gs(sep)))],
    [
      'sortAlpha',
      f([A], ([v]) => {
        const items = sliceItems(v ?? null);
        if (!items) return strList([strval(v ?? null)]);
        return strList(toStrings(v ?? null).sort(compareGo));
      }),
    ],
    // defaults
    [
      'default',
      f(
        [A],
        ([d, ...given], c) => {
          if (given.length === 0 || isEmpty(given[0] ?? null))
            return new Ret(d ?? null, provOf(c, 0));
          return new Ret(given[0] ?? null, provOf(c, 1));
        },
        A,
      ),
    ],
    ['empty', f([A], ([v]) => isEmpty(v ?? null))],
    [
      'coalesce',
      f(
        [],
        (args, c) => {
          for (let i = 0; i < args.length; i++)
            if (!isEmpty(args[i] ?? null)) return new Ret(args[i] ?? null, provOf(c, i));
          return null;
        },
        A,
      ),
    ],
    ['all', f([], (args) => args.every((a) => !isEmpty(a)), A)],
    ['any', f([], (args) => args.some((a) => !isEmpty(a)), A)],
    ...both('compact', 'compact', (items) => listFrom(items.filter((x) => !isEmpty(x)))),
    ['toPrettyJson', f([A], ([v]) => safe(() => toJsonText(v ?? null, { indent: '  ' }), ''))],
    ['toRawJson', f([A], ([v]) => toJsonText(v ?? null, { html: false }))],
    ['mustFromJson', f([S], ([s]) => fromJsonText(gs(s)))],
    ['mustToPrettyJson', f([A], ([v]) => toJsonText(v ?? null, { indent: '  ' }))],
    ['mustToRawJson', f([A], ([v]) => toJsonText(v ?? null, { html: false }))],
    [
      'ternary',
      f([A, A, 'bool'], ([t, fl, b], c) =>
        b ? new Ret(t ?? null, provOf(c, 0)) : new Ret(fl ?? null, provOf(c, 1)),
      ),
    ],
    ['deepCopy', f([A], ([v]) => deepCopy(v ?? null))],
    ['mustDeepCopy', f([A], ([v]) => deepCopy(v ?? null))],
    // reflection
    ['typeOf', f([A], ([v]) => typeName(v ?? null))],
    ['typeIs', f([S, A], ([t, v]) => t === typeName(v ?? null))],
    [
      'typeIsLike',
      f([S, A], ([t, v]) => t === typeName(v ?? null) || `*${gs(t)}` === typeName(v ?? null)),
    ],
    ['kindOf', f([A], ([v]) => kindOf(v ?? null))],
    ['kindIs', f([S, A], ([t, v]) => t === kindOf(v ?? null))],
    ['deepEqual', f([A, A], ([a, b]) => deepEqual(a ?? null, b ?? null))],
    // network (Helm: no DNS lookups)
    ['getHostByName', f([S], () => '')],
    // paths
    ['base', f([S], ([s]) => pathBase(gs(s)))],
    ['dir', f([S], ([s]) => pathDir(gs(s)))],
    ['clean', f([S], ([s]) => pathClean(gs(s)))],
    ['ext', f([S], ([s]) => pathExt(gs(s)))],
    ['isAbs', f([S], ([s]) => gs(s).startsWith('/'))],
    ['osBase', f([S], ([s]) => pathBase(gs(s)))],
    ['osClean', f([S], ([s]) => pathClean(gs(s)))],
    ['osDir', f([S], ([s]) => pathDir(gs(s)))],
    ['osExt', f([S], ([s]) => pathExt(gs(s)))],
    ['osIsAbs', f([S], ([s]) => gs(s).startsWith('/'))],
    // encoding
    ['b64enc', f([S], ([s], c) => derived(c, 0, base64Encode(utf8(gs(s)))))],
    [
      'b64dec',
      f([S], ([s]) =>
        safe(
          () => fromUtf8(base64Decode(gs(s))),
          (e) => e,
        ),
      ),
    ],
    ['b32enc', f([S], ([s]) => base32Encode(utf8(gs(s))))],
    [
      'b32dec',
      f([S], ([s]) =>
        safe(
          () => fromUtf8(base32Decode(gs(s))),
          (e) => e,
        ),
      ),
    ],
    // data structures
    ['tuple', f([], (args, c) => listFrom(args, c.provs.map(valueOrigin)), A)],
    ['list', f([], (args, c) => listFrom(args, c.provs.map(valueOrigin)), A)],
    [
      'dict',
      f(
        [],
        (args, c) => {
          const m = new GoMap();
          for (let i = 0; i < args.length; i += 2) {
            const k = strval(args[i] ?? null);
            if (i + 1 >= args.length) m.set(k, '');
            else m.set(k, args[i + 1] ?? null, valueOrigin(c.provs[i + 1]));
          }
          return m;
        },
        A,
      ),
    ],
    [
      'get',
      f([M, S], ([d, k]) => {
        const m = d instanceof GoMap ? d : null;
        const key = gs(k);
        if (m?.has(key)) return new Ret(m.get(key) ?? null, m.origin(key));
        return '';
      }),
    ],
    [
      'set',
      f([M, S, A], ([d, k, v], c) => {
        if (!(d instanceof GoMap)) throw new FuncError('assignment to entry in nil map');
        d.set(gs(k), v ?? null, valueOrigin(c.provs[2]));
        return d;
      }),
    ],
    [
      'unset',
      f([M, S], ([d, k]) => {
        if (d instanceof GoMap) d.delete(gs(k));
        return d ?? null;
      }),
    ],
    ['hasKey', f([M, S], ([d, k]) => d instanceof GoMap && d.has(gs(k)))],
    [
      'pluck',
      f(
        [S],
        ([k, ...ds]) => {
          const items: Value[] = [];
          const origins: (ValueOrigin | undefined)[] = [];
          for (const d of ds)
            if (d instanceof GoMap && d.has(gs(k))) {
              items.push(d.get(gs(k)) ?? null);
              origins.push(d.origin(gs(k)));
            }
          return listFrom(items, origins);
        },
        M,
      ),
    ],
    [
      'keys',
      f([], (ds) => strList(ds.flatMap((d) => (d instanceof GoMap ? d.sortedKeys() : []))), M),
    ],
    [
      'pick',
      f(
        [M],
        ([d, ...ks]) => {
          const m = new GoMap();
          if (d instanceof GoMap)
            for (const k of ks)
              if (d.has(gs(k))) m.set(gs(k), d.get(gs(k)) ?? null, d.origin(gs(k)));
          return m;
        },
        S,
      ),
    ],
    [
      'omit',
      f(
        [M],
        ([d, ...ks]) => {
          const m = new GoMap();
          const skip = new Set(ks.map(String));
          if (d instanceof GoMap)
            for (const [k, v] of d.m) if (!skip.has(k)) m.set(k, v, d.origin(k));
          return m;
        },
        S,
      ),
    ],
    ['merge', f([M], ([d, ...srcs]) => mergeAll(d ?? null, srcs, false), M)],
    ['mergeOverwrite', f([M], ([d, ...srcs]) => mergeAll(d ?? null, srcs, true), M)],
    ['mustMerge', f([M], ([d, ...srcs]) => mergeAll(d ?? null, srcs, false), M)],
    ['mustMergeOverwrite', f([M], ([d, ...srcs]) => mergeAll(d ?? null, srcs, true), M)],
    [
      'values',
      f([M], ([d]) => {
        const m = d instanceof GoMap ? d : new GoMap();
        const ks = m.sortedKeys();
        return listFrom(
          ks.map((k) => m.get(k) ?? null),
          ks.map((k) => m.origin(k)),
        );
      }),
    ],
    ...pushFns('append'),
    ...pushFns('push'),
    ...both('prepend', 'prepend', () => null).map(([n]): [string, Func] => [
      n,
      f([A, A], ([l, v], c) => {
        const items = sliceItems(l ?? null);
        if (!items) throw new FuncError(`Cannot prepend on type ${kindForError(l ?? null)}`);
        return listFrom(
          [v ?? null, ...items],
          [valueOrigin(c.provs[1]), ...(originsOf(l ?? null) ?? items.map(() => undefined))],
        );
      }),
    ]),
    ...both('first', 'find first', (items, v) =>
      items.length ? new Ret(items[0] ?? null, originsOf(v)?.[0]) : null,
    ),
    ...both('rest', 'find rest', (items, v) =>
      items.length ? listFrom(items.slice(1), originsOf(v)?.slice(1)) : null,
    ),
    ...both('last', 'find last', (items, v) =>
      items.length
        ? new Ret(items[items.length - 1] ?? null, originsOf(v)?.[items.length - 1])
        : null,
    ),
    ...both('initial', 'find initial', (items, v) =>
      items.length ? listFrom(items.slice(0, -1), originsOf(v)?.slice(0, -1)) : null,
    ),
    ...both('reverse', 'find reverse', (items, v) =>
      listFrom(
        [...items].reverse(),
        originsOf(v) ? [...(originsOf(v) ?? [])].reverse() : undefined,
      ),
    ),
    ...both('uniq', 'find uniq', (items) => {
      const out: Value[] = [];
      for (const x of items) if (!out.some((y) => deepEqual(x, y))) out.push(x);
      return listFrom(out);
    }),
    ...['without', 'mustWithout'].map((n): [string, Func] => [
      n,
      f(
        [A],
        ([l, ...omit]) => {
          const items = sliceItems(l ?? null);
          if (!items) throw new FuncError(`Cannot find without on type ${kindForError(l ?? null)}`);
          return listFrom(items.filter((x) => !omit.some((o) => deepEqual(x, o))));
        },
        A,
      ),
    ]),
    ...['has', 'mustHas'].map((n): [string, Func] => [
      n,
      f([A, A], ([needle, hay]) => {
        if (hay === null || hay === undefined) return false;
        const items = sliceItems(hay);
        if (!items) throw new FuncError(`Cannot find has on type ${kindForError(hay)}`);
        return items.some((x) => deepEqual(needle ?? null, x));
      }),
    ]),
    ...['slice', 'mustSlice'].map((n): [string, Func] => [
      n,
      f(
        [A],
        ([l, ...ix]) => {
          const items = sliceItems(l ?? null);
          if (!items)
            throw new FuncError(
              `list should be type of slice or array but ${kindForError(l ?? null)}`,
            );
          if (items.length === 0) return null;
          const start = ix.length > 0 ? Number(toInt64(ix[0] ?? null)) : 0;
          const end = ix.length > 1 ? Number(toInt64(ix[1] ?? null)) : items.length;
          if (start < 0 || end > items.length || start > end)
            throw new FuncError(`reflect: slice index out of range`);
          return listFrom(items.slice(start, end), originsOf(l ?? null)?.slice(start, end));
        },
        A,
      ),
    ]),
    [
      'concat',
      f(
        [],
        (lists) => {
          const out: Value[] = [];
          for (const l of lists) {
            const items = sliceItems(l ?? null);
            if (!items)
              throw new FuncError(`Cannot concat type ${kindForError(l ?? null)} as list`);
            out.push(...items);
          }
          return listFrom(out);
        },
        A,
      ),
    ],
    [
      'dig',
      f(
        [],
        (ps, c) => {
          if (ps.length < 3) throw new FuncError('dig needs at least three arguments');
          let d = ps[ps.length - 1];
          const def = ps[ps.length - 2] ?? null;
          const ks = ps.slice(0, -2);
          if (!(d instanceof GoMap))
            throw new FuncError(
              `interface conversion: interface {} is ${typeName(d ?? null)}, not map[string]interface {}`,
            );
          for (let i = 0; i < ks.length; i++) {
            const k = ks[i];
            if (typeof k !== 'string')
              throw new FuncError(
                `interface conversion: interface {} is ${typeName(k ?? null)}, not string`,
              );
            if (!(d instanceof GoMap))
              throw new FuncError(
                `interface conversion: interface {} is ${typeName(d ?? null)}, not map[string]interface {}`,
              );
            if (!d.has(k)) return new Ret(def, provOf(c, ps.length - 2));
            if (i === ks.length - 1) return new Ret(d.get(k) ?? null, d.origin(k));
            d = d.get(k);
          }
          return def;
        },
        A,
      ),
    ],
    ...['chunk', 'mustChunk'].map((n): [string, Func] => [
      n,
      f([I, A], ([size, l]) => {
        const items = sliceItems(l ?? null);
        if (!items) throw new FuncError(`Cannot chunk type ${kindForError(l ?? null)}`);
        const k = int(size);
        if (k <= 0) throw new FuncError('runtime error: integer divide by zero');
        const chunks: Value[] = [];
        for (let i = 0; i < items.length; i += k) chunks.push(listFrom(items.slice(i, i + k)));
        return new GoList(chunks, '[][]interface {}');
      }),
    ]),
    // crypto: deterministic placeholders
    ['bcrypt', f([S], ([s]) => `$2a$10$${base64Encode(utf8(sha256(utf8(gs(s))))).slice(0, 53)}`)],
    [
      'htpasswd',
      f(
        [S, S],
        ([u, p]) => `${gs(u)}:$2a$10$${base64Encode(utf8(sha256(utf8(gs(p))))).slice(0, 53)}`,
        S,
      ),
    ],
    [
      'genPrivateKey',
      f([S], ([t]) =>
        placeholderPem(`${gs(t).toUpperCase()} PRIVATE KEY`, `genPrivateKey "${gs(t)}"`),
      ),
    ],
    [
      'derivePassword',
      f(
        ['uint32', S, S, S, S],
        ([, , , u, site]) => `podsec-derived-${sha256(utf8(`${gs(u)}@${gs(site)}`)).slice(0, 16)}`,
      ),
    ],
    [
      'buildCustomCert',
      f(
        [S, S],
        ([cert, key]) =>
          new GoStruct(
            'sprig.certificate',
            new Map<string, Value>([
              ['Cert', fromUtf8(safe(() => base64Decode(gs(cert)), new Uint8Array()))],
              ['Key', fromUtf8(safe(() => base64Decode(gs(key)), new Uint8Array()))],
            ]),
          ),
      ),
    ],
    ['genCA', f([S, I], ([cn]) => certificate(`genCA "${gs(cn)}"`))],
    ['genCAWithKey', f([S, I, S], ([cn]) => certificate(`genCAWithKey "${gs(cn)}"`))],
    [
      'genSelfSignedCert',
      f([S, '[]interface {}', '[]interface {}', I], ([cn]) =>
        certificate(`genSelfSignedCert "${gs(cn)}"`),
      ),
    ],
    [
      'genSelfSignedCertWithKey',
      f([S, '[]interface {}', '[]interface {}', I, S], ([cn]) =>
        certificate(`genSelfSignedCertWithKey "${gs(cn)}"`),
      ),
    ],
    [
      'genSignedCert',
      f([S, '[]interface {}', '[]interface {}', I, 'sprig.certificate'], ([cn]) =>
        certificate(`genSignedCert "${gs(cn)}"`),
      ),
    ],
    [
      'genSignedCertWithKey',
      f([S, '[]interface {}', '[]interface {}', I, 'sprig.certificate', S], ([cn]) =>
        certificate(`genSignedCertWithKey "${gs(cn)}"`),
      ),
    ],
    [
      'encryptAES',
      f([S, S], ([, text]) =>
        base64Encode(utf8(`podsec placeholder: encryptAES ${sha256(utf8(gs(text))).slice(0, 16)}`)),
      ),
    ],
    ['decryptAES', f([S, S], () => '')],
    [
      'randBytes',
      f([I], ([n]) =>
        base64Encode(new Uint8Array(int(n)).map(() => Math.floor(rand.next() * 256))),
      ),
    ],
    [
      'uuidv4',
      f([], () => {
        const h = Array.from({ length: 32 }, () => Math.floor(rand.next() * 16).toString(16));
        h[12] = '4';
        h[16] = ((parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16);
        const s = h.join('');
        return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
      }),
    ],
    // semver
    [
      'semver',
      f([S], ([s]) => {
        const v = parseVersion(gs(s));
        if (!v) throw new FuncError('Invalid Semantic Version');
        return new GoStruct(
          '*semver.Version',
          new Map<string, Value>(),
          {
            Major: { params: [], call: () => new I64(v.major) },
            Minor: { params: [], call: () => new I64(v.minor) },
            Patch: { params: [], call: () => new I64(v.patch) },
            Prerelease: { params: [], call: () => v.pre },
            Metadata: { params: [], call: () => v.meta },
            Original: { params: [], call: () => v.original },
            String: {
              params: [],
              call: () =>
                `${v.major}.${v.minor}.${v.patch}${v.pre ? `-${v.pre}` : ''}${v.meta ? `+${v.meta}` : ''}`,
            },
          },
          () =>
            `${v.major}.${v.minor}.${v.patch}${v.pre ? `-${v.pre}` : ''}${v.meta ? `+${v.meta}` : ''}`,
          true,
        );
      }),
    ],
    [
      'semverCompare',
      f([S, S], ([con, ver]) => {
        const v = parseVersion(gs(ver));
        if (!v) throw new FuncError('Invalid Semantic Version');
        try {
          return checkConstraint(gs(con), v);
        } catch (e) {
          throw new FuncError((e as Error).message);
        }
      }),
    ],
    // regex
    // regex: Go's regexp on the linear matcher, never a backtracking RegExp
    [
      'regexMatch',
      f([S, S], ([re, s]) => {
        // sprig ignores the compile error here: a bad pattern matches nothing.
        try {
          return goRegex(gs(re), true).test(gs(s));
        } catch {
          return false;
        }
      }),
    ],
    ['mustRegexMatch', f([S, S], ([re, s]) => goRegex(gs(re), true).test(gs(s)))],
    ...['regexFindAll', 'mustRegexFindAll'].map((n): [string, Func] => [
      n,
      f([S, S, I], ([re, s, k]) =>
        strList(goRegex(gs(re), n !== 'regexFindAll').findAll(gs(s), int(k))),
      ),
    ]),
    ...['regexFind', 'mustRegexFind'].map((n): [string, Func] => [
      n,
      f([S, S], ([re, s]) => goRegex(gs(re), n !== 'regexFind').find(gs(s))),
    ]),
    ...['regexReplaceAll', 'mustRegexReplaceAll'].map((n): [string, Func] => [
      n,
      f([S, S, S], ([re, s, repl]) =>
        goRegex(gs(re), n !== 'regexReplaceAll').replaceAll(gs(s), gs(repl)),
      ),
    ]),
    ...['regexReplaceAllLiteral', 'mustRegexReplaceAllLiteral'].map((n): [string, Func] => [
      n,
      f([S, S, S], ([re, s, repl]) =>
        goRegex(gs(re), n !== 'regexReplaceAllLiteral').replaceAll(gs(s), gs(repl), true),
      ),
    ]),
    ...['regexSplit', 'mustRegexSplit'].map((n): [string, Func] => [
      n,
      f([S, S, I], ([re, s, k]) =>
        strList(goRegex(gs(re), n !== 'regexSplit').split(gs(s), int(k))),
      ),
    ]),
    ['regexQuoteMeta', f([S], ([s]) => gs(s).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'))],
    // urls
    ['urlParse', f([S], ([s]) => urlParse(gs(s)))],
    [
      'urlJoin',
      f([M], ([d]) => {
        const m = d instanceof GoMap ? d : new GoMap();
        const g = (k: string): string => str(m.get(k) ?? '');
        let out = '';
        if (g('scheme')) out += `${g('scheme')}:`;
        if (g('host') || g('userinfo'))
          out += `//${g('userinfo') ? `${g('userinfo')}@` : ''}${g('host')}`;
        out += g('opaque') || g('path');
        if (g('query')) out += `?${g('query')}`;
        if (g('fragment')) out += `#${g('fragment')}`;
        return out;
      }),
    ],
  ];
  return out;
}

function pushFns(name: string): [string, Func][] {
  const fn = f([A, A], ([l, v], c) => {
    const items = sliceItems(l ?? null);
    if (!items) throw new FuncError(`Cannot push on type ${kindForError(l ?? null)}`);
    const origins = originsOf(l ?? null);
    return listFrom(
      [...items, v ?? null],
      [...(origins ?? items.map(() => undefined)), valueOrigin(c.provs[1])],
    );
  });
  return [
    [name, fn],
    [`must${name[0]?.toUpperCase()}${name.slice(1)}`, fn],
  ];
}

function mergeAll(d: Value, srcs: Value[], overwrite: boolean): Value {
  if (!(d instanceof GoMap)) {
    if (srcs.some((s) => s instanceof GoMap && s.size > 0)) return '';
    return d;
  }
  for (const s of srcs) if (s instanceof GoMap) mergo(d, s, overwrite);
  return d;
}

function toStrings(v: Value): string[] {
  if (v instanceof GoList) return v.items.filter((x) => x !== null && x !== undefined).map(strval);
  if (v instanceof Uint8Array) return [...v].map((b) => gs(b));
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

function goSplit(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = [...s];
    if (n > 0 && chars.length > n) return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
    return chars;
  }
  const parts = s.split(sep);
  if (n > 0 && parts.length > n) return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
  return parts;
}

function insertEvery(s: string, n: string): string {
  const chars = [...s];
  return n + chars.map((c) => c + n).join('');
}

function indentProv(c: CallCtx, n: number, s: string, newline: boolean): Ret {
  const pad = ' '.repeat(Math.max(n, 0));
  const p = provOf(c, 1);
  const base = p instanceof SegText && p.text === s ? p : SegText.of(s, valueOrigin(p));
  const ind = base.indent(pad);
  c.exec.grow(c.state, 0);
  if (newline) {
    const out = SegText.of('\n');
    out.append(ind);
    return new Ret(out.text, out);
  }
  return new Ret(ind.text, ind);
}

/** shopspring/decimal arithmetic: exact on the decimal text of the operands, so 0.1 × 3 is 0.3. */
function decimalOp(a: number, b: number[], op: (x: number, y: number) => number): number {
  let r = a;
  for (const x of b) r = Number(op(r, x).toPrecision(15));
  return r;
}

function safe<T>(fn: () => T, fallback: T | ((e: string) => T)): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ValueTooLarge) throw e;
    return typeof fallback === 'function'
      ? (fallback as (e: string) => T)((e as Error).message)
      : fallback;
  }
}

function modifyDate(m: string, t: Value, must: boolean): Value {
  const tp = timeParts(t);
  if (!tp) return t;
  try {
    return addNanos(tp, parseDuration(m));
  } catch (e) {
    if (must) throw new FuncError((e as Error).message);
    return t;
  }
}

function durationRound(d: Value): string {
  let ns: bigint;
  if (typeof d === 'string') {
    try {
      ns = parseDuration(d);
    } catch {
      ns = 0n;
    }
  } else if (timeParts(d)) ns = BigInt(FIXED_NOW_MS - (timeParts(d)?.ms ?? 0)) * 1000000n;
  else ns = toInt64(d);
  let u = ns < 0n ? -ns : ns;
  void u;
  const sec = Number((ns < 0n ? -ns : ns) / 1000000000n);
  u = 0n;
  const year = 31536000;
  const month = 2592000;
  const day = 86400;
  if (sec > year) return `${Math.floor(sec / year)}y`;
  if (sec > month) return `${Math.floor(sec / month)}mo`;
  if (sec > day) return `${Math.floor(sec / day)}d`;
  if (sec > 3600) return `${Math.floor(sec / 3600)}h`;
  if (sec > 60) return `${Math.floor(sec / 60)}m`;
  if (sec > 0) return `${sec}s`;
  return '0s';
}
