/** hostNamespaces (baseline, v1.0): hostNetwork, hostPID, hostIPC. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ALL = [0, 37];

describe('hostNamespaces', () => {
  table('hostNamespaces', [
    { name: 'none set', pod: {}, at: ALL, expect: 'pass' },
    {
      name: 'all false',
      pod: { spec: { hostNetwork: false, hostPID: false, hostIPC: false } },
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'hostPID',
      pod: { spec: { hostPID: true } },
      at: ALL,
      expect: fails('host namespaces', 'hostPID=true'),
    },
    {
      name: 'all three, in upstream order',
      pod: { spec: { hostIPC: true, hostPID: true, hostNetwork: true } },
      at: ALL,
      expect: fails('host namespaces', 'hostNetwork=true, hostPID=true, hostIPC=true'),
    },
  ]);
});
