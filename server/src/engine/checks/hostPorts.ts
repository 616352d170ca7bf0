/**
 * hostPorts (baseline, v1.0)
 * HostPorts should be disallowed entirely.
 * Field: containers[*].ports[*].hostPort. Allowed: absent, 0.
 */
import type { CheckDefinition, Problem } from './shared/api';
import { containersPhrase, pluralize, removeAt, sortedSet } from './shared/api';

function render(names: string[], ports: string[]): string {
  const set = sortedSet(ports);
  return `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', set.length)} ${set.join(', ')}`;
}

export const hostPorts: CheckDefinition = {
  id: 'hostPorts',
  level: 'baseline',
  title: 'Host ports',
  allowed: 'ports[*].hostPort absent or 0',
  fields: ['spec.containers[*].ports[*].hostPort'],
  variants: [
    {
      name: 'hostPorts_1_0',
      minVersion: 0,
      evaluate(pod) {
        const names: string[] = [];
        const ports: string[] = [];
        const problems: Problem[] = [];
        for (const c of pod.containers) {
          let bad = false;
          for (const p of c.cur.get('ports').items()) {
            const f = p.get('hostPort');
            const port = f.int();
            if (port === undefined || port === 0) continue;
            bad = true;
            ports.push(String(port));
            problems.push({
              container: c.name,
              span: f.span,
              path: f.path,
              detail: render([c.name], [String(port)]),
              fix: { title: `Remove hostPort: ${port}`, safe: false, ops: removeAt(f) },
            });
          }
          if (bad) names.push(c.name);
        }
        if (names.length === 0) return null;
        return { reason: 'hostPort', detail: render(names, ports), problems };
      },
    },
  ],
};
