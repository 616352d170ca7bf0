/**
 * capabilities_baseline (baseline, v1.0; replaced by capabilities_restricted at restricted v1.22+)
 * Adding capabilities beyond the default set must be disallowed.
 * Field: containers[*].securityContext.capabilities.add.
 * Allowed (exact, case-sensitive): AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
 * NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT. `drop` is not inspected.
 */
import type { CheckDefinition, Problem } from './shared/api';
import { containersPhrase, forbiddenAddedCapabilities, quotedSet } from './shared/api';

/** The capabilities baseline allows containers to add (the container runtime's defaults). */
export const BASELINE_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];
const DEFAULT_CAPS = new Set(BASELINE_CAPABILITIES);

export const capabilities_baseline: CheckDefinition = {
  id: 'capabilities_baseline',
  level: 'baseline',
  title: 'Capabilities',
  allowed: `capabilities.add only from: ${[...DEFAULT_CAPS].join(', ')}`,
  fields: ['spec.containers[*].securityContext.capabilities.add'],
  variants: [
    {
      name: 'capabilitiesBaseline_1_0',
      minVersion: 0,
      evaluate(pod) {
        const names: string[] = [];
        const caps: string[] = [];
        const problems: Problem[] = [];
        for (const c of pod.containers) {
          const bad = forbiddenAddedCapabilities(
            c.name,
            c.sc.get('capabilities').get('add'),
            (cap) => DEFAULT_CAPS.has(cap),
          );
          if (bad.length === 0) continue;
          names.push(c.name);
          for (const b of bad) {
            caps.push(b.cap);
            problems.push(b.problem);
          }
        }
        if (names.length === 0) return null;
        return {
          reason: 'non-default capabilities',
          detail: `${containersPhrase(names)} must not include ${quotedSet(caps)} in securityContext.capabilities.add`,
          problems,
        };
      },
    },
  ],
};
