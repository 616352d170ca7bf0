/**
 * seLinuxOptions (baseline; v1.0, v1.31)
 * Setting a custom SELinux user or role is forbidden, and the type is limited.
 * Fields: spec.securityContext.seLinuxOptions and containers[*].securityContext.seLinuxOptions
 * (type, user, role; level is not restricted). Allowed type: empty, container_t, container_init_t,
 * container_kvm_t, and from v1.31 container_engine_t. user and role must be empty.
 */
import type { Cursor } from '../cursor';
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import { containersPhrase, pluralize, quotedSet, removeAt, settersPhrase } from './shared/api';

const TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const TYPES_1_31 = [...TYPES_1_0, 'container_engine_t'];

interface Bad {
  type?: string;
  user: boolean;
  role: boolean;
}

function render(setters: string, types: string[], user: boolean, role: boolean): string {
  const parts: string[] = [];
  if (types.length > 0) {
    const set = new Set(types);
    parts.push(`${pluralize('type', 'types', set.size)} ${quotedSet(set)}`);
  }
  if (user) parts.push('user may not be set');
  if (role) parts.push('role may not be set');
  return `${setters} set forbidden securityContext.seLinuxOptions: ${parts.join('; ')}`;
}

function inspect(
  opts: Cursor,
  allowed: ReadonlySet<string>,
  who: string,
  container: string | null,
  problems: Problem[],
): Bad | null {
  if (!opts.present) return null;
  const bad: Bad = { user: false, role: false };
  const t = opts.get('type');
  const type = t.str() ?? '';
  if (!allowed.has(type)) {
    bad.type = type;
    problems.push({
      container,
      span: t.span,
      path: t.path,
      detail: render(who, [type], false, false),
      fix: { title: 'Remove SELinux type', safe: false, ops: removeAt(t) },
    });
  }
  for (const key of ['user', 'role'] as const) {
    const f = opts.get(key);
    const v = f.str() ?? '';
    if (v === '') continue;
    bad[key] = true;
    problems.push({
      container,
      span: f.span,
      path: f.path,
      detail: render(who, [], key === 'user', key === 'role'),
      fix: { title: `Remove SELinux ${key}`, safe: false, ops: removeAt(f) },
    });
  }
  return bad.type !== undefined || bad.user || bad.role ? bad : null;
}

function evaluate(pod: PodView, allowedTypes: readonly string[]): Outcome | null {
  const allowed = new Set(allowedTypes);
  const problems: Problem[] = [];
  const types: string[] = [];
  let user = false;
  let role = false;
  const collect = (b: Bad | null): boolean => {
    if (!b) return false;
    if (b.type !== undefined) types.push(b.type);
    user ||= b.user;
    role ||= b.role;
    return true;
  };
  const podBad = collect(
    inspect(pod.podSC.get('seLinuxOptions').asObject(), allowed, 'pod', null, problems),
  );
  const names: string[] = [];
  for (const c of pod.containers) {
    const opts = c.sc.get('seLinuxOptions').asObject();
    if (collect(inspect(opts, allowed, containersPhrase([c.name]), c.name, problems)))
      names.push(c.name);
  }
  if (problems.length === 0) return null;
  return {
    reason: 'seLinuxOptions',
    detail: render(settersPhrase(podBad, names), types, user, role),
    problems,
  };
}

export const seLinuxOptions: CheckDefinition = {
  id: 'seLinuxOptions',
  level: 'baseline',
  title: 'SELinux',
  allowed:
    'seLinuxOptions.type empty, container_t, container_init_t, container_kvm_t (or container_engine_t from v1.31); user and role empty',
  fields: [
    'spec.securityContext.seLinuxOptions.{type,user,role}',
    'spec.containers[*].securityContext.seLinuxOptions.{type,user,role}',
  ],
  variants: [
    {
      name: 'seLinuxOptions_1_0',
      upstream: 'seLinuxOptions1_0',
      minVersion: 0,
      evaluate: (pod) => evaluate(pod, TYPES_1_0),
    },
    {
      name: 'seLinuxOptions_1_31',
      upstream: 'seLinuxOptions1_31',
      minVersion: 31,
      evaluate: (pod) => evaluate(pod, TYPES_1_31),
    },
  ],
};
