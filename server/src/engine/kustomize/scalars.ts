/**
 * Scalars as kustomize reads and writes them.
 *
 * Kustomize reads resources and strategic merge patches with a YAML 1.2
 * reader whose plain scalars resolve as Go's `strconv` does (`0644` is octal
 * 420, `1_000` is 1000, `yes` is a string), and its kustomization file and
 * JSON patches with a YAML 1.1 reader (`yes`, `on`, `y` are booleans). It
 * prints the build through JSON and a YAML 1.1 writer: keys sorted, numbers
 * in Go's formats, and strings quoted wherever a YAML 1.1 reader would take
 * them for something else (`"yes"`, `"1:20"`, `"2001-12-14"`).
 */

export type ScalarTag = 'str' | 'int' | 'float' | 'bool' | 'null' | 'timestamp';

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE12 = new Set(['true', 'True', 'TRUE']);
const FALSE12 = new Set(['false', 'False', 'FALSE']);
const TRUE11 = new Set([...TRUE12, 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const FALSE11 = new Set([...FALSE12, 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const SPECIAL_FLOATS = new Set([
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint`: the value, or null when `s` is not such an integer. */
export function parseGoInt(s: string): bigint | null {
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  let base = 10;
  let body = s.slice(i);
  if (/^0[xX]/.test(body)) {
    base = 16;
    body = body.slice(2);
  } else if (/^0[oO]/.test(body)) {
    base = 8;
    body = body.slice(2);
  } else if (/^0[bB]/.test(body)) {
    base = 2;
    body = body.slice(2);
  } else if (body.length > 1 && body[0] === '0') {
    base = 8;
    body = body.slice(1);
  }
  if (body === '') return null;
  const digits =
    base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(body)) return null;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  let v = BigInt(prefix + body);
  if (neg) v = -v;
  if (v > UINT64_MAX || v < INT64_MIN) return null;
  if (neg && v < INT64_MIN) return null;
  // ParseUint takes no sign: a signed value past int64 is not an integer.
  if (v > INT64_MAX && i > 0) return null;
  return v;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const max = m === 2 && !leap ? 28 : (DAYS[m - 1] ?? 31);
  return d <= max;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * A YAML timestamp as Go's YAML readers accept it (`2006-1-2`,
 * `2006-1-2T15:4:5.999999999Z07:00`, `2006-1-2 15:4:5.999999999`), printed
 * as Go prints a time in JSON (RFC 3339 with nanoseconds, zeros trimmed);
 * null when `s` is not one.
 */
export function parseTimestamp(s: string): string | null {
  if (!/^[0-9]{4}-/.test(s)) return null;
  const date = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(s);
  const full =
    /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|( ))([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?$/.exec(
      s,
    );
  const m = date ?? full;
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (!validDate(y, mo, d)) return null;
  const head = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (date) return `${head}T00:00:00Z`;
  const spaced = m[4] === ' ';
  const zone = m[9];
  // The space-separated form has no zone; the T form requires one.
  if (spaced === (zone !== undefined)) return null;
  const h = Number(m[5]);
  const mi = Number(m[6]);
  const se = Number(m[7]);
  if (h > 23 || mi > 59 || se > 59) return null;
  const frac = (m[8] ?? '').slice(0, 9).replace(/0+$/, '');
  const tz = zone === undefined || zone === 'Z' || zone === '+00:00' ? 'Z' : zone;
  return `${head}T${pad(h)}:${pad(mi)}:${pad(se)}${frac ? `.${frac}` : ''}${tz}`;
}

/**
 * The tag a plain (unquoted, untagged) scalar resolves to: as kustomize's
 * resource reader does (`yaml11: false`, YAML 1.2 booleans), or as its
 * kustomization and JSON-patch reader does (`yaml11: true`).
 */
export function resolvePlain(s: string, yaml11: boolean): ScalarTag {
  if (NULLS.has(s)) return 'null';
  if ((yaml11 ? TRUE11 : TRUE12).has(s) || (yaml11 ? FALSE11 : FALSE12).has(s)) return 'bool';
  if (SPECIAL_FLOATS.has(s)) return 'float';
  const c = s[0] ?? '';
  if (c === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? 'float' : 'str';
  if (!/[-+0-9]/.test(c)) return 'str';
  // The YAML 1.1 reader keeps timestamps as the strings they were written as.
  if (parseTimestamp(s) !== null) return yaml11 ? 'str' : 'timestamp';
  const plain = s.replace(/_/g, '');
  if (parseGoInt(plain) !== null) return 'int';
  if (YAML_STYLE_FLOAT.test(plain)) return 'float';
  return 'str';
}

/** Whether the YAML 1.1 writer must quote `s` to keep it a string (Go yaml.v2's rule). */
export function mustQuote11(s: string): boolean {
  return (
    resolvePlain(s, true) !== 'str' ||
    parseTimestamp(s) !== null ||
    s === '<<' ||
    BASE60_FLOAT.test(s)
  );
}

/** The value of an int scalar's text (`0x1F`, `0644`, `1_000`), as a decimal string. */
export function intText(text: string): string {
  const v = parseGoInt(text.replace(/_/g, ''));
  return v === null ? text : v.toString();
}

/** The value of a float scalar's text, as a JavaScript number. */
export function floatValue(text: string): number {
  const t = text.replace(/_/g, '');
  if (/^[-+]?\.(inf|Inf|INF)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(t)) return NaN;
  return Number(t);
}

/** Digits and decimal exponent of the shortest representation of a finite, non-zero `x`. */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mant = '0', e = '0'] = Math.abs(x).toExponential().split('e');
  return { digits: mant.replace('.', ''), exp: Number(e) };
}

/** Go's `strconv.FormatFloat(x, 'e', -1, 64)`. */
function goExp(x: number): string {
  const { digits, exp } = shortestDigits(x);
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp);
  return `${x < 0 ? '-' : ''}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
}

/** Go's `strconv.FormatFloat(x, 'f', -1, 64)`. */
function goFixed(x: number): string {
  const { digits, exp } = shortestDigits(x);
  const sign = x < 0 ? '-' : '';
  if (exp >= digits.length - 1) return sign + digits + '0'.repeat(exp - digits.length + 1);
  if (exp >= 0) return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** Go's `encoding/json` text for a float64 (null for infinities and NaN, which it refuses). */
export function goJsonFloat(x: number): string | null {
  if (!Number.isFinite(x)) return null;
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = Math.abs(x);
  if (abs < 1e-6 || abs >= 1e21) return goExp(x).replace(/e([-+])0([0-9])$/, 'e$1$2');
  return goFixed(x);
}

/** Go's `strconv.FormatFloat(x, 'g', -1, 64)`, as the YAML 1.1 writer prints a float. */
export function goYamlFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  // Shortest precision decides with a precision of 6, as strconv does.
  const { exp } = shortestDigits(x);
  return exp < -4 || exp >= 6 ? goExp(x) : goFixed(x);
}

/**
 * How a number read from JSON is printed by the YAML 1.1 writer: integers
 * as integers, everything else through Go's shortest float format (so a
 * float64 of 1e20, which Go's JSON writes as twenty digits, comes out as
 * `1e+20`).
 */
export function yamlNumberFromJson(json: string): string {
  if (/^-?[0-9]+$/.test(json)) {
    const v = BigInt(json);
    if (v >= INT64_MIN && v <= UINT64_MAX) return v.toString();
  }
  return goYamlFloat(Number(json));
}
