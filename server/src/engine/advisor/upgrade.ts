/**
 * Version upgrades: what changes for each workload between two policy
 * versions (the checks that start or stop firing, and the level met at
 * each). Both versions are evaluated from one analysis session.
 */
import type { AnalysisSession } from '../session';
import type { CheckId, Finding, Level, ObjectRef, Span } from '../types';
import type { AdviseOptions } from './advice';
import { adviseText } from './advice';
import { byWorkload, distinct, findingKey, sessionOf, workloadKey } from './shared';

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

/**
 * What changes for each workload of `text` between two policy versions.
 * `session` (of the same text) is reused when given.
 */
export function compareVersions(
  text: string,
  options: UpgradeOptions,
  session?: AnalysisSession,
): WorkloadUpgrade[] {
  const s = sessionOf(text, options, session);
  const level = options.level ?? 'restricted';
  const at = (version: string) =>
    s.analyze({ level, version, namespaceLabels: false, suppressions: false });
  const a = at(options.from);
  const b = at(options.to);
  const fromAdvice = adviseText(text, { ...options, version: options.from, fixOutlook: false }, s);
  const toAdvice = adviseText(text, { ...options, version: options.to, fixOutlook: false }, s);
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
