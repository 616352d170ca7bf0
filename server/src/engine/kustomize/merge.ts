/**
 * Strategic merge patches as kustomize applies them (kyaml's merge walker,
 * with patch elements placed first):
 *
 * - maps merge key by key; a patch value replaces a scalar; `null` deletes;
 * - a list merges by its merge keys where Kubernetes' types give it a patch
 *   strategy of `merge` (containers, initContainers and ephemeralContainers
 *   by `name`, ports by `containerPort` and `protocol`, env by `name`,
 *   volumeMounts by `mountPath`, volumes by `name`, ...; see `schema.ts`), or
 *   as a set for merging lists of scalars (finalizers); any other list, and
 *   every list of a custom resource, is replaced;
 * - `$patch: delete` deletes a map or a list item, `$patch: replace`
 *   replaces a map (in a list: the list), `$patch: merge` merges.
 *
 * Kustomize does not carry out `$retainKeys`, `$setElementOrder/<list>` or
 * `$deleteFromPrimitiveList/<list>`: it merges them as ordinary fields, and
 * so does a build (it notes them; see `directivesIn`). With `directives:
 * 'kubernetes'` they are carried out as the API server carries them out.
 *
 * Nodes keep their origins: a value the patch sets carries the patch's
 * origin, a value it leaves keeps the resource's.
 */
import { fieldOf } from './schema';
import type { SchemaField } from './schema';
import { resolvePlain } from './scalars';
import { entry, get, remove, scalar } from './tree';
import type { KMap, KNode, KSeq } from './tree';

/** A merge error (kustomize's message; the node that causes it). */
export class MergeError extends Error {
  constructor(
    message: string,
    readonly node: KNode | undefined,
  ) {
    super(message);
  }
}

type N = KNode | undefined;

/** What the walk returns to delete a field or an element. */
const CLEAR = undefined;

/** Null nodes kept in the result (a resource's explicit `key: null` that the patch does not touch). */
const persistent = new WeakSet<KNode>();

const isMissingOrNull = (n: N): boolean =>
  n === undefined || (n.kind === 'scalar' && n.tag === 'null');
const isTaggedNull = (n: N): boolean => n !== undefined && n.kind === 'scalar' && n.tag === 'null';
const isEmptyMap = (n: N): boolean => n !== undefined && n.kind === 'map' && n.entries.length === 0;

const KIND_NAMES = { map: 'MappingNode', seq: 'SequenceNode', scalar: 'ScalarNode' } as const;

/** A short YAML rendering of a node, for kustomize's "node contents" in messages. */
export function nodeText(n: KNode, indent = ''): string {
  if (n.kind === 'scalar') return `${n.text}\n`;
  if (n.kind === 'map') {
    if (n.entries.length === 0) return '{}\n';
    return n.entries
      .map((e) => {
        const v = e.value;
        if (v.kind === 'scalar') return `${indent}${e.key}: ${v.text}\n`;
        if (
          (v.kind === 'map' && v.entries.length === 0) ||
          (v.kind === 'seq' && v.items.length === 0)
        )
          return `${indent}${e.key}: ${v.kind === 'map' ? '{}' : '[]'}\n`;
        return `${indent}${e.key}:\n${nodeText(v, `${indent}  `)}`;
      })
      .join('');
  }
  if (n.items.length === 0) return '[]\n';
  return n.items
    .map((i) => {
      const body = nodeText(i, `${indent}  `);
      return `${indent}- ${body.slice(indent.length + 2)}`;
    })
    .join('');
}

function errorIfInvalid(n: N, kind: KNode['kind']): void {
  if (isMissingOrNull(n) || (n as KNode).kind === kind) return;
  const node = n as KNode;
  throw new MergeError(
    `wrong node kind: expected ${KIND_NAMES[kind]} but got ${KIND_NAMES[node.kind]}: node contents:\n${nodeText(node)}`,
    node,
  );
}

type Directive = 'merge' | 'delete' | 'replace';

/** The `$patch` directive of a patch node, removed from it (kustomize "elides" it). */
function directive(patch: N): Directive {
  if (patch === undefined) return 'merge';
  if (patch.kind === 'seq') {
    const el = patch.items.find((i) => i.kind === 'map' && entry(i, '$patch') !== undefined) as
      KMap | undefined;
    if (!el || el.entries.length > 1) return 'merge';
    const v = get(el, '$patch');
    if (!v || v.kind !== 'scalar') return 'merge';
    if (v.text === 'delete' || v.text === 'replace' || v.text === 'merge') {
      // Remove the directive element(s) with this value (kyaml also drops empty elements here).
      elementSetter(patch, undefined, ['$patch'], [v.text]);
      return v.text;
    }
    throw new MergeError(`unknown patch strategy '${v.text}'`, v);
  }
  if (patch.kind === 'map') {
    const v = get(patch, '$patch');
    if (!v) return 'merge';
    const text = v.kind === 'scalar' ? v.text : '';
    if (text === 'delete' || text === 'replace' || text === 'merge') {
      remove(patch, '$patch');
      return text;
    }
    throw new MergeError(`unknown patch strategy '${text}'`, v);
  }
  throw new MergeError(
    `no implemented strategic merge patch strategy for '!!${patch.tag}' ('${patch.text}')`,
    patch,
  );
}

interface Schema {
  /** The node's struct type (for maps). */
  type?: string | undefined;
  /** The list's merge keys (present when the list merges). */
  keys?: readonly string[] | undefined;
}

function fieldSchema(s: Schema | null, key: string): Schema | null {
  const f: SchemaField | null = fieldOf(s?.type, key);
  return f ? { type: f.type, keys: f.keys } : null;
}

function walk(dest: N, origin: N, schema: Schema | null): N {
  const kind = !isMissingOrNull(dest)
    ? (dest as KNode).kind
    : !isMissingOrNull(origin)
      ? (origin as KNode).kind
      : 'map';
  if (kind === 'map') {
    errorIfInvalid(dest, 'map');
    errorIfInvalid(origin, 'map');
    return walkMap(dest, origin, schema);
  }
  if (kind === 'seq') {
    errorIfInvalid(dest, 'seq');
    errorIfInvalid(origin, 'seq');
    if (schema?.keys !== undefined) return walkAssociative(dest, origin, schema);
    // Not associative: the patch's list (or null) replaces the resource's.
    return origin !== undefined ? origin : dest;
  }
  errorIfInvalid(dest, 'scalar');
  errorIfInvalid(origin, 'scalar');
  return origin !== undefined ? origin : dest;
}

function visitMap(dest: N, origin: N): N {
  if (isMissingOrNull(dest)) {
    let d: Directive = 'merge';
    try {
      d = directive(origin);
    } catch {
      // kustomize ignores a bad directive when adding.
    }
    if (d === 'delete') return CLEAR;
    if (
      origin === undefined &&
      dest !== undefined &&
      dest.kind === 'scalar' &&
      dest.text.length > 0
    ) {
      const keep = scalar(dest.text, 'null', dest.origin);
      persistent.add(keep);
      return keep;
    }
    return origin;
  }
  if (isTaggedNull(origin)) return CLEAR;
  const d = directive(origin);
  if (d === 'delete') return CLEAR;
  if (d === 'replace') return origin;
  return dest;
}

/** Whether `$retainKeys`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…` are carried out (Kubernetes) or kept as fields (kustomize). */
let carryOutDirectives = false;

interface MapDirectives {
  retain: Set<string> | null;
  deletes: Map<string, Set<string>>;
  orders: Map<string, KNode[]>;
}

const texts = (n: KNode): string[] =>
  (n.kind === 'seq' ? n.items : [n]).map((i) => (i.kind === 'scalar' ? i.text : ''));

/** Take the Kubernetes list and map directives out of a patch map. */
function takeDirectives(origin: N): MapDirectives | null {
  if (!carryOutDirectives || !origin || origin.kind !== 'map') return null;
  const d: MapDirectives = { retain: null, deletes: new Map(), orders: new Map() };
  let any = false;
  for (const e of [...origin.entries]) {
    if (e.key === '$retainKeys') d.retain = new Set(texts(e.value));
    else if (e.key.startsWith('$deleteFromPrimitiveList/'))
      d.deletes.set(e.key.slice(25), new Set(texts(e.value)));
    else if (e.key.startsWith('$setElementOrder/'))
      d.orders.set(e.key.slice(17), e.value.kind === 'seq' ? e.value.items : []);
    else continue;
    any = true;
    remove(origin, e.key);
  }
  return any ? d : null;
}

/** An element's identity for `$setElementOrder`: its merge-key values, or a scalar's text. */
function elementId(el: KNode, keys: readonly string[]): string {
  if (el.kind === 'scalar') return `=${el.text}`;
  return JSON.stringify(
    keys.map((k) => {
      const v = get(el, k);
      return v && v.kind === 'scalar' ? v.text : '';
    }),
  );
}

function applyDirectives(dest: KMap, d: MapDirectives, schema: Schema | null): void {
  for (const [field, values] of d.deletes) {
    const l = get(dest, field);
    if (l && l.kind === 'seq')
      l.items = l.items.filter((i) => !(i.kind === 'scalar' && values.has(i.text)));
  }
  for (const [field, order] of d.orders) {
    const l = get(dest, field);
    if (!l || l.kind !== 'seq') continue;
    const keys = fieldSchema(schema, field)?.keys ?? [];
    const rank = new Map(order.map((o, i) => [elementId(o, keys), i]));
    // Listed elements in the order given; the others after them, as they were.
    l.items = l.items
      .map((item, i) => ({ item, i, r: rank.get(elementId(item, keys)) ?? Infinity }))
      .sort((a, b) => (a.r !== b.r ? a.r - b.r : a.i - b.i))
      .map((x) => x.item);
  }
  if (d.retain) {
    const keep = d.retain;
    dest.entries = dest.entries.filter((e) => keep.has(e.key));
  }
}

function walkMap(destIn: N, origin: N, schema: Schema | null): N {
  const directives = takeDirectives(origin);
  const dest = visitMap(destIn, origin);
  if (dest === undefined) return CLEAR;
  if (dest.kind !== 'map') return dest;
  const names = new Set<string>();
  for (const s of [dest, origin])
    if (s && s.kind === 'map') for (const e of s.entries) names.add(e.key);
  for (const key of [...names].sort()) {
    const o = origin && origin.kind === 'map' ? entry(origin, key) : undefined;
    const val = walk(get(dest, key), o?.value, fieldSchema(schema, key));
    setField(dest, key, val, o?.keyOrigin ?? null);
  }
  if (directives) applyDirectives(dest, directives, schema);
  return dest;
}

/** kyaml's FieldSetter: clear on nothing or a (non-kept) null, else replace or append. */
function setField(
  m: KMap,
  key: string,
  val: N,
  keyOrigin: KMap['entries'][number]['keyOrigin'],
): void {
  if (val === undefined || (isTaggedNull(val) && !persistent.has(val))) {
    remove(m, key);
    return;
  }
  const e = entry(m, key);
  if (e) e.value = val;
  else m.entries.push({ key, keyOrigin: keyOrigin ?? val.origin, value: val });
}

/** A map element's merge-key values, as kyaml reads them: '' for an absent, null or empty field. */
function elementValuesList(seq: KSeq, keys: readonly string[]): string[][] {
  return seq.items.map((el) =>
    keys.map((k) => {
      const v = el.kind === 'map' ? get(el, k) : undefined;
      if (v === undefined || isTaggedNull(v)) return '';
      return v.kind === 'scalar' ? v.text : '';
    }),
  );
}

function validateKeys(
  valuesList: string[][],
  values: string[],
  keys: readonly string[],
): [string[], string[]] {
  const valid = new Set<string>();
  for (const vs of valuesList) vs.forEach((v, i) => v !== '' && valid.add(keys[i] as string));
  if (valid.size === 0) return [[...keys], [...values]];
  return [
    keys.filter((k) => valid.has(k)),
    values.filter((v, i) => v !== '' || valid.has(keys[i] as string)),
  ];
}

function match(a: string[], b: string[]): [boolean, string[]] {
  if (a.length !== b.length) return [false, []];
  let common = false;
  const res: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) {
      common = true;
      res.push(x);
      continue;
    }
    if (x !== '' && y !== '') return [false, []];
    res.push(x !== '' ? x : y);
  }
  return [common, res];
}

function mergeValues(list: string[][]): string[][] {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < list.length; j++) {
      const [ok, vs] = match(list[i] as string[], list[j] as string[]);
      if (ok) {
        list[i] = vs;
        list[j] = vs;
      }
    }
  }
  return list;
}

/** kyaml's FieldMatcher with a string value: the field exists and (for a non-empty value) equals it. */
function fieldMatches(el: KNode, key: string, value: string): boolean {
  if (isMissingOrNull(el)) return false;
  if (key === '') {
    if (el.kind !== 'scalar')
      throw new MergeError(
        `wrong node kind: expected ScalarNode but got ${KIND_NAMES[el.kind]}: node contents:\n${nodeText(el)}`,
        el,
      );
    return value === '' ? el.text === '' : el.text === value;
  }
  if (el.kind !== 'map') return false;
  const v = get(el, key);
  if (v === undefined) return false;
  return value === '' || (v.kind === 'scalar' && v.text === value);
}

/**
 * kyaml's ElementSetter on a list: replace the element matching all
 * key=value pairs with `element` (or delete it when `element` is undefined),
 * appending `element` when none matches; empty elements are dropped.
 */
function elementSetter(
  seq: KSeq,
  element: N,
  keysIn: readonly string[],
  values: readonly string[],
): void {
  const keys = keysIn.length === 0 ? [''] : keysIn;
  const mappingSetter = keys.length > 0 && keys[0] !== '' && values.length > 0 && values[0] !== '';
  const next: KNode[] = [];
  let found = false;
  for (const el of seq.items) {
    if (isMissingOrNull(el) || isEmptyMap(el)) continue;
    if (el.kind !== 'map' && mappingSetter) {
      next.push(el);
      continue;
    }
    let hit = true;
    let last: boolean | undefined;
    for (let j = 0; j < keys.length; j++) {
      if (j < values.length) last = fieldMatches(el, keys[j] as string, values[j] as string);
      if (!last) {
        hit = false;
        break;
      }
    }
    if (!hit) {
      if (values.length > 0) next.push(el);
      continue;
    }
    found = true;
    if (element === undefined) continue;
    next.push(element);
  }
  seq.items = next;
  if (isMissingOrNull(element)) return;
  if (!found) seq.items.push(element as KNode);
}

/** kyaml's ElementMatcher with values: the first map element whose fields equal the values ('' included). */
function elementList(seq: N, keys: readonly string[], values: readonly string[]): N {
  if (seq === undefined || seq.kind !== 'seq') return undefined;
  const ks = keys.length === 0 ? [''] : keys;
  const vs = values.length === 0 ? [''] : values;
  if (ks[0] === '')
    return seq.items.find((i) => (i.kind === 'scalar' ? i.text === vs[0] : vs[0] === ''));
  for (const el of seq.items) {
    if (el.kind !== 'map') continue;
    let ok = true;
    for (let i = 0; i < ks.length; i++) {
      const v = get(el, ks[i] as string);
      if (!v || !(v.kind === 'scalar' && v.text === vs[i])) {
        // A field with a non-scalar value matches only the empty value.
        if (!(v && v.kind !== 'scalar' && vs[i] === '')) {
          ok = false;
          break;
        }
      }
    }
    if (ok) return el;
  }
  return undefined;
}

function appendListNode(dst: KSeq, src: KSeq, keys: readonly string[]): KSeq {
  for (const el of [...src.items]) {
    if (keys[0] === '') {
      elementSetter(dst, el, [''], [el.kind === 'scalar' ? el.text : '']);
      continue;
    }
    const v: string[] = [];
    for (const key of keys) {
      const vn = el.kind === 'map' ? get(el, key) : undefined;
      if (vn === undefined) {
        dst.items.push(el);
        continue;
      }
      v.push(vn.kind === 'scalar' ? vn.text : '');
    }
    if (keys.length > 1) elementSetter(dst, undefined, keys, v);
    elementSetter(dst, el, keys, v);
  }
  return dst;
}

function setAssociativeElements(
  valuesList: string[][],
  keys: readonly string[],
  dest: KSeq,
  origin: N,
  schema: Schema,
): N {
  const items: KSeq = { kind: 'seq', items: [], origin: dest.origin };
  const elemSchema: Schema | null = schema.type ? { type: schema.type } : null;
  const list = keys.length > 1 ? mergeValues(valuesList) : valuesList;
  let validKeys: string[] = [];
  let validValues: string[] = [];
  for (const values of list) {
    if (values.length === 0) continue;
    [validKeys, validValues] = validateKeys(list, values, keys);
    const [k1, v1] = validateKeys([validValues], validValues, validKeys);
    const val = walk(elementList(dest, k1, v1), elementList(origin, k1, v1), elemSchema);
    let exit = false;
    for (let i = 0; i < validKeys.length; i++) {
      const key = validKeys[i] as string;
      if (isMissingOrNull(val) || isEmptyMap(val)) {
        elementSetter(dest, undefined, validKeys, validValues);
        exit = true;
      } else if (
        val !== undefined &&
        val.kind === 'map' &&
        !entry(val, key) &&
        validValues[i] !== ''
      ) {
        const text = validValues[i] as string;
        val.entries.push({
          key,
          keyOrigin: val.origin,
          value: scalar(text, resolvePlain(text, false), val.origin),
        });
      } else if (
        val !== undefined &&
        val.kind === 'scalar' &&
        key === '' &&
        validValues[i] !== ''
      ) {
        val.text = validValues[i] as string;
      }
    }
    if (exit) continue;
    elementSetter(items, val, validKeys, validValues);
  }
  if (list.length > 0) return appendListNode(items, dest, validKeys);
  return dest;
}

function walkAssociative(destIn: N, origin: N, schema: Schema): N {
  // kyaml's VisitList for an associative list.
  let dest: N;
  if (isMissingOrNull(destIn)) dest = origin;
  else if (isTaggedNull(origin)) return CLEAR;
  else {
    const d = directive(origin);
    if (d === 'delete') return CLEAR;
    dest = d === 'replace' ? origin : destIn;
  }
  if (dest === undefined || dest.kind !== 'seq') return dest;
  const keys = schema.keys ?? [];
  // Values of the merge keys, the patch's elements first, each once.
  const sources = [origin, dest];
  const seen = new Set<string>();
  const values: string[][] = [];
  if (keys.length > 0) {
    for (const s of sources) {
      if (!s || s.kind !== 'seq') continue;
      for (const vs of elementValuesList(s, keys)) {
        const id = JSON.stringify(vs);
        if (vs.length === 0 || seen.has(id)) continue;
        seen.add(id);
        values.push(vs);
      }
    }
    return setAssociativeElements(values, keys, dest, origin, schema);
  }
  // A merging list of scalars: the patch's values first, then the resource's others.
  for (const s of sources) {
    if (!s || s.kind !== 'seq') continue;
    for (const item of s.items) {
      const t = item.kind === 'scalar' ? item.text : '';
      if (seen.has(t)) continue;
      seen.add(t);
      values.push([t]);
    }
  }
  return setAssociativeElements(values, [''], dest, origin, { ...schema, type: undefined });
}

/**
 * Apply a strategic merge patch to a resource tree (both as kustomize has
 * them after reading). Returns the merged tree, or undefined when the patch
 * deletes the whole object. `rootType` is the object's schema type (null for
 * custom resources). The patch is consumed: pass a copy.
 */
export interface MergeOptions {
  /**
   * `kustomize` (the default, what builds use): `$retainKeys`,
   * `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` merge as
   * ordinary fields, as kustomize merges them. `kubernetes`: they are carried
   * out as the API server does: only the listed keys of the map are kept, the
   * listed values leave the list, the list's elements take the given order
   * (elements not listed follow, in their order), on kustomize's merge.
   */
  directives?: 'kustomize' | 'kubernetes';
}

export function strategicMerge(
  resource: KMap,
  patch: KMap,
  rootType: string | null,
  options: MergeOptions = {},
): KMap | undefined {
  carryOutDirectives = options.directives === 'kubernetes';
  try {
    const out = walk(resource, patch, rootType ? { type: rootType } : null);
    if (out === undefined) return undefined;
    if (out.kind !== 'map') throw new MergeError('merge produced a non-map object', out);
    return out;
  } finally {
    carryOutDirectives = false;
  }
}

/** The directives kustomize leaves in place (it does not carry them out): their keys and nodes in a patch. */
export function directivesIn(
  n: KNode,
  out: Array<{ key: string; node: KNode }> = [],
): Array<{ key: string; node: KNode }> {
  if (n.kind === 'map') {
    for (const e of n.entries) {
      if (
        e.key === '$retainKeys' ||
        e.key.startsWith('$setElementOrder/') ||
        e.key.startsWith('$deleteFromPrimitiveList/')
      )
        out.push({ key: e.key, node: e.value });
      directivesIn(e.value, out);
    }
  } else if (n.kind === 'seq') for (const i of n.items) directivesIn(i, out);
  return out;
}
