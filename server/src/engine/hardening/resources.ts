/**
 * Resources and quotas, as the API server treats the pods a workload
 * creates:
 *
 * 1. Decoding: every quantity is rounded up to milli (SetDefaults_ResourceList)
 *    and a container's missing request defaults to its limit (SetDefaults_Pod).
 * 2. LimitRanger, mutating (plugin/pkg/admission/limitranger): each LimitRange
 *    of the namespace, after its own defaulting (a missing `default` is the
 *    `max`, a missing `defaultRequest` the `default`, else the `min`), fills
 *    the limits and requests a container (or init container) does not set.
 * 3. LimitRanger, validating: per Container item, min/max/maxLimitRequestRatio
 *    against every container and init container; per Pod item, against the
 *    pod's totals (containers and sidecars summed, other init containers as a
 *    maximum; pod-level `resources` override cpu and memory). Messages are
 *    the LimitRanger's.
 * 4. ResourceQuota (quota admission): a quota of the namespace whose `scopes`
 *    and `scopeSelector` match the pod and whose `hard` tracks cpu or memory
 *    requires every container and init container to set each tracked one
 *    ("must specify limits.memory for: app"), unless the pod sets pod-level
 *    resources. A pod whose own usage exceeds `hard` is rejected
 *    ("exceeded quota"); replicas count one after another.
 *
 * Then `resourceRequests` / `resourceLimits` report the containers that
 * still have no CPU request, memory request or memory limit (a CPU limit
 * only when configured).
 */
import type { ObjectRef, Span } from '../types';
import type { JsonObject, JsonValue, KubeObject, Path } from './model';
import {
  apiVersionOf,
  at,
  isObject,
  kindOf,
  list,
  nameOf,
  pathString,
  quoted,
  short,
  refOf,
  str,
} from './model';
import { containerTitle, workloadTitle } from './pods';
import type { ContainerRef, Workload } from './pods';
import type { Quantity } from './quantity';
import {
  add,
  compare,
  formatFixed6,
  formatQuantity,
  fromInt,
  isZero,
  milliValue,
  quantityFromJson,
  roundUpMilli,
  value,
  ZERO,
} from './quantity';
import type { HardeningFinding, HardeningFix, HardeningFixOp, HardeningNote } from './results';
import { contentKey, WorkloadMemo } from './memo';
import type { WorkloadOutput } from './memo';
import { requirementMatches } from './selector';
import type { SelectorOperator } from './selector';

export type ResourceList = Map<string, Quantity>;

export interface ResourceOptions {
  /** Also require a CPU limit (resourceLimits). Default false. */
  requireCpuLimit?: boolean;
}

export interface ContainerResources {
  name: string;
  kind: ContainerRef['kind'];
  /** Effective requests and limits after defaulting, as canonical strings. */
  requests: Record<string, string>;
  limits: Record<string, string>;
  /** Where defaulted values came from: "requests.cpu" → "its limit" / "LimitRange "x"". */
  defaulted: Record<string, string>;
}

export interface WorkloadResources {
  object: ObjectRef;
  file: string;
  namespace: string;
  containers: ContainerResources[];
  /** LimitRanges of the namespace applied, by name. */
  limitRanges: string[];
  /** ResourceQuotas of the namespace that match the pods, by name. */
  quotas: string[];
}

export interface ResourcesResult {
  findings: HardeningFinding[];
  notes: HardeningNote[];
  workloads: WorkloadResources[];
}

/** Placeholder values of the fixes: valid quantities the user must edit. */
export const PLACEHOLDERS = { cpu: '100m', memory: '128Mi' } as const;

const MAX_MILLI_VALUE = ((1n << 63n) - 1n) / 1000n;

interface CRes {
  c: ContainerRef;
  requests: ResourceList;
  limits: ResourceList;
  sidecar: boolean;
  defaulted: Map<string, string>;
}

interface LimitItem {
  type: string;
  index: number;
  max: ResourceList;
  min: ResourceList;
  default: ResourceList;
  defaultRequest: ResourceList;
  maxLimitRequestRatio: ResourceList;
}

interface LimitRange {
  obj: KubeObject;
  name: string;
  items: LimitItem[];
}

interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values: string[];
}

interface Quota {
  obj: KubeObject;
  name: string;
  hard: ResourceList;
  scopes: ScopeRequirement[];
}

/** Upstream's LimitRanger text with its double spaces made single, for the short form. */
function oneSpace(s: string): string {
  return s.replace(/\s+/g, ' ');
}

function note(
  o: KubeObject,
  path: Path,
  message: string,
  check: HardeningNote['check'],
): HardeningNote {
  return {
    check,
    message,
    file: o.file,
    span: o.locate(path) ?? o.locate([]) ?? { start: 0, end: 0 },
    object: refOf(o),
  };
}

/** Read a ResourceList (name → quantity), rounded up to milli; bad entries become notes. */
function readList(
  o: KubeObject,
  path: Path,
  notes: HardeningNote[],
  check: HardeningNote['check'],
): ResourceList {
  const out: ResourceList = new Map();
  const v = at(o.value, path);
  if (v === undefined || v === null) return out;
  if (!isObject(v)) {
    notes.push(
      note(
        o,
        path,
        `${pathString(path)} must be a map of resource names to quantities: the API server rejects this object`,
        check,
      ),
    );
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    const r = quantityFromJson(x);
    if (!r.ok) {
      notes.push(
        note(
          o,
          [...path, k],
          `${pathString([...path, k])}: ${r.error}: the API server rejects this object`,
          check,
        ),
      );
      continue;
    }
    out.set(k, roundUpMilli(r.quantity));
  }
  return out;
}

function fmtList(l: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...l.keys()].sort()) out[k] = formatQuantity(l.get(k) as Quantity);
  return out;
}

/** The pod-level resource names that override container totals (PodLevelResources). */
function podLevelResource(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name.startsWith('hugepages-');
}

function podLevelSet(pl: { requests: ResourceList; limits: ResourceList }): boolean {
  return [...pl.requests.keys(), ...pl.limits.keys()].some(podLevelResource);
}

function addInto(list: ResourceList, more: ResourceList): void {
  for (const [k, q] of more) {
    const cur = list.get(k);
    list.set(k, cur === undefined ? q : add(cur, q));
  }
}

function maxInto(list: ResourceList, more: ResourceList): void {
  for (const [k, q] of more) {
    const cur = list.get(k);
    if (cur === undefined || compare(q, cur) > 0) list.set(k, q);
  }
}

/**
 * The pod's total requests or limits: containers summed, sidecars (init
 * containers with restartPolicy Always) added to both, other init
 * containers taken as a maximum over their run (with the sidecars started
 * before them); pod-level values override cpu, memory and hugepages.
 */
function podTotal(
  cs: readonly CRes[],
  which: 'requests' | 'limits',
  podLevel: ResourceList,
): ResourceList {
  const total: ResourceList = new Map();
  for (const c of cs) if (c.c.kind === 'containers') addInto(total, c[which]);
  const sidecars: ResourceList = new Map();
  const inits: ResourceList = new Map();
  for (const c of cs) {
    if (c.c.kind !== 'initContainers') continue;
    let own: ResourceList;
    if (c.sidecar) {
      addInto(total, c[which]);
      addInto(sidecars, c[which]);
      own = new Map(sidecars);
    } else {
      own = new Map();
      addInto(own, c[which]);
      addInto(own, sidecars);
    }
    maxInto(inits, own);
  }
  maxInto(total, inits);
  for (const [k, q] of podLevel) if (podLevelResource(k)) total.set(k, q);
  return total;
}

/** LimitRangeItem defaulting (SetDefaults_LimitRangeItem), for Container items. */
function defaultItem(item: LimitItem): LimitItem {
  if (item.type !== 'Container') return item;
  const def = new Map(item.default);
  const req = new Map(item.defaultRequest);
  for (const [k, q] of item.max) if (!def.has(k)) def.set(k, q);
  for (const [k, q] of def) if (!req.has(k)) req.set(k, q);
  for (const [k, q] of item.min) if (!req.has(k)) req.set(k, q);
  return { ...item, default: def, defaultRequest: req };
}

function readLimitRange(o: KubeObject, notes: HardeningNote[]): LimitRange | null {
  const name = nameOf(o) ?? '';
  const items: LimitItem[] = [];
  const raw = at(o.value, ['spec', 'limits']);
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) {
    notes.push(
      note(
        o,
        ['spec', 'limits'],
        `LimitRange ${quoted(name)}: spec.limits must be a list: not evaluated`,
        'limitRangeRejects',
      ),
    );
    return null;
  }
  let valid = true;
  list(raw).forEach((it, index) => {
    if (!isObject(it)) return;
    const p: Path = ['spec', 'limits', index];
    const read = (k: string) => readList(o, [...p, k], notes, 'limitRangeRejects');
    const item = defaultItem({
      type: str(it['type']) ?? '',
      index,
      max: read('max'),
      min: read('min'),
      default: read('default'),
      defaultRequest: read('defaultRequest'),
      maxLimitRequestRatio: read('maxLimitRequestRatio'),
    });
    const problem = limitItemProblem(item);
    if (problem) {
      valid = false;
      notes.push(
        note(
          o,
          p,
          `LimitRange ${quoted(name)} is invalid and the API server rejects it: spec.limits[${index}]: ${problem}`,
          'limitRangeRejects',
        ),
      );
    }
    items.push(item);
  });
  return valid ? { obj: o, name, items } : null;
}

/** What LimitRange validation rejects in an item (after its defaulting), or null. */
function limitItemProblem(item: LimitItem): string | null {
  if (!['Container', 'Pod', 'PersistentVolumeClaim'].includes(item.type))
    return `type: Unsupported value: ${JSON.stringify(item.type)}: supported values: "Container", "Pod", "PersistentVolumeClaim"`;
  if (item.type === 'Pod' && (item.default.size > 0 || item.defaultRequest.size > 0))
    return 'default and defaultRequest may not be specified when type is Pod';
  const f = formatQuantity;
  for (const [k, min] of item.min) {
    const mx = item.max.get(k);
    if (mx && compare(min, mx) > 0)
      return `min[${k}]: min value ${f(min)} is greater than max value ${f(mx)}`;
  }
  for (const [k, dr] of item.defaultRequest) {
    const mx = item.max.get(k);
    const mn = item.min.get(k);
    const d = item.default.get(k);
    if (mx && compare(dr, mx) > 0)
      return `defaultRequest[${k}]: default request value ${f(dr)} is greater than max value ${f(mx)}`;
    if (mn && compare(mn, dr) > 0)
      return `defaultRequest[${k}]: min value ${f(mn)} is greater than default request value ${f(dr)}`;
    if (d && compare(dr, d) > 0)
      return `defaultRequest[${k}]: default request value ${f(dr)} is greater than default limit value ${f(d)}`;
  }
  for (const [k, d] of item.default) {
    const mx = item.max.get(k);
    const mn = item.min.get(k);
    if (mx && compare(d, mx) > 0)
      return `default[${k}]: default value ${f(d)} is greater than max value ${f(mx)}`;
    if (mn && compare(mn, d) > 0)
      return `default[${k}]: min value ${f(mn)} is greater than default value ${f(d)}`;
  }
  for (const [k, r] of item.maxLimitRequestRatio) {
    if (compare(r, fromInt(1n)) < 0)
      return `maxLimitRequestRatio[${k}]: ratio ${f(r)} is less than 1`;
  }
  return null;
}

function readQuota(o: KubeObject, notes: HardeningNote[]): Quota {
  const scopes: ScopeRequirement[] = [];
  for (const s of list(at(o.value, ['spec', 'scopes']))) {
    if (typeof s === 'string') scopes.push({ scopeName: s, operator: 'Exists', values: [] });
  }
  list(at(o.value, ['spec', 'scopeSelector', 'matchExpressions'])).forEach((e) => {
    if (!isObject(e)) return;
    scopes.push({
      scopeName: str(e['scopeName']) ?? '',
      operator: str(e['operator']) ?? '',
      values: list(e['values']).filter((x): x is string => typeof x === 'string'),
    });
  });
  return {
    obj: o,
    name: nameOf(o) ?? '',
    hard: readList(o, ['spec', 'hard'], notes, 'quotaRejects'),
    scopes,
  };
}

const POD_RESOURCES = new Set([
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
]);
/** Quota resources whose presence requires each container to set them (upstream's validationSet). */
const VALIDATION_SET = [
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
];

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** The quota's hard resources that pods count against (podEvaluator.MatchingResources). */
function podMatchingResources(hard: ResourceList): string[] {
  return [...hard.keys()].filter(
    (r) =>
      POD_RESOURCES.has(r) ||
      r.startsWith('hugepages-') ||
      r.startsWith('requests.hugepages-') ||
      (!isNativeResource(r) && r.startsWith('requests.')),
  );
}

/** A container's (or pod's) quota usage from its requests and limits (podComputeUsageHelper). */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', fromInt(1n)]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const q = requests.get(r);
    if (q) {
      out.set(r, q);
      out.set(`requests.${r}`, q);
    }
    const l = limits.get(r);
    if (l) out.set(`limits.${r}`, l);
  }
  for (const [r, q] of requests) {
    if (r.startsWith('hugepages-')) {
      out.set(r, q);
      out.set(`requests.${r}`, q);
    } else if (!isNativeResource(r)) out.set(`requests.${r}`, q);
  }
  return out;
}

function isBestEffort(
  cs: readonly CRes[],
  podLevel: { requests: ResourceList; limits: ResourceList },
): boolean {
  const positive = (l: ResourceList) =>
    ['cpu', 'memory'].some((r) => {
      const q = l.get(r);
      return q !== undefined && compare(q, ZERO) > 0;
    });
  if (podLevelSet(podLevel)) return !positive(podLevel.requests) && !positive(podLevel.limits);
  return !cs.some((c) => positive(c.requests) || positive(c.limits));
}

function usesCrossNamespaceAffinity(spec: JsonObject): boolean {
  const term = (t: JsonValue) => {
    if (!isObject(t)) return false;
    const ns = t['namespaces'];
    return (
      (Array.isArray(ns) && ns.length > 0) ||
      (t['namespaceSelector'] !== undefined && t['namespaceSelector'] !== null)
    );
  };
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = at(spec, ['affinity', kind]);
    if (!isObject(a)) continue;
    if (list(a['requiredDuringSchedulingIgnoredDuringExecution']).some(term)) return true;
    if (
      list(a['preferredDuringSchedulingIgnoredDuringExecution']).some(
        (w) => isObject(w) && term(w['podAffinityTerm'] ?? null),
      )
    )
      return true;
  }
  return false;
}

/** Whether one scope requirement matches the pod (podMatchesScopeFunc); null when it is invalid. */
function scopeMatches(s: ScopeRequirement, spec: JsonObject, bestEffort: boolean): boolean | null {
  switch (s.scopeName) {
    case 'Terminating':
    case 'NotTerminating': {
      const ads = spec['activeDeadlineSeconds'];
      const terminating = typeof ads === 'number' && ads >= 0;
      return s.scopeName === 'Terminating' ? terminating : !terminating;
    }
    case 'BestEffort':
      return bestEffort;
    case 'NotBestEffort':
      return !bestEffort;
    case 'PriorityClass': {
      const pc = str(spec['priorityClassName']) ?? '';
      if (s.operator === 'Exists') return pc.length > 0;
      if (!['In', 'NotIn', 'DoesNotExist'].includes(s.operator)) return null;
      if ((s.operator === 'In' || s.operator === 'NotIn') && s.values.length === 0) return null;
      const labels: Record<string, string> = pc.length > 0 ? { PriorityClass: pc } : {};
      return requirementMatches(
        { key: 'PriorityClass', operator: s.operator as SelectorOperator, values: s.values },
        labels,
      );
    }
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespaceAffinity(spec);
    default:
      return false;
  }
}

function replicasOf(w: Workload): { count: number; path: Path | null } {
  const v = w.object.value;
  const read = (p: Path, dflt: number) => {
    const x = at(v, p);
    return typeof x === 'number' && Number.isInteger(x) && x >= 0
      ? { count: x, path: p }
      : { count: dflt, path: null };
  };
  switch (w.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'StatefulSet':
      return read(['spec', 'replicas'], 1);
    case 'Job':
      return read(['spec', 'parallelism'], 1);
    case 'CronJob':
      return read(['spec', 'jobTemplate', 'spec', 'parallelism'], 1);
    default:
      return { count: 1, path: null };
  }
}

/** How many units of `q` fit in `hard` (floor), exactly; null when q is zero. */
function fits(hard: Quantity, q: Quantity): bigint | null {
  if (isZero(q)) return null;
  const e = Math.min(hard.exp, q.exp);
  const h = hard.mant * 10n ** BigInt(hard.exp - e);
  const u = q.mant * 10n ** BigInt(q.exp - e);
  if (h < 0n) return 0n;
  return h / u;
}

function times(q: Quantity, n: bigint): Quantity {
  return n === 0n
    ? { ...ZERO }
    : { mant: q.mant * n, exp: q.exp, format: q.format, text: n === 1n ? q.text : null };
}

function prettyPrint(l: ResourceList): string {
  return [...l.keys()]
    .sort()
    .map((k) => `${k}=${formatQuantity(l.get(k) as Quantity)}`)
    .join(',');
}

function ordinal(n: bigint): string {
  const s = n.toString();
  const teen = n % 100n >= 11n && n % 100n <= 13n;
  const last = n % 10n;
  return `${s}${teen ? 'th' : last === 1n ? 'st' : last === 2n ? 'nd' : last === 3n ? 'rd' : 'th'}`;
}

/** requestLimitEnforcedValues: compare at milli precision unless a value is too large for it. */
function enforcedValues(
  req: Quantity | undefined,
  lim: Quantity | undefined,
  enforced: Quantity,
): [bigint, bigint, bigint] {
  const r = req ?? ZERO;
  const l = lim ?? ZERO;
  if (
    value(r) <= MAX_MILLI_VALUE &&
    value(l) <= MAX_MILLI_VALUE &&
    value(enforced) <= MAX_MILLI_VALUE
  )
    return [milliValue(r), milliValue(l), milliValue(enforced)];
  return [value(r), value(l), value(enforced)];
}

/** The LimitRanger's min/max/ratio checks for one resource of one item; its error messages. */
function limitViolations(
  type: string,
  item: LimitItem,
  requests: ResourceList,
  limits: ResourceList,
): Array<{ resource: string; field: 'requests' | 'limits'; message: string }> {
  const out: Array<{ resource: string; field: 'requests' | 'limits'; message: string }> = [];
  const f = formatQuantity;
  for (const k of [...item.min.keys()].sort()) {
    const enforced = item.min.get(k) as Quantity;
    const req = requests.get(k);
    const lim = limits.get(k);
    const [rv, lv, ev] = enforcedValues(req, lim, enforced);
    if (!req)
      out.push({
        resource: k,
        field: 'requests',
        message: `minimum ${k} usage per ${type} is ${f(enforced)}.  No request is specified`,
      });
    else if (rv < ev)
      out.push({
        resource: k,
        field: 'requests',
        message: `minimum ${k} usage per ${type} is ${f(enforced)}, but request is ${f(req)}`,
      });
    else if (lim && lv < ev)
      out.push({
        resource: k,
        field: 'limits',
        message: `minimum ${k} usage per ${type} is ${f(enforced)}, but limit is ${f(lim)}`,
      });
  }
  for (const k of [...item.max.keys()].sort()) {
    const enforced = item.max.get(k) as Quantity;
    const req = requests.get(k);
    const lim = limits.get(k);
    const [rv, lv, ev] = enforcedValues(req, lim, enforced);
    if (!lim)
      out.push({
        resource: k,
        field: 'limits',
        message: `maximum ${k} usage per ${type} is ${f(enforced)}.  No limit is specified`,
      });
    else if (lv > ev)
      out.push({
        resource: k,
        field: 'limits',
        message: `maximum ${k} usage per ${type} is ${f(enforced)}, but limit is ${f(lim)}`,
      });
    else if (req && rv > ev)
      out.push({
        resource: k,
        field: 'requests',
        message: `maximum ${k} usage per ${type} is ${f(enforced)}, but request is ${f(req)}`,
      });
  }
  for (const k of [...item.maxLimitRequestRatio.keys()].sort()) {
    const enforced = item.maxLimitRequestRatio.get(k) as Quantity;
    const req = requests.get(k);
    const lim = limits.get(k);
    const [rv, lv] = enforcedValues(req, lim, enforced);
    if (!req || rv === 0n) {
      out.push({
        resource: k,
        field: 'requests',
        message: `${k} max limit to request ratio per ${type} is ${f(enforced)}, but no request is specified or request is 0`,
      });
      continue;
    }
    if (!lim || lv === 0n) {
      out.push({
        resource: k,
        field: 'limits',
        message: `${k} max limit to request ratio per ${type} is ${f(enforced)}, but no limit is specified or limit is 0`,
      });
      continue;
    }
    let observed = Number(lv) / Number(rv);
    const display = observed;
    let maxRatio = Number(value(enforced));
    if (value(enforced) <= MAX_MILLI_VALUE) {
      observed *= 1000;
      maxRatio = Number(milliValue(enforced));
    }
    if (observed > maxRatio)
      out.push({
        resource: k,
        field: 'limits',
        message: `${k} max limit to request ratio per ${type} is ${f(enforced)}, but provided ratio is ${formatFixed6(display)}`,
      });
  }
  return out;
}

function spanOf(o: KubeObject, path: Path): Span {
  return o.locate(path) ?? o.locate([]) ?? { start: 0, end: 0 };
}

function existingPath(v: JsonValue, path: Path): Path {
  for (let n = path.length; n > 0; n--)
    if (at(v, path.slice(0, n)) !== undefined) return path.slice(0, n);
  return [];
}

/** The pod's own path of a container (spec.containers[0]), as pod validation names it. */
function podPath(c: ContainerRef): string {
  return `spec.${c.kind}[${c.index}]`;
}

/** The bounds the LimitRanges of a namespace put on one container's resource: Container min, Container and Pod max. */
function boundsOf(
  lrs: readonly LimitRange[],
  res: string,
): { lower: Quantity | null; upper: Quantity | null } {
  let lower: Quantity | null = null;
  let upper: Quantity | null = null;
  for (const lr of lrs) {
    for (const item of lr.items) {
      const mn = item.type === 'Container' ? item.min.get(res) : undefined;
      const mx = item.type === 'Container' || item.type === 'Pod' ? item.max.get(res) : undefined;
      if (mn && (lower === null || compare(mn, lower) > 0)) lower = mn;
      if (mx && (upper === null || compare(mx, upper) < 0)) upper = mx;
    }
  }
  return { lower, upper };
}

/**
 * Fix operations adding the given fields ("requests.cpu", "limits.memory")
 * to a container: a limit takes the container's request when it has one;
 * else a placeholder, brought within the LimitRange bounds of the namespace.
 */
function addResourceOps(
  c: CRes,
  fields: readonly string[],
  lrs: readonly LimitRange[],
): HardeningFixOp[] {
  const ops: HardeningFixOp[] = [];
  for (const fld of fields) {
    const [which, res] = fld.split('.') as ['requests' | 'limits', 'cpu' | 'memory'];
    const req = which === 'limits' ? c.requests.get(res) : undefined;
    let v: string;
    if (req) v = formatQuantity(req);
    else {
      const parsed = quantityFromJson(PLACEHOLDERS[res]);
      let q = parsed.ok ? parsed.quantity : ZERO;
      const { lower, upper } = boundsOf(lrs, res);
      if (upper && compare(q, upper) > 0) q = upper;
      if (lower && compare(q, lower) < 0) q = lower;
      v = formatQuantity(q);
    }
    ops.push({ op: 'set', path: [...c.c.path, 'resources', which, res], value: v });
  }
  return ops;
}

/** One workload under its namespace's LimitRanges and ResourceQuotas. */
function workloadResources(
  w: Workload,
  limitRanges: ReadonlyMap<string, LimitRange[]>,
  quotas: ReadonlyMap<string, Quota[]>,
  options: ResourceOptions,
): WorkloadOutput<WorkloadResources> {
  const findings: HardeningFinding[] = [];
  const notes: HardeningNote[] = [];
  const o = w.object;
  const ns = o.namespace;
  const lrs = limitRanges.get(ns) ?? [];
  const cs: CRes[] = w.containers.map((c) => {
    const requests = readList(o, [...c.path, 'resources', 'requests'], notes, 'resourceRequests');
    const limits = readList(o, [...c.path, 'resources', 'limits'], notes, 'resourceLimits');
    const defaulted = new Map<string, string>();
    for (const [k, q] of limits) {
      if (!requests.has(k)) {
        requests.set(k, q);
        defaulted.set(`requests.${k}`, 'its limit');
      }
    }
    return {
      c,
      requests,
      limits,
      sidecar: c.kind === 'initContainers' && c.value['restartPolicy'] === 'Always',
      defaulted,
    };
  });
  const podLevel = {
    requests: readList(
      o,
      [...w.template, 'spec', 'resources', 'requests'],
      notes,
      'resourceRequests',
    ),
    limits: readList(o, [...w.template, 'spec', 'resources', 'limits'], notes, 'resourceLimits'),
  };

  // LimitRanger, mutating: containers first, then init containers (upstream's order).
  const ordered = [
    ...cs.filter((c) => c.c.kind === 'containers'),
    ...cs.filter((c) => c.c.kind === 'initContainers'),
  ];
  for (const lr of lrs) {
    const defLimits: ResourceList = new Map();
    const defRequests: ResourceList = new Map();
    for (const item of lr.items) {
      if (item.type !== 'Container') continue;
      for (const [k, q] of item.defaultRequest) defRequests.set(k, q);
      for (const [k, q] of item.default) defLimits.set(k, q);
    }
    for (const c of ordered) {
      for (const [k, q] of defLimits) {
        if (!c.limits.has(k)) {
          c.limits.set(k, q);
          c.defaulted.set(`limits.${k}`, `LimitRange ${quoted(lr.name)}`);
        }
      }
      for (const [k, q] of defRequests) {
        if (!c.requests.has(k)) {
          c.requests.set(k, q);
          c.defaulted.set(`requests.${k}`, `LimitRange ${quoted(lr.name)}`);
        }
      }
    }
  }

  const subject = `pods of ${workloadTitle(w)}`;
  /** `text`: the message and the short form's action (see HardeningFinding). */
  const finding = (
    check: HardeningFinding['check'],
    severity: HardeningFinding['severity'],
    text: { message: string; action: string },
    path: Path,
    container: string | null,
    fixes: HardeningFix[] = [],
  ): void => {
    findings.push({
      check,
      family: 'hardening',
      severity,
      message: text.message,
      action: text.action,
      path: pathString(existingPath(o.value, path)),
      file: o.file,
      span: spanOf(o, path),
      object: refOf(o),
      container,
      fixes,
    });
  };
  const fixOf = (title: string, ops: HardeningFixOp[]): HardeningFix => ({
    title,
    preferred: false,
    file: o.file,
    document: o.document,
    item: o.item,
    ops,
  });

  // LimitRanger, validating.
  for (const lr of lrs) {
    for (const item of lr.items) {
      if (item.type === 'Container') {
        for (const c of cs) {
          for (const v of limitViolations('Container', item, c.requests, c.limits)) {
            finding(
              'limitRangeRejects',
              'warning',
              {
                message: `${subject} will be rejected by LimitRange ${quoted(lr.name)} (${v.message}) for ${containerTitle(c.c)}`,
                action: `meet LimitRange ${short(lr.name, 28)}: ${oneSpace(v.message)}`,
              },
              [...c.c.path, 'resources', v.field, v.resource],
              c.c.name,
            );
          }
        }
      } else if (item.type === 'Pod') {
        const reqs = podTotal(cs, 'requests', podLevel.requests);
        const lims = podTotal(cs, 'limits', podLevel.limits);
        for (const v of limitViolations('Pod', item, reqs, lims)) {
          finding(
            'limitRangeRejects',
            'warning',
            {
              message: `${subject} will be rejected by LimitRange ${quoted(lr.name)} (${v.message})`,
              action: `meet LimitRange ${short(lr.name, 28)}: ${oneSpace(v.message)}`,
            },
            [...w.template, 'spec', 'resources'],
            null,
          );
        }
      }
    }
  }
  // Pod validation after defaulting: a request above its limit is rejected.
  for (const c of cs) {
    for (const [k, req] of c.requests) {
      const lim = c.limits.get(k);
      if (!lim || compare(req, lim) <= 0) continue;
      const byLimitRange = [c.defaulted.get(`requests.${k}`), c.defaulted.get(`limits.${k}`)].find(
        (d) => d?.startsWith('LimitRange'),
      );
      const message = `${podPath(c.c)}.resources.requests: Invalid value: ${JSON.stringify(formatQuantity(req))}: must be less than or equal to ${k} limit of ${formatQuantity(lim)}`;
      const path: Path = [...c.c.path, 'resources', 'requests', k];
      if (byLimitRange) {
        finding(
          'limitRangeRejects',
          'warning',
          {
            message: `${subject} will be rejected: ${message} (after the defaults of ${byLimitRange}) for ${containerTitle(c.c)}`,
            action: `lower requests.${k} to at most its limit ${formatQuantity(lim)} (set by LimitRange defaults)`,
          },
          path,
          c.c.name,
        );
      } else {
        notes.push(note(o, path, `${subject} will be rejected: ${message}`, 'resourceRequests'));
      }
    }
  }

  // resourceRequests / resourceLimits: what remains unset after defaulting.
  const podHas = (r: string) => podLevel.requests.has(r) || podLevel.limits.has(r);
  const lrNames = lrs.map((l) => quoted(l.name));
  const after = lrNames.length > 0 ? ` after the defaults of LimitRange ${lrNames.join(', ')}` : '';
  /** The finding, with its fix, for the requests or limits a container leaves unset. */
  const unset = (
    c: (typeof cs)[number],
    check: 'resourceRequests' | 'resourceLimits',
    fields: string[],
    consequence: string,
  ): void => {
    const kinds = fields.map((f) => (f.endsWith('.cpu') ? 'CPU' : 'memory')).join(' and no ');
    finding(
      check,
      'warning',
      {
        message: `${containerTitle(c.c)} of ${workloadTitle(w)} has no ${kinds} ${consequence} (set resources.${fields.join(', resources.')})`,
        action: `set resources.${fields.join(' and resources.')}`,
      },
      [...c.c.path, 'resources'],
      c.c.name,
      [
        fixOf(
          `Add ${fields.join(' and ')} to ${containerTitle(c.c)} (placeholder values: edit them)`,
          addResourceOps(c, fields, lrs),
        ),
      ],
    );
  };
  for (const c of cs) {
    const missingReq = ['cpu', 'memory'].filter((r) => !c.requests.has(r) && !podHas(r));
    if (missingReq.length > 0)
      unset(
        c,
        'resourceRequests',
        missingReq.map((r) => `requests.${r}`),
        `request${after}: the scheduler cannot place it by what it needs, and it is among the first evicted under pressure`,
      );
    const wantLimits = options.requireCpuLimit ? ['memory', 'cpu'] : ['memory'];
    const missingLim = wantLimits.filter((r) => !c.limits.has(r) && !podLevel.limits.has(r));
    if (missingLim.length > 0)
      unset(
        c,
        'resourceLimits',
        missingLim.map((r) => `limits.${r}`),
        `limit${after}: ${missingLim.includes('memory') ? 'it can take all the memory of its node' : 'it can take all the CPU of its node'}`,
      );
  }

  // ResourceQuota admission.
  const matchedQuotas: string[] = [];
  const bestEffort = isBestEffort(cs, podLevel);
  const replicas = replicasOf(w);
  for (const q of quotas.get(ns) ?? []) {
    const resources = podMatchingResources(q.hard);
    if (resources.length === 0) continue;
    let matches = true;
    let invalid: ScopeRequirement | null = null;
    for (const s of q.scopes) {
      const m = scopeMatches(s, w.spec, bestEffort);
      if (m === null) invalid = s;
      else matches = matches && m;
    }
    if (invalid) {
      notes.push(
        note(
          q.obj,
          ['spec', 'scopeSelector'],
          `ResourceQuota ${quoted(q.name)}: scope ${quoted(invalid.scopeName)} with operator ${quoted(invalid.operator)} is invalid: not evaluated`,
          'quotaRejects',
        ),
      );
      continue;
    }
    if (!matches) continue;
    matchedQuotas.push(q.name);
    // Constraints: each container must set what the quota tracks (unless pod-level resources are set).
    if (!podLevelSet(podLevel)) {
      const required = resources.filter((r) => VALIDATION_SET.includes(r));
      const missing = new Map<string, Set<string>>();
      const offenders: CRes[] = [];
      for (const c of [
        ...cs.filter((x) => x.c.kind === 'containers'),
        ...cs.filter((x) => x.c.kind === 'initContainers'),
      ]) {
        const have = computeUsage(c.requests, c.limits);
        const lacks = required.filter((r) => !have.has(r));
        if (lacks.length > 0) offenders.push(c);
        for (const r of lacks) missing.set(r, (missing.get(r) ?? new Set()).add(c.c.name));
      }
      if (missing.size > 0) {
        const detail = [...missing.keys()]
          .sort()
          .map((r) => `${r} for: ${[...(missing.get(r) as Set<string>)].sort().join(',')}`)
          .join('; ');
        const first = offenders[0] as CRes;
        const ops = offenders.flatMap((c) => {
          const have = computeUsage(c.requests, c.limits);
          const fields = new Set<string>();
          for (const r of required) {
            if (have.has(r)) continue;
            if (r === 'cpu' || r === 'requests.cpu') fields.add('requests.cpu');
            else if (r === 'memory' || r === 'requests.memory') fields.add('requests.memory');
            else fields.add(r);
          }
          return addResourceOps(
            c,
            [...fields].sort((a, b) => b.localeCompare(a)),
            lrs,
          );
        });
        finding(
          'quotaRejects',
          'warning',
          {
            message: `${subject} will be rejected: failed quota: ${q.name}: must specify ${detail}`,
            action: `set ${[...missing.keys()].sort().join(', ')}: ResourceQuota ${short(q.name, 28)} requires ${missing.size === 1 ? 'it' : 'them'}`,
          },
          [...first.c.path, 'resources'],
          first.c.name,
          [
            fixOf(
              `Add the resources ResourceQuota ${quoted(q.name)} requires (placeholder values: edit them)`,
              ops,
            ),
          ],
        );
      }
    }
    // Usage: one pod's own, and the replicas one after another.
    const usage = computeUsage(
      podTotal(cs, 'requests', podLevel.requests),
      podTotal(cs, 'limits', podLevel.limits),
    );
    usage.set('count/pods', fromInt(1n));
    let firstRejected: bigint | null = null;
    for (const r of resources) {
      const u = usage.get(r);
      const h = q.hard.get(r) as Quantity;
      if (!u) continue;
      const n = fits(h, u);
      if (n === null) continue;
      const k = n + 1n;
      if (firstRejected === null || k < firstRejected) firstRejected = k;
    }
    if (firstRejected !== null && firstRejected <= BigInt(Math.max(1, replicas.count))) {
      const k = firstRejected;
      const exceeded = resources.filter((r) => {
        const u = usage.get(r);
        return u !== undefined && compare(times(u, k), q.hard.get(r) as Quantity) > 0;
      });
      const requested: ResourceList = new Map(exceeded.map((r) => [r, usage.get(r) as Quantity]));
      const used: ResourceList = new Map(
        exceeded.map((r) => [r, times(usage.get(r) as Quantity, k - 1n)]),
      );
      const limited: ResourceList = new Map(exceeded.map((r) => [r, q.hard.get(r) as Quantity]));
      const upstream = `exceeded quota: ${q.name}, requested: ${prettyPrint(requested)}, used: ${prettyPrint(used)}, limited: ${prettyPrint(limited)}`;
      if (k === 1n) {
        const bases = new Set(exceeded.map((r) => r.replace(/^(requests|limits)\./, '')));
        const holder = cs.find((c) => [...bases].some((b) => c.requests.has(b) || c.limits.has(b)));
        finding(
          'quotaRejects',
          'warning',
          {
            message: `${subject} will be rejected: ${upstream} (one pod alone exceeds the quota)`,
            action: `lower ${exceeded.join(', ')}: one pod alone exceeds ResourceQuota ${short(q.name, 28)}`,
          },
          holder ? [...holder.c.path, 'resources'] : [...w.template, 'spec'],
          holder ? holder.c.name : null,
        );
      } else {
        finding(
          'quotaRejects',
          'warning',
          {
            message: `only ${k - 1n} of the ${replicas.count} pods of ${workloadTitle(w)} fit in ResourceQuota ${quoted(q.name)}: the ${ordinal(k)} will be rejected (${upstream}), counting only this workload's pods`,
            action: `lower the replicas or ${exceeded.join(', ')}: only ${k - 1n} of ${replicas.count} pods fit in ResourceQuota ${short(q.name, 28)}`,
          },
          replicas.path ?? [...w.template, 'spec'],
          null,
        );
      }
    }
  }

  const record: WorkloadResources = {
    object: refOf(o),
    file: o.file,
    namespace: ns,
    containers: cs.map((c) => ({
      name: c.c.name,
      kind: c.c.kind,
      requests: fmtList(c.requests),
      limits: fmtList(c.limits),
      defaulted: Object.fromEntries([...c.defaulted].sort(([a], [b]) => a.localeCompare(b))),
    })),
    limitRanges: lrs.map((l) => l.name),
    quotas: matchedQuotas,
  };
  return { findings, notes, record };
}

/** Workload results kept from run to run (see memo.ts). */
const RESOURCES_MEMO = WorkloadMemo.of<WorkloadResources>();

/** Evaluate resources, LimitRanges and ResourceQuotas for every workload. */
export function analyzeResources(
  objects: readonly KubeObject[],
  workloads: readonly Workload[],
  options: ResourceOptions = {},
): ResourcesResult {
  const findings: HardeningFinding[] = [];
  const notes: HardeningNote[] = [];
  const limitRanges = new Map<string, LimitRange[]>();
  const quotas = new Map<string, Quota[]>();
  for (const o of objects) {
    if (apiVersionOf(o) !== 'v1') continue;
    const kind = kindOf(o);
    if (kind === 'LimitRange') {
      const lr = readLimitRange(o, notes);
      if (lr) {
        const l = limitRanges.get(o.namespace) ?? [];
        l.push(lr);
        limitRanges.set(o.namespace, l);
      }
    } else if (kind === 'ResourceQuota') {
      const l = quotas.get(o.namespace) ?? [];
      l.push(readQuota(o, notes));
      quotas.set(o.namespace, l);
    }
  }
  // Two LimitRanges of a namespace defaulting one resource differently: the cluster's order decides.
  for (const [ns, lrs] of limitRanges) {
    const seen = new Map<string, { lr: LimitRange; q: Quantity }>();
    const noted = new Set<string>();
    for (const lr of lrs) {
      for (const item of lr.items) {
        if (item.type !== 'Container') continue;
        for (const [which, l] of [
          ['default', item.default],
          ['defaultRequest', item.defaultRequest],
        ] as const) {
          for (const [k, q] of l) {
            const key = `${which}.${k}`;
            const prev = seen.get(key);
            const pairKey = `${prev?.lr.name ?? ''}|${lr.name}|${k}`;
            if (prev && prev.lr !== lr && compare(prev.q, q) !== 0 && !noted.has(pairKey)) {
              noted.add(pairKey);
              notes.push(
                note(
                  lr.obj,
                  ['spec', 'limits', item.index, which, k],
                  `LimitRanges ${quoted(prev.lr.name)} and ${quoted(lr.name)} of namespace ${quoted(ns)} both set ${which} ${k}: which applies depends on the cluster's order (podsec applies ${quoted(prev.lr.name)}, met first)`,
                  'limitRangeRejects',
                ),
              );
            } else if (!prev) seen.set(key, { lr, q });
          }
        }
      }
    }
  }

  const out: WorkloadResources[] = [];
  // What a workload's results depend on besides it: its namespace's LimitRanges and quotas (what
  // they say: a kept result never names where they are).
  const contexts = new Map<string, string>();
  const contextOf = (ns: string): string => {
    let c = contexts.get(ns);
    if (c === undefined) {
      c = JSON.stringify([
        options.requireCpuLimit ?? false,
        (limitRanges.get(ns) ?? []).map((l) => contentKey(l.obj)),
        (quotas.get(ns) ?? []).map((q) => contentKey(q.obj)),
      ]);
      contexts.set(ns, c);
    }
    return c;
  };
  for (const w of workloads) {
    const r = RESOURCES_MEMO.get(w.object, contextOf(w.object.namespace), () =>
      workloadResources(w, limitRanges, quotas, options),
    );
    for (const f of r.findings) findings.push(f);
    for (const n of r.notes) notes.push(n);
    out.push(r.record);
  }
  return { findings, notes, workloads: out };
}

// Exported for tests: the pieces with upstream counterparts.
export const internals = {
  podTotal,
  limitViolations,
  defaultItem,
  isBestEffort,
  scopeMatches,
  computeUsage,
};
