/** capabilities_baseline (baseline, v1.0): capabilities.add within the default set. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ALL = [0, 22, 37];
const add = (name: string, caps: string[]): Record<string, unknown> => ({
  name,
  securityContext: { capabilities: { add: caps } },
});

describe('capabilities_baseline', () => {
  table('capabilities_baseline', [
    { name: 'no capabilities', pod: {}, at: ALL, expect: 'pass' },
    {
      name: 'default capabilities added, anything dropped',
      pod: {
        containers: [
          {
            name: 'c',
            securityContext: {
              capabilities: {
                add: ['CHOWN', 'NET_BIND_SERVICE', 'SYS_CHROOT'],
                drop: ['SYS_ADMIN'],
              },
            },
          },
        ],
      },
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'one non-default capability',
      pod: { containers: [add('c', ['NET_ADMIN'])] },
      at: ALL,
      expect: fails(
        'non-default capabilities',
        'container "c" must not include "NET_ADMIN" in securityContext.capabilities.add',
      ),
    },
    {
      name: 'lower case and prefixed names, two containers',
      pod: { containers: [add('a', ['chown']), add('b', ['CAP_CHOWN', 'chown'])] },
      at: ALL,
      expect: fails(
        'non-default capabilities',
        'containers "a", "b" must not include "CAP_CHOWN", "chown" in securityContext.capabilities.add',
      ),
    },
  ]);
});
