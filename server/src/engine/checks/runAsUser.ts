/**
 * runAsUser (restricted; v1.23, v1.35 with user-namespaced pods exempt)
 * Containers must not set runAsUser to 0.
 * Fields: spec.securityContext.runAsUser, containers[*].securityContext.runAsUser.
 */
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import { containersPhrase, removeAt, settersPhrase } from './shared/api';

const render = (setters: string): string => `${setters} must not set runAsUser=0`;

function evaluate(pod: PodView, userNamespaces: boolean): Outcome | null {
  if (userNamespaces && pod.userNamespaced) return null;
  const problems: Problem[] = [];
  const podField = pod.podSC.get('runAsUser');
  const podBad = podField.int('int64') === 0;
  if (podBad) {
    problems.push({
      container: null,
      span: podField.span,
      path: podField.path,
      detail: render('pod'),
      fix: { title: 'Remove runAsUser: 0', safe: false, ops: removeAt(podField) },
    });
  }
  const names: string[] = [];
  for (const c of pod.containers) {
    const f = c.sc.get('runAsUser');
    if (f.int('int64') !== 0) continue;
    names.push(c.name);
    problems.push({
      container: c.name,
      span: f.span,
      path: f.path,
      detail: render(containersPhrase([c.name])),
      fix: { title: 'Remove runAsUser: 0', safe: false, ops: removeAt(f) },
    });
  }
  if (problems.length === 0) return null;
  return { reason: 'runAsUser=0', detail: render(settersPhrase(podBad, names)), problems };
}

export const runAsUser: CheckDefinition = {
  id: 'runAsUser',
  level: 'restricted',
  title: 'Running as non-root user',
  allowed: 'runAsUser absent or non-zero, at pod and container level',
  fields: ['spec.securityContext.runAsUser', 'spec.containers[*].securityContext.runAsUser'],
  variants: [
    {
      name: 'runAsUser_1_23',
      upstream: 'runAsUser1_23',
      minVersion: 23,
      evaluate: (pod) => evaluate(pod, false),
    },
    {
      name: 'runAsUser_1_35',
      upstream: 'runAsUser1_35',
      minVersion: 35,
      evaluate: (pod) => evaluate(pod, true),
    },
  ],
};
