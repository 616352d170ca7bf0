/**
 * Name references fixed after renaming, as kustomize's name reference
 * transformer does: when a ConfigMap, Secret, ServiceAccount, Service,
 * PersistentVolumeClaim, Role... got a prefix, a suffix, a namespace or a
 * content hash, the fields that name it (a pod's `configMapKeyRef.name`,
 * `serviceAccountName`, `volumes[].secret.secretName`, a RoleBinding's
 * `roleRef` and `subjects`, an HPA's `scaleTargetRef`...) are updated to the
 * new name (kustomize's `namereference` field specs, below).
 */
import { KustomizeFailure } from './errors';
import { applyFieldSpec } from './fieldSpecs';
import type { FieldSpec } from './fieldSpecs';
import type { Gvk, ResId } from './resid';
import { effectiveNamespace, gvkSelected, idString, isClusterScoped } from './resid';
import type { Resource } from './resource';
import { entry, get, str } from './tree';
import type { KMap, KNode } from './tree';

interface BackReference {
  gvk: Partial<Gvk>;
  referrers: FieldSpec[];
}

const fs = (
  path: string,
  kind: string,
  o: { group?: string; version?: string } = {},
): FieldSpec => ({ path, kind, ...o });

/** The pod-template paths a kind holds its pod spec at. */
const TEMPLATES: Array<[string, string, { version?: string }]> = [
  ['spec', 'Pod', { version: 'v1' }],
  ['template/spec', 'PodTemplate', {}],
  ['spec/template/spec', 'Deployment', {}],
  ['spec/template/spec', 'ReplicaSet', {}],
  ['spec/template/spec', 'DaemonSet', {}],
  ['spec/template/spec', 'StatefulSet', {}],
  ['spec/template/spec', 'Job', {}],
];
const CRONJOB = 'spec/jobTemplate/spec/template/spec';

function configMapRefs(): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [p, kind, o] of TEMPLATES) {
    for (const tail of [
      'volumes/configMap/name',
      'containers/env/valueFrom/configMapKeyRef/name',
      'initContainers/env/valueFrom/configMapKeyRef/name',
      'containers/envFrom/configMapRef/name',
      'initContainers/envFrom/configMapRef/name',
      'volumes/projected/sources/configMap/name',
    ])
      out.push(fs(`${p}/${tail}`, kind, o));
  }
  for (const tail of [
    'volumes/configMap/name',
    'volumes/projected/sources/configMap/name',
    'containers/env/valueFrom/configMapKeyRef/name',
    'initContainers/env/valueFrom/configMapKeyRef/name',
    'containers/envFrom/configMapRef/name',
    'initContainers/envFrom/configMapRef/name',
  ])
    out.push(fs(`${CRONJOB}/${tail}`, 'CronJob'));
  out.push(fs('spec/configSource/configMap', 'Node'));
  out.push(fs('rules/resourceNames', 'Role'));
  out.push(fs('rules/resourceNames', 'ClusterRole'));
  out.push(
    fs('metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', 'Ingress'),
  );
  return out;
}

function secretRefs(): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const [p, kind, o] of TEMPLATES) {
    for (const tail of [
      'volumes/secret/secretName',
      'containers/env/valueFrom/secretKeyRef/name',
      'initContainers/env/valueFrom/secretKeyRef/name',
      'containers/envFrom/secretRef/name',
      'initContainers/envFrom/secretRef/name',
      'imagePullSecrets/name',
      'volumes/projected/sources/secret/name',
    ])
      out.push(fs(`${p}/${tail}`, kind, o));
  }
  for (const tail of [
    'volumes/secret/secretName',
    'volumes/projected/sources/secret/name',
    'containers/env/valueFrom/secretKeyRef/name',
    'initContainers/env/valueFrom/secretKeyRef/name',
    'containers/envFrom/secretRef/name',
    'initContainers/envFrom/secretRef/name',
    'imagePullSecrets/name',
  ])
    out.push(fs(`${CRONJOB}/${tail}`, 'CronJob'));
  out.push(
    fs('spec/tls/secretName', 'Ingress'),
    fs('metadata/annotations/ingress.kubernetes.io\\/auth-secret', 'Ingress'),
    fs('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', 'Ingress'),
    fs('metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', 'Ingress'),
    fs('spec/tls/secretName', 'Ingress'),
    fs('imagePullSecrets/name', 'ServiceAccount'),
    fs('parameters/secretName', 'StorageClass'),
    fs('parameters/adminSecretName', 'StorageClass'),
    fs('parameters/userSecretName', 'StorageClass'),
    fs('parameters/secretRef', 'StorageClass'),
    fs('rules/resourceNames', 'Role'),
    fs('rules/resourceNames', 'ClusterRole'),
    fs('spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'Service', {
      group: 'serving.knative.dev',
      version: 'v1',
    }),
    fs('spec/azureFile/secretName', 'PersistentVolume'),
  );
  return out;
}

const WORKLOADS_SA: Array<[string, string]> = [
  ['spec/template/spec', 'StatefulSet'],
  ['spec/template/spec', 'Deployment'],
  ['spec/template/spec', 'ReplicationController'],
  [CRONJOB, 'CronJob'],
  ['spec/template/spec', 'Job'],
  ['spec/template/spec', 'DaemonSet'],
];

export const NAME_REFERENCES: BackReference[] = [
  ...['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].map((kind) => ({
    gvk: { kind },
    referrers: [fs('spec/scaleTargetRef/name', 'HorizontalPodAutoscaler')],
  })),
  { gvk: { version: 'v1', kind: 'ConfigMap' }, referrers: configMapRefs() },
  { gvk: { version: 'v1', kind: 'Secret' }, referrers: secretRefs() },
  {
    gvk: { version: 'v1', kind: 'Service' },
    referrers: [
      fs('spec/serviceName', 'StatefulSet', { group: 'apps' }),
      fs('spec/rules/http/paths/backend/serviceName', 'Ingress'),
      fs('spec/backend/serviceName', 'Ingress'),
      fs('spec/rules/http/paths/backend/service/name', 'Ingress'),
      fs('spec/defaultBackend/service/name', 'Ingress'),
      fs('spec/service/name', 'APIService', { group: 'apiregistration.k8s.io' }),
      fs('webhooks/clientConfig/service', 'ValidatingWebhookConfiguration', {
        group: 'admissionregistration.k8s.io',
      }),
      fs('webhooks/clientConfig/service', 'MutatingWebhookConfiguration', {
        group: 'admissionregistration.k8s.io',
      }),
    ],
  },
  {
    gvk: { group: 'rbac.authorization.k8s.io', kind: 'Role' },
    referrers: [fs('roleRef/name', 'RoleBinding', { group: 'rbac.authorization.k8s.io' })],
  },
  {
    gvk: { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
    referrers: [
      fs('roleRef/name', 'RoleBinding', { group: 'rbac.authorization.k8s.io' }),
      fs('roleRef/name', 'ClusterRoleBinding', { group: 'rbac.authorization.k8s.io' }),
    ],
  },
  {
    gvk: { version: 'v1', kind: 'ServiceAccount' },
    referrers: [
      fs('subjects', 'RoleBinding', { group: 'rbac.authorization.k8s.io' }),
      fs('subjects', 'ClusterRoleBinding', { group: 'rbac.authorization.k8s.io' }),
      fs('spec/serviceAccountName', 'Pod'),
      ...WORKLOADS_SA.map(([p, kind]) => fs(`${p}/serviceAccountName`, kind)),
    ],
  },
  {
    gvk: { version: 'v1', kind: 'PersistentVolumeClaim' },
    referrers: [
      fs('spec/volumes/persistentVolumeClaim/claimName', 'Pod'),
      ...WORKLOADS_SA.map(([p, kind]) => fs(`${p}/volumes/persistentVolumeClaim/claimName`, kind)),
    ],
  },
  {
    gvk: { version: 'v1', kind: 'PersistentVolume' },
    referrers: [
      fs('spec/volumeName', 'PersistentVolumeClaim'),
      fs('rules/resourceNames', 'ClusterRole'),
    ],
  },
  {
    gvk: { version: 'v1', group: 'storage.k8s.io', kind: 'StorageClass' },
    referrers: [
      fs('spec/storageClassName', 'PersistentVolume'),
      fs('spec/storageClassName', 'PersistentVolumeClaim'),
      fs('spec/volumeClaimTemplates/spec/storageClassName', 'StatefulSet'),
    ],
  },
  {
    gvk: { version: 'v1', group: 'scheduling.k8s.io', kind: 'PriorityClass' },
    referrers: [
      fs('spec/priorityClassName', 'Pod'),
      ...WORKLOADS_SA.map(([p, kind]) => fs(`${p}/priorityClassName`, kind)),
    ],
  },
  {
    // kustomize's spec names the group `networking.k8s.io/v1`, which no object has.
    gvk: { version: 'v1', group: 'networking.k8s.io/v1', kind: 'IngressClass' },
    referrers: [fs('spec/ingressClassName', 'Ingress')],
  },
  {
    gvk: { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
    referrers: [
      fs('spec/policyName', 'ValidatingAdmissionPolicyBinding', {
        group: 'admissionregistration.k8s.io',
      }),
    ],
  },
];

function specGvk(s: FieldSpec): Partial<Gvk> {
  return {
    ...(s.group ? { group: s.group } : {}),
    ...(s.version ? { version: s.version } : {}),
    ...(s.kind ? { kind: s.kind } : {}),
  };
}

function sameEndingSubSlice(a: readonly string[], b: readonly string[]): boolean {
  let shortest = a;
  let longest = b;
  if (shortest.length > longest.length) [shortest, longest] = [longest, shortest];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  for (let i = shortest.length - 1; i >= 0; i--)
    if (longest[i + diff] !== shortest[i]) return false;
  return true;
}

function prefixesSuffixesEqual(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  if (allowEmpty) {
    const pe = r.prefixes.length === 0 || o.prefixes.length === 0;
    const se = r.suffixes.length === 0 || o.suffixes.length === 0;
    return (
      (pe || sameEndingSubSlice(r.prefixes, o.prefixes)) &&
      (se || sameEndingSubSlice(r.suffixes, o.suffixes))
    );
  }
  return sameEndingSubSlice(r.prefixes, o.prefixes) && sameEndingSubSlice(r.suffixes, o.suffixes);
}

function nsEquals(a: ResId, b: ResId): boolean {
  return effectiveNamespace(a) === effectiveNamespace(b);
}

/** The resources a referrer may name (kustomize's namespace rules). */
function couldBeReferenced(all: readonly Resource[], referrer: Resource): Resource[] {
  const rid = referrer.curId();
  if (isClusterScoped(rid.gvk)) return [...all];
  const saNamespaces = new Set<string>();
  if (referrer.kind === 'RoleBinding') {
    const subjects = get(referrer.node, 'subjects');
    if (subjects && subjects.kind === 'seq') {
      for (const s of subjects.items) {
        const ns = get(s, 'namespace');
        const kind = get(s, 'kind');
        if (
          ns &&
          kind &&
          kind.kind === 'scalar' &&
          kind.text === 'ServiceAccount' &&
          ns.kind === 'scalar'
        )
          saNamespaces.add(ns.text);
      }
    }
  }
  return all.filter((t) => {
    const id = t.curId();
    return isClusterScoped(id.gvk) || nsEquals(id, rid) || saNamespaces.has(t.namespace);
  });
}

class Referrals {
  constructor(
    private readonly referrer: Resource,
    private readonly target: Partial<Gvk>,
    private readonly path: string,
  ) {}

  private roleRefFilter(): (r: Resource) => boolean {
    if (!this.path.endsWith('roleRef/name')) return () => true;
    const roleRef = get(this.referrer.node, 'roleRef');
    const apiGroup = get(roleRef, 'apiGroup');
    const kind = get(roleRef, 'kind');
    if (!roleRef || !apiGroup || !kind || apiGroup.kind !== 'scalar' || kind.kind !== 'scalar')
      return () => true;
    const gvk = { group: apiGroup.text, kind: kind.text };
    return (r) => r.previousIds().some((id) => gvkSelected(id.gvk, gvk));
  }

  select(
    oldName: string,
    candidatesIn: readonly Resource[],
    identical: (rs: Resource[]) => boolean,
  ): Resource | null {
    let c = candidatesIn.filter((r) => r.previousIds().some((id) => id.name === oldName));
    c = c.filter((r) => r.previousIds().some((id) => gvkSelected(id.gvk, this.target)));
    c = c.filter(this.roleRefFilter());
    const rid = this.referrer.curId();
    if (!isClusterScoped(rid.gvk)) {
      c = c.filter(
        (r) =>
          isClusterScoped(r.curId().gvk) || r.kind === 'ServiceAccount' || nsEquals(rid, r.curId()),
      );
    }
    if (c.length === 1) return c[0] as Resource;
    c = c.filter((r) => prefixesSuffixesEqual(r, this.referrer, true));
    if (c.length > 1) c = c.filter((r) => prefixesSuffixesEqual(r, this.referrer, false));
    if (c.length === 1) return c[0] as Resource;
    if (c.length === 0) return null;
    if (identical(c)) return c[0] as Resource;
    throw new KustomizeFailure(
      'nameReference',
      `found multiple possible referrals: ${c.map((r) => idString(r.curId())).join(', ')}`,
      this.referrer.source.file,
      { start: this.referrer.source.start, end: this.referrer.source.end },
    );
  }
}

const sameNames = (rs: Resource[]): boolean => rs.every((r) => r.name === (rs[0] as Resource).name);
const sameNamesAndNamespaces = (rs: Resource[]): boolean =>
  rs.every(
    (r) => r.name === (rs[0] as Resource).name && r.namespace === (rs[0] as Resource).namespace,
  );

/** The possible referrals of one referrer, found by name (only renamed objects can be referrals). */
class Pool {
  private allowed: Set<Resource> | null = null;
  private orgNamespaces: Set<string> | null = null;

  constructor(
    private readonly all: readonly Resource[],
    private readonly byName: ReadonlyMap<string, readonly Resource[]>,
    private readonly referrer: Resource,
  ) {}

  private allowedSet(): Set<Resource> {
    this.allowed ??= new Set(couldBeReferenced(this.all, this.referrer));
    return this.allowed;
  }

  /** Candidates that once had `name`, among those the referrer may name. */
  named(name: string): Resource[] {
    const allowed = this.allowedSet();
    return (this.byName.get(name) ?? []).filter((r) => allowed.has(r));
  }

  /** Whether any candidate was originally in namespace `ns` (kustomize then matches by original namespace). */
  hasOriginalNamespace(ns: string): boolean {
    if (!this.orgNamespaces) {
      this.orgNamespaces = new Set();
      for (const r of this.allowedSet()) this.orgNamespaces.add(r.orgId().namespace);
    }
    return this.orgNamespaces.has(ns);
  }
}

function setScalarRef(n: KNode, refs: Referrals, pool: Pool): void {
  if (n.kind !== 'scalar') return;
  const referral = refs.select(n.text, pool.named(n.text), sameNames);
  if (!referral || referral.name === n.text) return;
  // The reference keeps the origin of the reference the user wrote.
  n.text = referral.name;
  n.tag = 'str';
}

function setMappingRef(n: KMap, refs: Referrals, pool: Pool, r: Resource): void {
  const nameNode = get(n, 'name');
  if (!nameNode) {
    throw new KustomizeFailure(
      'nameReference',
      "path config error; no 'name' field in node",
      r.source.file,
      {
        start: n.origin?.start ?? 0,
        end: n.origin?.end ?? 0,
      },
    );
  }
  const oldName = nameNode.kind === 'scalar' ? nameNode.text : '';
  let candidates = pool.named(oldName);
  const nsNode = get(n, 'namespace');
  if (nsNode) {
    const ns = nsNode.kind === 'scalar' ? nsNode.text : '';
    candidates = pool.hasOriginalNamespace(ns)
      ? candidates.filter((c) => c.orgId().namespace === ns)
      : candidates.filter((c) => c.namespace === ns);
  }
  const referral = refs.select(oldName, candidates, sameNamesAndNamespaces);
  if (!referral) return;
  if (referral.name === oldName && referral.namespace === '') return;
  const ne = entry(n, 'name');
  if (ne) {
    if (ne.value.kind === 'scalar') {
      ne.value.text = referral.name;
      ne.value.tag = 'str';
    } else ne.value = str(referral.name, ne.value.origin);
  }
  if (referral.namespace === '') return;
  const nse = entry(n, 'namespace');
  if (nse && nse.value.kind === 'scalar') {
    nse.value.text = referral.namespace;
    nse.value.tag = 'str';
  } else if (nse) nse.value = str(referral.namespace, nse.value.origin);
  else
    n.entries.push({
      key: 'namespace',
      keyOrigin: ne?.keyOrigin ?? n.origin,
      value: str(referral.namespace, ne?.value.origin ?? n.origin),
    });
}

/** Fix every name reference in `resources` (the whole build, after names are final). */
export function fixNameReferences(resources: readonly Resource[]): void {
  // Only an object that was renamed can be a referral: index them by their earlier names.
  const byName = new Map<string, Resource[]>();
  for (const r of resources) {
    for (const id of r.previousIds()) {
      const l = byName.get(id.name) ?? [];
      if (!l.includes(r)) l.push(r);
      byName.set(id.name, l);
    }
  }
  if (byName.size === 0) return;
  const orgIds = resources.map((r) => r.orgId());
  const pools = new Map<Resource, Pool>();
  for (const back of NAME_REFERENCES) {
    for (const spec of back.referrers) {
      resources.forEach((r, i) => {
        if (!gvkSelected((orgIds[i] as ResId).gvk, specGvk(spec))) return;
        const refs = new Referrals(r, back.gvk, spec.path);
        const pool = (): Pool => {
          let p = pools.get(r);
          if (!p) pools.set(r, (p = new Pool(resources, byName, r)));
          return p;
        };
        // The path applies to the referrer as it is now.
        applyFieldSpec(
          r,
          { path: spec.path },
          {
            create: null,
            origin: null,
            set: (n) => {
              if (n.kind === 'scalar') {
                if (n.tag !== 'null') setScalarRef(n, refs, pool());
              } else if (n.kind === 'map') setMappingRef(n, refs, pool(), r);
              else
                for (const el of n.items) {
                  if (el.kind === 'scalar') setScalarRef(el, refs, pool());
                  else if (el.kind === 'map') setMappingRef(el, refs, pool(), r);
                }
            },
          },
        );
      });
    }
  }
}
