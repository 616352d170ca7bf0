/** procMount (baseline; v1.0, v1.35 relaxes user-namespace pods). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const pm = (name: string, procMount: string): Record<string, unknown> => ({
  name,
  securityContext: { procMount },
});
const UNMASKED = fails(
  'procMount',
  'container "c" must not set securityContext.procMount to "Unmasked"',
);

describe('procMount', () => {
  table('procMount', [
    { name: 'absent', pod: {}, at: [0, 35, 37], expect: 'pass' },
    { name: 'Default', pod: { containers: [pm('c', 'Default')] }, at: [0, 35, 37], expect: 'pass' },
    {
      name: 'Unmasked',
      pod: { containers: [pm('c', 'Unmasked')] },
      at: [0, 34, 35, 37],
      expect: UNMASKED,
    },
    {
      name: 'Unmasked with hostUsers: false before v1.35',
      pod: { spec: { hostUsers: false }, containers: [pm('c', 'Unmasked')] },
      at: [0, 34],
      expect: UNMASKED,
    },
    {
      name: 'Unmasked with hostUsers: false from v1.35',
      pod: { spec: { hostUsers: false }, containers: [pm('c', 'Unmasked')] },
      at: [35, 37],
      expect: 'pass',
    },
    {
      name: 'two containers, values sorted',
      pod: { containers: [pm('a', 'x'), pm('b', 'Unmasked')] },
      at: [0, 37],
      expect: fails(
        'procMount',
        'containers "a", "b" must not set securityContext.procMount to "Unmasked", "x"',
      ),
    },
  ]);
});
