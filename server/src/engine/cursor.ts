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
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { aliasBudget, derefNode } from './aliases';
import type { AliasBudget } from './aliases';
import {
  GO_INT_RANGE,
  goIntJson,
  goJsonFloat,
  goScalarKind,
  isMergeKey,
  jsonKey,
} from './decode/kubectl';
import type { GoIntType } from './decode/kubectl';
import type { Diagnostic, Span } from './types';

export type YNode = Scalar | YAMLMap | YAMLSeq;

/** `!!binary` bytes as the string go-yaml v2 makes of them (invalid UTF-8 becomes U+FFFD in JSON). */
const BINARY = new TextDecoder('utf-8');

/** A field of a map as decoded: its pair, and when merged in, the span of the `<<` pair. */
export interface Field {
  pair: Pair;
  via: Span | null;
}

/** Shared state of one document's evaluation. */
export class DocContext {
  readonly errors: Diagnostic[] = [];
  private readonly reported = new Set<unknown>();
  /** Alias look-ups of the whole evaluation, against the limit. */
  readonly aliases: AliasBudget;
  private readonly resolved = new WeakMap<YAMLMap, Map<string, Field>>();
  private readonly resolving = new Set<YAMLMap>();

  constructor(
    readonly doc: Document.Parsed,
    maxAliasHops: number,
  ) {
    this.aliases = aliasBudget(maxAliasHops);
  }

  /** Set when the alias limit was reached: the document's results are incomplete. */
  get overLimit(): boolean {
    return this.aliases.over;
  }

  /** Follow aliases to the anchored node. Returns null for a dangling alias or over the limit. */
  deref(node: unknown): YNode | null {
    return derefNode(this.doc, node, this.aliases);
  }

  /**
   * The fields of a map as Kubernetes' decoder (go-yaml v2) sees them: its
   * pairs in document order, each `<<` merge writing the merged map's fields
   * over what came before (a list of maps from its last to its first, so the
   * first wins), a later key overriding an earlier one (duplicates: the
   * last). A merged field carries the span of this map's `<<` pair to
   * underline. Computed once per map.
   */
  fields(m: YAMLMap): ReadonlyMap<string, Field> {
    let out = this.resolved.get(m);
    if (out) return out;
    out = new Map<string, Field>();
    if (this.resolving.has(m)) return out; // a map merging itself
    this.resolving.add(m);
    for (const it of m.items) {
      if (!isPair(it)) continue;
      if (!isMergeKey(it.key)) {
        const k = keyText(it.key);
        if (k !== null) out.set(k, { pair: it, via: null });
        continue;
      }
      const keyNode = it.key as Node | null;
      const via: Span = {
        start: keyNode?.range?.[0] ?? 0,
        end: (it.value as Node | null)?.range?.[1] ?? 0,
      };
      const src = this.deref(it.value);
      const sources: unknown[] = isSeq(src) ? [...src.items].reverse() : [it.value];
      for (const s of sources) {
        const sm = this.deref(s);
        if (!isMap(sm)) continue;
        for (const [k, f] of this.fields(sm)) out.set(k, { pair: f.pair, via });
      }
    }
    this.resolving.delete(m);
    this.resolved.set(m, out);
    return out;
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

/** A key as the API server reads it (decode/kubectl.ts `jsonKey`: `yes` is "true", `0x10` is "16"). */
const keyText = jsonKey;

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
    /** An item of a list (whose null decodes as the item type's zero value). */
    readonly item = false,
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
      const e = this.ctx.fields(m).get(key);
      if (e) return this.child(e.pair, key, e.via);
    }
    return new Cursor(this.ctx, null, null, joinPath(this.path, key), this.via, m, key);
  }

  /** Visit `key: value` entries of a map (string keys only), merged keys included. */
  entries(): Array<[string, Cursor]> {
    const m = this.map;
    if (!m) return [];
    const out: Array<[string, Cursor]> = [];
    for (const [k, e] of this.ctx.fields(m)) out.push([k, this.child(e.pair, k, e.via)]);
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
        new Cursor(
          this.ctx,
          this.ctx.deref(raw),
          null,
          joinPath(this.path, i),
          via,
          null,
          null,
          true,
        ),
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

  /**
   * An integer field of Go type `type`, as kubectl sends it and the API
   * server decodes it: a plain scalar resolves as go-yaml v2 does (`0x50`,
   * `0o120`, `0120`, `1_000`, `+80`, `0b1010`); a float reaches the API
   * server as encoding/json writes a float64 (`80.0` and `8e1` as `80`,
   * `1e10` as `10000000000`), and the decoder takes only a whole number
   * within the type's range (`goIntJson`). Anything else is a schema error
   * at the value, and the field reads as unknown. A quoted number is a
   * schema error but is read as meant.
   */
  int(type: GoIntType): number | undefined {
    const n = this.node;
    if (!this.present || !n) return undefined;
    if (isScalar(n)) {
      if (n.type === 'PLAIN' && !n.tag && n.source !== undefined) {
        const k = goScalarKind(n.source);
        if (k.kind === 'int' || k.kind === 'float') {
          const json = k.kind === 'int' ? k.text : goJsonFloat(k.value);
          const d = goIntJson(json, type);
          if (d.ok) return Number(json);
          this.ctx.schemaError(n, this.intError(type, n.source, json, d.whole));
          return undefined;
        }
        if (typeof n.value !== 'string') {
          this.ctx.schemaError(
            n,
            `${this.path} must be an integer (kubectl reads this as a string)`,
          );
          return undefined;
        }
      } else if (typeof n.value === 'number' && Number.isFinite(n.value)) {
        // A tagged number (`!!int 80`, `!!float 80`): the same decoder reads it.
        const json = goJsonFloat(n.value);
        const d = goIntJson(json, type);
        if (d.ok) return Number(json);
        this.ctx.schemaError(n, this.intError(type, n.source ?? json, json, d.whole));
        return undefined;
      }
      if (typeof n.value === 'string' && /^\s*[-+]?\d+\s*$/.test(n.value)) {
        this.ctx.schemaError(n, `${this.path} must be an integer, not a string`);
        return Number.parseInt(n.value, 10);
      }
    }
    this.ctx.schemaError(n, `${this.path} must be an integer`);
    return undefined;
  }

  /** Why the API server cannot decode `json` (what kubectl sends for `source`) into `type`. */
  private intError(type: GoIntType, source: string, json: string, whole: boolean): string {
    const [min, max] = GO_INT_RANGE[type];
    const sent = source.trim() === json ? json : `${source.trim()} as ${json}`;
    return whole
      ? `${this.path} must be an integer from ${min} to ${max} (${type}): kubectl sends ${sent}, which the API server cannot decode into an ${type}`
      : `${this.path} must be an integer: kubectl sends ${sent}, which the API server cannot decode into an ${type}`;
  }

  /**
   * A string field. A null item of a list of strings is `""`, as the API
   * server decodes it (`capabilities.add: [~]`). `!!binary` is its decoded
   * text (go-yaml v2's decoder.scalar). A plain scalar go-yaml v2 resolves
   * to a number or a boolean (`80`, `0x1F`, `yes`) reaches the API server as
   * a JSON number or boolean, which it refuses for a string field: a schema
   * error, read as its text so that the error hides no violation. Other
   * scalars (a timestamp, `1:20`) are strings as written.
   */
  str(): string | undefined {
    const n = this.node;
    if (this.item && (n === null || (isScalar(n) && n.value === null))) return '';
    if (!this.present || !n) return undefined;
    if (isScalar(n)) {
      if (n.value instanceof Uint8Array) return BINARY.decode(n.value);
      if (n.type === 'PLAIN' && !n.tag && n.source !== undefined) {
        const k = goScalarKind(n.source);
        if (k.kind === 'int' || k.kind === 'float' || k.kind === 'bool') {
          this.ctx.schemaError(
            n,
            `${this.path || 'value'} must be a string: kubectl sends ${n.source} as a ${k.kind === 'bool' ? 'boolean' : 'number'} (quote it)`,
          );
          return n.source;
        }
      }
      if (typeof n.value === 'string') return n.value;
      return n.source ?? String(n.value);
    }
    this.ctx.schemaError(n, `${this.path} must be a string`);
    return undefined;
  }
}
