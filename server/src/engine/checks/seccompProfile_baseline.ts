/**
 * seccompProfile_baseline (baseline; replaced by seccompProfile_restricted at restricted v1.19+)
 * Seccomp profile must not be explicitly set to Unconfined.
 * v1.0: the alpha annotations seccomp.security.alpha.kubernetes.io/pod and
 *   container.seccomp.security.alpha.kubernetes.io/<name> (for containers that exist) must be
 *   runtime/default, docker/default or localhost/*.
 * v1.19: spec.securityContext.seccompProfile.type and containers[*].securityContext.seccompProfile.type,
 *   when present, must be RuntimeDefault or Localhost. Annotations are no longer read.
 */
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import { pluralize, settersPhrase, setAt, sortedSet } from './shared/api';
import { badSeccomp, badSeccompProblem, mustNotSet } from './shared/seccomp';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validAnnotation(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

function annotations(pod: PodView): Outcome | null {
  const names = new Set(pod.containers.map((c) => c.name));
  const bad: string[] = [];
  const problems: Problem[] = [];
  for (const a of pod.annotations()) {
    let container: string | null = null;
    if (a.key === POD_ANNOTATION) container = null;
    else if (a.key.startsWith(CONTAINER_PREFIX) && names.has(a.key.slice(CONTAINER_PREFIX.length)))
      container = a.key.slice(CONTAINER_PREFIX.length);
    else continue;
    if (validAnnotation(a.value)) continue;
    const entry = `${a.key}=${JSON.stringify(a.value)}`;
    bad.push(entry);
    problems.push({
      container,
      span: a.cur.span,
      path: a.cur.path,
      detail: `forbidden annotation ${entry}`,
      fix: {
        title: 'Set seccomp annotation to runtime/default',
        safe: true,
        ops: setAt(a.cur, 'runtime/default'),
      },
    });
  }
  if (bad.length === 0) return null;
  const set = sortedSet(bad);
  return {
    reason: 'seccompProfile',
    detail: `${pluralize('forbidden annotation', 'forbidden annotations', set.length)} ${set.join(', ')}`,
    problems,
  };
}

function fields(pod: PodView): Outcome | null {
  const values: string[] = [];
  const problems: Problem[] = [];
  let podBad = false;
  const p = badSeccomp(pod.podSC.get('seccompProfile').asObject());
  if (p) {
    podBad = true;
    values.push(p.value);
    problems.push(badSeccompProblem(null, p));
  }
  const names: string[] = [];
  for (const c of pod.containers) {
    const b = badSeccomp(c.sc.get('seccompProfile').asObject());
    if (!b) continue;
    names.push(c.name);
    values.push(b.value);
    problems.push(badSeccompProblem(c.name, b));
  }
  if (problems.length === 0) return null;
  return {
    reason: 'seccompProfile',
    detail: mustNotSet(settersPhrase(podBad, names), values),
    problems,
  };
}

export const seccompProfile_baseline: CheckDefinition = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  title: 'Seccomp',
  allowed:
    'seccompProfile.type RuntimeDefault or Localhost when set (v1.19+); before v1.19, the alpha annotations runtime/default, docker/default or localhost/*',
  fields: [
    'spec.securityContext.seccompProfile.type',
    'spec.containers[*].securityContext.seccompProfile.type',
    'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"] (before v1.19)',
    'metadata.annotations["container.seccomp.security.alpha.kubernetes.io/*"] (before v1.19)',
  ],
  variants: [
    { name: 'seccompProfileBaseline_1_0', minVersion: 0, evaluate: annotations },
    { name: 'seccompProfileBaseline_1_19', minVersion: 19, evaluate: fields },
  ],
};
