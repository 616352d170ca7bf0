/**
 * The level advisor: where each workload stands and what it takes to move up.
 *
 * - The level a workload meets at a version is what admission would decide:
 *   with no baseline finding it meets baseline, and with no restricted-level
 *   finding either it meets restricted; otherwise privileged. Baseline is
 *   judged by a baseline evaluation (at restricted, hostPathVolumes is
 *   replaced by restrictedVolumes, which would hide a hostPath from it).
 * - `podsec-ignore` comments do not raise a level: admission reads no
 *   comments. A suppressed finding still stands between the workload and the
 *   next level (marked `suppressed`), and fixing to a level leaves it alone.
 * - "Fix to <level>" applies the safe fixes of one workload's findings at that
 *   level (fixAll with the workload filter); what would still stand after it
 *   is counted by applying them to a copy and evaluating again.
 * - Namespaces group workloads by `metadata.namespace` ("default" when
 *   absent). For each, the report says which workloads its labels reject or
 *   warn about now, and would if `enforce` moved up a level or to the newest
 *   version. Version upgrades compare evaluations at two versions.
 */
import type { HardeningReport } from './hardening/findings';
import { AnalysisCache } from './cache';
import { fixAll } from './fixall';
import { LineIndex } from './lines';
import { evaluatedMinor, LABEL_PREFIX, LATEST_VERSION, namespacePolicies } from './policy';
import type { PspAnalysis } from './psp';
import { podSecurityPoliciesIn } from './psp';
import { CHECKS_BY_ID } from './registry';
import { namespacesIn } from './evaluate';
import { DEFAULT_LIMITS } from './limits';
import { parseFile } from './parse';
import type {
  Analysis,
  AnalyzeOptions,
  CheckId,
  Finding,
  Level,
  Mode,
  NamespaceLabels,
  ObjectRef,
  Policy,
  Span,
} from './types';

export const DEFAULT_NAMESPACE = 'default';

const RANK: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** The next stricter level, or null above restricted. */
export function nextLevel(level: Level): Level | null {
  return level === 'privileged' ? 'baseline' : level === 'baseline' ? 'restricted' : null;
}

/** Whether a workload that meets `met` is admitted by a policy at `required`. */
export function meets(met: Level, required: Level): boolean {
  return RANK[met] >= RANK[required];
}

/** One finding standing between a workload and the next level. */
export interface Blocker {
  check: CheckId;
  /** Level of the check. */
  level: Level;
  message: string;
  path: string;
  span: Span;
  container: string | null;
  /** A safe fix exists (and is applied by "Fix to"), only unsafe ones, or none. */
  fix: 'safe' | 'unsafe' | 'none';
  /** Silenced by a podsec-ignore comment (admission still counts it). */
  suppressed: boolean;
}

/** What applying a workload's safe fixes for the next level would do. */
export interface FixOutlook {
  /** Blockers with a safe fix (0: "Fix to" has nothing to do). */
  fixable: number;
  /** Blockers still standing after the safe fixes are applied. */
  left: number;
}

export interface WorkloadAdvice {
  object: ObjectRef;
  span: Span;
  headSpan: Span;
  /** The concrete version evaluated, e.g. "v1.37". */
  evaluatedVersion: string;
  /** The highest level the workload meets. */
  level: Level;
  /** The next level up, null at restricted. */
  next: Level | null;
  /** The findings between it and `next` (distinct located problems). */
  blockers: Blocker[];
  /** Outcome of "Fix to <next>"; null at restricted or when not computed. */
  fix: FixOutlook | null;
}

export interface AdviseOptions {
  /** Policy version (default latest). */
  version?: string;
  file?: string;
  maxFileBytes?: number;
  maxAliasCount?: number;
  maxDepth?: number;
  /** Also work out what "Fix to <next>" leaves (default true; costs a fix-all per level). */
  fixOutlook?: boolean;
}

const workloadKey = (o: { document: number; item: number | null }): string =>
  `${o.document}:${o.item ?? ''}`;

const findingKey = (f: Finding): string =>
  `${f.check}:${f.span.start}:${f.span.end}:${f.container ?? ''}`;

const isCheck = (f: Finding): boolean => CHECKS_BY_ID.has(f.check as CheckId);

/** The same text with its suppression comments disabled (same length, so offsets hold). */
function withoutSuppressions(text: string): string {
  return text.includes('podsec-ignore') ? text.replace(/podsec-ignore/g, 'podsec-ignor_') : text;
}

function analyzeOptions(o: AdviseOptions, level: Level): AnalyzeOptions {
  return {
    level,
    version: o.version ?? 'latest',
    namespaceLabels: false,
    file: o.file,
    maxFileBytes: o.maxFileBytes,
    maxAliasCount: o.maxAliasCount,
    maxDepth: o.maxDepth,
  };
}

function byWorkload(a: Analysis): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of a.findings) {
    if (!isCheck(f)) continue;
    const k = workloadKey(f.object);
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(f);
  }
  return m;
}

function distinct(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = findingKey(f);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Evaluations of one text at one version, with and without suppressions. */
class Evaluations {
  private readonly admission = new AnalysisCache();
  private readonly user = new AnalysisCache();
  private readonly neutral: string;
  private readonly results = new Map<Level, { admission: Analysis; user: Analysis }>();

  constructor(
    readonly text: string,
    readonly options: AdviseOptions,
  ) {
    this.neutral = withoutSuppressions(text);
  }

  at(level: Level): { admission: Analysis; user: Analysis } {
    let r = this.results.get(level);
    if (!r) {
      const admission = this.admission.analyze(this.neutral, analyzeOptions(this.options, level));
      const user =
        this.neutral === this.text
          ? admission
          : this.user.analyze(this.text, analyzeOptions(this.options, level));
      r = { admission, user };
      this.results.set(level, r);
    }
    return r;
  }
}

function toBlockers(findings: readonly Finding[], user: Analysis): Blocker[] {
  const kept = new Set(user.findings.map(findingKey));
  return distinct(findings).map((f) => ({
    check: f.check as CheckId,
    level: f.level,
    message: f.message,
    path: f.path,
    span: f.span,
    container: f.container,
    fix: f.fixes.some((x) => x.safe && x.edits.length > 0)
      ? 'safe'
      : f.fixes.length > 0
        ? 'unsafe'
        : 'none',
    suppressed: !kept.has(findingKey(f)),
  }));
}

/**
 * The highest level each workload of `text` meets at `options.version`, the
 * findings between it and the next level, and what "Fix to" would leave.
 * Namespace labels play no part here: this is the workload on its own.
 */
export function adviseText(text: string, options: AdviseOptions = {}): WorkloadAdvice[] {
  const ev = new Evaluations(text, options);
  const base = ev.at('baseline');
  const evaluatedVersion = `v1.${evaluatedMinor(options.version ?? 'latest')}`;
  const baseFindings = byWorkload(base.admission);
  let restrictedFindings: Map<string, Finding[]> | null = null;
  const out: WorkloadAdvice[] = [];
  for (const w of base.admission.workloads) {
    const key = workloadKey(w.object);
    const bf = baseFindings.get(key) ?? [];
    let level: Level;
    let blockers: Blocker[];
    if (bf.length > 0) {
      level = 'privileged';
      blockers = toBlockers(bf, base.user);
    } else {
      const r = ev.at('restricted');
      restrictedFindings ??= byWorkload(r.admission);
      const rf = restrictedFindings.get(key) ?? [];
      level = rf.length > 0 ? 'baseline' : 'restricted';
      blockers = toBlockers(rf, r.user);
    }
    out.push({
      object: w.object,
      span: w.span,
      headSpan: w.headSpan,
      evaluatedVersion,
      level,
      next: nextLevel(level),
      blockers,
      fix: null,
    });
  }
  if (options.fixOutlook !== false) addFixOutlook(text, options, out);
  return out;
}

function addFixOutlook(text: string, options: AdviseOptions, advice: WorkloadAdvice[]): void {
  for (const target of ['baseline', 'restricted'] as const) {
    const group = advice.filter((a) => a.next === target);
    const fixable = group.filter((a) => a.blockers.some((b) => b.fix === 'safe' && !b.suppressed));
    for (const a of group) {
      const n = a.blockers.filter((b) => b.fix === 'safe' && !b.suppressed).length;
      a.fix = { fixable: n, left: a.blockers.length };
    }
    if (fixable.length === 0) continue;
    const keys = new Set(fixable.map((a) => workloadKey(a.object)));
    const fixed = fixAll(text, analyzeOptions(options, target), {
      filter: (f) => isCheck(f) && keys.has(workloadKey(f.object)),
    });
    const after = new AnalysisCache().analyze(
      withoutSuppressions(fixed.text),
      analyzeOptions(options, target),
    );
    const left = byWorkload(after);
    for (const a of fixable) {
      a.fix = {
        fixable: a.fix?.fixable ?? 0,
        left: distinct(left.get(workloadKey(a.object)) ?? []).length,
      };
    }
  }
}

/**
 * The text with the safe fixes of one workload (the object at `document` /
 * `item`) applied for `level` at `version`: what "Fix to <level>" does.
 */
export function fixWorkloadToLevel(
  text: string,
  workload: { document: number; item: number | null },
  level: Level,
  options: AdviseOptions = {},
): { text: string; applied: number; left: number } {
  const key = workloadKey(workload);
  const fixed = fixAll(text, analyzeOptions(options, level), {
    filter: (f) => isCheck(f) && workloadKey(f.object) === key,
  });
  const after = new AnalysisCache().analyze(
    withoutSuppressions(fixed.text),
    analyzeOptions(options, level),
  );
  const left = distinct(byWorkload(after).get(key) ?? []).length;
  return { text: fixed.text, applied: fixed.applied, left };
}

// ---------------------------------------------------------------- version upgrades

export interface CheckChange {
  check: CheckId;
  message: string;
  path: string;
  span: Span;
  container: string | null;
}

export interface WorkloadUpgrade {
  object: ObjectRef;
  span: Span;
  headSpan: Span;
  /** Highest level met at the two versions. */
  fromLevel: Level;
  toLevel: Level;
  /** Findings (at the compared level) that fire at `to` but not at `from`. */
  added: CheckChange[];
  /** Findings that fire at `from` but no longer at `to`. */
  relaxed: CheckChange[];
}

export interface UpgradeOptions extends Omit<AdviseOptions, 'version' | 'fixOutlook'> {
  from: string;
  to: string;
  /** Level whose findings are compared (default restricted). */
  level?: Level;
}

function change(f: Finding): CheckChange {
  return {
    check: f.check as CheckId,
    message: f.message,
    path: f.path,
    span: f.span,
    container: f.container,
  };
}

/** What changes for each workload of `text` between two policy versions. */
export function compareVersions(text: string, options: UpgradeOptions): WorkloadUpgrade[] {
  const level = options.level ?? 'restricted';
  const neutral = withoutSuppressions(text);
  const at = (version: string) =>
    new AnalysisCache().analyze(neutral, analyzeOptions({ ...options, version }, level));
  const a = at(options.from);
  const b = at(options.to);
  const fromAdvice = adviseText(text, { ...options, version: options.from, fixOutlook: false });
  const toAdvice = adviseText(text, { ...options, version: options.to, fixOutlook: false });
  const fa = byWorkload(a);
  const fb = byWorkload(b);
  return a.workloads.map((w, i) => {
    const key = workloadKey(w.object);
    const before = distinct(fa.get(key) ?? []);
    const after = distinct(fb.get(key) ?? []);
    const beforeKeys = new Set(before.map(findingKey));
    const afterKeys = new Set(after.map(findingKey));
    return {
      object: w.object,
      span: w.span,
      headSpan: w.headSpan,
      fromLevel: fromAdvice[i]?.level ?? 'privileged',
      toLevel: toAdvice[i]?.level ?? 'privileged',
      added: after.filter((f) => !beforeKeys.has(findingKey(f))).map(change),
      relaxed: before.filter((f) => !afterKeys.has(findingKey(f))).map(change),
    };
  });
}

// ---------------------------------------------------------------- the workspace report

export interface ReportInput {
  /** Path as shown in the report. */
  path: string;
  text: string;
}

export interface ReportOptions {
  /** Version the workload levels are given at (default latest). */
  version?: string;
  /** Compare versions: from → to (both required for the upgrade section). */
  from?: string;
  to?: string;
  /** Level the version comparison looks at (default restricted). */
  level?: Level;
  /** Use Namespace labels found in the inputs (default true). */
  namespaceLabels?: boolean;
  /** Namespaces known from elsewhere (the language server's workspace index). */
  namespaces?: ReadonlyMap<string, NamespaceLabels>;
  maxFileBytes?: number;
  maxAliasCount?: number;
}

export interface Located {
  path: string;
  /** 1-based line and column (code points). */
  line: number;
  column: number;
}

export interface ReportBlocker extends Located {
  check: CheckId;
  level: Level;
  message: string;
  container: string | null;
  fix: Blocker['fix'];
  suppressed: boolean;
}

export interface ReportWorkload extends Located {
  kind: string;
  name: string | null;
  /** metadata.namespace, or "default". */
  namespace: string;
  document: number;
  item: number | null;
  level: Level;
  next: Level | null;
  blockers: ReportBlocker[];
}

export interface ModeLabel {
  level: Level;
  version: string;
  /** Whether a label set it (else the default, or warn following enforce). */
  labelled: boolean;
}

export type Verdict = 'admitted' | 'warned' | 'rejected';

export interface Scenario {
  /** "now", "enforce up a level", "enforce at latest". */
  kind: 'current' | 'enforceLevel' | 'enforceVersion';
  title: string;
  enforce: Policy;
  warn: Policy;
  /** Workloads (indices into the namespace's list) whose pods enforce would reject. */
  rejected: number[];
  /** Workloads not rejected but warned about. */
  warned: number[];
}

export interface ReportNamespace {
  name: string;
  /** The file of the Namespace document, if one was found. */
  declaredIn: string | null;
  /** Its pod-security.kubernetes.io labels as written. */
  labels: Record<string, string>;
  enforce: ModeLabel;
  warn: ModeLabel;
  audit: ModeLabel;
  workloads: ReportWorkload[];
  scenarios: Scenario[];
}

export interface ReportUpgrade {
  from: string;
  to: string;
  fromVersion: string;
  toVersion: string;
  level: Level;
  workloads: Array<{
    workload: Located & { kind: string; name: string | null; namespace: string };
    fromLevel: Level;
    toLevel: Level;
    added: Array<Located & { check: CheckId; message: string }>;
    relaxed: Array<Located & { check: CheckId; message: string }>;
  }>;
}

export interface ReportPsp extends Located {
  name: string | null;
  level: Level;
  next: Level | null;
  /** The settings that keep it from restricted, the least strict first. */
  blockers: Array<{ field: string; value: string; level: Level; reason: string }>;
  gaps: Array<{ field: string; value: string; kind: 'noEquivalent' | 'mutating'; note: string }>;
}

export interface AdvisorReport {
  version: string;
  evaluatedVersion: string;
  namespaces: ReportNamespace[];
  upgrade: ReportUpgrade | null;
  podSecurityPolicies: ReportPsp[];
  /** Files (or documents) that could not be evaluated. */
  errors: Array<Located & { message: string }>;
  summary: {
    files: number;
    workloads: number;
    byLevel: Record<Level, number>;
    podSecurityPolicies: number;
  };
  /** The hardening checks' section, when they ran (the command line adds it). */
  hardening?: HardeningReport;
}

function collectNamespacesIn(
  text: string,
  file: string,
  limits: { maxFileBytes?: number; maxAliasCount?: number },
): NamespaceLabels[] {
  if (!text.includes('Namespace')) return [];
  const parsed = parseFile(text, {
    maxFileBytes: limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxDepth: DEFAULT_LIMITS.maxDepth,
  });
  return namespacesIn(
    parsed.docs,
    parsed.broken,
    file,
    limits.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  );
}

function located(path: string, lines: LineIndex, offset: number): Located {
  const p = lines.humanPosition(offset);
  return { path, line: p.line, column: p.column };
}

function modeLabel(labels: Record<string, string>, mode: Mode, policy: Policy): ModeLabel {
  return {
    level: policy.level,
    version: policy.version,
    labelled: labels[`${LABEL_PREFIX}${mode}`] !== undefined,
  };
}

/** Build the report of a set of files: workloads by namespace, labels, what-ifs, upgrades, PSPs. */
export function buildReport(
  inputs: readonly ReportInput[],
  options: ReportOptions = {},
): AdvisorReport {
  const version = options.version ?? 'latest';
  const limits = { maxFileBytes: options.maxFileBytes, maxAliasCount: options.maxAliasCount };
  const namespaceDocs = new Map<string, NamespaceLabels>(options.namespaces ?? []);
  if (options.namespaceLabels !== false) {
    for (const i of inputs) {
      for (const ns of collectNamespacesIn(i.text, i.path, limits)) namespaceDocs.set(ns.name, ns);
    }
  }
  const errors: AdvisorReport['errors'] = [];
  const psps: ReportPsp[] = [];
  const all: Array<{ w: ReportWorkload; input: ReportInput; lines: LineIndex }> = [];
  // level of each workload per evaluated minor, for the what-ifs
  const levelsAt = new Map<number, Map<ReportWorkload, Level>>();
  const perInput = inputs.map((input) => ({ input, lines: new LineIndex(input.text) }));

  const levelsFor = (v: string): Map<ReportWorkload, Level> => {
    const minor = evaluatedMinor(v);
    let m = levelsAt.get(minor);
    if (m) return m;
    m = new Map();
    for (const { input } of perInput) {
      const mine = all.filter((x) => x.input === input);
      if (mine.length === 0) continue;
      const advice = adviseText(input.text, {
        ...limits,
        version: `v1.${minor}`,
        file: input.path,
        fixOutlook: false,
      });
      const byKey = new Map(advice.map((a) => [workloadKey(a.object), a.level]));
      for (const x of mine) m.set(x.w, byKey.get(workloadKey(x.w)) ?? 'privileged');
    }
    levelsAt.set(minor, m);
    return m;
  };

  for (const { input, lines } of perInput) {
    const advice = adviseText(input.text, {
      ...limits,
      version,
      file: input.path,
      fixOutlook: false,
    });
    const analysis = new AnalysisCache().analyze(input.text, {
      ...limits,
      namespaceLabels: false,
      level: 'privileged',
    });
    for (const e of analysis.errors) {
      errors.push({ ...located(input.path, lines, e.span.start), message: e.message });
    }
    for (const a of advice) {
      const w: ReportWorkload = {
        ...located(input.path, lines, a.headSpan.start),
        kind: a.object.kind,
        name: a.object.name,
        namespace: a.object.namespace ?? DEFAULT_NAMESPACE,
        document: a.object.document,
        item: a.object.item,
        level: a.level,
        next: a.next,
        blockers: a.blockers.map((b) => ({
          ...located(input.path, lines, b.span.start),
          check: b.check,
          level: b.level,
          message: b.message,
          container: b.container,
          fix: b.fix,
          suppressed: b.suppressed,
        })),
      };
      all.push({ w, input, lines });
    }
    for (const p of podSecurityPoliciesIn(input.text, limits)) {
      psps.push(pspEntry(p, input.path, lines));
    }
  }
  levelsAt.set(evaluatedMinor(version), new Map(all.map((x) => [x.w, x.w.level])));

  // Namespaces: every one with a workload, and every declared one with pod-security labels.
  const names = new Set(all.map((x) => x.w.namespace));
  for (const ns of namespaceDocs.values()) {
    if (Object.keys(ns.labels).some((k) => k.startsWith(LABEL_PREFIX))) names.add(ns.name);
  }
  const namespaces: ReportNamespace[] = [...names].sort().map((name) => {
    const decl = namespaceDocs.get(name);
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(decl?.labels ?? {})) {
      if (k.startsWith(LABEL_PREFIX)) labels[k] = v;
    }
    const modes = namespacePolicies(labels).modes;
    const policy = (m: Mode): Policy => modes.find((x) => x.mode === m)!.policy;
    const workloads = all.filter((x) => x.w.namespace === name).map((x) => x.w);
    const scenario = (
      kind: Scenario['kind'],
      title: string,
      next: Record<string, string>,
    ): Scenario => {
      const ms = namespacePolicies(next).modes;
      const enforce = ms.find((x) => x.mode === 'enforce')!.policy;
      const warn = ms.find((x) => x.mode === 'warn')!.policy;
      const rejected: number[] = [];
      const warned: number[] = [];
      const enforceLevels = levelsFor(enforce.version);
      const warnLevels = levelsFor(warn.version);
      workloads.forEach((w, i) => {
        if (!meets(enforceLevels.get(w) ?? 'privileged', enforce.level)) rejected.push(i);
        else if (!meets(warnLevels.get(w) ?? 'privileged', warn.level)) warned.push(i);
      });
      return { kind, title, enforce, warn, rejected, warned };
    };
    const scenarios: Scenario[] = [scenario('current', 'now', labels)];
    const enforce = policy('enforce');
    const up = nextLevel(enforce.level);
    if (up) {
      scenarios.push(
        scenario('enforceLevel', `if enforce moved to ${up}`, {
          ...labels,
          [`${LABEL_PREFIX}enforce`]: up,
        }),
      );
    }
    if (
      enforce.version !== 'latest' &&
      evaluatedMinor(enforce.version) < evaluatedMinor('latest')
    ) {
      scenarios.push(
        scenario('enforceVersion', `if enforce moved to latest (${LATEST_VERSION})`, {
          ...labels,
          [`${LABEL_PREFIX}enforce`]: enforce.level,
          [`${LABEL_PREFIX}enforce-version`]: 'latest',
        }),
      );
    }
    return {
      name,
      declaredIn: decl?.file ?? null,
      labels,
      enforce: modeLabel(labels, 'enforce', enforce),
      warn: modeLabel(labels, 'warn', policy('warn')),
      audit: modeLabel(labels, 'audit', policy('audit')),
      workloads,
      scenarios,
    };
  });

  let upgrade: ReportUpgrade | null = null;
  if (options.from !== undefined && options.to !== undefined) {
    const level = options.level ?? 'restricted';
    const from = options.from;
    const to = options.to;
    upgrade = {
      from,
      to,
      fromVersion: `v1.${evaluatedMinor(from)}`,
      toVersion: `v1.${evaluatedMinor(to)}`,
      level,
      workloads: [],
    };
    for (const { input, lines } of perInput) {
      if (!all.some((x) => x.input === input)) continue;
      for (const u of compareVersions(input.text, {
        ...limits,
        from,
        to,
        level,
        file: input.path,
      })) {
        if (u.added.length === 0 && u.relaxed.length === 0 && u.fromLevel === u.toLevel) continue;
        const loc = (c: CheckChange) => ({
          ...located(input.path, lines, c.span.start),
          check: c.check,
          message: c.message,
        });
        upgrade.workloads.push({
          workload: {
            ...located(input.path, lines, u.headSpan.start),
            kind: u.object.kind,
            name: u.object.name,
            namespace: u.object.namespace ?? DEFAULT_NAMESPACE,
          },
          fromLevel: u.fromLevel,
          toLevel: u.toLevel,
          added: u.added.map(loc),
          relaxed: u.relaxed.map(loc),
        });
      }
    }
  }

  const byLevel: Record<Level, number> = { privileged: 0, baseline: 0, restricted: 0 };
  for (const x of all) byLevel[x.w.level]++;
  return {
    version,
    evaluatedVersion: `v1.${evaluatedMinor(version)}`,
    namespaces,
    upgrade,
    podSecurityPolicies: psps,
    errors,
    summary: {
      files: inputs.length,
      workloads: all.length,
      byLevel,
      podSecurityPolicies: psps.length,
    },
  };
}

function pspEntry(p: PspAnalysis, path: string, lines: LineIndex): ReportPsp {
  return {
    ...located(path, lines, p.kindSpan.start),
    name: p.name,
    level: p.level,
    next: p.next,
    blockers: p.settings
      .filter((b) => b.level !== 'restricted')
      .sort((a, b) => RANK[a.level] - RANK[b.level])
      .map((b) => ({
        field: b.field,
        value: b.value,
        level: b.level,
        reason: b.reason,
      })),
    gaps: p.gaps.map((g) => ({ field: g.field, value: g.value, kind: g.kind, note: g.note })),
  };
}
