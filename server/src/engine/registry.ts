/**
 * The registry of checks: validates the list once, and selects which variant
 * of which check runs for a (level, version), with restricted overrides.
 */
import type { CheckDefinition, CheckVariant } from './checks/shared/api';
import { allowPrivilegeEscalation } from './checks/allowPrivilegeEscalation';
import { appArmorProfile } from './checks/appArmorProfile';
import { capabilities_baseline } from './checks/capabilities_baseline';
import { capabilities_restricted } from './checks/capabilities_restricted';
import { hostNamespaces } from './checks/hostNamespaces';
import { hostPathVolumes } from './checks/hostPathVolumes';
import { hostPorts } from './checks/hostPorts';
import { hostProbesAndHostLifecycle } from './checks/hostProbesAndHostLifecycle';
import { privileged } from './checks/privileged';
import { procMount } from './checks/procMount';
import { procMount_restricted } from './checks/procMount_restricted';
import { restrictedVolumes } from './checks/restrictedVolumes';
import { runAsNonRoot } from './checks/runAsNonRoot';
import { runAsUser } from './checks/runAsUser';
import { seccompProfile_baseline } from './checks/seccompProfile_baseline';
import { seccompProfile_restricted } from './checks/seccompProfile_restricted';
import { seLinuxOptions } from './checks/seLinuxOptions';
import { sysctls } from './checks/sysctls';
import { windowsHostProcess } from './checks/windowsHostProcess';
import type { CheckId, Level } from './types';

export const CHECKS: readonly CheckDefinition[] = [
  appArmorProfile,
  capabilities_baseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  seLinuxOptions,
  seccompProfile_baseline,
  sysctls,
  windowsHostProcess,
  allowPrivilegeEscalation,
  capabilities_restricted,
  procMount_restricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfile_restricted,
];

export const CHECKS_BY_ID: ReadonlyMap<CheckId, CheckDefinition> = new Map(
  CHECKS.map((c) => [c.id, c]),
);

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Problems with a list of checks; empty when the list is valid. */
export function validateChecks(checks: readonly CheckDefinition[]): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  for (const c of checks) {
    if (ids.has(c.id)) errors.push(`${c.id}: duplicate ID`);
    ids.add(c.id);
    if (c.variants.length === 0) errors.push(`${c.id}: no variants`);
    let prev = -1;
    for (const v of c.variants) {
      if (!Number.isInteger(v.minVersion) || v.minVersion <= prev) {
        errors.push(
          `${c.id}: variant versions must increase (v1.${v.minVersion} after v1.${prev})`,
        );
      }
      prev = v.minVersion;
      for (const o of v.overrides ?? []) {
        const target = checks.find((x) => x.id === o);
        if (c.level !== 'restricted') errors.push(`${c.id}: only restricted checks may override`);
        if (!target) errors.push(`${c.id}: overrides unknown check ${o}`);
        else if (target.level !== 'baseline')
          errors.push(`${c.id}: may only override baseline checks, not ${o}`);
      }
    }
  }
  // Evaluation order is upstream's: baseline IDs in byte order, then restricted IDs in byte order.
  const order = [...checks].sort((a, b) =>
    a.level === b.level ? byteOrder(a.id, b.id) : a.level === 'baseline' ? -1 : 1,
  );
  if (order.some((c, i) => c !== checks[i])) errors.push('checks are not in evaluation order');
  return errors;
}

/** The newest policy version any check knows: "latest" and newer versions evaluate as this. */
export const MAX_MINOR = Math.max(...CHECKS.flatMap((c) => c.variants.map((v) => v.minVersion)));

export interface SelectedCheck {
  check: CheckDefinition;
  variant: CheckVariant;
}

function variantAt(c: CheckDefinition, minor: number): CheckVariant | undefined {
  let found: CheckVariant | undefined;
  for (const v of c.variants) if (v.minVersion <= minor) found = v;
  return found;
}

const cache = new Map<string, readonly SelectedCheck[]>();

/** The checks that run at (level, minor), in evaluation order. `minor` is already clamped. */
export function selectChecks(level: Level, minor: number): readonly SelectedCheck[] {
  const key = `${level}:${minor}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let out: SelectedCheck[] = [];
  if (level !== 'privileged') {
    for (const check of CHECKS) {
      if (check.level === 'restricted' && level !== 'restricted') continue;
      const variant = variantAt(check, minor);
      if (variant) out.push({ check, variant });
    }
    const overridden = new Set(out.flatMap((s) => s.variant.overrides ?? []));
    out = out.filter((s) => !overridden.has(s.check.id));
  }
  cache.set(key, out);
  return out;
}
