/**
 * Go's fmt and strconv formatting, as templates print values: Sprint,
 * Sprintln, Sprintf with its verbs, flags, width and precision, %v of maps
 * (`map[a:1 b:2]`, keys sorted), slices (`[a b]`), nil (`<nil>`), and floats
 * (`1e+06`: %v is %g with the shortest digits, exponent from 21 digits... no:
 * from exponent 6 up, as strconv.FormatFloat(f, 'g', -1, 64)).
 */
import { assertExpandable, GoFunc, GoList, GoMap, GoStruct, I64, typeName } from './values';
import type { Value } from './values';

/** Shortest round-trip decimal digits and exponent of a finite non-zero |x|: x = 0.d1d2... × 10^dp. */
function shortestDigits(x: number): { digits: string; dp: number } {
  const s = Math.abs(x).toExponential(); // d.ddde±n, shortest round-trip
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return { digits: '0', dp: 1 };
  const digits = (m[1] ?? '') + (m[2] ?? '');
  return { digits: digits.replace(/0+$/, '') || '0', dp: Number(m[3]) + 1 };
}

function expSuffix(exp: number, upper: boolean): string {
  const a = Math.abs(exp);
  return `${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

/** Digits rounded to `n` significant digits (n ≥ 1), from the exact value via toExponential. */
function precDigits(x: number, n: number): { digits: string; dp: number } {
  const s = Math.abs(x).toExponential(Math.min(Math.max(n - 1, 0), 100));
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return { digits: '0', dp: 1 };
  return { digits: (m[1] ?? '') + (m[2] ?? ''), dp: Number(m[3]) + 1 };
}

/** strconv.FormatFloat(x, fmt, prec, 64). */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? '-' : '';
  const upper = fmt === 'E' || fmt === 'G';
  const f = fmt.toLowerCase();
  if (f === 'f') {
    if (prec < 0) {
      if (x === 0) return `${sign}0`;
      const { digits, dp } = shortestDigits(x);
      return sign + fixedFromDigits(digits, dp, Math.max(digits.length - dp, 0));
    }
    const a = Math.abs(x);
    if (a < 1e21) return sign + a.toFixed(Math.min(prec, 100));
    const { digits, dp } = precDigits(a, 17);
    return sign + fixedFromDigits(digits, dp, prec);
  }
  if (f === 'e') {
    if (x === 0)
      return `${sign}0${prec > 0 ? `.${'0'.repeat(prec)}` : prec < 0 ? '' : ''}${expSuffix(0, upper)}`;
    const { digits, dp } = prec < 0 ? shortestDigits(x) : precDigits(x, prec + 1);
    const frac = digits.slice(1);
    return `${sign}${digits[0] ?? '0'}${frac ? `.${frac}` : ''}${expSuffix(dp - 1, upper)}`;
  }
  // 'g'
  if (x === 0) return `${sign}0`;
  let digits: string;
  let dp: number;
  let eprec: number;
  if (prec < 0) {
    ({ digits, dp } = shortestDigits(x));
    eprec = 6;
  } else {
    const p = prec === 0 ? 1 : prec;
    ({ digits, dp } = precDigits(x, p));
    digits = digits.replace(/0+$/, '') || '0';
    eprec = p;
    if (eprec > digits.length && digits.length >= dp) eprec = digits.length;
  }
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    const frac = digits.slice(1);
    return `${sign}${digits[0] ?? '0'}${frac ? `.${frac}` : ''}${expSuffix(exp, upper)}`;
  }
  return sign + fixedFromDigits(digits, dp, Math.max(digits.length - dp, 0));
}

function fixedFromDigits(digits: string, dp: number, fracLen: number): string {
  let int: string;
  let frac: string;
  if (dp <= 0) {
    int = '0';
    frac = '0'.repeat(-dp) + digits;
  } else if (dp >= digits.length) {
    int = digits + '0'.repeat(dp - digits.length);
    frac = '';
  } else {
    int = digits.slice(0, dp);
    frac = digits.slice(dp);
  }
  frac = frac.slice(0, fracLen).padEnd(fracLen, '0');
  return frac ? `${int}.${frac}` : int;
}

const ESC: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

function isPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  if (cp === 0xfffe || cp === 0xffff) return false;
  if (cp >= 0x2028 && cp <= 0x2029) return false;
  if (cp >= 0xe000 && cp <= 0xf8ff) return false;
  return true;
}

/** strconv.Quote. */
export function quoteGo(s: string, q = '"'): string {
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === q) out += `\\${q}`;
    else if (ESC[ch]) out += ESC[ch];
    else if (isPrintable(cp)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + q;
}

interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number;
  prec: number;
  plusV: boolean;
}

const NOFLAGS: Flags = {
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
  width: -1,
  prec: -1,
  plusV: false,
};

function pad(s: string, f: Flags, numeric = false): string {
  if (f.width < 0 || [...s].length >= f.width) return s;
  const n = f.width - [...s].length;
  if (f.minus) return s + ' '.repeat(n);
  if (f.zero && numeric) {
    const m = /^[+-]/.exec(s);
    return m ? m[0] + '0'.repeat(n) + s.slice(1) : '0'.repeat(n) + s;
  }
  return ' '.repeat(n) + s;
}

function intText(v: bigint, verb: string, f: Flags): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  let s: string;
  switch (verb) {
    case 'b':
      s = a.toString(2);
      break;
    case 'o':
    case 'O':
      s = a.toString(8);
      if (verb === 'O') s = `0o${s}`;
      else if (f.sharp && s !== '0') s = `0${s}`;
      break;
    case 'x':
      s = a.toString(16);
      if (f.sharp) s = `0x${s}`;
      break;
    case 'X':
      s = a.toString(16).toUpperCase();
      if (f.sharp) s = `0X${s}`;
      break;
    default:
      s = a.toString(10);
  }
  if (f.prec >= 0) {
    const m = /^(0[xXo]?)?(.*)$/.exec(s);
    const pre = m?.[1] && verb !== 'd' ? m[1] : '';
    const body = pre ? s.slice(pre.length) : s;
    s = pre + (f.prec === 0 && body === '0' ? '' : body.padStart(f.prec, '0'));
  }
  return (neg ? '-' : f.plus ? '+' : f.space ? ' ' : '') + s;
}

function hexBytes(bytes: Uint8Array, upper: boolean, f: Flags): string {
  const parts: string[] = [];
  for (const b of bytes) {
    let h = b.toString(16).padStart(2, '0');
    if (upper) h = h.toUpperCase();
    parts.push(h);
  }
  if (f.sharp) {
    const pre = upper ? '0X' : '0x';
    return f.space ? parts.map((p) => pre + p).join(' ') : pre + parts.join('');
  }
  return parts.join(f.space ? ' ' : '');
}

const enc = new TextEncoder();

function badVerb(verb: string, v: Value): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, 'v', NOFLAGS)})`;
}

/** One operand formatted with a verb, as fmt's printArg. */
export function formatValue(v: Value, verb: string, f: Flags = NOFLAGS): string {
  assertExpandable(v, 'fmt');
  return formatOne(v, verb, f);
}

function formatOne(v: Value, verb: string, f: Flags): string {
  if (verb === 'T') return pad(typeName(v), f);
  if (v === undefined || v === null) {
    return verb === 'v' || verb === 's' ? pad('<nil>', f) : badVerb(verb, v);
  }
  if (typeof v === 'boolean') {
    return verb === 'v' || verb === 't' ? pad(String(v), f) : badVerb(verb, v);
  }
  if (typeof v === 'string') {
    switch (verb) {
      case 'v':
      case 's':
        return pad(f.prec >= 0 ? [...v].slice(0, f.prec).join('') : v, f);
      case 'q':
        return pad(f.sharp && !v.includes('`') ? `\`${v}\`` : quoteGo(v), f);
      case 'x':
      case 'X':
        return pad(hexBytes(enc.encode(v), verb === 'X', f), f);
      default:
        return badVerb(verb, v);
    }
  }
  if (typeof v === 'bigint' || v instanceof I64) {
    const n = typeof v === 'bigint' ? v : v.v;
    switch (verb) {
      case 'v':
      case 'd':
      case 'b':
      case 'o':
      case 'O':
      case 'x':
      case 'X':
        return pad(intText(n, verb === 'v' ? 'd' : verb, f), f, f.prec < 0);
      case 'c':
        return pad(String.fromCodePoint(Number(n)), f);
      case 'q':
        return pad(quoteGo(String.fromCodePoint(Number(n)), "'"), f);
      case 'U':
        return pad(`U+${n.toString(16).toUpperCase().padStart(4, '0')}`, f);
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        return badVerb(verb, v);
      default:
        return badVerb(verb, v);
    }
  }
  if (typeof v === 'number') {
    let s: string;
    switch (verb) {
      case 'v':
      case 'g':
      case 'G':
        s = formatFloat(v, verb === 'G' ? 'G' : 'g', f.prec);
        break;
      case 'e':
      case 'E':
        s = formatFloat(v, verb, f.prec < 0 ? 6 : f.prec);
        break;
      case 'f':
      case 'F':
        s = formatFloat(v, 'f', f.prec < 0 ? 6 : f.prec);
        break;
      default:
        return badVerb(verb, v);
    }
    if (f.plus && !s.startsWith('-') && s !== 'NaN') s = s.startsWith('+') ? s : `+${s}`;
    else if (s.startsWith('+') && !f.plus) s = s.slice(1) === 'Inf' ? '+Inf' : s;
    else if (f.space && !s.startsWith('-')) s = ` ${s}`;
    return pad(s, f, true);
  }
  if (v instanceof Uint8Array) {
    if (verb === 's') return pad(new TextDecoder().decode(v), f);
    if (verb === 'q') return pad(quoteGo(new TextDecoder().decode(v)), f);
    if (verb === 'x' || verb === 'X') return pad(hexBytes(v, verb === 'X', f), f);
    return pad(
      `[${[...v].map((b) => intText(BigInt(b), verb === 'v' ? 'd' : verb, f)).join(' ')}]`,
      f,
    );
  }
  if (v instanceof GoMap) {
    const inner = { ...f, width: -1 };
    const parts = v
      .sortedKeys()
      .map((k) => `${formatOne(k, verb, inner)}:${formatOne(v.get(k), verb, inner)}`);
    return pad(`map[${parts.join(' ')}]`, f);
  }
  if (v instanceof GoList) {
    const inner = { ...f, width: -1 };
    return pad(`[${v.items.map((x) => formatOne(x, verb, inner)).join(' ')}]`, f);
  }
  if (v instanceof GoStruct) {
    if (v.stringer && (verb === 'v' || verb === 's' || verb === 'q')) {
      const s = v.stringer();
      return verb === 'q' ? pad(quoteGo(s), f) : pad(s, f);
    }
    const inner = { ...f, width: -1 };
    const parts = [...v.fields].map(([k, x]) =>
      f.plusV ? `${k}:${formatOne(x, verb, inner)}` : formatOne(x, verb, inner),
    );
    return pad(`${v.pointer ? '&' : ''}{${parts.join(' ')}}`, f);
  }
  if (v instanceof GoFunc) return pad('0x1', f);
  return '';
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly Value[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, 'v');
  }
  return out;
}

/** fmt.Sprintln: spaces always, and a newline. */
export function sprintln(args: readonly Value[]): string {
  return `${args.map((a) => formatValue(a, 'v')).join(' ')}\n`;
}

function intArg(v: Value): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof I64) return Number(v.v);
  return undefined;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: readonly Value[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const f: Flags = { ...NOFLAGS };
    for (; i < n; i++) {
      const c = format[i];
      if (c === '-') {
        f.minus = true;
        f.zero = false;
      } else if (c === '+') f.plus = true;
      else if (c === '#') f.sharp = true;
      else if (c === ' ') f.space = true;
      else if (c === '0') f.zero = !f.minus;
      else break;
    }
    // width
    if (format[i] === '*') {
      i++;
      const w = intArg(args[argi]);
      argi++;
      if (w === undefined) out += '%!(BADWIDTH)';
      else {
        f.width = Math.abs(w);
        if (w < 0) {
          f.minus = true;
          f.zero = false;
        }
      }
    } else {
      let w = '';
      while (i < n && /[0-9]/.test(format[i] ?? '')) w += format[i++];
      if (w) f.width = Number(w);
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = intArg(args[argi]);
        argi++;
        if (p === undefined || p < 0) {
          out += '%!(BADPREC)';
          f.prec = -1;
        } else f.prec = p;
      } else {
        let p = '';
        while (i < n && /[0-9]/.test(format[i] ?? '')) p += format[i++];
        f.prec = p ? Number(p) : 0;
      }
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argi++];
    if (verb === 'v' && f.plus) {
      f.plus = false;
      f.plusV = true;
    }
    if (verb === 'w') {
      out += formatValue(a, 'v', f);
      continue;
    }
    if (!/[a-zA-Z]/.test(verb)) {
      out += badVerb(verb, a);
      continue;
    }
    out += formatValue(a, verb, f);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) =>
        a === undefined || a === null ? '<nil>' : `${typeName(a)}=${formatValue(a, 'v')}`,
      )
      .join(', ')})`;
  }
  return out;
}

/** strconv.FormatFloat(x, 'g', -1, 32): the shortest digits that read back as the same float32. */
export function formatFloat32(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return formatFloat(f, 'g', -1);
  let digits = '';
  let dp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = Math.abs(f).toExponential(p - 1);
    if (Math.fround(Number(s)) === Math.abs(f)) {
      const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
      digits = ((m?.[1] ?? '') + (m?.[2] ?? '')).replace(/0+$/, '') || '0';
      dp = Number(m?.[3] ?? 0) + 1;
      break;
    }
  }
  const sign = f < 0 ? '-' : '';
  const exp = dp - 1;
  if (exp < -4 || exp >= 6) {
    const frac = digits.slice(1);
    const a = Math.abs(exp);
    return `${sign}${digits[0] ?? '0'}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
  }
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= digits.length) return sign + digits + '0'.repeat(dp - digits.length);
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}
