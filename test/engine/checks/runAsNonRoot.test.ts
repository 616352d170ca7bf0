/** runAsNonRoot (restricted; v1.0, v1.35 relaxes user-namespace pods). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const nr = (name: string, runAsNonRoot: boolean): Record<string, unknown> => ({
  name,
  securityContext: { runAsNonRoot },
});
const R = 'runAsNonRoot != true';
const MUST = fails(R, 'pod or container "c" must set securityContext.runAsNonRoot=true');

describe('runAsNonRoot', () => {
  table('runAsNonRoot', [
    { name: 'pod true', pod: { podSC: { runAsNonRoot: true } }, at: [0, 37], expect: 'pass' },
    { name: 'container true', pod: { containers: [nr('c', true)] }, at: [0, 37], expect: 'pass' },
    { name: 'unset', pod: {}, at: [0, 34], expect: MUST },
    {
      name: 'runAsUser does not satisfy it',
      pod: { podSC: { runAsUser: 1000 } },
      at: [0, 37],
      expect: MUST,
    },
    {
      name: 'container false under pod true',
      pod: { podSC: { runAsNonRoot: true }, containers: [nr('c', false), nr('d', true)] },
      at: [0, 37],
      expect: fails(R, 'container "c" must not set securityContext.runAsNonRoot=false'),
    },
    {
      name: 'explicit false wins over unset',
      pod: { podSC: { runAsNonRoot: false }, containers: [{ name: 'c' }, nr('d', false)] },
      at: [0, 37],
      expect: fails(R, 'pod and container "d" must not set securityContext.runAsNonRoot=false'),
    },
    {
      name: 'hostUsers: false before v1.35',
      pod: { spec: { hostUsers: false } },
      at: [0, 34],
      expect: MUST,
    },
    {
      name: 'hostUsers: false from v1.35',
      pod: { spec: { hostUsers: false } },
      at: [35, 37],
      expect: 'pass',
    },
  ]);
});
