/**
 * appArmorProfile (baseline, v1.0)
 * On supported hosts, the RuntimeDefault profile is applied by default; overriding it with an
 * unconfined profile, or setting a disallowed profile, must be prevented.
 * Fields: spec.securityContext.appArmorProfile.type, containers[*].securityContext.appArmorProfile.type
 * (RuntimeDefault or Localhost when the object is present), and pod annotations
 * container.apparmor.security.beta.kubernetes.io/* (empty, runtime/default or localhost/*).
 */
import type { Cursor } from '../cursor';
import type { CheckDefinition, Problem } from './shared/api';
import { containersPhrase, pluralize, quote, setAt, sortedSet } from './shared/api';

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function validType(t: string | undefined): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

function validAnnotation(v: string): boolean {
  return v === '' || v === 'runtime/default' || v.startsWith('localhost/');
}

function render(setters: string[], values: string[]): string {
  return `${setters.join(' and ')} must not set AppArmor profile type to ${values.map(quote).join(', ')}`;
}

/** A present appArmorProfile with a bad type; the problem goes on the type, or on the object when it has none. */
function badProfile(profile: Cursor): { value: string; at: Cursor; typeCur: Cursor } | null {
  if (!profile.present) return null;
  const typeCur = profile.get('type');
  const t = typeCur.str();
  if (validType(t)) return null;
  return { value: t ?? '', at: typeCur.node !== null ? typeCur : profile, typeCur };
}

export const appArmorProfile: CheckDefinition = {
  id: 'appArmorProfile',
  level: 'baseline',
  title: 'AppArmor',
  allowed:
    'appArmorProfile.type RuntimeDefault or Localhost; annotation values empty, runtime/default or localhost/*',
  fields: [
    'spec.securityContext.appArmorProfile.type',
    'spec.containers[*].securityContext.appArmorProfile.type',
    'metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]',
  ],
  variants: [
    {
      name: 'appArmorProfile_1_0',
      minVersion: 0,
      evaluate(pod) {
        const setters: string[] = [];
        const badTypes: string[] = [];
        const problems: Problem[] = [];
        const fixType = (typeCur: Cursor, profile: Cursor) =>
          typeCur.node !== null
            ? setAt(typeCur, 'RuntimeDefault')
            : profile.map
              ? [{ op: 'set' as const, map: profile.map, path: ['type'], value: 'RuntimeDefault' }]
              : [];
        const podProfile = pod.podSC.get('appArmorProfile').asObject();
        const podBad = badProfile(podProfile);
        if (podBad) {
          setters.push('pod');
          badTypes.push(podBad.value);
          problems.push({
            container: null,
            span: podBad.at.span,
            path: podBad.typeCur.path,
            detail: render(['pod'], [podBad.value]),
            fix: {
              title: 'Set AppArmor profile type: RuntimeDefault',
              safe: true,
              ops: fixType(podBad.typeCur, podProfile),
            },
          });
        }
        const names: string[] = [];
        for (const c of pod.containers) {
          const profile = c.sc.get('appArmorProfile').asObject();
          const bad = badProfile(profile);
          if (!bad) continue;
          names.push(c.name);
          badTypes.push(bad.value);
          problems.push({
            container: c.name,
            span: bad.at.span,
            path: bad.typeCur.path,
            detail: render([containersPhrase([c.name])], [bad.value]),
            fix: {
              title: 'Set AppArmor profile type: RuntimeDefault',
              safe: true,
              ops: fixType(bad.typeCur, profile),
            },
          });
        }
        if (names.length > 0) setters.push(containersPhrase(names));
        const badAnnotations: string[] = [];
        for (const a of pod.annotations()) {
          if (!a.key.startsWith(ANNOTATION_PREFIX) || validAnnotation(a.value)) continue;
          const entry = `${a.key}=${JSON.stringify(a.value)}`;
          badAnnotations.push(entry);
          const container = a.key.slice(ANNOTATION_PREFIX.length);
          problems.push({
            container: pod.containers.some((c) => c.name === container) ? container : null,
            span: a.cur.span,
            path: a.cur.path,
            detail: render(['annotation'], [entry]),
            fix: {
              title: 'Set AppArmor annotation to runtime/default',
              safe: true,
              ops: setAt(a.cur, 'runtime/default'),
            },
          });
        }
        const values = sortedSet(badTypes);
        if (badAnnotations.length > 0) {
          badAnnotations.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
          values.push(...badAnnotations);
          setters.push(pluralize('annotation', 'annotations', badAnnotations.length));
        }
        if (values.length === 0) return null;
        return {
          reason: pluralize(
            'forbidden AppArmor profile',
            'forbidden AppArmor profiles',
            values.length,
          ),
          detail: render(setters, values),
          problems,
        };
      },
    },
  ],
};
