/**
 * The bound on what one file reports in all. A file's findings come from
 * several places (its own evaluation, bounded per document and per text; the
 * hardening checks; every overlay build or chart value set that places
 * findings in it), so their sum is bounded once more, per file.
 */
import { DEFAULT_LIMITS } from './limits';
import type { Analysis } from './types';

/**
 * `analysis` with at most `limit` findings (the first ones, in their order)
 * and, when some were left out, one note saying how many; unchanged otherwise.
 */
export function boundFileFindings(
  analysis: Analysis,
  limit: number = DEFAULT_LIMITS.maxFindingsPerFile,
): Analysis {
  const over = analysis.findings.length - limit;
  if (over <= 0) return analysis;
  const findings = analysis.findings.slice(0, limit);
  const last = findings[findings.length - 1];
  const at = last ? last.span.start : 0;
  return {
    ...analysis,
    findings,
    notes: [
      ...analysis.notes,
      {
        message: `File not fully reported: ${over} more findings are not listed (at most ${limit} per file)`,
        span: { start: at, end: at },
        code: 'limit',
        severity: 'information',
      },
    ],
  };
}
