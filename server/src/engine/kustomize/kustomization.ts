/**
 * Kustomization files: found as kustomize finds them, read as it reads
 * them (YAML 1.1, then JSON into Go structs: field names match without
 * regard to case, an unknown field or a value of the wrong type is an
 * error, reported as Go's JSON decoder words it), and kept with the nodes
 * each setting came from so that every value the build sets can name its
 * origin.
 */
import type { SourceFs } from '../sources/sourceFs';
import { joinPath } from '../sources/sourceFs';
import type { Span } from '../types';
import { KustomizeFailure } from './errors';
import { intText } from './scalars';
import type { KEntry, KMap, KNode, KScalar } from './tree';
import { readYamlDocuments } from './yamlfiles';

export const KUSTOMIZATION_FILE_NAMES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
] as const;

// ---------------------------------------------------------------------------
// The shape of a kustomization, as kustomize's Go types declare it

type Shape =
  | { t: 'string' | 'bool' | 'int64' | 'any' }
  | { t: 'map'; of: 'string' | 'bool'; go: string }
  /** A map of any values (`map[string]interface {}`). */
  | { t: 'object'; go: string }
  | { t: 'list'; of: Shape; go: string }
  | { t: 'struct'; name: string; go: string; fields: Record<string, Shape> };

const S: Shape = { t: 'string' };
const B: Shape = { t: 'bool' };
const I64: Shape = { t: 'int64' };
const ANY: Shape = { t: 'any' };
const SMAP: Shape = { t: 'map', of: 'string', go: 'map[string]string' };
const BMAP: Shape = { t: 'map', of: 'bool', go: 'map[string]bool' };
const STRINGS: Shape = { t: 'list', of: S, go: '[]string' };
const struct = (name: string, fields: Record<string, Shape>): Shape => ({
  t: 'struct',
  name,
  go: `types.${name}`,
  fields,
});
const list = (of: Shape): Shape => ({
  t: 'list',
  of,
  go: `[]${of.t === 'struct' ? of.go : 'interface {}'}`,
});

const FIELD_SPEC = struct('FieldSpec', { group: S, version: S, kind: S, path: S, create: B });
const SELECTOR = struct('Selector', {
  group: S,
  version: S,
  kind: S,
  name: S,
  namespace: S,
  annotationSelector: S,
  labelSelector: S,
});
const PATCH = struct('Patch', { path: S, patch: S, target: SELECTOR, options: BMAP });
const IMAGE = struct('Image', { name: S, newName: S, tagSuffix: S, newTag: S, digest: S });
const GENERATOR_OPTIONS = struct('GeneratorOptions', {
  labels: SMAP,
  annotations: SMAP,
  disableNameSuffixHash: B,
  immutable: B,
});
const generatorArgs = (name: string, extra: Record<string, Shape> = {}): Shape =>
  struct(name, {
    namespace: S,
    name: S,
    behavior: S,
    literals: STRINGS,
    files: STRINGS,
    envs: STRINGS,
    env: S,
    options: GENERATOR_OPTIONS,
    ...extra,
  });

const KUSTOMIZATION = struct('Kustomization', {
  apiVersion: S,
  kind: S,
  metadata: struct('ObjectMeta', { name: S, namespace: S, labels: SMAP, annotations: SMAP }),
  openapi: SMAP,
  namePrefix: S,
  nameSuffix: S,
  namespace: S,
  commonLabels: SMAP,
  labels: list(
    struct('Label', {
      pairs: SMAP,
      includeSelectors: B,
      includeTemplates: B,
      fields: list(FIELD_SPEC),
    }),
  ),
  commonAnnotations: SMAP,
  patchesStrategicMerge: STRINGS,
  patchesJson6902: list(PATCH),
  patches: list(PATCH),
  images: list(IMAGE),
  imageTags: list(IMAGE),
  replacements: { t: 'list', of: ANY, go: '[]types.ReplacementField' },
  replicas: list(struct('Replica', { name: S, count: I64 })),
  vars: { t: 'list', of: ANY, go: '[]types.Var' },
  sortOptions: struct('SortOptions', {
    order: S,
    legacySortOptions: struct('LegacySortOptions', { orderFirst: STRINGS, orderLast: STRINGS }),
  }),
  resources: STRINGS,
  components: STRINGS,
  crds: STRINGS,
  bases: STRINGS,
  configMapGenerator: list(generatorArgs('ConfigMapArgs')),
  secretGenerator: list(generatorArgs('SecretArgs', { type: S })),
  helmGlobals: struct('HelmGlobals', { chartHome: S, configHome: S }),
  helmCharts: list(
    struct('HelmChart', {
      name: S,
      version: S,
      repo: S,
      releaseName: S,
      namespace: S,
      additionalValuesFiles: STRINGS,
      valuesFile: S,
      valuesInline: { t: 'object', go: 'map[string]interface {}' },
      valuesMerge: S,
      includeCRDs: B,
      skipHooks: B,
      apiVersions: STRINGS,
      kubeVersion: S,
      nameTemplate: S,
      skipTests: B,
      debug: B,
    }),
  ),
  helmChartInflationGenerator: list(
    struct('HelmChartArgs', {
      chartName: S,
      chartVersion: S,
      chartRepoUrl: S,
      chartHome: S,
      chartRepoName: S,
      helmBin: S,
      helmHome: S,
      values: S,
      valuesLocal: { t: 'object', go: 'map[string]interface {}' },
      valuesMerge: S,
      releaseName: S,
      releaseNamespace: S,
      extraArgs: STRINGS,
    }),
  ),
  generatorOptions: GENERATOR_OPTIONS,
  configurations: STRINGS,
  generators: STRINGS,
  transformers: STRINGS,
  validators: STRINGS,
  buildMetadata: STRINGS,
});

/** Go's byte-wise string order (JSON object keys as Go writes them). */
function goLess(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < x.length && i < y.length; i++)
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/** Go's JSON kind word for a value (`string`, `number`, `bool`, `array`, `object`). */
function jsonKind(n: KNode): string {
  if (n.kind === 'map') return 'object';
  if (n.kind === 'seq') return 'array';
  switch (n.tag) {
    case 'int':
    case 'float':
      return 'number';
    case 'bool':
      return 'bool';
    default:
      return 'string';
  }
}

function spanOf(n: KNode | null | undefined): Span {
  const o = n?.origin;
  return o ? { start: o.start, end: o.end } : { start: 0, end: 0 };
}

/** Go's field lookup: an exact match, else the first that matches without regard to case. */
function fieldFor(fields: Record<string, Shape>, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(fields, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(fields).find((f) => f.toLowerCase() === lower);
}

class Validator {
  first: { message: string; node: KNode | null } | null = null;

  private error(message: string, node: KNode | null): void {
    this.first ??= { message, node };
  }

  private typeError(n: KNode, struct: string, path: string, go: string, value = jsonKind(n)): void {
    this.error(
      `json: cannot unmarshal ${value} into Go struct field ${struct}.${path} of type ${go}`,
      n,
    );
  }

  check(n: KNode, shape: Shape, struct: string, path: string): void {
    if (n.kind === 'scalar' && n.tag === 'null') return;
    switch (shape.t) {
      case 'any':
        return;
      case 'string':
        if (n.kind !== 'scalar' || jsonKind(n) !== 'string')
          this.typeError(n, struct, path, 'string');
        return;
      case 'bool':
        if (n.kind !== 'scalar' || n.tag !== 'bool') this.typeError(n, struct, path, 'bool');
        return;
      case 'int64':
        if (n.kind !== 'scalar' || (n.tag !== 'int' && n.tag !== 'float'))
          this.typeError(n, struct, path, 'int64');
        else if (n.tag === 'float' && !/^[-+]?[0-9]+$/.test(n.text))
          this.typeError(n, struct, path, 'int64', `number ${n.text}`);
        return;
      case 'object':
        if (n.kind !== 'map') this.typeError(n, struct, path, shape.go);
        return;
      case 'map':
        if (n.kind !== 'map') {
          this.typeError(n, struct, path, shape.go);
          return;
        }
        for (const e of [...n.entries].sort((a, b) => goLess(a.key, b.key)))
          this.check(e.value, shape.of === 'string' ? S : B, struct, path);
        return;
      case 'list':
        if (n.kind !== 'seq') {
          this.typeError(n, struct, path, shape.go);
          return;
        }
        for (const item of n.items) this.check(item, shape.of, struct, path);
        return;
      case 'struct':
        if (n.kind !== 'map') {
          if (path === '')
            this.error(
              `json: cannot unmarshal ${jsonKind(n)} into Go value of type ${shape.go}`,
              n,
            );
          else this.typeError(n, struct, path, shape.go);
          return;
        }
        for (const e of [...n.entries].sort((a, b) => goLess(a.key, b.key))) {
          const f = fieldFor(shape.fields, e.key);
          if (f === undefined) {
            this.error(`json: unknown field "${e.key}"`, e.value);
            continue;
          }
          this.check(e.value, shape.fields[f] as Shape, shape.name, path ? `${path}.${f}` : f);
        }
    }
  }
}

// ---------------------------------------------------------------------------
// The kustomization as the build reads it

/** A string setting and the node it was written in. */
export interface Setting {
  value: string;
  node: KNode;
}

/** A key-value setting (`commonLabels: {app: web}`): the pair's key and value nodes. */
export interface PairSetting {
  key: string;
  value: string;
  entry: KEntry;
}

export interface FieldSpecSetting {
  group: string;
  version: string;
  kind: string;
  path: string;
  create: boolean;
}

export interface SelectorSetting {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
  annotationSelector: string;
  labelSelector: string;
}

export interface PatchSetting {
  path: Setting | null;
  patch: Setting | null;
  target: SelectorSetting | null;
  options: Record<string, boolean>;
  /** The whole list item in the kustomization file. */
  node: KNode;
}

export interface ImageSetting {
  name: string;
  newName: string;
  tagSuffix: string;
  newTag: string;
  digest: string;
  node: KNode;
}

export interface GeneratorOptionsSetting {
  labels: PairSetting[];
  annotations: PairSetting[];
  disableNameSuffixHash: boolean;
  immutable: boolean;
  node: KNode | null;
}

export interface GeneratorSetting {
  kind: 'ConfigMap' | 'Secret';
  name: Setting | null;
  namespace: string;
  behavior: Setting | null;
  literals: Setting[];
  files: Setting[];
  envs: Setting[];
  type: string;
  options: GeneratorOptionsSetting | null;
  node: KNode;
}

export interface LabelSetting {
  pairs: PairSetting[];
  includeSelectors: boolean;
  includeTemplates: boolean;
  fields: FieldSpecSetting[];
  node: KNode;
}

export interface Kustomization {
  /** The kustomization file (absolute). */
  file: string;
  dir: string;
  text: string;
  root: KMap;
  kind: 'Kustomization' | 'Component';
  resources: Setting[];
  components: Setting[];
  namespace: Setting | null;
  namePrefix: Setting | null;
  nameSuffix: Setting | null;
  commonLabels: PairSetting[];
  labels: LabelSetting[];
  commonAnnotations: PairSetting[];
  images: ImageSetting[];
  replicas: Array<{ name: string; count: string; node: KNode }>;
  patches: PatchSetting[];
  patchesStrategicMerge: Setting[];
  patchesJson6902: PatchSetting[];
  configMapGenerator: GeneratorSetting[];
  secretGenerator: GeneratorSetting[];
  generatorOptions: GeneratorOptionsSetting | null;
  sortOptions: { order: string; orderFirst: string[] | null; orderLast: string[] | null } | null;
  /** `helmCharts`, then the deprecated `helmChartInflationGenerator` entries as kustomize converts them. */
  helmCharts: KNode[];
  /** `helmGlobals`, else what the deprecated entries set (the last non-empty `chartHome`, `helmHome`). */
  helmGlobals: KNode | null;
  buildMetadata: string[];
  /** Fields present that the build does not carry out: (json name, node). */
  unsupported: Array<{ field: string; node: KEntry }>;
  /** kustomize's warnings for deprecated fields, in its words. */
  deprecations: Array<{ message: string; node: KEntry }>;
}

/** The entry for a field, matched as Go matches JSON field names (the last of several spellings wins). */
function field(m: KMap, name: string): KEntry | undefined {
  let found: KEntry | undefined;
  const lower = name.toLowerCase();
  for (const e of [...m.entries].sort((a, b) => goLess(a.key, b.key))) {
    if (e.key === name || e.key.toLowerCase() === lower) found = e;
  }
  return found;
}

function present(n: KNode | undefined): n is KNode {
  return n !== undefined && !(n.kind === 'scalar' && n.tag === 'null');
}

function setting(m: KMap, name: string): Setting | null {
  const v = field(m, name)?.value;
  if (!present(v) || v.kind !== 'scalar' || v.text === '') return null;
  return { value: v.text, node: v };
}

function strings(m: KMap, name: string): Setting[] {
  const v = field(m, name)?.value;
  if (!present(v) || v.kind !== 'seq') return [];
  return v.items
    .filter((i): i is KScalar => i.kind === 'scalar' && i.tag !== 'null')
    .map((i) => ({ value: i.text, node: i }));
}

function text(m: KMap, name: string): string {
  return setting(m, name)?.value ?? '';
}

function bool(m: KMap, name: string): boolean {
  const v = field(m, name)?.value;
  return (
    !!v &&
    v.kind === 'scalar' &&
    v.tag === 'bool' &&
    /^(true|True|TRUE|y|Y|yes|Yes|YES|on|On|ON)$/.test(v.text)
  );
}

function pairs(m: KMap, name: string): PairSetting[] {
  const v = field(m, name)?.value;
  if (!present(v) || v.kind !== 'map') return [];
  return v.entries.map((e) => ({
    key: e.key,
    value: e.value.kind === 'scalar' && e.value.tag !== 'null' ? e.value.text : '',
    entry: e,
  }));
}

function items(m: KMap, name: string): KMap[] {
  const v = field(m, name)?.value;
  if (!present(v) || v.kind !== 'seq') return [];
  return v.items.filter((i): i is KMap => i.kind === 'map');
}

function selector(m: KMap | undefined): SelectorSetting | null {
  if (!m) return null;
  return {
    group: text(m, 'group'),
    version: text(m, 'version'),
    kind: text(m, 'kind'),
    name: text(m, 'name'),
    namespace: text(m, 'namespace'),
    annotationSelector: text(m, 'annotationSelector'),
    labelSelector: text(m, 'labelSelector'),
  };
}

function patchSetting(m: KMap): PatchSetting {
  const t = field(m, 'target')?.value;
  const opts: Record<string, boolean> = {};
  for (const p of pairs(m, 'options')) {
    const v = p.entry.value;
    opts[p.key] =
      v.kind === 'scalar' &&
      v.tag === 'bool' &&
      /^(true|True|TRUE|y|Y|yes|Yes|YES|on|On|ON)$/.test(v.text);
  }
  // A patch's text is kept as written; kustomize trims it before use.
  const patch = field(m, 'patch')?.value;
  return {
    path: setting(m, 'path'),
    patch:
      patch && patch.kind === 'scalar' && patch.tag !== 'null' && patch.text.trim() !== ''
        ? { value: patch.text, node: patch }
        : null,
    target: t && t.kind === 'map' ? selector(t) : null,
    options: opts,
    node: m,
  };
}

function generatorOptions(m: KMap | undefined): GeneratorOptionsSetting | null {
  if (!m) return null;
  return {
    labels: pairs(m, 'labels'),
    annotations: pairs(m, 'annotations'),
    disableNameSuffixHash: bool(m, 'disableNameSuffixHash'),
    immutable: bool(m, 'immutable'),
    node: m,
  };
}

function generator(m: KMap, kind: 'ConfigMap' | 'Secret'): GeneratorSetting {
  const opts = field(m, 'options')?.value;
  const env = setting(m, 'env');
  return {
    kind,
    name: setting(m, 'name'),
    namespace: text(m, 'namespace'),
    behavior: setting(m, 'behavior'),
    literals: strings(m, 'literals'),
    files: strings(m, 'files'),
    // `env` is the older spelling of one `envs` entry, added after them.
    envs: [...strings(m, 'envs'), ...(env ? [env] : [])],
    type: text(m, 'type'),
    options: opts && opts.kind === 'map' ? generatorOptions(opts) : null,
    node: m,
  };
}

const DEPRECATED: Array<[string, string]> = [
  ['bases', "# Warning: 'bases' is deprecated. Please use 'resources' instead."],
  ['commonLabels', "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead."],
  ['imageTags', "# Warning: 'imageTags' is deprecated. Please use 'images' instead."],
  ['patchesJson6902', "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead."],
  [
    'patchesStrategicMerge',
    "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead.",
  ],
  ['vars', "# Warning: 'vars' is deprecated. Please use 'replacements' instead."],
];
const EDIT_FIX = " Run 'kustomize edit fix' to update your Kustomization automatically.";

/** Fields the build does not carry out; a build that has them says so. */
const UNSUPPORTED = [
  'replacements',
  'vars',
  'configurations',
  'crds',
  'generators',
  'transformers',
  'validators',
  'openapi',
  // originAnnotations, transformerAnnotations and managedByLabel add annotations and labels.
  'buildMetadata',
];

/** The deprecated fields' names in a `helmCharts` entry (kustomize's SplitHelmParameters; the others are dropped). */
const LEGACY_HELM: Record<string, string> = {
  chartName: 'name',
  chartVersion: 'version',
  chartRepoUrl: 'repo',
  values: 'valuesFile',
  valuesLocal: 'valuesInline',
  valuesMerge: 'valuesMerge',
  releaseName: 'releaseName',
};

/** `helmChartInflationGenerator` entries as the `helmCharts` entries and `helmGlobals` kustomize makes of them. */
function legacyHelm(n: KNode | undefined): { charts: KNode[]; globals: KNode | null } {
  if (!n || n.kind !== 'seq') return { charts: [], globals: null };
  const charts: KNode[] = [];
  const globals = new Map<string, KEntry>();
  for (const item of n.items) {
    if (item.kind !== 'map') continue;
    const chart: KMap = { kind: 'map', entries: [], origin: item.origin };
    for (const key of Object.keys(LEGACY_HELM)) {
      const e = field(item, key);
      if (e) chart.entries.push({ ...e, key: LEGACY_HELM[key] as string });
    }
    charts.push(chart);
    for (const [from, to] of [
      ['helmHome', 'configHome'],
      ['chartHome', 'chartHome'],
    ] as const) {
      const e = field(item, from);
      if (e && e.value.kind === 'scalar' && e.value.text !== '' && e.value.tag !== 'null')
        globals.set(to, { ...e, key: to });
    }
  }
  return {
    charts,
    globals:
      globals.size > 0 ? { kind: 'map', entries: [...globals.values()], origin: n.origin } : null,
  };
}

/** Which kustomization file a directory has; kustomize's error when it has none or several. */
export function findKustomizationFile(fs: SourceFs, dir: string): { path: string; text: string } {
  const found: Array<{ path: string; text: string }> = [];
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const path = joinPath(dir, name);
    const t = fs.readText(path);
    if (t !== null) found.push({ path, text: t });
  }
  const [one] = found;
  if (!one) {
    throw new KustomizeFailure(
      'missingKustomization',
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`,
      dir,
      { start: 0, end: 0 },
    );
  }
  if (found.length > 1) {
    throw new KustomizeFailure(
      'multipleKustomizations',
      `Found multiple kustomization files under: ${dir}\n`,
      (found[1] as { path: string }).path,
      {
        start: 0,
        end: 0,
      },
    );
  }
  return one;
}

export interface ReadKustomizationOptions {
  maxNodes: number;
  maxDepth: number;
}

/** Read and check the kustomization of `dir`. */
export function readKustomization(
  fs: SourceFs,
  dir: string,
  o: ReadKustomizationOptions,
): Kustomization {
  const { path, text: src } = findKustomizationFile(fs, dir);
  const docs = readYamlDocuments(src, { file: path }, { yaml11: true, uniqueKeys: false, ...o });
  const root = docs[0] ?? null;
  const invalid = (message: string, n: KNode | null): never => {
    throw new KustomizeFailure('invalidKustomization', message, path, spanOf(n));
  };
  if (root === null || (root.kind === 'scalar' && root.tag === 'null'))
    invalid('kustomization.yaml is empty', null);
  const v = new Validator();
  v.check(root as KNode, KUSTOMIZATION, 'Kustomization', '');
  if (v.first) invalid(`invalid Kustomization: ${v.first.message}`, v.first.node);
  const m = root as KMap;
  const known = Object.keys((KUSTOMIZATION as { fields: Record<string, Shape> }).fields);
  const used = known.filter((f) => {
    if (f === 'apiVersion' || f === 'kind') return false;
    const e = field(m, f);
    // Go's zero values leave a field unset; an empty list or map does not.
    if (e === undefined || !present(e.value)) return false;
    const val = e.value;
    return !(
      val.kind === 'scalar' &&
      (val.text === '' ||
        (val.tag === 'bool' && !bool(m, f)) ||
        (val.tag === 'int' && Number(val.text) === 0))
    );
  });
  if (used.length === 0) invalid('kustomization.yaml is empty', m);
  const kindEntry = field(m, 'kind');
  const kindText = text(m, 'kind') || 'Kustomization';
  const apiVersion = text(m, 'apiVersion');
  const errs: string[] = [];
  if (kindText !== 'Kustomization' && kindText !== 'Component')
    errs.push('kind should be Kustomization or Component');
  const required =
    kindText === 'Component'
      ? 'kustomize.config.k8s.io/v1alpha1'
      : 'kustomize.config.k8s.io/v1beta1';
  if (apiVersion !== '' && apiVersion !== required)
    errs.push(`apiVersion for ${kindText} should be ${required}`);
  if (errs.length > 0) {
    invalid(
      `Failed to read kustomization file under ${dir}:\n${errs.join('\n')}`,
      (errs[0]?.startsWith('kind') ? kindEntry?.value : field(m, 'apiVersion')?.value) ?? null,
    );
  }
  const sortNode = field(m, 'sortOptions')?.value;
  const legacy =
    sortNode && sortNode.kind === 'map' ? field(sortNode, 'legacySortOptions')?.value : undefined;
  const listOrNull = (n: KNode | undefined, name: string): string[] | null => {
    const l = n && n.kind === 'map' ? field(n, name)?.value : undefined;
    return l && l.kind === 'seq' ? strings(n as KMap, name).map((s) => s.value) : null;
  };
  const labelItems = items(m, 'labels').map((l) => ({
    pairs: pairs(l, 'pairs'),
    includeSelectors: bool(l, 'includeSelectors'),
    includeTemplates: bool(l, 'includeTemplates'),
    fields: items(l, 'fields').map((f) => ({
      group: text(f, 'group'),
      version: text(f, 'version'),
      kind: text(f, 'kind'),
      path: text(f, 'path'),
      create: bool(f, 'create'),
    })),
    node: l,
  }));
  const helm = field(m, 'helmCharts')?.value;
  const legacyCharts = legacyHelm(field(m, 'helmChartInflationGenerator')?.value);
  const globals = field(m, 'helmGlobals')?.value;
  return {
    file: path,
    dir,
    text: src,
    root: m,
    kind: kindText as 'Kustomization' | 'Component',
    // `bases` is the older spelling of `resources`, read after them.
    resources: [...strings(m, 'resources'), ...strings(m, 'bases')],
    components: strings(m, 'components'),
    namespace: setting(m, 'namespace'),
    namePrefix: setting(m, 'namePrefix'),
    nameSuffix: setting(m, 'nameSuffix'),
    commonLabels: pairs(m, 'commonLabels'),
    labels: labelItems,
    commonAnnotations: pairs(m, 'commonAnnotations'),
    images: [...items(m, 'images'), ...items(m, 'imageTags')].map((i) => ({
      name: text(i, 'name'),
      newName: text(i, 'newName'),
      tagSuffix: text(i, 'tagSuffix'),
      newTag: text(i, 'newTag'),
      digest: text(i, 'digest'),
      node: i,
    })),
    replicas: items(m, 'replicas').map((r) => {
      const c = field(r, 'count')?.value;
      const count =
        !c || c.kind !== 'scalar'
          ? '0'
          : c.tag === 'int'
            ? intText(c.text)
            : c.tag === 'float'
              ? String(Math.trunc(Number(c.text)))
              : '0';
      return { name: text(r, 'name'), count, node: r };
    }),
    patches: items(m, 'patches').map(patchSetting),
    patchesStrategicMerge: strings(m, 'patchesStrategicMerge'),
    patchesJson6902: items(m, 'patchesJson6902').map(patchSetting),
    configMapGenerator: items(m, 'configMapGenerator').map((g) => generator(g, 'ConfigMap')),
    secretGenerator: items(m, 'secretGenerator').map((g) => generator(g, 'Secret')),
    generatorOptions: generatorOptions(field(m, 'generatorOptions')?.value as KMap | undefined),
    sortOptions:
      sortNode && sortNode.kind === 'map'
        ? {
            order: text(sortNode, 'order'),
            orderFirst: listOrNull(legacy, 'orderFirst'),
            orderLast: listOrNull(legacy, 'orderLast'),
          }
        : null,
    helmCharts: [...(helm && helm.kind === 'seq' ? helm.items : []), ...legacyCharts.charts],
    helmGlobals:
      globals && !(globals.kind === 'scalar' && globals.tag === 'null')
        ? globals
        : legacyCharts.globals,
    buildMetadata: strings(m, 'buildMetadata').map((s) => s.value),
    unsupported: UNSUPPORTED.flatMap((f) => {
      const e = field(m, f);
      return e && present(e.value) && !(e.value.kind === 'seq' && e.value.items.length === 0)
        ? [{ field: f, node: e }]
        : [];
    }),
    deprecations: DEPRECATED.flatMap(([f, msg]) => {
      const e = field(m, f);
      if (!e || !present(e.value)) return [];
      return [
        {
          message:
            msg +
            (f === 'vars'
              ? " [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically."
              : EDIT_FIX),
          node: e,
        },
      ];
    }),
  };
}

/** The node of a top-level field (for locating settings in messages). */
export function fieldNode(k: Kustomization, name: string): KEntry | undefined {
  return field(k.root, name);
}
