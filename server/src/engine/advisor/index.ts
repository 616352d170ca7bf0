/**
 * The level advisor: level advice (advice.ts), version upgrades (upgrade.ts)
 * and the workspace report (report.ts), all reading one analysis session per
 * text. The renderers of the report live in ../../render.
 */
export { adviseText, fixWorkloadToLevel, OutlookMemo } from './advice';
export type { AdviseOptions, Blocker, FixOutlook, WorkloadAdvice } from './advice';
export { compareVersions } from './upgrade';
export type { CheckChange, UpgradeOptions, WorkloadUpgrade } from './upgrade';
export { buildReport } from './report';
export type {
  AdvisorReport,
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
  Verdict,
} from './report';
export { DEFAULT_NAMESPACE, meets, nextLevel } from './shared';
