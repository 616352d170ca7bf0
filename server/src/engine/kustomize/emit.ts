/**
 * Built objects printed as `kubectl kustomize` prints them, with a source
 * map: kustomize writes each object through JSON and a YAML 1.1 writer
 * (Go's yaml.v2), so keys come out sorted (digits compared as numbers),
 * sequences sit at their key's indentation, strings are quoted where a YAML
 * 1.1 reader would take them for something else, multi-line strings are
 * literal blocks, and long lines fold at 80 columns. Documents are joined
 * with `---`.
 *
 * Every key and every scalar written becomes a segment whose origin is the
 * key's or the value's origin in the tree.
 */
import type { GeneratedSource, Origin, Segment } from '../sources/sourcemap';
import {
  floatValue,
  goJsonFloat,
  intText,
  mustQuote11,
  parseTimestamp,
  yamlNumberFromJson,
} from './scalars';
import { boolValue } from './tree';
import type { KMap, KNode, KScalar, KSeq } from './tree';

const BEST_WIDTH = 80;

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}
function isDigit(c: string): boolean {
  return /\p{Nd}/u.test(c);
}

/** yaml.v2's order of map keys: letters by code point, runs of digits by value. */
const PLAIN_ASCII_KEY = /^[A-Za-z./_-]*$/;

export function yamlKeyLess(a: string, b: string): boolean {
  // Keys without digits or non-ASCII letters compare character by character.
  if (PLAIN_ASCII_KEY.test(a) && PLAIN_ASCII_KEY.test(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a.charCodeAt(i);
      const y = b.charCodeAt(i);
      if (x === y) continue;
      const al = (x >= 65 && x <= 90) || (x >= 97 && x <= 122);
      const bl = (y >= 65 && y <= 90) || (y >= 97 && y <= 122);
      if (al && bl) return x < y;
      if (al || bl) return bl;
      return x < y;
    }
    return a.length < b.length;
  }
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as string;
    const y = br[i] as string;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++)
      an = an * 10n + BigInt((ar[ai] as string).charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++)
      bn = bn * 10n + BigInt((br[bi] as string).charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (x.codePointAt(0) ?? 0) < (y.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

export function sortedEntries(m: KMap): KMap['entries'] {
  return [...m.entries].sort((p, q) =>
    yamlKeyLess(p.key, q.key) ? -1 : yamlKeyLess(q.key, p.key) ? 1 : 0,
  );
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}
const isBreak = (c: string | undefined): boolean =>
  c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlankZ = (c: string | undefined): boolean =>
  c === undefined || c === ' ' || c === '\t' || isBreak(c);

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/** yaml.v2's analysis of which styles can carry a string unchanged. */
function analyze(value: string): Analysis {
  if (value.length === 0)
    return { multiline: false, blockPlain: true, singleQuoted: true, block: false };
  const cs = [...value];
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) blockIndicators = true;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] as string;
    const followedByWs =
      i + 1 >= cs.length || cs[i + 1] === ' ' || cs[i + 1] === '\t' || isBreak(cs[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWs) blockIndicators = true;
    } else if (c === ':' && followedByWs) blockIndicators = true;
    else if (c === '#' && precededByWs) blockIndicators = true;
    const cp = c.codePointAt(0) ?? 0;
    if (!isPrintable(cp)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === cs.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cs.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlankZ(c);
  }
  const a: Analysis = { multiline: lineBreaks, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || special) {
    a.blockPlain = false;
    a.singleQuoted = false;
    a.block = false;
  }
  if (lineBreaks) a.blockPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

/** Strings that are plain whatever the position (no indicators, spaces or line breaks), unless they read as another type. */
const PLAIN_SAFE = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/;

/** The style yaml.v2 writes a string in (`key`: in simple-key position). */
function stringStyle(s: string, key: boolean): Style {
  if (PLAIN_SAFE.test(s)) return mustQuote11(s) ? 'double' : 'plain';
  const a = analyze(s);
  let style: Style = s.includes('\n') ? 'literal' : mustQuote11(s) ? 'double' : 'plain';
  if (key && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlain) style = 'single';
    if (s.length === 0 && key) style = 'single';
  }
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || key)) style = 'double';
  return style;
}

function escapeChar(cp: number): string {
  switch (cp) {
    case 0x00:
      return '\\0';
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0b:
      return '\\v';
    case 0x0c:
      return '\\f';
    case 0x0d:
      return '\\r';
    case 0x1b:
      return '\\e';
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x85:
      return '\\N';
    case 0xa0:
      return '\\_';
    case 0x2028:
      return '\\L';
    case 0x2029:
      return '\\P';
    default: {
      const hex = cp.toString(16).toUpperCase();
      if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`;
      if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
      return `\\U${hex.padStart(8, '0')}`;
    }
  }
}

export class EmitError extends Error {
  constructor(
    message: string,
    readonly origin: Origin | null,
  ) {
    super(message);
  }
}

/** The text a scalar is printed as, and whether it is a string (quoting rules apply). */
function scalarOut(s: KScalar): { text: string; string: boolean } {
  switch (s.tag) {
    case 'null':
      return { text: 'null', string: false };
    case 'bool':
      return { text: boolValue(s.text) ? 'true' : 'false', string: false };
    case 'int':
      return { text: intText(s.text), string: false };
    case 'float': {
      const j = goJsonFloat(floatValue(s.text));
      if (j === null) {
        const v = floatValue(s.text);
        throw new EmitError(
          `json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`,
          s.origin,
        );
      }
      return { text: yamlNumberFromJson(j), string: false };
    }
    case 'timestamp':
      return { text: parseTimestamp(s.text) ?? s.text, string: true };
    default:
      return { text: s.text, string: true };
  }
}

class Out {
  private readonly parts: string[] = [];
  pos = 0;
  column = 0;
  indent = 0;
  whitespace = true;
  indention = true;
  readonly segments: Segment[] = [];

  put(s: string): void {
    this.parts.push(s);
    this.pos += s.length;
    // Columns count code points: a surrogate pair is one.
    if (/[\ud800-\udbff]/.test(s)) for (const _ of s) this.column++;
    else this.column += s.length;
  }

  br(): void {
    this.parts.push('\n');
    this.pos += 1;
    this.column = 0;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.br();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  /** Write an indicator (`-`, `:`, `?`, a quote), with a space before it when one is needed. */
  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  mark(start: number, origin: Origin | null): void {
    if (origin && this.pos > start) this.segments.push({ start, end: this.pos, origin });
  }

  text(): string {
    return this.parts.join('');
  }
}

function writePlain(o: Out, v: string, allowBreaks: boolean): void {
  if (!o.whitespace) o.put(' ');
  if (!v.includes(' ')) {
    // Nothing to fold at.
    o.put(v);
    o.whitespace = false;
    o.indention = false;
    return;
  }
  const cs = [...v];
  let spaces = false;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] as string;
    if (c === ' ') {
      if (allowBreaks && !spaces && o.column > BEST_WIDTH && cs[i + 1] !== ' ') o.writeIndent();
      else o.put(c);
      spaces = true;
    } else {
      o.put(c);
      o.indention = false;
      spaces = false;
    }
  }
  o.whitespace = false;
  o.indention = false;
}

function writeSingle(o: Out, v: string, allowBreaks: boolean): void {
  o.indicator("'", true, false, false);
  const cs = [...v];
  let spaces = false;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] as string;
    if (c === ' ') {
      if (
        allowBreaks &&
        !spaces &&
        o.column > BEST_WIDTH &&
        i > 0 &&
        i < cs.length - 1 &&
        cs[i + 1] !== ' '
      )
        o.writeIndent();
      else o.put(c);
      spaces = true;
    } else {
      if (c === "'") o.put("'");
      o.put(c);
      o.indention = false;
      spaces = false;
    }
  }
  o.indicator("'", false, false, false);
  o.whitespace = false;
  o.indention = false;
}

function writeDouble(o: Out, v: string, allowBreaks: boolean): void {
  o.indicator('"', true, false, false);
  const cs = [...v];
  let spaces = false;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] as string;
    const cp = c.codePointAt(0) ?? 0;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
      o.put(escapeChar(cp));
      spaces = false;
    } else if (c === ' ') {
      if (allowBreaks && !spaces && o.column > BEST_WIDTH && i > 0 && i < cs.length - 1) {
        o.writeIndent();
        if (cs[i + 1] === ' ') o.put('\\');
      } else o.put(c);
      spaces = true;
    } else {
      o.put(c);
      spaces = false;
    }
  }
  o.indicator('"', false, false, false);
  o.whitespace = false;
  o.indention = false;
}

function writeLiteral(o: Out, v: string, bestIndent: number): void {
  o.indicator('|', true, false, false);
  const cs = [...v];
  if (cs[0] === ' ' || isBreak(cs[0])) o.indicator(String(bestIndent), false, false, false);
  let chomp = '';
  if (cs.length === 0) chomp = '-';
  else {
    const last = cs.length - 1;
    if (!isBreak(cs[last])) chomp = '-';
    else if (last === 0) chomp = '+';
    else if (isBreak(cs[last - 1])) chomp = '+';
  }
  if (chomp) o.indicator(chomp, false, false, false);
  o.br();
  o.indention = true;
  o.whitespace = true;
  let breaks = true;
  for (const c of cs) {
    if (isBreak(c)) {
      o.br();
      o.indention = true;
      breaks = true;
    } else {
      if (breaks) o.writeIndent();
      o.put(c);
      o.indention = false;
      breaks = false;
    }
  }
}

/** Write a scalar value at the current position; `indent` is the indentation of continuation lines. */
function writeScalar(o: Out, s: KScalar, indent: number, key: boolean): void {
  const { text, string } = scalarOut(s);
  const style: Style = string ? stringStyle(text, key) : 'plain';
  const saved = o.indent;
  o.indent = indent;
  // Each style writes one space first unless the position already follows whitespace.
  const start = o.pos + (o.whitespace ? 0 : 1);
  switch (style) {
    case 'plain':
      writePlain(o, text, !key);
      break;
    case 'single':
      writeSingle(o, text, !key);
      break;
    case 'double':
      writeDouble(o, text, !key);
      break;
    default:
      writeLiteral(o, text, 2);
  }
  o.mark(start, s.origin);
  o.indent = saved;
}

function isEmptyCollection(n: KNode): boolean {
  return (n.kind === 'map' && n.entries.length === 0) || (n.kind === 'seq' && n.items.length === 0);
}

function writeEmpty(o: Out, n: KNode): void {
  if (!o.whitespace) o.put(' ');
  const start = o.pos;
  o.put(n.kind === 'map' ? '{}' : '[]');
  o.whitespace = false;
  o.indention = false;
  o.mark(start, n.origin);
}

/** Whether yaml.v2 writes a key on one line (`key: value`) rather than as `? key`. */
function simpleKey(key: string): boolean {
  return new TextEncoder().encode(key).length <= 128 && !/[\n\r\u0085\u2028\u2029]/.test(key);
}

function writeMapping(o: Out, m: KMap, indent: number, first: boolean): void {
  let isFirst = first;
  for (const e of sortedEntries(m)) {
    o.indent = indent;
    if (!isFirst) o.writeIndent();
    isFirst = false;
    const keyScalar: KScalar = { kind: 'scalar', tag: 'str', text: e.key, origin: e.keyOrigin };
    if (simpleKey(e.key)) {
      writeScalar(o, keyScalar, indent + 2, true);
      o.indicator(':', false, false, false);
    } else {
      o.indicator('?', true, false, true);
      writeScalar(o, keyScalar, indent + 2, false);
      o.indent = indent;
      o.writeIndent();
      o.indicator(':', true, false, true);
    }
    writeValue(o, e.value, indent, true);
  }
}

function writeSequence(o: Out, s: KSeq, indent: number, first: boolean): void {
  let isFirst = first;
  for (const item of s.items) {
    o.indent = indent;
    if (!isFirst) o.writeIndent();
    isFirst = false;
    o.indicator('-', true, false, true);
    writeValue(o, item, indent, false);
  }
}

/** A value after `key:` (`inMap`) or after `- `, where `indent` is the key's or the dash's column. */
function writeValue(o: Out, v: KNode, indent: number, inMap: boolean): void {
  if (v.kind === 'scalar') writeScalar(o, v, indent + 2, false);
  else if (isEmptyCollection(v)) writeEmpty(o, v);
  else if (v.kind === 'map') {
    if (inMap) writeMapping(o, v, indent + 2, false);
    else {
      o.put(' ');
      o.whitespace = true;
      writeMapping(o, v, indent + 2, true);
    }
  } else if (inMap) writeSequence(o, v, indent, false);
  else {
    o.put(' ');
    o.whitespace = true;
    writeSequence(o, v, indent + 2, true);
  }
}

function writeDocument(o: Out, n: KNode): void {
  o.indent = 0;
  o.whitespace = true;
  o.indention = true;
  if (n.kind === 'scalar') writeScalar(o, n, 0, false);
  else if (isEmptyCollection(n)) writeEmpty(o, n);
  else if (n.kind === 'map') writeMapping(o, n, 0, true);
  else writeSequence(o, n, 0, true);
  // A final literal block already ended its line.
  o.indent = 0;
  o.writeIndent();
}

export interface EmittedDocuments extends GeneratedSource {
  /** [start, end) of each document in `text`, in order. */
  documents: Array<{ start: number; end: number }>;
}

/** Print trees as `kubectl kustomize` prints a build. */
export function emitDocuments(nodes: readonly KNode[], label: string): EmittedDocuments {
  const o = new Out();
  const documents: Array<{ start: number; end: number }> = [];
  nodes.forEach((n, i) => {
    if (i > 0) {
      o.put('---');
      o.br();
    }
    const start = o.pos;
    writeDocument(o, n);
    documents.push({ start, end: o.pos });
  });
  return { text: o.text(), segments: o.segments, label, documents };
}
