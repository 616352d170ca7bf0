/**
 * procMount (baseline; v1.0, v1.35; replaced by procMount_restricted at restricted v1.35+)
 * The default /proc masks are set up to reduce attack surface, and should be required.
 * Field: containers[*].securityContext.procMount. Allowed: absent, Default.
 * From v1.35, pods with user namespaces (spec.hostUsers: false) may set any value.
 */
import type { CheckDefinition } from './shared/api';
import { evaluateProcMount } from './shared/procMount';

export const procMount: CheckDefinition = {
  id: 'procMount',
  level: 'baseline',
  title: '/proc mount type',
  allowed:
    'securityContext.procMount absent or Default (any value in user-namespaced pods from v1.35)',
  fields: ['spec.containers[*].securityContext.procMount'],
  variants: [
    { name: 'procMount_1_0', minVersion: 0, evaluate: evaluateProcMount },
    {
      name: 'procMount_1_35',
      upstream: 'procMount1_35baseline',
      minVersion: 35,
      evaluate: (pod) => (pod.userNamespaced ? null : evaluateProcMount(pod)),
    },
  ],
};
