/** allowPrivilegeEscalation (restricted; v1.8, v1.25 skips Windows pods). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ape = (name: string, allowPrivilegeEscalation?: boolean): Record<string, unknown> =>
  allowPrivilegeEscalation === undefined
    ? { name }
    : { name, securityContext: { allowPrivilegeEscalation } };
const MUST = (names: string): ReturnType<typeof fails> =>
  fails(
    'allowPrivilegeEscalation != false',
    `${names} must set securityContext.allowPrivilegeEscalation=false`,
  );
const WINDOWS = { os: { name: 'windows' } };

describe('allowPrivilegeEscalation', () => {
  table('allowPrivilegeEscalation', [
    { name: 'not run before v1.8', pod: {}, at: [0, 7], expect: 'not run' },
    { name: 'false', pod: { containers: [ape('c', false)] }, at: [8, 37], expect: 'pass' },
    { name: 'unset', pod: {}, at: [8, 24, 25, 37], expect: MUST('container "c"') },
    {
      name: 'true and unset, in visit order',
      pod: { initContainers: [ape('i', true)], containers: [ape('c', false), ape('d')] },
      at: [8, 37],
      expect: MUST('containers "i", "d"'),
    },
    {
      name: 'Windows pod before v1.25',
      pod: { spec: WINDOWS },
      at: [8, 24],
      expect: MUST('container "c"'),
    },
    { name: 'Windows pod from v1.25', pod: { spec: WINDOWS }, at: [25, 37], expect: 'pass' },
  ]);
});
