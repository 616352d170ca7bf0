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
import type { ChunkParses } from './chunkParses';
import type { ParsedFile, ParseShare } from './parse';
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
import { clip } from './text';
import { findSuppressions, IGNORE_ANNOTATION, parseDirective, suppressedBy } from './suppress';
import type { Suppression } from './suppress';
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
  SuppressedFinding,
  WorkloadSummary,
} from './types';
import { isWorkload, kindProblem, podTemplate } from './workloads';
import type { AdmissionConfig } from './config/admission';
import { admitWorkload } from './config/admissionPolicy';
import type { PolicyOrigin } from './config/admissionPolicy';

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
  /** The namespace of objects that name none, or null. */
  defaultNamespace: string | null;
  file: string;
  maxFileBytes: number;
  maxAliasCount: number;
  maxDepth: number;
  chartTemplate: boolean;
  admission: AdmissionConfig | null;
  asUser: string | null;
  /** Identifies `admission` and `asUser` for caches. */
  admissionKey: string;
  maxFindings: number;
  suppressions: boolean;
  skim: boolean;
  share: ParseShare | null;
  chunks: ChunkParses | null;
}

const admissionKeys = new WeakMap<AdmissionConfig, string>();
/** How many admission configurations' keys were computed (for tests). */
export const admissionKeyCount = { computed: 0 };

/**
 * What an admission configuration contributes to cache keys (its file,
 * defaults and exemptions), computed once per configuration object: the
 * analyses of every document and every request under the same settings
 * share it.
 */
export function admissionKeyOf(a: AdmissionConfig): string {
  let key = admissionKeys.get(a);
  if (key === undefined) {
    key = JSON.stringify([a.file, a.defaults, a.exemptions]);
    admissionKeyCount.computed++;
    admissionKeys.set(a, key);
  }
  return key;
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
    defaultNamespace: o.defaultNamespace || null,
    file: o.file ?? '',
    maxFileBytes: o.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
    maxDepth: o.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    chartTemplate: o.chartTemplate ?? false,
    admission: o.admission ?? null,
    asUser: o.asUser ?? null,
    admissionKey: o.admission
      ? `${admissionKeyOf(o.admission)}|${JSON.stringify(o.asUser ?? null)}`
      : '',
    maxFindings: o.maxFindings ?? DEFAULT_LIMITS.maxFindings,
    suppressions: o.suppressions ?? true,
    skim: o.skim ?? true,
    share: o.share ?? null,
    chunks: o.chunks ?? null,
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

/**
 * The modes to evaluate under the cluster's admission configuration, or the
 * exemption that applies to every mode (admitWorkload: upstream's order of
 * exemptions, labels and defaults).
 */
function admissionRuns(
  o: ResolvedOptions,
  config: AdmissionConfig,
  kind: string,
  ns: string | null,
  runtimeClassName: string | null,
  local: ReadonlyMap<string, NamespaceLabels>,
): { runs: ModeRun[]; head: ModeRun; exemption: string | null; exemptModes: Mode[] } {
  const namespace = ns ?? 'default';
  const labelled = o.namespaceLabels
    ? (local.get(namespace) ?? o.namespaces.get(namespace))
    : undefined;
  const adm = admitWorkload(config, {
    kind,
    namespace,
    namespaceLabels: labelled?.labels ?? null,
    runtimeClassName,
    asUser: o.asUser,
  });
  const enforce = adm.modes.enforce.policy;
  const fallback: ModeRun = {
    mode: 'enforce',
    policy: { level: enforce.level, version: enforce.version },
    minor: evaluatedMinor(enforce.version),
    source: { kind: 'admission' },
  };
  if (adm.exemption)
    return { runs: [], head: fallback, exemption: adm.exemption.message, exemptModes: [] };
  const source = (origin: PolicyOrigin): PolicySource => {
    if (origin.kind === 'label' || origin.kind === 'followsEnforce') {
      return {
        kind: 'namespace',
        namespace,
        ...(labelled ? { file: labelled.file, span: labelled.spans[origin.label] } : {}),
        label: origin.label,
      };
    }
    if (origin.kind === 'configDefault')
      return { kind: 'admission', file: origin.file, span: origin.span, label: origin.key };
    return { kind: 'admission' };
  };
  const runs: ModeRun[] = [];
  // Modes whose requests are exempt while others are not (an exempt user applying a Deployment:
  // its own request, so warn, is exempt; the controller's Pods, so enforce, are not).
  const exemptModes: Mode[] = [];
  for (const mode of ['enforce', 'warn', 'audit'] as const) {
    const v = adm.modes[mode];
    if (v.applies && v.exemption) exemptModes.push(mode);
    if (!v.applies || v.exemption || v.policy.level === 'privileged') continue;
    runs.push({
      mode,
      policy: { level: v.policy.level, version: v.policy.version },
      minor: evaluatedMinor(v.policy.version),
      source: source(v.policy.levelOrigin),
    });
  }
  return { runs, head: runs[0] ?? fallback, exemption: null, exemptModes };
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
  const annotated: AnnotationSuppression[] = [];
  let cutShort = false;
  parsed.docs.forEach((doc, docIndex) => {
    if (parsed.broken.has(docIndex) || cutShort) return;
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
      let exemption: string | null = null;
      let exemptModes: Mode[] = [];
      let runs: ModeRun[];
      let head: ModeRun;
      if (o.admission) {
        const a = admissionRuns(
          o,
          o.admission,
          kind,
          ref.namespace ?? o.defaultNamespace,
          pod.spec.get('runtimeClassName').str() ?? null,
          local,
        );
        runs = a.runs;
        head = a.head;
        exemption = a.exemption;
        exemptModes = a.exemptModes;
      } else ({ runs, head } = modeRuns(o, ref.namespace ?? o.defaultNamespace, local));
      const objSpan = obj.span;
      const headSpan = (obj.get('kind').node ? obj.get('kind').span : objSpan) satisfies Span;
      const summary: WorkloadSummary = {
        object: ref,
        span: objSpan,
        headSpan,
        policy: head.policy,
        policySource: head.source,
        podSpecSpan: pod.spec.node ? pod.spec.span : null,
        ...(exemption ? { exemption } : {}),
        ...(exemptModes.length > 0 ? { exemptModes } : {}),
      };
      analysis.workloads.push(summary);
      annotationSuppressions(obj, template, objSpan, ref, annotated);
      if (exemption) {
        // The API server decodes the object before admission exempts it.
        pod.decodeIntegers();
        // One note, no findings: admission does not evaluate an exempt workload.
        analysis.notes.push({
          message: exemption,
          span: headSpan,
          code: 'policy',
          severity: 'information',
        });
        return;
      }
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
            if (analysis.findings.length > o.maxFindings) break; // noted below
            // The container name cut short: a 1 MB name would make every key 1 MB.
            const key = `${check.id}:${p.span.start}:${p.span.end}:${clip(p.container ?? '')}:${p.detail}`;
            if (seen.has(key)) continue; // reported once, at the most severe mode
            seen.add(key);
            analysis.findings.push(
              toFinding(text, doc, check.id, check.level, outcome, p, run, ref),
            );
          }
        }
      }
      // What no check read at this level is still decoded, as the API server decodes it.
      pod.decodeIntegers();
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
    const found = analysis.findings.length - firstFinding;
    if (found > DEFAULT_LIMITS.maxFindingsPerDocument) {
      // A bounded report per document: the first findings, and one message saying so.
      analysis.findings.length = firstFinding + DEFAULT_LIMITS.maxFindingsPerDocument;
      const r = doc.range;
      analysis.errors.push({
        message: `Document not fully evaluated: ${found} findings, over the limit of ${DEFAULT_LIMITS.maxFindingsPerDocument} per document; the first ${DEFAULT_LIMITS.maxFindingsPerDocument} are shown`,
        span: { start: r[0], end: Math.min(r[1], r[0] + 1) },
        code: 'limit',
        severity: 'error',
      });
    }
    for (const e of ctx.errors) analysis.errors.push(e);
    if (analysis.findings.length > o.maxFindings) {
      // Bounded output: the first findings, and a note where evaluation stopped.
      cutShort = true;
      analysis.findings.length = o.maxFindings;
      const r = doc.range;
      analysis.notes.push({
        message: `Not fully evaluated: more than ${o.maxFindings} findings; the first ${o.maxFindings} are shown and the rest of the file is not evaluated`,
        span: { start: r[0], end: Math.min(r[1], r[0] + 1) },
        code: 'limit',
        severity: 'information',
      });
    }
  });

  if (o.suppressions) applySuppressions(text, parsed.docs, analysis, annotated);
  return analysis;
}

interface AnnotationSuppression extends Suppression {
  object: ObjectRef;
}

/** The `podsec.io/ignore` annotations of a workload and of its pod template, covering the object. */
function annotationSuppressions(
  obj: Cursor,
  template: Cursor,
  covers: Span,
  object: ObjectRef,
  out: AnnotationSuppression[],
): void {
  const seen = new Set<unknown>();
  for (const holder of [obj, template]) {
    const value = holder.get('metadata').get('annotations').get(IGNORE_ANNOTATION);
    if (!value.present || seen.has(value.node)) continue;
    seen.add(value.node);
    out.push({
      ...parseDirective(value.str() ?? ''),
      span: value.span,
      covers,
      used: false,
      form: 'annotation',
      object,
    });
  }
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
    message: p.defaulted
      ? `${message(outcome.reason, p.detail, p.path)} (${p.defaulted})`
      : message(outcome.reason, p.detail, p.path),
    path: p.path,
    span: p.span,
    object,
    // Cut like the message quotes it: a 1 MB name aliased into every container stays bounded.
    container: p.container === null ? null : clip(p.container),
    policy: run.policy,
    evaluatedVersion: `v1.${run.minor}`,
    policySource: run.source,
    fixes,
    ...(p.defaulted ? { defaulted: p.defaulted } : {}),
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
  annotated: readonly AnnotationSuppression[],
): void {
  const sups: Array<Suppression & { object?: ObjectRef }> = [];
  if (text.includes('podsec-ignore')) {
    const lines = new LineIndex(text);
    const docRanges: Span[] = [];
    for (const d of docs) {
      const c = d.contents as { range?: [number, number, number] } | null;
      if (c?.range) docRanges.push({ start: c.range[0], end: d.range[2] });
    }
    sups.push(...findSuppressions(text, lines, docRanges));
  }
  // Comments first: the nearer suppression gives a finding its reason.
  sups.push(...annotated);
  if (sups.length === 0) return;
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = analysis.suppressed ?? [];
  for (const f of analysis.findings) {
    const s = suppressedBy(sups, f.check, f.span.start);
    if (s === null) kept.push(f);
    else
      suppressed.push({
        ...f,
        suppression: { kind: s.form ?? 'comment', justification: s.reason, span: s.span },
      });
  }
  analysis.findings = kept;
  if (suppressed.length > 0) analysis.suppressed = suppressed;
  const policy: Policy = analysis.findings[0]?.policy ?? { level: 'restricted', version: 'latest' };
  for (const s of sups) {
    const problems: string[] = [];
    if (s.unknown.length > 0)
      problems.push(`unknown check ${s.unknown.map((u) => `"${clip(u)}"`).join(', ')}`);
    if (s.checks.length === 0 && s.unknown.length === 0) problems.push('no check named');
    if (s.reason === '') problems.push('no reason given after "--"');
    // Whether a hardening check's suppression silences anything is known only
    // once the hardening checks have run over every file (hardening/findings.ts).
    if (!s.used && s.checks.length > 0 && !s.checks.some(isHardeningCheckId))
      problems.push('it silences nothing here');
    if (problems.length === 0) continue;
    const detail =
      s.form === 'annotation'
        ? `${problems.join('; ')}. Use: ${IGNORE_ANNOTATION}: "<checkId>[,<checkId>…] -- <reason>"`
        : `${problems.join('; ')}. Use: # podsec-ignore <checkId>[,<checkId>…] -- <reason>`;
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
      object: s.object ?? { kind: '', name: null, namespace: null, document: 0, item: null },
      container: null,
      policy,
      evaluatedVersion: `v1.${evaluatedMinor(policy.version)}`,
      policySource: { kind: 'setting' },
      fixes: [],
    });
  }
  analysis.findings.sort((a, b) => a.span.start - b.span.start);
}
