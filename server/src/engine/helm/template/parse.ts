/**
 * Go's text/template lexer and parser (text/template/parse), rewritten:
 * the same tokens, trim markers, comments, keywords, declarations, the same
 * checks at parse time (undefined functions and variables, {{break}} outside
 * {{range}}) and the same error texts (`template: NAME:LINE: MSG`).
 * Positions are UTF-16 offsets into the template text.
 */

export type ArgNode =
  | FieldNode
  | VariableNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | IdentifierNode
  | ChainNode
  | PipeNode;

export interface FieldNode {
  type: 'field';
  pos: number;
  ident: string[];
}
export interface VariableNode {
  type: 'variable';
  pos: number;
  ident: string[];
}
export interface DotNode {
  type: 'dot';
  pos: number;
}
export interface NilNode {
  type: 'nil';
  pos: number;
}
export interface BoolNode {
  type: 'bool';
  pos: number;
  value: boolean;
}
export interface NumberNode {
  type: 'number';
  pos: number;
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int: bigint;
  float: number;
}
export interface StringNode {
  type: 'string';
  pos: number;
  quoted: string;
  text: string;
}
export interface IdentifierNode {
  type: 'identifier';
  pos: number;
  ident: string;
}
export interface ChainNode {
  type: 'chain';
  pos: number;
  node: ArgNode;
  field: string[];
}
export interface CommandNode {
  type: 'command';
  pos: number;
  args: ArgNode[];
}
export interface PipeNode {
  type: 'pipe';
  pos: number;
  end: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

export interface TextNode {
  type: 'text';
  pos: number;
  text: string;
}
export interface ActionNode {
  type: 'action';
  pos: number;
  /** The `{{ … }}` span in the template text. */
  start: number;
  end: number;
  pipe: PipeNode;
}
export interface BranchNode {
  type: 'if' | 'range' | 'with';
  pos: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode {
  type: 'template';
  pos: number;
  start: number;
  end: number;
  name: string;
  pipe: PipeNode | null;
}
export interface ListNode {
  type: 'list';
  pos: number;
  nodes: Node[];
}
export interface SimpleNode {
  type: 'break' | 'continue' | 'comment';
  pos: number;
}
interface EndNode {
  type: 'end' | 'else';
  pos: number;
}

export type Node = TextNode | ActionNode | BranchNode | TemplateNode | ListNode | SimpleNode;
export type AnyNode = Node | ArgNode | CommandNode;

/** A parsed template (a file, a `define`, or a `block`). */
export interface Tree {
  name: string;
  /** The file the text came from (Go's ParseName). */
  parseName: string;
  text: string;
  root: ListNode;
}

export class TemplateParseError extends Error {
  constructor(
    message: string,
    readonly parseName: string,
    readonly line: number,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- lexer

type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'comment'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'EOF'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

const KEYWORDS: Record<string, ItemType> = {
  '.': 'dot',
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
};
const KEYWORD_TYPES = new Set<ItemType>([
  'block',
  'break',
  'continue',
  'dot',
  'define',
  'else',
  'end',
  'if',
  'nil',
  'range',
  'template',
  'with',
]);

interface Item {
  typ: ItemType;
  pos: number;
  val: string;
  line: number;
}

function itemString(i: Item): string {
  if (i.typ === 'EOF') return 'EOF';
  if (i.typ === 'error') return i.val;
  if (KEYWORD_TYPES.has(i.typ)) return `<${i.val}>`;
  if ([...i.val].length > 10) return `${goQuote([...i.val].slice(0, 10).join(''))}...`;
  return goQuote(i.val);
}

function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

const isSpaceCh = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean =>
  c !== undefined && (c === '_' || /[\p{L}\p{Nd}]/u.test(c));

class Lexer {
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  private readonly items: Item[] = [];
  private idx = 0;
  private insideAction = false;
  private done = false;

  constructor(private readonly input: string) {}

  nextItem(): Item {
    while (this.idx >= this.items.length && !this.done) this.step();
    const it = this.items[this.idx];
    if (it) {
      this.idx++;
      return it;
    }
    return { typ: 'EOF', pos: this.input.length, val: '', line: this.line };
  }

  private emit(typ: ItemType): void {
    this.items.push({
      typ,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.startLine,
    });
    this.start = this.pos;
    this.startLine = this.line;
  }
  private ignore(): void {
    this.line += countNl(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }
  private errorf(msg: string): void {
    this.items.push({ typ: 'error', pos: this.start, val: msg, line: this.startLine });
    this.done = true;
  }
  private adv(n = 1): void {
    for (let i = 0; i < n; i++) if (this.input[this.pos + i] === '\n') this.line++;
    this.pos += n;
  }
  private peekCh(o = 0): string | undefined {
    return this.input[this.pos + o];
  }

  private step(): void {
    if (this.insideAction) this.lexInsideAction();
    else this.lexText();
  }

  private lexText(): void {
    const x = this.input.indexOf('{{', this.pos);
    if (x < 0) {
      this.adv(this.input.length - this.pos);
      if (this.pos > this.start) this.emit('text');
      this.emit('EOF');
      this.done = true;
      return;
    }
    let textEnd = x;
    const rest = this.input.slice(x + 2, x + 4);
    const trim = rest.length >= 2 && rest[0] === '-' && isSpaceCh(rest[1]);
    if (trim) while (textEnd > this.pos && isSpaceCh(this.input[textEnd - 1])) textEnd--;
    if (textEnd > this.start) {
      const save = this.pos;
      this.pos = textEnd;
      this.line += countNl(this.input, save, textEnd);
      this.emit('text');
    }
    this.pos = x;
    this.line += countNl(this.input, textEnd, x);
    this.start = this.pos;
    this.startLine = this.line;
    this.lexLeftDelim(trim);
  }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    const s = this.input;
    const p = this.pos;
    if (isSpaceCh(s[p]) && s[p + 1] === '-' && s.startsWith('}}', p + 2))
      return { delim: true, trim: true };
    if (s.startsWith('}}', p)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  }

  private lexLeftDelim(trim: boolean): void {
    this.adv(2);
    const after = trim ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + after)) {
      this.adv(after);
      this.ignore();
      // comment
      const i = this.input.indexOf('*/', this.pos + 2);
      if (i < 0) {
        this.errorf('unclosed comment');
        return;
      }
      this.adv(i + 2 - this.pos);
      const { delim, trim: trimAfter } = this.atRightDelim();
      if (!delim) {
        this.errorf('comment ends before closing delimiter');
        return;
      }
      this.emit('comment');
      if (trimAfter) this.adv(2);
      this.adv(2);
      this.ignore();
      if (trimAfter) this.skipSpaceAfter();
      return;
    }
    this.emit('leftDelim');
    this.adv(after);
    this.ignore();
    this.parenDepth = 0;
    this.insideAction = true;
  }

  private skipSpaceAfter(): void {
    while (isSpaceCh(this.peekCh())) this.adv();
    this.ignore();
  }

  private lexInsideAction(): void {
    const { delim, trim } = this.atRightDelim();
    if (delim) {
      if (this.parenDepth === 0) {
        if (trim) {
          this.adv(2);
          this.ignore();
        }
        this.adv(2);
        this.emit('rightDelim');
        if (trim) this.skipSpaceAfter();
        this.insideAction = false;
        return;
      }
      this.errorf('unclosed left paren');
      return;
    }
    const r = this.peekCh();
    if (r === undefined) {
      this.errorf('unclosed action');
      return;
    }
    if (isSpaceCh(r)) {
      // a run of spaces, stopping before a trim-marked right delimiter
      while (isSpaceCh(this.peekCh())) {
        if (this.peekCh(1) === '-' && this.input.startsWith('}}', this.pos + 2)) break;
        this.adv();
      }
      if (this.pos > this.start) {
        this.emit('space');
        return;
      }
      // only the trim marker's space: handled by atRightDelim next time
      this.adv();
      this.emit('space');
      return;
    }
    switch (r) {
      case '=':
        this.adv();
        this.emit('assign');
        return;
      case ':':
        this.adv();
        if (this.peekCh() !== '=') {
          this.errorf('expected :=');
          return;
        }
        this.adv();
        this.emit('declare');
        return;
      case '|':
        this.adv();
        this.emit('pipe');
        return;
      case '"':
        this.lexQuote();
        return;
      case '`':
        this.lexRawQuote();
        return;
      case '$':
        this.adv();
        this.lexFieldOrVariable('variable');
        return;
      case "'":
        this.lexChar();
        return;
      case '.':
        if (/[0-9]/.test(this.peekCh(1) ?? '')) {
          this.lexNumber();
          return;
        }
        this.adv();
        this.lexFieldOrVariable('field');
        return;
      case '(':
        this.adv();
        this.emit('leftParen');
        this.parenDepth++;
        return;
      case ')':
        this.adv();
        this.emit('rightParen');
        this.parenDepth--;
        if (this.parenDepth < 0) this.errorf('unexpected right paren');
        return;
    }
    if (r === '+' || r === '-' || /[0-9]/.test(r)) {
      this.lexNumber();
      return;
    }
    if (isAlnum(r)) {
      this.lexIdentifier();
      return;
    }
    const cp = r.codePointAt(0) ?? 0;
    if (cp <= 0x7f && cp >= 0x20 && cp !== 0x7f) {
      this.adv();
      this.emit('char');
      return;
    }
    this.errorf(`unrecognized character in action: ${fmtRune(r)}`);
  }

  private atTerminator(): boolean {
    const r = this.peekCh();
    if (r === undefined || isSpaceCh(r)) return true;
    if ('.,|:)('.includes(r)) return true;
    return this.input.startsWith('}}', this.pos);
  }

  private lexIdentifier(): void {
    while (isAlnum(this.peekCh())) this.adv();
    if (!this.atTerminator()) {
      this.errorf(`bad character ${fmtRune(this.peekCh() ?? '')}`);
      return;
    }
    const word = this.input.slice(this.start, this.pos);
    const kw = Object.prototype.hasOwnProperty.call(KEYWORDS, word) ? KEYWORDS[word] : undefined;
    if (kw) this.emit(kw);
    else if (word === 'true' || word === 'false') this.emit('bool');
    else this.emit('identifier');
  }

  private lexFieldOrVariable(typ: 'field' | 'variable'): void {
    if (this.atTerminator()) {
      if (typ === 'variable') this.emit('variable');
      else this.emit('dot');
      return;
    }
    while (isAlnum(this.peekCh())) this.adv();
    if (!this.atTerminator()) {
      this.errorf(`bad character ${fmtRune(this.peekCh() ?? '')}`);
      return;
    }
    this.emit(typ);
  }

  private lexChar(): void {
    this.adv();
    for (;;) {
      const c = this.peekCh();
      if (c === '\\') {
        this.adv(2);
        continue;
      }
      if (c === undefined || c === '\n') {
        this.errorf('unterminated character constant');
        return;
      }
      this.adv();
      if (c === "'") break;
    }
    this.emit('charConstant');
  }

  private lexQuote(): void {
    this.adv();
    for (;;) {
      const c = this.peekCh();
      if (c === '\\') {
        const n = this.peekCh(1);
        if (n !== undefined && n !== '\n') {
          this.adv(2);
          continue;
        }
      }
      if (c === undefined || c === '\n') {
        this.errorf('unterminated quoted string');
        return;
      }
      this.adv();
      if (c === '"') break;
    }
    this.emit('string');
  }

  private lexRawQuote(): void {
    const end = this.input.indexOf('`', this.pos + 1);
    if (end < 0) {
      this.errorf('unterminated raw quoted string');
      return;
    }
    this.adv(end + 1 - this.pos);
    this.emit('rawString');
  }

  private lexNumber(): void {
    const s = this.input;
    let p = this.pos;
    if (s[p] === '+' || s[p] === '-') p++;
    let digits = '0123456789_';
    if (s[p] === '0' && /[xXoObB]/.test(s[p + 1] ?? '')) {
      const b = (s[p + 1] ?? '').toLowerCase();
      digits = b === 'x' ? '0123456789abcdefABCDEF_' : b === 'o' ? '01234567_' : '01_';
      p += 2;
    }
    while (p < s.length && digits.includes(s[p] ?? '')) p++;
    if (s[p] === '.') {
      p++;
      while (p < s.length && digits.includes(s[p] ?? '')) p++;
    }
    if (digits.length === 11 && /[eE]/.test(s[p] ?? '')) {
      p++;
      if (s[p] === '+' || s[p] === '-') p++;
      while (p < s.length && /[0-9_]/.test(s[p] ?? '')) p++;
    }
    if (digits.length > 11 && /[pP]/.test(s[p] ?? '')) {
      p++;
      if (s[p] === '+' || s[p] === '-') p++;
      while (p < s.length && /[0-9_]/.test(s[p] ?? '')) p++;
    }
    if (s[p] === 'i') p++;
    this.adv(p - this.pos);
    if (isAlnum(this.peekCh())) {
      this.adv();
      this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
      return;
    }
    const text = this.input.slice(this.start, this.pos);
    this.emit(text.endsWith('i') ? 'complex' : 'number');
  }
}

function fmtRune(r: string): string {
  const cp = r.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${r}'`;
}

function countNl(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

// ---------------------------------------------------------------- numbers

function parseGoInt(text: string): bigint | null {
  let s = text.replace(/_/g, '');
  let neg = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (!s) return null;
  try {
    let v: bigint;
    if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = BigInt(s);
    else if (/^0[oO][0-7]+$/.test(s)) v = BigInt(`0o${s.slice(2)}`);
    else if (/^0[bB][01]+$/.test(s)) v = BigInt(s);
    else if (/^0[0-7]+$/.test(s)) v = BigInt(`0o${s.slice(1)}`);
    else if (/^[0-9]+$/.test(s)) v = BigInt(s);
    else return null;
    return neg ? -v : v;
  } catch {
    return null;
  }
}

function unquoteChar(text: string): number | null {
  const inner = text.slice(1, -1);
  try {
    const s = unquoteGo(`"${inner.replace(/"/g, '\\"')}"`);
    const cps = [...s];
    if (cps.length !== 1) return null;
    return cps[0]?.codePointAt(0) ?? null;
  } catch {
    return null;
  }
}

function newNumber(pos: number, text: string, typ: ItemType): NumberNode {
  const n: NumberNode = {
    type: 'number',
    pos,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
    int: 0n,
    float: 0,
  };
  if (typ === 'charConstant') {
    const r = unquoteChar(text);
    if (r === null) throw new Error(`malformed character constant: ${text}`);
    n.int = BigInt(r);
    n.isInt = n.isUint = n.isFloat = true;
    n.float = r;
    return n;
  }
  if (typ === 'complex') {
    n.isComplex = true;
    n.float = Number(text.slice(0, -1).replace(/_/g, ''));
    return n;
  }
  const i = parseGoInt(text);
  if (i !== null) {
    if (i >= -(2n ** 63n) && i < 2n ** 63n) {
      n.isInt = true;
      n.int = i;
    }
    if (i >= 0n && i < 2n ** 64n) {
      n.isUint = true;
      if (!n.isInt) n.int = i;
    }
  }
  if (n.isInt || n.isUint) {
    n.isFloat = true;
    n.float = Number(i);
  } else {
    let f: number;
    const t = text.replace(/_/g, '');
    if (/^[+-]?0[xX]/.test(t)) f = parseHexFloat(t);
    else f = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(t) ? Number(t) : NaN;
    if (Number.isNaN(f)) throw new Error(`illegal number syntax: ${goQuote(text)}`);
    n.isFloat = true;
    n.float = f;
    if (!/[eEpP]/.test(t) || Number.isInteger(f)) {
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
        if (f >= 0) n.isUint = true;
      }
    }
  }
  return n;
}

function parseHexFloat(t: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  if (!m) return NaN;
  const mant = parseInt((m[2] ?? '') + (m[3] ?? ''), 16) / 16 ** (m[3] ?? '').length;
  const v = mant * 2 ** Number(m[4]);
  return m[1] === '-' ? -v : v;
}

/** strconv.Unquote for "…" and `…` literals. */
export function unquoteGo(q: string): string {
  if (q.startsWith('`')) return q.slice(1, -1).replace(/\r/g, '');
  const body = q.slice(1, -1);
  let out = '';
  const bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length) {
      out += new TextDecoder().decode(new Uint8Array(bytes));
      bytes.length = 0;
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      flush();
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && simple[e] !== undefined) {
      flush();
      out += simple[e];
    } else if (e === 'x') {
      const h = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error('invalid syntax');
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const h = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw new Error('invalid syntax');
      flush();
      out += String.fromCodePoint(parseInt(h, 16));
      i += len;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) throw new Error('invalid syntax');
      bytes.push(parseInt(o, 8));
      i += 2;
    } else throw new Error('invalid syntax');
  }
  flush();
  return out;
}

// ---------------------------------------------------------------- parser

export interface ParseOptions {
  /** Names of the functions templates may call (parse fails on others, as Go does). */
  hasFunction: (name: string) => boolean;
}

class Parser {
  private readonly lex: Lexer;
  private readonly tokens: Item[] = [];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  private lastLine = 1;
  private last: Item | undefined;
  readonly trees = new Map<string, Tree>();

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly opts: ParseOptions,
  ) {
    this.lex = new Lexer(text);
  }

  private next(): Item {
    let t: Item;
    if (this.peekCount > 0) {
      this.peekCount--;
      t = this.tokens[this.peekCount] as Item;
    } else {
      t = this.lex.nextItem();
      this.tokens[0] = t;
    }
    this.lastLine = t.line;
    this.last = t;
    return t;
  }
  private lastEnd(fallback: number): number {
    return this.last ? this.last.pos + this.last.val.length : fallback;
  }
  private backup(): void {
    this.peekCount++;
  }
  private backup2(t1: Item): void {
    this.tokens[1] = t1;
    this.peekCount = 2;
  }
  private backup3(t2: Item, t1: Item): void {
    this.tokens[1] = t1;
    this.tokens[2] = t2;
    this.peekCount = 3;
  }
  private peek(): Item {
    if (this.peekCount > 0) return this.tokens[this.peekCount - 1] as Item;
    this.peekCount = 1;
    const t = this.lex.nextItem();
    this.tokens[0] = t;
    return t;
  }
  private nextNonSpace(): Item {
    let t: Item;
    for (;;) {
      t = this.next();
      if (t.typ !== 'space') break;
    }
    return t;
  }
  private peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  errorf(msg: string): never {
    throw new TemplateParseError(
      `template: ${this.name}:${this.lastLine}: ${msg}`,
      this.name,
      this.lastLine,
      this.last?.pos ?? 0,
      msg,
    );
  }
  private unexpected(t: Item, context: string): never {
    if (t.typ === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.name}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${t.val}${extra}`);
    }
    this.errorf(`unexpected ${itemString(t)} in ${context}`);
  }
  private expect(typ: ItemType, context: string): Item {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  parse(): void {
    const root: ListNode = { type: 'list', pos: 0, nodes: [] };
    while (this.peek().typ !== 'EOF') {
      if (this.peek().typ === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().typ === 'define') {
          this.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${endString(n)}`);
      root.nodes.push(n as Node);
    }
    this.add({ name: this.name, parseName: this.name, text: this.text, root });
  }

  private add(tree: Tree): void {
    const old = this.trees.get(tree.name);
    if (!old || isEmptyTree(old.root)) {
      this.trees.set(tree.name, tree);
      return;
    }
    if (!isEmptyTree(tree.root))
      this.errorf(`template: multiple definition of template ${goQuote(tree.name)}`);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const t = this.nextNonSpace();
    if (t.typ !== 'string' && t.typ !== 'rawString') this.unexpected(t, context);
    const name = this.unquote(t.val);
    this.expect('rightDelim', context);
    const saveVars = this.vars;
    this.vars = ['$'];
    const [root, end] = this.itemList();
    if (end.type !== 'end') this.errorf(`unexpected ${endString(end)} in ${context}`);
    this.vars = saveVars;
    this.add({ name, parseName: this.name, text: this.text, root });
  }

  private unquote(q: string): string {
    try {
      return unquoteGo(q);
    } catch {
      this.errorf('invalid syntax');
    }
  }

  private itemList(): [ListNode, Node | EndNode] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().typ !== 'EOF') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n as Node);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node | EndNode {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'text':
        return { type: 'text', pos: t.pos, text: t.val };
      case 'leftDelim': {
        this.actionLine = t.line;
        try {
          return this.action(t.pos);
        } finally {
          this.actionLine = 0;
        }
      }
      case 'comment':
        return { type: 'comment', pos: t.pos };
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(start: number): Node | EndNode {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'block':
        return this.blockControl(start);
      case 'break':
      case 'continue': {
        const n = this.nextNonSpace();
        if (n.typ !== 'rightDelim') this.unexpected(n, `{{${t.typ}}}`);
        if (this.rangeDepth === 0) this.errorf(`{{${t.typ}}} outside {{range}}`);
        return { type: t.typ, pos: t.pos };
      }
      case 'else':
        return this.elseControl();
      case 'end':
        return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if':
        return this.branch('if');
      case 'range':
        return this.branch('range');
      case 'template':
        return this.templateControl(start);
      case 'with':
        return this.branch('with');
    }
    this.backup();
    const tok = this.peek();
    const pipe = this.pipeline('command', 'rightDelim');
    return { type: 'action', pos: tok.pos, start, end: this.lastEnd(start), pipe };
  }

  private elseControl(): EndNode {
    const p = this.peekNonSpace();
    if (p.typ === 'if' || p.typ === 'with') return { type: 'else', pos: p.pos };
    const t = this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos };
  }

  private branch(context: 'if' | 'range' | 'with'): BranchNode {
    const saveVars = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        if (context === 'if' && this.peek().typ === 'if') {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [this.branch('if')] };
        } else if (context === 'with' && this.peek().typ === 'with') {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [this.branch('with')] };
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${endString(next)}`);
        }
      }
      return { type: context, pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = saveVars;
    }
  }

  private templateName(t: Item, context: string): string {
    if (t.typ === 'string' || t.typ === 'rawString') return this.unquote(t.val);
    this.unexpected(t, context);
  }

  private templateControl(start: number): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, start, end: this.lastEnd(start), name, pipe };
  }

  private blockControl(start: number): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const end = this.lastEnd(start);
    const saveVars = this.vars;
    const saveRange = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [root, endNode] = this.itemList();
    if (endNode.type !== 'end') this.errorf(`unexpected ${endString(endNode)} in ${context}`);
    this.vars = saveVars;
    this.rangeDepth = saveRange;
    this.add({ name, parseName: this.name, text: this.text, root });
    return { type: 'template', pos: t.pos, start, end, name, pipe };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      type: 'pipe',
      pos: first.pos,
      end: first.pos,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== 'variable') break;
      this.next();
      const after = this.peek();
      const nx = this.peekNonSpace();
      if (nx.typ === 'assign' || nx.typ === 'declare') {
        pipe.isAssign = nx.typ === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: v.val.split('.') });
        this.vars.push(v.val);
        break;
      }
      if (nx.typ === 'char' && nx.val === ',') {
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: v.val.split('.') });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      if (after.typ === 'space') this.backup3(v, after);
      else this.backup2(v);
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        pipe.end = t.pos;
        if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((c, i) => {
          const a = c.args[0];
          if (a && ['bool', 'dot', 'nil', 'number', 'string'].includes(a.type))
            this.errorf(`non executable command in pipeline stage ${i + 2}`);
        });
        return pipe;
      }
      switch (t.typ) {
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) cmd.args.push(op);
      const t = this.next();
      if (t.typ === 'space') continue;
      if (t.typ === 'rightDelim' || t.typ === 'rightParen') this.backup();
      else if (t.typ !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().typ === 'field') {
      const pos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().typ === 'field') fields.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field':
          return { type: 'field', pos: node.pos, ident: [...node.ident, ...fields] };
        case 'variable':
          return { type: 'variable', pos: node.pos, ident: [...node.ident, ...fields] };
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${goQuote(argString(node))}`);
      }
      return { type: 'chain', pos, node, field: fields };
    }
    return node;
  }

  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'identifier':
        if (!this.opts.hasFunction(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, ident: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'variable': {
        const ident = t.val.split('.');
        if (!this.vars.includes(ident[0] ?? ''))
          this.errorf(`undefined variable ${goQuote(ident[0] ?? '')}`);
        return { type: 'variable', pos: t.pos, ident };
      }
      case 'field':
        return { type: 'field', pos: t.pos, ident: t.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        try {
          return newNumber(t.pos, t.val, t.typ);
        } catch (e) {
          this.errorf((e as Error).message);
        }
      // falls through (unreachable)
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { type: 'string', pos: t.pos, quoted: t.val, text: this.unquote(t.val) };
    }
    this.backup();
    return null;
  }
}

function endString(n: Node | EndNode): string {
  if (n.type === 'end') return '{{end}}';
  if (n.type === 'else') return '{{else}}';
  return nodeString(n as Node);
}

/** Whether a template has only text that is whitespace, and comments. */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    case 'comment':
      return true;
    default:
      return false;
  }
}

/** Parse one file: its body under `name` and every `define`/`block` in it. */
export function parseTemplate(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const p = new Parser(name, text, opts);
  p.parse();
  return p.trees;
}

// ---------------------------------------------------------------- String()

export function argString(n: ArgNode | CommandNode): string {
  switch (n.type) {
    case 'field':
      return `.${n.ident.join('.')}`;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'identifier':
      return n.ident;
    case 'chain':
      return `${n.node.type === 'pipe' ? `(${argString(n.node)})` : argString(n.node)}${n.field.map((f) => `.${f}`).join('')}`;
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${argString(a)})` : argString(a))).join(' ');
    case 'pipe': {
      let s = '';
      if (n.decl.length)
        s = `${n.decl.map((d) => d.ident.join('.')).join(', ')} ${n.isAssign ? '=' : ':='} `;
      return s + n.cmds.map(argString).join(' | ');
    }
  }
}

export function nodeString(n: AnyNode): string {
  switch (n.type) {
    case 'text':
      return n.text;
    case 'action':
      return `{{${argString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.type} ${argString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`;
    case 'template':
      return n.pipe
        ? `{{template ${goQuote(n.name)} ${argString(n.pipe)}}}`
        : `{{template ${goQuote(n.name)}}}`;
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'comment':
      return '{{/* */}}';
    default:
      return argString(n);
  }
}
