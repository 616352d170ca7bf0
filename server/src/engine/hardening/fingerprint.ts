/**
 * What of a file other files' hardening findings depend on, as one string
 * that changes when that changes: its NetworkPolicies, LimitRanges, quotas,
 * ServiceAccounts, audit Policies and workloads (their labels, namespaces,
 * ServiceAccount names…), without the container fields no other file's
 * finding reads (image, env, resources…). An editor compares it before and
 * after an edit to tell whether other open files must be checked again.
 *
 * It is printed from the YAML nodes as written, an alias as its name: an
 * anchored value counts once, where it is defined, so the string is never
 * longer than about the text itself, however often a document repeats a
 * value through aliases (a 1 MB name aliased by 151 containers is 1 MB here,
 * not 151 MB).
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import type { KubeObject } from './model';
import { WORKLOAD_KINDS } from '../workloads';

/** Kinds whose objects change the findings of objects in other files. */
export const SHARED_KINDS: ReadonlySet<string> = new Set<string>([
  ...WORKLOAD_KINDS,
  'NetworkPolicy',
  'CiliumNetworkPolicy',
  'CiliumClusterwideNetworkPolicy',
  'GlobalNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
  'ClusterNetworkPolicy',
  'LimitRange',
  'ResourceQuota',
  'ServiceAccount',
  'Policy',
]);

/** Whether other files' findings can depend on an object. */
export function isShared(o: KubeObject): boolean {
  const kind = o.value['kind'];
  return typeof kind === 'string' && SHARED_KINDS.has(kind);
}

/** Container fields no other file's finding depends on. */
export const LOCAL_FIELDS: ReadonlySet<string> = new Set([
  'image',
  'imagePullPolicy',
  'env',
  'envFrom',
  'args',
  'command',
  'resources',
  'ports',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'securityContext',
]);

/** Whether a node holds an anchor anywhere (an alias elsewhere may read it). */
function hasAnchor(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  const n = node as Node;
  if (!isAlias(n) && typeof (n as { anchor?: string }).anchor === 'string') return true;
  if (isMap(n)) return n.items.some((p) => hasAnchor(p.key) || hasAnchor(p.value));
  if (isSeq(n)) return n.items.some(hasAnchor);
  return false;
}

function print(node: unknown, out: string[]): void {
  if (node === null || node === undefined || typeof node !== 'object') {
    out.push(JSON.stringify(node ?? null));
    return;
  }
  const n = node as Node;
  if (isAlias(n)) {
    out.push(`*${JSON.stringify(n.source)}`);
    return;
  }
  const anchor = (n as { anchor?: string }).anchor;
  if (typeof anchor === 'string') out.push(`&${JSON.stringify(anchor)}`);
  if (isScalar(n)) {
    out.push(JSON.stringify(typeof n.value === 'bigint' ? String(n.value) : (n.value ?? null)));
  } else if (isMap(n)) {
    out.push('{');
    for (const p of n.items) {
      const key = p.key;
      const local = isScalar(key) && LOCAL_FIELDS.has(String(key.value));
      // A local field is left out unless it defines an anchor another field may alias.
      if (local && !hasAnchor(p.value)) continue;
      print(key, out);
      out.push(':');
      print(p.value, out);
      out.push(',');
    }
    out.push('}');
  } else if (isSeq(n)) {
    out.push('[');
    for (const item of n.items) {
      print(item, out);
      out.push(',');
    }
    out.push(']');
  } else out.push('?');
}

/** Documents printed, by document: an open document's kept chunks are not printed again. */
const printedDocs = new WeakMap<Document.Parsed, string>();

function printedDocument(doc: Document.Parsed): string {
  let printed = printedDocs.get(doc);
  if (printed === undefined) {
    const out: string[] = [];
    print(doc.contents, out);
    printed = out.join('');
    printedDocs.set(doc, printed);
  }
  return printed;
}

/**
 * The fingerprint of a file's objects other files depend on (see isShared),
 * printed from the file's parsed documents: '' when there are none.
 */
export function sharedFingerprint(
  all: readonly KubeObject[],
  docs: readonly Document.Parsed[] | null,
): string {
  const objects = all.filter(isShared);
  if (objects.length === 0) return '';
  const out: string[] = [];
  const printed = new Set<number>();
  for (const o of objects) {
    const doc = docs?.[o.document];
    if (!doc) {
      // No documents to print from (a caller without them): the decoded value, whole.
      out.push(
        JSON.stringify(o.value, (k: string, v: unknown) => (LOCAL_FIELDS.has(k) ? undefined : v)),
      );
      continue;
    }
    // A document's anchors may be defined outside the object (`x: &n …` beside `spec:`): print it once, whole.
    if (printed.has(o.document)) continue;
    printed.add(o.document);
    out.push(`---${o.document}`);
    out.push(printedDocument(doc));
  }
  return out.join('');
}
