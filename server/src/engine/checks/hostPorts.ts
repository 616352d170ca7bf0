/**
 * hostPorts (baseline, v1.0)
 * HostPorts should be disallowed entirely.
 * Field: containers[*].ports[*].hostPort. Allowed: absent, 0.
 *
 * Admission sees the Pod after the API server's defaulting: with
 * `hostNetwork: true`, a port of a container or init container whose
 * hostPort is absent or 0 gets hostPort = containerPort
 * (pkg/apis/core/v1/defaults.go, defaultHostNetworkPorts). Such a port is
 * reported on the port, saying the value comes from defaulting.
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
        const hostNetwork = pod.spec.get('hostNetwork').bool() === true;
        for (const c of pod.containers) {
          let bad = false;
          const defaults = hostNetwork && c.kind !== 'ephemeralContainers';
          for (const p of c.cur.get('ports').items()) {
            const f = p.get('hostPort');
            const port = f.int('int32');
            if (port === undefined || port === 0) {
              const cp = defaults ? p.get('containerPort') : null;
              const value = cp?.int('int32');
              if (!cp || value === undefined || value === 0) continue;
              bad = true;
              ports.push(String(value));
              problems.push({
                container: c.name,
                span: f.node ? f.span : cp.span,
                path: f.path,
                detail: render([c.name], [String(value)]),
                defaulted: `hostPort ${value} is set by the API server's defaulting: with hostNetwork: true, hostPort defaults to containerPort`,
              });
              continue;
            }
            bad = true;
            ports.push(String(port));
            problems.push({
              container: c.name,
              span: f.span,
              path: f.path,
              detail: render([c.name], [String(port)]),
              // Under hostNetwork, defaulting puts the port back: removing it fixes nothing.
              ...(hostNetwork
                ? {}
                : { fix: { title: `Remove hostPort: ${port}`, safe: false, ops: removeAt(f) } }),
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
