/**
 * Evaluation of parsed YAML documents: find the workloads, choose the
 * policies that apply (setting or Namespace labels), run the selected checks
 * and turn their problems into located findings with fixes.
 */
import type { Document } from 'yaml';
import type { Outcome, Problem } from './checks/shared/api';
import type { CheckVariant } from './checks/shared/api';
import { Cursor, DocContext } from './cursor';
import { planEdits } from './fixes/edits';
import { DEFAULT_LIMITS } from './limits';
import { LineIndex } from './lines';
import { forEachObject } from './objects';
import type { ParsedFile } from './parse';
import { PodView } from './podView';
import {
  evaluatedMinor,
  hasPodSecurityLabels,
  isLevel,
  LABEL_PREFIX,
  namespacePolicies,
  versionError,
} from './policy';
import { isHardeningCheckId } from './hardening/results';
import { analyzePodSecurityPolicy, isPodSecurityPolicy, pspMessage } from './psp';
import { selectChecks } from './registry';
import { findSuppressions, suppressedBy } from './suppress';
import type {
  Analysis,
  AnalyzeOptions,
  Finding,
  Fix,
  Level,
  Mode,
  NamespaceLabels,
  ObjectRef,
  Policy,
  PolicySource,
  Severity,
  Span,
  WorkloadSummary,
} from './types';
import { isWorkload, kindProblem, podTemplate } from './workloads';

const SEVERITY: Record<Mode, Severity> = {
  enforce: 'error',
  warn: 'warning',
  audit: 'information',
};

interface ModeRun {
  mode: Mode;
  policy: Policy;
  minor: number;
  source: PolicySource;
}

export interface ResolvedOptions {
  level: Level;
  version: string;
  namespaceLabels: boolean;
  namespaces: ReadonlyMap<string, NamespaceLabels>;
  file: string;
  maxFileBytes: number;
  maxAliasCount: number;
  maxDepth: number;
  suppressions: boolean;
}

export function resolveOptions(o: AnalyzeOptions): ResolvedOptions {
  const level = o.level ?? 'restricted';
  if (!isLevel(level))
    throw new Error(
      `invalid level "${String(level)}": expected privileged, baseline or restricted`,
    );
  const version = o.version ?? 'latest';
  const err = versionError(version);
  if (err) throw new Error(err);
  return {
    level,
    version,
    namespaceLabels: o.namespaceLabels ?? true,
    namespaces: o.namespaces ?? new Map(),
    file: o.file ?? '',
    maxFileBytes: o.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
    maxDepth: o.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    suppressions: o.suppressions ?? true,
  };
}

function str(c: Cursor): string | null {
  const v = c.str();
  return v === undefined ? null : v;
}

/** Namespace documents with their labels, from one parsed text. */
export function namespacesIn(
  docs: readonly Document.Parsed[],
  broken: ReadonlySet<number>,
  file: string,
  maxAlias: number,
): NamespaceLabels[] {
  const out: NamespaceLabels[] = [];
  docs.forEach((doc, i) => {
    if (broken.has(i)) return;
    const ctx = new DocContext(doc, maxAlias);
    forEachObject(Cursor.root(ctx, doc.contents), (obj, apiVersion, kind) => {
      if (kind !== 'Namespace' || apiVersion !== 'v1') return;
      const meta = obj.get('metadata');
      const name = meta.get('name').str();
      if (!name) return;
      const labels: Record<string, string> = {};
      const spans: Record<string, Span> = {};
      for (const [k, v] of meta.get('labels').entries()) {
        const value = v.str();
        if (value === undefined) continue;
        labels[k] = value;
        spans[k] = v.span;
      }
      out.push({ name, labels, file, spans });
    });
  });
  return out;
}

/**
 * The policies a workload in namespace `ns` is evaluated at, one per mode that
 * checks anything, and the one its summary gives (the first of those, or, in a
 * Namespace labelled privileged in every mode, its enforce label's).
 */
function modeRuns(
  o: ResolvedOptions,
  ns: string | null,
  local: ReadonlyMap<string, NamespaceLabels>,
): { runs: ModeRun[]; head: ModeRun } {
  const labelled =
    o.namespaceLabels && ns !== null ? (local.get(ns) ?? o.namespaces.get(ns)) : undefined;
  if (labelled && hasPodSecurityLabels(labelled.labels)) {
    const all: ModeRun[] = namespacePolicies(labelled.labels).modes.map((m) => {
      const label = m.label ?? `${LABEL_PREFIX}${m.mode}`;
      return {
        mode: m.mode,
        policy: m.policy,
        minor: evaluatedMinor(m.policy.version),
        source: {
          kind: 'namespace',
          namespace: labelled.name,
          file: labelled.file,
          span: labelled.spans[label],
          label,
        },
      };
    });
    const runs = all.filter((r) => r.policy.level !== 'privileged');
    return { runs, head: runs[0] ?? all[0]! };
  }
  const run: ModeRun = {
    mode: 'enforce',
    policy: { level: o.level, version: o.version },
    minor: evaluatedMinor(o.version),
    source: { kind: 'setting' },
  };
  return { runs: [run], head: run };
}

function message(reason: string, detail: string, path: string): string {
  return `${detail ? `${reason} (${detail})` : reason || 'unknown forbidden reason'} at ${path}`;
}

/**
 * Evaluate the parsed documents of `text` (offsets relative to it). `local`
 * holds the Namespaces of the whole file being analysed.
 */
export function analyzeParsed(
  text: string,
  parsed: ParsedFile,
  o: ResolvedOptions,
  local: ReadonlyMap<string, NamespaceLabels>,
): Analysis {
  const analysis: Analysis = {
    findings: [],
    errors: [...parsed.errors],
    notes: [...parsed.notes],
    workloads: [],
    objects: 0,
  };
  parsed.docs.forEach((doc, docIndex) => {
    if (parsed.broken.has(docIndex)) return;
    const ctx = new DocContext(doc, o.maxAliasCount);
    const visit = (obj: Cursor, apiVersion: string, kind: string, item: number | null) => {
      analysis.objects++;
      const meta = obj.get('metadata').asObject();
      const ref: ObjectRef = {
        kind,
        name: str(meta.get('name')),
        namespace: str(meta.get('namespace')),
        document: docIndex,
        item,
      };
      if (kind === 'Namespace' && apiVersion === 'v1' && o.namespaceLabels) {
        const labels: Record<string, string> = {};
        const entries = meta.get('labels').entries();
        for (const [k, v] of entries) labels[k] = v.str() ?? '';
        for (const p of namespacePolicies(labels).problems) {
          const at = entries.find(([k]) => k === p.label)?.[1];
          analysis.errors.push({
            message: p.message,
            span: at ? at.span : obj.span,
            code: 'policy',
            severity: 'error',
          });
        }
      }
      if (isPodSecurityPolicy(apiVersion, kind)) {
        analysis.findings.push(pspFinding(analyzePodSecurityPolicy(obj), ref, o));
        return;
      }
      if (!isWorkload(apiVersion, kind)) {
        const problem = kindProblem(apiVersion, kind);
        if (problem) {
          analysis.errors.push({
            message: problem,
            span: obj.get('kind').span,
            code: 'schema',
            severity: 'error',
          });
        }
        return;
      }
      const template = podTemplate(obj, kind);
      if (!template) return;
      const pod = new PodView(template);
      const { runs, head } = modeRuns(o, ref.namespace, local);
      const objSpan = obj.span;
      const headSpan = (obj.get('kind').node ? obj.get('kind').span : objSpan) satisfies Span;
      const summary: WorkloadSummary = {
        object: ref,
        span: objSpan,
        headSpan,
        policy: head.policy,
        policySource: head.source,
        podSpecSpan: pod.spec.node ? pod.spec.span : null,
      };
      analysis.workloads.push(summary);
      const outcomes = new Map<CheckVariant, Outcome | null>();
      const seen = new Set<string>();
      for (const run of runs) {
        for (const { check, variant } of selectChecks(run.policy.level, run.minor)) {
          let outcome = outcomes.get(variant);
          if (outcome === undefined) {
            outcome = variant.evaluate(pod);
            outcomes.set(variant, outcome);
          }
          if (!outcome) continue;
          for (const p of outcome.problems) {
            const key = `${check.id}:${p.span.start}:${p.span.end}:${p.container ?? ''}:${p.detail}`;
            if (seen.has(key)) continue; // reported once, at the most severe mode
            seen.add(key);
            analysis.findings.push(
              toFinding(text, doc, check.id, check.level, outcome, p, run, ref),
            );
          }
        }
      }
    };
    const firstFinding = analysis.findings.length;
    forEachObject(Cursor.root(ctx, doc.contents), visit);
    if (ctx.overLimit) {
      // Results past the limit would be guesses: report the limit instead.
      analysis.findings.length = firstFinding;
      const r = doc.range;
      analysis.errors.push({
        message: `Document not evaluated: more than ${o.maxAliasCount} alias look-ups (setting podsec.maxAliasCount, option --max-alias-count)`,
        span: { start: r[0], end: Math.min(r[1], r[0] + 1) },
        code: 'limit',
        severity: 'error',
      });
    }
    for (const e of ctx.errors) analysis.errors.push(e);
  });

  if (o.suppressions) applySuppressions(text, parsed.docs, analysis);
  return analysis;
}

function toFinding(
  text: string,
  doc: Document.Parsed,
  check: Finding['check'],
  level: Level,
  outcome: Outcome,
  p: Problem,
  run: ModeRun,
  object: ObjectRef,
): Finding {
  const fixes: Fix[] = [];
  if (p.fix && p.fix.ops.length > 0) {
    const edits = planEdits(text, doc, p.fix.ops);
    if (edits && edits.length > 0) fixes.push({ title: p.fix.title, safe: p.fix.safe, edits });
  }
  return {
    check,
    level,
    severity: SEVERITY[run.mode],
    mode: run.mode,
    reason: outcome.reason,
    detail: p.detail,
    message: message(outcome.reason, p.detail, p.path),
    path: p.path,
    span: p.span,
    object,
    container: p.container,
    policy: run.policy,
    evaluatedVersion: `v1.${run.minor}`,
    policySource: run.source,
    fixes,
  };
}

/** The warning on a PodSecurityPolicy document: removed in v1.25, and its closest level. */
function pspFinding(
  p: ReturnType<typeof analyzePodSecurityPolicy>,
  object: ObjectRef,
  o: ResolvedOptions,
): Finding {
  const detail = pspMessage(p);
  return {
    check: 'podSecurityPolicy',
    level: o.level,
    severity: 'warning',
    mode: 'warn',
    reason: 'PodSecurityPolicy removed',
    detail,
    message: detail,
    path: 'kind',
    span: p.kindSpan,
    object,
    container: null,
    policy: { level: o.level, version: o.version },
    evaluatedVersion: `v1.${evaluatedMinor(o.version)}`,
    policySource: { kind: 'setting' },
    fixes: [],
  };
}

function applySuppressions(
  text: string,
  docs: readonly Document.Parsed[],
  analysis: Analysis,
): void {
  if (!text.includes('podsec-ignore')) return;
  const lines = new LineIndex(text);
  const docRanges: Span[] = [];
  for (const d of docs) {
    const c = d.contents as { range?: [number, number, number] } | null;
    if (c?.range) docRanges.push({ start: c.range[0], end: d.range[2] });
  }
  const sups = findSuppressions(text, lines, docRanges);
  if (sups.length === 0) return;
  analysis.findings = analysis.findings.filter(
    (f) => suppressedBy(sups, f.check, f.span.start) === null,
  );
  const policy: Policy = analysis.findings[0]?.policy ?? { level: 'restricted', version: 'latest' };
  for (const s of sups) {
    const problems: string[] = [];
    if (s.unknown.length > 0)
      problems.push(`unknown check ${s.unknown.map((u) => `"${u}"`).join(', ')}`);
    if (s.checks.length === 0 && s.unknown.length === 0) problems.push('no check named');
    if (s.reason === '') problems.push('no reason given after "--"');
    // Whether a hardening check's suppression silences anything is known only
    // once the hardening checks have run over every file (hardening/findings.ts).
    if (!s.used && s.checks.length > 0 && !s.checks.some(isHardeningCheckId))
      problems.push('it silences nothing here');
    if (problems.length === 0) continue;
    const detail = `${problems.join('; ')}. Use: # podsec-ignore <checkId>[,<checkId>…] -- <reason>`;
    analysis.findings.push({
      check: 'invalidSuppression',
      level: policy.level,
      severity: 'warning',
      mode: 'warn',
      reason: 'invalid suppression',
      detail,
      message: `invalid suppression: ${detail}`,
      path: '',
      span: s.span,
      object: { kind: '', name: null, namespace: null, document: 0, item: null },
      container: null,
      policy,
      evaluatedVersion: `v1.${evaluatedMinor(policy.version)}`,
      policySource: { kind: 'setting' },
      fixes: [],
    });
  }
  analysis.findings.sort((a, b) => a.span.start - b.span.start);
}
