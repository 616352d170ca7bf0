/**
 * What the cluster's PodSecurity admission decides for one workload, before
 * any check runs: the policy per mode (and who chose it), or the exemption
 * that applies. Written from kubernetes/pod-security-admission:
 *
 * - Policy [api/helpers.go: PolicyToEvaluate]: no labels → the configured
 *   defaults. A label present sets its mode: an invalid enforce level
 *   evaluates as restricted (fail closed), an invalid warn or audit level as
 *   privileged (fail open), an invalid version as latest; every invalid label
 *   is an error. When warn is not labelled and enforce is labelled with a
 *   valid level stricter than the warn default, warn takes the enforce level,
 *   and the enforce version too unless warn-version is labelled.
 * - Order for a Pod [admission/admission.go: ValidatePod, EvaluatePod]:
 *   exempt namespace, then exempt username, then (labels valid and every mode
 *   privileged: allowed, nothing recorded), then exempt runtime class, then
 *   evaluation of enforce, audit and warn.
 * - Order for a pod controller (Deployment, Job, … and PodTemplate)
 *   [ValidatePodController]: exempt namespace, exempt username, (labels valid,
 *   warn and audit privileged: allowed), exempt runtime class, then only warn
 *   and audit are evaluated: enforce applies to the Pods the controller
 *   creates, which are requests of the controller's own service account
 *   (kube-controller-manager with --use-service-account-credentials, as
 *   kubeadm runs it: system:serviceaccount:kube-system:replicaset-controller
 *   for a ReplicaSet's pods, and so on). So an exempt username never exempts a
 *   Deployment's pods from enforce: only the username that creates the pods
 *   matters. A PodTemplate creates no pods: nothing enforces it.
 * - An empty namespace, username or runtime class matches no exemption
 *   [exemptNamespace, exemptUser, exemptRuntimeClass].
 * - A Namespace with labels in an exempt namespace: upstream's warning
 *   [exemptNamespaceWarning]; invalid labels reject it [ValidateNamespace].
 */
import type { Level, Mode, Span } from '../types';
import type { AdmissionConfig, ConfigEntry, DefaultOrigin, ExemptionList } from './admission';
import { parseLevel, parseVersion } from './admission';
import { goQuote } from './yamlRead';
import { LABEL_PREFIX, LEVEL_RANK } from '../policy';

export { LABEL_PREFIX };
const MODES: readonly Mode[] = ['enforce', 'warn', 'audit'];

export type PolicyOrigin =
  | { kind: 'label'; label: string; namespace: string }
  /** warn took the enforce label's level (and version) [PolicyToEvaluate]. */
  | { kind: 'followsEnforce'; label: string; namespace: string }
  | { kind: 'configDefault'; file: string; span: Span; key: string }
  | { kind: 'builtInDefault' };

export interface ModePolicy {
  level: Level;
  /** "latest" or "v1.N", as written (latest for an invalid version). */
  version: string;
  levelOrigin: PolicyOrigin;
  versionOrigin: PolicyOrigin;
}

export interface LabelError {
  label: string;
  value: string;
  /** upstream's field error, e.g. `metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`. */
  message: string;
}

export interface NamespacePolicy {
  modes: Record<Mode, ModePolicy>;
  errors: LabelError[];
}

function fromDefault(o: DefaultOrigin): PolicyOrigin {
  return o.kind === 'config'
    ? { kind: 'configDefault', file: o.file, span: o.span, key: o.key }
    : { kind: 'builtInDefault' };
}

/** The configured defaults as a policy (what a namespace without labels gets). */
export function defaultModes(config: AdmissionConfig): Record<Mode, ModePolicy> {
  const out = {} as Record<Mode, ModePolicy>;
  for (const m of MODES) {
    const d = config.defaults[m];
    out[m] = {
      level: d.level,
      version: d.version,
      levelOrigin: fromDefault(d.levelOrigin),
      versionOrigin: fromDefault(d.versionOrigin),
    };
  }
  return out;
}

const labelError = (label: string, value: string, error: string): LabelError => ({
  label,
  value,
  message: `metadata.labels[${label}]: Invalid value: ${goQuote(value)}: ${error}`,
});

/** upstream's PolicyToEvaluate: a namespace's labels (null or empty: none) over the configured defaults. */
export function policyToEvaluate(
  labels: Readonly<Record<string, string>> | null,
  config: AdmissionConfig,
  namespace: string,
): NamespacePolicy {
  const modes = defaultModes(config);
  const errors: LabelError[] = [];
  if (!labels || Object.keys(labels).length === 0) return { modes, errors };
  const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
  let hasEnforceLevel = false;
  let hasWarnLevel = false;
  let hasWarnVersion = false;
  // In upstream's order: enforce, enforce-version, audit, audit-version, warn, warn-version.
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const versionKey = `${levelKey}-version`;
    if (has(levelKey)) {
      const raw = labels[levelKey] ?? '';
      const r = parseLevel(raw);
      // enforce fails closed (restricted); warn and audit fail open (privileged).
      modes[mode].level = r.error && mode !== 'enforce' ? 'privileged' : r.level;
      modes[mode].levelOrigin = { kind: 'label', label: levelKey, namespace };
      if (r.error) errors.push(labelError(levelKey, raw, r.error));
      if (mode === 'enforce') hasEnforceLevel = r.error === null;
      if (mode === 'warn') hasWarnLevel = true;
    }
    if (has(versionKey)) {
      const raw = labels[versionKey] ?? '';
      const r = parseVersion(raw);
      modes[mode].version = r.version;
      modes[mode].versionOrigin = { kind: 'label', label: versionKey, namespace };
      if (r.error) errors.push(labelError(versionKey, raw, r.error));
      if (mode === 'warn') hasWarnVersion = true;
    }
  }
  const enforce = modes.enforce;
  const warn = modes.warn;
  if (!hasWarnLevel && hasEnforceLevel && LEVEL_RANK[enforce.level] > LEVEL_RANK[warn.level]) {
    warn.level = enforce.level;
    warn.levelOrigin = { kind: 'followsEnforce', label: `${LABEL_PREFIX}enforce`, namespace };
    if (!hasWarnVersion) {
      warn.version = enforce.version;
      warn.versionOrigin = enforce.versionOrigin;
    }
  }
  return { modes, errors };
}

// ---------------------------------------------------------------- exemptions

export type ExemptionKind = 'namespace' | 'username' | 'runtimeClass';

export interface Exemption {
  kind: ExemptionKind;
  /** The namespace, username or runtime class that is exempt. */
  value: string;
  /** Where the admission configuration lists it. */
  entry: ConfigEntry;
  /** upstream's audit annotation: pod-security.kubernetes.io/exempt=namespace|user|runtimeClass. */
  annotation: 'namespace' | 'user' | 'runtimeClass';
  /** One sentence for an information note. */
  message: string;
}

const LIST_OF: Record<ExemptionKind, ExemptionList> = {
  namespace: 'namespaces',
  username: 'usernames',
  runtimeClass: 'runtimeClasses',
};

function exemption(
  config: AdmissionConfig,
  kind: ExemptionKind,
  value: string | null,
): Exemption | null {
  if (value === null || value === '') return null;
  const entry = config.exemptions[LIST_OF[kind]].find((e) => e.value === value);
  if (!entry) return null;
  const where = `exemptions.${LIST_OF[kind]} of ${entry.file}`;
  const what =
    kind === 'namespace'
      ? `namespace ${goQuote(value)}`
      : kind === 'runtimeClass'
        ? `runtime class ${goQuote(value)}`
        : `requests by ${goQuote(value)}`;
  return {
    kind,
    value,
    entry,
    annotation: kind === 'username' ? 'user' : kind,
    message: `Exempt from Pod Security: ${what} ${kind === 'username' ? 'are' : 'is'} listed in ${where}`,
  };
}

/** kube-controller-manager's controllers that create each kind's objects (their service account names). */
const CREATED_BY: Readonly<Record<string, { creates: string; controller: string }>> = {
  Deployment: { creates: 'ReplicaSet', controller: 'deployment-controller' },
  ReplicaSet: { creates: 'Pod', controller: 'replicaset-controller' },
  ReplicationController: { creates: 'Pod', controller: 'replication-controller' },
  StatefulSet: { creates: 'Pod', controller: 'statefulset-controller' },
  DaemonSet: { creates: 'Pod', controller: 'daemon-set-controller' },
  CronJob: { creates: 'Job', controller: 'cronjob-controller' },
  Job: { creates: 'Pod', controller: 'job-controller' },
};

export interface WorkloadInput {
  /** The workload's kind: Pod, Deployment, CronJob, PodTemplate, … */
  kind: string;
  /** The namespace the object is created in, as sent (its metadata.namespace, or the namespace kubectl would use). */
  namespace: string;
  /** The Namespace's labels when known (a Namespace document), else null: the defaults apply. */
  namespaceLabels: Readonly<Record<string, string>> | null;
  /** The pod template's spec.runtimeClassName, or null. */
  runtimeClassName: string | null;
  /** The user who applies the manifest (`--as-user`), or null when not known. */
  asUser?: string | null;
  /**
   * How kube-controller-manager authenticates: with a service account per
   * controller (`serviceAccounts`, the default and kubeadm's), or all
   * controllers as `system:kube-controller-manager` (`shared`).
   */
  controllerCredentials?: 'serviceAccounts' | 'shared';
}

/** One admission request the workload leads to. */
export interface AdmissionRequest {
  /** The kind of object in the request. */
  kind: string;
  /** Who sends it (null: not known). */
  username: string | null;
  /** The modes evaluated for it: enforce only for Pods. */
  modes: Mode[];
  /** Why it is not evaluated, if it is not. */
  outcome:
    { kind: 'exempt'; exemption: Exemption } | { kind: 'privileged' } | { kind: 'evaluated' };
}

export interface ModeVerdict {
  mode: Mode;
  /** False when admission never evaluates this mode for the object (a PodTemplate's enforce: it creates no pods). */
  applies: boolean;
  /** The policy for this mode (also when exempt, for display). */
  policy: ModePolicy;
  /** Set when the requests this mode reports on are exempt. */
  exemption: Exemption | null;
}

export interface WorkloadAdmission {
  modes: Record<Mode, ModeVerdict>;
  /** The exemption when it exempts every mode that applies (show one information note); else null. */
  exemption: Exemption | null;
  /** The requests, in order: the object itself, then what its controllers create. */
  requests: AdmissionRequest[];
  /** Invalid pod-security labels of the namespace (upstream's field errors). */
  labelErrors: LabelError[];
}

function controllerUser(
  controller: string,
  credentials: WorkloadInput['controllerCredentials'],
): string {
  return credentials === 'shared'
    ? 'system:kube-controller-manager'
    : `system:serviceaccount:kube-system:${controller}`;
}

/**
 * Admission's decision for one workload: per mode, the policy (with who chose
 * it) or the exemption, following the requests a `kubectl apply` of it leads
 * to (the object by `asUser`; then the objects its controllers create).
 */
export function admitWorkload(config: AdmissionConfig, input: WorkloadInput): WorkloadAdmission {
  const ns = policyToEvaluate(input.namespaceLabels, config, input.namespace);
  const labelsValid = ns.errors.length === 0;
  const privileged = (m: Mode) => ns.modes[m].level === 'privileged';

  const decide = (kind: string, username: string | null): AdmissionRequest => {
    const isPod = kind === 'Pod';
    const modes: Mode[] = isPod ? ['enforce', 'warn', 'audit'] : ['warn', 'audit'];
    const byNamespace = exemption(config, 'namespace', input.namespace);
    if (byNamespace)
      return { kind, username, modes, outcome: { kind: 'exempt', exemption: byNamespace } };
    const byUser = exemption(config, 'username', username);
    if (byUser) return { kind, username, modes, outcome: { kind: 'exempt', exemption: byUser } };
    const allPrivileged = isPod
      ? MODES.every(privileged)
      : privileged('warn') && privileged('audit');
    if (labelsValid && allPrivileged)
      return { kind, username, modes, outcome: { kind: 'privileged' } };
    const byRuntimeClass = exemption(config, 'runtimeClass', input.runtimeClassName);
    if (byRuntimeClass)
      return { kind, username, modes, outcome: { kind: 'exempt', exemption: byRuntimeClass } };
    return { kind, username, modes, outcome: { kind: 'evaluated' } };
  };

  const requests: AdmissionRequest[] = [decide(input.kind, input.asUser ?? null)];
  let kind = input.kind;
  for (let guard = 0; guard < 4; guard++) {
    const next = CREATED_BY[kind];
    if (!next) break;
    requests.push(
      decide(next.creates, controllerUser(next.controller, input.controllerCredentials)),
    );
    kind = next.creates;
  }
  const first = requests[0] as AdmissionRequest;
  const podRequest = requests.find((r) => r.kind === 'Pod') ?? null;
  const exemptOf = (r: AdmissionRequest | null) =>
    r && r.outcome.kind === 'exempt' ? r.outcome.exemption : null;

  const verdict = (mode: Mode, applies: boolean, ex: Exemption | null): ModeVerdict => ({
    mode,
    applies,
    policy: ns.modes[mode],
    exemption: ex,
  });
  // enforce: the Pod request (the object itself for a Pod, its controller's for the rest).
  const enforce = verdict('enforce', podRequest !== null, exemptOf(podRequest));
  // warn: the warnings the user sees come from the user's own request.
  const warn = verdict('warn', true, exemptOf(first));
  // audit: every request is audited; exempt only when all of them are.
  const allExempt = requests.every((r) => r.outcome.kind === 'exempt');
  const audit = verdict('audit', true, allExempt ? exemptOf(first) : null);
  const modes = { enforce, warn, audit };
  const applying = MODES.map((m) => modes[m]).filter((v) => v.applies);
  const exempt = applying.every((v) => v.exemption !== null)
    ? (applying[0]?.exemption ?? null)
    : null;
  return { modes, exemption: exempt, requests, labelErrors: ns.errors };
}

// ---------------------------------------------------------------- Namespace objects

function lv(p: ModePolicy): string {
  return `${p.level}:${p.version}`;
}

export interface NamespaceAdmission {
  /** Invalid labels: admission rejects creating the Namespace with them. */
  labelErrors: LabelError[];
  /** upstream's rejection, e.g. `Namespace "shop" is invalid: metadata.labels[…]: Invalid value: …`. */
  rejection: string | null;
  /** The namespace's own exemption, if it is exempt. */
  exemption: Exemption | null;
  /** upstream's warning for labels on an exempt namespace, or null. */
  warning: string | null;
}

/** What admission says about a Namespace object with these labels [ValidateNamespace, exemptNamespaceWarning]. */
export function admitNamespace(
  config: AdmissionConfig,
  name: string,
  labels: Readonly<Record<string, string>>,
): NamespaceAdmission {
  const ns = policyToEvaluate(labels, config, name);
  const rejection =
    ns.errors.length === 0
      ? null
      : `Namespace ${goQuote(name)} is invalid: ${ns.errors.length === 1 ? ns.errors[0]?.message : `[${ns.errors.map((e) => e.message).join(', ')}]`}`;
  const ex = exemption(config, 'namespace', name);
  let warning: string | null = null;
  if (ex && rejection === null) {
    const d = defaultModes(config);
    const m = ns.modes;
    const fullyPrivileged = MODES.every((k) => m[k].level === 'privileged');
    const equivalent = MODES.every(
      (k) =>
        (m[k].level === 'privileged' && d[k].level === 'privileged') ||
        (m[k].level === d[k].level && m[k].version === d[k].version),
    );
    if (!fullyPrivileged && !equivalent) {
      const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
      const parts: string[] = [];
      for (const k of ['enforce', 'audit', 'warn'] as const) {
        const key = `${LABEL_PREFIX}${k}`;
        if (m[k].level !== 'privileged' && (has(key) || has(`${key}-version`)))
          parts.push(`${k}=${lv(m[k])}`);
      }
      warning = `namespace ${goQuote(name)} is exempt from Pod Security, and the policy (${parts.join(', ')}) will be ignored`;
    }
  }
  return { labelErrors: ns.errors, rejection, exemption: ex, warning };
}
