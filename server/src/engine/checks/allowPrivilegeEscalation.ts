/**
 * allowPrivilegeEscalation (restricted; v1.8, v1.25 with Windows pods exempt)
 * Privilege escalation (such as via set-user-ID or set-group-ID file mode) should not be allowed.
 * Field: containers[*].securityContext.allowPrivilegeEscalation. Required: false.
 */
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import { containersPhrase, setInContainer } from './shared/api';

const render = (names: string[]): string =>
  `${containersPhrase(names)} must set securityContext.allowPrivilegeEscalation=false`;

function evaluate(pod: PodView, skipWindows: boolean): Outcome | null {
  if (skipWindows && pod.isWindows) return null;
  const names: string[] = [];
  const problems: Problem[] = [];
  for (const c of pod.containers) {
    const f = c.sc.get('allowPrivilegeEscalation');
    if (f.bool() === false) continue;
    names.push(c.name);
    problems.push({
      container: c.name,
      span: f.node !== null ? f.span : pod.containerAnchor(c),
      path: f.path,
      detail: render([c.name]),
      fix: {
        title: 'Set allowPrivilegeEscalation: false',
        safe: true,
        ops: setInContainer(c, ['securityContext', 'allowPrivilegeEscalation'], false),
      },
    });
  }
  if (names.length === 0) return null;
  return { reason: 'allowPrivilegeEscalation != false', detail: render(names), problems };
}

export const allowPrivilegeEscalation: CheckDefinition = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  title: 'Privilege escalation',
  allowed: 'securityContext.allowPrivilegeEscalation: false on every container',
  fields: ['spec.containers[*].securityContext.allowPrivilegeEscalation'],
  variants: [
    {
      name: 'allowPrivilegeEscalation_1_8',
      minVersion: 8,
      evaluate: (pod) => evaluate(pod, false),
    },
    {
      name: 'allowPrivilegeEscalation_1_25',
      minVersion: 25,
      evaluate: (pod) => evaluate(pod, true),
    },
  ],
};
