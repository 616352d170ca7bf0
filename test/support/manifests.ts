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
}

const fields = (f: Fields, indent: string): string =>
  Object.entries(f)
    .map(([k, v]) => `${indent}${k}: ${String(v)}\n`)
    .join('');

const metadata = (w: WorkloadYaml): string =>
  `metadata:\n  name: ${w.name}\n${w.namespace === undefined ? '' : `  namespace: ${w.namespace}\n`}`;

/** The pod spec's securityContext and containers, at an indentation. */
function podSpec(w: WorkloadYaml, indent: string, image: string): string {
  const psc = w.podSecurityContext
    ? `${indent}securityContext:\n${fields(w.podSecurityContext, `${indent}  `)}`
    : '';
  const item = `${indent}  `;
  const sc = w.securityContext
    ? `${item}  securityContext:\n${fields(w.securityContext, `${item}    `)}`
    : '';
  return `${psc}${indent}containers:\n${item}- name: ${w.container ?? 'app'}\n${item}  image: ${w.image ?? image}\n${sc}`;
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
 *   template:
 *     spec:
 *       securityContext: …      # when given
 *       containers:
 *         - name: app
 *           image: nginx
 *           securityContext: …  # when given
 * ```
 */
export function deploymentYaml(w: WorkloadYaml): string {
  return `apiVersion: apps/v1\nkind: Deployment\n${metadata(w)}spec:\n  template:\n    spec:\n${podSpec(w, '      ', 'nginx')}`;
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
