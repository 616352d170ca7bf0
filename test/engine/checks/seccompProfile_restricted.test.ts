/** seccompProfile_restricted (restricted; v1.19, v1.25 skips Windows pods). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const sp = (type: string): Record<string, unknown> => ({ seccompProfile: { type } });
const R = 'seccompProfile';
const MUST = fails(
  R,
  'pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
);
const WINDOWS = { os: { name: 'windows' } };

describe('seccompProfile_restricted', () => {
  table('seccompProfile_restricted', [
    { name: 'not run before v1.19', pod: {}, at: [0, 18], expect: 'not run' },
    {
      name: 'pod RuntimeDefault covers containers',
      pod: { podSC: sp('RuntimeDefault') },
      at: [19, 37],
      expect: 'pass',
    },
    {
      name: 'container Localhost',
      pod: { containers: [{ name: 'c', securityContext: sp('Localhost') }] },
      at: [19, 37],
      expect: 'pass',
    },
    { name: 'unset', pod: {}, at: [19, 37], expect: MUST },
    {
      name: 'container Unconfined overrides a valid pod profile',
      pod: {
        podSC: sp('RuntimeDefault'),
        containers: [{ name: 'c', securityContext: sp('Unconfined') }],
      },
      at: [19, 37],
      expect: fails(
        R,
        'container "c" must not set securityContext.seccompProfile.type to "Unconfined"',
      ),
    },
    {
      name: 'explicit pod value wins over an implicit container',
      pod: { podSC: sp('Unconfined'), containers: [{ name: 'c' }] },
      at: [19, 37],
      expect: fails(R, 'pod must not set securityContext.seccompProfile.type to "Unconfined"'),
    },
    { name: 'Windows pod before v1.25', pod: { spec: WINDOWS }, at: [19, 24], expect: MUST },
    { name: 'Windows pod from v1.25', pod: { spec: WINDOWS }, at: [25, 37], expect: 'pass' },
  ]);
});
