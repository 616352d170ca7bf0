/**
 * Kustomize in the engine: build a kustomization as `kubectl kustomize`
 * does, with the origin of every built value, and find a tree's
 * kustomizations and which of them are roots.
 */
export { buildKustomization, DEFAULT_BUILD_LIMITS, isRemoteResource } from './build';
export type {
  BuildOptions,
  BuiltObject,
  HelmChartRequest,
  HelmRenderer,
  KustomizeBuild,
  KustomizeNote,
} from './build';
export type { KustomizeError, KustomizeErrorClass } from './errors';
export { findKustomizationFile, KUSTOMIZATION_FILE_NAMES } from './kustomization';
export { findKustomizations, kustomizationGraph } from './roots';
export type { KustomizationGraph, KustomizationInfo } from './roots';
export { strategicMerge } from './merge';
export { emitDocuments } from './emit';
export type { KMap, KNode } from './tree';
export { toPlain } from './tree';
