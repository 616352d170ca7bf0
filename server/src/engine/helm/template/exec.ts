/**
 * Go's text/template executor (text/template/exec.go), rewritten over the
 * values of ../values.ts, with Helm's options (missingkey=zero) and with
 * provenance: every evaluated value carries where it came from (a values
 * node, a run of segmented text, or nothing), so the output can be mapped
 * back to template text, values nodes and expressions.
 */
import type { Origin, ValueOrigin } from '../../sources/sourcemap';
import { formatValue } from '../gofmt';
import { SegText } from '../segtext';
import { GoFunc, GoList, GoMap, GoStruct, I64, truth, typeName, ValueTooLarge } from '../values';
import type { GoMethod, Value } from '../values';
import { argString, nodeString, parseTemplate, TemplateParseError } from './parse';
import type {
  ActionNode,
  AnyNode,
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  Tree,
  VariableNode,
} from './parse';

/** Where a value came from: one values node, or text made of pieces. */
export type Prov = ValueOrigin | SegText | undefined;

/** An evaluated value with its provenance; `iface` when Go's static type is interface{}. */
export interface R {
  v: Value;
  p?: Prov;
  iface?: boolean;
}

/** A function's result with the provenance it chose (default, coalesce, indent, include…). */
export class Ret {
  constructor(
    readonly v: Value,
    readonly p: Prov,
  ) {}
}

/** Thrown by a template function: becomes `error calling NAME: MESSAGE`. */
export class FuncError extends Error {}

export interface CallCtx {
  readonly provs: readonly Prov[];
  readonly exec: Executor;
  readonly state: State;
  readonly dot: R;
}

export interface Func {
  /** Go parameter types: 'interface {}', 'string', 'int', 'int64', 'float64', 'bool', 'map[string]interface {}', 'reflect.Value'… */
  params: readonly string[];
  /** Element type of a variadic last parameter. */
  variadic?: string;
  fn: (args: Value[], c: CallCtx) => Value | Ret;
}

/** An execution error with Go's message, and the innermost template position. */
export class ExecError extends Error {
  constructor(
    message: string,
    /** Innermost: the file (Go ParseName) and offset in its text where execution failed. */
    readonly parseName: string,
    readonly offset: number,
    readonly text: string,
    readonly limit = false,
  ) {
    super(message);
  }
}

export interface ExecLimits {
  /** Nodes walked and functions called, in all. */
  maxSteps: number;
  /** Characters of output (and of strings functions build). */
  maxOutput: number;
  /** Nesting of include/template/tpl. */
  maxDepth: number;
}

export const DEFAULT_EXEC_LIMITS: ExecLimits = {
  maxSteps: 20_000_000,
  maxOutput: 64 * 1024 * 1024,
  maxDepth: 200,
};

const MISSING: R = { v: undefined };

class BreakSignal extends Error {}
class ContinueSignal extends Error {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

/** Go's location "NAME:LINE:COL" (COL a 0-based byte count in the line, as Go's ErrorContext). */
export function goLocation(parseName: string, text: string, pos: number): string {
  const before = text.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const lineText = nl < 0 ? before : before.slice(nl + 1);
  let line = 1;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  return `${parseName}:${line}:${utf8Length(lineText)}`;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const NILLABLE = (t: string): boolean =>
  t === 'interface {}' ||
  t.startsWith('map[') ||
  t.startsWith('[]') ||
  t.startsWith('*') ||
  t.startsWith('func');

const MAP_TYPES = new Set(['map[string]interface {}', 'chartutil.Values', 'common.Values']);

function assignable(v: Value, typ: string): boolean {
  const t = typeName(v);
  if (t === typ) return true;
  if (typ === 'map[string]interface {}' && v instanceof GoMap && MAP_TYPES.has(v.typeName))
    return true;
  return false;
}

/** The zero value of a map's element type, returned for a missing key (missingkey=zero). */
function zeroOf(mapType: string): Value {
  const elem = mapType.startsWith('map[string]')
    ? mapType.slice('map[string]'.length)
    : 'interface {}';
  switch (elem) {
    case 'string':
      return '';
    case '[]uint8':
      return undefined;
    case 'int':
      return 0n;
    case 'bool':
      return false;
    default:
      return null;
  }
}

/** One executing template: its tree, its name and its variables. */
export class State {
  vars: { name: string; r: R }[];
  node: AnyNode | undefined;
  constructor(
    readonly tree: Tree,
    readonly name: string,
    dot: R,
    readonly depth: number,
    /** For `tpl` text: the origin of the template string itself (its literal text maps there). */
    readonly baseOrigin?: ValueOrigin,
  ) {
    this.vars = [{ name: '$', r: dot }];
  }
}

export interface ExecOptions {
  funcs: ReadonlyMap<string, Func>;
  limits?: Partial<ExecLimits>;
  /** The file path for a template's ParseName (for origins). */
  fileOf?: (parseName: string) => string;
}

/** A set of templates sharing one namespace (Go's *template.Template and its associates). */
export class Executor {
  readonly templates = new Map<string, Tree>();
  readonly funcs: ReadonlyMap<string, Func>;
  readonly limits: ExecLimits;
  steps = 0;
  output = 0;
  readonly includeCounts = new Map<string, number>();
  private readonly fileOf: (parseName: string) => string;

  constructor(opts: ExecOptions) {
    this.funcs = opts.funcs;
    this.limits = { ...DEFAULT_EXEC_LIMITS, ...opts.limits };
    this.fileOf = opts.fileOf ?? ((n) => n);
  }

  /** Parse a file's text into the set; defines replace earlier ones unless empty (Go's AddParseTree). */
  parse(name: string, text: string): void {
    const trees = parseTemplate(name, text, { hasFunction: (f) => this.funcs.has(f) });
    for (const [n, t] of trees) this.addTree(n, t);
  }

  addTree(name: string, tree: Tree): void {
    const old = this.templates.get(name);
    if (old && isEmptyList(tree.root) && !isEmptyList(old.root)) return;
    this.templates.set(name, tree);
  }

  /** Execute template `name` with `dot`, appending to `out`. */
  execute(name: string, dot: R, out: SegText, depth = 0): void {
    const tree = this.templates.get(name);
    if (!tree)
      throw new ExecError(
        `template: no template "${name}" associated with template "gotpl"`,
        name,
        0,
        '',
      );
    const st = new State(tree, name, dot, depth);
    this.walkRoot(st, tree.root, dot, out);
  }

  /** Execute a parsed tree directly (tpl). */
  executeTree(tree: Tree, dot: R, out: SegText, depth: number, base?: ValueOrigin): void {
    const st = new State(tree, tree.name, dot, depth, base);
    this.walkRoot(st, tree.root, dot, out);
  }

  private walkRoot(st: State, root: ListNode, dot: R, out: SegText): void {
    try {
      this.walk(st, dot, root, out);
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw this.errorAt(st, `exceeded maximum template depth (${this.limits.maxDepth})`, true);
      }
      if (e instanceof ValueTooLarge)
        throw this.errorAt(st, `rendering stopped: ${e.message}`, true);
      throw e;
    }
  }

  // ------------------------------------------------------------ errors

  errorAt(st: State, msg: string, limit = false): ExecError {
    const node = st.node;
    if (!node)
      return new ExecError(
        `template: ${st.name}: ${msg}`,
        st.tree.parseName,
        0,
        st.tree.text,
        limit,
      );
    const loc = goLocation(st.tree.parseName, st.tree.text, node.pos);
    let ctx = nodeString(node);
    if (node.type === 'text') ctx = node.text;
    return new ExecError(
      `template: ${loc}: executing "${st.name}" at <${ctx}>: ${msg}`,
      st.tree.parseName,
      node.pos,
      st.tree.text,
      limit,
    );
  }

  private errorf(st: State, msg: string): never {
    throw this.errorAt(st, msg);
  }

  step(st: State): void {
    if (++this.steps > this.limits.maxSteps)
      throw this.errorAt(
        st,
        `rendering stopped: more than ${this.limits.maxSteps} steps (a loop too long?)`,
        true,
      );
  }

  grow(st: State, n: number): void {
    this.output += n;
    if (this.output > this.limits.maxOutput)
      throw this.errorAt(
        st,
        `rendering stopped: output larger than ${this.limits.maxOutput} characters`,
        true,
      );
  }

  // ------------------------------------------------------------ walk

  private walk(st: State, dot: R, node: Node, out: SegText): void {
    st.node = node;
    this.step(st);
    switch (node.type) {
      case 'action': {
        const r = this.evalPipeline(st, dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(st, node, r, out);
        return;
      }
      case 'comment':
        return;
      case 'if':
      case 'with':
        return this.walkIfOrWith(st, dot, node, out);
      case 'list':
        for (const n of node.nodes) this.walk(st, dot, n, out);
        return;
      case 'range':
        return this.walkRange(st, dot, node, out);
      case 'template':
        return this.walkTemplate(st, dot, node, out);
      case 'text': {
        this.grow(st, node.text.length);
        out.push(node.text, this.textOrigin(st, node.pos, node.text.length));
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private textOrigin(st: State, pos: number, len: number): Origin | undefined {
    if (st.baseOrigin) return st.baseOrigin;
    if (st.tree.parseName === '') return undefined;
    return { kind: 'text', file: this.fileOf(st.tree.parseName), start: pos, end: pos + len };
  }

  computedOrigin(st: State, start: number, end: number): Origin | undefined {
    if (st.baseOrigin) return st.baseOrigin;
    if (st.tree.parseName === '') return undefined;
    return {
      kind: 'computed',
      file: this.fileOf(st.tree.parseName),
      start,
      end,
      expression: st.tree.text.slice(start, end),
    };
  }

  private printValue(st: State, node: ActionNode, r: R, out: SegText): void {
    st.node = node;
    const v = r.v;
    if (v instanceof GoFunc)
      this.errorf(st, `can't print ${nodeString(node)} of type ${typeName(v)}`);
    const text = v === undefined ? '<no value>' : formatValue(v, 'v');
    this.grow(st, text.length);
    const p = r.p;
    if (p instanceof SegText && p.text === text) out.append(p);
    else if (p && !(p instanceof SegText) && v !== undefined) out.push(text, p);
    else out.push(text, this.computedOrigin(st, node.start, node.end));
  }

  private walkIfOrWith(st: State, dot: R, node: BranchNode, out: SegText): void {
    const mark = st.vars.length;
    try {
      const r = this.evalPipeline(st, dot, node.pipe);
      if (r.v instanceof GoFunc) this.errorf(st, `if/with can't use ${formatValue(r.v, 'v')}`);
      if (truth(r.v)) this.walk(st, node.type === 'with' ? r : dot, node.list, out);
      else if (node.elseList) this.walk(st, dot, node.elseList, out);
    } finally {
      st.vars.length = mark;
    }
  }

  private walkRange(st: State, dot: R, node: BranchNode, out: SegText): void {
    st.node = node;
    const outer = st.vars.length;
    try {
      const r = this.evalPipeline(st, dot, node.pipe);
      const mark = st.vars.length;
      const decl = node.pipe.decl;
      const one = (index: R, elem: R): void => {
        this.step(st);
        if (decl.length > 0) {
          if (node.pipe.isAssign) {
            if (decl.length > 1) this.setVar(st, decl[0]?.ident[0] ?? '', index);
            else this.setVar(st, decl[0]?.ident[0] ?? '', elem);
          } else {
            const top = st.vars[st.vars.length - 1];
            if (top) top.r = elem;
          }
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.setVar(st, decl[1]?.ident[0] ?? '', elem);
          else {
            const second = st.vars[st.vars.length - 2];
            if (second) second.r = index;
          }
        }
        try {
          this.walk(st, elem, node.list, out);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          st.vars.length = mark;
        }
      };
      const v = r.v;
      let ran = false;
      try {
        if (v instanceof GoList) {
          const typed = v.typeName !== '[]interface {}';
          for (let i = 0; i < v.items.length; i++) {
            ran = true;
            one({ v: BigInt(i) }, { v: v.items[i], p: v.origin(i), iface: !typed });
          }
        } else if (v instanceof GoMap) {
          const iface = zeroOf(v.typeName) === null;
          for (const k of v.sortedKeys()) {
            ran = true;
            one({ v: k }, { v: v.get(k), p: v.origin(k), iface });
          }
        } else if (v instanceof Uint8Array) {
          for (let i = 0; i < v.length; i++) {
            ran = true;
            one({ v: BigInt(i) }, { v: BigInt(v[i] ?? 0) });
          }
        } else if (typeof v === 'bigint' || v instanceof I64) {
          if (decl.length > 1)
            this.errorf(
              st,
              `can't use ${formatValue(v, 'v')} to iterate over more than one variable`,
            );
          const n = typeof v === 'bigint' ? v : v.v;
          for (let i = 0n; i < n; i++) {
            ran = true;
            const x = typeof v === 'bigint' ? i : new I64(i);
            one({ v: x }, { v: x });
          }
        } else if (v !== undefined && v !== null) {
          this.errorf(st, `range can't iterate over ${formatValue(v, 'v')}`);
        }
      } catch (e) {
        if (e !== BREAK) throw e;
        return;
      }
      if (!ran && node.elseList) this.walk(st, dot, node.elseList, out);
    } finally {
      st.vars.length = outer;
    }
  }

  private walkTemplate(st: State, dot: R, node: TemplateNode, out: SegText): void {
    st.node = node;
    const tree = this.templates.get(node.name);
    if (!tree) this.errorf(st, `template "${node.name}" not defined`);
    if (st.depth >= this.limits.maxDepth)
      throw this.errorAt(st, `exceeded maximum template depth (${this.limits.maxDepth})`, true);
    const d = node.pipe ? this.evalPipeline(st, dot, node.pipe) : MISSING;
    const ns = new State(tree, node.name, d, st.depth + 1);
    this.walk(ns, d, tree.root, out);
  }

  // ------------------------------------------------------------ eval

  evalPipeline(st: State, dot: R, pipe: PipeNode): R {
    st.node = pipe;
    let r: R = MISSING;
    let first = true;
    for (const cmd of pipe.cmds) {
      r = this.evalCommand(st, dot, cmd, first ? MISSING : r, !first);
      first = false;
      // interface{} values: dig down (a nil interface becomes no value).
      if (r.v === null) r = { v: undefined, p: r.p };
      else if (r.iface) r = { v: r.v, p: r.p };
    }
    for (const d of pipe.decl) {
      const name = d.ident[0] ?? '';
      if (pipe.isAssign) this.setVar(st, name, r);
      else st.vars.push({ name, r });
    }
    return r;
  }

  private setVar(st: State, name: string, r: R): void {
    for (let i = st.vars.length - 1; i >= 0; i--) {
      const v = st.vars[i];
      if (v && v.name === name) {
        v.r = r;
        return;
      }
    }
    this.errorf(st, `undefined variable: ${name}`);
  }

  private varValue(st: State, name: string): R {
    for (let i = st.vars.length - 1; i >= 0; i--) {
      const v = st.vars[i];
      if (v && v.name === name) return v.r;
    }
    this.errorf(st, `undefined variable: ${name}`);
  }

  private notAFunction(st: State, args: readonly ArgNode[], hasFinal: boolean): void {
    if (args.length > 1 || hasFinal)
      this.errorf(st, `can't give argument to non-function ${argString(args[0] as ArgNode)}`);
  }

  private evalCommand(st: State, dot: R, cmd: CommandNode, final: R, hasFinal: boolean): R {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(st, dot, first, cmd.args, final, hasFinal);
      case 'chain':
        return this.evalChainNode(st, dot, first, cmd.args, final, hasFinal);
      case 'identifier':
        return this.evalFunction(st, dot, first, cmd, cmd.args, final, hasFinal);
      case 'pipe':
        this.notAFunction(st, cmd.args, hasFinal);
        return this.evalPipeline(st, dot, first);
      case 'variable':
        return this.evalVariableNode(st, dot, first, cmd.args, final, hasFinal);
    }
    st.node = first;
    this.notAFunction(st, cmd.args, hasFinal);
    switch (first.type) {
      case 'bool':
        return { v: first.value };
      case 'dot':
        return dot;
      case 'nil':
        this.errorf(st, 'nil is not a command');
      // falls through (unreachable)
      case 'number':
        return { v: this.idealConstant(st, first) };
      case 'string':
        return { v: first.text };
    }
  }

  private idealConstant(st: State, n: NumberNode): Value {
    st.node = n;
    const isHex = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isComplex) this.errorf(st, `complex constant ${n.text} is not supported`);
    if (n.isFloat && !isHex && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return n.int;
    if (n.isUint) this.errorf(st, `${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(
    st: State,
    dot: R,
    f: FieldNode,
    args: readonly ArgNode[] | null,
    final: R,
    hasFinal: boolean,
  ): R {
    st.node = f;
    return this.evalFieldChain(st, dot, dot, f, f.ident, args, final, hasFinal);
  }

  private evalChainNode(
    st: State,
    dot: R,
    c: ChainNode,
    args: readonly ArgNode[] | null,
    final: R,
    hasFinal: boolean,
  ): R {
    st.node = c;
    if (c.node.type === 'nil')
      this.errorf(st, `indirection through explicit nil in ${argString(c)}`);
    const pipe = this.evalArg(st, dot, null, c.node);
    return this.evalFieldChain(st, dot, pipe, c, c.field, args, final, hasFinal);
  }

  private evalVariableNode(
    st: State,
    dot: R,
    v: VariableNode,
    args: readonly ArgNode[] | null,
    final: R,
    hasFinal: boolean,
  ): R {
    st.node = v;
    const value = this.varValue(st, v.ident[0] ?? '$');
    if (v.ident.length === 1) {
      this.notAFunction(st, args ?? [v], hasFinal);
      return value;
    }
    return this.evalFieldChain(st, dot, value, v, v.ident.slice(1), args, final, hasFinal);
  }

  private evalFieldChain(
    st: State,
    dot: R,
    receiver: R,
    node: AnyNode,
    ident: readonly string[],
    args: readonly ArgNode[] | null,
    final: R,
    hasFinal: boolean,
  ): R {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++)
      receiver = this.evalField(st, dot, ident[i] ?? '', node, null, MISSING, false, receiver);
    return this.evalField(st, dot, ident[n - 1] ?? '', node, args, final, hasFinal, receiver);
  }

  private evalFunction(
    st: State,
    dot: R,
    node: IdentifierNode,
    cmd: AnyNode,
    args: readonly ArgNode[] | null,
    final: R,
    hasFinal: boolean,
  ): R {
    st.node = node;
    const fn = this.funcs.get(node.ident);
    if (!fn) this.errorf(st, `"${node.ident}" is not a defined function`);
    return this.evalCall(st, dot, fn, node.ident, cmd, args, final, hasFinal);
  }

  private evalField(
    st: State,
    dot: R,
    fieldName: string,
    node: AnyNode,
    args: readonly ArgNode[] | null,
    final: R,
    hasFinal: boolean,
    receiver: R,
  ): R {
    const v = receiver.v;
    if (v === undefined) return MISSING;
    if (v === null) this.errorf(st, `nil pointer evaluating interface {}.${fieldName}`);
    const methods =
      v instanceof GoStruct || v instanceof GoMap || v instanceof GoList ? v.methods : undefined;
    const m = methods?.[fieldName];
    if (m) return this.evalCall(st, dot, methodFunc(m), fieldName, node, args, final, hasFinal);
    const hasArgs = (args !== null && args.length > 1) || hasFinal;
    const typ = receiver.iface ? 'interface {}' : typeName(v);
    if (v instanceof GoStruct) {
      if (v.fields.has(fieldName)) {
        if (hasArgs)
          this.errorf(st, `${fieldName} has arguments but cannot be invoked as function`);
        return { v: v.fields.get(fieldName) };
      }
    } else if (v instanceof GoMap) {
      if (hasArgs) this.errorf(st, `${fieldName} is not a method but has arguments`);
      if (v.has(fieldName)) {
        const x = v.get(fieldName);
        return { v: x, p: v.origin(fieldName), iface: zeroOf(v.typeName) === null };
      }
      const z = zeroOf(v.typeName);
      return { v: z, iface: z === null };
    }
    this.errorf(st, `can't evaluate field ${fieldName} in type ${typ}`);
  }

  private evalCall(
    st: State,
    dot: R,
    fn: Func,
    name: string,
    node: AnyNode,
    argNodes: readonly ArgNode[] | null,
    final: R,
    hasFinal: boolean,
  ): R {
    this.step(st);
    const args = argNodes ? argNodes.slice(1) : [];
    const numIn = args.length + (hasFinal ? 1 : 0);
    const numFixed = fn.variadic !== undefined ? fn.params.length : args.length;
    if (fn.variadic !== undefined) {
      if (numIn < numFixed)
        this.errorf(
          st,
          `wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`,
        );
    } else if (numIn !== fn.params.length) {
      this.errorf(st, `wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }
    // and/or short-circuit, returning the deciding argument.
    if (fn === AND || fn === OR) {
      let r: R = MISSING;
      for (const a of args) {
        r = this.evalArg(st, dot, 'reflect.Value', a);
        if (truth(r.v) === (fn === OR)) return r;
      }
      if (hasFinal) r = final;
      return r;
    }
    const argv: Value[] = [];
    const provs: Prov[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) {
      const r = this.evalArg(st, dot, fn.params[i] ?? 'interface {}', args[i] as ArgNode);
      argv.push(r.v);
      provs.push(r.p);
    }
    if (fn.variadic !== undefined) {
      for (; i < args.length; i++) {
        const r = this.evalArg(st, dot, fn.variadic, args[i] as ArgNode);
        argv.push(r.v);
        provs.push(r.p);
      }
    }
    if (hasFinal) {
      let t = fn.params[fn.params.length - 1] ?? 'interface {}';
      if (fn.variadic !== undefined)
        t = numIn - 1 < numFixed ? (fn.params[numIn - 1] ?? t) : fn.variadic;
      const r = this.validateType(st, final, t);
      argv.push(r.v);
      provs.push(r.p);
    }
    let res: Value | Ret;
    try {
      res = fn.fn(argv, { provs, exec: this, state: st, dot });
    } catch (e) {
      if (e instanceof ExecError) {
        if (e.limit) throw e;
        st.node = node;
        throw this.wrap(st, `error calling ${name}: `, e);
      }
      if (e instanceof ValueTooLarge) {
        st.node = node;
        throw this.errorAt(st, `rendering stopped: ${e.message}`, true);
      }
      if (e instanceof BreakSignal || e instanceof ContinueSignal) throw e;
      st.node = node;
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof RangeError && /call stack/i.test(msg)) throw e;
      this.errorf(st, `error calling ${name}: ${msg}`);
    }
    if (res instanceof Ret) return { v: res.v, p: res.p, iface: res.v === null };
    return { v: res, iface: res === null };
  }

  /** An error from a nested execution (include, tpl), wrapped in this one's context; keeps the inner position. */
  private wrap(st: State, prefix: string, inner: ExecError): ExecError {
    const outer = this.errorAt(st, prefix + inner.message);
    return new ExecError(outer.message, inner.parseName, inner.offset, inner.text, inner.limit);
  }

  evalArg(st: State, dot: R, typ: string | null, n: ArgNode): R {
    st.node = n;
    switch (n.type) {
      case 'dot':
        return this.validateType(st, dot, typ);
      case 'nil':
        if (typ === null || NILLABLE(typ) || typ === 'reflect.Value') return { v: null };
        this.errorf(st, `cannot assign nil to ${typ}`);
      // falls through (unreachable)
      case 'field':
        return this.validateType(st, this.evalFieldNode(st, dot, n, [n], MISSING, false), typ);
      case 'variable':
        return this.validateType(st, this.evalVariableNode(st, dot, n, null, MISSING, false), typ);
      case 'pipe':
        return this.validateType(st, this.evalPipeline(st, dot, n), typ);
      case 'identifier':
        return this.validateType(st, this.evalFunction(st, dot, n, n, null, MISSING, false), typ);
      case 'chain':
        return this.validateType(st, this.evalChainNode(st, dot, n, null, MISSING, false), typ);
    }
    const t = typ ?? 'interface {}';
    switch (t) {
      case 'bool':
        if (n.type === 'bool') return { v: n.value };
        this.errorf(st, `expected bool; found ${argString(n)}`);
      // falls through (unreachable)
      case 'float64':
        if (n.type === 'number' && n.isFloat) return { v: n.float };
        this.errorf(st, `expected float; found ${argString(n)}`);
      // falls through (unreachable)
      case 'int':
      case 'int64':
      case 'int32':
        if (n.type === 'number' && n.isInt) return { v: t === 'int' ? n.int : new I64(n.int) };
        this.errorf(st, `expected integer; found ${argString(n)}`);
      // falls through (unreachable)
      case 'string':
        if (n.type === 'string') return { v: n.text };
        this.errorf(st, `expected string; found ${argString(n)}`);
      // falls through (unreachable)
      case 'interface {}':
      case 'reflect.Value':
        if (n.type === 'bool') return { v: n.value };
        if (n.type === 'number') return { v: this.idealConstant(st, n) };
        if (n.type === 'string') return { v: n.text };
    }
    this.errorf(st, `can't handle ${argString(n)} for arg of type ${t}`);
  }

  validateType(st: State, r: R, typ: string | null): R {
    const v = r.v;
    if (typ === null) return v === null ? { v: undefined, p: r.p } : r;
    if (typ === 'reflect.Value') return r;
    if (v === undefined) {
      if (NILLABLE(typ)) return { v: null, p: r.p };
      this.errorf(st, `invalid value; expected ${typ}`);
    }
    if (typ === 'interface {}') return r;
    if (v === null) this.errorf(st, `wrong type for value; expected ${typ}; got interface {}`);
    if (assignable(v, typ)) return r;
    this.errorf(st, `wrong type for value; expected ${typ}; got ${typeName(v)}`);
  }
}

function isEmptyList(n: Node): boolean {
  if (n.type === 'list') return n.nodes.every(isEmptyList);
  if (n.type === 'text') return n.text.trim() === '';
  return n.type === 'comment';
}

const methodCache = new WeakMap<GoMethod, Func>();
function methodFunc(m: GoMethod): Func {
  let f = methodCache.get(m);
  if (!f) {
    const variadic = m.params.length > 0 && (m.params[m.params.length - 1] ?? '').startsWith('...');
    f = {
      params: variadic ? m.params.slice(0, -1) : m.params,
      ...(variadic ? { variadic: (m.params[m.params.length - 1] ?? '').slice(3) } : {}),
      fn: (args) => m.call(args),
    };
    methodCache.set(m, f);
  }
  return f;
}

/** Go's builtin and/or (short-circuit, handled by the executor). */
export const AND: Func = {
  params: ['reflect.Value'],
  variadic: 'reflect.Value',
  fn: () => undefined,
};
export const OR: Func = {
  params: ['reflect.Value'],
  variadic: 'reflect.Value',
  fn: () => undefined,
};

export { TemplateParseError };
