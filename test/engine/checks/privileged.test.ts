/** privileged (baseline, v1.0): securityContext.privileged absent or false. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ALL = [0, 37];
const priv = (name: string, privileged: boolean): Record<string, unknown> => ({
  name,
  securityContext: { privileged },
});

describe('privileged', () => {
  table('privileged', [
    { name: 'absent', pod: {}, at: ALL, expect: 'pass' },
    { name: 'false', pod: { containers: [priv('c', false)] }, at: ALL, expect: 'pass' },
    {
      name: 'true',
      pod: { containers: [priv('c', true)] },
      at: ALL,
      expect: fails('privileged', 'container "c" must not set securityContext.privileged=true'),
    },
    {
      name: 'init and regular containers, in visit order',
      pod: { containers: [priv('b', true)], initContainers: [priv('i', true)] },
      at: ALL,
      expect: fails(
        'privileged',
        'containers "i", "b" must not set securityContext.privileged=true',
      ),
    },
  ]);
});
