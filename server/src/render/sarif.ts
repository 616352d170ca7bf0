/** `podsec --format sarif`: SARIF 2.1.0 for code-scanning UIs. */
import { CHECKS, HARDENING_CHECK_IDS, HARDENING_CHECKS } from '../engine/index';
import type { Finding, Severity } from '../engine/index';
import type { FileResult } from './fileResult';
import { linesOf, locate } from './fileResult';

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
    ...HARDENING_CHECK_IDS.map((id) => {
      const c = HARDENING_CHECKS[id];
      return {
        id,
        name: id,
        shortDescription: { text: `${c.title} (hardening)` },
        fullDescription: { text: `${c.checks} Why: ${c.why}` },
        helpUri: c.references[0],
        defaultConfiguration: { level: SARIF_LEVEL[c.defaultSeverity] },
        properties: { family: 'hardening', area: c.area },
      };
    }),
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
  if (f.family === 'hardening') {
    return {
      ruleId: f.check,
      ruleIndex: index.get(f.check),
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: loc(r, f.span.start, f.span.end),
      properties: {
        family: 'hardening',
        object: `${f.object.kind}/${f.object.name ?? ''}`,
        fixable: f.fixes.length > 0,
      },
    };
  }
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
