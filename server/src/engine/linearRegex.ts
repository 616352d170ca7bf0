/**
 * Regular expressions from user files, matched in linear time.
 *
 * Kustomize's patch targets and image names are Go regular expressions (RE2:
 * no backtracking, time linear in the input). JavaScript's RegExp
 * backtracks: a target name `(a+)+b` against a 30-character name would take
 * minutes and freeze the command line or the language server. So these
 * patterns are compiled here to a small automaton and run by simulating all
 * its states at once (one pass over the input, each state at most once per
 * character): the time is bounded by the input's length times the pattern's.
 *
 * The syntax is RE2's, for matching only (no submatches): literals and
 * escapes, `.`, classes (`[a-z]`, `[^…]`, `\d \w \s` and their negations,
 * `[[:alpha:]]`), groups (`(…)`, `(?:…)`, `(?P<name>…)`), alternation,
 * `* + ?` and `{n}`, `{n,}`, `{n,m}` (lazy forms match the same strings),
 * anchors `^ $ \A \z`, word boundaries `\b \B`, and the leading flags
 * `(?i)` and `(?s)`. Anything else is a syntax error, as RE2 reports one.
 */

/** A pattern too large to compile (counted repetitions multiply it). */
const MAX_PROGRAM = 20_000;
const MAX_REPEAT = 1000;

type Pred = (c: number) => boolean;

type Node =
  | { t: 'char'; pred: Pred }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: 'begin' | 'end' | 'word' | 'notWord' };

type Inst =
  | { op: 'char'; pred: Pred; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'assert'; kind: 'begin' | 'end' | 'word' | 'notWord'; next: number }
  | { op: 'match' };

export class RegexSyntaxError extends Error {}

const isWord = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

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
  punct: (c) => c > 32 && c < 127 && !isWord(c) && !isDigit(c) && c !== 95,
  space: isSpace,
  upper: (c) => c >= 65 && c <= 90,
  word: isWord,
  xdigit: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

class Parser {
  private i = 0;
  private fold = false;
  private dotAll = false;

  constructor(private readonly s: string) {}

  parse(): Node {
    // Leading flags, as Go writes them: (?i), (?s), (?is).
    const flags = /^\(\?([is]+)\)/.exec(this.s);
    if (flags) {
      this.fold = flags[1]?.includes('i') ?? false;
      this.dotAll = flags[1]?.includes('s') ?? false;
      this.i = flags[0].length;
    }
    const n = this.alt();
    if (this.i < this.s.length) throw new RegexSyntaxError(`unexpected ) at ${this.i}`);
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
      items.push(this.repeat(this.atom()));
    }
    return { t: 'cat', items };
  }

  private repeat(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
        if (!m) return node; // a literal brace, as RE2 reads it
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > MAX_REPEAT || (max !== Infinity && (max > MAX_REPEAT || max < min)))
          throw new RegexSyntaxError(`invalid repeat count ${m[0]}`);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (node.t === 'assert')
        throw new RegexSyntaxError('missing argument to repetition operator');
      if (node.t === 'rep') throw new RegexSyntaxError('invalid nested repetition operator');
      if (this.peek() === '?') this.i++; // lazy: the same strings match
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(): Node {
    const c = this.s[this.i++] as string;
    switch (c) {
      case '(': {
        if (this.s.startsWith('?:', this.i)) this.i += 2;
        else if (this.s.startsWith('?P<', this.i) || this.s.startsWith('?<', this.i)) {
          const end = this.s.indexOf('>', this.i);
          if (end < 0) throw new RegexSyntaxError('invalid named capture');
          this.i = end + 1;
        } else if (this.peek() === '?')
          throw new RegexSyntaxError('invalid or unsupported Perl syntax');
        const n = this.alt();
        if (this.s[this.i++] !== ')') throw new RegexSyntaxError('missing closing )');
        return n;
      }
      case '[':
        return this.charOf(this.cls());
      case '.':
        return this.charOf(this.dotAll ? () => true : (x) => x !== 10, false);
      case '^':
        return { t: 'assert', kind: 'begin' };
      case '$':
        return { t: 'assert', kind: 'end' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new RegexSyntaxError('missing argument to repetition operator');
      default: {
        const code = c.codePointAt(0) as number;
        if (code > 0xffff) this.i++;
        return this.literal(code);
      }
    }
  }

  private literal(code: number): Node {
    return this.fold
      ? this.charOf((x) => lower(x) === lower(code), false)
      : this.charOf((x) => x === code, false);
  }

  private charOf(pred: Pred, fold = this.fold): Node {
    return { t: 'char', pred: fold ? (x) => pred(x) || pred(lower(x)) || pred(upperOf(x)) : pred };
  }

  private escape(): Node {
    const c = this.s[this.i++];
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
    if (c === 'A') return { t: 'assert', kind: 'begin' };
    if (c === 'z') return { t: 'assert', kind: 'end' };
    if (c === 'b') return { t: 'assert', kind: 'word' };
    if (c === 'B') return { t: 'assert', kind: 'notWord' };
    const cls = this.classEscape(c);
    if (cls) return this.charOf(cls, false);
    return this.literal(this.escapedCode(c));
  }

  private classEscape(c: string): Pred | null {
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
      default:
        return null;
    }
  }

  private escapedCode(c: string): number {
    switch (c) {
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
        if (!m) throw new RegexSyntaxError('invalid escape sequence: \\x');
        this.i += m[0].length;
        return parseInt(m[1] ?? m[2] ?? '0', 16);
      }
      default:
        if (/[0-9A-Za-z]/.test(c)) throw new RegexSyntaxError(`invalid escape sequence: \\${c}`);
        return c.codePointAt(0) as number;
    }
  }

  private cls(): Pred {
    const preds: Pred[] = [];
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    let first = true;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw new RegexSyntaxError('missing closing ]');
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (this.s.startsWith('[:', this.i)) {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.s.slice(this.i));
        const p = m ? POSIX[m[2] ?? ''] : undefined;
        if (!m || !p) throw new RegexSyntaxError('invalid character class range');
        preds.push(m[1] ? (x) => !p(x) : p);
        this.i += m[0].length;
        continue;
      }
      const lo = this.classChar();
      if (typeof lo !== 'number') {
        preds.push(lo);
        continue;
      }
      if (this.peek() === '-' && this.s[this.i + 1] !== ']' && this.s[this.i + 1] !== undefined) {
        this.i++;
        const hi = this.classChar();
        if (typeof hi !== 'number' || hi < lo)
          throw new RegexSyntaxError('invalid character class range');
        preds.push((x) => x >= lo && x <= hi);
      } else preds.push((x) => x === lo);
    }
    const any: Pred = (x) => preds.some((p) => p(x));
    const folded: Pred = this.fold ? (x) => any(x) || any(lower(x)) || any(upperOf(x)) : any;
    return negate ? (x) => !folded(x) : folded;
  }

  /** One member of a class: a code point, or a class escape (`\d`). */
  private classChar(): number | Pred {
    const c = this.s[this.i++] as string;
    if (c !== '\\') {
      const code = c.codePointAt(0) as number;
      if (code > 0xffff) this.i++;
      return code;
    }
    const e = this.s[this.i++];
    if (e === undefined) throw new RegexSyntaxError('missing closing ]');
    return this.classEscape(e) ?? this.escapedCode(e);
  }
}

const upperOf = (c: number): number => (c >= 97 && c <= 122 ? c - 32 : c);

function compile(node: Node): Inst[] {
  const prog: Inst[] = [];
  const emit = (i: Inst): number => {
    if (prog.length >= MAX_PROGRAM) throw new RegexSyntaxError('expression too large');
    prog.push(i);
    return prog.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case 'char':
        emit({ op: 'char', pred: n.pred, next: prog.length + 1 });
        return;
      case 'assert':
        emit({ op: 'assert', kind: n.kind, next: prog.length + 1 });
        return;
      case 'cat':
        for (const x of n.items) gen(x);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.items.forEach((x, k) => {
          if (k < n.items.length - 1) {
            const split = emit({ op: 'split', a: prog.length + 1, b: -1 });
            gen(x);
            jumps.push(emit({ op: 'jmp', to: -1 }));
            (prog[split] as { b: number }).b = prog.length;
          } else gen(x);
        });
        for (const j of jumps) (prog[j] as { to: number }).to = prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.node);
        if (n.max === Infinity) {
          const split = emit({ op: 'split', a: prog.length + 1, b: -1 });
          gen(n.node);
          emit({ op: 'jmp', to: split });
          (prog[split] as { b: number }).b = prog.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(emit({ op: 'split', a: prog.length + 1, b: -1 }));
            gen(n.node);
          }
          for (const s of splits) (prog[s] as { b: number }).b = prog.length;
        }
        return;
      }
    }
  };
  gen(node);
  emit({ op: 'match' });
  return prog;
}

/** A compiled pattern; `test` is true when it matches somewhere in the input (as RE2's MatchString). */
export class LinearRegex {
  private readonly prog: Inst[];
  /** States visited by the last `test`: at most (input length + 1) × `size`. */
  steps = 0;

  constructor(pattern: string) {
    this.prog = compile(new Parser(pattern).parse());
  }

  /** The number of states of the automaton. */
  get size(): number {
    return this.prog.length;
  }

  test(input: string): boolean {
    const prog = this.prog;
    this.steps = 0;
    const codes = Array.from(input, (ch) => ch.codePointAt(0) as number);
    let current: number[] = [];
    let seen = new Uint32Array(prog.length);
    let gen = 1;
    const add = (list: number[], pc: number, at: number): boolean => {
      // An explicit stack: the closure over split and jump states, each state once per step.
      const stack = [pc];
      while (stack.length > 0) {
        const p = stack.pop() as number;
        if (seen[p] === gen) continue;
        seen[p] = gen;
        this.steps++;
        const inst = prog[p] as Inst;
        switch (inst.op) {
          case 'match':
            return true;
          case 'jmp':
            stack.push(inst.to);
            break;
          case 'split':
            stack.push(inst.b, inst.a);
            break;
          case 'assert': {
            const prev = at > 0 ? (codes[at - 1] as number) : -1;
            const next = at < codes.length ? (codes[at] as number) : -1;
            const boundary = (prev >= 0 && isWord(prev)) !== (next >= 0 && isWord(next));
            const ok =
              inst.kind === 'begin'
                ? at === 0
                : inst.kind === 'end'
                  ? at === codes.length
                  : inst.kind === 'word'
                    ? boundary
                    : !boundary;
            if (ok) stack.push(inst.next);
            break;
          }
          case 'char':
            list.push(p);
            break;
        }
      }
      return false;
    };
    for (let at = 0; ; at++) {
      // Unanchored: a new thread may start at every position.
      if (add(current, 0, at)) return true;
      if (at >= codes.length) return false;
      const c = codes[at] as number;
      const next: number[] = [];
      gen++;
      if (gen === 0xffffffff) {
        seen = new Uint32Array(prog.length);
        gen = 1;
      }
      for (const p of current) {
        const inst = prog[p] as Extract<Inst, { op: 'char' }>;
        if (inst.pred(c) && add(next, inst.next, at + 1)) return true;
      }
      current = next;
    }
  }
}
