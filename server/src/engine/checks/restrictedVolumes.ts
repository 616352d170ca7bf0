/**
 * restrictedVolumes (restricted, v1.0)
 * The restricted policy only permits these volume types: configMap, csi, downwardAPI, emptyDir,
 * ephemeral, image, persistentVolumeClaim, projected, secret.
 * Field: spec.volumes[*]. A volume with no recognised source is defaulted to emptyDir by the API
 * server, so it is allowed.
 */
import type { CheckDefinition, Problem } from './shared/api';
import { pluralize, quote, quotedSet } from './shared/api';

/** The volume types restricted allows. */
export const RESTRICTED_ALLOWED_VOLUMES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const RESTRICTED = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

function render(names: string[], types: string[]): string {
  const set = new Set(types);
  return `${pluralize('volume', 'volumes', names.length)} ${names.map(quote).join(', ')} ${pluralize('uses', 'use', names.length)} restricted volume ${pluralize('type', 'types', set.size)} ${quotedSet(set)}`;
}

export const restrictedVolumes: CheckDefinition = {
  id: 'restrictedVolumes',
  level: 'restricted',
  title: 'Volume types',
  allowed: `volumes only of types ${RESTRICTED_ALLOWED_VOLUMES.join(', ')}`,
  fields: ['spec.volumes[*]'],
  variants: [
    {
      name: 'restrictedVolumes_1_0',
      minVersion: 0,
      overrides: ['hostPathVolumes'],
      evaluate(pod) {
        const names: string[] = [];
        const types: string[] = [];
        const problems: Problem[] = [];
        for (const v of pod.spec.get('volumes').items()) {
          if (RESTRICTED_ALLOWED_VOLUMES.some((k) => v.get(k).present)) continue;
          const type = RESTRICTED.find((k) => v.get(k).present);
          if (type === undefined) continue; // no known source: defaulted to emptyDir
          const name = v.get('name').str() ?? '';
          names.push(name);
          types.push(type);
          problems.push({
            container: null,
            span: v.span,
            path: v.path,
            detail: render([name], [type]),
          });
        }
        if (names.length === 0) return null;
        return { reason: 'restricted volume types', detail: render(names, types), problems };
      },
    },
  ],
};
