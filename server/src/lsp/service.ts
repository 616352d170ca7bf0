/**
 * The language service: pure functions from engine results (plus a LineIndex
 * and settings) to LSP diagnostics, hovers and code actions. No connection,
 * no I/O: the wiring in server.ts feeds it, and tests can call it directly.
 */
import type {
  CodeAction,
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
  Hover,
  Location,
  Range,
  SnippetTextEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { CHECKS_BY_ID, LineIndex } from '../engine';
import type {
  Analysis,
  Diagnostic as EngineDiagnostic,
  Finding,
  NamespaceLabels,
  Span,
  WorkloadSummary,
} from '../engine';
import type {
  DiagnosticData,
  FixAllCommandArgs,
  PodsecSettings,
  SeveritySetting,
} from './protocol';
import { APPLY_FIX_ALL_COMMAND, FIX_ALL_CODE_ACTION_KIND } from './protocol';

export const SOURCE = 'podsec';
export const PSS_DOCS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';

// LSP constants, spelled out so this file needs no runtime import of the protocol.
const SEVERITY_NUMBER: Record<'error' | 'warning' | 'information' | 'hint', DiagnosticSeverity> = {
  error: 1,
  warning: 2,
  information: 3,
  hint: 4,
};
const QUICKFIX = 'quickfix';

/** One analysed version of one document, with what features need to answer fast. */
export class AnalysisResult {
  readonly lines: LineIndex;
  // Built on first use: publishing diagnostics needs none of them, code actions and hovers do.
  private byStart?: {
    /** Finding indices sorted by span start. */
    order: number[];
    /** Running maximum of span ends along `order`, for overlap queries. */
    maxEnd: number[];
  };
  private sortedWorkloads?: WorkloadSummary[];
  private safeFixableCount?: number;

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
    readonly analysis: Analysis,
    lines?: LineIndex,
  ) {
    this.lines = lines ?? new LineIndex(text);
  }

  /** Number of findings with a safe fix. */
  get safeFixable(): number {
    return (this.safeFixableCount ??= this.analysis.findings.filter(hasSafeFix).length);
  }

  private get order(): number[] {
    return this.index().order;
  }

  private get maxEnd(): number[] {
    return this.index().maxEnd;
  }

  private index(): { order: number[]; maxEnd: number[] } {
    if (!this.byStart) {
      const f = this.analysis.findings;
      const order = f.map((_, i) => i).sort((a, b) => f[a]!.span.start - f[b]!.span.start || a - b);
      let max = -1;
      this.byStart = { order, maxEnd: order.map((i) => (max = Math.max(max, f[i]!.span.end))) };
    }
    return this.byStart;
  }

  /** Workloads sorted by span start. */
  private get workloads(): WorkloadSummary[] {
    return (this.sortedWorkloads ??= [...this.analysis.workloads].sort(
      (a, b) => a.span.start - b.span.start,
    ));
  }

  /** Indices of findings whose span touches [start, end] (both inclusive), in text order. */
  findingsAt(start: number, end: number): number[] {
    // Last position whose span starts at or before `end`.
    const f = this.analysis.findings;
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (f[this.order[mid]!]!.span.start <= end) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let k = lo - 1; k >= 0 && this.maxEnd[k]! >= start; k--) {
      const i = this.order[k]!;
      if (f[i]!.span.end >= start) out.push(i);
    }
    return out.reverse();
  }

  /** The workload whose object contains `offset`, if any. */
  workloadAt(offset: number): WorkloadSummary | undefined {
    let lo = 0;
    let hi = this.workloads.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.workloads[mid]!.span.start <= offset) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo - 1; k >= 0; k--) {
      const w = this.workloads[k]!;
      if (w.span.end >= offset) return w;
      // Objects do not nest (List items are siblings), so the nearest one decides.
      break;
    }
    return undefined;
  }

  get workloadCount(): number {
    return this.workloads.length;
  }

  range(span: Span): Range {
    return { start: this.lines.position(span.start), end: this.lines.position(span.end) };
  }

  offset(p: { line: number; character: number }): number {
    return this.lines.offsetAt(p.line, p.character);
  }
}

export function hasSafeFix(f: Finding): boolean {
  return f.fixes.some((x) => x.safe && x.edits.length > 0);
}

export function inWorkload(w: WorkloadSummary): (f: Finding) => boolean {
  return (f) => f.object.document === w.object.document && f.object.item === w.object.item;
}

/** Resolves a namespace policy source to a location and the label's value. */
export interface NamespaceResolver {
  /** The location of `span` in `file` (a path or URI the engine was given), if known. */
  locate(file: string, span: Span): Location | null;
  /** The Namespace declaration behind a policy source. */
  lookup(name: string, file: string | undefined): NamespaceLabels | undefined;
  /** How to show a file to people (workspace-relative when possible). */
  display(file: string): string;
}

// ---------------------------------------------------------------- diagnostics

function severityFor(
  settings: PodsecSettings,
  keys: readonly string[],
  fallback: keyof typeof SEVERITY_NUMBER,
): DiagnosticSeverity | null {
  let s: SeveritySetting = fallback;
  for (const k of keys) {
    const o = settings.severity[k];
    if (o !== undefined) {
      s = o;
      break;
    }
  }
  return s === 'off' ? null : SEVERITY_NUMBER[s];
}

export function findingMessage(f: Finding): string {
  let m = f.message;
  if (f.container !== null && !m.includes(`"${f.container}"`)) {
    m += ` (container "${f.container}")`;
  }
  return m;
}

export function checkHref(check: string): string | null {
  const def = CHECKS_BY_ID.get(check as never);
  return def ? `${PSS_DOCS}#${def.level}` : null;
}

function engineDiagnostic(
  r: AnalysisResult,
  d: EngineDiagnostic,
  severity: DiagnosticSeverity,
  code: string,
): Diagnostic {
  const data: DiagnosticData = { version: r.version, index: -1, code };
  return { range: r.range(d.span), severity, source: SOURCE, code, message: d.message, data };
}

/** The LSP diagnostics of one analysed document. */
export function toDiagnostics(
  r: AnalysisResult,
  settings: PodsecSettings,
  ns: NamespaceResolver,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of r.analysis.errors) {
    const sev = severityFor(settings, [d.code], d.severity);
    if (sev !== null) out.push(engineDiagnostic(r, d, sev, d.code));
  }
  r.analysis.findings.forEach((f, index) => {
    const sev = severityFor(settings, [f.check, f.mode], f.severity);
    if (sev === null) return;
    const data: DiagnosticData = { version: r.version, index, code: f.check };
    const diag: Diagnostic = {
      range: r.range(f.span),
      severity: sev,
      source: SOURCE,
      code: f.check,
      message: findingMessage(f),
      data,
    };
    const href = checkHref(f.check);
    if (href) diag.codeDescription = { href };
    const related = relatedInformation(f, ns);
    if (related) diag.relatedInformation = [related];
    out.push(diag);
  });
  for (const d of r.analysis.notes) {
    const sev = severityFor(settings, [d.code, 'note'], 'information');
    if (sev !== null) out.push(engineDiagnostic(r, d, sev, d.code));
  }
  return out;
}

function relatedInformation(
  f: Finding,
  ns: NamespaceResolver,
): DiagnosticRelatedInformation | null {
  const src = f.policySource;
  if (src.kind !== 'namespace' || src.file === undefined || !src.span) return null;
  const location = ns.locate(src.file, src.span);
  if (!location) return null;
  const value = labelValue(f, ns);
  return {
    location,
    message: `namespace "${src.namespace ?? ''}" sets ${src.label ?? 'pod-security labels'}${value !== undefined ? `=${value}` : ''}`,
  };
}

function labelValue(f: Finding, ns: NamespaceResolver): string | undefined {
  const src = f.policySource;
  if (src.kind !== 'namespace' || !src.namespace || !src.label) return undefined;
  return ns.lookup(src.namespace, src.file)?.labels[src.label] ?? f.policy.level;
}

// ---------------------------------------------------------------- hover

/** Why a finding's policy applies, in words. */
export function policyReason(f: Finding, ns: NamespaceResolver): string {
  const src = f.policySource;
  if (src.kind === 'namespace') {
    const value = labelValue(f, ns);
    const where = src.file ? ` in ${ns.display(src.file)}` : '';
    return `namespace "${src.namespace ?? ''}" label \`${src.label ?? ''}${value !== undefined ? `=${value}` : ''}\`${where}`;
  }
  return 'the `podsec.level` / `podsec.version` settings';
}

function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_{}[\]<>|])/g, '\\$1');
}

export function hoverAt(
  r: AnalysisResult,
  position: { line: number; character: number },
  ns: NamespaceResolver,
): Hover | null {
  const offset = r.offset(position);
  const hits = r.findingsAt(offset, offset);
  if (hits.length === 0) return null;
  const parts: string[] = [];
  for (const i of hits) {
    const f = r.analysis.findings[i]!;
    const def = CHECKS_BY_ID.get(f.check as never);
    const lines: string[] = [];
    lines.push(
      def
        ? `**${escapeMarkdown(def.title)}** (\`${f.check}\`, ${def.level} check)`
        : `**${escapeMarkdown(f.reason)}** (\`${f.check}\`)`,
    );
    lines.push('');
    lines.push(
      `Policy: **${f.policy.level}** at ${f.policy.version}` +
        (f.policy.version !== f.evaluatedVersion ? ` (evaluated as ${f.evaluatedVersion})` : '') +
        `, ${f.mode} mode, from ${policyReason(f, ns)}.`,
    );
    if (def) {
      lines.push('');
      lines.push(`Allowed: ${escapeMarkdown(def.allowed)}`);
    }
    lines.push('');
    lines.push(`Upstream: \`${f.reason}${f.detail ? ` (${f.detail})` : ''}\``);
    if (f.path) lines.push(`at \`${f.path}\``);
    if (f.fixes.length > 0) {
      lines.push('');
      lines.push('Fixes:');
      for (const x of f.fixes) {
        lines.push(`- ${escapeMarkdown(x.title)}${x.safe ? '' : ' (may change behaviour)'}`);
      }
    }
    const href = checkHref(f.check);
    if (href) {
      lines.push('');
      lines.push(`[Pod Security Standards: ${def?.level ?? ''}](${href})`);
    }
    parts.push(lines.join('\n'));
  }
  const first = r.analysis.findings[hits[0]!]!;
  return {
    contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') },
    range: r.range(first.span),
  };
}

// ---------------------------------------------------------------- edits

export interface EditCapabilities {
  /** Client supports WorkspaceEdit.documentChanges (versioned edits). */
  documentChanges: boolean;
  /** Client supports SnippetTextEdit in documentChanges. */
  snippets: boolean;
  /** Client supports codeAction/resolve for `edit`. */
  resolve: boolean;
}

/** One versioned edit of one document (or plain `changes` for clients without documentChanges). */
export function workspaceEdit(
  uri: string,
  version: number,
  edits: Array<TextEdit | SnippetTextEdit>,
  caps: EditCapabilities,
): WorkspaceEdit {
  if (caps.documentChanges) {
    return { documentChanges: [{ textDocument: { uri, version }, edits }] };
  }
  return {
    changes: {
      [uri]: edits.map((e) =>
        'newText' in e ? e : { range: e.range, newText: unsnippet(e.snippet.value) },
      ),
    },
  };
}

/** Snippet text as plain text: placeholders become their defaults, escapes are undone. */
function unsnippet(s: string): string {
  return s.replace(
    /\$\{\d+:([^}]*)\}|\$\d+|\\([$}\\])/g,
    (_m, def?: string, esc?: string) => def ?? esc ?? '',
  );
}

/**
 * The one edit turning `oldText` into `newText`: everything between their
 * common prefix and common suffix. Never splits a surrogate pair or a CRLF.
 */
export function minimalEdit(
  oldText: string,
  newText: string,
): { start: number; end: number; newText: string } | null {
  if (oldText === newText) return null;
  const max = Math.min(oldText.length, newText.length);
  let p = 0;
  while (p < max && oldText.charCodeAt(p) === newText.charCodeAt(p)) p++;
  let s = 0;
  while (
    s < max - p &&
    oldText.charCodeAt(oldText.length - 1 - s) === newText.charCodeAt(newText.length - 1 - s)
  ) {
    s++;
  }
  const splits = (t: string, i: number) => {
    const a = t.charCodeAt(i - 1);
    const b = t.charCodeAt(i);
    return (a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff) || (a === 13 && b === 10);
  };
  while (p > 0 && (splits(oldText, p) || splits(newText, p))) p--;
  while (s > 0 && (splits(oldText, oldText.length - s) || splits(newText, newText.length - s))) {
    s--;
  }
  return {
    start: p,
    end: oldText.length - s,
    newText: newText.slice(p, newText.length - s),
  };
}

/** A TextEdit (in the old text's positions) turning `r.text` into `newText`, or null if equal. */
export function replaceEdit(r: AnalysisResult, newText: string): TextEdit | null {
  const e = minimalEdit(r.text, newText);
  if (!e) return null;
  return { range: r.range(e), newText: e.newText };
}

function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text.charCodeAt(i - 1) === 13 ? '\r\n' : '\n';
}

/** The suppression comment for `check`, on its own line above `offset`'s line, at its indentation. */
export function suppressionEdit(
  r: AnalysisResult,
  check: string,
  offset: number,
  snippet: boolean,
): TextEdit | SnippetTextEdit {
  const line = r.lines.lineOf(offset);
  const start = r.lines.lineStart(line);
  const end = r.lines.lineEnd(line);
  let i = start;
  while (i < end && (r.text[i] === ' ' || r.text[i] === '\t')) i++;
  const indent = r.text.slice(start, i);
  const eol = eolOf(r.text);
  const at = r.lines.position(start);
  const range = { start: at, end: at };
  const head = `${indent}# podsec-ignore ${check} -- `;
  if (snippet) {
    return {
      range,
      snippet: { kind: 'snippet', value: `${head.replace(/[$}\\]/g, '\\$&')}\${1:reason}${eol}` },
    };
  }
  return { range, newText: `${head}reason${eol}` };
}

// ---------------------------------------------------------------- code actions

export interface CodeActionRequest {
  range: Range;
  /** Diagnostics the client sent in the context. */
  diagnostics: Diagnostic[];
  only?: string[];
}

export type FixAllScope = { scope: 'file' } | { scope: 'workload'; workload: WorkloadSummary };

/** Computes a fix-all edit now (used when the client asked for exactly that kind). */
export type FixAllComputer = (scope: FixAllScope) => WorkspaceEdit | null;

function wants(only: string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** The podsec data of a diagnostic the client sent back, or null for others' diagnostics. */
function podsecData(d: Diagnostic): DiagnosticData | null {
  const data = d.data as Partial<DiagnosticData> | undefined;
  if (d.source !== SOURCE || typeof data?.index !== 'number' || typeof data.version !== 'number') {
    return null;
  }
  return data as DiagnosticData;
}

export function codeActions(
  r: AnalysisResult,
  req: CodeActionRequest,
  caps: EditCapabilities,
  computeFixAll: FixAllComputer,
): CodeAction[] {
  const out: CodeAction[] = [];
  const start = r.offset(req.range.start);
  const end = r.offset(req.range.end);
  const hits = r.findingsAt(start, end);
  const findings = r.analysis.findings;

  // The client's diagnostics for a finding: same version and index, or (older version) same code and range.
  const diagnosticsFor = (index: number): Diagnostic[] => {
    const f = findings[index]!;
    const range = r.range(f.span);
    return req.diagnostics.filter((d) => {
      const data = podsecData(d);
      if (!data) return false;
      return data.version === r.version
        ? data.index === index
        : d.code === f.check &&
            d.range.start.line === range.start.line &&
            d.range.start.character === range.start.character;
    });
  };

  if (wants(req.only, QUICKFIX)) {
    const seen = new Map<string, CodeAction>();
    for (const i of hits) {
      const f = findings[i]!;
      let preferredGiven = false;
      for (const fix of f.fixes) {
        if (fix.edits.length === 0) continue;
        const key = `${fix.title}\u0000${JSON.stringify(fix.edits)}`;
        const existing = seen.get(key);
        if (existing) {
          existing.diagnostics = [...(existing.diagnostics ?? []), ...diagnosticsFor(i)];
          continue;
        }
        const edits: TextEdit[] = fix.edits.map((e) => ({ range: r.range(e), newText: e.newText }));
        const action: CodeAction = {
          title: fix.title,
          kind: QUICKFIX,
          diagnostics: diagnosticsFor(i),
          edit: workspaceEdit(r.uri, r.version, edits, caps),
        };
        if (fix.safe && !preferredGiven) {
          action.isPreferred = true;
          preferredGiven = true;
        }
        seen.set(key, action);
        out.push(action);
      }
    }

    // Fix-all in this workload / this file (safe fixes only).
    const w = r.workloadAt(start);
    if (
      w &&
      r.workloadCount > 1 &&
      r.findingsAt(w.span.start, w.span.end).some((i) => {
        const f = findings[i]!;
        return inWorkload(w)(f) && hasSafeFix(f);
      })
    ) {
      out.push(
        fixAllAction(
          'Fix all Pod Security findings in this workload',
          QUICKFIX,
          { uri: r.uri, version: r.version, scope: 'workload', offset: w.span.start },
          caps,
        ),
      );
    }
    if (r.safeFixable > 0) {
      out.push(
        fixAllAction(
          'Fix all Pod Security findings in this file',
          QUICKFIX,
          { uri: r.uri, version: r.version, scope: 'file' },
          caps,
        ),
      );
    }

    // Suppress <check> here, once per check and line.
    const suppressed = new Set<string>();
    for (const i of hits) {
      const f = findings[i]!;
      if (!CHECKS_BY_ID.has(f.check as never)) continue;
      const line = r.lines.lineOf(f.span.start);
      const key = `${f.check}:${line}`;
      if (suppressed.has(key)) continue;
      suppressed.add(key);
      out.push({
        title: `Suppress ${f.check} here`,
        kind: QUICKFIX,
        diagnostics: diagnosticsFor(i),
        edit: workspaceEdit(
          r.uri,
          r.version,
          [suppressionEdit(r, f.check, f.span.start, caps.snippets && caps.documentChanges)],
          caps,
        ),
      });
    }
  }

  // source.fixAll.podsec: asked for explicitly (e.g. on save), so computed now.
  if (req.only && wants(req.only, FIX_ALL_CODE_ACTION_KIND) && r.safeFixable > 0) {
    const edit = computeFixAll({ scope: 'file' });
    if (edit) {
      out.push({
        title: 'Fix all Pod Security findings (safe fixes)',
        kind: FIX_ALL_CODE_ACTION_KIND,
        edit,
      });
    }
  } else if (!req.only && r.safeFixable > 0) {
    out.push(
      fixAllAction(
        'Fix all Pod Security findings (safe fixes)',
        FIX_ALL_CODE_ACTION_KIND,
        { uri: r.uri, version: r.version, scope: 'file' },
        caps,
      ),
    );
  }
  return out;
}

/**
 * A fix-all action whose edit is computed later: by codeAction/resolve when
 * the client supports it, otherwise by running the podsec.applyFixAll command.
 */
function fixAllAction(
  title: string,
  kind: string,
  args: FixAllCommandArgs,
  caps: EditCapabilities,
): CodeAction {
  if (caps.resolve) return { title, kind, data: args };
  return { title, kind, command: { title, command: APPLY_FIX_ALL_COMMAND, arguments: [args] } };
}

export function isFixAllArgs(v: unknown): v is FixAllCommandArgs {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<FixAllCommandArgs>;
  return (
    typeof a.uri === 'string' &&
    typeof a.version === 'number' &&
    (a.scope === 'file' || (a.scope === 'workload' && typeof a.offset === 'number'))
  );
}
