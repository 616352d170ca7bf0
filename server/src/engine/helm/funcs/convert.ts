/** Conversions Sprig does through spf13/cast and its own strval. */
import { formatValue } from '../gofmt';
import { GoList, GoMap, GoStruct, I64, wrap64 } from '../values';
import type { Value } from '../values';
import { fromUtf8 } from './encoding';

/** Sprig's strval: strings as they are, []byte decoded, Stringers, else %v. */
export function strval(v: Value): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return fromUtf8(v);
  if (v instanceof GoStruct && v.stringer) return v.stringer();
  return formatValue(v, 'v');
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') return foundZero ? s.slice(0, i - 1) : s;
    if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

function parseIntBase0(s: string): bigint | null {
  let t = s;
  let neg = false;
  if (t.startsWith('+') || t.startsWith('-')) {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  const u = t.replace(/_/g, '');
  let v: bigint;
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(u)) v = BigInt(u);
    else if (/^0[bB][01]+$/.test(u)) v = BigInt(u);
    else if (/^0[oO][0-7]+$/.test(u)) v = BigInt(`0o${u.slice(2)}`);
    else if (/^0[0-7]*$/.test(u)) v = u === '0' ? 0n : BigInt(`0o${u.slice(1) || '0'}`);
    else if (/^[1-9][0-9]*$/.test(u)) v = BigInt(u);
    else return null;
  } catch {
    return null;
  }
  if (t.includes('_') && !/^0[xXbBoO]/.test(t) && !/^[0-9]+(_[0-9]+)*$/.test(t)) return null;
  const r = neg ? -v : v;
  if (r < -(2n ** 63n) || r >= 2n ** 63n) return null;
  return r;
}

/** cast.ToInt64 (errors give 0). */
export function toInt64(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof I64) return v.v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return -(2n ** 63n);
    return wrap64(BigInt(Math.trunc(v)));
  }
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') return parseIntBase0(trimZeroDecimal(v)) ?? 0n;
  return 0n;
}

/** cast.ToFloat64 (errors give 0). */
export function toFloat64(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof I64) return Number(v.v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim() === v ? v : '';
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
    if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(t)) return NaN;
    return 0;
  }
  return 0;
}

/** Items of a slice-like value, or null when it is not one. */
export function sliceItems(v: Value): Value[] | null {
  if (v instanceof GoList) return v.items;
  if (v instanceof Uint8Array) return [...v].map((b) => BigInt(b));
  return null;
}

export function kindForError(v: Value): string {
  if (v === null || v === undefined) return 'invalid';
  if (v instanceof GoMap) return 'map';
  if (v instanceof GoList || v instanceof Uint8Array) return 'slice';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (v instanceof I64) return 'int64';
  if (typeof v === 'boolean') return 'bool';
  return 'struct';
}
