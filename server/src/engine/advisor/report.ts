/**
 * The workspace report: workloads by namespace with where each stands, the
 * namespace's pod-security labels and what they reject or warn about now and
 * if `enforce` moved up a level or to the newest version, version upgrades,
 * and the closest level of each PodSecurityPolicy. Namespaces group workloads
 * by `metadata.namespace` ("default" when absent). Each input is parsed once
 * (one analysis session), whatever the versions the what-ifs need. Rendering
 * lives in ../../render (Markdown and text).
 *
 * With the cluster's admission configuration (`admission`), a namespace's
 * modes are its labels over the configuration's defaults (upstream's
 * PolicyToEvaluate), and an exempt workload (its namespace, its runtime
 * class, or the user who creates it) is shown with its exemption and is
 * never rejected or warned about: admission does not evaluate it.
 */
import type { AdmissionConfig } from '../config/admission';
import { admitNamespace, policyToEvaluate } from '../config/admissionPolicy';
import type { ReportOverlay } from '../overlays/report';
import type { HardeningReport } from '../hardening/findings';
import { LineIndex } from '../lines';
import {
  evaluatedMinor,
  LABEL_PREFIX,
  LATEST_VERSION,
  LEVEL_RANK,
  namespacePolicies,
} from '../policy';
import type { PspAnalysis } from '../psp';
import { podSecurityPoliciesIn } from '../psp';
import { AnalysisSession } from '../session';
import type { CheckId, Level, Mode, NamespaceLabels, Policy } from '../types';
import type { Blocker } from './advice';
import { adviseText } from './advice';
import type { CheckChange } from './upgrade';
import { compareVersions } from './upgrade';
import { DEFAULT_NAMESPACE, meets, nextLevel, workloadKey } from './shared';

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
  /** The cluster's PodSecurity admission configuration: its defaults and exemptions. */
  admission?: AdmissionConfig;
  /** The user who creates the objects (exempt usernames), with `admission`. */
  asUser?: string;
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
  /** When the admission configuration exempts it: which exemption (admission does not evaluate it). */
  exemption?: string;
  /** The modes exempt when the others are not (an exempt user applying a Deployment: warn). */
  exemptModes?: Mode[];
}

export interface ModeLabel {
  level: Level;
  version: string;
  /** Whether a label set it (else the default, or warn following enforce). */
  labelled: boolean;
  /** Set when the default comes from the admission configuration (not a label, not upstream's built-in default). */
  fromAdmission?: true;
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
  /** When the admission configuration exempts the namespace: the exemption, and upstream's warning for its labels if any. */
  exemption?: { message: string; warning: string | null };
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
  /** Kustomize overlays, each with the workloads it deploys (the caller adds them). */
  overlays?: ReportOverlay[];
}

function located(path: string, lines: LineIndex, offset: number): Located {
  const p = lines.humanPosition(offset);
  return { path, line: p.line, column: p.column };
}

function modeLabel(
  labels: Record<string, string>,
  mode: Mode,
  policy: Policy,
  admission: AdmissionConfig | undefined,
): ModeLabel {
  const labelled = labels[`${LABEL_PREFIX}${mode}`] !== undefined;
  return {
    level: policy.level,
    version: policy.version,
    labelled,
    ...(admission && !labelled && admission.defaults[mode].levelOrigin.kind === 'config'
      ? { fromAdmission: true as const }
      : {}),
  };
}

/** Each mode's policy for a namespace's labels: over the admission configuration's defaults when there is one. */
function modesFor(
  labels: Record<string, string>,
  name: string,
  admission: AdmissionConfig | undefined,
): Record<Mode, Policy> {
  if (admission) {
    const m = policyToEvaluate(labels, admission, name).modes;
    const p = (x: Mode): Policy => ({ level: m[x].level, version: m[x].version });
    return { enforce: p('enforce'), warn: p('warn'), audit: p('audit') };
  }
  const ms = namespacePolicies(labels).modes;
  const p = (x: Mode): Policy => ms.find((y) => y.mode === x)!.policy;
  return { enforce: p('enforce'), warn: p('warn'), audit: p('audit') };
}

export function buildReport(
  inputs: readonly ReportInput[],
  options: ReportOptions = {},
): AdvisorReport {
  const version = options.version ?? 'latest';
  const limits = { maxFileBytes: options.maxFileBytes, maxAliasCount: options.maxAliasCount };
  const perInput = inputs.map((input) => ({
    input,
    lines: new LineIndex(input.text),
    session: new AnalysisSession(input.text, { ...limits, file: input.path }),
  }));
  const namespaceDocs = new Map<string, NamespaceLabels>(options.namespaces ?? []);
  if (options.namespaceLabels !== false) {
    for (const { session } of perInput) {
      for (const ns of session.namespaces()) namespaceDocs.set(ns.name, ns);
    }
  }
  const errors: AdvisorReport['errors'] = [];
  const psps: ReportPsp[] = [];
  const all: Array<{ w: ReportWorkload; input: ReportInput; lines: LineIndex }> = [];
  // level of each workload per evaluated minor, for the what-ifs
  const levelsAt = new Map<number, Map<ReportWorkload, Level>>();

  const levelsFor = (v: string): Map<ReportWorkload, Level> => {
    const minor = evaluatedMinor(v);
    let m = levelsAt.get(minor);
    if (m) return m;
    m = new Map();
    for (const { input, session } of perInput) {
      const mine = all.filter((x) => x.input === input);
      if (mine.length === 0) continue;
      const advice = adviseText(
        input.text,
        { ...limits, version: `v1.${minor}`, file: input.path, fixOutlook: false },
        session,
      );
      const byKey = new Map(advice.map((a) => [workloadKey(a.object), a.level]));
      for (const x of mine) m.set(x.w, byKey.get(workloadKey(x.w)) ?? 'privileged');
    }
    levelsAt.set(minor, m);
    return m;
  };

  const admission = options.admission;
  for (const { input, lines, session } of perInput) {
    const advice = adviseText(
      input.text,
      { ...limits, version, file: input.path, fixOutlook: false },
      session,
    );
    const analysis = session.analyze({ namespaceLabels: false, level: 'privileged' });
    // What the admission configuration exempts, as the check command sees it.
    const exempt = new Map<string, string>();
    const exemptModes = new Map<string, Mode[]>();
    if (admission) {
      const admitted = session.analyze({
        admission,
        ...(options.asUser !== undefined ? { asUser: options.asUser } : {}),
        namespaceLabels: options.namespaceLabels !== false,
        namespaces: namespaceDocs,
      });
      for (const w of admitted.workloads) {
        if (w.exemption) exempt.set(workloadKey(w.object), w.exemption);
        if (w.exemptModes) exemptModes.set(workloadKey(w.object), w.exemptModes);
      }
    }
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
      const exemption = exempt.get(workloadKey(a.object));
      if (exemption !== undefined) w.exemption = exemption;
      const modes = exemptModes.get(workloadKey(a.object));
      if (modes) w.exemptModes = modes;
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
    const modes = modesFor(labels, name, admission);
    const policy = (m: Mode): Policy => modes[m];
    const workloads = all.filter((x) => x.w.namespace === name).map((x) => x.w);
    const scenario = (
      kind: Scenario['kind'],
      title: string,
      next: Record<string, string>,
    ): Scenario => {
      const ms = modesFor(next, name, admission);
      const enforce = ms.enforce;
      const warn = ms.warn;
      const rejected: number[] = [];
      const warned: number[] = [];
      const enforceLevels = levelsFor(enforce.version);
      const warnLevels = levelsFor(warn.version);
      workloads.forEach((w, i) => {
        // Admission does not evaluate an exempt workload: never rejected, never warned.
        if (w.exemption !== undefined) return;
        const exemptFrom = (m: Mode) => w.exemptModes?.includes(m) === true;
        if (!exemptFrom('enforce') && !meets(enforceLevels.get(w) ?? 'privileged', enforce.level))
          rejected.push(i);
        else if (!exemptFrom('warn') && !meets(warnLevels.get(w) ?? 'privileged', warn.level))
          warned.push(i);
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
    const nsAdmission = admission ? admitNamespace(admission, name, labels) : null;
    return {
      name,
      declaredIn: decl?.file ?? null,
      labels,
      enforce: modeLabel(labels, 'enforce', enforce, admission),
      warn: modeLabel(labels, 'warn', policy('warn'), admission),
      audit: modeLabel(labels, 'audit', policy('audit'), admission),
      workloads,
      scenarios,
      ...(nsAdmission?.exemption
        ? {
            exemption: {
              message: nsAdmission.exemption.message,
              warning: nsAdmission.warning,
            },
          }
        : {}),
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
    for (const { input, lines, session } of perInput) {
      if (!all.some((x) => x.input === input)) continue;
      for (const u of compareVersions(
        input.text,
        { ...limits, from, to, level, file: input.path },
        session,
      )) {
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
      .sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level])
      .map((b) => ({
        field: b.field,
        value: b.value,
        level: b.level,
        reason: b.reason,
      })),
    gaps: p.gaps.map((g) => ({ field: g.field, value: g.value, kind: g.kind, note: g.note })),
  };
}
