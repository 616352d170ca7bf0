/**
 * Where each workload kind keeps its pod template. The API server converts
 * older served versions (extensions/v1beta1, apps/v1beta2, batch/v1beta1, …)
 * to the current ones before admission, so a kind is accepted in any version
 * of its own API group; the same kind name in another group (a CRD) is not
 * evaluated.
 */
import type { Cursor } from './cursor';
import type { KindReader } from './types';
import { clip } from './text';

interface KindSpec {
  /** API groups the kind is served from ('' = core). */
  groups: readonly string[];
  /** Path from the object to the pod template (metadata + spec), [] for Pod itself. */
  template: readonly string[];
}

const KINDS: Readonly<Record<string, KindSpec>> = {
  Pod: { groups: [''], template: [] },
  PodTemplate: { groups: [''], template: ['template'] },
  ReplicationController: { groups: [''], template: ['spec', 'template'] },
  ReplicaSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  Deployment: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  StatefulSet: { groups: ['apps'], template: ['spec', 'template'] },
  DaemonSet: { groups: ['apps', 'extensions'], template: ['spec', 'template'] },
  Job: { groups: ['batch'], template: ['spec', 'template'] },
  CronJob: { groups: ['batch'], template: ['spec', 'jobTemplate', 'spec', 'template'] },
};

export const WORKLOAD_KINDS: readonly string[] = Object.keys(KINDS);

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether (apiVersion, kind) is a workload kind the admission controller evaluates. */
export function isWorkload(apiVersion: string, kind: string): boolean {
  const k = KINDS[kind];
  return k !== undefined && k.groups.includes(apiGroup(apiVersion));
}

/**
 * The Pod Security checks read workloads; `kindProblem` reads every kind of
 * a built-in workload group and any kind one edit from a workload kind.
 */
export const WORKLOAD_READER: KindReader = {
  reader: 'the Pod Security checks (workloads and misspelt workload kinds)',
  reads: (apiVersion, kind) =>
    isWorkload(apiVersion, kind) || kindProblem(apiVersion, kind) !== null,
};

/**
 * The pod template of a workload object: the cursor holding `metadata` and
 * `spec` of the pod. Null when the template is absent (e.g. a
 * ReplicationController without one), which admission also skips.
 */
export function podTemplate(obj: Cursor, kind: string): Cursor | null {
  const k = KINDS[kind];
  if (!k) return null;
  let c = obj;
  for (const key of k.template) {
    c = c.get(key).asObject();
    if (!c.present) return null;
  }
  return c;
}

/** Built-in API groups that serve workload kinds: any kind there is Kubernetes' own, never a CRD. */
const BUILTIN_GROUPS = new Set(['', 'apps', 'extensions', 'batch']);

/**
 * Why an object that looks meant as a workload is not one Kubernetes would
 * accept: a workload kind in the wrong built-in group (`apiVersion: v1`,
 * `kind: Deployment`), or a misspelt kind there (`pod`, `Pods`). The API
 * server rejects both, so the object is not evaluated; null otherwise
 * (a custom resource, or a kind that is not a workload).
 */
export function kindProblem(apiVersion: string, kind: string): string | null {
  const group = apiGroup(apiVersion);
  if (!BUILTIN_GROUPS.has(group) || isWorkload(apiVersion, kind)) return null;
  const k = KINDS[kind];
  if (k) {
    const g = k.groups[0] ?? '';
    return `${kind} is not served by apiVersion ${apiVersion} (use ${g === '' ? 'v1' : `${g}/v1`}): not evaluated`;
  }
  const lower = kind.toLowerCase();
  const near = WORKLOAD_KINDS.find((w) => {
    const l = w.toLowerCase();
    return lower === `${l}s` || withinOneEdit(lower, l);
  });
  return near ? `Unknown kind "${clip(kind)}" (did you mean ${near}?): not evaluated` : null;
}

/** Equal, or one character inserted, deleted or replaced. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let j = 0;
  while (j < a.length - i && j < b.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++;
  return a.length - i - j <= 1 && b.length - i - j <= 1;
}
