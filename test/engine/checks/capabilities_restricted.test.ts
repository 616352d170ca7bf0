/** capabilities_restricted (restricted; v1.22, v1.25 skips Windows pods). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const caps = (name: string, c: Record<string, string[]>): Record<string, unknown> => ({
  name,
  securityContext: { capabilities: c },
});
const DROP = 'container "c" must set securityContext.capabilities.drop=["ALL"]';
const WINDOWS = { os: { name: 'windows' } };

describe('capabilities_restricted', () => {
  table('capabilities_restricted', [
    { name: 'not run before v1.22', pod: {}, at: [0, 21], expect: 'not run' },
    {
      name: 'drop ALL, add NET_BIND_SERVICE',
      pod: { containers: [caps('c', { drop: ['ALL'], add: ['NET_BIND_SERVICE'] })] },
      at: [22, 37],
      expect: 'pass',
    },
    {
      name: 'no securityContext',
      pod: {},
      at: [22, 37],
      expect: fails('unrestricted capabilities', DROP),
    },
    {
      name: 'every capability dropped by name is not ALL',
      pod: { containers: [caps('c', { drop: ['CHOWN', 'all'] })] },
      at: [22, 37],
      expect: fails('unrestricted capabilities', DROP),
    },
    {
      name: 'missing drop and a forbidden add',
      pod: {
        containers: [
          caps('c', { add: ['SYS_ADMIN', 'CHOWN'] }),
          caps('d', { drop: ['ALL'], add: ['CHOWN'] }),
        ],
      },
      at: [22, 37],
      expect: fails(
        'unrestricted capabilities',
        `${DROP}; containers "c", "d" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add`,
      ),
    },
    {
      name: 'Windows pod before v1.25',
      pod: { spec: WINDOWS },
      at: [22, 24],
      expect: fails('unrestricted capabilities', DROP),
    },
    { name: 'Windows pod from v1.25', pod: { spec: WINDOWS }, at: [25, 37], expect: 'pass' },
  ]);
});
