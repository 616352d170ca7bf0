/** hostPorts (baseline, v1.0): no non-zero hostPort. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ALL = [0, 37];
const ports = (name: string, hostPorts: number[]): Record<string, unknown> => ({
  name,
  ports: hostPorts.map((hostPort) => ({ containerPort: 80, hostPort })),
});

describe('hostPorts', () => {
  table('hostPorts', [
    { name: 'no ports', pod: {}, at: ALL, expect: 'pass' },
    { name: 'hostPort 0', pod: { containers: [ports('c', [0])] }, at: ALL, expect: 'pass' },
    {
      name: 'one container, one port',
      pod: { containers: [ports('c', [8080])] },
      at: ALL,
      expect: fails('hostPort', 'container "c" uses hostPort 8080'),
    },
    {
      name: 'two containers, ports sorted as strings and unique',
      pod: { containers: [ports('a', [9000, 10000]), ports('b', [9000])] },
      at: ALL,
      expect: fails('hostPort', 'containers "a", "b" use hostPorts 10000, 9000'),
    },
  ]);
});
