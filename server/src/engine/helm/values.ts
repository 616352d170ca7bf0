/**
 * Go values as Helm's templates see them. Values files decode (through
 * sigs.k8s.io/yaml) to map[string]interface{}, []interface{}, string, bool,
 * float64 and nil; template literals and Sprig add int, int64 and typed slices.
 *
 *  - float64  → JS number          - int → JS bigint        - int64 → I64
 *  - string   → JS string          - bool → JS boolean      - []byte → Uint8Array
 *  - nil interface{} → null        - invalid (no value) → undefined
 *  - maps → GoMap, slices → GoList, structs and method sets → GoStruct
 *
 * A GoMap or GoList read from a values file also remembers, per key or item,
 * the YAML node it came from (its origin), so the source map can say where a
 * rendered scalar was written.
 */
import type { ValueOrigin } from '../sources/sourcemap';

export class I64 {
  constructor(readonly v: bigint) {}
}

export type Value =
  | undefined
  | null
  | boolean
  | string
  | number
  | bigint
  | I64
  | Uint8Array
  | GoMap
  | GoList
  | GoStruct
  | GoFunc;

export class GoMap {
  readonly m: Map<string, Value>;
  origins: Map<string, ValueOrigin> | undefined;
  /** Methods of a named map type (Helm's .Files). */
  methods: Record<string, GoMethod> | undefined;
  constructor(
    entries?: Map<string, Value> | Iterable<[string, Value]>,
    /** Go type, for typeOf / %T / errors. */
    public typeName = 'map[string]interface {}',
  ) {
    this.m = entries instanceof Map ? entries : new Map(entries ?? []);
  }
  get size(): number {
    return this.m.size;
  }
  get(k: string): Value {
    return this.m.get(k);
  }
  has(k: string): boolean {
    return this.m.has(k);
  }
  set(k: string, v: Value, origin?: ValueOrigin): void {
    this.m.set(k, v);
    if (origin) (this.origins ??= new Map()).set(k, origin);
    else this.origins?.delete(k);
  }
  delete(k: string): void {
    this.m.delete(k);
    this.origins?.delete(k);
  }
  origin(k: string): ValueOrigin | undefined {
    return this.origins?.get(k);
  }
  /** Keys in Go's sorted order (byte-wise). */
  sortedKeys(): string[] {
    return [...this.m.keys()].sort(compareGo);
  }
  /** A shallow copy (same type, same origins). */
  copy(): GoMap {
    const c = new GoMap(new Map(this.m), this.typeName);
    if (this.origins) c.origins = new Map(this.origins);
    return c;
  }
}

export class GoList {
  origins: (ValueOrigin | undefined)[] | undefined;
  /** Methods of a named slice type (Helm's VersionSet.Has). */
  methods: Record<string, GoMethod> | undefined;
  constructor(
    readonly items: Value[],
    public typeName = '[]interface {}',
  ) {}
  get length(): number {
    return this.items.length;
  }
  origin(i: number): ValueOrigin | undefined {
    return this.origins?.[i];
  }
  setOrigin(i: number, o: ValueOrigin | undefined): void {
    if (!o && !this.origins) return;
    (this.origins ??= [])[i] = o;
  }
}

export interface GoMethod {
  /** Go parameter types ('string', 'int', 'interface {}'); variadic last with '...'. */
  params: string[];
  call: (args: Value[]) => Value;
}

/** A Go struct (or a named non-map type) with fields and methods. */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Map<string, Value>,
    readonly methods: Record<string, GoMethod> = {},
    /** fmt's String() when the type is a fmt.Stringer. */
    readonly stringer?: () => string,
    /** Whether the value is a pointer (for %T and nil checks). */
    readonly pointer = false,
  ) {}
}

export class GoFunc {
  constructor(
    readonly name: string,
    readonly method: GoMethod,
  ) {}
}

/** Go's byte-wise string order (code point order equals UTF-8 byte order). */
export function compareGo(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates sort above U+E000..U+FFFF in UTF-8 byte order.
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export function isString(v: Value): v is string {
  return typeof v === 'string';
}

/** Go's reflect Kind name of a value (Sprig's kindOf). */
export function kindOf(v: Value): string {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
  }
  if (v instanceof I64) return 'int64';
  if (v instanceof Uint8Array) return 'slice';
  if (v instanceof GoMap) return 'map';
  if (v instanceof GoList) return 'slice';
  if (v instanceof GoStruct) return v.pointer ? 'ptr' : 'struct';
  return 'func';
}

/** Go's %T of a value. */
export function typeName(v: Value): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
  }
  if (v instanceof I64) return 'int64';
  if (v instanceof Uint8Array) return '[]uint8';
  if (v instanceof GoMap || v instanceof GoList || v instanceof GoStruct) return v.typeName;
  return 'func()';
}

/** Go template truthiness (text/template isTrue). */
export function truth(v: Value): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
  }
  if (v instanceof I64) return v.v !== 0n;
  if (v instanceof Uint8Array) return v.length > 0;
  if (v instanceof GoMap) return v.size > 0;
  if (v instanceof GoList) return v.length > 0;
  return true;
}

/** Sprig's empty(): the zero value of its type, or nil. */
export function isEmpty(v: Value): boolean {
  if (v instanceof GoStruct) return v.pointer ? false : false;
  return !truth(v);
}

export function isInt(v: Value): v is bigint | I64 {
  return typeof v === 'bigint' || v instanceof I64;
}

export function intValue(v: bigint | I64): bigint {
  return typeof v === 'bigint' ? v : v.v;
}

export function wrap64(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}

export function list(items: Value[], typeName = '[]interface {}'): GoList {
  return new GoList(items, typeName);
}

export function strList(items: string[]): GoList {
  return new GoList(items, '[]string');
}

export function map(entries?: Iterable<[string, Value]>): GoMap {
  return new GoMap(entries);
}

/** A deep copy of maps and lists (copystructure.Copy); scalars are shared. */
/** Most characters (and nodes) a value may expand to when it is written out in full or copied. */
export const MAX_EXPANDED = 64 * 1024 * 1024;

/**
 * A value that, written out or copied, would pass MAX_EXPANDED. Maps and
 * lists are shared by reference (`$x = dict "a" $x "b" $x` thirty times is
 * a billion leaves): Go's own writer would run out of time or memory.
 */
export class ValueTooLarge extends Error {}

/**
 * Throws ValueTooLarge when `v`, written out in full, would pass `limit`
 * characters and nodes. Each distinct map or list is measured once, so the
 * cost follows the value as held, never as written out.
 */
export function assertExpandable(v: Value, what: string, limit = MAX_EXPANDED): void {
  if (!(v instanceof GoMap || v instanceof GoList || v instanceof GoStruct)) return;
  const memo = new Map<object, number>();
  const size = (x: Value, depth: number): number => {
    if (typeof x === 'string' || x instanceof Uint8Array) return x.length + 1;
    if (!(x instanceof GoMap || x instanceof GoList || x instanceof GoStruct)) return 1;
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    // A cycle, or nesting past what the writers accept: they report it.
    if (depth > 1000) return 1;
    memo.set(x, 1);
    let n = 1;
    const add = (k: string, c: Value): boolean => {
      n += k.length + size(c, depth + 1);
      return n <= limit;
    };
    if (x instanceof GoMap) {
      for (const [k, c] of x.m) if (!add(k, c)) break;
    } else if (x instanceof GoList) {
      for (const c of x.items) if (!add('', c)) break;
    } else for (const [k, c] of x.fields) if (!add(k, c)) break;
    memo.set(x, n);
    return n;
  };
  if (size(v, 0) > limit)
    throw new ValueTooLarge(
      `${what}: the value is over ${limit} characters written out (maps or lists it holds more than once are written each time)`,
    );
}

export function deepCopy(v: Value): Value {
  assertExpandable(v, 'deepCopy');
  return copyOf(v);
}

function copyOf(v: Value): Value {
  if (v instanceof GoMap) {
    const c = new GoMap(undefined, v.typeName);
    for (const [k, x] of v.m) c.m.set(k, copyOf(x));
    if (v.origins) c.origins = new Map(v.origins);
    return c;
  }
  if (v instanceof GoList) {
    const c = new GoList(v.items.map(copyOf), v.typeName);
    if (v.origins) c.origins = [...v.origins];
    return c;
  }
  if (v instanceof Uint8Array) return v.slice();
  return v;
}

/** reflect.DeepEqual over our values. */
export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null)
    return (a === undefined || a === null) && (b === undefined || b === null);
  if (typeName(a) !== typeName(b)) return false;
  if (a instanceof I64 && b instanceof I64) return a.v === b.v;
  if (a instanceof Uint8Array && b instanceof Uint8Array)
    return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof GoMap && b instanceof GoMap) {
    if (a.size !== b.size) return false;
    for (const [k, x] of a.m) if (!b.has(k) || !deepEqual(x, b.get(k))) return false;
    return true;
  }
  if (a instanceof GoList && b instanceof GoList)
    return a.length === b.length && a.items.every((x, i) => deepEqual(x, b.items[i]));
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return false;
}
