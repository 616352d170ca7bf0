/**
 * The built-in transformers of a kustomization, as kustomize runs them:
 * `namespace`, `namePrefix`/`nameSuffix`, `labels`/`commonLabels`,
 * `commonAnnotations`, `replicas` and `images`. Every value one of them
 * writes takes the transformer's origin: the setting in the kustomization
 * file (`namespace: prod`, the `app: web` pair under `commonLabels`, the
 * `images` entry).
 */
import { LinearRegex } from '../linearRegex';
import type { ComputedOrigin } from '../sources/sourcemap';
import { KustomizeFailure } from './errors';
import {
  applyFieldSpec,
  COMMON_ANNOTATIONS,
  COMMON_LABELS,
  IMAGES,
  NAMESPACE,
  REPLICAS,
  TEMPLATE_LABELS,
} from './fieldSpecs';
import type { FieldSpec } from './fieldSpecs';
import type { ImageSetting, Kustomization, LabelSetting, PairSetting } from './kustomization';
import { gvkSelected, gvkString, idEquals, idKey, idString, isClusterScoped } from './resid';
import type { Resource } from './resource';
import { entry, get, kmap, set, str } from './tree';
import type { KMap, KNode } from './tree';

export function computed(
  k: Kustomization,
  node: { origin: KNode['origin'] } | null,
  expression: string,
  end?: number,
): ComputedOrigin {
  return {
    kind: 'computed',
    file: k.file,
    start: node?.origin?.start ?? 0,
    end: end ?? node?.origin?.end ?? 0,
    expression,
  };
}

/** Origin of a key-value setting: from its key to the end of its value. */
function pairOrigin(k: Kustomization, p: PairSetting, what: string): ComputedOrigin {
  return {
    kind: 'computed',
    file: k.file,
    start: p.entry.keyOrigin?.start ?? 0,
    end: p.entry.value.origin?.end ?? p.entry.keyOrigin?.end ?? 0,
    expression: `${what} ${p.key}: ${p.value}`,
  };
}

/** kyaml's SetEntry(key, value) on a map: replace the value (keeping the key) or append the pair. */
function setEntry(m: KNode, key: string, value: string, origin: ComputedOrigin): void {
  if (m.kind !== 'map') return;
  const e = entry(m, key);
  if (e) e.value = str(value, origin);
  else m.entries.push({ key, keyOrigin: origin, value: str(value, origin) });
}

/** kyaml's SetScalar on a scalar node: a new string value in place. */
function setScalar(n: KNode, value: string, origin: ComputedOrigin): void {
  if (n.kind !== 'scalar') return;
  n.tag = 'str';
  n.text = value;
  n.origin = origin;
}

export function setNamespace(k: Kustomization, resources: readonly Resource[]): void {
  const ns = k.namespace;
  if (!ns) return;
  const origin = computed(k, ns.node, `namespace: ${ns.value}`);
  // How many objects have each id now (kustomize checks each transformed object against all).
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(idKey(r.curId()), (counts.get(idKey(r.curId())) ?? 0) + 1);
  for (const r of resources) {
    const before = idKey(r.curId());
    if (r.isEmpty()) continue;
    r.storePreviousId();
    const gvk = r.gvk();
    // metadata.name only for a v1 Namespace; metadata.namespace by the rule below.
    let specs: FieldSpec[] = NAMESPACE.filter(
      (s) =>
        s.path !== 'metadata/namespace' && (r.apiVersion === 'v1' || s.path !== 'metadata/name'),
    );
    if (!isClusterScoped(gvk)) {
      const md = get(r.node, 'metadata');
      const m =
        md && md.kind === 'map'
          ? md
          : (set(r.node, 'metadata', kmap(origin), origin), get(r.node, 'metadata') as KMap);
      const cur = entry(m, 'namespace');
      if (cur) {
        if (cur.value.kind === 'scalar') setScalar(cur.value, ns.value, origin);
        else cur.value = str(ns.value, origin);
      } else m.entries.push({ key: 'namespace', keyOrigin: origin, value: str(ns.value, origin) });
    }
    if (gvk.kind === 'RoleBinding' || gvk.kind === 'ClusterRoleBinding') {
      specs = specs.filter(
        (s) =>
          !(
            s.path === 'subjects/namespace' &&
            (s.kind === 'RoleBinding' || s.kind === 'ClusterRoleBinding')
          ),
      );
      const subjects = get(r.node, 'subjects');
      if (subjects && subjects.kind === 'seq') {
        for (const s of subjects.items) {
          const name = get(s, 'name');
          if (s.kind !== 'map' || !name || name.kind !== 'scalar' || name.text !== 'default')
            continue;
          const e = entry(s, 'namespace');
          if (e && e.value.kind === 'scalar') setScalar(e.value, ns.value, origin);
          else if (e) e.value = str(ns.value, origin);
          else
            s.entries.push({ key: 'namespace', keyOrigin: origin, value: str(ns.value, origin) });
        }
      }
    }
    for (const spec of specs) {
      applyFieldSpec(r, spec, {
        create: 'scalar',
        origin,
        set: (n) => {
          if (n.kind === 'scalar') setScalar(n, ns.value, origin);
          else
            throw new KustomizeFailure(
              'invalidResource',
              `namespace field specs must target scalar nodes`,
              r.source.file,
              { start: r.source.start, end: r.source.end },
            );
        },
      });
    }
    const id = r.curId();
    const after = idKey(id);
    counts.set(before, (counts.get(before) ?? 1) - 1);
    counts.set(after, (counts.get(after) ?? 0) + 1);
    if ((counts.get(after) ?? 0) !== 1) {
      const matches = resources.filter((o) => idEquals(o.curId(), id));
      throw new KustomizeFailure(
        'idConflict',
        `namespace transformation produces ID conflict: [${matches.map((m) => idString(m.curId())).join(' ')}]`,
        k.file,
        { start: ns.node.origin?.start ?? 0, end: ns.node.origin?.end ?? 0 },
      );
    }
  }
}

const SKIP_RENAME = [
  { kind: 'CustomResourceDefinition' },
  { group: 'apiregistration.k8s.io', kind: 'APIService' },
  { kind: 'Namespace' },
];

export function addPrefixSuffix(
  k: Kustomization,
  resources: readonly Resource[],
  which: 'prefix' | 'suffix',
): void {
  const s = which === 'prefix' ? k.namePrefix : k.nameSuffix;
  if (!s) return;
  const origin = computed(
    k,
    s.node,
    `${which === 'prefix' ? 'namePrefix' : 'nameSuffix'}: ${s.value}`,
  );
  for (const r of resources) {
    const org = r.orgId();
    if (SKIP_RENAME.some((g) => gvkSelected(org.gvk, g))) continue;
    if (which === 'prefix') r.prefixes.push(s.value);
    else r.suffixes.push(s.value);
    r.storePreviousId();
    applyFieldSpec(
      r,
      { path: 'metadata/name' },
      {
        create: 'scalar',
        origin,
        set: (n) => {
          if (n.kind !== 'scalar') return;
          // The name keeps the origin of the name it extends.
          n.text = which === 'prefix' ? s.value + n.text : n.text + s.value;
          n.tag = 'str';
        },
      },
    );
  }
}

function mergeSpecs(into: FieldSpec[], more: readonly FieldSpec[]): FieldSpec[] {
  for (const m of more) {
    const same = into.find(
      (x) =>
        x.path === m.path &&
        (x.group ?? '') === (m.group ?? '') &&
        (x.version ?? '') === (m.version ?? '') &&
        (x.kind ?? '') === (m.kind ?? ''),
    );
    if (same) {
      if (!!same.create !== !!m.create) throw new Error('conflicting fieldspecs');
      continue;
    }
    into.push(m);
  }
  return into;
}

function applyPairs(
  k: Kustomization,
  resources: readonly Resource[],
  pairs: PairSetting[],
  specs: readonly FieldSpec[],
  what: string,
): void {
  if (pairs.length === 0) return;
  // One value per key (the last written wins), in sorted key order.
  const byKey = new Map<string, PairSetting>();
  for (const p of pairs) byKey.set(p.key, p);
  const keys = [...byKey.keys()].sort();
  const origins = new Map(
    keys.map((key) => [key, pairOrigin(k, byKey.get(key) as PairSetting, what)]),
  );
  for (const r of resources) {
    const gvk = r.gvk();
    for (const key of keys) {
      const p = byKey.get(key) as PairSetting;
      const origin = origins.get(key) as ComputedOrigin;
      for (const spec of specs) {
        applyFieldSpec(
          r,
          spec,
          {
            create: 'map',
            origin,
            set: (n) => setEntry(n, key, p.value, origin),
          },
          gvk,
        );
      }
    }
  }
}

export function applyLabels(k: Kustomization, resources: readonly Resource[]): void {
  for (const l of k.labels) {
    let specs: FieldSpec[] = l.fields.map((f) => ({
      ...(f.group ? { group: f.group } : {}),
      ...(f.version ? { version: f.version } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      path: f.path,
      create: f.create,
    }));
    try {
      if (l.includeSelectors) specs = mergeSpecs(specs, COMMON_LABELS);
      else {
        if (l.includeTemplates) specs = mergeSpecs(specs, TEMPLATE_LABELS);
        specs = mergeSpecs(specs, [{ path: 'metadata/labels', create: true }]);
      }
    } catch (e) {
      throw new KustomizeFailure(
        'invalidKustomization',
        `failed to merge labels: ${(e as Error).message}`,
        k.file,
        spanOf(l),
      );
    }
    applyPairs(k, resources, l.pairs, specs, 'labels');
  }
  applyPairs(k, resources, k.commonLabels, COMMON_LABELS, 'commonLabels');
}

function spanOf(l: LabelSetting): { start: number; end: number } {
  return { start: l.node.origin?.start ?? 0, end: l.node.origin?.end ?? 0 };
}

export function applyAnnotations(k: Kustomization, resources: readonly Resource[]): void {
  applyPairs(k, resources, k.commonAnnotations, COMMON_ANNOTATIONS, 'commonAnnotations');
}

export function applyReplicas(k: Kustomization, resources: readonly Resource[]): void {
  for (const rep of k.replicas) {
    const origin = computed(k, rep.node, `replicas: ${rep.name} ${rep.count}`);
    let found = false;
    for (const spec of REPLICAS) {
      const sel = {
        ...(spec.group ? { group: spec.group } : {}),
        ...(spec.version ? { version: spec.version } : {}),
        ...(spec.kind ? { kind: spec.kind } : {}),
      };
      for (const r of resources) {
        if (!r.allIds().some((id) => id.name === rep.name && gvkSelected(id.gvk, sel))) continue;
        found = true;
        applyFieldSpec(r, spec, {
          create: 'scalar',
          origin,
          set: (n) => {
            if (n.kind !== 'scalar') return;
            n.tag = 'int';
            n.text = rep.count;
            n.origin = origin;
          },
        });
      }
    }
    if (!found) {
      const gvks = REPLICAS.map((s) =>
        gvkString({ group: s.group ?? '', version: s.version ?? '', kind: s.kind ?? '' }),
      );
      throw new KustomizeFailure(
        'patchUnmatched',
        `resource with name ${rep.name} does not match a config with the following GVK [${gvks.join(' ')}]`,
        k.file,
        { start: rep.node.origin?.start ?? 0, end: rep.node.origin?.end ?? 0 },
      );
    }
  }
}

/** kustomize's split of an image reference into name, tag and digest. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  let search = image;
  let slash = image.indexOf('/');
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let id = search.indexOf('@');
  let ic = search.indexOf(':');
  if (ic < 0 && id < 0) return { name: image, tag: '', digest: '' };
  if (id >= 0 && (id < ic || ic < 0)) {
    id += slash;
    return { name: image.slice(0, id), tag: '', digest: image.slice(id + 1) };
  }
  if (id >= 0 && ic >= 0) {
    id += slash;
    ic += slash;
    return { name: image.slice(0, ic), tag: image.slice(ic + 1, id), digest: image.slice(id + 1) };
  }
  ic += slash;
  return { name: image.slice(0, ic), tag: image.slice(ic + 1), digest: '' };
}

function imageMatches(value: string, name: string): boolean {
  try {
    // A Go regular expression, matched in linear time (see linearRegex.ts).
    return new LinearRegex(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`).test(
      value,
    );
  } catch {
    return false;
  }
}

function updateImage(n: KNode, img: ImageSetting, origin: ComputedOrigin, r: Resource): void {
  if (n.kind !== 'scalar') {
    throw new KustomizeFailure(
      'invalidResource',
      `wrong node kind: expected ScalarNode but got ${n.kind === 'map' ? 'MappingNode' : 'SequenceNode'}`,
      r.source.file,
      {
        start: n.origin?.start ?? 0,
        end: n.origin?.end ?? 0,
      },
    );
  }
  if (!imageMatches(n.text, img.name)) return;
  let { name, tag, digest } = splitImage(n.text);
  if (img.newName) name = img.newName;
  if (img.newTag && img.digest) {
    tag = img.newTag;
    digest = img.digest;
  } else if (img.newTag) {
    tag = img.newTag;
    digest = '';
  } else if (img.digest) {
    tag = '';
    digest = img.digest;
  } else if (img.tagSuffix) {
    tag += img.tagSuffix;
    digest = '';
  }
  let out = name;
  if (tag) out += `:${tag}`;
  if (digest) out += `@${digest}`;
  setScalar(n, out, origin);
}

/** Every `containers`/`initContainers` list anywhere in an object (kustomize's legacy image walk). */
function walkContainers(n: KNode, visit: (list: KNode) => void): void {
  if (n.kind === 'map') {
    for (const e of n.entries) {
      walkContainers(e.value, visit);
      if (e.key === 'containers' || e.key === 'initContainers') visit(e.value);
    }
  } else if (n.kind === 'seq') for (const i of n.items) walkContainers(i, visit);
}

export function applyImages(k: Kustomization, resources: readonly Resource[]): void {
  for (const img of k.images) {
    const desc = [
      img.newName && `newName ${img.newName}`,
      img.newTag && `newTag ${img.newTag}`,
      img.digest && `digest ${img.digest}`,
      img.tagSuffix && `tagSuffix ${img.tagSuffix}`,
    ]
      .filter(Boolean)
      .join(', ');
    const origin = computed(k, img.node, `images: ${img.name}${desc ? ` → ${desc}` : ''}`);
    for (const r of resources) {
      if (r.kind === 'CustomResourceDefinition') continue;
      walkContainers(r.node, (list) => {
        if (list.kind !== 'seq') return;
        for (const c of list.items) {
          const image = get(c, 'image');
          if (image) updateImage(image, img, origin, r);
        }
      });
      for (const spec of IMAGES)
        applyFieldSpec(r, spec, {
          create: null,
          origin,
          set: (n) => updateImage(n, img, origin, r),
        });
    }
  }
}
