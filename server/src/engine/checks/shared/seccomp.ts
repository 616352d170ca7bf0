/**
 * Shared seccomp helpers for seccompProfile_baseline and seccompProfile_restricted.
 *
 * The seccomp annotation-to-field version skew does not change what admission
 * sees on the API servers podsec models (v1.27 and later), for a Pod or a pod
 * template, so the checks read the object as written. The facts:
 *
 * - From v1.19 the pod strategy's PrepareForCreate ran applySeccompVersionSkew
 *   (pkg/registry/core/pod/strategy.go, added in kubernetes#91408): with the
 *   annotation `seccomp.security.alpha.kubernetes.io/pod` (or
 *   `container.seccomp.security.alpha.kubernetes.io/<name>`) and no field, it
 *   filled `securityContext.seccompProfile` (and the reverse).
 * - The generic registry's Create runs the strategy (rest.BeforeCreate) before
 *   the validating admission plugins, and PodSecurity is one: on those servers
 *   a Pod with only `runtime/default` in the annotation met restricted's
 *   seccompProfile_restricted, which reads the fields only.
 * - Only the Pod strategy does this. A Deployment, Job or other controller is
 *   stored through its own strategy, so admission of the controller sees its
 *   template as written; only the Pods it creates were filled.
 * - v1.25 stopped copying fields to annotations (kubernetes#109819); v1.27
 *   removed the skew entirely: "The seccomp fields are no longer
 *   auto-populated when pods with seccomp annotations are created"
 *   (kubernetes#114947). Today's strategy.go PrepareForCreate applies the
 *   AppArmor skew only (applyAppArmorVersionSkew), which the appArmorProfile
 *   check needs no help with: it reads both the annotations and the fields.
 */
import type { Cursor } from '../../cursor';
import type { FixOp } from '../../fixes/edits';
import type { Problem } from './api';
import { containersPhrase, quotedSet, setAt } from './api';

export function validSeccompType(t: string | undefined): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

export interface BadSeccomp {
  value: string;
  at: Cursor;
  path: string;
  ops: FixOp[];
}

/** A present seccompProfile object with a bad type (empty or missing type included). */
export function badSeccomp(profile: Cursor): BadSeccomp | null {
  if (!profile.present) return null;
  const typeCur = profile.get('type');
  const t = typeCur.str();
  if (validSeccompType(t)) return null;
  const ops: FixOp[] =
    typeCur.node !== null
      ? setAt(typeCur, 'RuntimeDefault')
      : profile.map
        ? [{ op: 'set', map: profile.map, path: ['type'], value: 'RuntimeDefault' }]
        : [];
  return { value: t ?? '', at: typeCur.node !== null ? typeCur : profile, path: typeCur.path, ops };
}

export function mustNotSet(setters: string, values: string[]): string {
  return `${setters} must not set securityContext.seccompProfile.type to ${quotedSet(values)}`;
}

/** The located problem of an explicitly set bad type: the pod's (container null) or a container's. */
export function badSeccompProblem(container: string | null, b: BadSeccomp): Problem {
  return {
    container,
    span: b.at.span,
    path: b.path,
    detail: mustNotSet(container === null ? 'pod' : containersPhrase([container]), [b.value]),
    fix: { title: 'Set seccompProfile type: RuntimeDefault', safe: true, ops: b.ops },
  };
}
