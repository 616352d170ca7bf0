/** Rendering results as text, JSON and SARIF. */
import { CHECKS, LineIndex, plural } from '../engine/index';
import type { Analysis, Diagnostic, Finding, Severity } from '../engine/index';

export interface FileResult {
  path: string;
  /** The text the positions refer to (after --fix, the fixed text). */
  text: string;
  analysis: Analysis;
  /** Set when the file could not be read. */
  readError?: string;
  /** 1-based position of the read error (invalid UTF-8); 1:1 when absent. */
  readErrorAt?: { line: number; column: number };
  /** Fixes applied by --fix. */
  fixed?: number;
}

interface Located {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function locate(lines: LineIndex, start: number, end: number): Located {
  const s = lines.humanPosition(start);
  const e = lines.humanPosition(end);
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

const linesCache = new WeakMap<FileResult, LineIndex>();
function linesOf(f: FileResult): LineIndex {
  let l = linesCache.get(f);
  if (!l) {
    l = new LineIndex(f.text);
    linesCache.set(f, l);
  }
  return l;
}

export interface Totals {
  files: number;
  objects: number;
  findings: number;
  errors: number;
  bySeverity: Record<Severity, number>;
}

export function totals(results: readonly FileResult[]): Totals {
  const t: Totals = {
    files: results.length,
    objects: 0,
    findings: 0,
    errors: 0,
    bySeverity: { error: 0, warning: 0, information: 0 },
  };
  for (const r of results) {
    t.objects += r.analysis.objects;
    t.findings += r.analysis.findings.length;
    t.errors += r.analysis.errors.length + (r.readError ? 1 : 0);
    for (const f of r.analysis.findings) t.bySeverity[f.severity]++;
  }
  return t;
}

// ----- JSON -----

export function toJson(
  results: readonly FileResult[],
  policy: { level: string; version: string },
): string {
  const t = totals(results);
  const diag = (r: FileResult, d: Diagnostic) => {
    const p = linesOf(r).humanPosition(d.span.start);
    return { message: d.message, line: p.line, column: p.column };
  };
  const doc = {
    policy,
    files: results.map((r) => ({
      path: r.path,
      findings: r.analysis.findings.map((f) => ({
        check: f.check,
        level: f.level,
        severity: f.severity,
        message: f.message,
        ...locate(linesOf(r), f.span.start, f.span.end),
        object: {
          kind: f.object.kind,
          name: f.object.name,
          namespace: f.object.namespace,
          document: f.object.document,
        },
        container: f.container,
        policy: { level: f.policy.level, version: f.evaluatedVersion },
        fixable: f.fixes.length > 0,
      })),
      errors: [
        ...(r.readError
          ? [
              {
                message: r.readError,
                line: r.readErrorAt?.line ?? 1,
                column: r.readErrorAt?.column ?? 1,
              },
            ]
          : []),
        ...r.analysis.errors.map((d) => diag(r, d)),
      ],
      notes: r.analysis.notes.map((d) => diag(r, d)),
    })),
    summary: { files: t.files, objects: t.objects, findings: t.findings, errors: t.errors },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

// ----- text -----

interface Style {
  red: (s: string) => string;
  yellow: (s: string) => string;
  blue: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

function style(color: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) =>
    color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    blue: wrap(34, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

export function toText(results: readonly FileResult[], color: boolean): string {
  const s = style(color);
  const sev = (v: Severity | 'note') =>
    v === 'error'
      ? s.red('error')
      : v === 'warning'
        ? s.yellow('warning')
        : s.blue(v === 'note' ? 'note' : 'info');
  const out: string[] = [];
  for (const r of results) {
    const rows: Array<{ at: number; line: string }> = [];
    const where = (offset: number) => {
      const p = linesOf(r).humanPosition(offset);
      return `${r.path}:${p.line}:${p.column}`;
    };
    if (r.readError) {
      const at = r.readErrorAt ?? { line: 1, column: 1 };
      rows.push({
        at: -1,
        line: `${r.path}:${at.line}:${at.column}  ${sev('error')}  ${r.readError}`,
      });
    }
    for (const d of r.analysis.errors) {
      rows.push({
        at: d.span.start,
        line: `${where(d.span.start)}  ${sev('error')}  ${d.message}  ${s.dim(`[${d.code}]`)}`,
      });
    }
    for (const d of r.analysis.notes) {
      rows.push({ at: d.span.start, line: `${where(d.span.start)}  ${sev('note')}  ${d.message}` });
    }
    for (const f of r.analysis.findings) {
      rows.push({
        at: f.span.start,
        line: `${where(f.span.start)}  ${sev(f.severity)}  ${f.message}  ${s.dim(`[${f.check}]`)}`,
      });
    }
    if (r.fixed)
      rows.push({
        at: Number.MAX_SAFE_INTEGER,
        line: `${r.path}  ${s.dim(`fixed ${plural(r.fixed, 'finding')}`)}`,
      });
    if (rows.length === 0) continue;
    rows.sort((a, b) => a.at - b.at);
    out.push(rows.map((x) => x.line).join('\n'));
  }
  const t = totals(results);
  const parts = [
    plural(t.bySeverity.error, 'error'),
    plural(t.bySeverity.warning, 'warning'),
    ...(t.bySeverity.information > 0 ? [plural(t.bySeverity.information, 'info', 'info')] : []),
  ];
  const fixed = results.reduce((n, r) => n + (r.fixed ?? 0), 0);
  const summary =
    `${t.findings === 0 && t.errors === 0 ? '✓' : '✖'} ${plural(t.findings, 'finding')} (${parts.join(', ')})` +
    `${t.errors > 0 ? `, ${plural(t.errors, 'file error')}` : ''}` +
    ` in ${plural(t.objects, 'object')}, ${plural(t.files, 'file')}` +
    `${fixed > 0 ? `; ${plural(fixed, 'fix', 'fixes')} applied` : ''}`;
  out.push(t.bySeverity.error > 0 || t.errors > 0 ? s.bold(summary) : summary);
  return `${out.join('\n\n')}\n`;
}

// ----- SARIF 2.1.0 -----

const SARIF_LEVEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
};
const DOCS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';

export function toSarif(results: readonly FileResult[], version: string): string {
  const rules = [
    ...CHECKS.map((c) => ({
      id: c.id,
      name: c.id,
      shortDescription: { text: `${c.title} (${c.level})` },
      fullDescription: { text: `Allowed: ${c.allowed}. Fields: ${c.fields.join(', ')}.` },
      helpUri: `${DOCS}#${c.level}`,
      properties: { level: c.level },
    })),
    {
      id: 'invalidSuppression',
      name: 'invalidSuppression',
      shortDescription: {
        text: 'A podsec-ignore comment without a reason, naming an unknown check, or silencing nothing',
      },
    },
    {
      id: 'podSecurityPolicy',
      name: 'podSecurityPolicy',
      shortDescription: {
        text: 'A PodSecurityPolicy: removed in Kubernetes v1.25; podsec report names the closest Pod Security level',
      },
    },
    { id: 'yaml', name: 'yaml', shortDescription: { text: 'YAML syntax error' } },
    { id: 'schema', name: 'schema', shortDescription: { text: 'A field of the wrong type' } },
    {
      id: 'limit',
      name: 'limit',
      shortDescription: { text: 'Input over a limit, binary, or not evaluated' },
    },
    {
      id: 'policy',
      name: 'policy',
      shortDescription: { text: 'Invalid pod-security label on a Namespace' },
    },
    { id: 'read', name: 'read', shortDescription: { text: 'The file could not be read' } },
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const region = (r: FileResult, start: number, end: number) => {
    const l = locate(linesOf(r), start, end);
    return { startLine: l.line, startColumn: l.column, endLine: l.endLine, endColumn: l.endColumn };
  };
  const loc = (r: FileResult, start: number, end: number) => [
    {
      physicalLocation: { artifactLocation: { uri: toUri(r.path) }, region: region(r, start, end) },
    },
  ];
  const sarifResults: unknown[] = [];
  for (const r of results) {
    if (r.readError) {
      sarifResults.push({
        ruleId: 'read',
        ruleIndex: index.get('read'),
        level: 'error',
        message: { text: r.readError },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: toUri(r.path) },
              ...(r.readErrorAt
                ? { region: { startLine: r.readErrorAt.line, startColumn: r.readErrorAt.column } }
                : {}),
            },
          },
        ],
      });
    }
    for (const d of r.analysis.errors) {
      sarifResults.push({
        ruleId: d.code,
        ruleIndex: index.get(d.code),
        level: 'error',
        message: { text: d.message },
        locations: loc(r, d.span.start, d.span.end),
      });
    }
    for (const f of r.analysis.findings) sarifResults.push(sarifFinding(r, f, index, loc));
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'podsec', version, informationUri: DOCS, rules } },
        columnKind: 'unicodeCodePoints',
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function sarifFinding(
  r: FileResult,
  f: Finding,
  index: Map<string, number>,
  loc: (r: FileResult, s: number, e: number) => unknown,
): unknown {
  return {
    ruleId: f.check,
    ruleIndex: index.get(f.check),
    level: SARIF_LEVEL[f.severity],
    message: { text: f.message },
    locations: loc(r, f.span.start, f.span.end),
    properties: {
      policy: `${f.policy.level}:${f.evaluatedVersion}`,
      mode: f.mode,
      object: `${f.object.kind}/${f.object.name ?? ''}`,
      fixable: f.fixes.length > 0,
    },
  };
}

function toUri(path: string): string {
  if (path === '-') return 'stdin';
  return path
    .split(/[\\/]/)
    .map((p) => encodeURIComponent(p))
    .join('/');
}
