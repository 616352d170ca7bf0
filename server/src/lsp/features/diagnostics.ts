/**
 * Findings, engine errors and notes as LSP diagnostics: one per problem (see
 * groups.ts), its short message (workload, container, what to do; upstream's
 * wording is in the hover), severity after the `podsec.severity` overrides,
 * the range, the check's documentation link (`codeDescription`: the check's
 * own page the extension ships, docs/checks/<check>.md, as a file URI; the
 * Kubernetes page when the pages are not there), with `podsec.relatedInformation`
 * the Namespace label behind the policy as related information, and `data`
 * (version, index, code, the merged findings) that code actions match on.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
} from 'vscode-languageserver';
import { CHECKS_BY_ID, findingSummary, HARDENING_CHECKS, isHardeningCheckId } from '../../engine';
import type { Diagnostic as EngineDiagnostic, Finding } from '../../engine';
import { DIAGNOSTIC_SOURCE } from '../protocol';
import type { DiagnosticCode, DiagnosticData, PodsecSettings, SeveritySetting } from '../protocol';
import type { AnalysisResult } from './analysisResult';
import { problemGroups } from './groups';
import type { NamespaceResolver } from './policy';
import { labelValue } from './policy';

const PSS_DOCS = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';

// LSP constants, spelled out so this file needs no runtime import of the protocol.
const SEVERITY_NUMBER: Record<'error' | 'warning' | 'information' | 'hint', DiagnosticSeverity> = {
  error: 1,
  warning: 2,
  information: 3,
  hint: 4,
};

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

/** The Pod Security Standards page of a check's level, or null for codes that are not checks. */
export function checkHref(check: string): string | null {
  const def = CHECKS_BY_ID.get(check as never);
  if (def) return `${PSS_DOCS}#${def.level}`;
  return isHardeningCheckId(check) ? (HARDENING_CHECKS[check].references[0] ?? null) : null;
}

/**
 * The folder of the per-check pages (docs/checks), found from where the
 * server runs: the extension's dist/, or server/out/lsp/features/ in a
 * checkout. Null when they are not there (a server installed on its own).
 */
function findCheckDocs(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const docs = join(dir, 'docs', 'checks');
    if (existsSync(join(docs, 'README.md'))) return docs;
    dir = dirname(dir);
  }
  return null;
}
let checkDocs: string | null | undefined;
/** Each check's page, looked up once: the pages ship with the extension and do not change while it runs. */
const checkDocsPages = new Map<string, string | null>();

/** The check's own documentation page (a file URI), or null for codes that are not checks. */
export function checkDocsHref(check: string): string | null {
  const known = checkDocsPages.get(check);
  if (known !== undefined) return known;
  let href: string | null = null;
  if (CHECKS_BY_ID.has(check as never) || isHardeningCheckId(check)) {
    if (checkDocs === undefined) checkDocs = findCheckDocs();
    const page = checkDocs === null ? null : join(checkDocs, `${check}.md`);
    href = page !== null && existsSync(page) ? pathToFileURL(page).href : null;
  }
  checkDocsPages.set(check, href);
  return href;
}

function engineDiagnostic(
  r: AnalysisResult,
  d: EngineDiagnostic,
  severity: DiagnosticSeverity,
  code: DiagnosticCode,
): Diagnostic {
  const data: DiagnosticData = { version: r.version, index: -1, code };
  return {
    range: r.range(d.span),
    severity,
    source: DIAGNOSTIC_SOURCE,
    code,
    message: d.message,
    data,
  };
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
  const findings = r.analysis.findings;
  for (const group of problemGroups(r)) {
    // The most severe member after the overrides speaks for the group; members set off are left out.
    const shown: Array<{ index: number; sev: DiagnosticSeverity }> = [];
    for (const index of group) {
      const f = findings[index]!;
      // A hardening finding answers to its check and to `hardening`, never to a mode.
      const keys = f.family === 'hardening' ? [f.check, 'hardening'] : [f.check, f.mode];
      const sev = severityFor(settings, keys, f.severity);
      if (sev !== null) shown.push({ index, sev });
    }
    if (shown.length === 0) continue;
    const lead = shown.reduce((a, b) => (b.sev < a.sev ? b : a));
    const f = findings[lead.index]!;
    const data: DiagnosticData = { version: r.version, index: lead.index, code: f.check };
    const also = shown.filter((x) => x !== lead).map((x) => x.index);
    if (also.length > 0) data.also = also;
    const diag: Diagnostic = {
      range: r.range(f.span),
      // A finding of the baseline is an existing one: shown, as a hint.
      severity: r.baseline?.existing.has(f) ? SEVERITY_NUMBER.hint : lead.sev,
      source: DIAGNOSTIC_SOURCE,
      code: f.check,
      message: findingSummary(f),
      data,
    };
    const href = checkDocsHref(f.check) ?? checkHref(f.check);
    if (href) diag.codeDescription = { href };
    if (settings.relatedInformation) {
      const related = relatedInformation(f, ns);
      if (related) diag.relatedInformation = [related];
    }
    out.push(diag);
  }
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

/** The podsec data of a diagnostic the client sent back, or null for others' diagnostics. */
export function podsecData(d: Diagnostic): DiagnosticData | null {
  const data = d.data as Partial<DiagnosticData> | undefined;
  if (
    d.source !== DIAGNOSTIC_SOURCE ||
    typeof data?.index !== 'number' ||
    typeof data.version !== 'number'
  ) {
    return null;
  }
  return data as DiagnosticData;
}
