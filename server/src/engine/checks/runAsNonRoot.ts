/**
 * runAsNonRoot (restricted; v1.0, v1.35 with user-namespaced pods exempt)
 * Containers must be required to run as non-root users.
 * Fields: spec.securityContext.runAsNonRoot, containers[*].securityContext.runAsNonRoot.
 * Pod-level false, or container-level false, is forbidden; a container that sets nothing needs
 * pod-level true. runAsUser values are not considered.
 */
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import { containersPhrase, setAt, setInPod, settersPhrase } from './shared/api';

const mustNot = (setters: string): string =>
  `${setters} must not set securityContext.runAsNonRoot=false`;
const must = (names: string[]): string =>
  `pod or ${containersPhrase(names)} must set securityContext.runAsNonRoot=true`;

function evaluate(pod: PodView, userNamespaces: boolean): Outcome | null {
  if (userNamespaces && pod.userNamespaced) return null;
  const problems: Problem[] = [];
  const podField = pod.podSC.get('runAsNonRoot');
  const podValue = podField.bool();
  const podBad = podValue === false;
  if (podBad) {
    problems.push({
      container: null,
      span: podField.span,
      path: podField.path,
      detail: mustNot('pod'),
      fix: { title: 'Set runAsNonRoot: true', safe: false, ops: setAt(podField, true) },
    });
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of pod.containers) {
    const f = c.sc.get('runAsNonRoot');
    const v = f.bool();
    if (v === true) continue;
    if (v === false) {
      explicit.push(c.name);
      problems.push({
        container: c.name,
        span: f.span,
        path: f.path,
        detail: mustNot(containersPhrase([c.name])),
        fix: { title: 'Set runAsNonRoot: true', safe: false, ops: setAt(f, true) },
      });
      continue;
    }
    if (podValue === true) continue;
    implicit.push(c.name);
    if (podBad) continue; // the pod-level problem stands for this container
    problems.push({
      container: c.name,
      span: pod.containerAnchor(c),
      path: f.path,
      detail: must([c.name]),
      fix: {
        title: 'Set runAsNonRoot: true for the pod',
        safe: false,
        ops: setInPod(pod, ['securityContext', 'runAsNonRoot'], true),
      },
    });
  }
  if (podBad || explicit.length > 0) {
    return {
      reason: 'runAsNonRoot != true',
      detail: mustNot(settersPhrase(podBad, explicit)),
      problems,
    };
  }
  if (implicit.length > 0)
    return { reason: 'runAsNonRoot != true', detail: must(implicit), problems };
  return null;
}

export const runAsNonRoot: CheckDefinition = {
  id: 'runAsNonRoot',
  level: 'restricted',
  title: 'Running as non-root',
  allowed: 'runAsNonRoot: true at pod level or on every container, and never false',
  fields: ['spec.securityContext.runAsNonRoot', 'spec.containers[*].securityContext.runAsNonRoot'],
  variants: [
    {
      name: 'runAsNonRoot_1_0',
      upstream: 'runAsNonRoot1_0',
      minVersion: 0,
      evaluate: (pod) => evaluate(pod, false),
    },
    {
      name: 'runAsNonRoot_1_35',
      upstream: 'runAsNonRoot1_35',
      minVersion: 35,
      evaluate: (pod) => evaluate(pod, true),
    },
  ],
};
