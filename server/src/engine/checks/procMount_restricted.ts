/**
 * procMount_restricted (restricted, v1.35)
 * At restricted, the default /proc masks are required even in user-namespaced pods.
 * Field: containers[*].securityContext.procMount. Allowed: absent, Default.
 */
import type { CheckDefinition } from './shared/api';
import { evaluateProcMount } from './shared/procMount';

export const procMount_restricted: CheckDefinition = {
  id: 'procMount_restricted',
  level: 'restricted',
  title: '/proc mount type (restricted)',
  allowed: 'securityContext.procMount absent or Default, also in user-namespaced pods',
  fields: ['spec.containers[*].securityContext.procMount'],
  variants: [
    {
      name: 'procMountRestricted_1_35',
      upstream: 'procMount_1_0',
      minVersion: 35,
      overrides: ['procMount'],
      evaluate: evaluateProcMount,
    },
  ],
};
