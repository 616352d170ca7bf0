/**
 * Audit logging: an `audit.k8s.io/v1` Policy evaluated as the API server
 * does (k8s.io/apiserver/pkg/audit/policy/checker.go):
 *
 * - Rules in order, the first match wins; no match means level None.
 *   A rule matches when each of its lists is empty or matches: `users`
 *   (the user's name), `userGroups` (any of the user's groups), `verbs`;
 *   then, if it has `namespaces` or `resources`, only resource requests
 *   match: `namespaces` ("" for cluster-scoped ones), and `resources`
 *   entries of `group` (or `*`) with `resources` (`name`, `*`,
 *   `name/subresource`, a star then `/subresource`, `name/*`; none means every
 *   resource of the group) and `resourceNames`; else, if it has
 *   `nonResourceURLs`, only non-resource requests match (`*`, exact, or a
 *   prefix ending in `*`).
 * - The policy's `omitStages` are added to every rule's; with no match the
 *   policy's own `omitStages` and `omitManagedFields` apply.
 *
 * The policy runs over a fixed set of security-relevant requests (PROBES)
 * and reports, on the deciding rule (or the policy when no rule decides):
 * bodies of Secrets, ConfigMaps and TokenReviews written to the log
 * (RequestResponse for any verb, Request for create/update/patch: the
 * request body carries the secret); exec, attach and port-forward not
 * logged; creation of pods and workloads not logged (so Pod Security
 * audit annotations are never recorded); RBAC changes not logged. A
 * request is "not logged" at level None, or when every stage it produces
 * is omitted.
 */
import type { ObjectRef, Span } from '../types';
import type { JsonObject, JsonValue, KubeObject, Path } from './model';
import { apiVersionOf, groupOf, isObject, kindOf, list, nameOf, quoted, refOf, str } from './model';
import type { HardeningFinding, HardeningFix, HardeningNote } from './results';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';
const LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: readonly AuditStage[] = [
  'RequestReceived',
  'ResponseStarted',
  'ResponseComplete',
  'Panic',
];

export interface AuditUser {
  name: string;
  groups: readonly string[];
}

/** One request as the authorizer sees it. */
export interface AuditRequest {
  user: AuditUser;
  verb: string;
  /** Resource requests: group ("" = core), resource, subresource, namespace ("" = cluster-scoped), name. */
  resource?: {
    group: string;
    resource: string;
    subresource: string;
    namespace: string;
    name: string;
  };
  /** Non-resource requests: the path. */
  path?: string;
}

export interface AuditRule {
  level: AuditLevel;
  users: string[];
  userGroups: string[];
  verbs: string[];
  namespaces: string[];
  resources: Array<{ group: string; resources: string[]; resourceNames: string[] }>;
  nonResourceURLs: string[];
  omitStages: AuditStage[];
  omitManagedFields: boolean | null;
}

export interface AuditPolicy {
  rules: AuditRule[];
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

export interface AuditDecision {
  level: AuditLevel;
  /** Index of the deciding rule, or null when none matched (level None). */
  rule: number | null;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

const hasString = (l: readonly string[], v: string) => l.includes(v);

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function ruleMatchesResource(r: AuditRule, req: AuditRequest): boolean {
  const res = req.resource;
  if (!res) return false;
  if (r.namespaces.length > 0 && !hasString(r.namespaces, res.namespace)) return false;
  if (r.resources.length === 0) return true;
  const combined = res.subresource ? `${res.resource}/${res.subresource}` : res.resource;
  for (const gr of r.resources) {
    if (gr.group !== res.group && gr.group !== '*') continue;
    if (gr.resources.length === 0) return true;
    for (const x of gr.resources) {
      if (gr.resourceNames.length > 0 && !hasString(gr.resourceNames, res.name)) continue;
      if (x === combined || x === '*') return true;
      if (res.subresource && x.startsWith('*/') && res.subresource === x.slice(2)) return true;
      if (x.endsWith('/*') && res.resource === x.slice(0, -2)) return true;
    }
  }
  return false;
}

/** Whether a rule matches a request (checker.go's ruleMatches). */
export function ruleMatches(r: AuditRule, req: AuditRequest): boolean {
  if (r.users.length > 0 && !hasString(r.users, req.user.name)) return false;
  if (r.userGroups.length > 0 && !req.user.groups.some((g) => hasString(r.userGroups, g)))
    return false;
  if (r.verbs.length > 0 && !hasString(r.verbs, req.verb)) return false;
  if (r.namespaces.length > 0 || r.resources.length > 0) return ruleMatchesResource(r, req);
  if (r.nonResourceURLs.length > 0) {
    if (req.resource || req.path === undefined) return false;
    return r.nonResourceURLs.some((spec) => pathMatches(req.path as string, spec));
  }
  return true;
}

/** The audit configuration of a request: first matching rule, else None. */
export function evaluatePolicy(p: AuditPolicy, req: AuditRequest): AuditDecision {
  for (let i = 0; i < p.rules.length; i++) {
    const r = p.rules[i] as AuditRule;
    if (ruleMatches(r, req)) {
      return {
        level: r.level,
        rule: i,
        omitStages: [...new Set([...p.omitStages, ...r.omitStages])],
        omitManagedFields: r.omitManagedFields ?? p.omitManagedFields,
      };
    }
  }
  return {
    level: 'None',
    rule: null,
    omitStages: [...p.omitStages],
    omitManagedFields: p.omitManagedFields,
  };
}

export type ProbeConcern = 'bodies' | 'exec' | 'create' | 'rbac';

export interface Probe {
  id: string;
  request: AuditRequest;
  concern: ProbeConcern;
  /** Stages the request produces (long-running requests have ResponseStarted too). */
  stages: readonly AuditStage[];
  /** A short description for messages: "get secrets". */
  title: string;
}

/** A user making requests by hand. */
export const PROBE_USER: AuditUser = { name: 'jane', groups: ['system:authenticated'] };
/** The controller that creates the pods of ReplicaSets (and so Deployments). */
export const CONTROLLER_USER: AuditUser = {
  name: 'system:serviceaccount:kube-system:replicaset-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};
const NS = 'default';

function resourceProbe(
  concern: ProbeConcern,
  verb: string,
  group: string,
  resource: string,
  opts: {
    sub?: string;
    namespaced?: boolean;
    named?: boolean;
    user?: AuditUser;
    longRunning?: boolean;
  } = {},
): Probe {
  const sub = opts.sub ?? '';
  const namespaced = opts.namespaced ?? true;
  const named = opts.named ?? !['list', 'watch', 'create'].includes(verb);
  const user = opts.user ?? PROBE_USER;
  const long = opts.longRunning ?? verb === 'watch';
  const what = sub ? `${resource}/${sub}` : resource;
  return {
    id: `${verb} ${group ? `${group}/` : ''}${what}${user === PROBE_USER ? '' : ` by ${user.name}`}`,
    concern,
    request: {
      user,
      verb,
      resource: {
        group,
        resource,
        subresource: sub,
        namespace: namespaced ? NS : '',
        name: named || sub ? 'example' : '',
      },
    },
    stages: long
      ? ['RequestReceived', 'ResponseStarted', 'ResponseComplete']
      : ['RequestReceived', 'ResponseComplete'],
    title: `${verb} ${what}${user === PROBE_USER ? '' : ` (by ${user.name.replace(/^system:serviceaccount:kube-system:/, '')})`}`,
  };
}

const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const WRITE = ['create', 'update', 'patch', 'delete'];

/**
 * The fixed set of requests a policy is run over: user "jane" (group
 * system:authenticated) in namespace "default" unless stated; pods are also
 * created by the ReplicaSet controller's ServiceAccount.
 */
export const PROBES: readonly Probe[] = [
  ...READ_WRITE.map((v) => resourceProbe('bodies', v, '', 'secrets')),
  ...READ_WRITE.map((v) => resourceProbe('bodies', v, '', 'configmaps')),
  resourceProbe('bodies', 'create', 'authentication.k8s.io', 'tokenreviews', { namespaced: false }),
  ...['exec', 'attach', 'portforward'].flatMap((sub) =>
    ['create', 'get'].map((v) => resourceProbe('exec', v, '', 'pods', { sub, longRunning: true })),
  ),
  resourceProbe('create', 'create', '', 'pods'),
  resourceProbe('create', 'create', '', 'pods', { user: CONTROLLER_USER }),
  resourceProbe('create', 'create', '', 'replicationcontrollers'),
  ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].map((r) =>
    resourceProbe('create', 'create', 'apps', r),
  ),
  ...['jobs', 'cronjobs'].map((r) => resourceProbe('create', 'create', 'batch', r)),
  ...['roles', 'rolebindings'].flatMap((r) =>
    WRITE.map((v) => resourceProbe('rbac', v, 'rbac.authorization.k8s.io', r)),
  ),
  ...['clusterroles', 'clusterrolebindings'].flatMap((r) =>
    WRITE.map((v) =>
      resourceProbe('rbac', v, 'rbac.authorization.k8s.io', r, { namespaced: false }),
    ),
  ),
];

/** Whether a decision writes any event for a request producing `stages`. */
export function logged(d: AuditDecision, stages: readonly AuditStage[]): boolean {
  return d.level !== 'None' && stages.some((s) => !d.omitStages.includes(s));
}

/** Whether the decision writes the request's (or response's) body. */
function bodyLogged(d: AuditDecision, probe: Probe): boolean {
  if (!logged(d, probe.stages)) return false;
  if (d.level === 'RequestResponse') return true;
  return d.level === 'Request' && ['create', 'update', 'patch'].includes(probe.request.verb);
}

export interface ProbeResult {
  probe: string;
  title: string;
  decision: AuditDecision;
  logged: boolean;
}

export interface AuditPolicyResult {
  object: ObjectRef;
  file: string;
  /** Every probe's decision (for the report). */
  probes: ProbeResult[];
}

export interface AuditResult {
  findings: HardeningFinding[];
  notes: HardeningNote[];
  policies: AuditPolicyResult[];
}

function strings(v: JsonValue | undefined): string[] {
  return list(v).filter((x): x is string => typeof x === 'string');
}

/** Read a Policy; problems the API server would refuse (it does not start) become notes. */
export function readPolicy(o: KubeObject, notes: HardeningNote[]): AuditPolicy | null {
  const problems: Array<{ path: Path; message: string }> = [];
  const stagesOf = (v: JsonValue | undefined, path: Path): AuditStage[] => {
    const out: AuditStage[] = [];
    list(v).forEach((s, i) => {
      if (typeof s === 'string' && (STAGES as readonly string[]).includes(s))
        out.push(s as AuditStage);
      else
        problems.push({
          path: [...path, i],
          message: `${JSON.stringify(s)}: allowed stages are ${STAGES.join(',')}`,
        });
    });
    return out;
  };
  const rules: AuditRule[] = [];
  const rawRules = o.value['rules'];
  list(rawRules).forEach((r, i) => {
    const at: Path = ['rules', i];
    if (!isObject(r)) {
      problems.push({ path: at, message: 'a rule must be an object' });
      return;
    }
    const level = r['level'];
    if (level === undefined || level === null || level === '')
      problems.push({ path: [...at, 'level'], message: 'Required value' });
    else if (!(LEVELS as readonly unknown[]).includes(level))
      problems.push({
        path: [...at, 'level'],
        message: `Unsupported value: ${JSON.stringify(level)}: supported values: ${LEVELS.map((l) => `"${l}"`).join(', ')}`,
      });
    const resources: AuditRule['resources'] = [];
    list(r['resources']).forEach((g, j) => {
      if (!isObject(g)) return;
      const entry = {
        group: str(g['group']) ?? '',
        resources: strings(g['resources']),
        resourceNames: strings(g['resourceNames']),
      };
      if (entry.resourceNames.length > 0 && entry.resources.length === 0)
        problems.push({
          path: [...at, 'resources', j, 'resourceNames'],
          message: 'using resourceNames requires at least one resource',
        });
      resources.push(entry);
    });
    const urls = strings(r['nonResourceURLs']);
    urls.forEach((u, j) => {
      if (u === '*') return;
      if (!u.startsWith('/'))
        problems.push({
          path: [...at, 'nonResourceURLs', j],
          message: "non-resource URL rules must begin with a '/' character",
        });
      if (u.length > 0 && u.slice(0, -1).includes('*'))
        problems.push({
          path: [...at, 'nonResourceURLs', j],
          message: "non-resource URL wildcards '*' must be the final character of the rule",
        });
    });
    const namespaces = strings(r['namespaces']);
    if (urls.length > 0 && (resources.length > 0 || namespaces.length > 0))
      problems.push({
        path: [...at, 'nonResourceURLs'],
        message: 'rules cannot apply to both regular resources and non-resource URLs',
      });
    const omf = r['omitManagedFields'];
    rules.push({
      level: (LEVELS as readonly unknown[]).includes(level) ? (level as AuditLevel) : 'None',
      users: strings(r['users']),
      userGroups: strings(r['userGroups']),
      verbs: strings(r['verbs']),
      namespaces,
      resources,
      nonResourceURLs: urls,
      omitStages: stagesOf(r['omitStages'], [...at, 'omitStages']),
      omitManagedFields: typeof omf === 'boolean' ? omf : null,
    });
  });
  const omitStages = stagesOf(o.value['omitStages'], ['omitStages']);
  if (rules.length === 0 && problems.length === 0)
    problems.push({ path: ['rules'], message: 'loaded illegal policy with 0 rules' });
  if (problems.length > 0) {
    for (const p of problems) {
      notes.push({
        check: 'auditPolicy',
        message: `${policyTitle(o)} is refused by the API server (it does not start with it): ${p.path.length ? `${pathString(p.path)}: ` : ''}${p.message}`,
        file: o.file,
        span: o.locate(p.path) ?? o.locate([]) ?? { start: 0, end: 0 },
        object: refOf(o),
      });
    }
    return null;
  }
  return { rules, omitStages, omitManagedFields: o.value['omitManagedFields'] === true };
}

function policyTitle(o: KubeObject): string {
  const name = nameOf(o);
  return name ? `audit Policy ${quoted(name)}` : 'the audit Policy';
}

function pathString(p: Path): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export function isAuditPolicy(o: KubeObject): boolean {
  return kindOf(o) === 'Policy' && groupOf(o) === 'audit.k8s.io';
}

/** The Metadata rule the fixes insert for the resources of some probes. */
function metadataRule(probes: readonly Probe[], concern: ProbeConcern): JsonObject {
  const byGroup = new Map<string, Set<string>>();
  for (const p of probes) {
    const r = p.request.resource;
    if (!r) continue;
    const name = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    byGroup.set(r.group, (byGroup.get(r.group) ?? new Set()).add(name));
  }
  const rule: JsonObject = { level: 'Metadata' };
  if (concern === 'create') rule['verbs'] = ['create'];
  if (concern === 'rbac') rule['verbs'] = [...new Set(probes.map((p) => p.request.verb))];
  rule['resources'] = [...byGroup].map(([group, rs]) => ({ group, resources: [...rs] }));
  return rule;
}

const CONCERN_TEXT: Record<ProbeConcern, (level: string) => string> = {
  bodies: (level) =>
    `writes the bodies of Secrets, ConfigMaps or TokenReviews to the audit log at level ${level}, so the log holds their secrets`,
  exec: () =>
    'does not log exec, attach or port-forward into pods, the way in to a running container',
  create: () =>
    'does not log the creation of pods or workloads, so Pod Security admission audit annotations (pod-security.kubernetes.io/audit-violations) are never recorded',
  rbac: () =>
    'does not log changes to RBAC roles and bindings, the way to grant oneself more permissions',
};

/** What to do about each concern, for the short form. */
const CONCERN_ACTION: Record<ProbeConcern, string> = {
  bodies: 'log Secrets, ConfigMaps and TokenReviews at Metadata level only',
  exec: 'log exec, attach and port-forward into pods',
  create: 'log the creation of pods and workloads',
  rbac: 'log changes to RBAC roles and bindings',
};

/** "secrets (get, list); pods by replicaset-controller (create)": the probes by resource, in order. */
function summarize(probes: readonly Probe[]): string {
  const byWhat = new Map<string, string[]>();
  for (const p of probes) {
    const r = p.request.resource;
    if (!r) continue;
    const by =
      p.request.user === PROBE_USER
        ? ''
        : ` by ${p.request.user.name.replace(/^system:serviceaccount:kube-system:/, '')}`;
    const what = `${r.subresource ? `${r.resource}/${r.subresource}` : r.resource}${by}`;
    byWhat.set(what, [...(byWhat.get(what) ?? []), p.request.verb]);
  }
  return [...byWhat].map(([what, verbs]) => `${what} (${verbs.join(', ')})`).join('; ');
}

/** Evaluate every audit Policy of the input over the probes. */
export function analyzeAudit(objects: readonly KubeObject[]): AuditResult {
  const findings: HardeningFinding[] = [];
  const notes: HardeningNote[] = [];
  const policies: AuditPolicyResult[] = [];
  for (const o of objects) {
    if (!isAuditPolicy(o)) continue;
    if (apiVersionOf(o) !== 'audit.k8s.io/v1') {
      notes.push({
        check: 'auditPolicy',
        message: `audit Policy of ${apiVersionOf(o)}: the API server loads audit.k8s.io/v1 only: not evaluated`,
        file: o.file,
        span: o.locate(['apiVersion']) ?? { start: 0, end: 0 },
        object: refOf(o),
      });
      continue;
    }
    const policy = readPolicy(o, notes);
    if (!policy) continue;
    const results = PROBES.map((probe) => {
      const decision = evaluatePolicy(policy, probe.request);
      return { probe, decision, logged: logged(decision, probe.stages) };
    });
    policies.push({
      object: refOf(o),
      file: o.file,
      probes: results.map((r) => ({
        probe: r.probe.id,
        title: r.probe.title,
        decision: r.decision,
        logged: r.logged,
      })),
    });
    // Group the problems by deciding rule and concern.
    const groups = new Map<
      string,
      { rule: number | null; concern: ProbeConcern; probes: Probe[]; levels: Set<string> }
    >();
    for (const r of results) {
      const bad = r.probe.concern === 'bodies' ? bodyLogged(r.decision, r.probe) : !r.logged;
      if (!bad) continue;
      const key = `${r.decision.rule ?? 'none'}|${r.probe.concern}`;
      const g = groups.get(key) ?? {
        rule: r.decision.rule,
        concern: r.probe.concern,
        probes: [],
        levels: new Set<string>(),
      };
      g.probes.push(r.probe);
      g.levels.add(r.decision.level);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const ruleText =
        g.rule === null
          ? 'no rule matches, so the level is None: the policy'
          : `rule ${g.rule + 1} (the first that matches)`;
      const listed = summarize(g.probes);
      const span: Span =
        g.rule === null
          ? (o.locate(['rules']) ?? o.locate(['kind']) ?? { start: 0, end: 0 })
          : (o.locate(['rules', g.rule]) ?? { start: 0, end: 0 });
      const index = g.rule ?? policy.rules.length;
      const fix: HardeningFix = {
        title: `Log ${g.concern === 'bodies' ? 'these requests at Metadata level only' : 'these requests at Metadata level'}: insert a rule ${g.rule === null ? 'at the end' : `before rule ${g.rule + 1}`}`,
        preferred: false,
        file: o.file,
        document: o.document,
        item: o.item,
        ops: [{ op: 'insert', path: ['rules'], index, value: metadataRule(g.probes, g.concern) }],
      };
      findings.push({
        check: 'auditPolicy',
        family: 'hardening',
        severity: 'warning',
        message: `${policyTitle(o)}: ${ruleText} ${CONCERN_TEXT[g.concern]([...g.levels].join('/'))} (${listed})`,
        action: `${CONCERN_ACTION[g.concern]} (${g.rule === null ? 'no rule matches' : `rule ${g.rule + 1} decides`})`,
        path: g.rule === null ? 'rules' : `rules[${g.rule}]`,
        file: o.file,
        span,
        object: refOf(o),
        container: null,
        // A rule cannot log what the policy's own omitStages drop for every stage.
        fixes: g.probes.every((p) => p.stages.every((st) => policy.omitStages.includes(st)))
          ? []
          : [fix],
      });
    }
  }
  return { findings, notes, policies };
}
