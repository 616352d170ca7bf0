/**
 * The workloads of the input and their pod templates, read from JSON: the
 * kinds that run pods (Pod, ReplicationController, ReplicaSet, Deployment,
 * StatefulSet, DaemonSet, Job, CronJob) in their own API groups, as the
 * engine's workloads.ts accepts them.
 */
import { isWorkload } from '../workloads';
import type { JsonObject, JsonValue, KubeObject, Path } from './model';
import { apiVersionOf, at, isObject, kindOf, list, str } from './model';
import { labelsOf } from './selector';

const TEMPLATE: Readonly<Record<string, Path>> = {
  Pod: [],
  ReplicationController: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export type ContainerKind = 'initContainers' | 'containers' | 'ephemeralContainers';

export interface ContainerRef {
  kind: ContainerKind;
  index: number;
  name: string;
  value: JsonObject;
  /** Path of the container from the object's root. */
  path: Path;
}

export interface Workload {
  object: KubeObject;
  kind: string;
  /** Path of the pod template (metadata + spec) from the object's root; [] for a Pod. */
  template: Path;
  metadata: JsonObject;
  spec: JsonObject;
  /** The pods' labels (the template's, or the Pod's own). */
  labels: Record<string, string>;
  /** Init containers then containers (the ones that run with resources). */
  containers: ContainerRef[];
  /** Every container including ephemeral ones. */
  allContainers: ContainerRef[];
}

export function isWorkloadObject(o: KubeObject): boolean {
  const kind = kindOf(o);
  return TEMPLATE[kind] !== undefined && isWorkload(apiVersionOf(o), kind);
}

/** The workload view of an object, or null when it is not a workload or has no pod template. */
export function workloadOf(o: KubeObject): Workload | null {
  if (!isWorkloadObject(o)) return null;
  const kind = kindOf(o);
  const template = TEMPLATE[kind] as Path;
  const t = template.length === 0 ? o.value : at(o.value, template);
  if (!isObject(t)) return null;
  const spec = t['spec'];
  if (!isObject(spec)) return null;
  const metadata = isObject(t['metadata']) ? t['metadata'] : {};
  const all: ContainerRef[] = [];
  for (const ck of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    list(spec[ck]).forEach((c: JsonValue, index) => {
      if (!isObject(c)) return;
      all.push({
        kind: ck,
        index,
        name: str(c['name']) ?? '',
        value: c,
        path: [...template, 'spec', ck, index],
      });
    });
  }
  return {
    object: o,
    kind,
    template,
    metadata,
    spec,
    labels: labelsOf(metadata['labels']),
    containers: all.filter((c) => c.kind !== 'ephemeralContainers'),
    allContainers: all,
  };
}

/** Every workload of the input. */
export function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  const out: Workload[] = [];
  for (const o of objects) {
    const w = workloadOf(o);
    if (w) out.push(w);
  }
  return out;
}

/** "Deployment "web"" for messages. */
export function workloadTitle(w: Workload): string {
  const name = str(at(w.object.value, ['metadata', 'name'])) ?? '';
  return `${w.kind} ${JSON.stringify(name.length > 60 ? `${name.slice(0, 59)}…` : name)}`;
}

/** "container "app"" / "init container "setup"" for messages. */
export function containerTitle(c: ContainerRef): string {
  const n = c.name.length > 60 ? `${c.name.slice(0, 59)}…` : c.name;
  const kind =
    c.kind === 'initContainers'
      ? 'init container'
      : c.kind === 'ephemeralContainers'
        ? 'ephemeral container'
        : 'container';
  return `${kind} ${JSON.stringify(n)}`;
}
