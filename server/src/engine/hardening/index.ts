/**
 * The hardening checks: a second family beside the Pod Security checks,
 * over the whole workspace at once (a NetworkPolicy, a LimitRange or a
 * ServiceAccount in one file changes the findings of workloads in
 * another). Pure: objects in (see model.ts and the yaml adapter), findings,
 * notes and report data out. Hardening findings never change a Pod
 * Security verdict.
 */
import type { Severity } from '../types';
import { analyzeAudit } from './audit';
import type { AuditPolicyResult } from './audit';
import type { KubeObject } from './model';
import { analyzeNetwork } from './network';
import type { NamespaceIsolation, WorkloadIsolation } from './network';
import { workloadsOf } from './pods';
import { analyzeResources } from './resources';
import type { WorkloadResources } from './resources';
import type { HardeningCheckId, HardeningFinding, HardeningNote } from './results';
import { HARDENING_CHECK_IDS } from './results';
import { analyzeSecrets } from './secrets';
import type { TokenMount } from './secrets';
import { HARDENING_CHECKS } from './metadata';

export * from './results';
export type { JsonObject, JsonValue, KubeObject, Locator, Path } from './model';
export { resolveNamespace } from './model';
export { makeLocator, objectsFromDocument, objectsFromText } from './yaml';
export type { AdapterOptions, AdapterResult } from './yaml';
export { applyHardeningFix, convertOps, planHardeningFix } from './fixes';
export type { ConvertedOps } from './fixes';
export { HARDENING_CHECKS } from './metadata';
export type { HardeningCheckInfo } from './metadata';
export type {
  NamespaceIsolation,
  WorkloadIsolation,
  DirectionIsolation,
  PolicyRef,
  SelectingPolicy,
} from './network';
export type { WorkloadResources, ContainerResources } from './resources';
export type { TokenMount } from './secrets';
export type { AuditPolicyResult, AuditDecision, ProbeResult } from './audit';
export { PROBES } from './audit';

export interface HardeningOptions {
  /**
   * Per check: a severity, or 'off'. Checks not listed run at their default
   * severity (HARDENING_CHECKS[id].defaultSeverity).
   */
  checks?: Partial<Record<HardeningCheckId, Severity | 'off'>>;
  /** Also require a CPU limit (resourceLimits). Default false. */
  requireCpuLimit?: boolean;
  /**
   * The command line's `--hardening on`: a check a `.podsec.yaml` turns off
   * runs again (at its severity entry, else its default). The checks read
   * only `checks`.
   */
  familyOn?: boolean;
}

export interface HardeningResult {
  findings: HardeningFinding[];
  notes: HardeningNote[];
  /** Per workload: the policies that isolate it, per direction (hover). */
  isolation: WorkloadIsolation[];
  /** Per namespace: isolated workloads of total, default denies (report). */
  namespaces: NamespaceIsolation[];
  /** Per workload: effective requests and limits after defaulting (hover). */
  resources: WorkloadResources[];
  /** Per workload: whether a ServiceAccount token is mounted and what decides it. */
  tokens: TokenMount[];
  /** Per audit Policy: the decision for each probe request (report). */
  audit: AuditPolicyResult[];
}

/** The severity a check runs at, or null when it is off. */
export function severityOf(id: HardeningCheckId, options: HardeningOptions = {}): Severity | null {
  const s = options.checks?.[id];
  if (s === 'off') return null;
  return s ?? HARDENING_CHECKS[id].defaultSeverity;
}

function order(
  a: { file: string; span: { start: number } },
  b: { file: string; span: { start: number } },
): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start;
}

/**
 * Run every hardening check over the workspace's objects. Findings come
 * sorted by file and offset, at their configured severity; checks that are
 * off give neither findings nor notes.
 */
export function analyzeHardening(
  objects: readonly KubeObject[],
  options: HardeningOptions = {},
): HardeningResult {
  const workloads = workloadsOf(objects);
  const network = analyzeNetwork(objects, workloads);
  const resources = analyzeResources(objects, workloads, {
    requireCpuLimit: options.requireCpuLimit ?? false,
  });
  const secrets = analyzeSecrets(objects, workloads);
  const audit = analyzeAudit(objects);
  const findings: HardeningFinding[] = [];
  for (const f of [
    ...network.findings,
    ...resources.findings,
    ...secrets.findings,
    ...audit.findings,
  ]) {
    const severity = severityOf(f.check, options);
    if (severity !== null) findings.push({ ...f, severity });
  }
  const notes = [...network.notes, ...resources.notes, ...secrets.notes, ...audit.notes].filter(
    (n) => n.check === null || severityOf(n.check, options) !== null,
  );
  return {
    findings: findings.sort(order),
    notes: notes.sort(order),
    isolation: network.workloads,
    namespaces: network.namespaces,
    resources: resources.workloads,
    tokens: secrets.tokens,
    audit: audit.policies,
  };
}

export const HARDENING_IDS: readonly HardeningCheckId[] = HARDENING_CHECK_IDS;
export {
  docRanges,
  HARDENING_DEFAULT_NAMESPACE,
  hardeningEnabled,
  hardeningFindingOf,
  hardeningFixEdits,
  MAX_FINDINGS_PER_FILE,
  hardeningOptionsFrom,
  hardeningOptionsOf,
  hardeningReport,
  hardeningSource,
  isHardeningFinding,
  mergeHardening,
  runHardening,
} from './findings';
export type {
  HardeningReport,
  HardeningReportOptions,
  HardeningRun,
  HardeningSource,
  SourceOptions,
} from './findings';
