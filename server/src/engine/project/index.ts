/**
 * The project model: which files of a tree are plain manifests, which belong
 * to a Helm chart or a Kustomize kustomization, and the evaluation of what a
 * chart renders (or an overlay builds) to with every result placed at its
 * origin. Plain files are evaluated as they always are (`analyze`).
 */
export { CHART_FILE, chartRootOf, discoverProject, isChartDir, isChartFile } from './discover';
export type { DiscoverOptions, Project } from './discover';
export {
  dottedPath,
  editorFixes,
  evaluateGenerated,
  mapFix,
  placeSpan,
  splitFieldPath,
} from './generated';
export type {
  EvaluateGeneratedOptions,
  GeneratedDocument,
  GeneratedEvaluation,
  LocatedDiagnostic,
  LocatedFinding,
  RenderedObject,
} from './generated';
export {
  chartReportInputs,
  evaluateChart,
  evaluateChartValueSets,
  renderErrorDiagnostic,
} from './helm';
export type {
  ChartEvaluation,
  ChartEvaluationOptions,
  ValueSet,
  ValueSetsEvaluation,
} from './helm';
export {
  evaluateChartAtLevel,
  findingOf,
  fixChartWorkloadToLevel,
  safeOriginFix,
} from './chartLevel';
export type { ChartLevelFix, ChartWorkloadRef } from './chartLevel';
export {
  chartHardeningInputs,
  generatedDisplayName,
  generatedFileName,
  generatedHardeningSource,
  isGeneratedFileName,
  overlayHardeningInputs,
  placeGeneratedHardening,
} from './hardening';
export type { GeneratedHardeningInput, PlacedHardening } from './hardening';
