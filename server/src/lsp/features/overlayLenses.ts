/**
 * The level advisor's lenses on a workload Kustomize overlays deploy: what
 * the overlays build, not the file alone. "meets" says the level each
 * overlay's build of it meets (`meets restricted in overlays/prod; baseline
 * in overlays/dev`); "Fix to" applies, in this file, the safe fixes of what
 * the overlays find in it, up to the next level above the lowest any
 * overlay meets, and says how many of those findings have no safe fix here.
 */
import { CHECKS, fixAll, nextLevel, plural } from '../../engine';
import { LEVEL_RANK } from '../../engine/policy';
import type { Finding, Level, OverlayStanding, WorkloadSummary } from '../../engine';
import { editsOtherFiles } from '../../engine/fixes/edits';
import type { AnalysisResult } from './analysisResult';
import { inWorkload } from './analysisResult';

const CHECK_LEVEL = new Map<string, Level>(CHECKS.map((c) => [c.id, c.level]));

/** The overlays' standings of the workload `w` of this file (its object's), with the level each build meets. */
export function standingsOf(r: AnalysisResult, w: WorkloadSummary): OverlayStanding[] {
  const out: OverlayStanding[] = [];
  for (const o of r.analysis.overlayWorkloads ?? []) {
    if (o.met === undefined || out.some((x) => x.overlay === o.overlay)) continue;
    const inside =
      o.span.start <= w.span.start && w.span.start < Math.max(o.span.end, o.span.start + 1);
    if (inside) out.push(o);
  }
  return out.sort((a, b) => a.overlay.localeCompare(b.overlay));
}

/** The "meets" lens of a workload the overlays deploy: levels by overlay, the highest first. */
export function overlayMeetsLens(list: readonly OverlayStanding[]): {
  title: string;
  tooltip: string;
} {
  const levels = [...new Set(list.map((o) => o.met as Level))].sort(
    (a, b) => LEVEL_RANK[b] - LEVEL_RANK[a],
  );
  const title = `meets ${levels
    .map(
      (l) =>
        `${l} in ${list
          .filter((o) => o.met === l)
          .map((o) => o.overlay)
          .join(', ')}`,
    )
    .join('; ')}`;
  const tooltip = list
    .map((o) => {
      const next = nextLevel(o.met as Level);
      const to = next ? `, ${plural(o.toNext ?? 0, 'change')} to ${next}` : '';
      return `${o.overlay}: its build meets ${o.met ?? ''} at ${o.policy.version}${to}.`;
    })
    .join('\n');
  return { title, tooltip };
}

/**
 * The findings the overlays place in workload `w` of this file that stand
 * below `level` (with `suppressed`, those a suppression silences instead).
 */
function blockersTo(
  r: AnalysisResult,
  w: WorkloadSummary,
  level: Level,
  suppressed = false,
): Finding[] {
  const mine = inWorkload(w);
  const list = suppressed ? (r.analysis.suppressed ?? []) : r.analysis.findings;
  return list.filter(
    (f) =>
      f.overlays !== undefined &&
      f.family !== 'hardening' &&
      mine(f) &&
      LEVEL_RANK[CHECK_LEVEL.get(f.check) ?? 'restricted'] <= LEVEL_RANK[level],
  );
}

const safeHere = (f: Finding): boolean =>
  f.fixes.some((x) => x.safe && x.edits.length > 0 && !editsOtherFiles(x));

/**
 * The "Fix to" lens of a workload the overlays deploy: the level (the next
 * above the lowest any overlay's build meets), how many of the overlays'
 * findings in it a safe fix here settles and how many it leaves; null at
 * restricted or when no safe fix applies here. The findings left count the
 * suppressed ones (`suppressed` of them), as "meets" does: admission reads
 * no comments, so the build still fails them.
 */
export function overlayFixTo(
  r: AnalysisResult,
  w: WorkloadSummary,
  list: readonly OverlayStanding[],
): { level: Level; fixable: number; left: number; suppressed: number; overlays: string[] } | null {
  const low = list.reduce<Level>(
    (m, o) => (LEVEL_RANK[o.met as Level] < LEVEL_RANK[m] ? (o.met as Level) : m),
    'restricted',
  );
  const level = nextLevel(low);
  if (!level) return null;
  const seen = new Set<string>();
  let fixable = 0;
  let left = 0;
  for (const f of blockersTo(r, w, level)) {
    const key = `${f.check}\u0000${f.span.start}\u0000${f.span.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (safeHere(f)) fixable++;
    else left++;
  }
  let suppressed = 0;
  for (const f of blockersTo(r, w, level, true)) {
    const key = `${f.check}\u0000${f.span.start}\u0000${f.span.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    suppressed++;
  }
  if (fixable === 0) return null;
  const overlays = list.filter((o) => LEVEL_RANK[o.met as Level] < LEVEL_RANK[level]);
  return {
    level,
    fixable,
    left: left + suppressed,
    suppressed,
    overlays: overlays.map((o) => o.overlay),
  };
}

/** A problem as the base alone and the overlays' builds both name it: its check and container. */
const problemKey = (f: Finding): string => `${f.check}\u0000${f.container ?? ''}`;

/**
 * The text after "Fix to <level>" on a workload the overlays deploy: the safe
 * fixes, in this file, of the problems the overlays find in it up to `level`
 * and that a fix here settles (each named by check and container), made in
 * rounds on this file's text as fix-all makes them, so that two fixes of one
 * `securityContext` both land. Nothing else of the file is touched.
 */
export function overlayFixToText(
  r: AnalysisResult,
  w: WorkloadSummary,
  level: Level,
  version: string,
): string {
  const keys = new Set(blockersTo(r, w, level).filter(safeHere).map(problemKey));
  if (keys.size === 0) return r.text;
  const mine = inWorkload(w);
  return fixAll(
    r.text,
    { level, version, namespaceLabels: false },
    { filter: (f) => mine(f) && keys.has(problemKey(f)) },
  ).text;
}
