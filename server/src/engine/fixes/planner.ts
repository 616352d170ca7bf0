/**
 * Fix operations → the smallest text edits.
 *
 * A fix is a semantic operation on the YAML AST (set a field, creating
 * missing parents; remove a key or list item; append to a list). This module
 * writes it as edits of the smallest ranges, so comments, key order,
 * indentation, quoting and flow style stay as the user wrote them. It never
 * re-serialises a document. Several operations on the same map are merged
 * into one insertion.
 */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { TextEdit } from '../types';
import { derefNode } from '../aliases';

export type FixValue = string | number | boolean | null | FixValue[] | { [k: string]: FixValue };

export type FixOp =
  /** Set `path` under `map` to `value`, creating missing maps on the way. */
  | { op: 'set'; map: YAMLMap; path: string[]; value: FixValue }
  /** Remove a key from a map, or an item (by index) from a sequence. */
  | { op: 'remove'; parent: YAMLMap | YAMLSeq; key: string | number }
  /** Append `value` to the sequence at `path` under `map` (unless an equal scalar is there), creating it. */
  | { op: 'append'; map: YAMLMap; path: string[]; value: FixValue };

type Obj = { [k: string]: FixValue };
type YNode = Scalar | YAMLMap | YAMLSeq;

/** The indentation step found from a map, once per map (not once per fix: fixes of many containers were quadratic). */
const steps = new WeakMap<YAMLMap, number | null>();

/** The line ending of the last text planned in: many fixes are planned in one text, each would scan it whole. */
let lastEol: { text: string; eol: string } | undefined;
function eolOf(text: string): string {
  if (lastEol?.text !== text) lastEol = { text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  return lastEol.eol;
}

class Planner {
  readonly edits: TextEdit[] = [];
  readonly eol: string;
  /** The document is written as JSON (a flow map with double-quoted keys): new keys and strings are quoted alike. */
  readonly json: boolean;
  /** Pending new keys per block or flow map, merged across operations. */
  private readonly additions = new Map<YAMLMap, Obj>();
  /** Pending values for pairs whose value is null or missing. */
  private readonly fills = new Map<Pair, { container: YAMLMap; value: FixValue }>();
  failed = false;

  constructor(
    readonly text: string,
    readonly doc: Document.Parsed,
  ) {
    this.eol = eolOf(text);
    const root = doc.contents;
    const firstKey = isMap(root) && root.flow ? root.items[0]?.key : undefined;
    this.json = isScalar(firstKey) && firstKey.type === 'QUOTE_DOUBLE';
  }

  private renderKey(k: string): string {
    return this.json || !plainSafe(k) ? JSON.stringify(k) : k;
  }

  deref(n: unknown): YNode | null {
    return derefNode(this.doc, n);
  }

  private pairOf(map: YAMLMap, key: string): Pair | undefined {
    for (const it of map.items) {
      if (
        isPair(it) &&
        isScalar(it.key) &&
        String(it.key.value) === key &&
        it.key.source !== '<<'
      ) {
        return it;
      }
    }
    return undefined;
  }

  // ----- set / append -----

  /** Walk `path` under `map`; call `leaf` with the existing value node, or queue the creation of `make(undefined)`. */
  private walk(
    map: YAMLMap,
    path: string[],
    leaf: (pair: Pair, value: YNode | null) => void,
    create: () => FixValue,
  ): void {
    let cur = map;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string;
      const pair = this.pairOf(cur, key);
      const rest = path.slice(i + 1);
      if (!pair) {
        this.add(cur, nest([key, ...rest], create()));
        return;
      }
      const value = this.deref(pair.value);
      if (i === path.length - 1) {
        leaf(pair, value);
        return;
      }
      if (isMap(value)) {
        cur = value;
        continue;
      }
      if (value === null || (isScalar(value) && value.value === null)) {
        this.fill(pair, cur, nest(rest, create()));
      } else {
        // A scalar or list where a map belongs: replace it.
        this.replace(value, nest(rest, create()), cur);
      }
      return;
    }
  }

  set(map: YAMLMap, path: string[], value: FixValue): void {
    const target = this.deref(map);
    if (!isMap(target) || path.length === 0) return this.fail();
    this.walk(
      target,
      path,
      (pair, existing) => {
        if (
          existing === null ||
          (isScalar(existing) && existing.value === null && !existing.source)
        ) {
          this.fill(pair, target, value);
        } else if (isScalar(existing) && !isObject(value)) {
          this.replaceScalar(existing, value);
        } else {
          this.replace(existing, value, target);
        }
      },
      () => value,
    );
  }

  append(map: YAMLMap, path: string[], value: FixValue): void {
    const target = this.deref(map);
    if (!isMap(target) || path.length === 0) return this.fail();
    this.walk(
      target,
      path,
      (pair, existing) => {
        if (isSeq(existing)) {
          const has = existing.items.some((it) => {
            const n = this.deref(it);
            return isScalar(n) && n.value === value;
          });
          if (!has) this.appendItem(existing, value, pair);
        } else if (existing === null || (isScalar(existing) && existing.value === null)) {
          this.fill(pair, target, [value]);
        } else {
          this.replace(existing, [value], target);
        }
      },
      () => [value],
    );
  }

  private add(map: YAMLMap, value: Obj): void {
    const prev = this.additions.get(map);
    this.additions.set(map, prev ? merge(prev, value) : value);
  }

  private fill(pair: Pair, container: YAMLMap, value: FixValue): void {
    const prev = this.fills.get(pair);
    this.fills.set(pair, {
      container,
      value: prev && isObject(prev.value) && isObject(value) ? merge(prev.value, value) : value,
    });
  }

  private fail(): void {
    this.failed = true;
  }

  // ----- rendering -----

  private lineStart(offset: number): number {
    let i = offset;
    while (i > 0 && this.text[i - 1] !== '\n' && this.text[i - 1] !== '\r') i--;
    return i;
  }

  /** Offset just past the line break that ends the line containing `offset` (or the text's end). */
  private nextLineStart(offset: number): number {
    let i = offset;
    while (i < this.text.length && this.text[i] !== '\n' && this.text[i] !== '\r') i++;
    if (this.text[i] === '\r' && this.text[i + 1] === '\n') return i + 2;
    if (i < this.text.length) return i + 1;
    return i;
  }

  /** Back over trailing white space and line breaks (block nodes' ranges can include them). */
  private trimEnd(end: number, floor = 0): number {
    let e = end;
    while (e > floor && /\s/.test(this.text[e - 1] ?? '')) e--;
    return e;
  }

  private column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** The indentation step used under a block map: from a nested block map if there is one, else 2. */
  private step(map: YAMLMap): number {
    const seen = new Set<unknown>();
    const search = (m: YAMLMap, depth: number): number | null => {
      if (depth > 6 || seen.has(m)) return null;
      seen.add(m);
      for (const it of m.items) {
        if (!isPair(it)) continue;
        const v = it.value;
        const k = it.key as Node | null;
        if (isMap(v) && !v.flow && v.items.length > 0 && k?.range) {
          const first = v.items[0];
          const fk = isPair(first) ? (first.key as Node | null) : null;
          if (fk?.range) {
            const d = this.column(fk.range[0]) - this.column(k.range[0]);
            if (d > 0) return d;
          }
        }
        if (isMap(v)) {
          const r = search(v, depth + 1);
          if (r !== null) return r;
        }
        if (isSeq(v)) {
          for (const item of v.items) {
            if (isMap(item)) {
              const r = search(item, depth + 1);
              if (r !== null) return r;
            }
          }
        }
      }
      return null;
    };
    const from = (m: YAMLMap): number | null => {
      let r = steps.get(m);
      if (r === undefined) {
        seen.clear();
        r = search(m, 0);
        steps.set(m, r);
      }
      return r;
    };
    return from(map) ?? from(this.doc.contents as YAMLMap) ?? 2;
  }

  /** Column of a block map's keys. */
  private keyColumn(map: YAMLMap): number | null {
    const first = map.items.find(isPair);
    const k = first?.key as Node | null | undefined;
    return k?.range ? this.column(k.range[0]) : null;
  }

  private renderScalar(v: FixValue, like?: Scalar): string {
    if (typeof v === 'string') {
      if (like?.type === 'QUOTE_SINGLE') return `'${v.replace(/'/g, "''")}'`;
      if (like?.type === 'QUOTE_DOUBLE') return JSON.stringify(v);
      return plainSafe(v) && !this.json ? v : JSON.stringify(v);
    }
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return v === null ? 'null' : this.flow(v);
  }

  private flow(v: FixValue): string {
    if (Array.isArray(v)) return `[${v.map((x) => this.flow(x)).join(', ')}]`;
    if (isObject(v)) {
      return `{${Object.entries(v)
        .map(([k, x]) => `${this.renderKey(k)}: ${this.flow(x)}`)
        .join(', ')}}`;
    }
    return this.renderScalar(v);
  }

  /**
   * `key: value` lines at `indent`, nested maps in block style, lists in flow
   * style; with `dash` (the column of a list's dashes past its key's), lists
   * of maps in block style too, each item's keys under its first.
   */
  private block(obj: Obj, indent: number, step: number, dash?: number): string {
    const pad = ' '.repeat(indent);
    return Object.entries(obj)
      .map(([k, v]) => {
        if (isObject(v) && Object.keys(v).length > 0) {
          return `${pad}${this.renderKey(k)}:${this.eol}${this.block(v, indent + step, step, dash)}`;
        }
        if (
          dash !== undefined &&
          Array.isArray(v) &&
          v.length > 0 &&
          v.every((x) => isObject(x) && Object.keys(x).length > 0)
        ) {
          const items = v.map((x) => this.blockItem(x as Obj, indent + dash, step, dash)).join('');
          return `${pad}${this.renderKey(k)}:${this.eol}${items}`;
        }
        return `${pad}${this.renderKey(k)}: ${this.flow(v)}${this.eol}`;
      })
      .join('');
  }

  /** A map as a block list item: its dash at `col`, its keys two columns on. */
  private blockItem(obj: Obj, col: number, step: number, dash: number): string {
    const body = this.block(obj, col + 2, step, dash);
    return `${' '.repeat(col)}- ${body.slice(col + 2)}`;
  }

  private replaceScalar(node: Scalar, value: FixValue): void {
    const r = node.range;
    if (!r) return this.fail();
    this.edits.push({
      start: r[0],
      end: this.trimEnd(r[1], r[0]),
      newText: this.renderScalar(value, node),
    });
  }

  /** Replace a node of the wrong kind by a value, in flow style (or block when the map is block). */
  private replace(node: YNode | null, value: FixValue, container: YAMLMap): void {
    const r = node?.range;
    if (!r) return this.fail();
    if (isObject(value) && !container.flow && !(isMap(node) && node.flow) && isMap(node)) {
      // A block map being replaced wholesale: keep block style at its own indentation.
      const col = this.keyColumn(node) ?? 0;
      const body = this.block(value, col, this.step(container));
      this.edits.push({
        start: this.lineStart(r[0]),
        end: this.nextLineStart(r[1] - 1),
        newText: body,
      });
      return;
    }
    this.edits.push({ start: r[0], end: r[1], newText: this.flow(value) });
  }

  private appendItem(seq: YAMLSeq, value: FixValue, pair?: Pair): void {
    const r = seq.range;
    if (!r) return this.fail();
    if (seq.flow) {
      const last = seq.items[seq.items.length - 1] as Node | undefined;
      if (last?.range) {
        const e = this.trimEnd(last.range[1], last.range[0]);
        this.edits.push({ start: e, end: e, newText: `, ${this.flow(value)}` });
      } else {
        const open = this.text.indexOf('[', r[0]);
        if (open < 0) return this.fail();
        this.edits.push({ start: open + 1, end: open + 1, newText: this.flow(value) });
      }
      return;
    }
    const last = seq.items[seq.items.length - 1] as Node | undefined;
    if (!last?.range) return this.fail();
    // The dash of the last item sets the column of the new one.
    let dash = last.range[0] - 1;
    while (dash > 0 && this.text[dash] !== '-') dash--;
    const col = this.column(dash);
    const at = this.nextLineStart(
      Math.max(this.trimEnd(last.range[1], last.range[0]) - 1, last.range[0]),
    );
    const lead = at === this.text.length && !/[\r\n]$/.test(this.text) ? this.eol : '';
    // A map after a block map item is written as that item is: block style, keys in its column.
    const lastMap = this.deref(last);
    const key = pair?.key as Node | null | undefined;
    if (isObject(value) && Object.keys(value).length > 0 && isMap(lastMap) && !lastMap.flow) {
      const keyCol = this.keyColumn(lastMap);
      if (keyCol === col + 2) {
        const offset = key?.range ? col - this.column(key.range[0]) : 0;
        const text = this.blockItem(value, col, this.step(lastMap), Math.max(0, offset));
        this.edits.push({ start: at, end: at, newText: `${lead}${text}` });
        return;
      }
    }
    this.edits.push({
      start: at,
      end: at,
      newText: `${lead}${' '.repeat(col)}- ${this.flow(value)}${this.eol}`,
    });
  }

  /** Write the merged insertions and fills. */
  flush(): void {
    for (const [map, obj] of this.additions) this.insertInto(map, obj);
    for (const [pair, { container, value }] of this.fills) this.fillPair(pair, container, value);
  }

  private insertInto(map: YAMLMap, obj: Obj): void {
    const r = map.range;
    if (!r) return this.fail();
    const pairs = map.items.filter(isPair);
    const last = pairs[pairs.length - 1];
    if (map.flow) {
      const rawLast = last
        ? ((last.value as Node | null)?.range?.[1] ?? (last.key as Node | null)?.range?.[1])
        : undefined;
      const lastEnd = rawLast === undefined ? undefined : this.trimEnd(rawLast);
      const body = Object.entries(obj)
        .map(([k, v]) => `${this.renderKey(k)}: ${this.flow(v)}`)
        .join(', ');
      if (lastEnd !== undefined)
        this.edits.push({ start: lastEnd, end: lastEnd, newText: `, ${body}` });
      else {
        const open = this.text.indexOf('{', r[0]);
        if (open < 0) return this.fail();
        this.edits.push({ start: open + 1, end: open + 1, newText: body });
      }
      return;
    }
    const col = this.keyColumn(map);
    if (col === null || !last) return this.fail();
    const lastNode = (last.value as Node | null) ?? (last.key as Node | null);
    const rawEnd = lastNode?.range?.[1];
    if (rawEnd === undefined) return this.fail();
    const end = this.trimEnd(rawEnd, (last.key as Node | null)?.range?.[0] ?? 0);
    const at = this.nextLineStart(Math.max(end - 1, (last.key as Node | null)?.range?.[0] ?? 0));
    const lead = at === this.text.length && !/[\r\n]$/.test(this.text) ? this.eol : '';
    this.edits.push({ start: at, end: at, newText: lead + this.block(obj, col, this.step(map)) });
  }

  private fillPair(pair: Pair, container: YAMLMap, value: FixValue): void {
    const key = pair.key as Node | null;
    if (!key?.range) return this.fail();
    const colon = this.text.indexOf(':', key.range[1]);
    if (colon < 0) return this.fail();
    const v = pair.value as Node | null;
    const end = v?.range && v.range[1] > colon ? this.trimEnd(v.range[1], colon + 1) : colon + 1;
    if (container.flow || !isObject(value) || Object.keys(value).length === 0) {
      this.edits.push({ start: colon + 1, end, newText: ` ${this.flow(value)}` });
      return;
    }
    const col = this.column(key.range[0]);
    const body = this.block(value, col + this.step(container), this.step(container));
    this.edits.push({
      start: colon + 1,
      end,
      newText: `${this.eol}${body.replace(/(\r?\n)$/, '')}`,
    });
  }

  // ----- remove -----

  remove(parent: YAMLMap | YAMLSeq, key: string | number): void {
    const items = parent.items as unknown[];
    const index =
      typeof key === 'number'
        ? key
        : items.findIndex((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === key);
    const item = items[index];
    if (item === undefined) return this.fail();
    const start = isPair(item) ? (item.key as Node | null)?.range?.[0] : (item as Node).range?.[0];
    const endNode = isPair(item)
      ? ((item.value as Node | null) ?? (item.key as Node | null))
      : (item as Node);
    const rawEnd = endNode?.range?.[1];
    if (start === undefined || rawEnd === undefined) return this.fail();
    const end = this.trimEnd(rawEnd, start);
    const startOf = (it: unknown) =>
      isPair(it) ? (it.key as Node | null)?.range?.[0] : (it as Node | null)?.range?.[0];
    const endOf = (it: unknown) => {
      const e = isPair(it)
        ? ((it.value as Node | null)?.range?.[1] ?? (it.key as Node | null)?.range?.[1])
        : (it as Node | null)?.range?.[1];
      return e === undefined ? undefined : this.trimEnd(e);
    };
    if (parent.flow) {
      const next = items[index + 1];
      const prev = items[index - 1];
      const nextStart = next !== undefined ? startOf(next) : undefined;
      const prevEnd = prev !== undefined ? endOf(prev) : undefined;
      if (nextStart !== undefined) this.edits.push({ start, end: nextStart, newText: '' });
      else if (prevEnd !== undefined) this.edits.push({ start: prevEnd, end, newText: '' });
      else this.edits.push({ start, end, newText: '' });
      return;
    }
    if (items.length === 1) {
      // The only entry: the collection becomes empty, written `key: {}` / `key: []`.
      const empty = isSeq(parent) ? '[]' : '{}';
      const owner = this.ownerPair(parent);
      const ownerKey = owner?.key as Node | null | undefined;
      const colon = ownerKey?.range ? this.text.indexOf(':', ownerKey.range[1]) : -1;
      if (colon >= 0 && colon < start) {
        this.edits.push({ start: colon + 1, end, newText: ` ${empty}` });
        return;
      }
      let from = start;
      if (isSeq(parent)) while (from > 0 && this.text[from] !== '-') from--;
      this.edits.push({ start: from, end, newText: empty });
      return;
    }
    const ls = this.lineStart(start);
    const onlyIndentBefore = /^[ \t]*$/.test(
      this.text.slice(ls, isSeq(parent) ? this.dashBefore(start) : start),
    );
    if (onlyIndentBefore) {
      // Whole lines: from the start of the entry's line to the end of its last line.
      this.edits.push({
        start: ls,
        end: this.nextLineStart(Math.max(end - 1, start)),
        newText: '',
      });
      return;
    }
    // The entry shares its line with a sequence dash (`- hostPort: 80`): the next entry moves up.
    const nextStart = startOf(items[index + 1]);
    if (nextStart === undefined) return this.fail();
    this.edits.push({ start, end: nextStart, newText: '' });
  }

  /** The pair whose value is `node`, searched from the document root. */
  private ownerPair(node: YAMLMap | YAMLSeq): Pair | null {
    const seen = new Set<unknown>();
    const search = (n: unknown): Pair | null => {
      if (seen.has(n)) return null;
      seen.add(n);
      if (isMap(n)) {
        for (const it of n.items) {
          if (!isPair(it)) continue;
          if (it.value === node) return it;
          const found = search(it.value);
          if (found) return found;
        }
      } else if (isSeq(n)) {
        for (const it of n.items) {
          const found = search(it);
          if (found) return found;
        }
      }
      return null;
    };
    return search(this.doc.contents);
  }

  private dashBefore(offset: number): number {
    let i = offset - 1;
    while (i > 0 && this.text[i] !== '-') i--;
    return i;
  }
}

function isObject(v: FixValue): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nest(path: string[], value: FixValue): Obj {
  let out: FixValue = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i] as string]: out };
  return out as Obj;
}

function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev !== undefined && isObject(prev) && isObject(v) ? merge(prev, v) : v;
  }
  return out;
}

const RESERVED =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

/** A string that reads back as the same string, plain, in YAML 1.1 and 1.2. */
function plainSafe(s: string): boolean {
  return /^[A-Za-z_/][\w./-]*$/.test(s) && !RESERVED.test(s);
}

function overlapping(edits: TextEdit[]): boolean {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as TextEdit;
    const cur = sorted[i] as TextEdit;
    if (
      cur.start < prev.end ||
      (cur.start === prev.start && cur.end === cur.start && prev.end === prev.start)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Plan the edits for `ops`, which all apply to `doc` parsed from `text`.
 * Returns non-overlapping edits sorted by offset, or null when an operation
 * cannot be expressed.
 */
export function planEdits(text: string, doc: Document.Parsed, ops: FixOp[]): TextEdit[] | null {
  const p = new Planner(text, doc);
  for (const op of ops) {
    if (op.op === 'set') p.set(op.map, op.path, op.value);
    else if (op.op === 'append') p.append(op.map, op.path, op.value);
    else p.remove(op.parent, op.key);
  }
  p.flush();
  if (p.failed || overlapping(p.edits)) return null;
  return p.edits.sort((a, b) => a.start - b.start);
}

/** Apply non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
