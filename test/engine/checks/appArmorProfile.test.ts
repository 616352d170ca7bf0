/** appArmorProfile (baseline, v1.0): profile fields and the beta annotations. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const A = 'container.apparmor.security.beta.kubernetes.io/c';
const ALL = [0, 37];

describe('appArmorProfile', () => {
  table('appArmorProfile', [
    { name: 'no profile', pod: {}, at: ALL, expect: 'pass' },
    {
      name: 'pod RuntimeDefault, container Localhost',
      pod: {
        podSC: { appArmorProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'c',
            securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } },
          },
        ],
      },
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'allowed annotation values',
      pod: { annotations: { [A]: 'runtime/default', [`${A}2`]: 'localhost/x', [`${A}3`]: '' } },
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'pod Unconfined',
      pod: { podSC: { appArmorProfile: { type: 'Unconfined' } } },
      at: ALL,
      expect: fails(
        'forbidden AppArmor profile',
        'pod must not set AppArmor profile type to "Unconfined"',
      ),
    },
    {
      name: 'container Unconfined and annotation unconfined',
      pod: {
        annotations: { [A]: 'unconfined' },
        containers: [{ name: 'c', securityContext: { appArmorProfile: { type: 'Unconfined' } } }],
      },
      at: ALL,
      expect: fails(
        'forbidden AppArmor profiles',
        `container "c" and annotation must not set AppArmor profile type to "Unconfined", "${A}="unconfined""`,
      ),
    },
  ]);
});
