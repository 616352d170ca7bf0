/**
 * seccompProfile_restricted (restricted, v1.19; Windows pods exempt from v1.25)
 * Seccomp profile must be explicitly set to RuntimeDefault or Localhost, at pod level or for
 * every container. A container's own profile, when present, must itself be valid.
 */
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import { containersPhrase, setInPod, settersPhrase } from './shared/api';
import { badSeccomp, badSeccompProblem, mustNotSet, validSeccompType } from './shared/seccomp';

function mustSet(names: string[]): string {
  return `pod or ${containersPhrase(names)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`;
}

function evaluate(pod: PodView, skipWindows: boolean): Outcome | null {
  if (skipWindows && pod.isWindows) return null;
  const podProfile = pod.podSC.get('seccompProfile').asObject();
  const podValid = podProfile.present && validSeccompType(podProfile.get('type').str());
  const values: string[] = [];
  const explicitNames: string[] = [];
  const implicitNames: string[] = [];
  const problems: Problem[] = [];
  const podBad = badSeccomp(podProfile);
  if (podBad) {
    values.push(podBad.value);
    problems.push(badSeccompProblem(null, podBad));
  }
  for (const c of pod.containers) {
    const profile = c.sc.get('seccompProfile').asObject();
    if (profile.present) {
      const b = badSeccomp(profile);
      if (!b) continue;
      explicitNames.push(c.name);
      values.push(b.value);
      problems.push(badSeccompProblem(c.name, b));
    } else if (!podValid) {
      implicitNames.push(c.name);
      // An invalid pod-level profile is reported once, at the pod; it stands for these containers.
      if (podBad) continue;
      problems.push({
        container: c.name,
        span: pod.containerAnchor(c),
        path: profile.path,
        detail: mustSet([c.name]),
        fix: {
          title: 'Set seccompProfile type: RuntimeDefault for the pod',
          safe: true,
          ops: setInPod(pod, ['securityContext', 'seccompProfile'], { type: 'RuntimeDefault' }),
        },
      });
    }
  }
  if (values.length > 0) {
    return {
      reason: 'seccompProfile',
      detail: mustNotSet(settersPhrase(podBad !== null, explicitNames), values),
      problems,
    };
  }
  if (implicitNames.length > 0) {
    return { reason: 'seccompProfile', detail: mustSet(implicitNames), problems };
  }
  return null;
}

export const seccompProfile_restricted: CheckDefinition = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  title: 'Seccomp (restricted)',
  allowed: 'seccompProfile.type RuntimeDefault or Localhost, at pod level or on every container',
  fields: [
    'spec.securityContext.seccompProfile.type',
    'spec.containers[*].securityContext.seccompProfile.type',
  ],
  variants: [
    {
      name: 'seccompProfileRestricted_1_19',
      minVersion: 19,
      overrides: ['seccompProfile_baseline'],
      evaluate: (pod) => evaluate(pod, false),
    },
    {
      name: 'seccompProfileRestricted_1_25',
      minVersion: 25,
      overrides: ['seccompProfile_baseline'],
      evaluate: (pod) => evaluate(pod, true),
    },
  ],
};
