/**
 * Network isolation: which NetworkPolicies (networking.k8s.io/v1) select a
 * workload's pods, exactly as Kubernetes decides it.
 *
 * - A policy selects the pods of its own namespace whose labels match its
 *   `podSelector` (label selector semantics; `{}` selects all of them).
 * - `policyTypes` defaults as the API server does: when absent or empty it
 *   is `[Ingress]`, plus `Egress` when the policy has egress rules.
 * - A pod is isolated for ingress (egress) when at least one policy that
 *   selects it has Ingress (Egress) among its policy types. Then only what
 *   some selecting policy's rules allow gets through: no rules denies all,
 *   a rule with no peers and no ports (`ingress: [{}]`) allows all.
 * - A namespace has a default deny for a direction when one policy selects
 *   all its pods, has the direction among its types and no rule for it.
 *
 * Policies of other engines (Cilium, Calico, Antrea, AdminNetworkPolicy…)
 * may isolate pods too; the workspace cannot evaluate them, so where they
 * may apply podsec gives a note instead of a finding.
 */
import type { ObjectRef, Span } from '../types';
import type { JsonObject, JsonValue, KubeObject, Path } from './model';
import {
  apiVersionOf,
  at,
  groupOf,
  isObject,
  kindOf,
  nameOf,
  pathString,
  quoted,
  refOf,
  short,
} from './model';
import { workloadTitle } from './pods';
import type { Workload } from './pods';
import { objectKey, WorkloadMemo } from './memo';
import type { HardeningFinding, HardeningFix, HardeningNote } from './results';
import { readSelector, selectorMatches } from './selector';
import type { Selector } from './selector';

export type Direction = 'ingress' | 'egress';
/** A policy's rules for one direction: none (denies all), one allowing everything, or some. */
export type RuleSummary = 'denyAll' | 'allowAll' | 'some';

export interface PolicyRef {
  name: string;
  namespace: string;
  file: string;
  document: number;
  item: number | null;
  /** Span of the policy's podSelector (or its kind line). */
  span: Span | null;
}

export interface SelectingPolicy extends PolicyRef {
  rules: RuleSummary;
}

export interface DirectionIsolation {
  /** At least one selecting policy has this direction among its policy types. */
  isolated: boolean;
  /** Some selecting policy allows all traffic in this direction. */
  allowsAll: boolean;
  /** The policies that select the pods for this direction (for the hover). */
  policies: SelectingPolicy[];
}

export interface WorkloadIsolation {
  object: ObjectRef;
  file: string;
  namespace: string;
  ingress: DirectionIsolation;
  egress: DirectionIsolation;
  /** Policies of other engines that may select these pods (not evaluated), as "Kind name". */
  notJudged: string[];
}

export interface NamespaceIsolation {
  namespace: string;
  /** Workloads of the namespace in the workspace. */
  workloads: number;
  isolatedIngress: number;
  isolatedEgress: number;
  /** Isolated in at least one direction. */
  isolatedAny: number;
  /** Isolated in both directions. */
  isolatedBoth: number;
  /** The NetworkPolicies of the namespace (judged ones). */
  policies: number;
  defaultDeny: Record<Direction, PolicyRef | null>;
  /** A policy selecting all pods with a rule allowing everything (`ingress: [{}]`). */
  allowAll: Record<Direction, PolicyRef | null>;
  notJudged: string[];
}

export interface NetworkResult {
  findings: HardeningFinding[];
  notes: HardeningNote[];
  workloads: WorkloadIsolation[];
  namespaces: NamespaceIsolation[];
}

interface NetPolicy {
  obj: KubeObject;
  ref: PolicyRef;
  selector: Selector;
  types: Record<Direction, boolean>;
  rules: Record<Direction, RuleSummary>;
}

interface OtherPolicy {
  obj: KubeObject;
  title: string;
  /** Null: cluster-wide (may select pods of every namespace). */
  namespace: string | null;
}

/** Groups whose *NetworkPolicy kinds the workspace cannot evaluate, and which of their kinds are cluster-wide. */
const OTHER_ENGINES: ReadonlyArray<{ group: RegExp; clusterWide: RegExp }> = [
  { group: /^cilium\.io$/, clusterWide: /Clusterwide/ },
  { group: /^(crd\.)?projectcalico\.org$/, clusterWide: /^Global/ },
  { group: /^policy\.networking\.k8s\.io$/, clusterWide: /./ },
  { group: /^crd\.antrea\.io$/, clusterWide: /^Cluster/ },
];

function otherEngine(o: KubeObject): OtherPolicy | null {
  const kind = kindOf(o);
  const group = groupOf(o);
  if (!/NetworkPolicy$/.test(kind) || group === 'networking.k8s.io' || group === 'extensions')
    return null;
  const engine = OTHER_ENGINES.find((e) => e.group.test(group));
  if (!engine && group === '') return null;
  const clusterWide = engine ? engine.clusterWide.test(kind) : /Cluster|Global|Admin/.test(kind);
  return {
    obj: o,
    title: `${kind} ${quoted(nameOf(o))}`,
    namespace: clusterWide ? null : o.namespace,
  };
}

function ruleSummary(rules: JsonValue | undefined, peer: 'from' | 'to'): RuleSummary {
  if (!Array.isArray(rules) || rules.length === 0) return 'denyAll';
  const all = rules.some((r) => {
    if (r === null) return true;
    if (!isObject(r)) return false;
    const peers = r[peer];
    const ports = r['ports'];
    const noPeers =
      peers === undefined || peers === null || (Array.isArray(peers) && peers.length === 0);
    const noPorts =
      ports === undefined || ports === null || (Array.isArray(ports) && ports.length === 0);
    return noPeers && noPorts;
  });
  return all ? 'allowAll' : 'some';
}

function policyRef(o: KubeObject): PolicyRef {
  return {
    name: nameOf(o) ?? '',
    namespace: o.namespace,
    file: o.file,
    document: o.document,
    item: o.item,
    span: o.locate(['spec', 'podSelector']) ?? o.locate(['kind']),
  };
}

function noteAt(
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

/** Read a networking.k8s.io/v1 NetworkPolicy; notes for what the API server would reject. */
function readPolicy(o: KubeObject, notes: HardeningNote[]): NetPolicy | null {
  const spec = o.value['spec'];
  if (spec !== undefined && spec !== null && !isObject(spec)) {
    notes.push(
      noteAt(
        o,
        ['spec'],
        'NetworkPolicy spec must be an object: not evaluated',
        'networkPolicyUnmatched',
      ),
    );
    return null;
  }
  const s: JsonObject = isObject(spec) ? spec : {};
  const sel = readSelector(s['podSelector']);
  if (!sel.ok) {
    for (const p of sel.problems) {
      notes.push(
        noteAt(
          o,
          ['spec', 'podSelector', ...p.path],
          `NetworkPolicy ${quoted(nameOf(o))} is invalid and the API server rejects it: spec.podSelector${p.path.length ? `.${pathString(p.path)}` : ''}: ${p.message}`,
          'networkPolicyUnmatched',
        ),
      );
    }
    return null;
  }
  let types: Record<Direction, boolean>;
  const rawTypes = s['policyTypes'];
  if (rawTypes !== undefined && rawTypes !== null && !Array.isArray(rawTypes)) {
    notes.push(
      noteAt(
        o,
        ['spec', 'policyTypes'],
        'policyTypes must be a list: not evaluated',
        'networkPolicyUnmatched',
      ),
    );
    return null;
  }
  if (Array.isArray(rawTypes) && rawTypes.length > 0) {
    types = { ingress: false, egress: false };
    let bad = false;
    rawTypes.forEach((t, i) => {
      if (t === 'Ingress') types.ingress = true;
      else if (t === 'Egress') types.egress = true;
      else {
        bad = true;
        notes.push(
          noteAt(
            o,
            ['spec', 'policyTypes', i],
            `NetworkPolicy ${quoted(nameOf(o))} is invalid and the API server rejects it: spec.policyTypes[${i}]: Unsupported value: ${JSON.stringify(t)}: supported values: "Ingress", "Egress"`,
            'networkPolicyUnmatched',
          ),
        );
      }
    });
    if (rawTypes.length > 2) {
      bad = true;
      notes.push(
        noteAt(
          o,
          ['spec', 'policyTypes'],
          `NetworkPolicy ${quoted(nameOf(o))} is invalid and the API server rejects it: spec.policyTypes: may not specify more than two policyTypes`,
          'networkPolicyUnmatched',
        ),
      );
    }
    if (bad) return null;
  } else {
    const egress = s['egress'];
    types = { ingress: true, egress: Array.isArray(egress) && egress.length > 0 };
  }
  return {
    obj: o,
    ref: policyRef(o),
    selector: sel.selector,
    types,
    rules: { ingress: ruleSummary(s['ingress'], 'from'), egress: ruleSummary(s['egress'], 'to') },
  };
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The text of a default-deny NetworkPolicy document for a namespace. */
export function defaultDenyDocument(namespace: string, name = 'default-deny'): string {
  return [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) ? namespace : JSON.stringify(namespace)}`,
    'spec:',
    '  podSelector: {}',
    '  policyTypes:',
    '    - Ingress',
    '    - Egress',
    '',
  ].join('\n');
}

function existingPath(value: JsonValue, path: Path): Path {
  for (let n = path.length; n > 0; n--) {
    const p = path.slice(0, n);
    if (at(value, p) !== undefined) return p;
  }
  return [];
}

/** A workload's isolation record, and which of its namespace's policies select it (by index). */
interface IsolationRecord {
  isolation: WorkloadIsolation;
  selecting: number[];
}

/** Workload results kept from run to run (see memo.ts). */
const NETWORK_MEMO = new WorkloadMemo<IsolationRecord>({
  ref: (r) => r.isolation.object,
  move: (r, document) => ({
    ...r,
    isolation: { ...r.isolation, object: { ...r.isolation.object, document } },
  }),
});

/** One workload under its namespace's policies. */
function workloadIsolation(
  w: Workload,
  nsPolicies: readonly NetPolicy[],
  notJudged: string[],
  policyNames: (ns: string) => Set<string>,
  note: (n: HardeningNote) => void,
  finding: (f: HardeningFinding) => void,
): IsolationRecord {
  const ns = w.object.namespace;
  const selecting = nsPolicies.filter((p) => selectorMatches(p.selector, w.labels));
  const dir = (d: Direction): DirectionIsolation => {
    const ps = selecting.filter((p) => p.types[d]);
    return {
      isolated: ps.length > 0,
      allowsAll: ps.some((p) => p.rules[d] === 'allowAll'),
      policies: ps.map((p) => ({ ...p.ref, rules: p.rules[d] })),
    };
  };
  const wi: WorkloadIsolation = {
    object: refOf(w.object),
    file: w.object.file,
    namespace: ns,
    ingress: dir('ingress'),
    egress: dir('egress'),
    notJudged,
  };
  const record = { isolation: wi, selecting: selecting.map((p) => nsPolicies.indexOf(p)) };
  if (wi.ingress.isolated || wi.egress.isolated) return record;
  const labelsPath: Path = [...w.template, 'metadata', 'labels'];
  const spanPath = existingPath(w.object.value, labelsPath);
  const span = w.object.locate(labelsPath) ?? w.object.locate([]) ?? { start: 0, end: 0 };
  const why =
    nsPolicies.length === 0
      ? `no NetworkPolicy of namespace ${quoted(ns)} is in the workspace`
      : `${nsPolicies.length} NetworkPolic${nsPolicies.length === 1 ? 'y' : 'ies'} of namespace ${quoted(ns)} in the workspace, none selects its pod labels`;
  if (wi.notJudged.length > 0) {
    note({
      check: 'networkPolicyIsolation',
      message: `${workloadTitle(w)}: no NetworkPolicy in the workspace isolates its pods (${why}); not reported, since ${wi.notJudged.slice(0, 3).join(', ')}${wi.notJudged.length > 3 ? '…' : ''} may`,
      file: w.object.file,
      span,
      object: refOf(w.object),
    });
    return record;
  }
  const fix: HardeningFix = {
    title: `Add a default-deny NetworkPolicy for namespace ${quoted(ns)}`,
    preferred: false,
    file: w.object.file,
    document: w.object.document,
    item: w.object.item,
    ops: [
      {
        op: 'addDocument',
        text: defaultDenyDocument(ns, uniqueName('default-deny', policyNames(ns))),
      },
    ],
  };
  finding({
    check: 'networkPolicyIsolation',
    family: 'hardening',
    severity: 'information',
    message: `${workloadTitle(w)} is not isolated by any NetworkPolicy: its pods accept all ingress and send all egress (${why})`,
    action: 'add a NetworkPolicy that selects its pods (none does)',
    path: pathString(spanPath),
    file: w.object.file,
    span,
    object: refOf(w.object),
    container: null,
    fixes: [fix],
  });
  return record;
}

/** Evaluate network isolation over the whole workspace. */
export function analyzeNetwork(
  objects: readonly KubeObject[],
  workloads: readonly Workload[],
): NetworkResult {
  const findings: HardeningFinding[] = [];
  const notes: HardeningNote[] = [];
  const policies: NetPolicy[] = [];
  const others: OtherPolicy[] = [];
  for (const o of objects) {
    const kind = kindOf(o);
    const group = groupOf(o);
    if (kind === 'NetworkPolicy' && (group === 'networking.k8s.io' || group === 'extensions')) {
      if (apiVersionOf(o) !== 'networking.k8s.io/v1') {
        notes.push(
          noteAt(
            o,
            ['apiVersion'],
            `NetworkPolicy of ${apiVersionOf(o)} is not served by current API servers (use networking.k8s.io/v1): not evaluated`,
            'networkPolicyIsolation',
          ),
        );
        continue;
      }
      const p = readPolicy(o, notes);
      if (p) policies.push(p);
      continue;
    }
    const other = otherEngine(o);
    if (other) {
      others.push(other);
      notes.push(
        noteAt(
          o,
          ['kind'],
          `${other.title}: policies of this kind are not evaluated; it may isolate pods of ${other.namespace === null ? 'every namespace' : `namespace ${quoted(other.namespace)}`}, so podsec does not report them as unisolated`,
          'networkPolicyIsolation',
        ),
      );
    }
  }

  const byNamespace = new Map<string, NetPolicy[]>();
  for (const p of policies) {
    const l = byNamespace.get(p.ref.namespace) ?? [];
    l.push(p);
    byNamespace.set(p.ref.namespace, l);
  }
  const workloadsByNs = new Map<string, Workload[]>();
  for (const w of workloads) {
    const l = workloadsByNs.get(w.object.namespace) ?? [];
    l.push(w);
    workloadsByNs.set(w.object.namespace, l);
  }
  const notJudgedIn = (ns: string) =>
    others.filter((x) => x.namespace === null || x.namespace === ns).map((x) => x.title);

  const isolation: WorkloadIsolation[] = [];
  const matched = new Set<NetPolicy>();
  const policyNames = (ns: string) =>
    new Set((byNamespace.get(ns) ?? []).map((p) => p.ref.name).filter((n) => n.length > 0));

  // What a workload's results depend on besides it: its namespace's policies (where they stand
  // too: its record names them) and other engines.
  const contexts = new Map<string, string>();
  const contextOf = (ns: string): string => {
    let c = contexts.get(ns);
    if (c === undefined) {
      c = JSON.stringify([
        (byNamespace.get(ns) ?? []).map((p) => objectKey(p.obj)),
        notJudgedIn(ns),
      ]);
      contexts.set(ns, c);
    }
    return c;
  };
  for (const w of workloads) {
    const ns = w.object.namespace;
    const nsPolicies = byNamespace.get(ns) ?? [];
    const r = NETWORK_MEMO.get(w.object, contextOf(ns), () => {
      const own: HardeningFinding[] = [];
      const ownNotes: HardeningNote[] = [];
      const record = workloadIsolation(
        w,
        nsPolicies,
        notJudgedIn(ns),
        policyNames,
        (n) => ownNotes.push(n),
        (f) => own.push(f),
      );
      return { findings: own, notes: ownNotes, record };
    });
    for (const i of r.record.selecting) matched.add(nsPolicies[i] as NetPolicy);
    isolation.push(r.record.isolation);
    for (const f of r.findings) findings.push(f);
    for (const n of r.notes) notes.push(n);
  }

  for (const p of policies) {
    if (matched.has(p)) continue;
    const ns = p.ref.namespace;
    const nsWorkloads = workloadsByNs.get(ns) ?? [];
    const span = p.obj.locate(['spec', 'podSelector']) ?? p.obj.locate([]) ?? { start: 0, end: 0 };
    if (nsWorkloads.length === 0) {
      notes.push({
        check: 'networkPolicyUnmatched',
        message: `NetworkPolicy ${quoted(p.ref.name)} selects pods of namespace ${quoted(ns)}, none of whose workloads are in the workspace: not judged`,
        file: p.obj.file,
        span,
        object: refOf(p.obj),
      });
      continue;
    }
    findings.push({
      check: 'networkPolicyUnmatched',
      family: 'hardening',
      severity: 'information',
      message: `NetworkPolicy ${quoted(p.ref.name)} selects no workload of namespace ${quoted(ns)} in the workspace (${nsWorkloads.length} workload${nsWorkloads.length === 1 ? '' : 's'} there): check its podSelector`,
      action: `check its podSelector: it selects no workload of namespace ${short(ns, 28)}`,
      path: pathString(existingPath(p.obj.value, ['spec', 'podSelector'])),
      file: p.obj.file,
      span,
      object: refOf(p.obj),
      container: null,
      fixes: [],
    });
  }

  const namespaces = new Set<string>([...workloadsByNs.keys(), ...byNamespace.keys()]);
  const isolationByNs = new Map<string, WorkloadIsolation[]>();
  for (const w of isolation) {
    const l = isolationByNs.get(w.namespace) ?? [];
    l.push(w);
    isolationByNs.set(w.namespace, l);
  }
  const summaries: NamespaceIsolation[] = [...namespaces].sort().map((ns) => {
    const ws = isolationByNs.get(ns) ?? [];
    const ps = byNamespace.get(ns) ?? [];
    const find = (d: Direction, rules: RuleSummary) =>
      ps.find((p) => p.selector.everything && p.types[d] && p.rules[d] === rules)?.ref ?? null;
    return {
      namespace: ns,
      workloads: ws.length,
      isolatedIngress: ws.filter((w) => w.ingress.isolated).length,
      isolatedEgress: ws.filter((w) => w.egress.isolated).length,
      isolatedAny: ws.filter((w) => w.ingress.isolated || w.egress.isolated).length,
      isolatedBoth: ws.filter((w) => w.ingress.isolated && w.egress.isolated).length,
      policies: ps.length,
      defaultDeny: { ingress: find('ingress', 'denyAll'), egress: find('egress', 'denyAll') },
      allowAll: { ingress: find('ingress', 'allowAll'), egress: find('egress', 'allowAll') },
      notJudged: notJudgedIn(ns),
    };
  });
  return { findings, notes, workloads: isolation, namespaces: summaries };
}
