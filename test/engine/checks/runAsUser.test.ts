/** runAsUser (restricted; v1.23, v1.35 relaxes user-namespace pods). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const u = (name: string, runAsUser: number): Record<string, unknown> => ({
  name,
  securityContext: { runAsUser },
});

describe('runAsUser', () => {
  table('runAsUser', [
    {
      name: 'not run before v1.23',
      pod: { podSC: { runAsUser: 0 } },
      at: [0, 22],
      expect: 'not run',
    },
    { name: 'unset', pod: {}, at: [23, 37], expect: 'pass' },
    { name: 'non-zero', pod: { podSC: { runAsUser: 1000 } }, at: [23, 37], expect: 'pass' },
    {
      name: 'pod 0 even when containers set non-zero',
      pod: { podSC: { runAsUser: 0 }, containers: [u('c', 1000)] },
      at: [23, 37],
      expect: fails('runAsUser=0', 'pod must not set runAsUser=0'),
    },
    {
      name: 'pod and containers 0',
      pod: { podSC: { runAsUser: 0 }, containers: [u('a', 0), u('b', 0)] },
      at: [23, 34],
      expect: fails('runAsUser=0', 'pod and containers "a", "b" must not set runAsUser=0'),
    },
    {
      name: 'hostUsers: false before v1.35',
      pod: { spec: { hostUsers: false }, containers: [u('c', 0)] },
      at: [23, 34],
      expect: fails('runAsUser=0', 'container "c" must not set runAsUser=0'),
    },
    {
      name: 'hostUsers: false from v1.35',
      pod: { spec: { hostUsers: false }, containers: [u('c', 0)] },
      at: [35, 37],
      expect: 'pass',
    },
  ]);
});
