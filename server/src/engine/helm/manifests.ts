/**
 * From rendered templates to `helm template`'s output (pkg/release/v1/util
 * and pkg/action): documents split at `---` lines, hooks (helm.sh/hook)
 * apart, both ordered by kind in Helm's install order (stable, files in path
 * order), CRDs first with --include-crds, hooks last unless --no-hooks, each
 * document as `---\n# Source: <chart>/templates/<file>\n<text>\n`.
 */
import { isMap, isScalar, parseDocument } from 'yaml';
import { isSpace } from './segtext';
import type { SegText } from './segtext';
import { compareGo } from './values';

export const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const ORDER = new Map(INSTALL_ORDER.map((k, i) => [k, i]));

const HOOK_EVENTS = new Set([
  'pre-install',
  'post-install',
  'pre-delete',
  'post-delete',
  'pre-upgrade',
  'post-upgrade',
  'pre-rollback',
  'post-rollback',
  'test',
  'test-success',
]);

export interface Manifest {
  /** The template path Helm names it by: `mychart/templates/deployment.yaml`. */
  name: string;
  content: SegText;
  kind: string;
  /** Hook events, when it is a hook. */
  hook?: string[];
}

export class ManifestError extends Error {}

/** SplitManifests: documents separated by lines starting with `---`. */
export function splitManifests(big: SegText): SegText[] {
  const t = big.trimLeft(isSpace);
  const text = t.text;
  const re = /^---[ \t]*/gm;
  const out: SegText[] = [];
  let last = 0;
  const push = (a: number, b: number): void => {
    const d = t.slice(a, b);
    if (d.text.trim() === '') return;
    out.push(d.trimLeft(isSpace));
  };
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    push(last, m.index);
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  push(last, text.length);
  return out;
}

interface Head {
  kind: string;
  annotations: Map<string, string> | null;
}

function head(text: string, path: string): Head {
  const doc = parseDocument(text, { schema: 'failsafe', uniqueKeys: false, strict: false });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? 1;
    throw new ManifestError(
      `YAML parse error on ${path}: error converting YAML to JSON: yaml: line ${line}: ${err.message.split('\n')[0] ?? ''}`,
    );
  }
  const c = doc.contents;
  const h: Head = { kind: '', annotations: null };
  if (!isMap(c)) return h;
  for (const p of c.items) {
    const k = isScalar(p.key) ? String(p.key.value) : '';
    if (k === 'kind' && isScalar(p.value)) h.kind = String(p.value.value);
    if (k === 'metadata' && isMap(p.value)) {
      for (const q of p.value.items) {
        if (!(isScalar(q.key) && q.key.value === 'annotations')) continue;
        if (isMap(q.value)) {
          h.annotations = new Map();
          for (const a of q.value.items)
            if (isScalar(a.key))
              h.annotations.set(
                String(a.key.value),
                isScalar(a.value) ? String(a.value.value) : '',
              );
        }
      }
    }
  }
  return h;
}

function lessByKind(a: string, b: string): number {
  const x = ORDER.get(a);
  const y = ORDER.get(b);
  if (x === undefined && y === undefined) return a === b ? 0 : a < b ? -1 : 1;
  if (x === undefined) return 1;
  if (y === undefined) return -1;
  return x - y;
}

/** SortManifests with InstallOrder: hooks and the other manifests, each sorted stably by kind. */
export function sortManifests(files: Map<string, SegText>): {
  hooks: Manifest[];
  manifests: Manifest[];
} {
  const hooks: Manifest[] = [];
  const generic: Manifest[] = [];
  for (const path of [...files.keys()].sort(compareGo)) {
    const content = files.get(path) as SegText;
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base.startsWith('_')) continue;
    if (content.text.trim() === '') continue;
    for (const doc of splitManifests(content)) {
      const h = head(doc.text, path);
      const hookTypes = h.annotations?.get('helm.sh/hook');
      if (!h.annotations || h.annotations.size === 0 || hookTypes === undefined) {
        generic.push({ name: path, content: doc, kind: h.kind });
        continue;
      }
      const events = hookTypes.split(',').map((e) => e.trim().toLowerCase());
      if (events.some((e) => !HOOK_EVENTS.has(e))) continue; // unknown hooks are skipped
      hooks.push({ name: path, content: doc, kind: h.kind, hook: events });
    }
  }
  const byKind = (a: Manifest, b: Manifest): number => lessByKind(a.kind, b.kind);
  return { hooks: stableSort(hooks, byKind), manifests: stableSort(generic, byKind) };
}

function stableSort<T>(xs: T[], cmp: (a: T, b: T) => number): T[] {
  return xs
    .map((x, i) => ({ x, i }))
    .sort((a, b) => cmp(a.x, b.x) || a.i - b.i)
    .map((e) => e.x);
}

/** filepath.Match of a --show-only pattern against a manifest's path without the chart name. */
export { compareGo };
