/**
 * Manifests the tests share, written once: a Pod, a Deployment and a
 * Namespace in block style, and the pods the tests keep coming back to (one
 * that meets restricted, one that is privileged). Each builder writes the
 * text shown in its comment, byte for byte, so tests that assert lines and
 * columns can rely on it.
 */

/** Fields of a securityContext, in order; a string value is written as is (`{type: RuntimeDefault}`). */
export type Fields = Record<string, string | number | boolean>;

export interface WorkloadYaml {
  name: string;
  namespace?: string;
  /** The one container's name (default `app`) and image (`app` in a Pod, `nginx` in a Deployment). */
  container?: string;
  image?: string;
  /** The container's securityContext. */
  securityContext?: Fields;
  /** The pod's securityContext. */
  podSecurityContext?: Fields;
  /** Pod spec fields written before its securityContext, in order (`automountServiceAccountToken: false`). */
  podFields?: Fields;
  /** The container's `resources:` lines below the key, without their indentation. */
  resources?: string[];
  /** Write `resources` before the container's securityContext (default: after it). */
  resourcesFirst?: boolean;
  /** A Deployment's pod template labels, in flow style (`labels: {app: web}`) unless `blockLabels`. */
  labels?: Record<string, string>;
  /** Write the template labels one per line. */
  blockLabels?: boolean;
  /** A Deployment's `selector.matchLabels`, in flow style. */
  selector?: Record<string, string>;
}

const fields = (f: Fields, indent: string): string =>
  Object.entries(f)
    .map(([k, v]) => `${indent}${k}: ${String(v)}\n`)
    .join('');

const metadata = (w: WorkloadYaml): string =>
  `metadata:\n  name: ${w.name}\n${w.namespace === undefined ? '' : `  namespace: ${w.namespace}\n`}`;

/** `{a: b, c: d}` */
const flow = (m: Record<string, string>): string =>
  `{${Object.entries(m)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}}`;

/** The pod spec's own fields, securityContext and containers, at an indentation. */
function podSpec(w: WorkloadYaml, indent: string, image: string): string {
  const own = w.podFields ? fields(w.podFields, indent) : '';
  const psc = w.podSecurityContext
    ? `${indent}securityContext:\n${fields(w.podSecurityContext, `${indent}  `)}`
    : '';
  const item = `${indent}  `;
  const sc = w.securityContext
    ? `${item}  securityContext:\n${fields(w.securityContext, `${item}    `)}`
    : '';
  const res = w.resources
    ? `${item}  resources:\n${w.resources.map((l) => `${item}    ${l}\n`).join('')}`
    : '';
  const body = w.resourcesFirst ? `${res}${sc}` : `${sc}${res}`;
  return `${own}${psc}${indent}containers:\n${item}- name: ${w.container ?? 'app'}\n${item}  image: ${w.image ?? image}\n${body}`;
}

/** A Deployment's selector and pod template metadata, when given. */
function templateHead(w: WorkloadYaml): { selector: string; metadata: string } {
  const selector = w.selector ? `  selector:\n    matchLabels: ${flow(w.selector)}\n` : '';
  if (!w.labels) return { selector, metadata: '' };
  const labels = w.blockLabels
    ? `      labels:\n${fields(w.labels, '        ')}`
    : `      labels: ${flow(w.labels)}\n`;
  return { selector, metadata: `    metadata:\n${labels}` };
}

/**
 * ```yaml
 * apiVersion: v1
 * kind: Pod
 * metadata:
 *   name: <name>
 *   namespace: <namespace>      # when given
 * spec:
 *   securityContext: …          # when given
 *   containers:
 *     - name: app
 *       image: app
 *       securityContext: …      # when given
 * ```
 */
export function podYaml(w: WorkloadYaml): string {
  return `apiVersion: v1\nkind: Pod\n${metadata(w)}spec:\n${podSpec(w, '  ', 'app')}`;
}

/**
 * ```yaml
 * apiVersion: apps/v1
 * kind: Deployment
 * metadata:
 *   name: <name>
 *   namespace: <namespace>      # when given
 * spec:
 *   selector:                   # when given
 *     matchLabels: {app: web}
 *   template:
 *     metadata:                 # when labels are given
 *       labels: {app: web}      # or one per line
 *     spec:
 *       <podFields>             # when given
 *       securityContext: …      # when given
 *       containers:
 *         - name: app
 *           image: nginx
 *           securityContext: …  # when given
 *           resources: …        # when given (or before securityContext)
 * ```
 */
export function deploymentYaml(w: WorkloadYaml): string {
  const head = templateHead(w);
  return `apiVersion: apps/v1\nkind: Deployment\n${metadata(w)}spec:\n${head.selector}  template:\n${head.metadata}    spec:\n${podSpec(w, '      ', 'nginx')}`;
}

/**
 * ```yaml
 * apiVersion: v1
 * kind: Namespace
 * metadata:
 *   name: <name>
 *   labels:
 *     <key>: <value>
 * ```
 */
export function namespaceYaml(name: string, labels: Record<string, string> = {}): string {
  const entries = Object.entries(labels);
  const block =
    entries.length === 0
      ? ''
      : `  labels:\n${entries.map(([k, v]) => `    ${k}: ${v}\n`).join('')}`;
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${block}`;
}

/** The pod-level settings restricted asks for. */
export const RESTRICTED_POD_SC: Fields = {
  runAsNonRoot: true,
  seccompProfile: '{type: RuntimeDefault}',
};
/** The container-level settings restricted asks for. */
export const RESTRICTED_CONTAINER_SC: Fields = {
  allowPrivilegeEscalation: false,
  capabilities: '{drop: [ALL]}',
};

/** A Pod that meets restricted: everything restricted asks for, at pod and container level. */
export const restrictedPod = (name: string, namespace?: string): string =>
  podYaml({
    name,
    ...(namespace === undefined ? {} : { namespace }),
    podSecurityContext: RESTRICTED_POD_SC,
    securityContext: RESTRICTED_CONTAINER_SC,
  });

/** A Pod whose container sets `privileged: true` (fails baseline). */
export const privilegedPod = (
  name: string,
  o: Pick<WorkloadYaml, 'container' | 'image'> = {},
): string => podYaml({ name, ...o, securityContext: { privileged: true } });

/**
 * ```yaml
 * apiVersion: networking.k8s.io/v1
 * kind: NetworkPolicy
 * metadata:
 *   name: <name>
 *   namespace: <namespace>
 * spec:
 *   podSelector:
 *     matchLabels: {app: <app>}
 * ```
 */
export const networkPolicyYaml = (name: string, namespace: string, app: string): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  podSelector:\n    matchLabels: {app: ${app}}\n`;

/**
 * ```yaml
 * apiVersion: v1
 * kind: ServiceAccount
 * metadata:
 *   name: <name>
 *   namespace: <namespace>
 * automountServiceAccountToken: false   # with automount false
 * ```
 */
export function serviceAccountYaml(
  name: string,
  namespace: string,
  o: { automount?: boolean } = {},
): string {
  const token = o.automount === undefined ? '' : `automountServiceAccountToken: ${o.automount}\n`;
  return `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n${token}`;
}

/** Requests of CPU and memory and a memory limit, as a container's `resources:` lines. */
export const requestsAndLimits = (memory: string): string[] => [
  `requests: {cpu: 100m, memory: ${memory}}`,
  `limits: {memory: ${memory}}`,
];

/** The pod spec field that turns the ServiceAccount token off. */
export const NO_TOKEN: Fields = { automountServiceAccountToken: false };

/**
 * A Deployment the hardening checks report on and Pod Security passes at
 * restricted: its pods labelled `app: <app>` (default: its name), block
 * style unless `flowLabels`, the pod and container settings restricted asks
 * for, image nginx. Alone it gets networkPolicyIsolation, resourceLimits,
 * resourceRequests and serviceAccountToken.
 */
export const hardenedDeployment = (
  name: string,
  o: Omit<WorkloadYaml, 'name' | 'podSecurityContext' | 'securityContext'> & {
    app?: string;
    flowLabels?: boolean;
  } = {},
): string => {
  const { app, flowLabels, ...rest } = o;
  return deploymentYaml({
    name,
    labels: { app: app ?? name },
    blockLabels: flowLabels !== true,
    podSecurityContext: RESTRICTED_POD_SC,
    securityContext: RESTRICTED_CONTAINER_SC,
    ...rest,
  });
};

/** `Chart.yaml` of a chart named web. */
export const WEB_CHART_YAML = 'apiVersion: v2\nname: web\nversion: 0.1.0\n';

/** A values file's `resources:` key setting requests and a memory limit. */
export const valuesResources = (memory: string): string =>
  `resources:\n${requestsAndLimits(memory)
    .map((l) => `  ${l}\n`)
    .join('')}`;

/**
 * The web chart's Deployment template: named `{{ .Release.Name }}-web`,
 * pods labelled `app: web`, restricted settings, its image and resources
 * from the values (`image`, `resources`).
 */
export const webChartTemplate = (o: Pick<WorkloadYaml, 'podFields'> = {}): string =>
  hardenedDeployment('{{ .Release.Name }}-web', {
    app: 'web',
    selector: { app: 'web' },
    image: '{{ .Values.image }}',
    resources: ['{{- toYaml .Values.resources | nindent 12 }}'],
    ...o,
  });

/**
 * A Kustomize tree under `kz/`: a base holding `deploy.yaml`, and the
 * overlays dev (namespace dev) and prod (namespace prod, adding its
 * `netpol.yaml`).
 */
export const kzOverlays = (deploy: string, prodNetpol: string): Record<string, string> => ({
  'kz/base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
  'kz/base/deploy.yaml': deploy,
  'kz/overlays/dev/kustomization.yaml': 'namespace: dev\nresources:\n  - ../../base\n',
  'kz/overlays/prod/kustomization.yaml':
    'namespace: prod\nresources:\n  - ../../base\n  - netpol.yaml\n',
  'kz/overlays/prod/netpol.yaml': prodNetpol,
});

/**
 * A Pod with one safe fix (`allowPrivilegeEscalation: false`) and a comment
 * on its name line: the fix must keep the comment and the layout.
 */
export const FIXABLE_POD = `apiVersion: v1
kind: Pod
metadata:
  name: p # keep me
spec:
  containers:
    - name: app
      image: app
      securityContext:
        runAsNonRoot: true
`;

/**
 * A kustomization under `hk/` whose `helmCharts` entry renders the chart
 * `hk/charts/web`: a Deployment whose image comes from values.yaml, whose
 * `securityContext` map is printed from values (`toYaml`), and whose
 * `privileged: true` comes from the entry's `valuesInline`; the overlay sets
 * namespace `shop`.
 */
export const HELM_CHART_KUSTOMIZATION: Record<string, string> = {
  'hk/kustomization.yaml': `namespace: shop
helmCharts:
- name: web
  releaseName: shop
  valuesInline:
    securityContext:
      privileged: true
`,
  'hk/charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'hk/charts/web/values.yaml': 'image: nginx\nsecurityContext:\n  runAsNonRoot: true\n',
  'hk/charts/web/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: {{ .Values.image }}
        securityContext:
          {{- toYaml .Values.securityContext | nindent 10 }}
`,
};
