/**
 * The level advisor's code lenses: per workload, on its first line (above
 * `apiVersion:`), where it stands against the level that applies to it
 * (`restricted: 4 changes`, or `restricted: compliant`), the highest level it
 * meets when that is another (`meets baseline`) and, when safe fixes apply, `Fix to restricted`;
 * an exempt workload (the cluster's admission configuration) shows its exemption instead of its standing;
 * each with a tooltip. Also the edit the fix lens's command makes. The
 * advice is read from the document's current analysis session (nothing is
 * parsed again), once per policy version; fix outlooks of unchanged YAML
 * documents are kept across edits. On a file Kustomize overlays deploy, first
 * a lens of the level each overlay applies and whether it admits the workload;
 * then "meets" and "Fix to" say what the overlays build (overlayLenses.ts).
 */
import type { CodeLens, WorkspaceEdit } from 'vscode-languageserver';
import { adviseText, fixWorkloadToLevel, plural } from '../../engine';
import type { Level, OverlayStanding, Span, WorkloadAdvice, WorkloadSummary } from '../../engine';
import { policyFrom } from '../../engine/overlays/index';
import { SERVER_COMMANDS, serverCommand } from '../protocol';
import type { ChartFixTarget, FixToLevelArgs, PodsecSettings } from '../protocol';
import type { AnalysisResult } from './analysisResult';
import { inWorkload, workloadKey } from './analysisResult';
import { problemGroups } from './groups';
import type { EditCapabilities } from './edits';
import { rewriteEdit } from './edits';
import { overlayFixTo, overlayFixToText, overlayMeetsLens, standingsOf } from './overlayLenses';

const RANK: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };

/**
 * The changes between a workload and the level that applies to it: the
 * advisor's count when that level is the next one up, else the problems the
 * editor shows for it (the level is two above: privileged to restricted).
 */
function changesTo(r: AnalysisResult, w: WorkloadSummary, a: WorkloadAdvice): number {
  if (RANK[a.level] >= RANK[w.policy.level]) return 0;
  if (a.next === w.policy.level) return a.blockers.length;
  const mine = inWorkload(w);
  const findings = r.analysis.findings;
  return problemGroups(r).filter((g) => {
    const f = findings[g[0]!]!;
    return f.mode === 'enforce' && mine(f);
  }).length;
}

/** The lens of where a workload stands against the level that applies to it. */
function standingLens(
  r: AnalysisResult,
  w: WorkloadSummary,
  a: WorkloadAdvice,
): { title: string; tooltip: string } {
  const applied = w.policy.level;
  const at = `${w.policy.version}${w.policy.version !== a.evaluatedVersion ? ` (${a.evaluatedVersion})` : ''}`;
  const n = changesTo(r, w, a);
  if (n === 0) {
    return {
      title: `${applied}: compliant`,
      tooltip: `Meets the level that applies to it: ${applied} at ${at}.`,
    };
  }
  return {
    title: `${applied}: ${plural(n, 'change')}`,
    tooltip: `${plural(n, 'problem')} to fix before it meets the level that applies to it: ${applied} at ${at}.`,
  };
}

/** The lens of the highest level a workload meets. */
function meetsLens(a: WorkloadAdvice): { title: string; tooltip: string } {
  const next = a.next
    ? ` ${plural(a.blockers.length, 'change')} to ${a.next}.`
    : ' It meets every level.';
  return {
    title: `meets ${a.level}`,
    tooltip: `The highest Pod Security level it meets at ${a.evaluatedVersion}.${next}`,
  };
}

/** The title of the "Fix to" lens, or null when no safe fix applies. */
function fixLensTitle(a: WorkloadAdvice): string | null {
  if (!a.next || !a.fix || a.fix.fixable === 0) return null;
  return `Fix to ${a.next}${a.fix.left > 0 ? ` (${a.fix.left} left)` : ''}`;
}

/** The advice for every workload of the analysed text at one policy version, by workload key. */
function adviceAt(r: AnalysisResult, version: string, s: PodsecSettings) {
  return r.derived(`advice ${version}`, () => {
    const advice = adviseText(
      r.text,
      {
        version,
        maxFileBytes: s.maxFileSize,
        maxAliasCount: s.maxAliasCount,
        outlookMemo: r.outlookMemo,
      },
      r.session,
    );
    return new Map(advice.map((a) => [workloadKey(a), a]));
  });
}

/**
 * The advice for every workload of an analysed document, each at the version
 * of the policy that applies to it (the setting, or its Namespace's label).
 */
function adviceFor(r: AnalysisResult, s: PodsecSettings): WorkloadAdvice[] {
  return r.derived('advice', () =>
    r.analysis.workloads.flatMap((w) => adviceAt(r, w.policy.version, s).get(workloadKey(w)) ?? []),
  );
}

/** How overlays are named in a lens: the last part of each name, when those are all different. */
function shortNames(names: readonly string[]): (n: string) => string {
  const last = (n: string) => n.slice(n.lastIndexOf('/') + 1) || n;
  const distinct = new Set(names.map(last)).size === new Set(names).size;
  return distinct ? last : (n) => n;
}

const where = (o: OverlayStanding): string =>
  `${o.policy.level} (${o.policy.version}) from ${policyFrom(o.policySource)}`;

/**
 * The lens of each workload a Kustomize overlay deploys from this file: the
 * level that applies in each overlay (its Namespace's, or the setting's) and
 * whether the overlay's build of it is admitted (`prod: restricted ✓, dev:
 * baseline ✗`), from the analysis the overlays made.
 */
function overlayLenses(r: AnalysisResult): CodeLens[] {
  const all = r.analysis.overlayWorkloads ?? [];
  if (all.length === 0) return [];
  const short = shortNames([...new Set(all.map((o) => o.overlay))]);
  const byObject = new Map<number, OverlayStanding[]>();
  for (const o of all) {
    const list = byObject.get(o.span.start) ?? [];
    if (!list.some((x) => x.overlay === o.overlay)) list.push(o);
    byObject.set(o.span.start, list);
  }
  const out: CodeLens[] = [];
  for (const [start, list] of [...byObject].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.overlay.localeCompare(b.overlay));
    const title = list
      .map((o) => `${short(o.overlay)}: ${o.policy.level} ${o.rejected === 0 ? '✓' : '✗'}`)
      .join(', ');
    const tooltip = list
      .map(
        (o) =>
          `${o.overlay}${o.namespace ? ` (namespace ${o.namespace})` : ''}: ${where(o)}; ` +
          (o.rejected === 0 ? 'admitted' : `${plural(o.rejected, 'finding')} enforce rejects`) +
          (o.warned > 0 ? `, ${plural(o.warned, 'warning')}` : '') +
          '.',
      )
      .join('\n');
    out.push({ range: r.range({ start, end: start }), command: { title, tooltip, command: '' } });
  }
  return out;
}

/** Code lenses of one analysed document. */
export function codeLenses(r: AnalysisResult, s: PodsecSettings): CodeLens[] {
  const lenses: CodeLens[] = overlayLenses(r);
  const workloads = new Map(r.analysis.workloads.map((w) => [workloadKey(w), w]));
  for (const a of adviceFor(r, s)) {
    const w = workloads.get(workloadKey(a));
    if (!w) continue;
    const range = r.range({ start: a.span.start, end: a.span.start });
    // A workload overlays deploy: their builds, not this file alone (the overlay lens gives the standing).
    const deployed = standingsOf(r, w);
    if (deployed.length > 0) {
      lenses.push({ range, command: { ...overlayMeetsLens(deployed), command: '' } });
      const fx = overlayFixTo(r, w, deployed);
      if (fx) {
        const args: FixToLevelArgs = {
          uri: r.uri,
          version: r.version,
          offset: a.span.start,
          level: fx.level,
          policyVersion: w.policy.version,
          inOverlays: true,
        };
        const title = `Fix to ${fx.level}${fx.left > 0 ? ` (${fx.left} left)` : ''}`;
        lenses.push({
          range,
          command: {
            ...serverCommand(title, SERVER_COMMANDS.fixToLevel, args),
            tooltip: `Applies, in this file, the safe fixes of what ${fx.overlays.join(', ')} find in this workload for ${fx.level}, as one edit${fx.left > 0 ? `; ${plural(fx.left, 'finding')} without a safe fix here would remain` : ''}${fx.suppressed > 0 ? ` (${fx.suppressed} suppressed here: admission reads no comments, so the builds still fail them)` : ''}.`,
          },
        });
      }
      continue;
    }
    // Admission does not evaluate an exempt workload: the lens says so, and which exemption.
    const standing =
      w.exemption !== undefined
        ? { title: 'exempt from Pod Security', tooltip: `${w.exemption}.` }
        : standingLens(r, w, a);
    lenses.push({ range, command: { ...standing, command: '' } });
    // "meets restricted" next to "restricted: compliant" would say it twice.
    if (a.level !== w.policy.level || w.exemption !== undefined) {
      lenses.push({ range, command: { ...meetsLens(a), command: '' } });
    }
    const fix = fixLensTitle(a);
    if (fix && a.next) {
      const args: FixToLevelArgs = {
        uri: r.uri,
        version: r.version,
        offset: a.span.start,
        level: a.next,
        policyVersion: w.policy.version,
      };
      const left = a.fix?.left ?? 0;
      lenses.push({
        range,
        command: {
          ...serverCommand(fix, SERVER_COMMANDS.fixToLevel, args),
          tooltip: `Applies this workload's safe fixes for ${a.next} as one edit${left > 0 ? `; ${plural(left, 'finding')} without a safe fix would remain` : ''}.`,
        },
      });
    }
  }
  return lenses;
}

/** The edit "Fix to <level>" makes, or null when the document moved on or nothing changes. */
export function fixToLevelEdit(
  r: AnalysisResult,
  s: PodsecSettings,
  args: FixToLevelArgs,
  caps: EditCapabilities,
): WorkspaceEdit | null {
  if (r.version !== args.version) return null; // stale lens: refuse
  const w = r.workloadAt(args.offset);
  if (!w) return null;
  if (args.inOverlays === true)
    return rewriteEdit(r, overlayFixToText(r, w, args.level, args.policyVersion), caps);
  const fixed = fixWorkloadToLevel(r.text, w.object, args.level, {
    version: args.policyVersion,
    maxFileBytes: s.maxFileSize,
    maxAliasCount: s.maxAliasCount,
  });
  return rewriteEdit(r, fixed.text, caps);
}

/** A rendered workload placed in a chart file, for the code lenses. */
export interface ChartWorkload {
  /** Its `kind:` value in the file. */
  span: Span;
  workload: WorkloadSummary;
  advice: WorkloadAdvice;
  /** Its problems at the policy that applies to it, in enforce mode (one per field). */
  enforceProblems: number;
  release: { chart: string; valueSet: string; releaseName: string; namespace: string };
  /** How many value sets the chart was rendered with. */
  valueSets: number;
}

/**
 * The lenses of a chart file: per rendered workload whose `kind:` line is in
 * it, where it stands against the level that applies to it and the highest
 * level it meets, naming the value set when the chart renders with several.
 * The "Fix to" lenses are chartFixLenses'.
 */
export function chartCodeLenses(r: AnalysisResult, placed: readonly ChartWorkload[]): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const p of placed) {
    const w = p.workload;
    const a = p.advice;
    const applied = w.policy.level;
    const n =
      RANK[a.level] >= RANK[applied]
        ? 0
        : a.next === applied
          ? a.blockers.length
          : p.enforceProblems;
    const rel = p.release;
    const from = `${rel.chart} with value set ${rel.valueSet}, release ${rel.releaseName} in namespace ${rel.namespace}`;
    const set = p.valueSets > 1 ? `${rel.valueSet}: ` : '';
    const range = r.range({ start: p.span.start, end: p.span.start });
    lenses.push({
      range,
      command: {
        title: `${set}${applied}: ${n === 0 ? 'compliant' : plural(n, 'change')}`,
        tooltip: `${w.object.kind} ${w.object.name ?? '(unnamed)'} as rendered from chart ${from}: ${n === 0 ? 'meets' : `${plural(n, 'problem')} before it meets`} ${applied} at ${a.evaluatedVersion}.`,
        command: '',
      },
    });
    if (a.level !== applied) {
      lenses.push({
        range,
        command: { ...meetsLens(a), title: `${set}meets ${a.level}`, command: '' },
      });
    }
  }
  return lenses;
}

/** A "Fix to <level>" lens of a chart file (see ChartAnalyses.fixLensesIn). */
export interface ChartFixLens {
  /** Where it stands: the workload's `kind:` value, or its first fix or finding in this file. */
  span: Span;
  /** Not on the workload's `kind:` line: the title names the workload. */
  named: boolean;
  workload: Omit<ChartFixTarget, 'valueSet'>;
  level: Level;
  policyVersion: string;
  /** The workload's findings at `level` with a safe fix at their origin, and those without. */
  fixable: number;
  left: number;
  release: { chart: string; valueSet: string; releaseName: string; namespace: string };
  valueSets: number;
}

/**
 * The "Fix to <level>" lenses of a chart file, as plain files have them: the
 * command applies the rendered workload's safe fixes for that level at their
 * origin (values.yaml where the value came from values, else the template),
 * as one edit of every file it touches.
 */
export function chartFixLenses(r: AnalysisResult, lenses: readonly ChartFixLens[]): CodeLens[] {
  return lenses.map((p) => {
    const w = p.workload;
    const set = p.valueSets > 1 ? `${p.release.valueSet}: ` : '';
    const who = p.named ? ` ${w.name ?? w.kind}` : '';
    const left = p.left > 0 ? ` (${p.left} left)` : '';
    const args: FixToLevelArgs = {
      uri: r.uri,
      version: r.version,
      offset: p.span.start,
      level: p.level,
      policyVersion: p.policyVersion,
      chart: { valueSet: p.release.valueSet, ...w },
    };
    const rel = p.release;
    return {
      range: r.range(p.span),
      command: {
        ...serverCommand(`${set}Fix${who} to ${p.level}${left}`, SERVER_COMMANDS.fixToLevel, args),
        tooltip:
          `Applies the safe fixes of ${w.kind} ${w.name ?? '(unnamed)'} (chart ${rel.chart}, value set ${rel.valueSet}, release ${rel.releaseName}) for ${p.level} as one edit: ` +
          `in the values file where a value comes from values, else in the template` +
          (p.left > 0 ? `; ${plural(p.left, 'finding')} without a safe fix would remain.` : '.'),
      },
    };
  });
}
