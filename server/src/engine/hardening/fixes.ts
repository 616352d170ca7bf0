/**
 * Hardening fix operations → the engine's fix operations (fixes/planner.ts
 * `FixOp`, on yaml AST maps) → minimal text edits. Setting, appending and
 * removing go through the engine's planner, so comments, key order,
 * indentation and flow style stay. Two operations the planner has no form
 * for are written here with the same care: inserting a list item before an
 * index (block style at the list's own indentation, or flow style in a
 * flow list), and adding a new document at the end of the file.
 */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node, YAMLMap, YAMLSeq } from 'yaml';
import { derefNode } from '../aliases';
import { isMergeKey, jsonKey } from '../decode/kubectl';
import { applyEdits, planEdits } from '../fixes/edits';
import type { FixOp, FixValue } from '../fixes/edits';
import type { TextEdit } from '../types';
import type { JsonValue, Path } from './model';
import type { HardeningFix, HardeningFixOp } from './results';

type YNode = Node;

const deref = (doc: Document, n: unknown): YNode | null => derefNode(doc, n);

function child(doc: Document, n: YNode | null, seg: string | number): YNode | null {
  if (typeof seg === 'number') return isSeq(n) ? deref(doc, n.items[seg]) : null;
  if (!isMap(n)) return null;
  // The map's own pair (a fix edits what is written here, not what a `<<` merge brings); the last
  // of duplicates, which is the one decoded.
  let found: YNode | null = null;
  for (const it of n.items)
    if (isPair(it) && !isMergeKey(it.key) && jsonKey(it.key) === seg) found = deref(doc, it.value);
  return found;
}

function nodeAt(doc: Document, root: YNode | null, path: Path): YNode | null {
  let cur = root;
  for (const seg of path) {
    cur = child(doc, cur, seg);
    if (!cur) return null;
  }
  return cur;
}

/**
 * The map a string-only tail of `path` hangs from: the node after the last
 * numeric segment (which must exist), and the remaining keys.
 */
function anchor(
  doc: Document,
  root: YNode | null,
  path: Path,
): { map: YAMLMap; rest: string[] } | null {
  let lastIndex = -1;
  path.forEach((s, i) => {
    if (typeof s === 'number') lastIndex = i;
  });
  const head = path.slice(0, lastIndex + 1);
  const rest = path.slice(lastIndex + 1) as string[];
  const n = nodeAt(doc, root, head);
  return isMap(n) ? { map: n, rest } : null;
}

const RESERVED =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

function scalar(v: JsonValue): string {
  if (typeof v === 'string') {
    return /^[A-Za-z_/][\w./-]*$/.test(v) && !RESERVED.test(v) ? v : JSON.stringify(v);
  }
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return flow(v);
}

function flow(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${scalar(k)}: ${flow(x)}`)
      .join(', ')}}`;
  }
  return scalar(v);
}

const isMapValue = (v: JsonValue): v is { [k: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Block lines of a map at `indent`: nested maps and lists of maps in block style, scalar lists in flow style. */
function blockMap(v: { [k: string]: JsonValue }, indent: number, step: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (isMapValue(x) && Object.keys(x).length > 0) {
      lines.push(`${pad}${scalar(k)}:`, ...blockMap(x, indent + step, step));
    } else if (
      Array.isArray(x) &&
      x.length > 0 &&
      x.every((e) => isMapValue(e) && Object.keys(e).length > 0)
    ) {
      lines.push(`${pad}${scalar(k)}:`);
      for (const e of x) lines.push(...blockItem(e, indent + step, step));
    } else {
      lines.push(`${pad}${scalar(k)}: ${flow(x)}`);
    }
  }
  return lines;
}

/** A sequence item at column `col` ("- " then the value). */
function blockItem(v: JsonValue, col: number, step: number): string[] {
  const pad = ' '.repeat(col);
  if (!isMapValue(v) || Object.keys(v).length === 0) return [`${pad}- ${flow(v)}`];
  const body = blockMap(v, col + 2, step);
  const first = (body[0] ?? '').slice(col + 2);
  return [`${pad}- ${first}`, ...body.slice(1)];
}

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function nextLineStart(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i < text.length ? i + 1 : i;
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text[e - 1] ?? '')) e--;
  return e;
}

/** The text edit inserting `value` into `seq` before `index` (index ≥ length appends). */
function insertItem(
  text: string,
  seq: YAMLSeq,
  index: number,
  value: JsonValue,
  eol: string,
): TextEdit | null {
  const r = seq.range;
  if (!r) return null;
  const items = seq.items as Array<Node | null>;
  if (seq.flow) {
    const at = items[index];
    if (at?.range) return { start: at.range[0], end: at.range[0], newText: `${flow(value)}, ` };
    const last = items[items.length - 1];
    if (last?.range) {
      const e = trimEnd(text, last.range[0], last.range[1]);
      return { start: e, end: e, newText: `, ${flow(value)}` };
    }
    const open = text.indexOf('[', r[0]);
    return open < 0 ? null : { start: open + 1, end: open + 1, newText: flow(value) };
  }
  const ref = items[Math.min(index, items.length - 1)];
  if (!ref?.range) return null;
  let dash = ref.range[0] - 1;
  while (dash > r[0] && text[dash] !== '-') dash--;
  if (text[dash] !== '-') return null;
  const ls = lineStart(text, dash);
  if (!/^[ \t]*$/.test(text.slice(ls, dash))) return null;
  const col = dash - ls;
  // The indentation step of the items' content (`- key` → 2 by default).
  const content = ref.range[0] - dash;
  const step = content > 1 && content < 9 ? content : 2;
  const body = blockItem(value, col, step).join(eol) + eol;
  if (index < items.length) return { start: ls, end: ls, newText: body };
  const end = trimEnd(text, ref.range[0], ref.range[1]);
  const at = nextLineStart(text, Math.max(end - 1, ref.range[0]));
  const lead = at === text.length && !/[\r\n]$/.test(text) ? eol : '';
  return { start: at, end: at, newText: lead + body };
}

function overlapping(edits: readonly TextEdit[]): boolean {
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

export interface ConvertedOps {
  /** Operations for the engine's planner. */
  ops: FixOp[];
  /** Edits the planner has no operation for (list insertions, new documents). */
  edits: TextEdit[];
}

/**
 * Convert hardening operations on the object at `base` (its path in the
 * document: [] for a document, ["items", i] for a List item) into planner
 * operations and extra edits. Null when an operation's target cannot be
 * found (a list item that is not there, a scalar where a map belongs).
 */
export function convertOps(
  text: string,
  doc: Document.Parsed,
  ops: readonly HardeningFixOp[],
  base: Path = [],
): ConvertedOps | null {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const root = nodeAt(doc, deref(doc, doc.contents), base);
  if (!root) return null;
  const out: ConvertedOps = { ops: [], edits: [] };
  for (const op of ops) {
    if (op.op === 'addDocument') {
      const lead = text.length === 0 || /[\r\n]$/.test(text) ? '' : eol;
      const body = op.text.replace(/\r?\n/g, eol);
      out.edits.push({
        start: text.length,
        end: text.length,
        newText: `${lead}---${eol}${body}${/[\r\n]$/.test(body) ? '' : eol}`,
      });
      continue;
    }
    if (op.op === 'remove') {
      const parent = nodeAt(doc, root, op.path.slice(0, -1));
      const key = op.path[op.path.length - 1];
      if (key === undefined || !(isMap(parent) || isSeq(parent))) continue;
      if (child(doc, parent, key) === null && !(isMap(parent) && hasNullPair(parent, key)))
        continue;
      out.ops.push({ op: 'remove', parent, key });
      continue;
    }
    if (op.op === 'insert') {
      const seq = nodeAt(doc, root, op.path);
      if (isSeq(seq) && seq.items.length > 0) {
        const e = insertItem(text, seq, op.index, op.value, eol);
        if (!e) return null;
        out.edits.push(e);
        continue;
      }
      const a = anchor(doc, root, op.path);
      if (!a || a.rest.length === 0) return null;
      out.ops.push({ op: 'set', map: a.map, path: a.rest, value: [op.value] as FixValue });
      continue;
    }
    const a = anchor(doc, root, op.path);
    if (!a || a.rest.length === 0) return null;
    out.ops.push({ op: op.op, map: a.map, path: a.rest, value: op.value });
  }
  return out;
}

function hasNullPair(map: YAMLMap, key: string | number): boolean {
  return map.items.some(
    (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(key),
  );
}

/**
 * The minimal text edits of a hardening fix on a parsed document of
 * `text`: sorted, non-overlapping; null when the fix cannot be written.
 */
export function planHardeningFix(
  text: string,
  doc: Document.Parsed,
  fix: HardeningFix,
  base: Path = [],
): TextEdit[] | null {
  const c = convertOps(text, doc, fix.ops, base);
  if (!c) return null;
  let edits: TextEdit[] = [];
  if (c.ops.length > 0) {
    const planned = planEdits(text, doc, c.ops);
    if (!planned) return null;
    edits = planned;
  }
  edits = [...edits, ...c.edits];
  if (overlapping(edits)) return null;
  return edits.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Apply a hardening fix to a text (convenience for tests and the command line). */
export function applyHardeningFix(
  text: string,
  doc: Document.Parsed,
  fix: HardeningFix,
  base: Path = [],
): string | null {
  const edits = planHardeningFix(text, doc, fix, base);
  return edits ? applyEdits(text, edits) : null;
}
