/**
 * Resource identity as kustomize keeps it: group, version, kind, name and
 * namespace, where an empty namespace and `default` are the same place and
 * cluster-scoped kinds have none; printed as kustomize prints ids in its
 * messages (`ConfigMap.v1.[noGrp]/web.[noNs]`); and the legacy output order.
 */

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface ResId {
  gvk: Gvk;
  name: string;
  namespace: string;
}

export function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i >= 0
    ? { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) }
    : { group: '', version: apiVersion };
}

export function apiVersionOf(gvk: Gvk): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/**
 * Kinds kustomize knows to be cluster-scoped (its built-in schema, Kubernetes
 * 1.21), by apiVersion and kind. Anything else, custom resources included,
 * is treated as namespaced.
 */
const CLUSTER_SCOPED = new Set(
  [
    'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration',
    'apiextensions.k8s.io/v1 CustomResourceDefinition',
    'apiextensions.k8s.io/v1beta1 CustomResourceDefinition',
    'apiregistration.k8s.io/v1 APIService',
    'apiregistration.k8s.io/v1beta1 APIService',
    'certificates.k8s.io/v1 CertificateSigningRequest',
    'certificates.k8s.io/v1beta1 CertificateSigningRequest',
    'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema',
    'flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration',
    'networking.k8s.io/v1 IngressClass',
    'networking.k8s.io/v1beta1 IngressClass',
    'node.k8s.io/v1 RuntimeClass',
    'node.k8s.io/v1beta1 RuntimeClass',
    'policy/v1beta1 PodSecurityPolicy',
    'rbac.authorization.k8s.io/v1 ClusterRole',
    'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
    'rbac.authorization.k8s.io/v1beta1 ClusterRole',
    'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding',
    'scheduling.k8s.io/v1 PriorityClass',
    'scheduling.k8s.io/v1beta1 PriorityClass',
    'storage.k8s.io/v1 CSIDriver',
    'storage.k8s.io/v1 CSINode',
    'storage.k8s.io/v1 StorageClass',
    'storage.k8s.io/v1 VolumeAttachment',
    'storage.k8s.io/v1beta1 CSIDriver',
    'storage.k8s.io/v1beta1 CSINode',
    'storage.k8s.io/v1beta1 StorageClass',
    'storage.k8s.io/v1beta1 VolumeAttachment',
    'v1 ComponentStatus',
    'v1 Namespace',
    'v1 Node',
    'v1 NodeProxyOptions',
    'v1 PersistentVolume',
  ].map((s) => s),
);

export function isClusterScoped(gvk: Gvk): boolean {
  return CLUSTER_SCOPED.has(`${apiVersionOf(gvk)} ${gvk.kind}`);
}

export function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id.gvk)) return '_non_namespaceable_';
  return id.namespace === '' || id.namespace === 'default' ? 'default' : id.namespace;
}

export function gvkEquals(a: Gvk, b: Gvk): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** A key equal for equal ids (`idEquals`), for sets and maps. */
export function idKey(id: ResId): string {
  return `${id.gvk.group}\u0000${id.gvk.version}\u0000${id.gvk.kind}\u0000${id.name}\u0000${effectiveNamespace(id)}`;
}

export function idEquals(a: ResId, b: ResId): boolean {
  return (
    a.name === b.name && gvkEquals(a.gvk, b.gvk) && effectiveNamespace(a) === effectiveNamespace(b)
  );
}

/** Whether `gvk` is selected by `sel` (an empty field selects anything). */
export function gvkSelected(gvk: Gvk, sel: Partial<Gvk>): boolean {
  return (
    (!sel.group || gvk.group === sel.group) &&
    (!sel.version || gvk.version === sel.version) &&
    (!sel.kind || gvk.kind === sel.kind)
  );
}

export function gvkString(g: Gvk): string {
  return `${g.kind || '[noKind]'}.${g.version || '[noVer]'}.${g.group || '[noGrp]'}`;
}

/** kustomize's printing of an id in messages. */
export function idString(id: ResId): string {
  return `${gvkString(id.gvk)}/${id.name || '[noName]'}.${id.namespace || '[noNs]'}`;
}

/** kustomize's default output order: these kinds first, in this order, webhooks last. */
export const ORDER_FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
export const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function legacyGvkString(g: Gvk): string {
  return [g.group || '~G', g.version || '~V', g.kind || '~K'].join('_');
}

function legacyIdString(id: ResId): string {
  return [gvkString(id.gvk), id.namespace || '~X', id.name || '~N'].join('|');
}

/** Byte-wise order of strings, as Go compares them. */
export function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < x.length && i < y.length; i++)
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/** kustomize's legacy sort: a comparison of two ids. */
export function legacyCompare(
  orderFirst: readonly string[],
  orderLast: readonly string[],
): (a: ResId, b: ResId) => number {
  const rank = new Map<string, number>();
  orderFirst.forEach((k, i) => rank.set(k, -orderFirst.length + i));
  orderLast.forEach((k, i) => rank.set(k, 1 + i));
  return (a, b) => {
    if (!gvkEquals(a.gvk, b.gvk)) {
      const ra = rank.get(a.gvk.kind) ?? 0;
      const rb = rank.get(b.gvk.kind) ?? 0;
      if (ra !== rb) return ra - rb;
      const sa = legacyGvkString(a.gvk);
      const sb = legacyGvkString(b.gvk);
      if (
        a.gvk.kind === 'Namespace' &&
        b.gvk.kind === 'Namespace' &&
        (a.gvk.group === '' || b.gvk.group === '')
      )
        return goCompare(sb, sa);
      return goCompare(sa, sb);
    }
    return goCompare(legacyIdString(a), legacyIdString(b));
  };
}
