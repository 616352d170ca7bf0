/** hostProbesAndHostLifecycle (baseline, v1.34): probe and lifecycle handlers name no host. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

describe('hostProbesAndHostLifecycle', () => {
  table('hostProbesAndHostLifecycle', [
    {
      name: 'not run before v1.34',
      pod: { containers: [{ name: 'c', livenessProbe: { httpGet: { host: 'x', port: 80 } } }] },
      at: [0, 33],
      expect: 'not run',
    },
    {
      name: 'probes without host, empty host',
      pod: {
        containers: [
          {
            name: 'c',
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { tcpSocket: { host: '', port: 80 } },
          },
        ],
      },
      at: [34, 37],
      expect: 'pass',
    },
    {
      name: 'liveness httpGet host',
      pod: {
        containers: [{ name: 'c', livenessProbe: { httpGet: { host: '127.0.0.1', port: 80 } } }],
      },
      at: [34, 37],
      expect: fails(
        'probe or lifecycle host',
        'container "c" uses probe or lifecycle host "127.0.0.1"',
      ),
    },
    {
      name: 'lifecycle and startup hosts in two containers, sorted',
      pod: {
        containers: [
          { name: 'z', lifecycle: { preStop: { tcpSocket: { host: 'b', port: 1 } } } },
          { name: 'a', startupProbe: { tcpSocket: { host: 'a', port: 1 } } },
        ],
      },
      at: [34, 37],
      expect: fails(
        'probe or lifecycle host',
        'containers "a", "z" use probe or lifecycle hosts "a", "b"',
      ),
    },
  ]);
});
