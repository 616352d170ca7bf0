/**
 * JSON patches (RFC 6902) applied as kustomize applies them (it uses
 * evanphx/json-patch v4): `add`, `remove`, `replace`, `move`, `copy`, `test`
 * with JSON Pointer paths (`~1` is `/`, `~0` is `~`), `-` appending to a
 * list, negative indexes counting from the end, `replace` of a missing map
 * key adding it, and that library's error messages.
 *
 * Written here rather than taken from an npm JSON Patch library because the
 * operations must work on the build's value tree, so that a value a patch
 * adds keeps the patch's position and everything it moves keeps its own
 * origin; the libraries work on plain objects, which would lose that.
 */
import { clone, get, normalizeAsJson, plainEqual } from './tree';
import type { KMap, KNode, KSeq } from './tree';

export interface JsonPatchOp {
  op: string;
  path: string | null;
  from: string | null;
  /** undefined: no `value`; null: `value: null`. */
  value: KNode | null | undefined;
  /** The operation's node in the patch (for errors). */
  node: KNode;
}

export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly op: JsonPatchOp | null,
  ) {
    super(message);
  }
}

const MISSING = ': missing value';

function decodeKey(k: string): string {
  return k.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The operations of a decoded patch (a sequence of maps), as the library reads them. */
export function decodeOps(n: KNode | null): JsonPatchOp[] {
  if (!n || n.kind !== 'seq') {
    const kind = !n
      ? 'null'
      : n.kind === 'map'
        ? 'object'
        : n.tag === 'str'
          ? 'string'
          : n.tag === 'bool'
            ? 'bool'
            : 'number';
    throw new JsonPatchError(
      `json: cannot unmarshal ${kind} into Go value of type jsonpatch.Patch`,
      null,
    );
  }
  return n.items.map((item) => {
    if (item.kind !== 'map')
      throw new JsonPatchError(
        `json: cannot unmarshal ${item.kind === 'seq' ? 'array' : 'string'} into Go value of type map[string]*json.RawMessage`,
        null,
      );
    const s = (k: string): string | null => {
      const v = get(item, k);
      return v && v.kind === 'scalar' && v.tag === 'str' ? v.text : null;
    };
    const v = get(item, 'value');
    return {
      op: s('op') ?? 'unknown',
      path: s('path'),
      from: s('from'),
      value: v === undefined ? undefined : v.kind === 'scalar' && v.tag === 'null' ? null : v,
      node: item,
    };
  });
}

type Container = KMap | KSeq;

/** Go's strconv.Atoi, with its error text. */
function atoi(key: string): number {
  if (!/^[-+]?[0-9]+$/.test(key))
    throw new JsonPatchError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`, null);
  const n = Number(key);
  if (!Number.isSafeInteger(n))
    throw new JsonPatchError(
      `strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`,
      null,
    );
  return n;
}

const invalidIndex = (i: number): JsonPatchError =>
  new JsonPatchError(`Unable to access invalid index: ${i}: invalid index referenced`, null);

function cget(c: Container, key: string): KNode | null {
  if (c.kind === 'map') return get(c, key) ?? null;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.items.length) throw invalidIndex(idx);
    idx += c.items.length;
  }
  if (idx >= c.items.length) throw invalidIndex(idx);
  return c.items[idx] as KNode;
}

function nullNode(origin: KNode['origin']): KNode {
  return { kind: 'scalar', tag: 'null', text: 'null', origin };
}

function cset(c: Container, key: string, val: KNode | null, origin: KNode['origin']): void {
  const v = val ?? nullNode(origin);
  if (c.kind === 'map') {
    const e = c.entries.find((x) => x.key === key);
    if (e) e.value = v;
    else c.entries.push({ key, keyOrigin: origin, value: v });
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.items.length) throw invalidIndex(idx);
    idx += c.items.length;
  }
  c.items[idx] = v;
}

function cadd(c: Container, key: string, val: KNode | null, origin: KNode['origin']): void {
  if (c.kind === 'map') {
    cset(c, key, val, origin);
    return;
  }
  const v = val ?? nullNode(origin);
  if (key === '-') {
    c.items.push(v);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new JsonPatchError(
      `value was not a proper array index: '${key}': ${(e as Error).message}`,
      null,
    );
  }
  const size = c.items.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  c.items.splice(idx, 0, v);
}

function cremove(c: Container, key: string): void {
  if (c.kind === 'map') {
    const i = c.entries.findIndex((e) => e.key === key);
    if (i < 0) throw new JsonPatchError(`Unable to remove nonexistent key: ${key}${MISSING}`, null);
    c.entries.splice(i, 1);
    return;
  }
  let idx = atoi(key);
  if (idx >= c.items.length) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -c.items.length) throw invalidIndex(idx);
    idx += c.items.length;
  }
  c.items.splice(idx, 1);
}

function findObject(doc: Container, path: string): [Container, string] | null {
  const split = path.split('/');
  if (split.length < 2) return null;
  const parts = split.slice(1, -1);
  const key = split[split.length - 1] as string;
  let cur: Container = doc;
  for (const part of parts) {
    let next: KNode | null;
    try {
      next = cget(cur, decodeKey(part));
    } catch {
      return null;
    }
    if (!next || next.kind === 'scalar') return null;
    cur = next;
  }
  return [cur, decodeKey(key)];
}

function wrap(e: unknown, prefix: string): JsonPatchError {
  return new JsonPatchError(`${prefix}: ${(e as Error).message}`, null);
}

/** Bound on the nodes `copy` may duplicate in one patch (the library's accumulated copy limit is off by default). */
const MAX_COPIED_NODES = 1_000_000;

function size(n: KNode): number {
  if (n.kind === 'map') return n.entries.reduce((s, e) => s + size(e.value), 1);
  if (n.kind === 'seq') return n.items.reduce((s, i) => s + size(i), 1);
  return 1;
}

/**
 * Apply `ops` to `doc` in place (the root may be replaced: the result is the
 * new root). Values a patch adds keep its origins; the whole object is then
 * normalised as a trip through JSON leaves it.
 */
export function applyJsonPatch(docIn: KMap, ops: readonly JsonPatchOp[]): KNode {
  let doc: Container = docIn;
  let copied = 0;
  for (const op of ops) {
    const at = (e: JsonPatchError): JsonPatchError => new JsonPatchError(e.message, op);
    const value = op.value === undefined || op.value === null ? null : clone(op.value);
    const origin = op.value ? op.value.origin : op.node.origin;
    try {
      switch (op.op) {
        case 'add': {
          if (op.path === null)
            throw new JsonPatchError(`add operation failed to decode path${MISSING}`, op);
          const f = findObject(doc, op.path);
          if (!f)
            throw new JsonPatchError(
              `add operation does not apply: doc is missing path: "${op.path}"${MISSING}`,
              op,
            );
          try {
            cadd(f[0], f[1], value, origin);
          } catch (e) {
            throw wrap(e, `error in add for path: '${op.path}'`);
          }
          break;
        }
        case 'remove': {
          if (op.path === null)
            throw new JsonPatchError(`remove operation failed to decode path${MISSING}`, op);
          const f = findObject(doc, op.path);
          if (!f)
            throw new JsonPatchError(
              `remove operation does not apply: doc is missing path: "${op.path}"${MISSING}`,
              op,
            );
          try {
            cremove(f[0], f[1]);
          } catch (e) {
            throw wrap(e, `error in remove for path: '${op.path}'`);
          }
          break;
        }
        case 'replace': {
          if (op.path === null)
            throw new JsonPatchError(
              `replace operation failed to decode path: operation missing path field${MISSING}`,
              op,
            );
          if (op.path === '') {
            if (!value || value.kind === 'scalar')
              throw new JsonPatchError('replace operation value must be object or array', op);
            doc = value;
            break;
          }
          const f = findObject(doc, op.path);
          if (!f)
            throw new JsonPatchError(
              `replace operation does not apply: doc is missing path: ${op.path}${MISSING}`,
              op,
            );
          try {
            cget(f[0], f[1]);
          } catch {
            throw new JsonPatchError(
              `replace operation does not apply: doc is missing key: ${op.path}${MISSING}`,
              op,
            );
          }
          try {
            cset(f[0], f[1], value, origin);
          } catch (e) {
            throw wrap(e, `error in remove for path: '${op.path}'`);
          }
          break;
        }
        case 'move': {
          if (op.from === null)
            throw new JsonPatchError(
              `move operation failed to decode from: operation, missing from field${MISSING}`,
              op,
            );
          const f = findObject(doc, op.from);
          if (!f)
            throw new JsonPatchError(
              `move operation does not apply: doc is missing from path: ${op.from}${MISSING}`,
              op,
            );
          let val: KNode | null;
          try {
            val = cget(f[0], f[1]);
            cremove(f[0], f[1]);
          } catch (e) {
            throw wrap(e, `error in move for path: '${f[1]}'`);
          }
          if (op.path === null)
            throw new JsonPatchError(
              `move operation failed to decode path: operation missing path field${MISSING}`,
              op,
            );
          const t = findObject(doc, op.path);
          if (!t)
            throw new JsonPatchError(
              `move operation does not apply: doc is missing destination path: ${op.path}${MISSING}`,
              op,
            );
          try {
            cadd(t[0], t[1], val, origin);
          } catch (e) {
            throw wrap(e, `error in move for path: '${op.path}'`);
          }
          break;
        }
        case 'copy': {
          if (op.from === null)
            throw new JsonPatchError(
              `copy operation failed to decode from: operation, missing from field${MISSING}`,
              op,
            );
          const f = findObject(doc, op.from);
          if (!f)
            throw new JsonPatchError(
              `copy operation does not apply: doc is missing from path: ${op.from}${MISSING}`,
              op,
            );
          let val: KNode | null;
          try {
            val = cget(f[0], f[1]);
          } catch (e) {
            throw wrap(e, `error in copy for from: '${op.from}'`);
          }
          if (op.path === null)
            throw new JsonPatchError(`copy operation failed to decode path${MISSING}`, op);
          const t = findObject(doc, op.path);
          if (!t)
            throw new JsonPatchError(
              `copy operation does not apply: doc is missing destination path: ${op.path}${MISSING}`,
              op,
            );
          const dup = val ? clone(val) : null;
          copied += dup ? size(dup) : 1;
          if (copied > MAX_COPIED_NODES)
            throw new JsonPatchError(
              `copy operations duplicate more than ${MAX_COPIED_NODES} nodes: not applied`,
              op,
            );
          try {
            cadd(t[0], t[1], dup, origin);
          } catch (e) {
            throw wrap(e, 'error while adding value during copy');
          }
          break;
        }
        case 'test': {
          if (op.path === null)
            throw new JsonPatchError(
              `test operation failed to decode path: operation missing path field${MISSING}`,
              op,
            );
          if (op.path === '') {
            if (!value || !plainEqual(doc, value))
              throw new JsonPatchError(`testing value ${op.path} failed: test failed`, op);
            break;
          }
          const f = findObject(doc, op.path);
          if (!f)
            throw new JsonPatchError(
              `test operation does not apply: is missing path: ${op.path}${MISSING}`,
              op,
            );
          let val: KNode | null;
          try {
            val = cget(f[0], f[1]);
          } catch (e) {
            throw wrap(e, `error in test for path: '${op.path}'`);
          }
          const isNullVal = !val || (val.kind === 'scalar' && val.tag === 'null');
          if (isNullVal) {
            if (op.value === null || (op.value === undefined && !val)) break;
            throw new JsonPatchError(`testing value ${op.path} failed: test failed`, op);
          }
          if (!value || !plainEqual(val as KNode, value))
            throw new JsonPatchError(`testing value ${op.path} failed: test failed`, op);
          break;
        }
        default:
          throw new JsonPatchError(`Unexpected kind: ${op.op}`, op);
      }
    } catch (e) {
      if (e instanceof JsonPatchError) throw e.op ? e : at(e);
      throw e;
    }
  }
  normalizeAsJson(doc);
  return doc;
}
