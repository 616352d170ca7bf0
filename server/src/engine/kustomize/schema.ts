/**
 * What strategic merge needs to know about Kubernetes' types: which lists
 * merge (rather than being replaced) and by which keys. These are the
 * `patchStrategy`/`patchMergeKey` tags and `+listMapKey` markers of the API
 * types, for the version kustomize's built-in schema carries (Kubernetes
 * 1.21), kept only along the paths that lead to such a list. A type or field
 * not listed here has no merging lists: its lists are replaced, as they are
 * for custom resources, which have no schema at all.
 */

/** A field of a type: the type of its value (or its list's elements), and merge keys when the list merges. */
export interface SchemaField {
  type?: string;
  /** Present for a merging list: its merge keys (empty for a list of scalars that merges as a set). */
  keys?: readonly string[];
}

export type SchemaType = Readonly<Record<string, SchemaField>>;

const meta: SchemaField = { type: 'ObjectMeta' };
const list = (keys: string, type?: string): SchemaField => ({
  keys: keys ? keys.split(',') : [],
  ...(type ? { type } : {}),
});
const conditions = { conditions: list('type') };

export const TYPES: Readonly<Record<string, SchemaType>> = {
  ObjectMeta: { ownerReferences: list('uid'), finalizers: list('') },
  Container: {
    ports: list('containerPort,protocol'),
    env: list('name'),
    volumeMounts: list('mountPath'),
    volumeDevices: list('devicePath'),
  },
  EphemeralContainer: {
    env: list('name'),
    volumeMounts: list('mountPath'),
    volumeDevices: list('devicePath'),
  },
  PodSpec: {
    volumes: list('name', 'Volume'),
    initContainers: list('name', 'Container'),
    containers: list('name', 'Container'),
    ephemeralContainers: list('name', 'EphemeralContainer'),
    imagePullSecrets: list('name'),
    hostAliases: list('ip'),
    topologySpreadConstraints: list('topologyKey,whenUnsatisfiable'),
  },
  Volume: { ephemeral: { type: 'EphemeralVolumeSource' } },
  EphemeralVolumeSource: { volumeClaimTemplate: { type: 'PersistentVolumeClaimTemplate' } },
  PersistentVolumeClaimTemplate: { metadata: meta },
  PodTemplateSpec: { metadata: meta, spec: { type: 'PodSpec' } },
  PodStatus: { conditions: list('type'), podIPs: list('ip') },
  Pod: { metadata: meta, spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  PodTemplate: { metadata: meta, template: { type: 'PodTemplateSpec' } },
  WorkloadSpec: { template: { type: 'PodTemplateSpec' } },
  StatefulSetSpec: {
    template: { type: 'PodTemplateSpec' },
    volumeClaimTemplates: { type: 'PersistentVolumeClaim' },
  },
  Conditions: conditions,
  Workload: { metadata: meta, spec: { type: 'WorkloadSpec' }, status: { type: 'Conditions' } },
  StatefulSet: {
    metadata: meta,
    spec: { type: 'StatefulSetSpec' },
    status: { type: 'Conditions' },
  },
  JobTemplateSpec: { metadata: meta, spec: { type: 'WorkloadSpec' } },
  CronJob: { metadata: meta, spec: { type: 'CronJobSpec' } },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },
  PersistentVolumeClaim: { metadata: meta, status: { type: 'Conditions' } },
  Service: { metadata: meta, spec: { type: 'ServiceSpec' }, status: { type: 'Conditions' } },
  ServiceSpec: { ports: list('port,protocol') },
  ServiceAccount: { metadata: meta, secrets: list('name') },
  Node: { metadata: meta, spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  NodeSpec: { podCIDRs: list('') },
  NodeStatus: { conditions: list('type'), addresses: list('type') },
  Namespace: { metadata: meta, status: { type: 'Conditions' } },
  WithStatusConditions: { metadata: meta, status: { type: 'Conditions' } },
  Object: { metadata: meta },
};

/** The root type of each kind, by apiVersion, that kustomize's schema has. */
const ROOTS: Readonly<Record<string, string>> = {
  'v1 Pod': 'Pod',
  'v1 PodTemplate': 'PodTemplate',
  'v1 ReplicationController': 'Workload',
  'apps/v1 Deployment': 'Workload',
  'apps/v1 DaemonSet': 'Workload',
  'apps/v1 ReplicaSet': 'Workload',
  'apps/v1 StatefulSet': 'StatefulSet',
  'batch/v1 Job': 'Workload',
  'batch/v1 CronJob': 'CronJob',
  'batch/v1beta1 CronJob': 'CronJob',
  'v1 Service': 'Service',
  'v1 ServiceAccount': 'ServiceAccount',
  'v1 Node': 'Node',
  'v1 Namespace': 'Namespace',
  'v1 PersistentVolumeClaim': 'PersistentVolumeClaim',
  'policy/v1 PodDisruptionBudget': 'WithStatusConditions',
  'policy/v1beta1 PodDisruptionBudget': 'WithStatusConditions',
};

/** Kinds whose schema carries nothing that merges but the object's metadata. */
const METADATA_ONLY = [
  'v1 ConfigMap',
  'v1 Secret',
  'v1 Endpoints',
  'v1 PersistentVolume',
  'v1 LimitRange',
  'v1 ResourceQuota',
  'v1 Event',
  'v1 ComponentStatus',
  'apps/v1 ControllerRevision',
  'networking.k8s.io/v1 Ingress',
  'networking.k8s.io/v1 IngressClass',
  'networking.k8s.io/v1 NetworkPolicy',
  'networking.k8s.io/v1beta1 Ingress',
  'networking.k8s.io/v1beta1 IngressClass',
  'extensions/v1beta1 Ingress',
  'policy/v1beta1 PodSecurityPolicy',
  'rbac.authorization.k8s.io/v1 Role',
  'rbac.authorization.k8s.io/v1 ClusterRole',
  'rbac.authorization.k8s.io/v1 RoleBinding',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1beta1 Role',
  'rbac.authorization.k8s.io/v1beta1 ClusterRole',
  'rbac.authorization.k8s.io/v1beta1 RoleBinding',
  'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding',
  'autoscaling/v1 HorizontalPodAutoscaler',
  'autoscaling/v2beta1 HorizontalPodAutoscaler',
  'autoscaling/v2beta2 HorizontalPodAutoscaler',
  'scheduling.k8s.io/v1 PriorityClass',
  'storage.k8s.io/v1 StorageClass',
  'storage.k8s.io/v1 CSIDriver',
  'storage.k8s.io/v1 CSINode',
  'storage.k8s.io/v1 VolumeAttachment',
  'node.k8s.io/v1 RuntimeClass',
  'coordination.k8s.io/v1 Lease',
  'discovery.k8s.io/v1 EndpointSlice',
  'apiextensions.k8s.io/v1 CustomResourceDefinition',
  'apiregistration.k8s.io/v1 APIService',
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
  'certificates.k8s.io/v1 CertificateSigningRequest',
];

/** The schema type of an object by apiVersion and kind, or null when kustomize has none (custom resources). */
export function rootType(apiVersion: string, kind: string): string | null {
  const k = `${apiVersion} ${kind}`;
  return ROOTS[k] ?? (METADATA_ONLY.includes(k) ? 'Object' : null);
}

export function fieldOf(type: string | null | undefined, field: string): SchemaField | null {
  if (!type) return null;
  return TYPES[type]?.[field] ?? null;
}
