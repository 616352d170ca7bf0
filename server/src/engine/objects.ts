/**
 * The one walk over the objects of a YAML document that every consumer uses
 * (workloads, Namespaces, PodSecurityPolicies): the document itself, or each
 * item of a list (`kind: List` or any `*List`, such as the `NamespaceList`
 * that `kubectl get` writes), lists inside lists included.
 */
import { isMap } from 'yaml';
import type { Cursor } from './cursor';
import type { KindReader } from './types';

/** Whether `kind` is a list kind whose `items` hold the objects. */
export function isListKind(kind: string): boolean {
  return kind.endsWith('List');
}

/** The object walk reads every list, for its items. */
export const LIST_READER: KindReader = {
  reader: 'the object walk (lists and their items)',
  reads: (_apiVersion, kind) => isListKind(kind),
};

/** Namespaces set the policy of the workloads in them (their labels, read by the engine). */
export const NAMESPACE_READER: KindReader = {
  reader: 'Namespace labels',
  reads: (_apiVersion, kind) => kind === 'Namespace',
};

/**
 * Calls `visit` for each object of the document at `root` that has an
 * `apiVersion` and a `kind`, with the index of the item that holds it (null
 * for the document itself).
 */
export function forEachObject(
  root: Cursor,
  visit: (obj: Cursor, apiVersion: string, kind: string, item: number | null) => void,
): void {
  const walk = (obj: Cursor, item: number | null): void => {
    if (!isMap(obj.node)) return;
    const apiVersion = obj.get('apiVersion').str();
    const kind = obj.get('kind').str();
    if (apiVersion === undefined || kind === undefined) return;
    if (isListKind(kind)) {
      obj
        .get('items')
        .items()
        .forEach((it, i) => walk(it, i));
      return;
    }
    visit(obj, apiVersion, kind, item);
  };
  walk(root, null);
}
