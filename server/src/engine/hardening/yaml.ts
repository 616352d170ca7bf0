/**
 * The adapter from the engine's parsed documents to the hardening input
 * model: each Kubernetes object (a document, or an item of a `kind: List`)
 * as the JSON kubectl sends, with a locator over the document's AST.
 *
 * Both read the document through the Pod Security checks' own decoder
 * (cursor.ts `DocContext`, decode/kubectl.ts), so they follow go-yaml v2 as
 * those checks do: a map's fields in document order, each `<<` merge (a
 * plain `<<` or `!!merge`, never a quoted "<<") writing over what came
 * before it and a later key over an earlier one; keys as JSON keys
 * (`yes` is "true", `0x10` is "16"); plain scalars resolved as go-yaml v2
 * resolves them (a timestamp is a string, `!!binary` its decoded text).
 */
import { isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import { DocContext } from '../cursor';
import { goScalarKind } from '../decode/kubectl';
import type { Span } from '../types';
import type { JsonObject, JsonValue, KubeObject, Locator, Path } from './model';
import { isObject, resolveNamespace } from './model';
import type { HardeningNote } from './results';

export interface AdapterOptions {
  file: string;
  /** 0-based index of the document in its file. */
  document: number;
  /** The namespace of objects without metadata.namespace (the caller's default, e.g. "default"). */
  defaultNamespace: string;
  /** Alias expansion limit for decoding (as the engine's maxAliasCount). */
  maxAliasCount?: number;
  /**
   * Locators that keep positions as numbers instead of the document
   * (releasedLocator), so the document can go once the objects are read.
   */
  release?: boolean;
}

export interface AdapterResult {
  objects: KubeObject[];
  notes: HardeningNote[];
}

type YNode = Node;

/** The pair of `key` in a map as decoded: its own, or the one a `<<` merge brings, go-yaml's way. */
function findPair(ctx: DocContext, map: YAMLMap, key: string): Pair | null {
  return ctx.fields(map).get(key)?.pair ?? null;
}

function trimEnd(text: string | undefined, start: number, end: number): number {
  if (text === undefined) return end;
  let e = end;
  while (e > start && /\s/.test(text[e - 1] ?? '')) e--;
  return e;
}

function range(n: unknown): [number, number] | null {
  const r = (n as Node | null | undefined)?.range;
  return r ? [r[0], r[1]] : null;
}

/**
 * A pair's spans as locators give them: its key's (trimmed), and the whole
 * pair's, key and value, when the value is a scalar written after the key
 * (else the key's).
 */
function pairSpans(
  ctx: DocContext,
  text: string | undefined,
): { keySpan: (p: Pair) => Span | null; pairSpan: (p: Pair) => Span | null } {
  const keySpan = (p: Pair): Span | null => {
    const r = range(p.key);
    return r ? { start: r[0], end: trimEnd(text, r[0], r[1]) } : null;
  };
  const pairSpan = (p: Pair): Span | null => {
    const k = keySpan(p);
    if (!k) return null;
    const v = ctx.deref(p.value);
    if (v === null || isScalar(v)) {
      const vr = range(p.value) ?? (v ? range(v) : null);
      // only when the value follows the key (an alias's target may be elsewhere)
      if (vr && vr[0] >= k.end) return { start: k.start, end: trimEnd(text, vr[0], vr[1]) };
    }
    return k;
  };
  return { keySpan, pairSpan };
}

/**
 * The locator of one object: `root` is the object's node, `text` the file's
 * text when known (to trim spans). Paths are relative to the object.
 */
export function makeLocator(doc: Document, root: unknown, text?: string): Locator {
  // Locating follows a path, each step at most one alias chain: no budget to spend.
  const ctx = new DocContext(doc as Document.Parsed, Number.MAX_SAFE_INTEGER);
  const deref = (n: unknown): YNode | null => ctx.deref(n);
  const firstLine = (n: YNode | null): Span | null => {
    if (!n) return null;
    const r = range(n);
    if (isMap(n)) {
      const first = n.items.find(isPair);
      if (first) return pairSpan(first);
      return r ? { start: r[0], end: r[0] } : null;
    }
    if (!r) return null;
    if (isScalar(n)) return { start: r[0], end: trimEnd(text, r[0], r[1]) };
    if (isSeq(n)) {
      const first = n.items[0];
      const f = first === undefined ? null : firstLine(deref(first));
      return f ?? { start: r[0], end: r[0] };
    }
    return { start: r[0], end: r[1] };
  };
  const { keySpan, pairSpan } = pairSpans(ctx, text);
  return (path: Path): Span | null => {
    let cur = deref(root);
    let last: Span | null = firstLine(cur);
    if (!cur) return null;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as string | number;
      const final = i === path.length - 1;
      if (typeof seg === 'number') {
        if (!isSeq(cur)) return last;
        const item = cur.items[seg];
        if (item === undefined) return last;
        const n = deref(item);
        const s = firstLine(n) ?? last;
        if (final) return s;
        last = s;
        cur = n;
      } else {
        if (!isMap(cur)) return last;
        const p = findPair(ctx, cur, seg);
        if (!p) return last;
        if (final) return pairSpan(p) ?? last;
        last = keySpan(p) ?? last;
        cur = deref(p.value);
      }
      if (!cur) return last;
    }
    return last;
  };
}

/**
 * What `makeLocator` reads of an object's nodes, as numbers in one array
 * (no reference to the document). A node's record: its tag (LEAF, MAP,
 * SEQ), the span of its first line (start < 0: none); a sequence then has
 * its length and each item's record offset; a map its number of fields (as
 * decoded: its own and those a `<<` merge brings), then per field its key
 * (an index into `keys`), the key's span, the whole pair's span and its
 * value's record offset. An offset is NONE when the item or value is
 * nothing, ABSENT for an item that is not there, VALUE for a map's value
 * that is a scalar (present; nothing reads its span).
 */
interface Positions {
  data: Int32Array;
  keys: string[];
}

const LEAF = 0;
const MAP = 1;
const SEQ = 2;
const NONE = -1;
const ABSENT = -2;
const VALUE = -3;
/** Numbers per map field: key, key span, pair span, value. */
const FIELD = 6;

const spanOf = (s: number, e: number): Span | null => (s < 0 ? null : { start: s, end: e });

/**
 * The positions of every node under an object, read once from the document
 * (a node an alias reaches twice is recorded once): they answer each path as
 * `makeLocator` does, after the document is gone.
 */
function positionsOf(doc: Document, root: unknown, text: string | undefined): Positions {
  const ctx = new DocContext(doc as Document.Parsed, Number.MAX_SAFE_INTEGER);
  const { keySpan, pairSpan } = pairSpans(ctx, text);
  const data: number[] = [];
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const memo = new Map<YNode, number>();
  const visit = (raw: unknown, inMap: boolean): number => {
    const n = ctx.deref(raw);
    if (!n) return NONE;
    if (inMap && !isMap(n) && !isSeq(n)) return VALUE;
    const known = memo.get(n);
    if (known !== undefined) return known;
    const at = data.length;
    memo.set(n, at);
    const r = range(n);
    if (isMap(n)) {
      const first = n.items.find(isPair);
      const f = first ? pairSpan(first) : r ? { start: r[0], end: r[0] } : null;
      const fields = [...ctx.fields(n)];
      data.push(MAP, f ? f.start : -1, f ? f.end : -1, fields.length);
      const base = data.length;
      for (const [key, field] of fields) {
        let ki = keyIndex.get(key);
        if (ki === undefined) {
          ki = keys.length;
          keys.push(key);
          keyIndex.set(key, ki);
        }
        const k = keySpan(field.pair);
        const ps = k ? pairSpan(field.pair) : null;
        data.push(ki, k ? k.start : -1, k ? k.end : -1, ps ? ps.start : -1, ps ? ps.end : -1, 0);
      }
      fields.forEach(([, field], i) => {
        data[base + i * FIELD + 5] = visit(field.pair.value, true);
      });
    } else if (isSeq(n)) {
      data.push(SEQ, -1, -1, n.items.length);
      const base = data.length;
      for (let i = 0; i < n.items.length; i++) data.push(ABSENT);
      n.items.forEach((it, i) => {
        data[base + i] = it === undefined ? ABSENT : visit(it, false);
      });
      const first = data[base];
      if (r) {
        const fs = first !== undefined && first >= 0 ? (data[first + 1] as number) : -1;
        data[at + 1] = fs >= 0 ? fs : r[0];
        data[at + 2] = fs >= 0 ? (data[(first as number) + 2] as number) : r[0];
      }
    } else {
      const [s, e] = r
        ? isScalar(n)
          ? [r[0], trimEnd(text, r[0], r[1])]
          : [r[0], r[1]]
        : [-1, -1];
      data.push(LEAF, s, e);
    }
    return at;
  };
  const top = visit(root, false);
  return { data: top === NONE ? new Int32Array(0) : Int32Array.from(data), keys };
}

/**
 * A locator that answers as `makeLocator(doc, root, text)` does from
 * positions read once (see positionsOf), holding no reference to the
 * document: what a file's objects keep after the file is released.
 */
export function releasedLocator(doc: Document, root: unknown, text?: string): Locator {
  const { data, keys } = positionsOf(doc, root, text);
  const span = (at: number): Span | null => spanOf(data[at + 1] as number, data[at + 2] as number);
  return (path: Path): Span | null => {
    if (data.length === 0) return null;
    let cur = 0;
    let last = span(cur);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as string | number;
      const final = i === path.length - 1;
      const tag = data[cur];
      if (typeof seg === 'number') {
        if (tag !== SEQ) return last;
        const n = data[cur + 3] as number;
        if (!Number.isInteger(seg) || seg < 0 || seg >= n) return last;
        const item = data[cur + 4 + seg] as number;
        if (item === ABSENT) return last;
        const s = (item >= 0 ? span(item) : null) ?? last;
        if (final || item < 0) return s;
        last = s;
        cur = item;
      } else {
        if (tag !== MAP) return last;
        const n = data[cur + 3] as number;
        let f = -1;
        for (let j = 0; j < n; j++)
          if (keys[data[cur + 4 + j * FIELD] as number] === seg) {
            f = cur + 4 + j * FIELD;
            break;
          }
        if (f < 0) return last;
        if (final) return spanOf(data[f + 3] as number, data[f + 4] as number) ?? last;
        last = spanOf(data[f + 1] as number, data[f + 2] as number) ?? last;
        const value = data[f + 5] as number;
        // Nothing there, or a scalar: no field or item below it.
        if (value < 0) return last;
        cur = value;
      }
    }
    return last;
  };
}

/** Nodes decoded per document at most, aliases expanded (a bound on the work). */
const MAX_DECODED_NODES = 2_000_000;

/** `!!binary` bytes as the string go-yaml v2 makes of them (invalid UTF-8 becomes U+FFFD in JSON). */
const BINARY = new TextDecoder('utf-8');

/**
 * A scalar as kubectl sends it: a plain, untagged one resolved as go-yaml
 * v2 resolves it (its booleans, nulls and numbers; anything else, a
 * timestamp included, the text); `!!binary` its decoded text; others as
 * the YAML library read them.
 */
function scalarJson(n: Scalar): JsonValue {
  if (n.value instanceof Uint8Array) return BINARY.decode(n.value);
  if (n.type === 'PLAIN' && !n.tag && n.source !== undefined) {
    const k = goScalarKind(n.source);
    if (k.kind === 'null') return null;
    if (k.kind === 'bool' || k.kind === 'int' || k.kind === 'float') return k.value;
    return typeof n.value === 'string' ? n.value : n.source;
  }
  return toJson(n.value);
}

/**
 * The document's value as kubectl sends it, read through `ctx` (the Pod
 * Security checks' decoder: go-yaml v2's merges and keys), aliases followed
 * against its budget. Throws past `maxAliasCount` alias look-ups or
 * MAX_DECODED_NODES nodes.
 */
function decode(ctx: DocContext, maxAliasCount: number): JsonValue {
  let nodes = 0;
  const visit = (n: unknown, depth: number): JsonValue => {
    if (++nodes > MAX_DECODED_NODES) throw new Error(`more than ${MAX_DECODED_NODES} nodes`);
    if (depth > 2000) throw new Error('nesting too deep');
    const cur = ctx.deref(n);
    if (ctx.overLimit) throw new Error(`more than ${maxAliasCount} alias look-ups (maxAliasCount)`);
    if (isScalar(cur)) return scalarJson(cur);
    if (isSeq(cur)) return cur.items.map((x) => visit(x, depth + 1));
    if (isMap(cur)) {
      const out: JsonObject = {};
      for (const [k, f] of ctx.fields(cur))
        Object.defineProperty(out, k, {
          value: visit(f.pair.value, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    }
    return null;
  };
  return visit(ctx.doc.contents, 0);
}

/** Plain JSON from what the yaml library builds (dates, binary, sets, maps, big integers). */
function toJson(v: unknown, depth = 0): JsonValue {
  if (depth > 2000) return null;
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date)
    return Number.isNaN(v.getTime()) ? null : v.toISOString().replace('.000Z', 'Z');
  if (v instanceof Uint8Array) return base64(v);
  if (Array.isArray(v)) return v.map((x) => toJson(x, depth + 1));
  if (v instanceof Set) return Object.fromEntries([...v].map((k) => [String(k), null]));
  if (v instanceof Map)
    return Object.fromEntries([...v].map(([k, x]) => [String(k), toJson(x, depth + 1)]));
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      out[k] = toJson(x, depth + 1);
    return out;
  }
  return null;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (as Go's encoding/json writes []byte). */
function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63];
    out += B64[(n >> 12) & 63];
    out += b === undefined ? '=' : B64[(n >> 6) & 63];
    out += c === undefined ? '=' : B64[n & 63];
  }
  return out;
}

function isKubeObject(v: JsonValue | undefined): v is JsonObject {
  return isObject(v) && typeof v['apiVersion'] === 'string' && typeof v['kind'] === 'string';
}

/** The Kubernetes objects of one parsed YAML document (a List gives its items). */
export function objectsFromDocument(
  doc: Document.Parsed,
  options: AdapterOptions,
  text?: string,
): AdapterResult {
  const notes: HardeningNote[] = [];
  const objects: KubeObject[] = [];
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const at = first ? Math.max(0, first.pos[0]) : 0;
    notes.push({
      check: null,
      message: 'YAML errors: this document is not evaluated by the hardening checks',
      file: options.file,
      span: { start: at, end: first ? Math.max(at, first.pos[1]) : at },
      object: null,
    });
    return { objects, notes };
  }
  const maxAliasCount = options.maxAliasCount ?? 100;
  let value: JsonValue;
  try {
    value = decode(new DocContext(doc, maxAliasCount), maxAliasCount);
  } catch (e) {
    const r = range(doc.contents);
    notes.push({
      check: null,
      message: `Not evaluated by the hardening checks: ${e instanceof Error ? e.message : String(e)}`,
      file: options.file,
      span: r ? { start: r[0], end: r[0] } : { start: 0, end: 0 },
      object: null,
    });
    return { objects, notes };
  }
  const make = (v: JsonObject, node: unknown, item: number | null): KubeObject => {
    const locate = options.release
      ? releasedLocator(doc, node, text)
      : makeLocator(doc, node, text);
    return {
      value: v,
      file: options.file,
      document: options.document,
      item,
      namespace: resolveNamespace(v, options.defaultNamespace),
      locate,
    };
  };
  if (!isKubeObject(value)) return { objects, notes };
  if (value['kind'] === 'List' && Array.isArray(value['items'])) {
    const ctx = new DocContext(doc, Number.MAX_SAFE_INTEGER);
    const root = ctx.deref(doc.contents);
    const itemsPair = isMap(root) ? findPair(ctx, root, 'items') : null;
    const itemsNode = itemsPair ? ctx.deref(itemsPair.value) : null;
    value['items'].forEach((it, i) => {
      if (!isKubeObject(it)) return;
      const node = isSeq(itemsNode) ? itemsNode.items[i] : null;
      if (node !== null && node !== undefined) objects.push(make(it, node, i));
    });
    return { objects, notes };
  }
  objects.push(make(value, doc.contents, null));
  return { objects, notes };
}

/** Parse a text (YAML 1.1, duplicate keys read, as Kubernetes reads it) and return its objects. */
export function objectsFromText(
  text: string,
  options: Omit<AdapterOptions, 'document'>,
): AdapterResult {
  const objects: KubeObject[] = [];
  const notes: HardeningNote[] = [];
  const docs = parseAllDocuments(text, { version: '1.1', prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, document) => {
    const r = objectsFromDocument(doc, { ...options, document }, text);
    objects.push(...r.objects);
    notes.push(...r.notes);
  });
  return { objects, notes };
}
