/**
 * Where each workload kind keeps its pod template. The API server converts
 * older served versions (extensions/v1beta1, apps/v1beta2, batch/v1beta1, …)
 * to the current ones before admission, so a kind is accepted in any version
 * of its own API group; the same kind name in another group (a CRD) is not
 * evaluated.
 */
import type { Cursor } from './cursor';

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
