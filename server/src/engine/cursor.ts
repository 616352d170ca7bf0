/**
 * Located, read-only access to the fields of one YAML document.
 *
 * A Cursor is a position in the document's AST: the node it points at (with
 * aliases already followed), the pair key it was reached by, the field path
 * and the span a finding about it should underline. Missing fields give a
 * cursor with `node === null`, so accessors chain without checks.
 *
 * Reading a typed value (bool, int, string) also validates its YAML type the
 * way Kubernetes' decoder would, recording a schema error once per node.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Alias, Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Diagnostic, Span } from './types';

export type YNode = Scalar | YAMLMap | YAMLSeq;

/** Shared state of one document's evaluation. */
export class DocContext {
  readonly errors: Diagnostic[] = [];
  private readonly reported = new Set<unknown>();
  aliasHops = 0;
  /** Set when the alias limit was reached: the document's results are incomplete. */
  overLimit = false;
  private targets: Map<Alias, unknown> | null = null;

  constructor(
    readonly doc: Document.Parsed,
    readonly maxAliasHops: number,
  ) {}

  /** Follow aliases to the anchored node. Returns null for a dangling alias or over the limit. */
  deref(node: unknown): YNode | null {
    let n = node;
    let hops = 0;
    while (isAlias(n)) {
      if (++hops > 32) return null;
      if (++this.aliasHops > this.maxAliasHops) {
        this.overLimit = true;
        return null;
      }
      n = this.target(n);
    }
    if (isScalar(n) || isMap(n) || isSeq(n)) return n;
    return null;
  }

  /**
   * The node an alias refers to: the last node anchored with its name before
   * it, in document order (what `Alias.resolve` finds). `resolve` walks the
   * document on every call, which makes many aliases quadratic; this indexes
   * every alias in one walk, on first use.
   */
  private target(alias: Alias): unknown {
    if (!this.targets) {
      const targets = new Map<Alias, unknown>();
      const anchored = new Map<string, unknown>();
      visit(this.doc, {
        Node: (_key, node) => {
          if (isAlias(node)) targets.set(node, anchored.get(node.source));
          else if (node.anchor) anchored.set(node.anchor, node);
        },
      });
      this.targets = targets;
    }
    return this.targets.has(alias) ? this.targets.get(alias) : alias.resolve(this.doc);
  }

  schemaError(node: Node, message: string): void {
    if (this.reported.has(node)) return;
    this.reported.add(node);
    const r = node.range;
    if (!r) return;
    this.errors.push({
      message,
      span: { start: r[0], end: r[1] },
      code: 'schema',
      severity: 'error',
    });
  }
}

export function nodeSpan(node: Node | null | undefined): Span | null {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : null;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.source === '<<');
}

function keyText(key: unknown): string | null {
  if (isScalar(key)) {
    const v = key.value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return key.source ?? String(v);
    return null;
  }
  return null;
}

function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const k = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
  if (base === '') return k;
  return /^[A-Za-z_][\w-]*$/.test(key) ? `${base}.${k}` : `${base}[${k}]`;
}

export class Cursor {
  constructor(
    readonly ctx: DocContext,
    /** The node at this position, aliases followed; null when absent. */
    readonly node: YNode | null,
    /** The pair through which it was reached (null for roots and sequence items). */
    readonly pair: Pair | null,
    readonly path: string,
    /** When reached through an alias, the span in the workload's own text to underline instead. */
    readonly via: Span | null,
    /** The map this field belongs to (for fixes), aliases followed. */
    readonly parent: YAMLMap | null,
    /** The key name under `parent`. */
    readonly key: string | null,
  ) {}

  static root(ctx: DocContext, node: unknown, path = ''): Cursor {
    return new Cursor(ctx, ctx.deref(node), null, path, null, null, null);
  }

  /** True when the field is present and not null. */
  get present(): boolean {
    const n = this.node;
    return n !== null && !(isScalar(n) && n.value === null);
  }

  get map(): YAMLMap | null {
    return isMap(this.node) ? this.node : null;
  }

  /** Where a finding about this field goes: the whole `key: value` pair, or the node itself. */
  get span(): Span {
    if (this.via) return this.via;
    const p = this.pair;
    const keyNode = p && (p.key as Node | null);
    const start = keyNode?.range?.[0] ?? this.node?.range?.[0] ?? 0;
    const valueNode = p ? (p.value as Node | null) : this.node;
    const end = valueNode?.range?.[1] ?? keyNode?.range?.[1] ?? this.node?.range?.[1] ?? start;
    return { start, end };
  }

  /** Span of the key only (or the node when there is no key). */
  get keySpan(): Span {
    if (this.via) return this.via;
    const keyNode = this.pair?.key as Node | null | undefined;
    return nodeSpan(keyNode) ?? nodeSpan(this.node) ?? { start: 0, end: 0 };
  }

  private child(pair: Pair, key: string, viaMerge: Span | null): Cursor {
    const raw = pair.value;
    let via = this.via ?? viaMerge;
    if (!via && isAlias(raw)) {
      const k = pair.key as Node | null;
      via = { start: k?.range?.[0] ?? raw.range?.[0] ?? 0, end: raw.range?.[1] ?? 0 };
    }
    return new Cursor(
      this.ctx,
      this.ctx.deref(raw),
      pair,
      joinPath(this.path, key),
      via,
      this.map,
      key,
    );
  }

  /** The field `key` of this map (following `<<` merge keys); absent when this is not a map. */
  get(key: string): Cursor {
    const m = this.map;
    if (m) {
      for (const it of m.items) {
        if (isPair(it) && keyText(it.key) === key) return this.child(it, key, null);
      }
      for (const { map, via } of this.mergedMaps(m)) {
        for (const it of map.items) {
          if (isPair(it) && keyText(it.key) === key) return this.child(it, key, via);
        }
      }
    }
    return new Cursor(this.ctx, null, null, joinPath(this.path, key), this.via, m, key);
  }

  /**
   * The maps merged into `m` by `<<` keys, in precedence order, including
   * the merges of merged maps (as Kubernetes' YAML decoder resolves them),
   * each with the span of `m`'s own merge pair to underline. Each map once.
   */
  private mergedMaps(m: YAMLMap): Array<{ map: YAMLMap; via: Span }> {
    const out: Array<{ map: YAMLMap; via: Span }> = [];
    const seen = new Set<YAMLMap>([m]);
    const walk = (map: YAMLMap, outer: Span | null, depth: number): void => {
      for (const it of map.items) {
        if (!isPair(it) || !isMergeKey(it.key)) continue;
        const k = it.key as Node | null;
        const via = outer ?? {
          start: k?.range?.[0] ?? 0,
          end: (it.value as Node | null)?.range?.[1] ?? 0,
        };
        const src = this.ctx.deref(it.value);
        const sources: unknown[] = isSeq(src) ? src.items : [it.value];
        for (const s of sources) {
          const sm = this.ctx.deref(s);
          if (!isMap(sm) || seen.has(sm)) continue;
          seen.add(sm);
          out.push({ map: sm, via });
          if (depth < 32) walk(sm, via, depth + 1);
        }
      }
    };
    walk(m, null, 0);
    return out;
  }

  /** Visit `key: value` entries of a map (string keys only), merged keys included. */
  entries(): Array<[string, Cursor]> {
    const m = this.map;
    if (!m) return [];
    const out: Array<[string, Cursor]> = [];
    const seen = new Set<string>();
    for (const it of m.items) {
      if (!isPair(it) || isMergeKey(it.key)) continue;
      const k = keyText(it.key);
      if (k === null || seen.has(k)) continue;
      seen.add(k);
      out.push([k, this.child(it, k, null)]);
    }
    for (const { map, via } of this.mergedMaps(m)) {
      for (const p of map.items) {
        if (!isPair(p) || isMergeKey(p.key)) continue;
        const k = keyText(p.key);
        if (k === null || seen.has(k)) continue;
        seen.add(k);
        out.push([k, this.child(p, k, via)]);
      }
    }
    return out;
  }

  /** Items of a sequence. A present non-sequence records a schema error and gives none. */
  items(): Cursor[] {
    const n = this.node;
    if (!this.present) return [];
    if (!isSeq(n)) {
      this.ctx.schemaError(n as Node, `${this.path || 'value'} must be a list`);
      return [];
    }
    const out: Cursor[] = [];
    n.items.forEach((raw, i) => {
      let via = this.via;
      if (!via && isAlias(raw)) via = nodeSpan(raw);
      out.push(
        new Cursor(this.ctx, this.ctx.deref(raw), null, joinPath(this.path, i), via, null, null),
      );
    });
    return out;
  }

  /** The cursor as an object: present non-maps record a schema error. Returns this for chaining. */
  asObject(): Cursor {
    if (this.present && !isMap(this.node)) {
      this.ctx.schemaError(this.node as Node, `${this.path || 'value'} must be an object`);
    }
    return this;
  }

  /** A boolean field. `true`/`false` (and YAML 1.1 yes/no/on/off). A quoted "true" (or "yes") is a schema error but is read as meant. */
  bool(): boolean | undefined {
    const n = this.node;
    if (!this.present || !n) return undefined;
    if (isScalar(n)) {
      if (typeof n.value === 'boolean') return n.value;
      if (typeof n.value === 'string') {
        const v = n.value.trim().toLowerCase();
        this.ctx.schemaError(n, `${this.path} must be a boolean (true or false), not a string`);
        // Read as meant, YAML 1.1 words included, so the error hides no violation.
        if (v === 'true' || v === 'yes' || v === 'y' || v === 'on') return true;
        if (v === 'false' || v === 'no' || v === 'n' || v === 'off') return false;
        return undefined;
      }
    }
    this.ctx.schemaError(n, `${this.path} must be a boolean (true or false)`);
    return undefined;
  }

  /** An integer field. A quoted number is a schema error but is read as meant. */
  int(): number | undefined {
    const n = this.node;
    if (!this.present || !n) return undefined;
    if (isScalar(n)) {
      if (typeof n.value === 'number' && Number.isInteger(n.value)) return n.value;
      if (typeof n.value === 'string' && /^\s*[-+]?\d+\s*$/.test(n.value)) {
        this.ctx.schemaError(n, `${this.path} must be an integer, not a string`);
        return Number.parseInt(n.value, 10);
      }
    }
    this.ctx.schemaError(n, `${this.path} must be an integer`);
    return undefined;
  }

  /** A string field. Other scalars are read by their source text, as Kubernetes' decoder does. */
  str(): string | undefined {
    const n = this.node;
    if (!this.present || !n) return undefined;
    if (isScalar(n)) {
      if (typeof n.value === 'string') return n.value;
      return n.source ?? String(n.value);
    }
    this.ctx.schemaError(n, `${this.path} must be a string`);
    return undefined;
  }
}
