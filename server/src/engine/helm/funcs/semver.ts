/** Masterminds/semver v3, as Sprig's semver/semverCompare and Helm's dependency and kubeVersion checks use it. */

export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  meta: string;
  original: string;
}

const VERSION_RE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseVersion(s: string): SemVer | null {
  const m = VERSION_RE.exec(s);
  if (!m) return null;
  return {
    major: BigInt(m[1] ?? '0'),
    minor: BigInt((m[2] ?? '.0').slice(1)),
    patch: BigInt((m[3] ?? '.0').slice(1)),
    pre: m[4] ?? '',
    meta: m[5] ?? '',
    original: s,
  };
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const ap = a.split('.');
  const bp = b.split('.');
  for (let i = 0; i < Math.max(ap.length, bp.length); i++) {
    const x = ap[i];
    const y = bp[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    if (xn && yn) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (xn) return -1;
    if (yn) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function compareVersions(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const)
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return comparePre(a.pre, b.pre);
}

interface Con {
  op: string;
  v: SemVer;
  dirty: boolean;
  /** Which part was a wildcard or missing: 0 major, 1 minor, 2 patch, 3 none. */
  wild: number;
}

const CON_RE =
  /^(==?|!=|>=?|<=?|~>?|\^|=>|=<|)\s*(v?([0-9xX*]+)(\.[0-9xX*]+)?(\.[0-9xX*]+)?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?)$/;

const isWild = (s: string | undefined): boolean => s === 'x' || s === 'X' || s === '*';

function parseCon(s: string): Con {
  const m = CON_RE.exec(s.trim());
  if (!m) throw new Error(`improper constraint: ${s}`);
  const parts = [m[3], m[4]?.slice(1), m[5]?.slice(1)];
  let wild = 3;
  for (let i = 0; i < 3; i++) {
    if (parts[i] === undefined || isWild(parts[i])) {
      wild = i;
      break;
    }
  }
  const num = (x: string | undefined): bigint => (x === undefined || isWild(x) ? 0n : BigInt(x));
  const v: SemVer = {
    major: num(parts[0]),
    minor: num(parts[1]),
    patch: num(parts[2]),
    pre: m[6] ?? '',
    meta: m[7] ?? '',
    original: m[2] ?? '',
  };
  const dirty = wild < 3 && (parts[wild] === undefined ? true : isWild(parts[wild]));
  return { op: m[1] ?? '', v, dirty: dirty || wild < 3, wild };
}

function withPreCheck(v: SemVer, c: Con): boolean {
  return !(v.pre !== '' && c.v.pre === '');
}

function check(c: Con, v: SemVer): boolean {
  const cmp = compareVersions(v, c.v);
  switch (c.op) {
    case '':
    case '=':
    case '==':
      if (!withPreCheck(v, c)) return false;
      if (c.dirty) {
        if (c.wild === 0) return true;
        if (v.major !== c.v.major) return false;
        if (c.wild === 1) return true;
        return v.minor === c.v.minor;
      }
      return cmp === 0;
    case '!=':
      if (!withPreCheck(v, c)) return false;
      if (c.dirty) {
        if (c.wild === 0) return false;
        if (v.major !== c.v.major) return true;
        if (c.wild === 1) return false;
        return v.minor !== c.v.minor;
      }
      return cmp !== 0;
    case '>':
      if (!withPreCheck(v, c)) return false;
      if (c.dirty) {
        if (c.wild === 0) return false;
        if (c.wild === 1) return v.major > c.v.major;
        return v.major > c.v.major || (v.major === c.v.major && v.minor > c.v.minor);
      }
      return cmp > 0;
    case '<':
      if (!withPreCheck(v, c)) return false;
      return cmp < 0;
    case '>=':
    case '=>':
      if (!withPreCheck(v, c)) return false;
      return cmp >= 0;
    case '<=':
    case '=<': {
      if (!withPreCheck(v, c)) return false;
      if (c.dirty) {
        if (c.wild === 0) return true;
        if (c.wild === 1) return v.major <= c.v.major;
        return v.major < c.v.major || (v.major === c.v.major && v.minor <= c.v.minor);
      }
      return cmp <= 0;
    }
    case '~':
    case '~>': {
      if (!withPreCheck(v, c)) return false;
      if (compareVersions(v, c.v) < 0) return false;
      if (c.wild === 0) return true;
      if (v.major !== c.v.major) return false;
      if (c.wild === 1 && !isWildPart(c, 1)) return true;
      if (c.wild === 1) return true;
      return v.minor === c.v.minor;
    }
    case '^': {
      if (!withPreCheck(v, c)) return false;
      if (compareVersions(v, c.v) < 0) return false;
      if (c.v.major > 0n || c.wild === 0) return v.major === c.v.major || c.wild === 0;
      if (c.wild === 1) return v.major === 0n;
      if (c.v.minor > 0n || c.wild === 2) return v.major === 0n && v.minor === c.v.minor;
      return v.major === 0n && v.minor === 0n && v.patch === c.v.patch;
    }
  }
  return false;
}

function isWildPart(c: Con, i: number): boolean {
  return c.wild <= i;
}

/** A constraint string: `||` alternatives of comma/space-separated conjunctions, hyphen ranges. */
export function checkConstraint(constraint: string, version: SemVer): boolean {
  const alts = constraint.split('||');
  return alts.some((alt) => {
    const s = alt.trim().replace(/\s*,\s*/g, ',');
    let terms: string[];
    const hy = /^(\S+)\s+-\s+(\S+)$/.exec(s);
    if (hy) terms = [`>=${hy[1]}`, `<=${hy[2]}`];
    else
      terms = s
        .replace(/(==?|!=|>=?|<=?|~>?|\^|=>|=<)\s+/g, '$1')
        .split(/[\s,]+/)
        .filter((t) => t !== '');
    if (terms.length === 0) terms = ['*'];
    return terms.every((t) => check(parseCon(t), version));
  });
}

/** Masterminds' NewConstraint error check, without evaluating. */
export function validConstraint(constraint: string): boolean {
  try {
    checkConstraint(constraint, {
      major: 0n,
      minor: 0n,
      patch: 0n,
      pre: '',
      meta: '',
      original: '0.0.0',
    });
    return true;
  } catch {
    return false;
  }
}
