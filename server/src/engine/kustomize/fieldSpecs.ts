/**
 * Where kustomize's transformers write, as its built-in field specs say
 * (`api/internal/konfig/builtinpluginconsts`): a path of map keys through
 * the object (sequences are walked element by element), limited to a
 * group/version/kind, and whether missing fields on the way are created.
 */
import type { Origin } from '../sources/sourcemap';
import { KustomizeFailure } from './errors';
import type { Gvk } from './resid';
import { idString, parseGroupVersion } from './resid';
import type { Resource } from './resource';
import { entry, getString, kmap, scalar, set } from './tree';
import type { KMap, KNode } from './tree';

export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  create?: boolean;
}

const fs = (
  path: string,
  kind?: string,
  o: { group?: string; version?: string; create?: boolean } = {},
): FieldSpec => ({
  path,
  ...(kind ? { kind } : {}),
  ...o,
});

/** Labels on the object and on the pod templates and claim templates of the built-in workloads. */
const METADATA_LABELS: FieldSpec[] = [
  fs('metadata/labels', undefined, { create: true }),
  fs('spec/template/metadata/labels', 'ReplicationController', { version: 'v1', create: true }),
  fs('spec/template/metadata/labels', 'Deployment', { create: true }),
  fs('spec/template/metadata/labels', 'ReplicaSet', { create: true }),
  fs('spec/template/metadata/labels', 'DaemonSet', { create: true }),
  fs('spec/template/metadata/labels', 'StatefulSet', { group: 'apps', create: true }),
  fs('spec/volumeClaimTemplates[]/metadata/labels', 'StatefulSet', { group: 'apps', create: true }),
  fs('spec/template/metadata/labels', 'Job', { group: 'batch', create: true }),
  fs('spec/jobTemplate/metadata/labels', 'CronJob', { group: 'batch', create: true }),
  fs('spec/jobTemplate/spec/template/metadata/labels', 'CronJob', { group: 'batch', create: true }),
];

const AFFINITY = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

/** `commonLabels` (and `labels` with `includeSelectors`): labels, selectors and affinity terms. */
export const COMMON_LABELS: FieldSpec[] = [
  fs('spec/selector', 'Service', { version: 'v1', create: true }),
  fs('spec/selector', 'ReplicationController', { version: 'v1', create: true }),
  fs('spec/selector/matchLabels', 'Deployment', { create: true }),
  ...AFFINITY.map((p) => fs(p, 'Deployment', { group: 'apps', create: false })),
  fs('spec/selector/matchLabels', 'ReplicaSet', { create: true }),
  fs('spec/selector/matchLabels', 'DaemonSet', { create: true }),
  fs('spec/selector/matchLabels', 'StatefulSet', { group: 'apps', create: true }),
  ...AFFINITY.map((p) => fs(p, 'StatefulSet', { group: 'apps', create: false })),
  fs('spec/selector/matchLabels', 'Job', { group: 'batch', create: false }),
  fs('spec/jobTemplate/spec/selector/matchLabels', 'CronJob', { group: 'batch', create: false }),
  fs('spec/selector/matchLabels', 'PodDisruptionBudget', { group: 'policy', create: false }),
  fs('spec/podSelector/matchLabels', 'NetworkPolicy', {
    group: 'networking.k8s.io',
    create: false,
  }),
  fs('spec/ingress/from/podSelector/matchLabels', 'NetworkPolicy', {
    group: 'networking.k8s.io',
    create: false,
  }),
  fs('spec/egress/to/podSelector/matchLabels', 'NetworkPolicy', {
    group: 'networking.k8s.io',
    create: false,
  }),
  ...METADATA_LABELS,
];

/** `labels` with `includeTemplates`: the pod templates too. */
export const TEMPLATE_LABELS: FieldSpec[] = METADATA_LABELS;

export const COMMON_ANNOTATIONS: FieldSpec[] = [
  fs('metadata/annotations', undefined, { create: true }),
  fs('spec/template/metadata/annotations', 'ReplicationController', {
    version: 'v1',
    create: true,
  }),
  fs('spec/template/metadata/annotations', 'Deployment', { create: true }),
  fs('spec/template/metadata/annotations', 'ReplicaSet', { create: true }),
  fs('spec/template/metadata/annotations', 'DaemonSet', { create: true }),
  fs('spec/template/metadata/annotations', 'StatefulSet', { create: true }),
  fs('spec/template/metadata/annotations', 'Job', { group: 'batch', create: true }),
  fs('spec/jobTemplate/metadata/annotations', 'CronJob', { group: 'batch', create: true }),
  fs('spec/jobTemplate/spec/template/metadata/annotations', 'CronJob', {
    group: 'batch',
    create: true,
  }),
];

export const NAMESPACE: FieldSpec[] = [
  fs('metadata/name', 'Namespace', { create: true }),
  fs('spec/service/namespace', 'APIService', { group: 'apiregistration.k8s.io', create: true }),
  fs('spec/conversion/webhook/clientConfig/service/namespace', 'CustomResourceDefinition', {
    group: 'apiextensions.k8s.io',
  }),
];

export const IMAGES: FieldSpec[] = [
  fs('spec/containers[]/image', undefined, { create: true }),
  fs('spec/initContainers[]/image', undefined, { create: true }),
  fs('spec/template/spec/containers[]/image', undefined, { create: true }),
  fs('spec/template/spec/initContainers[]/image', undefined, { create: true }),
];

/** In the order kustomize sorts its configuration (kinds it orders first, then by group, version and kind). */
export const REPLICAS: FieldSpec[] = [
  fs('spec/replicas', 'Deployment', { create: true }),
  fs('spec/replicas', 'StatefulSet', { create: true }),
  fs('spec/replicas', 'ReplicaSet', { create: true }),
  fs('spec/replicas', 'ReplicationController', { create: true }),
];

/** Split a field spec path at `/`, where `\/` is a slash inside a key. */
export function splitPath(path: string): string[] {
  let ps = path.split('/');
  if (ps.length > 1 && ps[0] === '') ps = ps.slice(1);
  const res: string[] = [ps[0] ?? ''];
  for (let i = 1; i < ps.length; i++) {
    const last = res.length - 1;
    if ((res[last] as string).endsWith('\\'))
      res[last] = `${(res[last] as string).slice(0, -1)}/${ps[i] as string}`;
    else res.push(ps[i] as string);
  }
  return res;
}

export function specMatches(spec: FieldSpec, gvk: Gvk): boolean {
  return (
    (!spec.kind || spec.kind === gvk.kind) &&
    (!spec.group || spec.group === gvk.group) &&
    (!spec.version || spec.version === gvk.version)
  );
}

export interface Visit {
  /** Called on the node at the end of the path. */
  set: (node: KNode, holder: { map: KMap; key: string } | null) => void;
  /** What a missing last field is created as (null: never created). */
  create: 'scalar' | 'map' | null;
  /** Origin of the fields created on the way. */
  origin: Origin | null;
}

/**
 * Apply `visit` at `spec`'s path in `r` (when the spec selects the object);
 * kustomize's error when the path runs into a scalar.
 */
const SPLIT = new Map<string, string[]>();

export function applyFieldSpec(r: Resource, spec: FieldSpec, visit: Visit, gvkIn?: Gvk): void {
  const gvk = gvkIn ?? r.gvk();
  if (!specMatches(spec, gvk)) return;
  let path = SPLIT.get(spec.path);
  if (!path) SPLIT.set(spec.path, (path = splitPath(spec.path)));
  try {
    walk(r.node, null, path, spec.create === true, visit);
  } catch (e) {
    if (e instanceof FieldSpecError) {
      const src = r.source;
      throw new KustomizeFailure(
        'invalidResource',
        `considering field '${spec.path}' of object ${idString({ gvk: { ...parseGroupVersion(getString(r.node, ['apiVersion'])), kind: gvk.kind }, name: r.name, namespace: r.namespace })}: ${e.message}`,
        src.file,
        { start: src.start, end: src.end },
      );
    }
    throw e;
  }
}

class FieldSpecError extends Error {}

function walk(
  node: KNode,
  holder: { map: KMap; key: string } | null,
  path: string[],
  create: boolean,
  v: Visit,
): void {
  if (path.length === 0) {
    v.set(node, holder);
    return;
  }
  if (node.kind === 'scalar') {
    if (node.tag === 'null') return;
    throw new FieldSpecError('expected sequence or mapping node');
  }
  if (node.kind === 'seq') {
    for (const item of node.items) walk(item, null, path, create, v);
    return;
  }
  const first = path[0] as string;
  const isSeq = first.endsWith('[]');
  const name = isSeq ? first.slice(0, -2) : first;
  if (name === '') throw new FieldSpecError('cannot set or create an empty field name');
  const last = path.length <= 1;
  const createKind = !create || v.create === null || isSeq ? null : last ? v.create : 'map';
  let e = entry(node, name);
  if (!e) {
    if (createKind === null) return;
    const created = createKind === 'map' ? kmap(v.origin) : scalar('', 'null', v.origin);
    set(node, name, created, v.origin);
    e = entry(node, name);
    if (!e) return;
  } else if (createKind === 'map' && e.value.kind === 'scalar' && e.value.tag === 'null') {
    e.value = kmap(v.origin);
  }
  walk(e.value, { map: node, key: name }, path.slice(1), create, v);
}
