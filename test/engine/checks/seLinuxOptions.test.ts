/** seLinuxOptions (baseline; v1.0, v1.31 adds container_engine_t). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const se = (name: string, opts: Record<string, string>): Record<string, unknown> => ({
  name,
  securityContext: { seLinuxOptions: opts },
});

describe('seLinuxOptions', () => {
  table('seLinuxOptions', [
    { name: 'absent', pod: {}, at: [0, 37], expect: 'pass' },
    {
      name: 'allowed types and a level',
      pod: {
        podSC: { seLinuxOptions: { type: 'container_t', level: 's0:c1' } },
        containers: [se('a', { type: 'container_init_t' }), se('b', { type: 'container_kvm_t' })],
      },
      at: [0, 37],
      expect: 'pass',
    },
    {
      name: 'container_engine_t before v1.31',
      pod: { containers: [se('c', { type: 'container_engine_t' })] },
      at: [0, 30],
      expect: fails(
        'seLinuxOptions',
        'container "c" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
      ),
    },
    {
      name: 'container_engine_t from v1.31',
      pod: { containers: [se('c', { type: 'container_engine_t' })] },
      at: [31, 37],
      expect: 'pass',
    },
    {
      name: 'pod user, container types and role',
      pod: {
        podSC: { seLinuxOptions: { user: 'u' } },
        containers: [se('a', { type: 'x', role: 'r' }), se('b', { type: 'spc_t' })],
      },
      at: [0, 37],
      expect: fails(
        'seLinuxOptions',
        'pod and containers "a", "b" set forbidden securityContext.seLinuxOptions: types "spc_t", "x"; user may not be set; role may not be set',
      ),
    },
  ]);
});
