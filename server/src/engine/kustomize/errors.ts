/**
 * Why a build failed, in kustomize's words, at the file and span that
 * caused it.
 */
import type { Span } from '../types';

/**
 * The kind of failure, for tests and for the follow-up that reports it:
 * the same class whatever the wording.
 */
export type KustomizeErrorClass =
  /** A resource, component, patch or generator file that is not there. */
  | 'missingResource'
  /** A directory given as a resource or component without a kustomization file. */
  | 'missingKustomization'
  /** More than one of kustomization.yaml, kustomization.yml and Kustomization. */
  | 'multipleKustomizations'
  /** An unknown field, a value of the wrong type, a wrong kind or apiVersion, an empty file. */
  | 'invalidKustomization'
  /** Two resources with the same id (accumulation conflict), or a transformer making two ids equal. */
  | 'idConflict'
  /** A patch that matches no resource, or a generator merging into one that does not exist. */
  | 'patchUnmatched'
  /** A patch that is neither (or both) a strategic merge and a JSON patch, or ill-formed. */
  | 'invalidPatch'
  /** A strategic merge patch whose node kind differs from the resource's (a map onto a list). */
  | 'mergeConflict'
  /** A JSON 6902 operation that does not apply (a missing path, a failed test). */
  | 'jsonPatchFailed'
  /** A kustomization that includes itself, directly or through others. */
  | 'cycle'
  /** A file outside the kustomization's directory (kustomize's load restriction). */
  | 'security'
  /** YAML that does not parse. */
  | 'yaml'
  /** A resource without kind or name, or otherwise not a Kubernetes object. */
  | 'invalidResource'
  /** A ConfigMap or Secret generator that cannot be built (bad literal, repeated key). */
  | 'generator'
  /** A name reference with several possible targets. */
  | 'nameReference'
  /** A `helmCharts` entry that is ill-formed, whose chart or values are missing, or that does not render. */
  | 'helm'
  /** Over a bound (nesting, resources, bytes, generated data). */
  | 'limit';

export interface KustomizeError {
  class: KustomizeErrorClass;
  /** kustomize's message (paths absolute, as kustomize prints them). */
  message: string;
  /** The file that causes it (a kustomization file, a resource, a patch). */
  file: string;
  span: Span;
}

export class KustomizeFailure extends Error {
  constructor(
    readonly errorClass: KustomizeErrorClass,
    message: string,
    readonly file: string,
    readonly span: Span,
    /** kustomize reports it as it is, with no context (it surfaces only when the build is printed). */
    readonly bare = false,
  ) {
    super(message);
  }

  /** The same failure with kustomize's context prefixed to its message (`accumulating resources: …`). */
  wrap(prefix: string): KustomizeFailure {
    if (this.bare) return this;
    return new KustomizeFailure(
      this.errorClass,
      `${prefix}: ${this.message}`,
      this.file,
      this.span,
    );
  }

  toError(): KustomizeError {
    return { class: this.errorClass, message: this.message, file: this.file, span: this.span };
  }
}

export function fail(
  errorClass: KustomizeErrorClass,
  message: string,
  file: string,
  span: Span,
): never {
  throw new KustomizeFailure(errorClass, message, file, span);
}
