/**
 * Exclude globs, matched in linear time. A pattern is compiled once into a
 * small automaton (one state per pattern element) and a path is matched by
 * simulating every state at once, so matching costs at most
 * (path length) × (states) steps whatever the pattern: `*a*a*a*a*a*ab`
 * against a 10,000-character name is about 130,000 steps, never a
 * backtracking search.
 *
 * Syntax, as `podsec.exclude` and `.podsec.yaml`'s `exclude` document it:
 * `*` any run of characters except `/`; `?` one character except `/`;
 * `**` as a whole path segment, zero or more segments; `[abc]`, `[a-z]`,
 * `[!a]` or `[^a]`, and `[[:alpha:]]`-style classes; `{a,b}` alternatives
 * (nested, at most GLOB_LIMITS.maxExpansions in all); `\` quotes the next
 * character. Dot files match like any other file. Matching is case-sensitive.
 * A pattern longer than GLOB_LIMITS.maxLength, with too many alternatives, or
 * negated (`!…`) is not compiled: `compileGlob` says why.
 */

export const GLOB_LIMITS = {
  /** Longest pattern accepted, in characters. */
  maxLength: 1024,
  /** Most alternatives one pattern's `{…}` groups may expand to. */
  maxExpansions: 256,
} as const;

/** Work counters (read by tests and the server's test-only stats request). */
export const globStats = {
  /** Patterns compiled. */
  compiled: 0,
  /** States visited while matching. */
  steps: 0,
};

const SLASH = 0x2f;

const enum Kind {
  /** Consumes one given character. */
  Char,
  /** Consumes one character other than `/`. */
  One,
  /** Consumes one character in (or not in) a class, never `/`. */
  Class,
  /** Loops on characters other than `/` (a `*`). */
  Star,
  /** Loops on any character (inside `**`). */
  AnyRun,
  /** Consumes nothing: skips to `skip` or goes on (an optional group). */
  Optional,
  Accept,
}

interface State {
  kind: Kind;
  /** The character, for Char. */
  code: number;
  /** Inclusive code point ranges, for Class. */
  ranges: number[];
  negated: boolean;
  /** For Optional: the state after the group. */
  skip: number;
}

function state(kind: Kind, code = 0): State {
  return { kind, code, ranges: [], negated: false, skip: 0 };
}

/** A compiled pattern. */
export interface CompiledGlob {
  readonly pattern: string;
  /** Whether the `/`-separated path matches the whole pattern. */
  matches(path: string): boolean;
}

export type GlobResult = { glob: CompiledGlob } | { error: string };

const POSIX_CLASSES = new Map<string, number[]>(
  Object.entries({
    alpha: [0x41, 0x5a, 0x61, 0x7a],
    digit: [0x30, 0x39],
    alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
    upper: [0x41, 0x5a],
    lower: [0x61, 0x7a],
    space: [0x09, 0x0d, 0x20, 0x20],
    xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
    punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  }),
);

/**
 * The alternatives of a pattern's `{a,b}` groups, or null when there would be
 * more than `max`. A group without a top-level comma stays literal.
 */
export function expandBraces(
  pattern: string,
  max: number = GLOB_LIMITS.maxExpansions,
): string[] | null {
  const group = firstGroup(pattern);
  if (!group) return [pattern];
  const prefix = pattern.slice(0, group.open);
  const suffix = pattern.slice(group.close + 1);
  const out: string[] = [];
  for (const alt of group.alternatives) {
    const rest = expandBraces(prefix + alt + suffix, max - out.length);
    if (rest === null) return null;
    out.push(...rest);
    if (out.length > max) return null;
  }
  return out;
}

/** The first `{…}` group with a top-level comma: where it is and its alternatives. */
function firstGroup(p: string): { open: number; close: number; alternatives: string[] } | null {
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c !== '{') continue;
    let depth = 0;
    let start = i + 1;
    const alternatives: string[] = [];
    for (let j = i; j < p.length; j++) {
      const d = p[j];
      if (d === '\\') {
        j++;
      } else if (d === '{') {
        depth++;
      } else if (d === '}') {
        depth--;
        if (depth === 0) {
          if (alternatives.length === 0) break; // `{x}`: literal; look further on
          alternatives.push(p.slice(start, j));
          return { open: i, close: j, alternatives };
        }
      } else if (d === ',' && depth === 1) {
        alternatives.push(p.slice(start, j));
        start = j + 1;
      }
    }
  }
  return null;
}

/** Splits on `/` outside `\` quotes. */
function segments(p: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) {
      cur += c + p[i + 1]!;
      i++;
    } else if (c === '/') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Parses a `[…]` class starting at `at`; null when it does not close (then `[` is literal). */
function parseClass(seg: string, at: number): { st: State; end: number } | null {
  const st = state(Kind.Class);
  let i = at + 1;
  if (seg[i] === '!' || seg[i] === '^') {
    st.negated = true;
    i++;
  }
  let first = true;
  while (i < seg.length) {
    const c = seg[i]!;
    if (c === ']' && !first) return { st, end: i + 1 };
    first = false;
    if (c === '[' && seg[i + 1] === ':') {
      const close = seg.indexOf(':]', i + 2);
      const ranges = close > 0 ? POSIX_CLASSES.get(seg.slice(i + 2, close)) : undefined;
      if (ranges) {
        st.ranges.push(...ranges);
        i = close + 2;
        continue;
      }
    }
    if (c === '\\' && i + 1 < seg.length) i++;
    const lo = seg.codePointAt(i)!;
    i += lo > 0xffff ? 2 : 1;
    if (seg[i] === '-' && i + 1 < seg.length && seg[i + 1] !== ']') {
      i++;
      if (seg[i] === '\\' && i + 1 < seg.length) i++;
      const hi = seg.codePointAt(i)!;
      i += hi > 0xffff ? 2 : 1;
      if (hi >= lo) st.ranges.push(lo, hi);
    } else {
      st.ranges.push(lo, lo);
    }
  }
  return null;
}

/** The states of one path segment (no `/` in it). */
function segmentStates(seg: string, out: State[]): void {
  for (let i = 0; i < seg.length;) {
    const c = seg[i]!;
    if (c === '*') {
      if (out[out.length - 1]?.kind !== Kind.Star) out.push(state(Kind.Star));
      i++;
    } else if (c === '?') {
      out.push(state(Kind.One));
      i++;
    } else if (c === '[') {
      const cls = parseClass(seg, i);
      if (cls) {
        out.push(cls.st);
        i = cls.end;
      } else {
        out.push(state(Kind.Char, 0x5b));
        i++;
      }
    } else {
      let at = i;
      if (c === '\\' && i + 1 < seg.length) at = i + 1;
      const code = seg.codePointAt(at)!;
      out.push(state(Kind.Char, code));
      i = at + (code > 0xffff ? 2 : 1);
    }
  }
}

/** `[Optional, ...group]`: the Optional state skips the group. */
function optional(out: State[], group: State[]): void {
  const opt = state(Kind.Optional);
  out.push(opt, ...group);
  opt.skip = out.length;
}

/** The states of one brace-free pattern, ending with Accept. */
function patternStates(p: string): State[] {
  const segs = segments(p);
  // Consecutive `**` segments mean one.
  const list = segs.filter((s, i) => !(s === '**' && segs[i - 1] === '**'));
  const out: State[] = [];
  let needSep = false;
  list.forEach((seg, i) => {
    const last = i === list.length - 1;
    if (seg === '**') {
      if (list.length === 1) {
        out.push(state(Kind.AnyRun));
      } else if (last) {
        out.push(state(Kind.Char, SLASH), state(Kind.AnyRun)); // `dir/**`: not `dir` itself
      } else {
        if (needSep) out.push(state(Kind.Char, SLASH));
        optional(out, [state(Kind.AnyRun), state(Kind.Char, SLASH)]);
        needSep = false;
      }
      return;
    }
    if (needSep) out.push(state(Kind.Char, SLASH));
    segmentStates(seg, out);
    needSep = true;
  });
  out.push(state(Kind.Accept));
  return out;
}

/** One automaton for all the alternatives: a start that reaches each one's first state. */
class Automaton implements CompiledGlob {
  private readonly states: State[] = [];
  /** Per state: the states reachable from it without consuming (itself included). */
  private readonly closure: Int32Array[] = [];
  private readonly starts: number[] = [];
  private readonly mark: Int32Array;
  private generation = 0;

  constructor(
    readonly pattern: string,
    alternatives: readonly string[],
  ) {
    for (const alt of alternatives) {
      const base = this.states.length;
      const part = patternStates(alt);
      for (const s of part) if (s.kind === Kind.Optional) s.skip += base;
      this.starts.push(base);
      this.states.push(...part);
    }
    this.mark = new Int32Array(this.states.length);
    for (let i = 0; i < this.states.length; i++) this.closure.push(this.closeOver(i));
  }

  private closeOver(from: number): Int32Array {
    const seen: number[] = [];
    const stack = [from];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (seen.includes(i)) continue;
      seen.push(i);
      const s = this.states[i]!;
      if (s.kind === Kind.Optional) stack.push(i + 1, s.skip);
      else if (s.kind === Kind.Star || s.kind === Kind.AnyRun) stack.push(i + 1);
    }
    return Int32Array.from(seen.filter((i) => this.states[i]!.kind !== Kind.Optional));
  }

  private consumes(s: State, c: number): boolean {
    switch (s.kind) {
      case Kind.Char:
        return s.code === c;
      case Kind.One:
      case Kind.Star:
        return c !== SLASH;
      case Kind.AnyRun:
        return true;
      case Kind.Class: {
        if (c === SLASH) return false;
        let inside = false;
        for (let r = 0; r < s.ranges.length; r += 2) {
          if (c >= s.ranges[r]! && c <= s.ranges[r + 1]!) {
            inside = true;
            break;
          }
        }
        return inside !== s.negated;
      }
      default:
        return false;
    }
  }

  matches(path: string): boolean {
    let current: number[] = [];
    let next: number[] = [];
    const add = (list: number[], from: number) => {
      for (const t of this.closure[from]!) {
        if (this.mark[t] !== this.generation) {
          this.mark[t] = this.generation;
          list.push(t);
        }
      }
    };
    this.generation++;
    for (const s of this.starts) add(current, s);
    let steps = 0;
    for (let i = 0; i < path.length && current.length > 0;) {
      const c = path.codePointAt(i)!;
      i += c > 0xffff ? 2 : 1;
      this.generation++;
      next.length = 0;
      for (const si of current) {
        steps++;
        const s = this.states[si]!;
        if (!this.consumes(s, c)) continue;
        add(next, s.kind === Kind.Star || s.kind === Kind.AnyRun ? si : si + 1);
      }
      [current, next] = [next, current];
    }
    globStats.steps += steps + current.length;
    return current.some((si) => this.states[si]!.kind === Kind.Accept);
  }
}

/** Compiles one pattern, or says why it cannot be used. */
export function compileGlob(pattern: string): GlobResult {
  if (pattern.length === 0) return { error: 'an empty pattern matches nothing' };
  if (pattern.length > GLOB_LIMITS.maxLength) {
    return { error: `longer than ${GLOB_LIMITS.maxLength} characters` };
  }
  if (pattern.startsWith('!')) {
    return { error: 'negated patterns are not supported: list only what to leave out' };
  }
  const alternatives = expandBraces(pattern);
  if (alternatives === null) {
    return { error: `its {…} groups expand to more than ${GLOB_LIMITS.maxExpansions} patterns` };
  }
  globStats.compiled++;
  return { glob: new Automaton(pattern, alternatives) };
}

/** A list of patterns compiled together; the ones that cannot be used are in `invalid`. */
export interface GlobSet {
  readonly patterns: readonly string[];
  /** The patterns left out, and why. */
  readonly invalid: ReadonlyArray<{ pattern: string; error: string }>;
  /** Whether any usable pattern matches the path. */
  matches(path: string): boolean;
}

class CompiledSet implements GlobSet {
  readonly invalid: Array<{ pattern: string; error: string }> = [];
  private readonly globs: CompiledGlob[] = [];

  constructor(readonly patterns: readonly string[]) {
    for (const pattern of patterns) {
      const r = compileGlob(pattern);
      if ('glob' in r) this.globs.push(r.glob);
      else this.invalid.push({ pattern, error: r.error });
    }
  }

  matches(path: string): boolean {
    for (const g of this.globs) if (g.matches(path)) return true;
    return false;
  }
}

/** The most recently used sets, so the same list is compiled once. */
const recent = new Map<string, GlobSet>();
const RECENT_SETS = 8;

/**
 * The compiled set for a list of patterns: compiled on first use, then taken
 * from a small cache keyed by the list's contents (so settings normalized
 * again, per document or per request, do not compile again).
 */
export function globSet(patterns: readonly string[]): GlobSet {
  const key = JSON.stringify(patterns);
  const hit = recent.get(key);
  if (hit) {
    recent.delete(key);
    recent.set(key, hit);
    return hit;
  }
  const set = new CompiledSet([...patterns]);
  recent.set(key, set);
  if (recent.size > RECENT_SETS) recent.delete(recent.keys().next().value!);
  return set;
}
