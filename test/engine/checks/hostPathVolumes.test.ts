/** hostPathVolumes (baseline, v1.0): no hostPath volume. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ALL = [0, 37];

describe('hostPathVolumes', () => {
  table('hostPathVolumes', [
    { name: 'no volumes', pod: {}, at: ALL, expect: 'pass' },
    {
      name: 'emptyDir and configMap',
      pod: {
        spec: {
          volumes: [
            { name: 'a', emptyDir: {} },
            { name: 'b', configMap: { name: 'x' } },
          ],
        },
      },
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'one hostPath',
      pod: { spec: { volumes: [{ name: 'h', hostPath: { path: '/' } }] } },
      at: ALL,
      expect: fails('hostPath volumes', 'volume "h"'),
    },
    {
      name: 'two hostPaths, in spec order',
      pod: {
        spec: {
          volumes: [
            { name: 'z', hostPath: { path: '/a' } },
            { name: 'e', emptyDir: {} },
            { name: 'a', hostPath: { path: '/b' } },
          ],
        },
      },
      at: ALL,
      expect: fails('hostPath volumes', 'volumes "z", "a"'),
    },
  ]);
});
