/**
 * Resource quantities, parsed, compared and printed as Kubernetes'
 * `resource.Quantity` (k8s.io/apimachinery/pkg/api/resource) does.
 *
 * The grammar is `<sign>?<digits>[.<digits>]<suffix>` with the suffixes
 * `n u m "" k M G T P E` (powers of 1000), `Ki Mi Gi Ti Pi Ei` (powers of
 * 1024) or an exponent `e<int>` / `E<int>`. Upstream's scanner is lenient in
 * places and this module follows it exactly: `.`, `-`, `+` and a bare
 * suffix such as `Gi` or `m` parse as zero, `1.` and `.5` are numbers, `1E`
 * is one exa (not an exponent), `1e` is a bad suffix. A value is exact,
 * rounded away from zero to a multiple of 10^-9 (so a tiny positive amount
 * stays positive); a binary (`Ki`…) value above 2^63-1 is capped.
 *
 * Values are kept exactly as `mant × 10^exp` with a BigInt mantissa: no
 * floating point anywhere, so `0.1 + 0.2` CPU is exactly `300m`.
 *
 * Printing follows upstream's canonical form (the largest suffix without a
 * fraction: `1.5` prints `1500m`, `1.5Gi` prints `1536Mi`), including its
 * quirk of printing an input unchanged when the fast parser judged it
 * canonical (`+1Ki` and `1.500` print as written).
 */

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export interface Quantity {
  /** value = mant × 10^exp, exactly. */
  readonly mant: bigint;
  readonly exp: number;
  readonly format: QuantityFormat;
  /** The text to print as is (upstream caches a canonical-looking input), or null. */
  readonly text: string | null;
}

export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; error: string };

/** Upstream's error messages, as the API server reports a bad quantity. */
export const QUANTITY_ERRORS = {
  format:
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  numeric: 'unable to parse numeric part of quantity',
  suffix: "unable to parse quantity's suffix",
} as const;

/**
 * The largest decimal exponent podsec evaluates. The API server accepts
 * larger values (1e400 is a valid quantity); podsec reports them as not
 * evaluated rather than build numbers with hundreds of digits.
 */
export const MAX_EXPONENT = 300;

const INT64_MAX = (1n << 63n) - 1n;
const NANO = -9;
const DEC_SUFFIX: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BIN_SUFFIX: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};
const DEC_BY_EXP = new Map(Object.entries(DEC_SUFFIX).map(([s, e]) => [e, s]));
const BIN_BY_EXP = new Map(Object.entries(BIN_SUFFIX).map(([s, e]) => [e, s]));
const SUFFIX_CHARS = 'eEinumkKMGTP';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export const ZERO: Quantity = { mant: 0n, exp: 0, format: 'DecimalSI', text: null };

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

/** Divide by 10^n, rounding away from zero. */
function divAway(m: bigint, n: number): bigint {
  if (n <= 0) return m * pow10(-n);
  const d = pow10(n);
  const q = m / d;
  return q * d === m ? q : m < 0n ? q - 1n : q + 1n;
}

interface Scan {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** Upstream's scanner (parseQuantityString), step for step. */
function scan(str: string): Scan | 'format' {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') pos++;
  }
  // leading zeros
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[i] === '0') pos++;
    else break;
  }
  let num = '';
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
    if (!isDigit(str[i])) {
      num = str.slice(pos, i);
      pos = i;
      break;
    }
  }
  if (num.length === 0) num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    for (let i = pos; ; i++) {
      if (i >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
      if (!isDigit(str[i])) {
        denom = str.slice(pos, i);
        pos = i;
        break;
      }
    }
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!SUFFIX_CHARS.includes(str[i] as string)) {
      pos = i;
      break;
    }
  }
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!isDigit(str[i])) break;
  }
  return 'format';
}

/** (base, exponent, format) for a suffix, or null (upstream's ErrSuffix). */
function interpret(
  suffix: string,
): { base: 2 | 10; exponent: number; format: QuantityFormat } | null {
  const dec = DEC_SUFFIX[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BIN_SUFFIX[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    // strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits, within int64
    if (!/^[+-]?[0-9]+$/.test(digits)) return null;
    const v = BigInt(digits);
    if (v > INT64_MAX || v < -INT64_MAX - 1n) return null;
    // upstream keeps the exponent as an int32 (the conversion wraps)
    return { base: 10, exponent: Number(BigInt.asIntN(32, v)), format: 'DecimalExponent' };
  }
  return null;
}

/** inf.Dec's SetString over the number part: an optional sign, digits with at most one point. */
function decimalOf(value: string): { mant: bigint; exp: number } | null {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  if (!m) return null;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int.length + frac.length === 0) return null;
  const mant = BigInt((int + frac).replace(/^0+(?=.)/, '') || '0');
  return { mant: m[1] === '-' ? -mant : mant, exp: -frac.length };
}

/**
 * Parse a quantity string as `resource.ParseQuantity` does. The exact value
 * is kept; quantities beyond 10^MAX_EXPONENT are refused with their own
 * message (the API server would accept them).
 */
export function parseQuantity(str: string): QuantityResult {
  if (str.length === 0) return { ok: false, error: QUANTITY_ERRORS.format };
  if (str === '0')
    return { ok: true, quantity: { mant: 0n, exp: 0, format: 'DecimalSI', text: '0' } };
  const s = scan(str);
  if (s === 'format') return { ok: false, error: QUANTITY_ERRORS.format };
  const suf = interpret(s.suffix);
  if (!suf) return { ok: false, error: QUANTITY_ERRORS.suffix };
  const { base, exponent, format } = suf;

  // The fast path (int64 arithmetic): decides whether the input text is kept.
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && s.denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - s.num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (s.num.length + s.denom.length);
  }
  if (precision >= 0) {
    scale = (scale - s.denom.length) | 0;
    if (scale >= NANO) {
      const shifted = s.num + s.denom;
      const value = BigInt(shifted);
      const result = value * mantissa;
      if (result <= INT64_MAX) {
        const signed = s.positive ? result : -result;
        let keep = false;
        if (format === 'BinarySI') keep = exponent % 10 === 0 && (value & 7n) !== 0n;
        else keep = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        const q: Quantity = { mant: signed, exp: scale, format, text: keep ? str : null };
        return bounded(q);
      }
    }
  }

  // The slow path (arbitrary precision), rounded up to nano.
  const dec = decimalOf(s.value);
  if (!dec) return { ok: false, error: QUANTITY_ERRORS.numeric };
  let mant = dec.mant;
  let exp = dec.exp;
  if (base === 10) exp += exponent;
  else mant *= 1n << BigInt(exponent);
  let outFormat = format;
  if (mant !== 0n) {
    const rounded = roundAway(mant, exp, NANO);
    mant = rounded.mant;
    exp = rounded.exp;
  }
  if (format === 'BinarySI') {
    if (compareParts(abs(mant), exp, INT64_MAX, 0) > 0) {
      mant = mant < 0n ? -INT64_MAX : INT64_MAX;
      exp = 0;
    }
    if (mant !== 0n && compareParts(abs(mant), exp, 1n, 0) < 0) outFormat = 'DecimalSI';
  }
  return bounded({ mant, exp, format: outFormat, text: null });
}

function bounded(q: Quantity): QuantityResult {
  if (q.mant !== 0n && digits(q.mant) + q.exp > MAX_EXPONENT + 1) {
    return {
      ok: false,
      error: `quantity larger than 10^${MAX_EXPONENT}: not evaluated by podsec`,
    };
  }
  return { ok: true, quantity: q };
}

function digits(m: bigint): number {
  return abs(m).toString().length;
}

/** Round mant × 10^exp away from zero to a multiple of 10^scale. */
function roundAway(mant: bigint, exp: number, scale: number): { mant: bigint; exp: number } {
  if (exp >= scale) return { mant, exp };
  // Below one unit of the scale altogether: the result is ±1 unit (or 0).
  if (mant === 0n) return { mant, exp: scale };
  if (digits(mant) + exp < scale) return { mant: mant < 0n ? -1n : 1n, exp: scale };
  return { mant: divAway(mant, scale - exp), exp: scale };
}

/** Compare two non-negative values given as parts, without expanding big powers needlessly. */
function compareParts(am: bigint, ae: number, bm: bigint, be: number): number {
  if (am === 0n || bm === 0n) return am === bm ? 0 : am === 0n ? -1 : 1;
  const ma = digits(am) + ae;
  const mb = digits(bm) + be;
  if (ma !== mb) return ma < mb ? -1 : 1;
  const e = Math.min(ae, be);
  const x = am * pow10(ae - e);
  const y = bm * pow10(be - e);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Parse a JSON value as a Quantity field decodes it: strings (trimmed), numbers, null (zero). */
export function quantityFromJson(v: unknown): QuantityResult {
  if (v === null) return { ok: true, quantity: { ...ZERO, format: 'DecimalSI' } };
  if (typeof v === 'string') return parseQuantity(v.trim());
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      return { ok: false, error: `${String(v)} is not a number JSON can carry` };
    return parseQuantity(String(v));
  }
  return { ok: false, error: QUANTITY_ERRORS.format };
}

export function sign(q: Quantity): number {
  return q.mant === 0n ? 0 : q.mant < 0n ? -1 : 1;
}

export function isZero(q: Quantity): boolean {
  return q.mant === 0n;
}

/** Exact comparison: -1, 0 or 1. */
export function compare(a: Quantity, b: Quantity): number {
  const sa = sign(a);
  const sb = sign(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const c = compareParts(abs(a.mant), a.exp, abs(b.mant), b.exp);
  return sa > 0 ? c : -c;
}

/** a + b, exact. The result takes a's format unless a is zero (as upstream's Add). */
export function add(a: Quantity, b: Quantity): Quantity {
  const e = Math.min(a.exp, b.exp);
  const mant = a.mant * pow10(a.exp - e) + b.mant * pow10(b.exp - e);
  return { mant, exp: e, format: isZero(a) ? b.format : a.format, text: null };
}

/** The greater of a and b (a when equal), as upstream's maxResourceList keeps it. */
export function max(a: Quantity, b: Quantity): Quantity {
  return compare(b, a) > 0 ? b : a;
}

/** SetDefaults_ResourceList: every quantity of an object is rounded up to milli on decoding. */
export function roundUpMilli(q: Quantity): Quantity {
  if (q.exp >= -3) return q;
  const r = roundAway(q.mant, q.exp, -3);
  return { mant: r.mant, exp: r.exp, format: q.format, text: null };
}

/** The value in units of 10^scale, rounded away from zero (upstream's ScaledValue, without int64 overflow). */
export function scaledValue(q: Quantity, scale: number): bigint {
  return roundAway(q.mant, q.exp, scale).mant * pow10(Math.max(0, q.exp - scale));
}

export function milliValue(q: Quantity): bigint {
  return scaledValue(q, -3);
}

export function value(q: Quantity): bigint {
  return scaledValue(q, 0);
}

/** A quantity from an integer number of milli units (upstream's NewMilliQuantity). */
export function fromMilli(milli: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { mant: milli, exp: -3, format, text: null };
}

/** A quantity from an integer (upstream's NewQuantity). */
export function fromInt(n: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { mant: n, exp: 0, format, text: null };
}

/** The quantity as upstream's String() prints it. */
export function formatQuantity(q: Quantity): string {
  if (q.text !== null) return q.text;
  if (q.mant === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compare(q, fromInt(-1024n)) > 0 && compare(q, fromInt(1024n)) < 0;
    if (small || (roundAway(q.mant, q.exp, 0).exp !== q.exp && !isInteger(q))) format = 'DecimalSI';
    else {
      let n = value(q);
      let times = 0;
      const neg = n < 0n;
      if (neg) n = -n;
      while (n >= 1024n && n % 1024n === 0n) {
        n /= 1024n;
        times++;
      }
      return `${neg ? '-' : ''}${n.toString()}${BIN_BY_EXP.get(times * 10) ?? ''}`;
    }
  }
  let m = q.mant;
  let e = q.exp;
  while (m !== 0n && m % 10n === 0n && abs(m) >= 10n) {
    m /= 10n;
    e++;
  }
  while (e % 3 !== 0) {
    m *= 10n;
    e--;
  }
  const suffix =
    format === 'DecimalExponent' ? (e === 0 ? '' : `e${e}`) : (DEC_BY_EXP.get(e) ?? '');
  return `${m.toString()}${suffix}`;
}

function isInteger(q: Quantity): boolean {
  if (q.exp >= 0) return true;
  return q.mant % pow10(-q.exp) === 0n;
}

/**
 * Format a float64 as Go's `%f` does (six decimals, the exact binary value
 * rounded half to even), for upstream's ratio messages.
 */
export function formatFixed6(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const neg = x < 0 || Object.is(x, -0);
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  // |x| = m × 2^e exactly
  const m = expBits === 0 ? frac : frac | (1n << 52n);
  const e = expBits === 0 ? -1074 : expBits - 1075;
  // scaled = |x| × 10^6 as a fraction num / den
  let num = m * 1000000n;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  let q = num / den;
  const r = num - q * den;
  if (r * 2n > den || (r * 2n === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(7, '0');
  return `${neg ? '-' : ''}${s.slice(0, -6)}.${s.slice(-6)}`;
}
