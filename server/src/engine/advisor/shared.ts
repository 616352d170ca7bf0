/**
 * What the advisor's parts share: level order, workload and finding keys, and
 * the evaluations of one text (an analysis session) at a level.
 */
import { nextLevel, stricter } from '../policy';
import { CHECKS_BY_ID } from '../registry';
import { AnalysisSession } from '../session';
import type { Analysis, CheckId, Finding, Level } from '../types';

export const DEFAULT_NAMESPACE = 'default';

export { nextLevel };

/** Whether a workload that meets `met` is admitted by a policy at `required`. */
export function meets(met: Level, required: Level): boolean {
  return !stricter(required, met);
}

export const workloadKey = (o: { document: number; item: number | null }): string =>
  `${o.document}:${o.item ?? ''}`;

export const findingKey = (f: Finding): string =>
  `${f.check}:${f.span.start}:${f.span.end}:${f.container ?? ''}`;

export const isCheck = (f: Finding): boolean => CHECKS_BY_ID.has(f.check as CheckId);

/** Check findings of an analysis, by workload key. */
export function byWorkload(a: Analysis): Map<string, Finding[]> {
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

/** Findings with one entry per located problem (the most severe mode comes first). */
export function distinct(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = findingKey(f);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Limits and file name the advisor's evaluations share. */
export interface AdvisorLimits {
  file?: string;
  maxFileBytes?: number;
  maxAliasCount?: number;
  maxDepth?: number;
}

/** A session for `text`, or the one given (which must be of the same text). */
export function sessionOf(
  text: string,
  limits: AdvisorLimits,
  session?: AnalysisSession,
): AnalysisSession {
  if (session) {
    if (session.text !== text) throw new Error('analysis session of another text');
    return session;
  }
  return new AnalysisSession(text, {
    file: limits.file,
    maxFileBytes: limits.maxFileBytes,
    maxAliasCount: limits.maxAliasCount,
    maxDepth: limits.maxDepth,
  });
}

/**
 * What admission decides for the workloads on their own (no Namespace labels, no
 * suppressions: admission reads no comments) and what the user sees (with them).
 */
export function evaluationsAt(
  session: AnalysisSession,
  level: Level,
  version: string,
): { admission: Analysis; user: Analysis } {
  const q = { level, version, namespaceLabels: false } as const;
  return {
    admission: session.analyze({ ...q, suppressions: false }),
    user: session.analyze({ ...q, suppressions: true }),
  };
}
