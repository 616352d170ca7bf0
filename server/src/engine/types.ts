/**
 * The engine's public vocabulary. Everything here is plain data: offsets are
 * indices into the analysed string (UTF-16 code units, as JavaScript strings
 * count them); line/column conversion happens at the edges (CLI, LSP).
 */
import type { AdmissionConfig } from './config/admission';
import type { ChunkParses } from './chunkParses';
import type { ParseShare } from './parse';
import type { HardeningCheckId } from './hardening/results';
import type { WorkloadIsolation } from './hardening/network';

export type Level = 'privileged' | 'baseline' | 'restricted';
export type CheckLevel = 'baseline' | 'restricted';
export type Mode = 'enforce' | 'warn' | 'audit';
export type Severity = 'error' | 'warning' | 'information';

export const CHECK_IDS = [
  // baseline, in upstream's evaluation order (byte order of the IDs)
  'appArmorProfile',
  'capabilities_baseline',
  'hostNamespaces',
  'hostPathVolumes',
  'hostPorts',
  'hostProbesAndHostLifecycle',
  'privileged',
  'procMount',
  'seLinuxOptions',
  'seccompProfile_baseline',
  'sysctls',
  'windowsHostProcess',
  // restricted
  'allowPrivilegeEscalation',
  'capabilities_restricted',
  'procMount_restricted',
  'restrictedVolumes',
  'runAsNonRoot',
  'runAsUser',
  'seccompProfile_restricted',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** A half-open range [start, end) of offsets into the text. */
export interface Span {
  start: number;
  end: number;
}

/** A policy: a level at a version. `version` is as requested ("latest", "v1.30"). */
export interface Policy {
  level: Level;
  version: string;
}

/** A replacement of the text in [start, end) by `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  /** Short imperative title, e.g. "Set allowPrivilegeEscalation: false". */
  title: string;
  /**
   * Safe fixes keep the workload running as before in every way the user is
   * likely to rely on; unsafe ones (forcing runAsNonRoot, dropping host
   * namespaces) may change behaviour and are never applied without consent.
   */
  safe: boolean;
  /** Edits of the file the finding is reported in. */
  edits: TextEdit[];
  /**
   * Edits of other files the fix also makes (a patch in an overlay, the
   * kustomization that lists it, a values file): the fix is applied whole or
   * not at all. Paths are absolute, as the engine names files.
   */
  files?: FileEdits[];
}

/** The edits a fix makes in one other file. */
export interface FileEdits {
  /** Absolute path, `/`-separated, as the engine names files. */
  path: string;
  /** Edits of the file's text as it was read; with `create`, of the empty text. */
  edits: TextEdit[];
  /** The file does not exist yet: the fix creates it with the edits' text. */
  create?: boolean;
}

/** Identifies the Kubernetes object a finding belongs to. */
export interface ObjectRef {
  kind: string;
  name: string | null;
  namespace: string | null;
  /** 0-based index of the YAML document in the file. */
  document: number;
  /** For items of a `kind: List`, the 0-based item index; otherwise null. */
  item: number | null;
}

/** Why a policy applies: the configured default, or a Namespace's labels. */
export interface PolicySource {
  /** `admission`: the cluster's admission configuration's default (file, span and label = its key when written there). */
  kind: 'setting' | 'namespace' | 'admission';
  /** For namespace: the namespace name, the file it was declared in and the label's span. */
  namespace?: string;
  file?: string;
  span?: Span;
  /** The label key that chose the level, e.g. pod-security.kubernetes.io/enforce. */
  label?: string;
}

export interface Finding {
  check: CheckId | HardeningCheckId | 'invalidSuppression' | 'podSecurityPolicy';
  /**
   * 'hardening' for the hardening checks (network isolation, resources,
   * secrets, audit; see hardening/), which never change a Pod Security
   * verdict or level; absent for Pod Security findings and meta findings.
   */
  family?: 'hardening';
  /** The level of the check (baseline/restricted); for meta findings, the policy level. */
  level: Level;
  severity: Severity;
  mode: Mode;
  /** Upstream's reason, e.g. "privileged". */
  reason: string;
  /** Upstream's detail for this one located problem. */
  detail: string;
  /** Human message: reason (detail) plus the field path. */
  message: string;
  /** Field path of the offending (or missing) field, e.g. spec.containers[0].securityContext.privileged */
  path: string;
  span: Span;
  object: ObjectRef;
  /** Container name for container-level findings, null for pod-level ones. */
  container: string | null;
  policy: Policy;
  /** Concrete version the policy was evaluated at, e.g. "v1.37". */
  evaluatedVersion: string;
  policySource: PolicySource;
  fixes: Fix[];
  /** When the offending value comes from the API server's defaulting, not the text: how. */
  defaulted?: string;
  /** For a finding of a built Kustomize overlay: the overlays (as named in the message) whose build has it. */
  overlays?: string[];
  /**
   * What the message adds about where the finding comes from (the overlays, the values key that
   * would set a field, the object and value sets of a chart), for the short summary to keep.
   */
  context?: string[];
}

/** How a finding was silenced: a `# podsec-ignore` comment or a `podsec.io/ignore` annotation. */
export interface SuppressionRef {
  kind: 'comment' | 'annotation';
  /** The reason written after `--`. */
  justification: string;
  /** Span of the comment, or of the annotation (its key and value). */
  span: Span;
}

/** A finding a suppression silenced: kept so that reports can say so. */
export interface SuppressedFinding extends Finding {
  suppression: SuppressionRef;
}

export interface Diagnostic {
  message: string;
  span: Span;
  /** 'yaml' for syntax errors, 'schema' for wrong types, 'limit' for inputs over a limit, 'kustomize' for an overlay's build. */
  code: 'yaml' | 'schema' | 'limit' | 'policy' | 'kustomize';
  severity: Severity;
}

export interface WorkloadSummary {
  object: ObjectRef;
  /** Span of the whole object (document or List item). */
  span: Span;
  /** Span of the object's header line (kind/name), for code lenses. */
  headSpan: Span;
  /** Evaluated policy for the enforce/configured mode. */
  policy: Policy;
  /** Where that policy comes from: the setting, or which Namespace label. */
  policySource: PolicySource;
  /** Offset of the pod template's spec node, or null when the template is missing. */
  podSpecSpan: Span | null;
  /** When the cluster's admission configuration exempts the workload: the note saying which exemption. */
  exemption?: string;
  /** The modes exempt when others are not (an exempt user's own request: warn; its controller's Pods are not). */
  exemptModes?: Mode[];
}

export interface Analysis {
  findings: Finding[];
  /** YAML syntax errors, schema (type) errors and limit messages. */
  errors: Diagnostic[];
  /** Informational notes (e.g. "Helm template: not evaluated"). */
  notes: Diagnostic[];
  /** Every Kubernetes object with a pod template that was evaluated. */
  workloads: WorkloadSummary[];
  /** Number of Kubernetes objects (documents or List items with apiVersion/kind). */
  objects: number;
  /** With the hardening checks: the NetworkPolicies isolating each workload of the file (hover). */
  hardening?: { isolation: WorkloadIsolation[] };
  /** Findings silenced by a suppression (absent when none was). */
  suppressed?: SuppressedFinding[];
  /**
   * For a file Kustomize overlays read: each of its workloads as each overlay
   * deploys it (the level that applies there and whether it is admitted).
   */
  overlayWorkloads?: OverlayStanding[];
  /**
   * Set when the findings come from building what reads this file (Kustomize
   * overlays): the file's text alone is not evaluated, so fixes are the
   * findings' own (placed at their origin), never a re-analysis of the text.
   */
  generated?: boolean;
}

/** A workload as one Kustomize overlay deploys it: the level that applies there, and how it fares. */
export interface OverlayStanding {
  /** The overlay's name (`overlays/prod`). */
  overlay: string;
  kind: string;
  name: string | null;
  /** The namespace the overlay deploys it to. */
  namespace: string | null;
  /** The object in the file it is placed in, and its head line (for lenses). */
  span: Span;
  headSpan: Span;
  /** The enforce policy there: the setting's, or its Namespace's label. */
  policy: Policy;
  policySource: PolicySource;
  /** Findings enforce rejects (0: admitted) and warn shows. */
  rejected: number;
  warned: number;
  /**
   * The highest level the overlay's build of it meets (at the version that
   * applies there) and the findings between it and the next level; when the
   * overlays were evaluated with `advise`.
   */
  met?: Level;
  toNext?: number;
}

/** Labels declared by a Namespace document somewhere in the inputs. */
export interface NamespaceLabels {
  name: string;
  labels: Record<string, string>;
  file: string;
  /** Span of each label's key-value pair, by label key. */
  spans: Record<string, Span>;
}

export interface AnalyzeOptions {
  /** Configured policy (default restricted / latest). */
  level?: Level;
  version?: string;
  /** Honour Namespace labels (default true). */
  namespaceLabels?: boolean;
  /** Namespaces known from other files (by name). Namespaces in this text are found by the engine itself. */
  namespaces?: ReadonlyMap<string, NamespaceLabels>;
  /**
   * The namespace objects that name none are created in (a Helm release's
   * `--namespace`): its Namespace's labels choose their policy, as a
   * `metadata.namespace` would. Unset, such objects use `level`/`version`.
   */
  defaultNamespace?: string;
  /** File name for policy sources; informational. */
  file?: string;
  /**
   * The file is a Helm chart template (`isChartTemplate`): with `{{ … }}` in
   * it, it gets one note instead of findings. Elsewhere `{{` is text.
   */
  chartTemplate?: boolean;
  /**
   * The cluster's PodSecurity admission configuration: its defaults replace
   * `level`/`version` for namespaces without labels (and modes a Namespace
   * does not label), and its exemptions apply (config/admissionPolicy.ts).
   */
  admission?: AdmissionConfig;
  /** The user who creates the objects (exempt usernames), with `admission`. */
  asUser?: string;
  /** Limits; see limits.ts for defaults. */
  maxFileBytes?: number;
  maxAliasCount?: number;
  maxDepth?: number;
  /** Findings reported for one text before evaluation stops (with a note). */
  maxFindings?: number;
  /**
   * Honour `podsec-ignore` comments (default true). Admission reads no comments: the level
   * advisor evaluates with this off to see what admission decides.
   */
  suppressions?: boolean;
  /**
   * Skim documents of kinds nothing reads instead of composing them (default
   * true; see kinds.ts). Results are the same either way: tests compare them.
   */
  skim?: boolean;
  /**
   * Where the parse of a text that is one chunk is left for another reader
   * of the same run (the hardening checks) to take instead of parsing again.
   */
  share?: ParseShare;
  /**
   * The text's chunk parses, kept across its versions and read by the
   * hardening checks too (an open document): a chunk the cache has no entry
   * for is taken from there, parsed only if no reader parsed it yet.
   */
  chunks?: ChunkParses;
}

/**
 * What a check or view reads, declared by it: the engine composes a document
 * only when some reader reads its kind (kinds.ts lists the readers).
 */
export interface KindReader {
  /** Who reads (for the newcomer's map and test messages). */
  readonly reader: string;
  reads(apiVersion: string, kind: string): boolean;
}
