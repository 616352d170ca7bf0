/**
 * Fixes of values a JSON 6902 patch sets. A value changed is edited where
 * the operation writes it (the fixes at the origin and `placeFixes` do
 * that); a key removed is the operation that adds it taken out of the
 * patch: its item deleted from the operations list, whole lines, in a patch
 * file or inside the block scalar of an inline patch in `kustomization.yaml`
 * (its indentation kept). An operation that is its patch's only one takes
 * its `patches:` entry with it, since kustomize refuses an empty patch.
 *
 * Taking an operation out leaves whatever lies under it: a `replace` (or an
 * `add` over a key the base has) of a base value that itself fails. So the
 * overlay is built again with the edit (`clears`), and the fix offered only
 * when the finding is gone there; otherwise the operation is turned into a
 * `remove` of the key (its `value` dropped), which takes the base's value
 * too, and offered when that build is clean.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import type { Document, Node, YAMLMap, YAMLSeq } from 'yaml';
import { planEdits } from '../fixes/edits';
import type { FixOp } from '../fixes/edits';
import type { GeneratedSource } from '../sources/sourcemap';
import { segmentAt } from '../sources/sourcemap';
import type { Fix, TextEdit } from '../types';
import type { FixChanges, OriginDoc, Part } from './fixes';

function get(map: unknown, key: string): unknown {
  if (!isMap(map)) return undefined;
  for (const p of map.items) if (isScalar(p.key) && String(p.key.value) === key) return p.value;
  return undefined;
}

function child(n: unknown, part: Part): unknown {
  if (typeof part === 'number') return isSeq(n) ? n.items[part] : undefined;
  return get(n, part);
}

/** The JSON pointer of a key path (`/spec/hostNetwork`). */
const pointer = (path: readonly Part[]): string =>
  path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

const lineStart = (text: string, at: number): number => text.lastIndexOf('\n', at - 1) + 1;
const nextLine = (text: string, at: number): number => {
  const i = text.indexOf('\n', at);
  return i < 0 ? text.length : i + 1;
};

/** The innermost node of a parsed document whose range holds `offset`, with its parents. */
function pathTo(doc: Document.Parsed, offset: number): Node[] {
  const out: Node[] = [];
  let n: unknown = doc.contents;
  for (;;) {
    const node = n as Node | null;
    if (!node?.range || offset < node.range[0] || offset > node.range[1]) break;
    out.push(node);
    let next: unknown = undefined;
    if (isSeq(node)) {
      next = node.items.find((i) => {
        const r = (i as Node | null)?.range;
        return r && r[0] <= offset && offset <= r[1];
      });
    } else if (isMap(node)) {
      for (const p of node.items) {
        const r = (p.value as Node | null)?.range;
        if (r && r[0] <= offset && offset <= r[1]) next = p.value;
      }
    }
    if (next === undefined) break;
    n = next;
  }
  return out;
}

/** The operation item of `ops` (a parsed operations list) whose `value` holds `offset`, and its index. */
function opAt(ops: unknown, offset: number): { item: YAMLMap; index: number } | null {
  if (!isSeq(ops)) return null;
  for (let i = 0; i < ops.items.length; i++) {
    const item = ops.items[i];
    const v = get(item, 'value') as Node | undefined;
    const r = v?.range;
    if (isMap(item) && r && r[0] <= offset && offset <= r[1]) return { item, index: i };
  }
  return null;
}

/** Whether the operation adds (or replaces) exactly the removed key. */
function addsKey(item: YAMLMap, path: readonly Part[]): boolean {
  const op = get(item, 'op');
  const p = get(item, 'path');
  return (
    isScalar(op) &&
    (op.value === 'add' || op.value === 'replace') &&
    isScalar(p) &&
    p.value === pointer(path)
  );
}

/** Delete item `index` of a block sequence: its lines, from its dash to its last line. */
function deleteItem(text: string, seq: YAMLSeq, index: number): TextEdit | null {
  if (seq.flow) return null;
  const item = seq.items[index] as Node | undefined;
  if (!item?.range) return null;
  const start = lineStart(text, item.range[0]);
  // To the end of its own last line: a comment above the next item stays with it.
  const end = nextLine(text, Math.max(item.range[0], item.range[1] - 1));
  // The dash must open its line (no item on the line of its key).
  if (text.slice(start, item.range[0]).trim() !== '-') return null;
  return { start, end, newText: '' };
}

/**
 * The fix `fix` (a removal of one key, as `changes` says) made by taking
 * the JSON 6902 operation that sets the key out of its patch, in `file`, or
 * else by making it a `remove`: the first of these that `clears` accepts (by
 * default the first); null when the value does not come from such an
 * operation there.
 */
export function fixInJsonPatch(
  src: GeneratedSource,
  fix: Fix,
  changes: FixChanges,
  file: string,
  read: (file: string) => OriginDoc | null,
  clears?: (fix: Fix) => boolean,
): Fix | null {
  if (changes.changes.length !== 1) return null;
  const c = changes.changes[0];
  if (!c || c.kind !== 'remove' || typeof c.path[c.path.length - 1] !== 'string') return null;
  // The removed value in the built object, and where it was written.
  let node: unknown = changes.gdoc.contents;
  for (const p of c.path) node = child(node, p);
  const r = (node as Node | undefined)?.range;
  if (!r || !isScalar(node)) return null;
  const seg = segmentAt(src, r[0]);
  const o = seg?.origin;
  if (!o || o.kind !== 'value' || o.file !== file) return null;
  const origin = read(file);
  if (!origin) return null;
  const doc = origin.docs.find((d) => d.range[0] <= o.start && o.start <= d.range[2]);
  if (!doc) return null;
  const text = origin.text;
  const at = pathTo(doc, o.start);

  // The ways to make the fix, in order; the first whose build is clean is offered.
  const key = String(c.path[c.path.length - 1]);
  const zeroTitle = (item: YAMLMap): string => {
    const v = get(item, 'value');
    const zero = isScalar(v) && typeof v.value === 'number' ? 0 : false;
    return `Set ${key}: ${String(zero)} in the JSON patch`;
  };
  const first = (candidates: Array<[() => TextEdit[] | null, string?]>): Fix | null => {
    for (const [make, title] of candidates) {
      const edits = make();
      if (!edits || edits.length === 0) continue;
      const f = { ...fix, ...(title !== undefined ? { title } : {}), edits };
      if (!clears || clears(f)) return f;
    }
    return null;
  };

  // A patch file whose document is the operations list.
  const direct = opAt(at[0], o.start);
  if (direct && addsKey(direct.item, c.path)) {
    const seq = at[0] as YAMLSeq;
    return first([
      [
        () => {
          if (seq.items.length === 1) return null;
          const e = deleteItem(text, seq, direct.index);
          return e ? [e] : null;
        },
      ],
      [() => planEdits(text, doc, asRemoveOp(direct.item))],
      [
        () => {
          const z = asZeroValue(direct.item);
          return z ? planEdits(text, doc, z) : null;
        },
        zeroTitle(direct.item),
      ],
    ]);
  }

  // An inline patch: a block scalar of `kustomization.yaml` (its `patch:`).
  const block = at[at.length - 1];
  if (
    !isScalar(block) ||
    (block.type !== Scalar.BLOCK_LITERAL && block.type !== Scalar.BLOCK_FOLDED) ||
    !block.range
  )
    return null;
  const entry = at[at.length - 2];
  const entries = at[at.length - 3];
  if (!isMap(entry) || get(entry, 'patch') !== block || !isSeq(entries)) return null;
  // The block's lines: the header line, then its content at one indentation.
  const bodyStart = nextLine(text, block.range[0]);
  const bodyEnd = block.range[1];
  const lines: Array<{ start: number; indent: number }> = [];
  for (let s = bodyStart; s < bodyEnd; s = nextLine(text, s)) {
    let i = s;
    while (text[i] === ' ') i++;
    lines.push({ start: s, indent: i - s });
  }
  const indent = Math.min(
    ...lines
      .filter((l) => /\S/.test(text.slice(l.start, nextLine(text, l.start))))
      .map((l) => l.indent),
  );
  if (!Number.isFinite(indent)) return null;
  const inner = typeof block.value === 'string' ? block.value : '';
  // Inner offsets of each content line (the block's value is its lines, unindented).
  const innerStarts: number[] = [];
  let acc = 0;
  for (const l of lines) {
    innerStarts.push(acc);
    const raw = text.slice(l.start, nextLine(text, l.start)).replace(/\r?\n$/, '');
    acc += Math.max(0, raw.length - indent) + 1;
  }
  const lineOf = (outer: number): number => {
    let k = 0;
    while (k + 1 < lines.length && (lines[k + 1] as { start: number }).start <= outer) k++;
    return k;
  };
  const toInner = (outer: number): number => {
    const k = lineOf(outer);
    return (innerStarts[k] as number) + (outer - (lines[k] as { start: number }).start - indent);
  };
  if (block.type !== Scalar.BLOCK_LITERAL) return null;
  const opsDoc = parseDocument(inner, { version: '1.1' });
  if (opsDoc.errors.length > 0) return null;
  const found = opAt(opsDoc.contents, toInner(o.start));
  if (!found || !addsKey(found.item, c.path)) return null;
  const ops = opsDoc.contents as YAMLSeq;
  const lastLineEnd = nextLine(text, (lines[lines.length - 1] as { start: number }).start);
  /** An offset of the block's value back in the file: a line start to its line's start. */
  const toOuter = (at: number): number => {
    if (at >= inner.length) return lastLineEnd;
    let k = 0;
    while (k + 1 < innerStarts.length && (innerStarts[k + 1] as number) <= at) k++;
    const s0 = (lines[k] as { start: number }).start;
    const off = at - (innerStarts[k] as number);
    return off === 0 ? s0 : s0 + indent + off;
  };
  // Edits of the block's value (an operation made a `remove`, its value zeroed), mapped back to
  // the file: one line each.
  const inBlock = (fixOps: FixOp[]): TextEdit[] | null => {
    const inside = planEdits(inner, opsDoc, fixOps);
    if (!inside) return null;
    const out: TextEdit[] = [];
    for (const e of inside) {
      const start = toOuter(e.start);
      const end = toOuter(e.end);
      if (e.newText.includes('\n')) return null;
      out.push({ start, end, newText: e.newText });
    }
    return out;
  };
  return first([
    [
      () => {
        if (ops.items.length === 1) {
          // The patch's only operation: its `patches:` entry goes, if it is not the only one either.
          const index = entries.items.indexOf(entry);
          if (index < 0 || entries.items.length <= 1) return null;
          return planEdits(text, doc, [{ op: 'remove', parent: entries, key: index }]);
        }
        const e = deleteItem(inner, ops, found.index);
        if (!e) return null;
        // Inner lines back to the file's lines.
        const k0 = innerStarts.indexOf(e.start);
        const k1 = e.end >= inner.length ? lines.length : innerStarts.indexOf(e.end);
        if (k0 < 0 || k1 < 0) return null;
        const start = (lines[k0] as { start: number }).start;
        // The last operation's lines end the block: up to the line after its last.
        const end = k1 >= lines.length ? lastLineEnd : (lines[k1] as { start: number }).start;
        return [{ start, end, newText: '' }];
      },
    ],
    [() => inBlock(asRemoveOp(found.item))],
    [
      () => {
        const z = asZeroValue(found.item);
        return z ? inBlock(z) : null;
      },
      zeroTitle(found.item),
    ],
  ]);
}

/**
 * The planner's operation setting a JSON 6902 operation's scalar `value` to
 * the zero of its type (`false`, `0`: what an unset field means), or null.
 */
function asZeroValue(item: YAMLMap): FixOp[] | null {
  const v = get(item, 'value');
  if (!isScalar(v)) return null;
  const zero = typeof v.value === 'boolean' ? false : typeof v.value === 'number' ? 0 : null;
  if (zero === null || v.value === zero) return null;
  return [{ op: 'set', map: item, path: ['value'], value: zero }];
}

/** The planner's operations turning a JSON 6902 `add`/`replace` into a `remove` of its path. */
function asRemoveOp(item: YAMLMap): FixOp[] {
  return [
    { op: 'set', map: item, path: ['op'], value: 'remove' },
    { op: 'remove', parent: item, key: 'value' },
  ];
}
