/**
 * Kustomize overlays evaluated as deployed: roots built, builds analysed,
 * findings placed on the base or patch line that set them.
 */
export { evaluateOverlays } from './evaluate';
export type { OverlayBuild, OverlayEvaluation, OverlayOptions, OverlayWorkload } from './evaluate';
export { overlayPhrase, placeFixes } from './origins';
export { applyFindingFixes } from './fixes';
export { overlayReport, policyFrom } from './report';
export type { ReportOverlay, ReportOverlayWorkload } from './report';
