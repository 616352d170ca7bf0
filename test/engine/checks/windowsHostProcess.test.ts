/** windowsHostProcess (baseline, v1.0): windowsOptions.hostProcess absent or false. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ALL = [0, 37];
const hp = (hostProcess: boolean): Record<string, unknown> => ({ windowsOptions: { hostProcess } });

describe('windowsHostProcess', () => {
  table('windowsHostProcess', [
    { name: 'absent', pod: {}, at: ALL, expect: 'pass' },
    {
      name: 'false at both levels',
      pod: { podSC: hp(false), containers: [{ name: 'c', securityContext: hp(false) }] },
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'pod true',
      pod: { podSC: hp(true) },
      at: ALL,
      expect: fails(
        'hostProcess',
        'pod must not set securityContext.windowsOptions.hostProcess=true',
      ),
    },
    {
      name: 'pod and two containers true',
      pod: {
        podSC: hp(true),
        containers: [
          { name: 'a', securityContext: hp(true) },
          { name: 'b', securityContext: hp(true) },
        ],
      },
      at: ALL,
      expect: fails(
        'hostProcess',
        'pod and containers "a", "b" must not set securityContext.windowsOptions.hostProcess=true',
      ),
    },
  ]);
});
