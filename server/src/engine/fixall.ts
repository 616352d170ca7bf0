/**
 * Apply many fixes at once. Fixes are computed independently against the
 * same text, so two of them may touch the same place (both creating a
 * container's `securityContext:`). Each round applies the fixes whose edits
 * don't collide with an already chosen one, then re-analyses; the rest wait
 * for the next round. A fix that does not remove its finding cannot loop:
 * rounds are bounded.
 */
import { AnalysisCache } from './cache';
import { applyEdits, editsOtherFiles } from './fixes/edits';
import type { AnalyzeOptions, Finding, Fix, TextEdit } from './types';

export interface FixAllOptions {
  /** Also apply fixes that may change how the workload runs. */
  unsafe?: boolean;
  /** Only fix the findings this accepts (e.g. one workload's). */
  filter?: (f: Finding) => boolean;
  /** Upper bound on rounds (default 32). */
  maxRounds?: number;
}

export interface FixAllResult {
  text: string;
  /** Fixes applied. */
  applied: number;
  /** Findings left after the last round. */
  remaining: Finding[];
}

function collides(a: TextEdit, b: TextEdit): boolean {
  return a.start === b.start || (a.start < b.end && b.start < a.end);
}

export function fixAll(
  text: string,
  options: AnalyzeOptions,
  fixOptions: FixAllOptions = {},
): FixAllResult {
  const cache = new AnalysisCache();
  const maxRounds = fixOptions.maxRounds ?? 32;
  let current = text;
  let applied = 0;
  let analysis = cache.analyze(current, options);
  let onePerDocument = false;
  for (let round = 0; round < maxRounds; round++) {
    const chosen: TextEdit[] = [];
    const seen = new Set<string>();
    const documents = new Set<number>();
    let count = 0;
    for (const f of analysis.findings) {
      if (fixOptions.filter && !fixOptions.filter(f)) continue;
      // A fix that edits other files too is made by --fix over a tree, never in this text alone.
      const fix: Fix | undefined = f.fixes.find(
        (x) => (x.safe || fixOptions.unsafe === true) && !editsOtherFiles(x),
      );
      if (!fix || fix.edits.length === 0) continue;
      const id = JSON.stringify(fix.edits);
      if (seen.has(id)) continue;
      if (onePerDocument && documents.has(f.object.document)) continue;
      if (fix.edits.some((e) => chosen.some((c) => collides(e, c)))) continue;
      seen.add(id);
      documents.add(f.object.document);
      chosen.push(...fix.edits);
      count++;
    }
    if (count === 0) break;
    const next = applyEdits(current, chosen);
    const nextAnalysis = cache.analyze(next, options);
    if (!onePerDocument && nextAnalysis.errors.length > analysis.errors.length) {
      // Fixes that are right alone can clash together (one empties a map another adds to):
      // from now on, one fix per YAML document per round.
      onePerDocument = true;
      analysis = cache.analyze(current, options);
      continue;
    }
    applied += count;
    current = next;
    analysis = nextAnalysis;
  }
  const remaining = fixOptions.filter
    ? analysis.findings.filter(fixOptions.filter)
    : analysis.findings;
  return { text: current, applied, remaining };
}
