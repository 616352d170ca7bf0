/**
 * sysctls (baseline; v1.0, v1.27, v1.29, v1.32, v1.37)
 * Sysctls can disable security mechanisms or affect all containers on a host; only a "safe"
 * subset is allowed. Field: spec.securityContext.sysctls[*].name (exact match; value ignored).
 */
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import { removeItem } from './shared/api';

const V1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const V1_27 = [...V1_0, 'net.ipv4.ip_local_reserved_ports'];
const V1_29 = [
  ...V1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const V1_32 = [...V1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const V1_37 = [...V1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

function variant(allowedList: readonly string[]): (pod: PodView) => Outcome | null {
  const allowed = new Set(allowedList);
  return (pod) => {
    const list = pod.podSC.get('sysctls');
    const bad: string[] = [];
    const problems: Problem[] = [];
    list.items().forEach((item, i) => {
      const name = item.get('name').str() ?? '';
      if (allowed.has(name)) return;
      bad.push(name);
      problems.push({
        container: null,
        span: item.span,
        path: item.path,
        detail: name,
        fix: { title: `Remove sysctl ${name}`, safe: false, ops: removeItem(list, i) },
      });
    });
    if (bad.length === 0) return null;
    return { reason: 'forbidden sysctls', detail: bad.join(', '), problems };
  };
}

export const SAFE_SYSCTLS_LATEST: readonly string[] = V1_37;

export const sysctls: CheckDefinition = {
  id: 'sysctls',
  level: 'baseline',
  title: 'Sysctls',
  allowed: `sysctl names from the safe set (at v1.37: ${V1_37.join(', ')})`,
  fields: ['spec.securityContext.sysctls[*].name'],
  variants: [
    { name: 'sysctls_1_0', upstream: 'sysctlsV1Dot0', minVersion: 0, evaluate: variant(V1_0) },
    { name: 'sysctls_1_27', upstream: 'sysctlsV1Dot27', minVersion: 27, evaluate: variant(V1_27) },
    { name: 'sysctls_1_29', upstream: 'sysctlsV1Dot29', minVersion: 29, evaluate: variant(V1_29) },
    { name: 'sysctls_1_32', upstream: 'sysctlsV1Dot32', minVersion: 32, evaluate: variant(V1_32) },
    { name: 'sysctls_1_37', upstream: 'sysctlsV1Dot37', minVersion: 37, evaluate: variant(V1_37) },
  ],
};
