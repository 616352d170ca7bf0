/**
 * The value tree a build works on: maps, sequences and scalars, each node
 * carrying the origin of its value (and each map key the origin of its key),
 * so that whatever a patch or a transformer does, every value of a built
 * object still says where it came from.
 *
 * Scalars keep their text as kustomize's YAML reader keeps it (`0x50` stays
 * `0x50`; merge keys compare that text) together with the tag it resolved
 * to; printing and hashing turn it into the value (`80`).
 */
import { isAlias, isMap, isScalar, isSeq, Scalar } from 'yaml';
import { aliasTargets } from '../aliases';
import type { Document, Node as YNode } from 'yaml';
import type { Origin, ValueOrigin } from '../sources/sourcemap';
import { floatValue, goJsonFloat, intText, parseTimestamp, resolvePlain } from './scalars';
import type { ScalarTag } from './scalars';

export interface KScalar {
  kind: 'scalar';
  tag: ScalarTag;
  /** The scalar's text as read (for a string, the string). */
  text: string;
  origin: Origin | null;
}

export interface KEntry {
  key: string;
  keyOrigin: Origin | null;
  value: KNode;
}

export interface KMap {
  kind: 'map';
  entries: KEntry[];
  origin: Origin | null;
}

export interface KSeq {
  kind: 'seq';
  items: KNode[];
  origin: Origin | null;
}

export type KNode = KScalar | KMap | KSeq;

export function scalar(text: string, tag: ScalarTag, origin: Origin | null): KScalar {
  return { kind: 'scalar', tag, text, origin };
}

export function str(text: string, origin: Origin | null): KScalar {
  return scalar(text, 'str', origin);
}

export function kmap(origin: Origin | null, entries: KEntry[] = []): KMap {
  return { kind: 'map', entries, origin };
}

export function kseq(origin: Origin | null, items: KNode[] = []): KSeq {
  return { kind: 'seq', items, origin };
}

export function isNull(n: KNode | undefined | null): boolean {
  return !n || (n.kind === 'scalar' && n.tag === 'null');
}

export function entry(m: KMap, key: string): KEntry | undefined {
  return m.entries.find((e) => e.key === key);
}

export function get(m: KNode | undefined | null, key: string): KNode | undefined {
  return m && m.kind === 'map' ? entry(m, key)?.value : undefined;
}

/** The node at a path of keys (maps only). */
export function getPath(n: KNode | undefined | null, path: readonly string[]): KNode | undefined {
  let cur: KNode | undefined = n ?? undefined;
  for (const k of path) cur = get(cur, k);
  return cur;
}

/** A string-valued field (`kind`, `metadata.name`): the scalar's text, or '' when absent or not a scalar. */
export function getString(n: KNode | undefined | null, path: readonly string[]): string {
  const v = getPath(n, path);
  return v && v.kind === 'scalar' && v.tag !== 'null' ? v.text : '';
}

/** Set `key` in `m` (replacing the value, keeping the key's origin), or append it. */
export function set(m: KMap, key: string, value: KNode, keyOrigin: Origin | null = null): void {
  const e = entry(m, key);
  if (e) e.value = value;
  else m.entries.push({ key, keyOrigin: keyOrigin ?? value.origin, value });
}

export function remove(m: KMap, key: string): void {
  const i = m.entries.findIndex((e) => e.key === key);
  if (i >= 0) m.entries.splice(i, 1);
}

/** The map at `key`, created (with `origin`) when absent or null. */
export function ensureMap(m: KMap, key: string, origin: Origin | null): KMap {
  const v = get(m, key);
  if (v && v.kind === 'map') return v;
  const created = kmap(origin);
  set(m, key, created, origin);
  return created;
}

export function clone<T extends KNode>(n: T): T {
  switch (n.kind) {
    case 'scalar':
      return { ...n };
    case 'map':
      return {
        kind: 'map',
        origin: n.origin,
        entries: n.entries.map((e) => ({
          key: e.key,
          keyOrigin: e.keyOrigin,
          value: clone(e.value),
        })),
      } as T;
    default:
      return { kind: 'seq', origin: n.origin, items: n.items.map((i) => clone(i)) } as T;
  }
}

/** Give every node (and key) of a tree one origin: what a generator or transformer creates. */
export function stamp<T extends KNode>(n: T, origin: Origin): T {
  n.origin = origin;
  if (n.kind === 'map') {
    for (const e of n.entries) {
      e.keyOrigin = origin;
      stamp(e.value, origin);
    }
  } else if (n.kind === 'seq') for (const i of n.items) stamp(i, origin);
  return n;
}

/** A JSON-like value as kustomize's JSON conversion makes it (for hashing, equality and tests). */
export type Plain = null | boolean | number | string | bigint | Plain[] | { [k: string]: Plain };

const TRUE_WORDS = new Set([
  'true',
  'True',
  'TRUE',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'on',
  'On',
  'ON',
]);

export function boolValue(text: string): boolean {
  return TRUE_WORDS.has(text);
}

/** The JSON value of a scalar; numbers past 2^53 stay exact as bigint. */
export function scalarValue(s: KScalar): Plain {
  switch (s.tag) {
    case 'null':
      return null;
    case 'bool':
      return boolValue(s.text);
    case 'int': {
      const v = BigInt(intText(s.text));
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v;
    }
    case 'float':
      return floatValue(s.text);
    case 'timestamp':
      return parseTimestamp(s.text) ?? s.text;
    default:
      return s.text;
  }
}

export function toPlain(n: KNode): Plain {
  if (n.kind === 'scalar') return scalarValue(n);
  if (n.kind === 'seq') return n.items.map(toPlain);
  const o: { [k: string]: Plain } = {};
  for (const e of n.entries) o[e.key] = toPlain(e.value);
  return o;
}

/**
 * Rewrite scalars as a trip through JSON leaves them (what kustomize's JSON
 * patch does to a whole object): integers in decimal, booleans as
 * `true`/`false`, timestamps as strings.
 */
export function normalizeAsJson(n: KNode): void {
  if (n.kind === 'map') for (const e of n.entries) normalizeAsJson(e.value);
  else if (n.kind === 'seq') for (const i of n.items) normalizeAsJson(i);
  else if (n.tag === 'int') n.text = intText(n.text);
  else if (n.tag === 'bool') n.text = boolValue(n.text) ? 'true' : 'false';
  else if (n.tag === 'timestamp') {
    n.text = parseTimestamp(n.text) ?? n.text;
    n.tag = 'str';
  } else if (n.tag === 'float') {
    const j = goJsonFloat(floatValue(n.text));
    if (j !== null) {
      n.text = j;
      if (/^-?[0-9]+$/.test(j)) n.tag = 'int';
    }
  } else if (n.tag === 'null') n.text = 'null';
}

/** Structural equality of the JSON values (JSON patch `test`). */
export function plainEqual(a: KNode, b: KNode): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    const x = scalarValue(a);
    const y = scalarValue(b);
    if (
      (typeof x === 'number' || typeof x === 'bigint') &&
      (typeof y === 'number' || typeof y === 'bigint')
    )
      return Number(x) === Number(y);
    return x === y;
  }
  if (a.kind === 'seq' && b.kind === 'seq')
    return (
      a.items.length === b.items.length &&
      a.items.every((x, i) => plainEqual(x, b.items[i] as KNode))
    );
  if (a.kind === 'map' && b.kind === 'map') {
    if (a.entries.length !== b.entries.length) return false;
    return a.entries.every((e) => {
      const o = get(b, e.key);
      return o !== undefined && plainEqual(e.value, o);
    });
  }
  return false;
}

// ---------------------------------------------------------------------------
// Reading YAML into trees

/** Where a parsed text sits in its file: the text may be a block scalar inside a kustomization file. */
export interface TextSource {
  file: string;
  /** Maps an offset in the parsed text to an offset in `file` (identity when the text is the file). */
  map?: (offset: number) => number;
  /** The document index origins name (the kustomization file's, for a patch written inside it). */
  document?: number;
}

export interface ReadOptions {
  /** Resolve plain scalars as YAML 1.1 (kustomization files, JSON patches) rather than as kustomize's resource reader. */
  yaml11: boolean;
  /** Most nodes one document may expand to (aliases included): an alias bomb stops here. */
  maxNodes: number;
  /** A key given twice is an error (resources); otherwise the last one wins (kustomization files). */
  uniqueKeys: boolean;
}

/** A key given twice in one map (kustomize's resource reader refuses it). */
export class DuplicateKeyError extends Error {
  constructor(
    readonly key: string,
    readonly firstStart: number,
    readonly start: number,
    readonly end: number,
  ) {
    super(`mapping key ${JSON.stringify(key)} already defined`);
  }
}

export class TreeLimitError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

const TAGS: Record<string, ScalarTag> = {
  'tag:yaml.org,2002:str': 'str',
  'tag:yaml.org,2002:int': 'int',
  'tag:yaml.org,2002:float': 'float',
  'tag:yaml.org,2002:bool': 'bool',
  'tag:yaml.org,2002:null': 'null',
  'tag:yaml.org,2002:timestamp': 'timestamp',
};

/**
 * How many nodes reading the document makes, aliases expanded, counted
 * without expanding them: each node's size is computed once and reused for
 * every alias of it, so an alias bomb is measured in as many steps as it has
 * nodes (`visited`), not as it expands to. Stops once past `cap`.
 */
export function expandedSize(
  doc: Document.Parsed,
  cap: number,
  targets: ReadonlyMap<unknown, unknown> = aliasTargets(doc),
): { size: number; visited: number } {
  const memo = new Map<unknown, number>();
  const active = new Set<unknown>();
  let visited = 0;
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const target = targets.get(node);
      // An alias of a node it is inside of reads as null (see Reader.read).
      return target === undefined || active.has(target) ? 0 : size(target);
    }
    const known = memo.get(node);
    if (known !== undefined) return known;
    visited++;
    let n = 0;
    if (isScalar(node)) n = 1;
    else if (isSeq(node) || isMap(node)) {
      n = 1;
      active.add(node);
      try {
        for (const item of node.items as unknown[]) {
          n += isSeq(node) ? size(item) : size((item as { value?: unknown }).value);
          if (n > cap) break;
        }
      } finally {
        active.delete(node);
      }
    }
    memo.set(node, n);
    return n;
  };
  return { size: size(doc.contents), visited };
}

class Reader {
  private nodes = 0;
  private readonly targets: ReadonlyMap<unknown, unknown>;

  constructor(
    doc: Document.Parsed,
    private readonly src: TextSource,
    private readonly document: number,
    private readonly opts: ReadOptions,
    targets?: ReadonlyMap<unknown, unknown>,
  ) {
    this.targets = targets ?? aliasTargets(doc);
  }

  private origin(
    range: readonly number[] | null | undefined,
    path: (string | number)[],
  ): ValueOrigin {
    const map = this.src.map ?? ((o: number) => o);
    const s = range?.[0] ?? 0;
    const e = range?.[1] ?? s;
    return {
      kind: 'value',
      file: this.src.file,
      start: map(s),
      end: map(e),
      // Paths are built once per node and never changed: shared, not copied.
      path,
      document: this.document,
    };
  }

  private count(range: readonly number[] | null | undefined): void {
    if (++this.nodes > this.opts.maxNodes) {
      throw new TreeLimitError(
        `document expands to more than ${this.opts.maxNodes} nodes (aliases are expanded): not built`,
        this.src.map ? this.src.map(range?.[0] ?? 0) : (range?.[0] ?? 0),
        this.src.map ? this.src.map(range?.[1] ?? 0) : (range?.[1] ?? 0),
      );
    }
  }

  read(node: unknown, path: (string | number)[], active: Set<unknown>): KNode {
    if (node === null || node === undefined) return scalar('', 'null', null);
    if (isAlias(node)) {
      const target = this.targets.get(node);
      if (!target || active.has(target)) return scalar('', 'null', this.origin(node.range, path));
      active.add(target);
      try {
        return this.read(target, path, active);
      } finally {
        active.delete(target);
      }
    }
    const yn = node as YNode;
    this.count(yn.range);
    if (isScalar(yn)) return this.scalar(yn, path);
    if (isSeq(yn)) {
      const out = kseq(this.origin(yn.range, path));
      yn.items.forEach((item, i) => out.items.push(this.read(item, [...path, i], active)));
      return out;
    }
    if (isMap(yn)) {
      const out = kmap(this.origin(yn.range, path));
      const merges: KNode[] = [];
      for (const pair of yn.items) {
        const k = pair.key;
        const keyText = this.keyText(k);
        if (keyText === '<<' && isScalar(k) && k.type === Scalar.PLAIN) {
          merges.push(this.read(pair.value, path, active));
          continue;
        }
        const keyRange = isScalar(k) || isMap(k) || isSeq(k) ? (k as YNode).range : null;
        const keyPath = [...path, keyText];
        const keyOrigin = this.origin(keyRange, keyPath);
        const prev = entry(out, keyText);
        if (prev && this.opts.uniqueKeys)
          throw new DuplicateKeyError(
            keyText,
            prev.keyOrigin?.start ?? 0,
            keyOrigin.start,
            keyOrigin.end,
          );
        set(out, keyText, this.read(pair.value, keyPath, active), keyOrigin);
      }
      // `<<` merge keys: explicit keys win, then earlier merged maps.
      for (const m of merges) {
        const maps = m.kind === 'seq' ? m.items : [m];
        for (const src of maps) {
          if (src.kind !== 'map') continue;
          for (const e of src.entries) if (!entry(out, e.key)) out.entries.push(e);
        }
      }
      return out;
    }
    return scalar('', 'null', this.origin(yn.range, path));
  }

  private keyText(k: unknown): string {
    if (isScalar(k)) return typeof k.source === 'string' ? k.source : String(k.value);
    if (k === null || k === undefined) return '';
    if (isAlias(k)) {
      const t = this.targets.get(k);
      return isScalar(t) ? this.keyText(t) : isMap(t) || isSeq(t) ? t.toString() : '';
    }
    return isMap(k) || isSeq(k) ? k.toString() : '';
  }

  private scalar(s: Scalar, path: (string | number)[]): KScalar {
    const text =
      typeof s.source === 'string' ? s.source : typeof s.value === 'string' ? s.value : '';
    const origin = this.origin(s.range, path);
    const explicit = s.tag ? TAGS[s.tag] : undefined;
    if (explicit) return scalar(text, explicit, origin);
    if (s.tag && s.tag !== '!') return scalar(text, 'str', origin);
    if (s.type === Scalar.PLAIN && s.tag !== '!')
      return scalar(text, resolvePlain(text, this.opts.yaml11), origin);
    return scalar(text, 'str', origin);
  }
}

/** The tree of one parsed document (null for an empty document). */
export function readDocument(
  doc: Document.Parsed,
  src: TextSource,
  document: number,
  opts: ReadOptions,
): KNode | null {
  if (doc.contents === null || doc.contents === undefined) return null;
  const targets = aliasTargets(doc);
  // An alias bomb ends here, measured before any of it is expanded.
  if (targets.size > 0 && expandedSize(doc, opts.maxNodes, targets).size > opts.maxNodes) {
    const map = src.map ?? ((o: number) => o);
    const [start, end] = [doc.range[0], doc.range[1]];
    throw new TreeLimitError(
      `document expands to more than ${opts.maxNodes} nodes (aliases are expanded): not built`,
      map(start),
      map(end),
    );
  }
  return new Reader(doc, src, document, opts, targets).read(doc.contents, [], new Set());
}
