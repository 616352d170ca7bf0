/**
 * Regular expressions from user files, matched in linear time.
 *
 * Kustomize's patch targets and image names, Helm's `regex*` functions and
 * `values.schema.json` patterns are Go regular expressions (RE2: no
 * backtracking, time linear in the input). JavaScript's RegExp backtracks: a
 * pattern `(a+)+b` against a 30-character text would take minutes and freeze
 * the command line or the language server. So these patterns are compiled
 * here to a small automaton and run by simulating all its threads at once
 * (a Pike machine: one pass over the input, each state at most once per
 * position): one search costs at most (input length + 1) × program size
 * steps.
 *
 * Matches are Go's: leftmost-first (the first alternative and the greedy or
 * lazy preference decide between matches at the same start), with the
 * submatch positions Go reports. The syntax is RE2's: literals and escapes
 * (`\x{..}`, octal `\0nn`, `\Q…\E`), `.`, classes (`[a-z]`, `[^…]`,
 * `\d \w \s`, `[[:alpha:]]`, `\pL`, `\p{Greek}`, and negations), groups
 * (`(…)`, `(?:…)`, `(?P<name>…)`, `(?<name>…)`), alternation, `* + ?` and
 * `{n}`, `{n,}`, `{n,m}` with their lazy forms, anchors `^ $ \A \z`, word
 * boundaries `\b \B`, and the flags `i m s U` (`(?flags)` and
 * `(?flags:…)`). Anything else is a syntax error, as RE2 reports one.
 * Positions are counted in code points; the matched text is the same as Go's.
 */

/** A pattern too large to compile (counted repetitions multiply it). */
const MAX_PROGRAM = 20_000;
const MAX_REPEAT = 1000;

type Pred = (c: number) => boolean;
type AssertKind = 'begin' | 'end' | 'lineBegin' | 'lineEnd' | 'word' | 'notWord';

type Node =
  | { t: 'char'; pred: Pred }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  /** `counted`: written `{n,m}` (Go limits their nesting), not `*`, `+` or `?`. */
  | { t: 'rep'; node: Node; min: number; max: number; greedy: boolean; counted: boolean }
  | { t: 'cap'; idx: number; node: Node }
  | { t: 'assert'; kind: AssertKind };

type Inst =
  | { op: 'char'; pred: Pred; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'save'; slot: number; next: number }
  | { op: 'assert'; kind: AssertKind; next: number }
  | { op: 'match' };

/** A pattern RE2 does not accept; the message is Go's (`missing closing ): \`(a\``). */
export class RegexSyntaxError extends Error {}

const syntax = (code: string, expr: string): RegexSyntaxError =>
  new RegexSyntaxError(`${code}: \`${expr}\``);

const isWord = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 10) || (c >= 12 && c <= 13);

const POSIX: Record<string, Pred> = {
  alnum: (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  ascii: (c) => c <= 127,
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c < 32 || c === 127,
  digit: isDigit,
  graph: (c) => c > 32 && c < 127,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 32 && c < 127,
  punct: (c) => c > 32 && c < 127 && !isDigit(c) && !(lowerOf(c) >= 97 && lowerOf(c) <= 122),
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  upper: (c) => c >= 65 && c <= 90,
  word: isWord,
  xdigit: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

/** Simple case folding: the lower and upper forms of one code point. */
function lowerOf(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  const s = String.fromCodePoint(c).toLowerCase();
  const l = s.codePointAt(0) as number;
  return s.length === String.fromCodePoint(l).length ? l : c;
}
function upperOf(c: number): number {
  if (c < 128) return c >= 97 && c <= 122 ? c - 32 : c;
  const s = String.fromCodePoint(c).toUpperCase();
  const u = s.codePointAt(0) as number;
  return s.length === String.fromCodePoint(u).length ? u : c;
}

/**
 * A Unicode class `\p{Name}`: a general category (`L`, `Lu`) or a script
 * (`Greek`). Each test is a RegExp on one code point, which cannot backtrack.
 */
const unicodeClasses = new Map<string, Pred | null>();
function unicodeClass(name: string): Pred | null {
  const hit = unicodeClasses.get(name);
  if (hit !== undefined) return hit;
  let pred: Pred | null = null;
  if (/^[A-Za-z_]+$/.test(name)) {
    for (const src of name === 'Any' ? ['[\\s\\S]'] : [`\\p{${name}}`, `\\p{Script=${name}}`]) {
      try {
        const rx = new RegExp(`^${src}$`, 'u');
        pred = (c) => rx.test(String.fromCodePoint(c));
        break;
      } catch {
        // not this kind of name
      }
    }
  }
  unicodeClasses.set(name, pred);
  return pred;
}

interface Flags {
  fold: boolean;
  dotAll: boolean;
  multi: boolean;
  ungreedy: boolean;
}

class Parser {
  private i = 0;
  private flags: Flags = { fold: false, dotAll: false, multi: false, ungreedy: false };
  private depth = 0;
  /** Capture names by index; index 0 is the whole match. */
  readonly names: string[] = [''];

  constructor(private readonly s: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.s.length) throw syntax('unexpected )', this.s);
    return n;
  }

  private peek(): string | undefined {
    return this.s[this.i];
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  private cat(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      if (this.operatorLength() > 0) {
        // An operator with no atom of its own: at the start of a group or an
        // alternative it has no operand; after a flag group `(?i)` it repeats
        // what came before the group, as Go's parser reads `a(?i)*`.
        const last = items.pop();
        if (last === undefined) {
          const end = this.i + this.operatorLength();
          throw syntax(
            'missing argument to repetition operator',
            this.s.slice(this.i, this.s[end] === '?' ? end + 1 : end),
          );
        }
        items.push(this.repeat(last));
        continue;
      }
      const a = this.atom();
      if (a === null) continue; // a flag group `(?i)`: nothing to match
      items.push(this.repeat(a));
    }
    return { t: 'cat', items };
  }

  /** The length of the repetition operator at the cursor (`*`, `{2,3}`), 0 if none. */
  private operatorLength(): number {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') return 1;
    if (c !== '{') return 0;
    // `{n}`, `{n,}`, `{n,m}` with no leading zeros; anything else is a literal brace.
    let j = this.i + 1;
    const number = (): boolean => {
      const first = j;
      while (j < this.s.length && isDigit(this.s.charCodeAt(j))) j++;
      return j > first && !(this.s[first] === '0' && j - first > 1);
    };
    if (!number()) return 0;
    if (this.s[j] === ',') {
      j++;
      if (this.s[j] !== '}' && !number()) return 0;
    }
    return this.s[j] === '}' ? j + 1 - this.i : 0;
  }

  private repeat(atom: Node): Node {
    let node = atom;
    let lastOpAt = -1;
    for (;;) {
      const c = this.peek();
      const opAt = this.i;
      const length = this.operatorLength();
      if (length === 0) return node;
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else {
        const [lo, hi] = this.s.slice(this.i + 1, this.i + length - 1).split(',');
        min = Number(lo);
        max = hi === undefined ? min : hi === '' ? Infinity : Number(hi);
        if (min > MAX_REPEAT || (max !== Infinity && (max > MAX_REPEAT || max < min)))
          throw syntax('invalid repeat count', this.s.slice(this.i, this.i + length));
      }
      this.i += length;
      let lazy = false;
      if (this.peek() === '?') {
        lazy = true;
        this.i++;
      }
      // Go quotes the operators from the first of the two: `**`, `{2}{3}`.
      if (lastOpAt >= 0)
        throw syntax('invalid nested repetition operator', this.s.slice(lastOpAt, this.i));
      lastOpAt = opAt;
      const counted = c === '{';
      node = { t: 'rep', node, min, max, greedy: lazy === this.flags.ungreedy, counted };
      // Counted repetitions nested inside each other multiply: at most 1000 copies in all.
      if (counted && (min >= 2 || (max !== Infinity && max >= 2)) && !repeatFits(node, MAX_REPEAT))
        throw syntax('invalid repeat count', this.s.slice(opAt, this.i));
    }
  }

  /** One atom; null for a flag group, which changes the flags and matches nothing. */
  private atom(): Node | null {
    const at = this.i;
    const c = this.s[this.i++] as string;
    switch (c) {
      case '(': {
        if (this.depth >= 1000) throw syntax('expression nests too deeply', this.s);
        let idx = -1;
        const saved = { ...this.flags };
        const left = this.s.length - at;
        if (
          (this.s.startsWith('?P<', this.i) && left > 4) ||
          (this.s.startsWith('?<', this.i) && left > 3)
        ) {
          this.i += this.s[this.i + 1] === 'P' ? 3 : 2;
          const end = this.s.indexOf('>', this.i);
          const name = end < 0 ? '' : this.s.slice(this.i, end);
          // Go accepts a name used twice; a reference by name means the first.
          if (end < 0 || !/^[A-Za-z0-9_]+$/.test(name))
            throw syntax('invalid named capture', this.s.slice(at, end < 0 ? undefined : end + 1));
          this.i = end + 1;
          idx = this.names.push(name) - 1;
        } else if (this.peek() === '?') {
          // Go's flag syntax: letters, at most one `-` followed by at least one
          // letter, then `:` or `)`. The error quotes up to the rune that broke it.
          this.i++;
          const flags = { ...this.flags };
          let on = true;
          let sawFlag = false;
          let end: string | null = null;
          while (this.i < this.s.length) {
            const ch = String.fromCodePoint(this.s.codePointAt(this.i) as number);
            this.i += ch.length;
            if (ch === 'i') flags.fold = on;
            else if (ch === 's') flags.dotAll = on;
            else if (ch === 'm') flags.multi = on;
            else if (ch === 'U') flags.ungreedy = on;
            else if (ch === '-' && on) {
              on = false;
              sawFlag = false;
              continue;
            } else if ((ch === ':' || ch === ')') && (on || sawFlag)) {
              end = ch;
              break;
            } else break;
            sawFlag = true;
          }
          if (end === null)
            throw syntax('invalid or unsupported Perl syntax', this.s.slice(at, this.i));
          this.flags = flags;
          if (end === ')') return null; // the flags hold to the end of the enclosing group
        } else idx = this.names.push('') - 1;
        this.depth++;
        const n = this.alt();
        this.depth--;
        if (this.s[this.i++] !== ')') throw syntax('missing closing )', this.s);
        this.flags = saved;
        return idx < 0 ? n : { t: 'cap', idx, node: n };
      }
      case '[':
        return this.charOf(this.cls(at), false);
      case '.':
        return this.charOf(this.flags.dotAll ? () => true : (x) => x !== 10, false);
      case '^':
        return { t: 'assert', kind: this.flags.multi ? 'lineBegin' : 'begin' };
      case '$':
        return { t: 'assert', kind: this.flags.multi ? 'lineEnd' : 'end' };
      case '\\':
        return this.escape(at);
      default: {
        const code = c.codePointAt(0) as number;
        if (code > 0xffff) this.i++;
        return this.literal(code);
      }
    }
  }

  private literal(code: number): Node {
    if (!this.flags.fold) return { t: 'char', pred: (x) => x === code };
    const l = lowerOf(code);
    const u = upperOf(code);
    return { t: 'char', pred: (x) => x === code || x === l || x === u || lowerOf(x) === l };
  }

  private charOf(pred: Pred, fold = this.flags.fold): Node {
    return {
      t: 'char',
      pred: fold ? (x) => pred(x) || pred(lowerOf(x)) || pred(upperOf(x)) : pred,
    };
  }

  private escape(at: number): Node {
    const c = this.s[this.i++];
    if (c === undefined) throw syntax('trailing backslash at end of expression', '');
    if (c === 'A') return { t: 'assert', kind: 'begin' };
    if (c === 'z') return { t: 'assert', kind: 'end' };
    if (c === 'b') return { t: 'assert', kind: 'word' };
    if (c === 'B') return { t: 'assert', kind: 'notWord' };
    if (c === 'Q') {
      const end = this.s.indexOf('\\E', this.i);
      const text = this.s.slice(this.i, end < 0 ? undefined : end);
      this.i = end < 0 ? this.s.length : end + 2;
      return {
        t: 'cat',
        items: Array.from(text, (ch) => this.literal(ch.codePointAt(0) as number)),
      };
    }
    const cls = this.classEscape(c, at);
    if (cls) return this.charOf(cls, false);
    return this.literal(this.escapedCode(c, at));
  }

  private classEscape(c: string, at: number): Pred | null {
    switch (c) {
      case 'd':
        return isDigit;
      case 'D':
        return (x) => !isDigit(x);
      case 'w':
        return isWord;
      case 'W':
        return (x) => !isWord(x);
      case 's':
        return isSpace;
      case 'S':
        return (x) => !isSpace(x);
      case 'p':
      case 'P': {
        let name: string;
        if (this.peek() === '{') {
          const end = this.s.indexOf('}', this.i);
          if (end < 0) throw syntax('invalid character class range', this.s.slice(at));
          name = this.s.slice(this.i + 1, end);
          this.i = end + 1;
        } else {
          name = this.s[this.i] ?? '';
          this.i++;
        }
        let negate = c === 'P';
        if (name.startsWith('^')) {
          negate = !negate;
          name = name.slice(1);
        }
        const p = unicodeClass(name);
        if (!p) throw syntax('invalid character class range', this.s.slice(at, this.i));
        const q = this.flags.fold ? (x: number) => p(x) || p(lowerOf(x)) || p(upperOf(x)) : p;
        return negate ? (x) => !q(x) : q;
      }
      default:
        return null;
    }
  }

  private escapedCode(c: string, at: number): number {
    switch (c) {
      case 'a':
        return 7;
      case 'n':
        return 10;
      case 't':
        return 9;
      case 'r':
        return 13;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case 'x': {
        const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(this.s.slice(this.i));
        const v = m ? parseInt(m[1] ?? m[2] ?? '0', 16) : -1;
        if (!m || v > 0x10ffff)
          throw syntax('invalid escape sequence', this.s.slice(at, this.i + (m?.[0].length ?? 0)));
        this.i += m[0].length;
        return v;
      }
      default:
        if (c >= '0' && c <= '7') {
          // Octal: \0, \0n, \0nn, or \nnn with a non-zero first digit and two more (\1 alone is a backreference).
          const m = /^[0-7]{0,2}/.exec(this.s.slice(this.i)) as RegExpExecArray;
          if (c !== '0' && m[0].length < 1) throw syntax('invalid escape sequence', `\\${c}`);
          this.i += m[0].length;
          return parseInt(c + m[0], 8);
        }
        if (/[0-9A-Za-z]/.test(c)) throw syntax('invalid escape sequence', `\\${c}`);
        return c.codePointAt(0) as number;
    }
  }

  private cls(at: number): Pred {
    const preds: Pred[] = [];
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    let first = true;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw syntax('missing closing ]', this.s.slice(at));
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (this.s.startsWith('[:', this.i)) {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.s.slice(this.i));
        if (m) {
          const p = POSIX[m[2] ?? ''];
          if (!p) throw syntax('invalid character class range', m[0]);
          preds.push(m[1] ? (x) => !p(x) : p);
          this.i += m[0].length;
          continue;
        }
      }
      const rangeAt = this.i;
      const lo = this.classChar(at);
      if (typeof lo !== 'number') {
        preds.push(lo);
        continue;
      }
      if (this.peek() === '-' && this.s[this.i + 1] !== ']' && this.s[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classChar(at);
        if (typeof hi !== 'number' || hi < lo)
          throw syntax('invalid character class range', this.s.slice(rangeAt, this.i));
        preds.push((x) => x >= lo && x <= hi);
      } else preds.push((x) => x === lo);
    }
    const any: Pred = (x) => preds.some((p) => p(x));
    const folded: Pred = this.flags.fold
      ? (x) => any(x) || any(lowerOf(x)) || any(upperOf(x))
      : any;
    return negate ? (x) => !folded(x) : folded;
  }

  /** One member of a class: a code point, or a class escape (`\d`). */
  private classChar(at: number): number | Pred {
    const c = this.s[this.i++] as string;
    if (c !== '\\') {
      const code = c.codePointAt(0) as number;
      if (code > 0xffff) this.i++;
      return code;
    }
    const escAt = this.i - 1;
    const e = this.s[this.i++];
    if (e === undefined) throw syntax('missing closing ]', this.s.slice(at));
    return this.classEscape(e, escAt) ?? this.escapedCode(e, escAt);
  }
}

/** Go's limit on nested counted repetitions: the copies they make of the innermost atom. */
function repeatFits(node: Node, n: number): boolean {
  let budget = n;
  if (node.t === 'rep' && node.counted) {
    const m = node.max === Infinity ? node.min : node.max;
    if (m === 0) return true;
    if (m > budget) return false;
    budget = Math.floor(budget / m);
  }
  switch (node.t) {
    case 'rep':
    case 'cap':
      return repeatFits(node.node, budget);
    case 'cat':
    case 'alt':
      return node.items.every((x) => repeatFits(x, budget));
    default:
      return true;
  }
}

function compile(node: Node): Inst[] {
  const prog: Inst[] = [];
  const emit = (i: Inst): number => {
    if (prog.length >= MAX_PROGRAM) throw syntax('expression too large', '');
    prog.push(i);
    return prog.length - 1;
  };
  /** A split preferring `first` (the next state) when greedy, the other branch when lazy. */
  const split = (greedy: boolean): number => emit({ op: 'split', a: greedy ? -2 : -1, b: -1 });
  const patch = (s: number, greedy: boolean, body: number, out: number): void => {
    const inst = prog[s] as { a: number; b: number };
    inst.a = greedy ? body : out;
    inst.b = greedy ? out : body;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case 'char':
        emit({ op: 'char', pred: n.pred, next: prog.length + 1 });
        return;
      case 'assert':
        emit({ op: 'assert', kind: n.kind, next: prog.length + 1 });
        return;
      case 'cap':
        emit({ op: 'save', slot: 2 * n.idx, next: prog.length + 1 });
        gen(n.node);
        emit({ op: 'save', slot: 2 * n.idx + 1, next: prog.length + 1 });
        return;
      case 'cat':
        for (const x of n.items) gen(x);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.items.forEach((x, k) => {
          if (k < n.items.length - 1) {
            const s = emit({ op: 'split', a: prog.length + 1, b: -1 });
            gen(x);
            jumps.push(emit({ op: 'jmp', to: -1 }));
            (prog[s] as { b: number }).b = prog.length;
          } else gen(x);
        });
        for (const j of jumps) (prog[j] as { to: number }).to = prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.node);
        if (n.max === Infinity) {
          const s = split(n.greedy);
          gen(n.node);
          emit({ op: 'jmp', to: s });
          patch(s, n.greedy, s + 1, prog.length);
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(split(n.greedy));
            gen(n.node);
          }
          for (const s of splits) patch(s, n.greedy, s + 1, prog.length);
        }
        return;
      }
    }
  };
  emit({ op: 'save', slot: 0, next: 1 });
  gen(node);
  emit({ op: 'save', slot: 1, next: prog.length + 1 });
  emit({ op: 'match' });
  return prog;
}

interface Thread {
  pc: number;
  caps: Int32Array | null;
}

/** An input prepared once for several searches: its code points and their UTF-16 offsets. */
interface Input {
  readonly text: string;
  readonly codes: number[];
  readonly offsets: number[];
}

function prepare(text: string): Input {
  const codes: number[] = [];
  const offsets: number[] = [];
  let o = 0;
  for (const ch of text) {
    codes.push(ch.codePointAt(0) as number);
    offsets.push(o);
    o += ch.length;
  }
  offsets.push(o);
  return { text, codes, offsets };
}

/** A compiled pattern, with RE2's `MatchString` (`test`) and the find, replace and split operations of Go's `regexp`. */
export class LinearRegex {
  private readonly prog: Inst[];
  /** Capture names by index (index 0 is the whole match; unnamed groups are ''). */
  readonly names: readonly string[];
  /**
   * States visited since the last `resetSteps` (each call of `test`, `find`,
   * `findAll`, `replaceAll` and `split` starts from zero): one search visits
   * at most (input length + 1) × `size` states.
   */
  steps = 0;
  private seen: Uint32Array;
  private stamp = 0;

  constructor(readonly pattern: string) {
    const parser = new Parser(pattern);
    this.prog = compile(parser.parse());
    this.names = parser.names;
    this.seen = new Uint32Array(this.prog.length);
  }

  /** The number of states of the automaton. */
  get size(): number {
    return this.prog.length;
  }

  /** Whether the pattern matches somewhere in the input. */
  test(input: string): boolean {
    this.steps = 0;
    return this.search(prepare(input), 0, false) !== null;
  }

  /** The leftmost-first match from code point `from`: capture slots (code point positions, -1 when unset). */
  private search(inp: Input, from: number, wantCaps: boolean): Int32Array | null {
    const prog = this.prog;
    const codes = inp.codes;
    const len = codes.length;
    if (this.stamp > 0xffffffff - len - 4) {
      this.seen = new Uint32Array(prog.length);
      this.stamp = 0;
    }
    const base = this.stamp;
    this.stamp += len - from + 2;
    const seen = this.seen;
    const slots = 2 * this.names.length;
    const add = (list: Thread[], pc: number, caps: Int32Array | null, at: number): void => {
      const stamp = base + (at - from) + 1;
      // An explicit stack, in priority order: the first branch of a split, all its closure, then the second.
      const stack: Thread[] = [{ pc, caps }];
      while (stack.length > 0) {
        const t = stack.pop() as Thread;
        if (seen[t.pc] === stamp) continue;
        seen[t.pc] = stamp;
        this.steps++;
        const inst = prog[t.pc] as Inst;
        switch (inst.op) {
          case 'match':
          case 'char':
            list.push(t);
            break;
          case 'jmp':
            stack.push({ pc: inst.to, caps: t.caps });
            break;
          case 'split':
            stack.push({ pc: inst.b, caps: t.caps }, { pc: inst.a, caps: t.caps });
            break;
          case 'save': {
            let caps = t.caps;
            if (caps) {
              caps = caps.slice();
              caps[inst.slot] = at;
            }
            stack.push({ pc: inst.next, caps });
            break;
          }
          case 'assert': {
            const prev = at > 0 ? (codes[at - 1] as number) : -1;
            const next = at < len ? (codes[at] as number) : -1;
            let ok: boolean;
            switch (inst.kind) {
              case 'begin':
                ok = at === 0;
                break;
              case 'end':
                ok = at === len;
                break;
              case 'lineBegin':
                ok = at === 0 || prev === 10;
                break;
              case 'lineEnd':
                ok = at === len || next === 10;
                break;
              default: {
                const boundary = (prev >= 0 && isWord(prev)) !== (next >= 0 && isWord(next));
                ok = inst.kind === 'word' ? boundary : !boundary;
              }
            }
            if (ok) stack.push({ pc: inst.next, caps: t.caps });
            break;
          }
        }
      }
    };
    let matched: Int32Array | null = null;
    let clist: Thread[] = [];
    for (let at = from; at <= len; at++) {
      // Unanchored: until a match is found, a new thread (of the lowest priority) starts at every position.
      if (matched === null) add(clist, 0, wantCaps ? new Int32Array(slots).fill(-1) : null, at);
      if (clist.length === 0) {
        if (matched !== null) break;
        continue;
      }
      const c = at < len ? (codes[at] as number) : -1;
      const nlist: Thread[] = [];
      for (const t of clist) {
        const inst = prog[t.pc] as Inst;
        if (inst.op === 'match') {
          // The threads after this one have lower priority: they are cut.
          matched = t.caps ?? new Int32Array(0);
          if (!wantCaps) return matched;
          break;
        }
        if (inst.op === 'char' && c >= 0 && inst.pred(c)) add(nlist, inst.next, t.caps, at + 1);
      }
      clist = nlist;
    }
    return matched;
  }

  /** Go's `FindAllStringSubmatchIndex`: at most `n` matches (all when `n` < 0), with Go's rules for empty matches. */
  private all(inp: Input, n: number): Int32Array[] {
    const out: Int32Array[] = [];
    const len = inp.codes.length;
    const limit = n < 0 ? len + 1 : n;
    let prevEnd = -1;
    for (let pos = 0; out.length < limit && pos <= len;) {
      const m = this.search(inp, pos, true);
      if (!m) break;
      const [s, e] = [m[0] as number, m[1] as number];
      let accept = true;
      if (e === pos) {
        // An empty match right after the previous match is not one.
        if (s === prevEnd) accept = false;
        pos++;
      } else pos = e;
      prevEnd = e;
      if (accept) out.push(m);
    }
    return out;
  }

  private text(inp: Input, from: number, to: number): string {
    return inp.text.slice(inp.offsets[from], inp.offsets[to]);
  }

  /** Go's `FindString`: the leftmost-first match, or '' when there is none. */
  find(input: string): string {
    this.steps = 0;
    const inp = prepare(input);
    const m = this.search(inp, 0, true);
    return m ? this.text(inp, m[0] as number, m[1] as number) : '';
  }

  /** Go's `FindAllString(s, n)`. */
  findAll(input: string, n: number): string[] {
    this.steps = 0;
    const inp = prepare(input);
    return this.all(inp, n).map((m) => this.text(inp, m[0] as number, m[1] as number));
  }

  /**
   * Go's `ReplaceAllString` (`$1`, `${1}`, `$name`, `${name}` and `$$` in
   * `repl`) or, with `literal`, `ReplaceAllLiteralString`.
   */
  replaceAll(input: string, repl: string, literal = false): string {
    this.steps = 0;
    const inp = prepare(input);
    const len = inp.codes.length;
    let out = '';
    let lastEnd = 0;
    for (let pos = 0; pos <= len;) {
      const m = this.search(inp, pos, true);
      if (!m) break;
      const [s, e] = [m[0] as number, m[1] as number];
      out += this.text(inp, lastEnd, s);
      // No replacement for an empty match right after a previous match.
      if (e > lastEnd || s === 0) out += literal ? repl : this.expand(repl, inp, m);
      lastEnd = e;
      pos = pos + 1 > e ? pos + 1 : e;
    }
    return out + this.text(inp, lastEnd, len);
  }

  /** Go's `Split(s, n)`. */
  split(input: string, n: number): string[] {
    this.steps = 0;
    if (n === 0) return [];
    if (this.pattern.length > 0 && input.length === 0) return [''];
    const inp = prepare(input);
    const len = inp.codes.length;
    const out: string[] = [];
    let beg = 0;
    let end = 0;
    for (const m of this.all(inp, n)) {
      if (n > 0 && out.length === n - 1) break;
      end = m[0] as number;
      if ((m[1] as number) !== 0) out.push(this.text(inp, beg, end));
      beg = m[1] as number;
    }
    if (end !== len) out.push(this.text(inp, beg, len));
    return out;
  }

  /** Go's `Regexp.Expand` of a template for one match. */
  private expand(tpl: string, inp: Input, m: Int32Array): string {
    let out = '';
    let i = 0;
    while (i < tpl.length) {
      const d = tpl.indexOf('$', i);
      if (d < 0) {
        out += tpl.slice(i);
        break;
      }
      out += tpl.slice(i, d);
      i = d + 1;
      if (tpl[i] === '$') {
        out += '$';
        i++;
        continue;
      }
      const brace = tpl[i] === '{';
      const nm = /^[A-Za-z0-9_]+/.exec(tpl.slice(brace ? i + 1 : i));
      if (!nm || (brace && tpl[i + 1 + nm[0].length] !== '}')) {
        out += '$'; // malformed: the dollar is text
        continue;
      }
      i += nm[0].length + (brace ? 2 : 0);
      const name = nm[0];
      const idx = /^\d+$/.test(name) ? Number(name) : this.names.indexOf(name);
      if (idx >= 0 && idx < this.names.length) {
        const s = m[2 * idx] as number;
        const e = m[2 * idx + 1] as number;
        if (s >= 0 && e >= 0) out += this.text(inp, s, e);
      }
    }
    return out;
  }
}
