/**
 * `podsec --format sarif`: SARIF 2.1.0 for code-scanning UIs (GitHub code
 * scanning, and any other SARIF consumer).
 *
 * - Every result has `partialFingerprints["podsec/v1"]` (fingerprint.ts):
 *   the same across commits while the finding is about the same field.
 * - Suppressed findings stay, with `suppressions: [{ kind: "inSource",
 *   justification }]`.
 * - Rules carry `help` (allowed values, fields, how to suppress) and
 *   `properties["security-severity"]` (SECURITY_SEVERITY below); results
 *   carry `fixes` with the same edits `--fix` makes.
 * - With a baseline, results have `baselineState` (`unchanged` ones at
 *   level `note`).
 * - `invocations[0]` holds the policy and whether the run passed.
 */
import {
  CHECKS,
  clip,
  HARDENING_CHECK_IDS,
  HARDENING_CHECKS,
  isHardeningCheckId,
} from '../engine/index';
import type { CheckLevel, Finding, Mode, Severity, SuppressedFinding } from '../engine/index';
import type { FileResult } from './fileResult';
import { baselineState, isNotEvaluatedNote, linesOf, locate } from './fileResult';
import { allFindings, FINGERPRINT_KEY, fingerprintsOf } from './fingerprint';
import { sarifFixes } from './fixChanges';
import type { FixFiles, SarifNotification } from './fixChanges';

const SARIF_LEVEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
};
const DOCS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
const SUPPRESS_HELP =
  'To accept a finding, add `# podsec-ignore <check> -- <reason>` above the field, or the ' +
  'annotation `podsec.io/ignore: "<check> -- <reason>"` on the workload.';

/**
 * `security-severity` (0.0–10.0, as GitHub ranks it: ≥ 9 critical, ≥ 7 high,
 * ≥ 4 medium, else low) by the check's level and the mode it was found in. A
 * Baseline check closes a known privilege escalation; a Restricted one is
 * hardening. A rule carries its enforce value; each result carries its own
 * mode's value in its properties.
 */
export const SECURITY_SEVERITY: Record<CheckLevel, Record<Mode, number>> = {
  baseline: { enforce: 8.0, warn: 6.0, audit: 4.0 },
  restricted: { enforce: 6.0, warn: 4.0, audit: 2.0 },
};

/**
 * `security-severity` of the hardening checks (beyond the Pod Security
 * Standards), by the severity they are reported at.
 */
export const HARDENING_SECURITY_SEVERITY: Record<Severity, number> = {
  error: 6.0,
  warning: 4.0,
  information: 2.0,
};

export interface SarifContext {
  /** podsec's version. */
  version: string;
  /** The policy the run evaluated (level, concrete version). */
  policy: { level: string; version: string };
  /** The exit status the run ends with (0 when it passed). */
  exitCode?: number;
  /** The baseline file given, if any. */
  baseline?: string;
  /** The files fixes edit besides their finding's; without, such fixes are left out. */
  files?: FixFiles;
}

interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  help?: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration?: { level: string };
  properties?: Record<string, unknown>;
}

function rules(): Rule[] {
  const meta = (id: string, text: string, level = 'error'): Rule => ({
    id,
    name: id,
    shortDescription: { text },
    defaultConfiguration: { level },
  });
  return [
    ...CHECKS.map((c): Rule => {
      const fields = c.fields.join(', ');
      return {
        id: c.id,
        name: c.id,
        shortDescription: { text: `${c.title} (${c.level})` },
        fullDescription: {
          text: `Pod Security Standards, ${c.level} level: ${c.title}. Allowed: ${c.allowed}.`,
        },
        help: {
          text: `${c.title} (${c.level} level). Allowed values: ${c.allowed}. Fields: ${fields}. ${SUPPRESS_HELP}`,
          markdown:
            `**${c.title}** (${c.level} level of the Pod Security Standards)\n\n` +
            `Allowed values: ${c.allowed}\n\nFields:\n\n${c.fields.map((f) => `- \`${f}\``).join('\n')}\n\n` +
            `${SUPPRESS_HELP}\n\n[Pod Security Standards](${DOCS}#${c.level})`,
        },
        helpUri: `${DOCS}#${c.level}`,
        defaultConfiguration: { level: 'error' },
        properties: {
          level: c.level,
          'security-severity': SECURITY_SEVERITY[c.level].enforce.toFixed(1),
          precision: 'very-high',
          tags: ['security', 'kubernetes', 'pod-security', c.level],
        },
      };
    }),
    ...HARDENING_CHECK_IDS.map((id): Rule => {
      const c = HARDENING_CHECKS[id];
      return {
        id,
        name: id,
        shortDescription: { text: `${c.title} (hardening)` },
        fullDescription: { text: `${c.checks} Why: ${c.why}` },
        help: {
          text: `${c.title} (hardening). ${c.checks} Why: ${c.why} ${SUPPRESS_HELP}`,
          markdown:
            `**${c.title}** (hardening, beyond the Pod Security Standards)\n\n${c.checks}\n\n` +
            `Why: ${c.why}\n\n${SUPPRESS_HELP}\n\n${c.references.map((u) => `- <${u}>`).join('\n')}`,
        },
        ...(c.references[0] ? { helpUri: c.references[0] } : {}),
        defaultConfiguration: { level: SARIF_LEVEL[c.defaultSeverity] },
        properties: {
          family: 'hardening',
          area: c.area,
          'security-severity': HARDENING_SECURITY_SEVERITY[c.defaultSeverity].toFixed(1),
          precision: 'high',
          tags: ['security', 'kubernetes', 'hardening'],
        },
      };
    }),
    meta(
      'invalidSuppression',
      'A podsec-ignore comment or podsec.io/ignore annotation without a reason, naming an unknown check, or silencing nothing',
      'warning',
    ),
    meta(
      'podSecurityPolicy',
      'A PodSecurityPolicy: removed in Kubernetes v1.25; podsec report names the closest Pod Security level',
      'warning',
    ),
    meta('yaml', 'YAML syntax error'),
    meta('schema', 'A field of the wrong type'),
    meta('limit', 'Input over a limit, binary, or not evaluated'),
    meta('policy', 'Invalid pod-security label on a Namespace'),
    meta('read', 'The file could not be read'),
    meta('skipped', 'A file not read (a FIFO, a device, a dangling link...)'),
    meta('write', 'A fixed file --fix could not write'),
  ];
}

export function toSarif(results: readonly FileResult[], ctx: SarifContext): string {
  const ruleList = rules();
  const index = new Map(ruleList.map((r, i) => [r.id, i]));
  const sarifResults: unknown[] = [];
  const notifications: SarifNotification[] = [];
  const notify = (n: SarifNotification): number => notifications.push(n);
  for (const r of results) {
    const fps = fingerprintsOf(r);
    const uri = toUri(r.path);
    const region = (start: number, end: number) => {
      const l = locate(linesOf(r), start, end);
      return {
        startLine: l.line,
        startColumn: l.column,
        endLine: l.endLine,
        endColumn: l.endColumn,
      };
    };
    const loc = (start: number, end: number) => [
      { physicalLocation: { artifactLocation: { uri }, region: region(start, end) } },
    ];
    if (r.readError) {
      sarifResults.push({
        ruleId: 'read',
        ruleIndex: index.get('read'),
        level: 'error',
        message: { text: r.readError },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri },
              ...(r.readErrorAt
                ? { region: { startLine: r.readErrorAt.line, startColumn: r.readErrorAt.column } }
                : {}),
            },
          },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: fps.readError() },
      });
    }
    for (const [ruleId, text] of [
      ['skipped', r.skipped],
      ['write', r.fixError],
    ] as const) {
      if (text === undefined) continue;
      sarifResults.push({
        ruleId,
        ruleIndex: index.get(ruleId),
        level: ruleId === 'write' ? 'error' : 'warning',
        message: { text },
        locations: [{ physicalLocation: { artifactLocation: { uri } } }],
      });
    }
    for (const d of r.analysis.errors) {
      sarifResults.push({
        ruleId: d.code,
        ruleIndex: index.get(d.code),
        level: 'error',
        message: { text: d.message },
        locations: loc(d.span.start, d.span.end),
        partialFingerprints: { [FINGERPRINT_KEY]: fps.diagnostic(d) },
      });
    }
    for (const f of allFindings(r)) {
      const state = baselineState(r, f);
      const suppression = (f as Partial<SuppressedFinding>).suppression;
      const level = state === 'unchanged' ? 'note' : SARIF_LEVEL[f.severity];
      const severity = securitySeverity(f);
      sarifResults.push({
        ruleId: f.check,
        ruleIndex: index.get(f.check),
        level,
        message: { text: f.message },
        locations: loc(f.span.start, f.span.end),
        partialFingerprints: { [FINGERPRINT_KEY]: fps.finding(f) },
        ...(suppression
          ? {
              suppressions: [
                {
                  kind: 'inSource',
                  status: 'accepted',
                  justification: suppression.justification,
                  location: {
                    physicalLocation: {
                      artifactLocation: { uri },
                      region: region(suppression.span.start, suppression.span.end),
                    },
                  },
                  properties: { form: suppression.kind },
                },
              ],
            }
          : {}),
        ...(state && !suppression ? { baselineState: state } : {}),
        // A fix that edits other files too carries one change per file; one that cannot be shown is
        // left out, and the run's notifications say why.
        ...sarifFixes(r, f, { uri, toUri, notify, ...(ctx.files ? { files: ctx.files } : {}) }),
        properties: {
          ...(f.family ? { family: f.family } : {}),
          policy: `${f.policy.level}:${f.evaluatedVersion}`,
          mode: f.mode,
          object: `${clip(f.object.kind)}/${clip(f.object.name ?? '')}`,
          ...(f.object.namespace ? { namespace: f.object.namespace } : {}),
          ...(f.container ? { container: clip(f.container) } : {}),
          field: f.path,
          fixable: f.fixes.length > 0,
          ...(f.overlays ? { overlays: f.overlays } : {}),
          ...(severity !== null ? { 'security-severity': severity } : {}),
        },
      });
    }
    for (const d of r.analysis.notes) {
      if (!isNotEvaluatedNote(d)) continue;
      sarifResults.push({
        ruleId: 'limit',
        ruleIndex: index.get('limit'),
        level: 'note',
        message: { text: d.message },
        locations: loc(d.span.start, d.span.end),
      });
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'podsec',
            version: ctx.version,
            semanticVersion: ctx.version,
            informationUri: DOCS,
            rules: ruleList,
          },
        },
        invocations: [
          {
            executionSuccessful: results.every((r) => !r.readError),
            ...(ctx.exitCode !== undefined ? { exitCode: ctx.exitCode } : {}),
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
            properties: {
              policy: ctx.policy,
              ...(ctx.baseline !== undefined ? { baseline: ctx.baseline } : {}),
            },
          },
        ],
        columnKind: 'unicodeCodePoints',
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A result's own `security-severity` (by its check's level and its mode); null for meta findings. */
function securitySeverity(f: Finding): string | null {
  if (isHardeningCheckId(f.check)) return HARDENING_SECURITY_SEVERITY[f.severity].toFixed(1);
  const check = CHECKS.find((c) => c.id === f.check);
  return check ? SECURITY_SEVERITY[check.level][f.mode].toFixed(1) : null;
}

function toUri(path: string): string {
  if (path === '-') return 'stdin';
  return path
    .split(/[\\/]/)
    .map((p) => encodeURIComponent(p))
    .join('/');
}
