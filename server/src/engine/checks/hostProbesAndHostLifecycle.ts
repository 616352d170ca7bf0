/**
 * hostProbesAndHostLifecycle (baseline, v1.34)
 * Probes and lifecycle handlers must not target another host.
 * Fields: containers[*].{liveness,readiness,startup}Probe.{httpGet,tcpSocket}.host and
 * containers[*].lifecycle.{postStart,preStop}.{httpGet,tcpSocket}.host. Allowed: absent or "".
 */
import type { Cursor } from '../cursor';
import type { CheckDefinition, Problem } from './shared/api';
import { containersPhrase, pluralize, quotedSet, removeAt, sortedSet } from './shared/api';

function render(names: string[], hosts: string[]): string {
  const set = sortedSet(names);
  const hostSet = sortedSet(hosts);
  return `${containersPhrase(set)} ${pluralize('uses', 'use', set.length)} probe or lifecycle ${pluralize('host', 'hosts', hostSet.length)} ${quotedSet(hostSet)}`;
}

export const hostProbesAndHostLifecycle: CheckDefinition = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  title: 'Host probes and lifecycle hooks',
  allowed: 'probe and lifecycle handler httpGet.host / tcpSocket.host absent or empty',
  fields: [
    'spec.containers[*].livenessProbe.httpGet.host',
    'spec.containers[*].readinessProbe.httpGet.host',
    'spec.containers[*].startupProbe.httpGet.host',
    'spec.containers[*].lifecycle.postStart.httpGet.host',
    'spec.containers[*].lifecycle.preStop.httpGet.host',
    '… and the same under tcpSocket',
  ],
  variants: [
    {
      name: 'hostProbesAndHostLifecycle_1_34',
      upstream: 'hostProbesAndHostLifecycleV1Dot34',
      minVersion: 34,
      evaluate(pod) {
        const names: string[] = [];
        const hosts: string[] = [];
        const problems: Problem[] = [];
        for (const c of pod.containers) {
          const handlers: Cursor[] = [
            c.cur.get('livenessProbe'),
            c.cur.get('readinessProbe'),
            c.cur.get('startupProbe'),
            c.cur.get('lifecycle').get('postStart'),
            c.cur.get('lifecycle').get('preStop'),
          ];
          let bad = false;
          for (const h of handlers) {
            for (const kind of ['httpGet', 'tcpSocket']) {
              const f = h.get(kind).get('host');
              const host = f.str();
              if (host === undefined || host === '') continue;
              bad = true;
              hosts.push(host);
              problems.push({
                container: c.name,
                span: f.span,
                path: f.path,
                detail: render([c.name], [host]),
                fix: { title: `Remove host: ${host}`, safe: false, ops: removeAt(f) },
              });
            }
          }
          if (bad) names.push(c.name);
        }
        if (names.length === 0) return null;
        return { reason: 'probe or lifecycle host', detail: render(names, hosts), problems };
      },
    },
  ],
};
