/**
 * Shared seccomp helpers for seccompProfile_baseline and seccompProfile_restricted.
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
