/**
 * Fixes of a built overlay's finding, made where the user edits: what the
 * fix changes in the built object (a field set, a key or a list item
 * removed, an item appended) is carried to the node of the file that wrote
 * it, through the source map: a value is changed where it is written (the
 * base, or the patch that set it); a missing field is added to the map the
 * object's field came from (the base's container, for a base's workload),
 * so the fix is made once for every overlay that deploys it. The edits are
 * the planner's: the smallest ranges, comments and layout kept.
 *
 * A fix whose change cannot be placed (a map no file wrote, an inline patch
 * inside kustomization.yaml, a change spread over two files) is not offered.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import type { Document, Node, YAMLMap, YAMLSeq } from 'yaml';
import { applyEdits, planEdits, planFixes } from '../fixes/edits';
import type { FixOp, FixValue } from '../fixes/edits';
import type { SourceFs } from '../sources/sourceFs';
import { segmentAt } from '../sources/sourcemap';
import type { GeneratedSource, ValueOrigin } from '../sources/sourcemap';
import type { Finding, Fix } from '../types';

export type Part = string | number;
export type Plain = FixValue | undefined;

/** What a fix changes in the object, as plain data. */
export type Change =
  | { kind: 'set'; path: Part[]; value: FixValue }
  | { kind: 'remove'; path: Part[] }
  | { kind: 'append'; path: Part[]; value: FixValue };

const isObj = (v: Plain): v is { [k: string]: FixValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of plain values (key order ignored), without making strings of them. */
function same(a: Plain, b: Plain): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => same(x, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => k in b && same(a[k], b[k]));
}

/** The changes from `a` to `b`, or null when they are not a set, a removal or an append. */
function diff(a: Plain, b: Plain, path: Part[], out: Change[]): boolean {
  if (same(a, b)) return true;
  if (isObj(a) && isObj(b)) {
    for (const k of Object.keys(b)) {
      if (!(k in a)) out.push({ kind: 'set', path: [...path, k], value: b[k] as FixValue });
      else if (!diff(a[k], b[k], [...path, k], out)) return false;
    }
    for (const k of Object.keys(a)) if (!(k in b)) out.push({ kind: 'remove', path: [...path, k] });
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === b.length) return a.every((x, i) => diff(x, b[i], [...path, i], out));
    if (b.length === a.length + 1 && a.every((x, i) => same(x, b[i]))) {
      out.push({ kind: 'append', path, value: b[a.length] as FixValue });
      return true;
    }
    if (b.length === a.length - 1) {
      let i = 0;
      while (i < b.length && same(a[i], b[i])) i++;
      if (!b.slice(i).every((x, j) => same(x, a[i + j + 1]))) return false;
      out.push({ kind: 'remove', path: [...path, i] });
      return true;
    }
    return false;
  }
  if (b === undefined) return false;
  out.push({ kind: 'set', path, value: b });
  return true;
}

function child(n: unknown, part: Part): Node | null {
  if (typeof part === 'number') {
    if (!isSeq(n)) return null;
    return (n.items[part] as Node | undefined) ?? null;
  }
  if (!isMap(n)) return null;
  for (const p of n.items)
    if (isScalar(p.key) && String(p.key.value) === part) return (p.value as Node | null) ?? null;
  return null;
}

function keyNode(map: YAMLMap, key: string): Node | null {
  for (const p of map.items) if (isScalar(p.key) && String(p.key.value) === key) return p.key;
  return null;
}

/** The value origin of the generated node starting at `offset`. */
function valueOriginAt(src: GeneratedSource, offset: number | undefined): ValueOrigin | null {
  if (offset === undefined) return null;
  const s = segmentAt(src, offset);
  return s && s.origin.kind === 'value' ? s.origin : null;
}

/** Where a generated map came from: the file, document and key path of the map it was written as. */
function mapOrigin(
  src: GeneratedSource,
  map: YAMLMap,
  prefer: string,
): { file: string; document: number; path: Part[] } | null {
  let found: { file: string; document: number; path: Part[] } | null = null;
  for (const p of map.items) {
    if (!isScalar(p.key)) continue;
    const o = valueOriginAt(src, p.key.range?.[0]);
    if (!o || o.path.length === 0 || String(o.path[o.path.length - 1]) !== String(p.key.value))
      continue;
    const at = { file: o.file, document: o.document ?? 0, path: [...o.path.slice(0, -1)] };
    if (o.file === prefer) return at;
    found ??= at;
  }
  if (!found && map.items.length === 0) {
    const o = valueOriginAt(src, map.range?.[0]);
    if (o) found = { file: o.file, document: o.document ?? 0, path: [...o.path] };
  }
  return found;
}

/** A generated document as plain data, made once for all the fixes of its object. */
const plainOf = new WeakMap<Document.Parsed, Plain>();

export interface OriginDoc {
  text: string;
  docs: Document.Parsed[];
}

/** What a fix of a built object changes in it: the object before and after, and the changes. */
export interface FixChanges {
  gdoc: Document.Parsed;
  before: Plain;
  after: Plain;
  changes: Change[];
}

/** The keys of inserted lines, by their text unindented (the same few lines recur across objects). */
const insertedKeys = new Map<string, { [k: string]: FixValue } | null>();

/**
 * The object after a fix that inserts whole lines of new keys into one block
 * map (the common fix: a key added where its map ends, or before a key of
 * it): only the inserted lines are read, and their keys added to that map.
 * The lines start at the map's column (the first is a key), at a line where
 * that map's own lines end or one of its keys begins. Null for any other
 * fix, or a key the map already has.
 */
function insertedAfter(text: string, gdoc: Document.Parsed, before: Plain, fix: Fix): Plain | null {
  const e = fix.edits[0];
  if (fix.edits.length !== 1 || !e || e.start !== e.end || !e.newText.endsWith('\n')) return null;
  if (e.start > 0 && text.charCodeAt(e.start - 1) !== 10) return null;
  const col = /^ */.exec(e.newText)?.[0].length ?? 0;
  const lines = e.newText.slice(0, -1).split('\n');
  const pad = ' '.repeat(col);
  if (
    lines.some((l) => l.trim() !== '' && !l.startsWith(pad)) ||
    /^[ ]*[-#\s]/.test(e.newText.slice(col))
  )
    return null;
  // The map whose keys stand at that column and whose lines hold the insertion point.
  let node: unknown = gdoc.contents;
  const path: Part[] = [];
  let target: YAMLMap | null = null;
  let at: Part[] = [];
  const holds = (n: unknown): boolean => {
    const r = (n as Node | null)?.range;
    return !!r && (isMap(n) || isSeq(n)) && !n.flow && r[0] < e.start && e.start <= r[1];
  };
  while (holds(node)) {
    const n = node as YAMLMap | YAMLSeq;
    const r = n.range as [number, number, number];
    if (isMap(n) && r[0] - (text.lastIndexOf('\n', r[0] - 1) + 1) === col) {
      target = n;
      at = [...path];
      break;
    }
    let next: { node: unknown; part: Part } | null = null;
    if (isMap(n)) {
      for (const p of n.items)
        if (isScalar(p.key) && holds(p.value)) next = { node: p.value, part: String(p.key.value) };
    } else n.items.forEach((it, i) => holds(it) && (next = { node: it, part: i }));
    if (!next) break;
    const step: { node: unknown; part: Part } = next;
    node = step.node;
    path.push(step.part);
  }
  if (!target) return null;
  const r = target.range as [number, number, number];
  // Where the map's lines end, or at one of its keys (a line at its column).
  if (e.start !== r[1]) {
    const eol = text.indexOf('\n', e.start);
    const rest = text.slice(e.start, eol < 0 ? text.length : eol);
    if (!rest.startsWith(pad) || /^[ \t\-#]/.test(rest.slice(col)) || rest.trim() === '')
      return null;
  }
  const body = lines.map((l) => l.slice(col)).join('\n');
  let keys = insertedKeys.get(body);
  if (keys === undefined) {
    const d = parseDocument(body, { version: '1.1' });
    const v = d.errors.length === 0 && isMap(d.contents) ? (d.toJS() as Plain) : null;
    keys = isObj(v) ? v : null;
    if (insertedKeys.size > 10_000) insertedKeys.clear();
    insertedKeys.set(body, keys);
  }
  if (!keys) return null;
  let map: Plain = before;
  for (const p of at)
    map = isObj(map) ? map[p as string] : Array.isArray(map) ? map[p as number] : undefined;
  if (!isObj(map) || Object.keys(keys).some((k) => k in map)) return null;
  const merged: FixValue = { ...map, ...structuredClone<{ [k: string]: FixValue }>(keys) };
  const out = putAt(before, at, 0, merged);
  return out === undefined ? null : out;
}

/**
 * The object after the fix, read again only where the fix edits it: the
 * innermost block collection whose lines hold every edit (after its first
 * line, up to where its text ends: a line inserted after its last line
 * counts) is re-read alone (its lines, unindented) and put in place of its
 * old value. When an edited line falls left of that collection's column, or
 * its lines no longer read as one such collection (a key inserted after a
 * list at its key's column), the next one out is tried. Null when none can
 * be (an edit reaches the object's first line): then the whole object is
 * read again.
 */
function fragmentAfter(text: string, gdoc: Document.Parsed, before: Plain, fix: Fix): Plain | null {
  const inside = (n: unknown): n is YAMLMap | YAMLSeq => {
    if (!(isMap(n) || isSeq(n)) || n.flow) return false;
    const r = n.range;
    if (!r) return false;
    const first = text.indexOf('\n', r[0]);
    return fix.edits.every((e) => first >= 0 && first < e.start && e.end <= r[1]);
  };
  // The collections holding every edit, outermost first, with their key paths.
  const chain: Array<{ node: YAMLMap | YAMLSeq; path: Part[] }> = [];
  let node: unknown = gdoc.contents;
  const path: Part[] = [];
  if (!inside(node)) return null;
  for (;;) {
    const n: YAMLMap | YAMLSeq = node as YAMLMap | YAMLSeq;
    if (path.length > 0) chain.push({ node: n, path: [...path] });
    let next: { node: unknown; part: Part } | null = null;
    if (isMap(n)) {
      for (const p of n.items)
        if (isScalar(p.key) && inside(p.value)) next = { node: p.value, part: String(p.key.value) };
    } else {
      n.items.forEach((it, i) => {
        if (inside(it)) next = { node: it, part: i };
      });
    }
    if (!next) break;
    const step = next;
    node = step.node;
    path.push(step.part);
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const at = chain[i] as { node: YAMLMap | YAMLSeq; path: Part[] };
    const value = reread(text, at.node, fix);
    if (value === null) continue;
    const out = putAt(before, at.path, 0, value);
    return out === undefined ? null : out;
  }
  return null;
}

/**
 * The collection `n` of `text` read again alone after the fix's edits: its
 * value, or null when it cannot be read alone (an edited line falls left of
 * its column, or the lines no longer read as one such collection: what was
 * inserted belongs to a collection further out).
 */
function reread(text: string, n: YAMLMap | YAMLSeq, fix: Fix): FixValue | null {
  const r = n.range as [number, number, number];
  const lineStart = text.lastIndexOf('\n', r[0] - 1) + 1;
  const col = r[0] - lineStart;
  if (text.slice(lineStart, r[0]).trim() !== '') return null;
  const edited = applyEdits(
    text.slice(lineStart, r[1]),
    fix.edits.map((e) => ({
      start: e.start - lineStart,
      end: e.end - lineStart,
      newText: e.newText,
    })),
  );
  const pad = ' '.repeat(col);
  const lines = edited.split('\n');
  if (lines.some((l) => l.trim() !== '' && !l.startsWith(pad))) return null;
  const fragment = parseDocument(lines.map((l) => l.slice(col)).join('\n'), { version: '1.1' });
  if (
    fragment.errors.length > 0 ||
    !(isMap(n) ? isMap(fragment.contents) : isSeq(fragment.contents))
  )
    return null;
  return fragment.toJS() as FixValue;
}

/** `at` with `value` in place at `path` (from `i`), copying along the path only. */
function putAt(at: Plain, path: readonly Part[], i: number, value: FixValue): Plain {
  if (i === path.length) return value;
  const part = path[i] as Part;
  if (typeof part === 'number') {
    if (!Array.isArray(at)) return undefined;
    const copy = [...at];
    copy[part] = putAt(at[part], path, i + 1, value) as FixValue;
    return copy;
  }
  if (!isObj(at)) return undefined;
  return { ...at, [part]: putAt(at[part], path, i + 1, value) as FixValue };
}

/** The changes the fix `fix` (edits of the generated text) makes to its object, or null. */
export function changesOf(
  src: GeneratedSource,
  generatedDocs: readonly Document.Parsed[],
  fix: Fix,
): FixChanges | null {
  const first = fix.edits[0];
  if (!first) return null;
  const gdoc = generatedDocs.find((d) => d.range[0] <= first.start && first.start <= d.range[2]);
  if (!gdoc) return null;
  const [start, , end] = gdoc.range;
  // An object of more than this many characters is not re-read for each of its fixes.
  if (end - start > 200_000) return null;
  if (fix.edits.some((e) => e.start < start || e.end > end)) return null;
  let before = plainOf.get(gdoc);
  if (before === undefined) {
    before = gdoc.toJS() as Plain;
    plainOf.set(gdoc, before);
  }
  const local =
    insertedAfter(src.text, gdoc, before, fix) ?? fragmentAfter(src.text, gdoc, before, fix);
  if (local) {
    const changes: Change[] = [];
    if (!diff(before, local, [], changes) || changes.length === 0) return null;
    return { gdoc, before, after: local, changes };
  }
  const slice = src.text.slice(start, end);
  const fixed = applyEdits(
    slice,
    fix.edits.map((e) => ({ start: e.start - start, end: e.end - start, newText: e.newText })),
  );
  const parsed = parseAllDocuments(fixed, { version: '1.1' });
  if (!Array.isArray(parsed) || parsed.length !== 1) return null;
  const changes: Change[] = [];
  const after = (parsed[0] as Document.Parsed).toJS() as Plain;
  if (!diff(before, after, [], changes)) return null;
  if (changes.length === 0) return null;
  return { gdoc, before, after, changes };
}

/**
 * The fix `fix` of a finding of `src` (edits of the generated text), made in
 * the file the finding is placed in (`file`), or null when it cannot be.
 */
export function fixAtOrigin(
  src: GeneratedSource,
  generatedDocs: readonly Document.Parsed[],
  fix: Fix,
  file: string,
  fs: SourceFs,
  origins: Map<string, OriginDoc | null>,
  known?: FixChanges | null,
): Fix | null {
  const fixChanges = known === undefined ? changesOf(src, generatedDocs, fix) : known;
  if (!fixChanges) return null;
  const { gdoc, changes } = fixChanges;

  const origin = (f: string): OriginDoc | null => {
    if (!origins.has(f)) {
      const text = fs.readText(f);
      const docs = text === null ? null : parseAllDocuments(text, { version: '1.1' });
      origins.set(f, text !== null && Array.isArray(docs) ? { text, docs } : null);
    }
    return origins.get(f) ?? null;
  };
  const ops: FixOp[] = [];
  let target: OriginDoc | null = null;
  let targetDoc: Document.Parsed | null = null;
  const place = (at: { file: string; document: number; path: Part[] }): Node | null => {
    if (at.file !== file) return null;
    const o = origin(at.file);
    const d = o?.docs[at.document];
    if (!o || !d || (targetDoc && targetDoc !== d)) return null;
    target = o;
    targetDoc = d;
    let n: Node | null = d.contents;
    for (const p of at.path) n = child(n, p);
    return n;
  };
  for (const c of changes) {
    // The deepest node of the change's path the built object has.
    let node: Node | null = gdoc.contents;
    let depth = 0;
    const parents: Node[] = [];
    for (; depth < c.path.length; depth++) {
      const next = child(node, c.path[depth] as Part);
      if (!next) break;
      parents.push(node as Node);
      node = next;
    }
    if (c.kind === 'set' && depth < c.path.length) {
      const rest = c.path.slice(depth);
      if (!isMap(node) || rest.some((p) => typeof p !== 'string')) return null;
      const at = mapOrigin(src, node, file);
      const m = at ? place(at) : null;
      if (!isMap(m)) return null;
      ops.push({ op: 'set', map: m, path: rest as string[], value: c.value });
      continue;
    }
    if (depth < c.path.length) return null;
    const parent = parents[parents.length - 1];
    const last = c.path[c.path.length - 1];
    if (c.kind === 'append') {
      if (!isSeq(node) || typeof last !== 'string' || !isMap(parent)) return null;
      const at = mapOrigin(src, parent, file);
      const m = at ? place(at) : null;
      if (!isMap(m)) return null;
      ops.push({ op: 'append', map: m, path: [last], value: c.value });
      continue;
    }
    if (typeof last === 'string') {
      // A key set or removed where its map was written.
      if (!isMap(parent)) return null;
      const k = keyNode(parent, last);
      const o = valueOriginAt(src, k?.range?.[0]);
      if (!o || String(o.path[o.path.length - 1]) !== last) return null;
      const m = place({ file: o.file, document: o.document ?? 0, path: o.path.slice(0, -1) });
      if (!isMap(m)) return null;
      if (c.kind === 'set') ops.push({ op: 'set', map: m, path: [last], value: c.value });
      else ops.push({ op: 'remove', parent: m, key: last });
      continue;
    }
    // A list item removed where its list was written.
    if (c.kind !== 'remove' || !isSeq(parent)) return null;
    const item = node as Node;
    let o = valueOriginAt(src, item.range?.[0]);
    let itemPath = o?.path;
    if (isMap(item)) {
      const firstKey = item.items[0]?.key;
      o = isScalar(firstKey) ? valueOriginAt(src, firstKey.range?.[0]) : null;
      itemPath = o?.path.slice(0, -1);
    }
    const index = itemPath?.[itemPath.length - 1];
    if (!o || !itemPath || typeof index !== 'number') return null;
    const seq = place({ file: o.file, document: o.document ?? 0, path: itemPath.slice(0, -1) });
    if (!isSeq(seq)) return null;
    ops.push({ op: 'remove', parent: seq, key: index });
  }
  const t = target as OriginDoc | null;
  const d = targetDoc as Document.Parsed | null;
  if (!t || !d) return null;
  const edits = planEdits(t.text, d, ops);
  return edits && edits.length > 0 ? { ...fix, edits } : null;
}

/**
 * Apply the fixes findings carry (placed at their origin) to `text`, the
 * file they are reported in: the first safe fix of each (any fix with
 * `unsafe`) that edits only this file, each distinct fix once, leaving out a
 * fix whose edits touch another's (a later round makes it).
 */
export function applyFindingFixes(
  text: string,
  findings: readonly Finding[],
  o: { unsafe?: boolean; filter?: (f: Finding) => boolean } = {},
): { text: string; applied: number } {
  const here = '';
  const plan = planFixes(
    findings.map((finding) => ({ file: here, finding })),
    (p) => (p === here ? text : null),
    { ...o, otherFiles: false },
  );
  return { text: plan.changes[0]?.text ?? text, applied: plan.count };
}
