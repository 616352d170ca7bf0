/**
 * A small located reader for configuration files (`.podsec.yaml`, the
 * API server's admission configuration): one YAML document turned into a
 * read-only tree of maps, sequences and scalars, each with the span of its
 * text, so a validator can place every message at the offending key or value.
 *
 * Bounded on purpose: configuration files are small, so a text over the size
 * limit, a NUL byte or nesting deeper than any configuration needs is one
 * clear error instead of a parse. Aliases are followed (to the last anchor of
 * that name before them, as YAML defines), never expanded.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { aliasBudget, followAlias } from '../aliases';
import type { Span } from '../types';

/** Largest configuration text read, in characters. */
export const MAX_CONFIG_CHARS = 1024 * 1024;
/** Deepest nesting of a configuration file (block indentation levels plus flow brackets). */
export const MAX_CONFIG_DEPTH = 64;
/** Most alias look-ups in one configuration file. */
const MAX_ALIAS_HOPS = 10_000;

export interface LScalar {
  type: 'scalar';
  /** The value as YAML resolved it (string, number, boolean, null). */
  value: unknown;
  /** The scalar's source text (for a quoted scalar, without the quotes). */
  source: string;
  /** Whether the scalar was quoted or a block scalar (then it is always a string). */
  quoted: boolean;
  span: Span;
  /** An alias with no anchor of its name before it: a YAML error, and no value. */
  dangling?: boolean;
}
export interface LPair {
  /** The key as text (a scalar key's value as a string; null for a complex key). */
  key: string | null;
  keySpan: Span;
  value: LNode;
  /** From the key's start to the value's end. */
  span: Span;
}
export interface LMap {
  type: 'map';
  pairs: LPair[];
  span: Span;
}
export interface LSeq {
  type: 'seq';
  items: LNode[];
  span: Span;
}
export type LNode = LScalar | LMap | LSeq;

export interface ReadProblem {
  message: string;
  span: Span;
}

export interface ReadResult {
  /** The first document's root, or null when the text holds no document (empty, comments only) or could not be read. */
  root: LNode | null;
  /** YAML errors and reading limits (the file is not, or not entirely, read). */
  errors: ReadProblem[];
  /** Documents after the first (which the readers of these files ignore), by span. */
  extraDocuments: Span[];
}

const SPAN0: Span = { start: 0, end: 0 };

/** Deepest nesting of a text, stopping early past `limit`; returns the offset where the limit was passed, or -1. */
function tooDeep(text: string, limit: number): number {
  const indents: number[] = [];
  let flow = 0;
  let col = 0;
  let lineStart = true;
  let quote = 0;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) {
      lineStart = true;
      comment = false;
      col = 0;
      continue;
    }
    if (comment) continue;
    if (lineStart && quote === 0 && flow === 0) {
      if (ch === 32) {
        col++;
        continue;
      }
      const seq = ch === 45 && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 10);
      if (ch !== 35) {
        while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= col) indents.pop();
        indents.push(col);
        if (indents.length > limit) return i;
      }
      if (seq) {
        col++;
        continue;
      }
      lineStart = false;
    }
    lineStart = false;
    if (quote !== 0) {
      if (ch === quote) quote = 0;
      else if (ch === 92 && quote === 34) i++;
      continue;
    }
    if (ch === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) comment = true;
    else if (ch === 34 || ch === 39) {
      const prev = i === 0 ? 32 : text.charCodeAt(i - 1);
      if (prev <= 32 || prev === 91 || prev === 123 || prev === 44 || prev === 58) quote = ch;
    } else if (ch === 91 || ch === 123) {
      flow++;
      if (flow + indents.length > limit) return i;
    } else if ((ch === 93 || ch === 125) && flow > 0) flow--;
  }
  return -1;
}

function span(node: Node | null | undefined, fallback: Span): Span {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : fallback;
}

class Builder {
  private readonly aliases = aliasBudget(MAX_ALIAS_HOPS);
  overLimit: Span | null = null;
  /** Aliases with no anchor before them. */
  readonly dangling: Array<{ name: string; span: Span }> = [];

  constructor(private readonly doc: Document.Parsed) {}

  /** Follow aliases; undefined for a dangling alias, null past the limit. */
  private deref(node: unknown): unknown {
    const n = followAlias(this.doc, node, this.aliases);
    if (this.aliases.over) this.overLimit ??= span(node as Node | null, SPAN0);
    return n;
  }

  /** The located tree of a node; `at` places values that have no range of their own (an alias's target keeps its own). */
  build(raw: unknown, at: Span, depth = 0): LNode {
    const node = this.deref(raw);
    if (isAlias(raw) && node === undefined && !this.overLimit) {
      const where = span(raw, at);
      this.dangling.push({ name: raw.source, span: where });
      return {
        type: 'scalar',
        value: null,
        source: '',
        quoted: false,
        span: where,
        dangling: true,
      };
    }
    if (depth > MAX_CONFIG_DEPTH) {
      this.overLimit ??= at;
      return { type: 'scalar', value: null, source: '', quoted: false, span: at };
    }
    // Where an alias stands, underline the alias (the place the user wrote), not the anchor.
    const here = isAlias(raw) ? span(raw, at) : undefined;
    if (isMap(node)) {
      const pairs: LPair[] = [];
      for (const p of node.items) {
        if (!isPair(p)) continue;
        const keyNode = this.deref(p.key);
        const keySpan = span(p.key as Node | null, here ?? span(node, at));
        const key =
          isScalar(keyNode) && keyNode.value !== null && typeof keyNode.value !== 'object'
            ? primitiveText(keyNode.value)
            : isScalar(keyNode) && keyNode.value === null
              ? ''
              : null;
        const valueAt: Span = { start: keySpan.end, end: keySpan.end };
        const value =
          p.value === null || p.value === undefined
            ? ({ type: 'scalar', value: null, source: '', quoted: false, span: valueAt } as LScalar)
            : this.build(p.value, valueAt, depth + 1);
        pairs.push({
          key,
          keySpan,
          value,
          span: { start: keySpan.start, end: Math.max(keySpan.end, value.span.end) },
        });
      }
      return { type: 'map', pairs, span: here ?? span(node, at) };
    }
    if (isSeq(node)) {
      const self = here ?? span(node, at);
      const items = node.items.map((item) =>
        this.build(item, { start: self.start, end: self.start }, depth + 1),
      );
      return { type: 'seq', items, span: self };
    }
    if (isScalar(node)) {
      const quoted = node.type !== undefined && node.type !== 'PLAIN';
      const value = node.value instanceof Date ? (node.source ?? String(node.value)) : node.value;
      return {
        type: 'scalar',
        value,
        source: typeof node.source === 'string' ? node.source : String(node.value),
        quoted,
        span: here ?? span(node, at),
      };
    }
    return { type: 'scalar', value: null, source: '', quoted: false, span: here ?? at };
  }
}

/**
 * Read a configuration text: its first document as a located tree. YAML
 * errors are returned (the tree is still built from what parsed, so valid
 * keys keep working while one is half-typed).
 */
export function readYaml(text: string, version: '1.1' | '1.2' = '1.1'): ReadResult {
  const out: ReadResult = { root: null, errors: [], extraDocuments: [] };
  if (text.length > MAX_CONFIG_CHARS) {
    out.errors.push({
      message: `not read: ${text.length} characters is over the limit of ${MAX_CONFIG_CHARS} for a configuration file`,
      span: SPAN0,
    });
    return out;
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    out.errors.push({
      message: 'not read: it contains a NUL byte, so it is binary, not YAML',
      span: { start: nul, end: nul + 1 },
    });
    return out;
  }
  const deep = tooDeep(text, MAX_CONFIG_DEPTH);
  if (deep >= 0) {
    out.errors.push({
      message: `not read: nested deeper than ${MAX_CONFIG_DEPTH} levels, which no configuration needs`,
      span: { start: deep, end: deep + 1 },
    });
    return out;
  }
  // YAML 1.1 for Kubernetes' files, as sigs.k8s.io/yaml resolves plain scalars (yes/no/on/off
  // are booleans); 1.2 for podsec's own file, as editors' YAML schema validation reads it.
  const docs = parseAllDocuments(text, { version, prettyErrors: false, uniqueKeys: false });
  const list: readonly Document.Parsed[] = docs;
  const first = list[0];
  if (!first) return out;
  for (const e of first.errors) {
    out.errors.push({
      message: e.message.split('\n')[0] ?? e.message,
      span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) },
    });
  }
  for (const d of list.slice(1)) {
    if (d.contents === null && d.errors.length === 0) continue;
    out.extraDocuments.push({ start: d.range[0], end: d.range[1] });
  }
  if (first.contents === null) return out;
  const b = new Builder(first);
  const root = b.build(first.contents, { start: 0, end: 0 });
  for (const d of b.dangling) {
    out.errors.push({
      message: `alias *${d.name} has no anchor &${d.name} before it`,
      span: d.span,
    });
  }
  if (b.overLimit) {
    out.errors.push({
      message: 'not read entirely: too many aliases or too deep',
      span: b.overLimit,
    });
  }
  // A document that is only a null scalar (`~`, or comments) holds nothing.
  out.root = root.type === 'scalar' && root.value === null && !root.quoted ? null : root;
  return out;
}

/** A scalar value as text (numbers and booleans as JavaScript prints them). */
export function primitiveText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return '';
}

/** What Go's YAML reader (go-yaml v2, behind sigs.k8s.io/yaml) makes of a scalar: the JSON type it sends on. */
export function goYamlType(s: LScalar): 'string' | 'number' | 'boolean' | 'null' {
  if (s.quoted) return 'string';
  if (s.value === null) return 'null';
  if (typeof s.value === 'boolean') return 'boolean';
  if (typeof s.value === 'number' || typeof s.value === 'bigint') return 'number';
  // go-yaml v2 reads integers with Go's base prefixes, 0o octal included, after removing `_`.
  if (/^[-+]?0o[0-7]+$/.test(s.source.replace(/_/g, ''))) return 'number';
  return 'string';
}

/** The scalar's value as text, for messages. */
export function scalarText(s: LScalar): string {
  return s.quoted || typeof s.value === 'string' ? String(s.value) : s.source;
}

/** Describe a node's type for messages: "a list", "a map", "a number"... */
export function describe(n: LNode): string {
  if (n.type === 'map') return 'a map';
  if (n.type === 'seq') return 'a list';
  const t = goYamlType(n);
  return t === 'string' ? 'a string' : t === 'null' ? 'empty' : `a ${t}`;
}

/** Go's %q quoting of a string (what Kubernetes' field errors print). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
