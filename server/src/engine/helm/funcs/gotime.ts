/**
 * Go's time.Time and time.Duration as far as Sprig's date functions need
 * them, on a fixed clock (renders are reproducible): `now` is always
 * FIXED_NOW, and every zone but fixed offsets is UTC.
 */
import { GoStruct, I64 } from '../values';
import type { Value } from '../values';

/** The instant `now` returns: 2026-01-01T00:00:00Z. */
export const FIXED_NOW_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

/**
 * Milliseconds since the epoch of a UTC date and time (`month` from 0), for
 * any year: Date.UTC reads years 0 to 99 as 1900 to 1999, Go does not.
 */
export function utcMs(year: number, month: number, day: number, h = 0, mi = 0, s = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(h, mi, s, 0);
  return d.getTime();
}

/** Go's zero time.Time: January 1, year 1, 00:00:00 UTC. */
export const ZERO_TIME_MS = utcMs(1, 0, 1);

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface TimeParts {
  ms: number;
  /** Nanoseconds within the second. */
  nanos: number;
  offsetMin: number;
  zone: string;
}

const TIMES = new WeakMap<GoStruct, TimeParts>();

export function timeValue(t: TimeParts): GoStruct {
  const s = new GoStruct(
    'time.Time',
    new Map(),
    {
      Unix: { params: [], call: () => new I64(BigInt(Math.floor(t.ms / 1000))) },
      UnixNano: {
        params: [],
        call: () => new I64(BigInt(Math.floor(t.ms / 1000)) * 1000000000n + BigInt(t.nanos)),
      },
      Year: { params: [], call: () => BigInt(local(t).getUTCFullYear()) },
      Month: { params: [], call: () => BigInt(local(t).getUTCMonth() + 1) },
      Day: { params: [], call: () => BigInt(local(t).getUTCDate()) },
      Hour: { params: [], call: () => BigInt(local(t).getUTCHours()) },
      Minute: { params: [], call: () => BigInt(local(t).getUTCMinutes()) },
      Second: { params: [], call: () => BigInt(local(t).getUTCSeconds()) },
      UTC: { params: [], call: () => timeValue({ ...t, offsetMin: 0, zone: 'UTC' }) },
      Local: { params: [], call: () => timeValue({ ...t, offsetMin: 0, zone: 'UTC' }) },
      Format: {
        params: ['string'],
        call: (a) => formatTime(t, typeof a[0] === 'string' ? a[0] : ''),
      },
      String: { params: [], call: () => formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST') },
      Add: { params: ['time.Duration'], call: (a) => addNanos(t, durationNanos(a[0])) },
      AddDate: {
        params: ['int', 'int', 'int'],
        call: (a) => {
          const d = local(t);
          d.setUTCFullYear(
            d.getUTCFullYear() + Number(a[0]),
            d.getUTCMonth() + Number(a[1]),
            d.getUTCDate() + Number(a[2]),
          );
          return timeValue({ ...t, ms: d.getTime() - t.offsetMin * 60000 });
        },
      },
    },
    () => formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST'),
  );
  TIMES.set(s, t);
  return s;
}

export function timeParts(v: Value): TimeParts | undefined {
  return v instanceof GoStruct ? TIMES.get(v) : undefined;
}

function local(t: TimeParts): Date {
  return new Date(t.ms + t.offsetMin * 60000);
}

export function now(): GoStruct {
  return timeValue({ ms: FIXED_NOW_MS, nanos: 0, offsetMin: 0, zone: 'UTC' });
}

export function addNanos(t: TimeParts, n: bigint): GoStruct {
  const total = BigInt(t.nanos) + n;
  const secMs = Number((total / 1000000000n) * 1000n);
  let nanos = Number(total % 1000000000n);
  let ms = t.ms + secMs;
  if (nanos < 0) {
    nanos += 1e9;
    ms -= 1000;
  }
  return timeValue({ ...t, ms, nanos });
}

// ---------------------------------------------------------------- durations

const DURATIONS = new WeakMap<GoStruct, bigint>();

export function durationValue(ns: bigint): GoStruct {
  const s = new GoStruct(
    'time.Duration',
    new Map(),
    {
      String: { params: [], call: () => durationString(ns) },
      Seconds: { params: [], call: () => Number(ns) / 1e9 },
      Minutes: { params: [], call: () => Number(ns) / 6e10 },
      Hours: { params: [], call: () => Number(ns) / 3.6e12 },
      Milliseconds: { params: [], call: () => new I64(ns / 1000000n) },
      Nanoseconds: { params: [], call: () => new I64(ns) },
    },
    () => durationString(ns),
  );
  DURATIONS.set(s, ns);
  return s;
}

export function durationNanos(v: Value): bigint {
  if (v instanceof GoStruct) return DURATIONS.get(v) ?? 0n;
  if (typeof v === 'bigint') return v;
  if (v instanceof I64) return v.v;
  return 0n;
}

export function isDuration(v: Value): boolean {
  return v instanceof GoStruct && DURATIONS.has(v);
}

function fmtFrac(v: bigint, prec: number): string {
  // v in units of 10^-prec, print with trailing zeros removed
  const s = v.toString().padStart(prec + 1, '0');
  const int = s.slice(0, s.length - prec);
  const frac = s.slice(s.length - prec).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** Go's Duration.String(): 1h2m3.5s, 1.5ms, 0s. */
export function durationString(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1000000000n) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1000000n) out = `${fmtFrac(u, 3)}µs`;
    else out = `${fmtFrac(u, 6)}ms`;
  } else {
    const h = u / 3600000000000n;
    u -= h * 3600000000000n;
    const m = u / 60000000000n;
    u -= m * 60000000000n;
    out = `${fmtFrac(u, 9)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return neg ? `-${out}` : out;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/** time.ParseDuration. */
export function parseDuration(s: string): bigint {
  const orig = s;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new Error(`time: invalid duration "${orig}"`);
  let total = 0;
  const re = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') throw new Error(`time: invalid duration "${orig}"`);
    total += Number(m[1]) * Number(UNITS[m[2] ?? 's']);
    s = s.slice(m[0].length);
  }
  const r = BigInt(Math.round(total));
  return neg ? -r : r;
}

// ---------------------------------------------------------------- layouts

const pad = (n: number, w: number): string => String(Math.abs(n)).padStart(w, '0');

/** Go's Time.Format with its reference layout (Mon Jan 2 15:04:05 MST 2006). */
export function formatTime(t: TimeParts, layout: string): string {
  const d = local(t);
  const Y = d.getUTCFullYear();
  const M = d.getUTCMonth();
  const D = d.getUTCDate();
  const h = d.getUTCHours();
  const mi = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  const wd = d.getUTCDay();
  const yday = Math.floor((utcMs(Y, M, D) - utcMs(Y, 0, 1)) / 86400000) + 1;
  const off = t.offsetMin;
  const offStr = (colon: boolean, z: boolean, secs = false): string => {
    if (z && off === 0) return 'Z';
    const sign = off < 0 ? '-' : '+';
    const a = Math.abs(off);
    return `${sign}${pad(Math.floor(a / 60), 2)}${colon ? ':' : ''}${pad(a % 60, 2)}${secs ? (colon ? ':00' : '00') : ''}`;
  };
  const tokens: [string, () => string][] = [
    ['January', () => MONTHS[M] ?? ''],
    ['Jan', () => (MONTHS[M] ?? '').slice(0, 3)],
    ['Monday', () => DAYS[wd] ?? ''],
    ['Mon', () => (DAYS[wd] ?? '').slice(0, 3)],
    [
      'MST',
      () =>
        t.zone === 'UTC' || t.zone === '' ? (off === 0 ? 'UTC' : offStr(false, false)) : t.zone,
    ],
    ['2006', () => pad(Y, 4)],
    ['Z07:00:00', () => offStr(true, true, true)],
    ['-07:00:00', () => offStr(true, false, true)],
    ['Z070000', () => offStr(false, true, true)],
    ['-070000', () => offStr(false, false, true)],
    ['Z07:00', () => offStr(true, true)],
    ['-07:00', () => offStr(true, false)],
    ['Z0700', () => offStr(false, true)],
    ['-0700', () => offStr(false, false)],
    ['Z07', () => (off === 0 ? 'Z' : offStr(false, false).slice(0, 3))],
    ['-07', () => offStr(false, false).slice(0, 3)],
    ['002', () => pad(yday, 3)],
    ['__2', () => String(yday).padStart(3, ' ')],
    ['01', () => pad(M + 1, 2)],
    ['02', () => pad(D, 2)],
    ['_2', () => String(D).padStart(2, ' ')],
    ['06', () => pad(Y % 100, 2)],
    ['15', () => pad(h, 2)],
    ['03', () => pad(h % 12 === 0 ? 12 : h % 12, 2)],
    ['04', () => pad(mi, 2)],
    ['05', () => pad(s, 2)],
    ['PM', () => (h >= 12 ? 'PM' : 'AM')],
    ['pm', () => (h >= 12 ? 'pm' : 'am')],
    ['1', () => String(M + 1)],
    ['2', () => String(D)],
    ['3', () => String(h % 12 === 0 ? 12 : h % 12)],
    ['4', () => String(mi)],
    ['5', () => String(s)],
  ];
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const frac = /^[.,](0+|9+)/.exec(layout.slice(i));
    if (frac && !/[0-9]/.test(layout[i + (frac[0]?.length ?? 0)] ?? '')) {
      const digits = frac[1] ?? '';
      let f = String(t.nanos).padStart(9, '0').slice(0, digits.length);
      if (digits.startsWith('9')) {
        f = f.replace(/0+$/, '');
        out += f ? `${layout[i]}${f}` : '';
      } else out += `${layout[i]}${f}`;
      i += frac[0].length;
      continue;
    }
    const tok = tokens.find(([k]) => layout.startsWith(k, i));
    if (tok) {
      out += tok[1]();
      i += tok[0].length;
    } else out += layout[i++];
  }
  return out;
}

/** time.Parse with a Go layout (the common tokens); the zone defaults to UTC. */
export function parseTime(layout: string, value: string): TimeParts {
  const groups: string[] = [];
  let re = '';
  let i = 0;
  // Each field is read as Go reads it, greedily and never given back: an
  // atomic group (a lookahead and its backreference), so that a layout of
  // many adjacent numbers cannot make the expression backtrack.
  const add = (k: string, p: string): void => {
    groups.push(k);
    re += `(?=(${p}))(?:\\${groups.length})`;
  };
  const table: [string, string, string][] = [
    ['January', 'month', MONTHS.join('|')],
    ['Jan', 'mon', MONTHS.map((m) => m.slice(0, 3)).join('|')],
    ['Monday', 'wd', DAYS.join('|')],
    ['Mon', 'wd', DAYS.map((d) => d.slice(0, 3)).join('|')],
    ['MST', 'zone', '[A-Z]{3,5}|[+-]\\d{4}'],
    ['2006', 'Y', '\\d{4}'],
    ['Z07:00', 'off', 'Z|[+-]\\d{2}:\\d{2}'],
    ['-07:00', 'off', '[+-]\\d{2}:\\d{2}'],
    ['Z0700', 'off', 'Z|[+-]\\d{4}'],
    ['-0700', 'off', '[+-]\\d{4}'],
    ['01', 'M', '\\d{2}'],
    ['02', 'D', '\\d{2}'],
    ['_2', 'D', ' ?\\d{1,2}'],
    ['06', 'y', '\\d{2}'],
    ['15', 'h', '\\d{2}'],
    ['03', 'h12', '\\d{2}'],
    ['04', 'mi', '\\d{2}'],
    ['05', 's', '\\d{2}'],
    ['PM', 'pm', 'AM|PM'],
    ['pm', 'pm', 'am|pm'],
    ['1', 'M', '\\d{1,2}'],
    ['2', 'D', '\\d{1,2}'],
    ['3', 'h12', '\\d{1,2}'],
    ['4', 'mi', '\\d{1,2}'],
    ['5', 's', '\\d{1,2}'],
  ];
  while (i < layout.length) {
    const frac = /^[.,](0+|9+)/.exec(layout.slice(i));
    if (frac) {
      add('frac', '(?:[.,]\\d+)?');
      i += frac[0].length;
      continue;
    }
    const tok = table.find(([k]) => layout.startsWith(k, i));
    if (tok) {
      add(tok[1], tok[2]);
      i += tok[0].length;
    } else {
      re += (layout[i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const m = new RegExp(`^${re}$`).exec(value);
  if (!m)
    throw new Error(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(value)} as ${JSON.stringify(layout)}`,
    );
  let Y = 0;
  let M = 1;
  let D = 1;
  let h = 0;
  let mi = 0;
  let s = 0;
  let nanos = 0;
  let off = 0;
  let pm: string | undefined;
  groups.forEach((g, gi) => {
    const v = m[gi + 1] ?? '';
    switch (g) {
      case 'Y':
        Y = Number(v);
        break;
      case 'y':
        Y = Number(v) + (Number(v) >= 69 ? 1900 : 2000);
        break;
      case 'M':
        M = Number(v);
        break;
      case 'month':
        M = MONTHS.indexOf(v) + 1;
        break;
      case 'mon':
        M = MONTHS.findIndex((x) => x.startsWith(v)) + 1;
        break;
      case 'D':
        D = Number(v.trim());
        break;
      case 'h':
      case 'h12':
        h = Number(v);
        break;
      case 'mi':
        mi = Number(v);
        break;
      case 's':
        s = Number(v);
        break;
      case 'frac':
        nanos = v ? Number(v.slice(1).padEnd(9, '0').slice(0, 9)) : 0;
        break;
      case 'pm':
        pm = v.toUpperCase();
        break;
      case 'off':
        if (v !== 'Z') {
          const mm = /^([+-])(\d{2}):?(\d{2})$/.exec(v);
          if (mm) off = (mm[1] === '-' ? -1 : 1) * (Number(mm[2]) * 60 + Number(mm[3]));
        }
        break;
    }
  });
  if (pm === 'PM' && h < 12) h += 12;
  if (pm === 'AM' && h === 12) h = 0;
  const ms = utcMs(Y, M - 1, D, h, mi, s) - off * 60000;
  return { ms, nanos, offsetMin: off, zone: off === 0 ? 'UTC' : '' };
}
