/**
 * One object of a build and what kustomize remembers about it while it
 * builds: its earlier ids (a prefix, a namespace or a hash renames it, and
 * references are fixed from the old names), the prefixes and suffixes
 * added, and, for a generated ConfigMap or Secret, its merge behaviour and
 * whether its name gets a content hash. Kustomize keeps these as
 * annotations it removes before printing; here they sit beside the object.
 */
import type { Origin } from '../sources/sourcemap';
import type { Gvk, ResId } from './resid';
import { effectiveNamespace, parseGroupVersion } from './resid';
import { clone, entry, ensureMap, get, getString, remove, set, str } from './tree';
import type { KMap, KNode } from './tree';

export type Behavior = '' | 'create' | 'merge' | 'replace';

export interface PrevId {
  kind: string;
  name: string;
  namespace: string;
}

/** Where a resource was read or generated: for messages and for the follow-up's "which files make this object". */
export interface ResourceSource {
  file: string;
  document: number;
  /** Span of the document (or the generator entry) in `file`. */
  start: number;
  end: number;
}

/** An object as a `helmCharts` entry's chart rendered it: what a patch in an overlay targets. */
export interface RenderedId {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
}

export class Resource {
  /** Set for an object a `helmCharts` entry rendered. */
  rendered: RenderedId | null = null;
  prevIds: PrevId[] = [];
  prefixes: string[] = [];
  suffixes: string[] = [];
  behavior: Behavior = '';
  needsHash = false;
  allowNameChange = false;
  allowKindChange = false;

  constructor(
    public node: KMap,
    readonly source: ResourceSource,
  ) {}

  copy(): Resource {
    const r = new Resource(clone(this.node), this.source);
    r.rendered = this.rendered;
    r.prevIds = [...this.prevIds];
    r.prefixes = [...this.prefixes];
    r.suffixes = [...this.suffixes];
    r.behavior = this.behavior;
    r.needsHash = this.needsHash;
    r.allowNameChange = this.allowNameChange;
    r.allowKindChange = this.allowKindChange;
    return r;
  }

  get kind(): string {
    return getString(this.node, ['kind']);
  }
  get apiVersion(): string {
    return getString(this.node, ['apiVersion']);
  }
  get name(): string {
    return getString(this.node, ['metadata', 'name']);
  }
  get namespace(): string {
    return getString(this.node, ['metadata', 'namespace']);
  }

  gvk(): Gvk {
    return { ...parseGroupVersion(this.apiVersion), kind: this.kind };
  }

  curId(): ResId {
    return { gvk: this.gvk(), name: this.name, namespace: this.namespace };
  }

  /** Earlier ids, oldest first (their group and version are the current ones, as kustomize records them). */
  previousIds(): ResId[] {
    const g = this.gvk();
    return this.prevIds.map((p) => ({
      gvk: { group: g.group, version: g.version, kind: p.kind },
      name: p.name,
      namespace: p.namespace,
    }));
  }

  orgId(): ResId {
    return this.previousIds()[0] ?? this.curId();
  }

  allIds(): ResId[] {
    return [...this.previousIds(), this.curId()];
  }

  storePreviousId(): void {
    const id = this.curId();
    this.prevIds.push({ kind: id.gvk.kind, name: id.name, namespace: effectiveNamespace(id) });
  }

  private metadata(origin: Origin | null): KMap {
    return ensureMap(this.node, 'metadata', origin);
  }

  private setMetaString(key: string, value: string, origin: Origin | null): void {
    const md = this.metadata(origin);
    const cur = get(md, key);
    if (cur && cur.kind === 'scalar' && cur.tag === 'str' && cur.text === value) return;
    const e = entry(md, key);
    if (e) e.value = str(value, origin);
    else set(md, key, str(value, origin), origin);
  }

  setName(name: string, origin: Origin | null): void {
    this.setMetaString('name', name, origin);
  }

  setNamespace(ns: string, origin: Origin | null): void {
    if (ns === '') {
      const md = get(this.node, 'metadata');
      if (md && md.kind === 'map') remove(md, 'namespace');
      return;
    }
    this.setMetaString('namespace', ns, origin);
  }

  setKind(kind: string, origin: Origin | null): void {
    const cur = get(this.node, 'kind');
    if (cur && cur.kind === 'scalar' && cur.text === kind) return;
    set(this.node, 'kind', str(kind, origin), origin);
  }

  private stringMap(key: 'labels' | 'annotations'): Map<string, string> {
    const out = new Map<string, string>();
    const m = get(get(this.node, 'metadata'), key);
    if (m && m.kind === 'map') {
      for (const e of m.entries)
        if (e.value.kind === 'scalar' && e.value.tag !== 'null') out.set(e.key, e.value.text);
        else if (e.value.kind === 'scalar') out.set(e.key, '');
    }
    return out;
  }

  labels(): Map<string, string> {
    return this.stringMap('labels');
  }
  annotations(): Map<string, string> {
    return this.stringMap('annotations');
  }

  /** The `data` (or `binaryData`) map's string entries, with their nodes. */
  dataEntries(key: 'data' | 'binaryData'): KMap['entries'] {
    const d = get(this.node, key);
    return d && d.kind === 'map' ? d.entries : [];
  }

  isEmpty(): boolean {
    return this.node.entries.length === 0;
  }
}

/** Whether a resource is kustomize's local configuration (`config.kubernetes.io/local-config: "true"`), dropped from builds. */
export function isLocalConfig(r: Resource): boolean {
  const v = r.annotations().get('config.kubernetes.io/local-config');
  return v !== undefined && v !== 'false';
}

export type { KNode };
