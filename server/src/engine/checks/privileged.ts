/**
 * privileged (baseline, v1.0)
 * Privileged containers disable most security mechanisms.
 * Field: containers[*].securityContext.privileged. Allowed: absent, false.
 */
import type { CheckDefinition, Problem } from './shared/api';
import { containersPhrase, setAt } from './shared/api';

export const privileged: CheckDefinition = {
  id: 'privileged',
  level: 'baseline',
  title: 'Privileged containers',
  allowed: 'securityContext.privileged absent or false',
  fields: ['spec.containers[*].securityContext.privileged'],
  variants: [
    {
      name: 'privileged_1_0',
      minVersion: 0,
      evaluate(pod) {
        const names: string[] = [];
        const problems: Problem[] = [];
        for (const c of pod.containers) {
          const f = c.sc.get('privileged');
          if (f.bool() !== true) continue;
          names.push(c.name);
          problems.push({
            container: c.name,
            span: f.span,
            path: f.path,
            detail: `${containersPhrase([c.name])} must not set securityContext.privileged=true`,
            fix: { title: 'Set privileged: false', safe: false, ops: setAt(f, false) },
          });
        }
        if (names.length === 0) return null;
        return {
          reason: 'privileged',
          detail: `${containersPhrase(names)} must not set securityContext.privileged=true`,
          problems,
        };
      },
    },
  ],
};
