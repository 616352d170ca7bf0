/** sysctls (baseline; allow-list grows at v1.27, v1.29, v1.32, v1.37). */
import { describe } from 'node:test';
import { fails, table } from '../../support/checkPods';
import type { Row } from '../../support/checkPods';

const sys = (...names: string[]): { podSC: Record<string, unknown> } => ({
  podSC: { sysctls: names.map((name) => ({ name, value: '1' })) },
});
const added = (minor: number, names: string[]): Row[] => [
  {
    name: `${names.join(', ')} before v1.${minor}`,
    pod: sys(...names),
    at: [0, minor - 1],
    expect: fails('forbidden sysctls', names.join(', ')),
  },
  {
    name: `${names.join(', ')} from v1.${minor}`,
    pod: sys(...names),
    at: [minor, 37],
    expect: 'pass',
  },
];

describe('sysctls', () => {
  table('sysctls', [
    { name: 'none', pod: {}, at: [0, 37], expect: 'pass' },
    {
      name: 'the v1.0 list',
      pod: sys(
        'kernel.shm_rmid_forced',
        'net.ipv4.ip_local_port_range',
        'net.ipv4.tcp_syncookies',
        'net.ipv4.ping_group_range',
        'net.ipv4.ip_unprivileged_port_start',
      ),
      at: [0, 37],
      expect: 'pass',
    },
    ...added(27, ['net.ipv4.ip_local_reserved_ports']),
    ...added(29, [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ]),
    ...added(32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']),
    ...added(37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']),
    {
      name: 'forbidden names in spec order, duplicates kept',
      pod: sys('kernel.msgmax', 'kernel.shm_rmid_forced', 'a', 'kernel.msgmax'),
      at: [0, 37],
      expect: fails('forbidden sysctls', 'kernel.msgmax, a, kernel.msgmax'),
    },
  ]);
});
