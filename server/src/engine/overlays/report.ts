/**
 * The report's overlay section: each root kustomization with the workloads
 * its build deploys, each placed on the file and line it comes from, with
 * the level that applies in the overlay (the setting's, the admission
 * configuration's, or its Namespace's label, as the build was analysed) and
 * whether the overlay's build of it is admitted.
 */
import { LineIndex } from '../lines';
import { LATEST_VERSION, LEVEL_RANK, nextLevel } from '../policy';
import type { Level, PolicySource } from '../types';
import type { OverlayEvaluation } from './evaluate';

export interface ReportOverlayWorkload {
  kind: string;
  name: string | null;
  namespace: string | null;
  /** Where its object is written (the base resource, or a generator entry): display path, 1-based line and column. */
  path: string;
  line: number;
  column: number;
  /** The enforce level and version in this overlay, and where they come from in words. */
  level: Level;
  version: string;
  from: string;
  /** Findings enforce rejects (0: admitted), and warn shows. */
  rejected: number;
  warned: number;
  /**
   * The highest level the overlay's build of it meets (the level advisor's,
   * at the version that applies there), the next level up and the findings
   * between them; when the overlays were evaluated with `advise`.
   */
  met?: Level;
  next?: Level | null;
  toNext?: number;
  /** When its version is older than the latest: the level the build meets at the latest. */
  metLatest?: Level;
}

/**
 * A what-if of one overlay: its workloads' enforce level moved up one, or
 * their enforce version moved to the latest; how many would be rejected.
 */
export interface OverlayScenario {
  title: string;
  /** The level enforce would move to (the version what-if keeps each workload's own). */
  level?: Level;
  /** For the version what-if: the version enforce would move to. */
  version?: string;
  /** Of `of` workloads enforced at the level below, how many would be rejected. */
  rejected: number;
  of: number;
}

export interface ReportOverlay {
  /** The overlay's name (`overlays/prod`). */
  name: string;
  /** Why it did not build, when it did not. */
  error: string | null;
  workloads: ReportOverlayWorkload[];
  /** The lowest level its workloads meet (null: none, or not advised). */
  met: Level | null;
  /** What-ifs: enforce moved up a level where each workload is. */
  scenarios: OverlayScenario[];
}

/** Where a policy comes from, in words: "the enforce label of Namespace dev". */
export function policyFrom(src: PolicySource): string {
  if (src.kind === 'namespace')
    return `the ${src.label ?? 'enforce'} label of Namespace ${src.namespace ?? ''}`;
  if (src.kind === 'admission') return 'the admission configuration';
  return 'the setting';
}

/**
 * The overlays of evaluations, in name order. `text` gives a file's text as
 * the build read it (for lines), `display` how a file is shown.
 */
export function overlayReport(
  evaluations: readonly OverlayEvaluation[],
  text: (file: string) => string | null,
  display: (file: string) => string,
): ReportOverlay[] {
  const lines = new Map<string, LineIndex | null>();
  const linesOf = (file: string): LineIndex | null => {
    if (!lines.has(file)) {
      const t = text(file);
      lines.set(file, t === null ? null : new LineIndex(t));
    }
    return lines.get(file) ?? null;
  };
  const out: ReportOverlay[] = [];
  for (const ev of evaluations) {
    for (const b of ev.builds) {
      const workloads: ReportOverlayWorkload[] = ev.workloads
        .filter((w) => w.overlay === b.name)
        .map((w) => {
          const s = w.summary;
          const at = linesOf(w.file)?.humanPosition(s.span.start) ?? { line: 1, column: 1 };
          return {
            kind: s.object.kind,
            name: s.object.name,
            namespace: s.object.namespace,
            path: display(w.file),
            line: at.line,
            column: at.column,
            level: s.policy.level,
            version: s.policy.version,
            from: policyFrom(s.policySource),
            rejected: w.rejected,
            warned: w.warned,
            ...(w.met !== undefined
              ? { met: w.met, next: nextLevel(w.met), toNext: w.toNext ?? 0 }
              : {}),
            ...(w.metLatest !== undefined ? { metLatest: w.metLatest } : {}),
          };
        });
      out.push({
        name: b.name,
        error: b.build.error?.message ?? null,
        workloads,
        met: lowest(workloads),
        scenarios: scenariosOf(workloads),
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The lowest level a list of workloads meets, or null when none was advised. */
function lowest(ws: readonly ReportOverlayWorkload[]): Level | null {
  let out: Level | null = null;
  for (const w of ws)
    if (w.met !== undefined && (out === null || LEVEL_RANK[w.met] < LEVEL_RANK[out])) out = w.met;
  return out;
}

/**
 * The what-ifs of an overlay: for each level enforce could move up to (from
 * where its workloads are enforced), how many of those workloads the build
 * would then have rejected (they meet less than that level).
 */
function scenariosOf(ws: readonly ReportOverlayWorkload[]): OverlayScenario[] {
  const by = new Map<Level, OverlayScenario>();
  for (const w of ws) {
    const up = nextLevel(w.level);
    if (up === null || w.met === undefined) continue;
    const s = by.get(up) ?? { title: `if enforce moved to ${up}`, level: up, rejected: 0, of: 0 };
    s.of++;
    if (LEVEL_RANK[w.met] < LEVEL_RANK[up]) s.rejected++;
    by.set(up, s);
  }
  const out = [...by.values()].sort(
    (a, b) => LEVEL_RANK[a.level ?? 'restricted'] - LEVEL_RANK[b.level ?? 'restricted'],
  );
  // The enforce version moved to the latest, at each workload's own level.
  const pinned = ws.filter((w) => w.metLatest !== undefined);
  if (pinned.length > 0)
    out.push({
      title: `if enforce moved to latest (${LATEST_VERSION})`,
      version: 'latest',
      rejected: pinned.filter((w) => LEVEL_RANK[w.metLatest as Level] < LEVEL_RANK[w.level]).length,
      of: pinned.length,
    });
  return out;
}
