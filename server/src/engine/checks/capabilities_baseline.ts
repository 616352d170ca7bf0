/**
 * capabilities_baseline (baseline, v1.0; replaced by capabilities_restricted at restricted v1.22+)
 * Adding capabilities beyond the default set must be disallowed.
 * Field: containers[*].securityContext.capabilities.add.
 * Allowed (exact, case-sensitive): AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
 * NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT. `drop` is not inspected.
 */
import type { CheckDefinition, Problem } from './api';
import { containersPhrase, quotedSet, removeItem } from './api';

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
      minVersion: 0,
      evaluate(pod) {
        const names: string[] = [];
        const caps: string[] = [];
        const problems: Problem[] = [];
        for (const c of pod.containers) {
          const list = c.sc.get('capabilities').get('add');
          let bad = false;
          list.items().forEach((item, i) => {
            const cap = item.str();
            if (cap === undefined || DEFAULT_CAPS.has(cap)) return;
            bad = true;
            caps.push(cap);
            problems.push({
              container: c.name,
              span: item.span,
              path: item.path,
              detail: `${containersPhrase([c.name])} must not include ${quotedSet([cap])} in securityContext.capabilities.add`,
              fix: { title: `Remove capability ${cap}`, safe: false, ops: removeItem(list, i) },
            });
          });
          if (bad) names.push(c.name);
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
