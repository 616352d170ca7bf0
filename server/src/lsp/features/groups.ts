/**
 * One problem, one row: findings of different modes, or of a baseline check
 * and the restricted check that overrides it (hostPathVolumes and
 * restrictedVolumes, capabilities_baseline and capabilities_restricted, …),
 * on the same field of the same container are one problem. The diagnostic
 * shows it once, at the most severe mode; the hover names every check.
 */
import { CHECKS } from '../../engine';
import type { Finding, Mode } from '../../engine';
import type { AnalysisResult } from './analysisResult';

/** Baseline check ID → the restricted check that replaces it. */
const OVERRIDDEN_BY: ReadonlyMap<string, string> = new Map(
  CHECKS.flatMap((c) => c.variants.flatMap((v) => (v.overrides ?? []).map((o) => [o, c.id]))),
);

const MODE_RANK: Record<Mode, number> = { enforce: 0, warn: 1, audit: 2 };

/**
 * The key two findings of the same problem share. Findings of different deployed objects (two
 * overlays building one base line) are different problems, each with its own row.
 */
export function problemKey(f: Finding): string {
  const family = OVERRIDDEN_BY.get(f.check) ?? f.check;
  const deployed = f.overlays ? `:${f.overlays.join(',')}` : '';
  return `${f.span.start}:${f.span.end}:${containerKey(f.container)}:${family}${deployed}`;
}

/**
 * A container name in a key: as it is, or for a name past any valid one (63 characters), its
 * start and length, so a 1 MB name aliased into every container does not make every key 1 MB.
 */
function containerKey(name: string | null): string {
  if (name === null) return '';
  return name.length <= 256 ? name : `${name.slice(0, 256)}…${name.length}`;
}

/**
 * The findings of `r` grouped by problem, each group's indices ordered most
 * severe first (enforce before warn before audit, then the restricted check
 * before the baseline one it overrides), groups in the order of their first
 * finding.
 */
export function problemGroups(r: AnalysisResult): number[][] {
  return r.derived('problemGroups', () => groupFindings(r.analysis.findings));
}

export function groupFindings(findings: readonly Finding[]): number[][] {
  const byKey = new Map<string, number[]>();
  findings.forEach((f, i) => {
    const key = problemKey(f);
    const g = byKey.get(key);
    if (g) g.push(i);
    else byKey.set(key, [i]);
  });
  const groups = [...byKey.values()];
  for (const g of groups) {
    g.sort((a, b) => {
      const fa = findings[a]!;
      const fb = findings[b]!;
      return (
        MODE_RANK[fa.mode] - MODE_RANK[fb.mode] ||
        (fa.level === fb.level ? 0 : fa.level === 'restricted' ? -1 : 1) ||
        a - b
      );
    });
  }
  return groups.sort((a, b) => Math.min(...a) - Math.min(...b));
}
