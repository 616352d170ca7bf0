/** restrictedVolumes (restricted, v1.0): only the listed volume sources. */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';

const ALL = [0, 37];
const vols = (...v: Record<string, unknown>[]): { spec: Record<string, unknown> } => ({
  spec: { volumes: v },
});

describe('restrictedVolumes', () => {
  table('restrictedVolumes', [
    { name: 'no volumes', pod: {}, at: ALL, expect: 'pass' },
    {
      name: 'every allowed source',
      pod: vols(
        { name: 'a', configMap: { name: 'x' } },
        { name: 'b', csi: { driver: 'd' } },
        { name: 'c', downwardAPI: {} },
        { name: 'd', emptyDir: {} },
        { name: 'e', ephemeral: {} },
        { name: 'f', image: { reference: 'r' } },
        { name: 'g', persistentVolumeClaim: { claimName: 'x' } },
        { name: 'h', projected: {} },
        { name: 'i', secret: { secretName: 'x' } },
      ),
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'a bare volume defaults to emptyDir',
      pod: vols({ name: 'v' }),
      at: ALL,
      expect: 'pass',
    },
    {
      name: 'hostPath',
      pod: vols({ name: 'h', hostPath: { path: '/' } }),
      at: ALL,
      expect: fails('restricted volume types', 'volume "h" uses restricted volume type "hostPath"'),
    },
    {
      name: 'two volumes, types sorted',
      pod: vols(
        { name: 'n', nfs: { server: 's', path: '/' } },
        { name: 'g', gitRepo: { repository: 'r' } },
      ),
      at: ALL,
      expect: fails(
        'restricted volume types',
        'volumes "n", "g" use restricted volume types "gitRepo", "nfs"',
      ),
    },
  ]);
});
