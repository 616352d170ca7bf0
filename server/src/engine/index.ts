/**
 * The engine: text in, findings and fixes out, in character offsets.
 * The command line, the language server and the tests all call `analyze`.
 */
import { AnalysisCache } from './cache';
import { namespacesIn, resolveOptions } from './evaluate';
import { unreadKind } from './kinds';
import { parseFile } from './parse';
import type { Analysis, AnalyzeOptions, NamespaceLabels } from './types';

export * from './types';
export { AnalysisCache } from './cache';
export { admissionKeyOf } from './evaluate';
export { AnalysisSession } from './session';
export type { PolicyQuery, SessionOptions } from './session';
export {
  adviseText,
  buildReport,
  compareVersions,
  DEFAULT_NAMESPACE,
  fixWorkloadToLevel,
  meets,
  nextLevel,
  OutlookMemo,
} from './advisor';
/**
 * Moved to ../render (the renderers the CLI and the language server share);
 * re-exported here until the language server imports them from there.
 */
export { reportMarkdown, toNextPhrase, workloadTitle } from '../render/reportMarkdown';
export type {
  AdviseOptions,
  AdvisorReport,
  Blocker,
  CheckChange,
  FixOutlook,
  Located,
  ModeLabel,
  ReportBlocker,
  ReportChart,
  ReportInput,
  ReportInputSettings,
  ReportNamespace,
  ReportOptions,
  ReportPsp,
  ReportUpgrade,
  ReportWorkload,
  Scenario,
  UpgradeOptions,
  Verdict,
  WorkloadAdvice,
  WorkloadUpgrade,
} from './advisor';
export {
  analyzePodSecurityPolicy,
  BASELINE_CAPABILITIES,
  isPodSecurityPolicy,
  podSecurityPoliciesIn,
  pspMessage,
  RESTRICTED_VOLUMES,
} from './psp';
export type { PspAnalysis, PspGap, PspSetting } from './psp';
export { fixAll } from './fixall';
export type { FixAllOptions, FixAllResult } from './fixall';
export { LineIndex } from './lines';
export { CHECKS, CHECKS_BY_ID, MAX_MINOR, selectChecks, validateChecks } from './registry';
export {
  evaluatedMinor,
  hasPodSecurityLabels,
  isLevel,
  isVersion,
  LABEL_PREFIX,
  LATEST_VERSION,
  LEVELS,
  MODES,
  namespacePolicies,
  versionError,
} from './policy';
export { applyEdits } from './fixes/edits';
export { ParseShare, splitDocuments } from './parse';
export { DEFAULT_LIMITS } from './limits';
export { boundFileFindings } from './bound';
export { WORKLOAD_KINDS } from './workloads';
export { clip, escapeMarkdown, MAX_QUOTED, plural, quoteText, visible, visibleLines } from './text';
export { findingSubject, findingSummary } from './summary';
export { isChartTemplate } from './decode/templates';
export type { FileProbe } from './decode/templates';

/** Analyse a whole text: every YAML document, every workload, at the configured or labelled policy. */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  return new AnalysisCache().analyze(text, options);
}

/** The Namespaces (with pod-security labels or not) a text declares; the CLI and server collect them across files. */
export function collectNamespaces(
  text: string,
  file = '',
  options: AnalyzeOptions = {},
): NamespaceLabels[] {
  if (!text.includes('Namespace')) return [];
  const o = resolveOptions(options);
  const parsed = parseFile(text, o, o.skim ? unreadKind : undefined);
  return namespacesIn(parsed.docs, parsed.broken, file, o.maxAliasCount);
}
export {
  analyzeHardening,
  HARDENING_CHECK_IDS,
  HARDENING_CHECKS,
  HARDENING_DEFAULT_NAMESPACE,
  hardeningEnabled,
  hardeningFixEdits,
  hardeningOptionsFrom,
  hardeningOptionsOf,
  hardeningReport,
  hardeningSource,
  isHardeningCheckId,
  isHardeningFinding,
  mergeHardening,
  runHardening,
  severityOf as hardeningSeverityOf,
} from './hardening/index';
export { isShared as isSharedHardeningObject, sharedFingerprint } from './hardening/fingerprint';
export type {
  AuditPolicyResult,
  HardeningCheckId,
  HardeningCheckInfo,
  HardeningOptions,
  HardeningReport,
  HardeningResult,
  HardeningRun,
  HardeningSource,
  NamespaceIsolation,
  SourceOptions as HardeningSourceOptions,
  TokenMount,
  WorkloadIsolation,
  WorkloadResources,
} from './hardening/index';
export { annotationSuppressionEdits } from './suppressEdit';
