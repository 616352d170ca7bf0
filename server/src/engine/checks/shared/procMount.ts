/**
 * The procMount rule shared by procMount (baseline) and procMount_restricted.
 */
import type { PodView } from '../../podView';
import type { Outcome, Problem } from './api';
import { containersPhrase, quotedSet, setAt } from './api';

export function evaluateProcMount(pod: PodView): Outcome | null {
  const names: string[] = [];
  const values: string[] = [];
  const problems: Problem[] = [];
  for (const c of pod.containers) {
    const f = c.sc.get('procMount');
    const v = f.str();
    if (v === undefined || v === 'Default') continue;
    names.push(c.name);
    values.push(v);
    problems.push({
      container: c.name,
      span: f.span,
      path: f.path,
      detail: `${containersPhrase([c.name])} must not set securityContext.procMount to ${quotedSet([v])}`,
      fix: { title: 'Set procMount: Default', safe: false, ops: setAt(f, 'Default') },
    });
  }
  if (names.length === 0) return null;
  return {
    reason: 'procMount',
    detail: `${containersPhrase(names)} must not set securityContext.procMount to ${quotedSet(values)}`,
    problems,
  };
}
