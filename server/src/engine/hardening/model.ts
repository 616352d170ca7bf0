/**
 * The input of the hardening checks, independent of any parser: the
 * workspace's Kubernetes objects as plain JSON values (as the API server
 * decodes them), each with where it came from and a locator that turns a
 * field path into a span of its file.
 */
import type { ObjectRef, Span } from '../types';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };
export type Path = readonly (string | number)[];

/**
 * The span of the field at `path` (relative to the object). For a field
 * whose value is a scalar, the key and the value (`privileged: true`); for
 * a map or list, its key (`labels:`); for a list item, the item (its first
 * line when it is a map). When the field is absent, the span of the key of
 * the nearest present ancestor. Null when nothing of the path is there.
 */
export type Locator = (path: Path) => Span | null;

export interface KubeObject {
  /** The object as decoded JSON. */
  value: JsonObject;
  /** The file it was read from (as the caller names files). */
  file: string;
  /** 0-based YAML document index in the file. */
  document: number;
  /** For items of a `kind: List`, the item index; otherwise null. */
  item: number | null;
  /** The namespace the object lives in: `metadata.namespace`, else the caller's default. */
  namespace: string;
  locate: Locator;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path`, or undefined. */
export function at(v: JsonValue | undefined, path: Path): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!isObject(cur)) return undefined;
      cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    }
  }
  return cur;
}

export function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function list(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

export function kindOf(o: KubeObject): string {
  return str(o.value['kind']) ?? '';
}

export function apiVersionOf(o: KubeObject): string {
  return str(o.value['apiVersion']) ?? '';
}

export function groupOf(o: KubeObject): string {
  const v = apiVersionOf(o);
  const slash = v.indexOf('/');
  return slash < 0 ? '' : v.slice(0, slash);
}

export function nameOf(o: KubeObject): string | null {
  return str(at(o.value, ['metadata', 'name'])) ?? null;
}

/** The engine's object reference for an object. */
export function refOf(o: KubeObject): ObjectRef {
  return {
    kind: kindOf(o),
    name: nameOf(o),
    namespace: o.namespace,
    document: o.document,
    item: o.item,
  };
}

/** The object's namespace as the API server resolves it: metadata.namespace, else the default. */
export function resolveNamespace(value: JsonObject, defaultNamespace: string): string {
  const ns = at(value, ['metadata', 'namespace']);
  return typeof ns === 'string' && ns.length > 0 ? ns : defaultNamespace;
}

/** A field path as the engine prints it: spec.containers[0].resources. */
export function pathString(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** User text cut to a short limit for messages. */
export function short(s: string, limit = 60): string {
  const oneLine = s.replace(/[\r\n\t]+/g, ' ');
  return oneLine.length <= limit ? oneLine : `${oneLine.slice(0, limit - 1)}…`;
}

/** A quoted, shortened name for messages. */
export function quoted(s: string | null | undefined, limit = 60): string {
  return JSON.stringify(short(s ?? '', limit));
}
