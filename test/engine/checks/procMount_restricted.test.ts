/** procMount_restricted (restricted, v1.35): user namespaces do not relax procMount. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const UNMASKED = { name: 'c', securityContext: { procMount: 'Unmasked' } };
const DENIED = fails(
  'procMount',
  'container "c" must not set securityContext.procMount to "Unmasked"',
);

describe('procMount_restricted', () => {
  table('procMount_restricted', [
    {
      name: 'not run before v1.35',
      pod: { containers: [UNMASKED] },
      at: [0, 34],
      expect: 'not run',
    },
    { name: 'absent', pod: {}, at: [35, 37], expect: 'pass' },
    {
      name: 'Default',
      pod: { containers: [{ name: 'c', securityContext: { procMount: 'Default' } }] },
      at: [35, 37],
      expect: 'pass',
    },
    { name: 'Unmasked', pod: { containers: [UNMASKED] }, at: [35, 37], expect: DENIED },
    {
      name: 'Unmasked with hostUsers: false',
      pod: { spec: { hostUsers: false }, containers: [UNMASKED] },
      at: [35, 37],
      expect: DENIED,
    },
  ]);
});
