/**
 * Helm's --set syntax (pkg/strvals): `a.b=c`, `a[0]=x`, `a={x,y}`, several
 * pairs separated by commas, `\` escapes; --set types values (true/false,
 * null, int64), --set-string keeps strings, --set-json reads JSON values,
 * --set-file reads the named file. The error texts are Helm's.
 */
import { fromJs } from './funcs/json';
import { GoList, GoMap, I64 } from './values';
import type { Value } from './values';

export type RunesReader = (s: string) => Value;

class EOFError extends Error {
  constructor() {
    super('EOF');
  }
}
class NotListError extends Error {
  constructor() {
    super('not a list');
  }
}

const MAX_INDEX = 65536;
const MAX_NESTED = 30;

class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  read(): string | undefined {
    if (this.i >= this.s.length) return undefined;
    const cp = this.s.codePointAt(this.i) ?? 0;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return ch;
  }
  unread(ch: string): void {
    this.i -= ch.length;
  }
  rest(): string {
    return this.s.slice(this.i);
  }
}

function runesUntil(
  sc: Scanner,
  stop: string,
): { v: string; last: string | undefined; eof: boolean } {
  let v = '';
  for (;;) {
    const r = sc.read();
    if (r === undefined) return { v, last: undefined, eof: true };
    if (stop.includes(r)) return { v, last: r, eof: false };
    if (r === '\\') {
      const n = sc.read();
      if (n === undefined) return { v, last: undefined, eof: true };
      v += n;
    } else v += r;
  }
}

export function typedVal(val: string, asString: boolean): Value {
  if (asString) return val;
  const low = val.toLowerCase();
  if (low === 'true') return true;
  if (low === 'false') return false;
  if (low === 'null') return null;
  if (val === '0') return new I64(0n);
  if (val !== '' && val[0] !== '0' && /^[+-]?\d+$/.test(val)) {
    const b = BigInt(val);
    if (b >= -(2n ** 63n) && b < 2n ** 63n) return new I64(b);
  }
  return val;
}

class Parser {
  constructor(
    private readonly sc: Scanner,
    private readonly data: GoMap,
    private readonly reader: RunesReader | null,
  ) {}

  parse(): void {
    for (;;) {
      try {
        this.key(this.data, 0);
      } catch (e) {
        if (e instanceof EOFError) return;
        throw e;
      }
    }
  }

  private set(data: GoMap, key: string, v: Value): void {
    if (key === '') return;
    data.set(key, v);
  }

  private key(data: GoMap, level: number): void {
    const { v: k, last, eof } = runesUntil(this.sc, '=[,.');
    if (eof) {
      if (k.length === 0) throw new EOFError();
      throw new Error(`key "${k}" has no value`);
    }
    if (last === '[') {
      const i = this.keyIndex();
      const cur = data.get(k);
      let list: Value[] = [];
      if (data.has(k)) {
        if (!(cur instanceof GoList))
          throw new Error(
            `unable to parse key: interface conversion: interface {} is ${typeof cur}, not []interface {}`,
          );
        list = [...cur.items];
      }
      const [l2, err] = this.listItem(list, i, level);
      this.set(data, k, new GoList(l2));
      if (err) throw err;
      return;
    }
    if (last === '=') {
      if (this.reader === null) {
        if (this.emptyVal()) {
          this.set(data, k, null);
          return;
        }
        const [jv, used] = decodeJson(this.sc.rest());
        this.set(data, k, jv);
        this.sc.i += used;
        this.emptyVal();
        return;
      }
      try {
        const vl = this.valList();
        this.set(data, k, new GoList(vl));
        return;
      } catch (e) {
        if (e instanceof EOFError) {
          this.set(data, k, '');
          throw e;
        }
        if (!(e instanceof NotListError)) throw e;
      }
      const { v: rs } = runesUntil(this.sc, ',');
      this.set(data, k, this.reader(rs));
      return;
    }
    if (last === ',') {
      this.set(data, k, '');
      throw new Error(`key "${k}" has no value (cannot end with ,)`);
    }
    // '.'
    level++;
    if (level > MAX_NESTED)
      throw new Error(
        `value name nested level is greater than maximum supported nested level of ${MAX_NESTED}`,
      );
    let inner = new GoMap();
    if (data.has(k)) {
      const cur = data.get(k);
      if (!(cur instanceof GoMap))
        throw new Error(
          `unable to parse key: interface conversion: interface {} is ${cur === null ? 'nil' : typeof cur}, not map[string]interface {}`,
        );
      inner = cur;
    }
    let err: Error | undefined;
    try {
      this.key(inner, level);
    } catch (e) {
      err = e instanceof Error ? e : new Error(String(e));
    }
    if (err === undefined && inner.size === 0) throw new Error(`key map "${k}" has no value`);
    if (inner.size !== 0) this.set(data, k, inner);
    if (err !== undefined) throw err;
  }

  private keyIndex(): number {
    const { v, eof } = runesUntil(this.sc, ']');
    if (eof) throw new EOFError();
    if (!/^[+-]?\d+$/.test(v))
      throw new Error(`error parsing index: strconv.Atoi: parsing "${v}": invalid syntax`);
    return Number(v);
  }

  private setIndex(list: Value[], i: number, v: Value): Value[] {
    if (i < 0) throw new Error(`negative ${i} index not allowed`);
    if (i > MAX_INDEX)
      throw new Error(`index of ${i} is greater than maximum supported index of ${MAX_INDEX}`);
    const l = [...list];
    while (l.length <= i) l.push(null);
    l[i] = v;
    return l;
  }

  private listItem(list: Value[], i: number, level: number): [Value[], Error | undefined] {
    if (i < 0) throw new Error(`negative ${i} index not allowed`);
    const { v: k, last, eof } = runesUntil(this.sc, '[.=');
    if (k.length > 0) throw new Error(`unexpected data at end of array index: "${k}"`);
    if (eof) throw new EOFError();
    if (last === '=') {
      if (this.reader === null) {
        if (this.emptyVal()) return [this.setIndex(list, i, null), undefined];
        const [jv, used] = decodeJson(this.sc.rest());
        const l = this.setIndex(list, i, jv);
        this.sc.i += used;
        this.emptyVal();
        return [l, undefined];
      }
      try {
        return [this.setIndex(list, i, new GoList(this.valList())), undefined];
      } catch (e) {
        if (e instanceof EOFError) return [this.setIndex(list, i, ''), undefined];
        if (!(e instanceof NotListError)) throw e;
      }
      const { v: rs } = runesUntil(this.sc, ',');
      return [this.setIndex(list, i, this.reader(rs)), undefined];
    }
    if (last === '[') {
      const next = this.keyIndex();
      const existed = list[i];
      let crt: Value[] = [];
      if (existed !== undefined && existed !== null) {
        if (!(existed instanceof GoList))
          throw new Error('unable to parse key: interface conversion: not []interface {}');
        crt = [...existed.items];
      }
      const [l2, err] = this.listItem(crt, next, level);
      if (err) throw err;
      return [this.setIndex(list, i, new GoList(l2)), undefined];
    }
    // '.'
    let inner = new GoMap();
    const cur = list[i];
    if (cur instanceof GoMap) inner = cur;
    this.key(inner, level);
    return [this.setIndex(list, i, inner), undefined];
  }

  private emptyVal(): boolean {
    for (;;) {
      const r = this.sc.read();
      if (r === undefined) return true;
      if (r === ',') return true;
      if (!/\s/u.test(r)) {
        this.sc.unread(r);
        return false;
      }
    }
  }

  private valList(): Value[] {
    const r = this.sc.read();
    if (r === undefined) throw new EOFError();
    if (r !== '{') {
      this.sc.unread(r);
      throw new NotListError();
    }
    const list: Value[] = [];
    const reader = this.reader as RunesReader;
    for (;;) {
      const { v, last, eof } = runesUntil(this.sc, ',}');
      if (eof) throw new Error("list must terminate with '}'");
      if (last === '}') {
        const n = this.sc.read();
        if (n !== undefined && n !== ',') this.sc.unread(n);
        list.push(reader(v));
        return list;
      }
      list.push(reader(v));
    }
  }
}

/** One JSON value at the start of `s`, and how many characters it took. */
function decodeJson(s: string): [Value, number] {
  let depth = 0;
  let inStr = false;
  let i = 0;
  while (i < s.length && /\s/.test(s[i] ?? '')) i++;
  const start = i;
  for (; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') {
        inStr = false;
        if (depth === 0) {
          i++;
          break;
        }
      }
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        i++;
        break;
      }
    } else if (depth === 0 && (c === ',' || /\s/.test(c ?? ''))) break;
  }
  const text = s.slice(start, i);
  try {
    return [fromJs(JSON.parse(text)), i];
  } catch {
    throw new Error(`invalid character in JSON value ${JSON.stringify(text)}`);
  }
}

/** --set (typed) or --set-string into `dest`. */
export function parseInto(s: string, dest: GoMap, asString = false): void {
  new Parser(new Scanner(s), dest, (v) => typedVal(v, asString)).parse();
}

/** --set-file: each value is a path; `read` returns its text. */
export function parseIntoFile(s: string, dest: GoMap, read: (path: string) => string): void {
  new Parser(new Scanner(s), dest, (v) => read(v)).parse();
}

/** --set-json key=JSON pairs. */
export function parseJson(s: string, dest: GoMap): void {
  new Parser(new Scanner(s), dest, null).parse();
}
