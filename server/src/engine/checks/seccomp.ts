/**
 * Shared seccomp helpers for seccompProfile_baseline and seccompProfile_restricted.
 */
import type { Cursor } from '../cursor';
import type { FixOp } from '../fixes/edits';
import { quotedSet, setAt } from './api';

export function validSeccompType(t: string | undefined): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

/** A present seccompProfile object with a bad type (empty or missing type included). */
export function badSeccomp(
  profile: Cursor,
): { value: string; at: Cursor; path: string; ops: FixOp[] } | null {
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
