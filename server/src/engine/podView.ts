/**
 * One pod template seen by the checks: its metadata, its spec and every
 * container (initContainers, containers, ephemeralContainers, in that order,
 * as upstream visits them), each with located accessors.
 */
import type { YAMLMap } from 'yaml';
import type { Cursor } from './cursor';
import type { Span } from './types';

export type ContainerKind = 'initContainers' | 'containers' | 'ephemeralContainers';
export const CONTAINER_KINDS: readonly ContainerKind[] = [
  'initContainers',
  'containers',
  'ephemeralContainers',
];

export interface ContainerView {
  cur: Cursor;
  kind: ContainerKind;
  index: number;
  /** The container's name ("" when missing). */
  name: string;
  /** `securityContext` of the container (may be absent). */
  sc: Cursor;
  /** The container's map node, for fixes. */
  map: YAMLMap | null;
}

export class PodView {
  readonly metadata: Cursor;
  readonly spec: Cursor;
  readonly podSC: Cursor;
  readonly containers: readonly ContainerView[];

  constructor(template: Cursor) {
    this.metadata = template.get('metadata').asObject();
    this.spec = template.get('spec').asObject();
    this.podSC = this.spec.get('securityContext').asObject();
    const list: ContainerView[] = [];
    for (const kind of CONTAINER_KINDS) {
      this.spec
        .get(kind)
        .items()
        .forEach((cur, index) => {
          cur.asObject();
          list.push({
            cur,
            kind,
            index,
            name: cur.get('name').str() ?? '',
            sc: cur.get('securityContext').asObject(),
            map: cur.map,
          });
        });
    }
    this.containers = list;
  }

  /**
   * Decodes the integer fields the checks read, and the other integers of
   * the same security contexts, as the API server decodes them, whatever
   * level is evaluated (no check may read them): a value out of its Go
   * type's range or with a fraction is a schema error at the value
   * (`Cursor.int`; each node is reported once, so a check reading it too adds
   * nothing). Types from k8s.io/api core/v1: ContainerPort's `hostPort` and
   * `containerPort` are int32; SecurityContext's `runAsUser`, `runAsGroup`
   * and PodSecurityContext's `runAsUser`, `runAsGroup`, `fsGroup` are int64.
   */
  decodeIntegers(): void {
    for (const f of ['runAsUser', 'runAsGroup', 'fsGroup']) this.podSC.get(f).int('int64');
    for (const c of this.containers) {
      for (const f of ['runAsUser', 'runAsGroup']) c.sc.get(f).int('int64');
      for (const p of c.cur.get('ports').items()) {
        p.get('containerPort').int('int32');
        p.get('hostPort').int('int32');
      }
    }
  }

  /** `spec.os.name == "windows"` exactly. */
  get isWindows(): boolean {
    return this.spec.get('os').get('name').str() === 'windows';
  }

  /** `spec.hostUsers` present and false. */
  get userNamespaced(): boolean {
    return this.spec.get('hostUsers').bool() === false;
  }

  /** Annotations of the pod template's metadata, in source order. */
  annotations(): Array<{ key: string; value: string; cur: Cursor }> {
    const out: Array<{ key: string; value: string; cur: Cursor }> = [];
    for (const [key, cur] of this.metadata.get('annotations').asObject().entries()) {
      out.push({ key, value: cur.str() ?? '', cur });
    }
    return out;
  }

  /**
   * Where to report a container-level field that is required but missing:
   * the container's securityContext key if it has one, else its name line,
   * else the start of the container.
   */
  containerAnchor(c: ContainerView): Span {
    if (c.sc.node !== null) return c.sc.keySpan;
    const name = c.cur.get('name');
    if (name.node !== null) return name.span;
    const s = c.cur.span;
    return { start: s.start, end: Math.min(s.end, s.start + 1) };
  }

  /** Where to report a pod-level field that is required but missing. */
  podAnchor(): Span {
    if (this.podSC.node !== null) return this.podSC.keySpan;
    if (this.spec.node !== null && this.spec.pair) return this.spec.keySpan;
    return this.spec.span;
  }
}
