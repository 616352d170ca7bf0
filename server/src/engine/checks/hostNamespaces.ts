/**
 * hostNamespaces (baseline, v1.0)
 * Sharing the host's network, PID or IPC namespace must be disallowed.
 * Fields: spec.hostNetwork, spec.hostPID, spec.hostIPC. Allowed: absent, false.
 */
import type { CheckDefinition, Problem } from './shared/api';
import { removeAt } from './shared/api';

const FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export const hostNamespaces: CheckDefinition = {
  id: 'hostNamespaces',
  level: 'baseline',
  title: 'Host namespaces',
  allowed: 'spec.hostNetwork, spec.hostPID and spec.hostIPC absent or false',
  fields: FIELDS.map((f) => `spec.${f}`),
  variants: [
    {
      name: 'hostNamespaces_1_0',
      minVersion: 0,
      evaluate(pod) {
        const bad: string[] = [];
        const problems: Problem[] = [];
        for (const name of FIELDS) {
          const f = pod.spec.get(name);
          if (f.bool() !== true) continue;
          bad.push(`${name}=true`);
          problems.push({
            container: null,
            span: f.span,
            path: f.path,
            detail: `${name}=true`,
            fix: { title: `Remove ${name}: true`, safe: false, ops: removeAt(f) },
          });
        }
        if (bad.length === 0) return null;
        return { reason: 'host namespaces', detail: bad.join(', '), problems };
      },
    },
  ],
};
