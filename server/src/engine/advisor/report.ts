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
 *
 * Each input may carry its own settings (`ReportInput.settings`: the
 * `.podsec.yaml` and admission configuration that apply to its folder), over
 * the report's options: its workloads are given at its version and its
 * admission configuration decides their exemptions. When the inputs have
 * different admission configurations, a namespace is one per configuration
 * (a namespace of that name in each cluster), each naming its file.
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
  /**
   * For generated text (a rendered Helm chart): where each offset of `text`
   * was written (a template line, a values key), and the release it was
   * rendered as. Without it, places are lines of `path` itself.
   */
  generated?: {
    locate: (offset: number) => Located;
    chart: ReportChart;
  };
  /**
   * This input's own settings (the configuration of its folder), over the
   * report's options; its `admission` (absent: none) replaces the report's.
   */
  settings?: ReportInputSettings;
}

/** The report options an input's own configuration may set. */
export type ReportInputSettings = Pick<
  ReportOptions,
  'version' | 'level' | 'namespaceLabels' | 'admission' | 'asUser'
>;

/** The chart release a workload was rendered from. */
export interface ReportChart {
  /** The chart's name (Chart.yaml). */
  name: string;
  /** The value set (`default`: the chart's own values). */
  valueSet: string;
  releaseName: string;
  /** The release's namespace: where the workloads that name none are created. */
  namespace: string;
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
  /** For a workload of a rendered Helm chart: the chart, value set and release. */
  chart?: ReportChart;
  /** When the admission configuration exempts it: which exemption (admission does not evaluate it). */
  exemption?: string;
  /** The modes exempt when the others are not (an exempt user applying a Deployment: warn). */
  exemptModes?: Mode[];
  /** The version its level is given at, when its own configuration sets one other than the report's. */
  version?: string;
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
  /**
   * When the inputs have different admission configurations: the one of
   * this namespace's files (null: none, upstream's defaults).
   */
  admissionConfiguration?: string | null;
}

export interface ReportUpgrade {
  from: string;
  to: string;
  fromVersion: string;
  toVersion: string;
  level: Level;
  workloads: Array<{
    workload: Located & {
      kind: string;
      name: string | null;
      namespace: string;
      chart?: ReportChart;
    };
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

/** Where an offset of an input's text is shown: its own line, or the origin of generated text. */
function placeOf(input: ReportInput, lines: LineIndex, offset: number): Located {
  return input.generated ? input.generated.locate(offset) : located(input.path, lines, offset);
}

/** The namespace a workload is created in: its own, else a chart release's, else "default". */
function namespaceOf(input: ReportInput, ns: string | null): string {
  return ns ?? input.generated?.chart.namespace ?? DEFAULT_NAMESPACE;
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
    // The report's options, and over them what the input's own configuration sets; its
    // admission configuration is its own (none when it has none), never the report's.
    o: (input.settings
      ? { ...options, ...input.settings, admission: input.settings.admission }
      : options) satisfies ReportOptions,
  }));
  const optionsOf = new Map(perInput.map((p) => [p.input, p.o]));
  const admissionOf = (input: ReportInput): AdmissionConfig | undefined =>
    optionsOf.get(input)?.admission;
  const namespaceDocs = new Map<string, NamespaceLabels>(options.namespaces ?? []);
  /** The admission configuration of the file declaring each Namespace. */
  const declaredUnder = new Map<string, AdmissionConfig | undefined>();
  for (const { session, o, input } of perInput) {
    if (o.namespaceLabels === false) continue;
    for (const ns of session.namespaces()) {
      namespaceDocs.set(ns.name, ns);
      declaredUnder.set(ns.name, admissionOf(input));
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

  for (const { input, lines, session, o } of perInput) {
    const admission = o.admission;
    const inputVersion = o.version ?? 'latest';
    const advice = adviseText(
      input.text,
      { ...limits, version: inputVersion, file: input.path, fixOutlook: false },
      session,
    );
    const analysis = session.analyze({ namespaceLabels: false, level: 'privileged' });
    // What the admission configuration exempts, as the check command sees it.
    const exempt = new Map<string, string>();
    const exemptModes = new Map<string, Mode[]>();
    if (admission) {
      const admitted = session.analyze({
        admission,
        ...(o.asUser !== undefined ? { asUser: o.asUser } : {}),
        namespaceLabels: o.namespaceLabels !== false,
        namespaces: namespaceDocs,
      });
      for (const w of admitted.workloads) {
        if (w.exemption) exempt.set(workloadKey(w.object), w.exemption);
        if (w.exemptModes) exemptModes.set(workloadKey(w.object), w.exemptModes);
      }
    }
    for (const e of analysis.errors) {
      errors.push({ ...placeOf(input, lines, e.span.start), message: e.message });
    }
    for (const a of advice) {
      const w: ReportWorkload = {
        ...placeOf(input, lines, a.headSpan.start),
        kind: a.object.kind,
        name: a.object.name,
        namespace: namespaceOf(input, a.object.namespace),
        document: a.object.document,
        item: a.object.item,
        level: a.level,
        next: a.next,
        blockers: a.blockers.map((b) => ({
          ...placeOf(input, lines, b.span.start),
          check: b.check,
          level: b.level,
          message: b.message,
          container: b.container,
          fix: b.fix,
          suppressed: b.suppressed,
        })),
        ...(input.generated ? { chart: input.generated.chart } : {}),
        ...(inputVersion !== version ? { version: inputVersion } : {}),
      };
      const exemption = exempt.get(workloadKey(a.object));
      if (exemption !== undefined) w.exemption = exemption;
      const modes = exemptModes.get(workloadKey(a.object));
      if (modes) w.exemptModes = modes;
      all.push({ w, input, lines });
    }
    for (const p of podSecurityPoliciesIn(input.text, limits)) {
      psps.push(pspEntry(p, placeOf(input, lines, p.kindSpan.start)));
    }
  }
  // The levels just computed are those at the report's version, unless an input set its own.
  if (all.every((x) => x.w.version === undefined))
    levelsAt.set(evaluatedMinor(version), new Map(all.map((x) => [x.w, x.w.level])));

  // Namespaces: every one with a workload, and every declared one with pod-security labels;
  // one per admission configuration when the inputs have several.
  const admissions = [...new Set(perInput.map((p) => p.o.admission))];
  const several = admissions.length > 1;
  // One configuration for all: the inputs', or the report's when there are no inputs.
  const only = admissions.length === 1 ? admissions[0] : options.admission;
  const groups = new Map<string, { name: string; admission: AdmissionConfig | undefined }>();
  const group = (name: string, admission: AdmissionConfig | undefined): void => {
    const key = `${name}\u0000${several ? admissions.indexOf(admission) : 0}`;
    if (!groups.has(key)) groups.set(key, { name, admission: several ? admission : only });
  };
  for (const x of all) group(x.w.namespace, admissionOf(x.input));
  for (const ns of namespaceDocs.values()) {
    if (!Object.keys(ns.labels).some((k) => k.startsWith(LABEL_PREFIX))) continue;
    if ([...groups.values()].some((g) => g.name === ns.name)) continue;
    group(ns.name, declaredUnder.has(ns.name) ? declaredUnder.get(ns.name) : options.admission);
  }
  const sorted = [...groups.values()].sort(
    (a, b) =>
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      (a.admission?.file ?? '').localeCompare(b.admission?.file ?? ''),
  );
  const namespaces: ReportNamespace[] = sorted.map(({ name, admission }) => {
    const decl = namespaceDocs.get(name);
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(decl?.labels ?? {})) {
      if (k.startsWith(LABEL_PREFIX)) labels[k] = v;
    }
    const modes = modesFor(labels, name, admission);
    const policy = (m: Mode): Policy => modes[m];
    const workloads = all
      .filter((x) => x.w.namespace === name && (!several || admissionOf(x.input) === admission))
      .map((x) => x.w);
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
      ...(several ? { admissionConfiguration: admission?.file ?? null } : {}),
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
    for (const { input, lines, session, o } of perInput) {
      if (!all.some((x) => x.input === input)) continue;
      for (const u of compareVersions(
        input.text,
        { ...limits, from, to, level: o.level ?? level, file: input.path },
        session,
      )) {
        if (u.added.length === 0 && u.relaxed.length === 0 && u.fromLevel === u.toLevel) continue;
        const loc = (c: CheckChange) => ({
          ...placeOf(input, lines, c.span.start),
          check: c.check,
          message: c.message,
        });
        upgrade.workloads.push({
          workload: {
            ...placeOf(input, lines, u.headSpan.start),
            kind: u.object.kind,
            name: u.object.name,
            namespace: namespaceOf(input, u.object.namespace),
            ...(input.generated ? { chart: input.generated.chart } : {}),
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
      // A chart rendered with several value sets is one input per set, and one file.
      files: new Set(inputs.map((i) => i.path)).size,
      workloads: all.length,
      byLevel,
      podSecurityPolicies: psps.length,
    },
  };
}

function pspEntry(p: PspAnalysis, at: Located): ReportPsp {
  return {
    ...at,
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
