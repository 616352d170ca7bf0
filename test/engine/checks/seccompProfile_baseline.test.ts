/** seccompProfile_baseline (baseline; v1.0 annotations, v1.19 fields). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const POD = 'seccomp.security.alpha.kubernetes.io/pod';
const C = 'container.seccomp.security.alpha.kubernetes.io/c';
const sp = (type: string): Record<string, unknown> => ({ seccompProfile: { type } });

describe('seccompProfile_baseline', () => {
  table('seccompProfile_baseline', [
    { name: 'nothing set', pod: {}, at: [0, 18, 19, 37], expect: 'pass' },
    {
      name: 'allowed annotations',
      pod: { annotations: { [POD]: 'runtime/default', [C]: 'localhost/x' } },
      at: [0, 18],
      expect: 'pass',
    },
    {
      name: 'unconfined and empty annotations before v1.19',
      pod: { annotations: { [POD]: 'unconfined', [C]: '' } },
      at: [0, 18],
      expect: fails('seccompProfile', `forbidden annotations ${C}="", ${POD}="unconfined"`),
    },
    {
      name: 'annotation for a container that does not exist',
      pod: { annotations: { 'container.seccomp.security.alpha.kubernetes.io/x': 'unconfined' } },
      at: [0, 18],
      expect: 'pass',
    },
    {
      name: 'annotations ignored from v1.19',
      pod: { annotations: { [POD]: 'unconfined' } },
      at: [19, 37],
      expect: 'pass',
    },
    {
      name: 'Unconfined field ignored before v1.19',
      pod: { podSC: sp('Unconfined') },
      at: [0, 18],
      expect: 'pass',
    },
    {
      name: 'RuntimeDefault and Localhost fields',
      pod: {
        podSC: sp('RuntimeDefault'),
        containers: [{ name: 'c', securityContext: sp('Localhost') }],
      },
      at: [19, 37],
      expect: 'pass',
    },
    {
      name: 'pod and container Unconfined from v1.19',
      pod: {
        podSC: sp('Unconfined'),
        containers: [{ name: 'c', securityContext: sp('Unconfined') }],
      },
      at: [19, 37],
      expect: fails(
        'seccompProfile',
        'pod and container "c" must not set securityContext.seccompProfile.type to "Unconfined"',
      ),
    },
  ]);
});
