/**
 * The project's own conformance cases, generated from the Pod Security
 * Standards: a minimal valid pod per level and version, and for each check
 * and version the field values that pass and the ones that fail, with the
 * text the denial must contain.
 *
 * The construction is the one upstream's fixtures (k8s.io/pod-security-admission
 * test/testdata, 4,537 files) are made by, so that with ../shared present a
 * test can compare the two as data (same names, same pods); on a fresh clone
 * these cases are the conformance suite:
 *
 * - For each level (baseline, restricted) and each minor v1.0 … v1.<newest>,
 *   the minimal valid pod of that level (the newest one defined at or before
 *   that minor) passes as `base`; restricted from v1.29 adds `base_linux` and
 *   `base_windows` (the same pod with `spec.os.name` set).
 * - Each check's generator applies from its `since` minor until the next
 *   generator of the same check. At a baseline folder the baseline checks
 *   run; at a restricted folder every check does (baseline checks' cases on
 *   the restricted pod), whether or not a restricted check overrides it.
 * - A generator first fills in empty objects (`ensure`, as the pods of a real
 *   API server would carry them), then each variant sets or removes fields of
 *   that pod (`undefined` removes, like a nil pointer). Cases are numbered per
 *   check and outcome: `<checkid lower case><n>`.
 *
 * Beyond upstream's set, OWN_GENERATORS hold cases for what upstream's
 * fixtures do not cover (see ../shared/pss-spec.md §10); their names begin
 * with `own_` and they are left out of the comparison with upstream.
 */
import type { CheckId } from '@podsec/server';

export type Level = 'baseline' | 'restricted';
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * Fields to change, by path from the pod (`spec.containers.0.securityContext`);
 * `annotation:<key>` is a key of `metadata.annotations`. `undefined` removes
 * the field. Missing parents are created.
 */
export type Tweak = Record<string, Json | undefined>;

/** A variant with conditions: only at some levels. */
export interface Variant {
  tweak: Tweak;
  levels?: readonly Level[];
}

/** Empty objects a generator fills in before its variants (what upstream's `ensure…` helpers do). */
export type Ensure =
  | 'podSecurityContext' // spec.securityContext
  | 'securityContext' // the pod's and every container's securityContext
  | 'capabilities' // securityContext, and every container's capabilities
  | 'seLinuxOptions' // securityContext, and the pod's and every container's seLinuxOptions
  | 'windowsOptions'; // securityContext, and the pod's and the first (init) container's windowsOptions

export interface Generator {
  check: CheckId;
  /** The check's level: its cases go to that level's folders (and always to restricted's). */
  level: Level;
  /** The minor version these cases apply from. */
  since: number;
  /** Text the denial of a fail case must contain; the check ID when absent. */
  substring?: string;
  ensure?: Ensure;
  /** No pass cases when the minimal pod already has these values (they would repeat `base`). */
  passUnless?: Tweak;
  pass: ReadonlyArray<Tweak | Variant>;
  fail: ReadonlyArray<Tweak | Variant>;
}

export interface ConformanceCase {
  /** `<level>/v1.<minor>/<pass|fail>/<name>.yaml`, as upstream lays its fixtures out. */
  path: string;
  level: Level;
  version: string;
  expect: 'pass' | 'fail';
  /** The check whose generator made the case; null for base, base_linux and base_windows. */
  check: CheckId | null;
  case?: number;
  /** Fail only: text the denial must contain. */
  expectErrorSubstring?: string;
  /** The pod, `metadata.name` set to the case's name. */
  pod: JsonObject;
}

const C = 'spec.containers.0';
const I = 'spec.initContainers.0';
const PSC = 'spec.securityContext';
const CSC = `${C}.securityContext`;
const ISC = `${I}.securityContext`;
const APPARMOR = 'annotation:container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD = 'annotation:seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP = 'annotation:container.seccomp.security.alpha.kubernetes.io/';

// ---------------------------------------------------------------------------
// Minimal valid pods

const IMAGE = 'registry.k8s.io/pause';

const baseline0: JsonObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {},
  spec: {
    initContainers: [{ name: 'initcontainer1', image: IMAGE }],
    containers: [{ name: 'container1', image: IMAGE }],
  },
};
const restricted0 = apply(baseline0, { [`${PSC}.runAsNonRoot`]: true });
const restricted8 = apply(restricted0, {
  [CSC]: { allowPrivilegeEscalation: false },
  [ISC]: { allowPrivilegeEscalation: false },
});
const restricted19 = apply(restricted8, { [`${PSC}.seccompProfile`]: { type: 'RuntimeDefault' } });
const restricted22 = apply(restricted19, {
  [`${CSC}.capabilities`]: { drop: ['ALL'] },
  [`${ISC}.capabilities`]: { drop: ['ALL'] },
});

/** The minimal valid pod of each level, by the minor it applies from. */
export const BASES: Record<Level, ReadonlyArray<[since: number, pod: JsonObject]>> = {
  baseline: [[0, baseline0]],
  restricted: [
    [0, restricted0],
    [8, restricted8],
    [19, restricted19],
    [22, restricted22],
  ],
};

/** From this minor, restricted also has the minimal pod with `spec.os.name` set. */
export const OS_BASES_SINCE = 29;
/** Windows pods are exempt from the restricted checks added after v1.0 (from v1.25). */
const windowsBase = apply(restricted0, { 'spec.os': { name: 'windows' } });

// ---------------------------------------------------------------------------
// Field values per check

const ALLOWED_CAPABILITIES = [
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
/** Every capability named one by one (SYS_TIME twice): not the same as dropping ALL. */
const EVERY_CAPABILITY = [
  ...['SYS_TIME', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_NICE'],
  ...['SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'AUDIT_WRITE'],
  ...['AUDIT_CONTROL', 'MAC_OVERRIDE', 'MAC_ADMIN', 'NET_ADMIN', 'SYSLOG'],
  ...['CHOWN', 'NET_RAW', 'DAC_OVERRIDE', 'FOWNER', 'DAC_READ_SEARCH'],
  ...['FSETID', 'KILL', 'SETGID', 'SETUID', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE'],
  ...['NET_BROADCAST', 'IPC_LOCK', 'IPC_OWNER', 'SYS_CHROOT', 'SYS_PTRACE'],
  ...['SYS_BOOT', 'LEASE', 'SETFCAP', 'WAKE_ALARM', 'BLOCK_SUSPEND'],
];

/** Volumes of each source restricted does not allow, one volume each, hostPath last. */
const RESTRICTED_VOLUME_SOURCES: JsonObject[] = [
  { gcePersistentDisk: { pdName: 'test' } },
  { awsElasticBlockStore: { volumeID: 'test' } },
  { gitRepo: { repository: 'github.com/kubernetes/kubernetes' } },
  { nfs: { server: 'test', path: '/test' } },
  {
    iscsi: {
      targetPortal: 'test',
      iqn: 'iqn.2001-04.com.example:storage.kube.sys1.xyz',
      lun: 0,
    },
  },
  { glusterfs: { path: 'test', endpoints: 'test' } },
  { rbd: { monitors: ['test'], image: 'test' } },
  { flexVolume: { driver: 'test' } },
  { cinder: { volumeID: 'test' } },
  { cephfs: { monitors: ['test'] } },
  { flocker: { datasetName: 'test' } },
  { fc: { wwids: ['test'] } },
  { azureFile: { secretName: 'test', shareName: 'test' } },
  { vsphereVolume: { volumePath: 'test' } },
  { quobyte: { registry: 'localhost:1234', volume: 'test' } },
  {
    azureDisk: {
      diskName: 'test',
      diskURI: 'https://test.blob.core.windows.net/test/test.vhd',
    },
  },
  { portworxVolume: { volumeID: 'test', fsType: 'ext4' } },
  // secretRef is a required field: the API serialises it even when unset.
  { scaleIO: { volumeName: 'test', gateway: 'localhost', system: 'test', secretRef: null } },
  { storageos: { volumeName: 'test' } },
  { hostPath: { path: '/dev/null' } },
];

/** The safe sysctls, by the minor each group was allowed from, with example values. */
const SAFE_SYSCTLS: ReadonlyArray<[since: number, sysctls: JsonObject[]]> = [
  [
    0,
    [
      { name: 'kernel.shm_rmid_forced', value: '0' },
      { name: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
      { name: 'net.ipv4.tcp_syncookies', value: '0' },
      { name: 'net.ipv4.ping_group_range', value: '1 0' },
      { name: 'net.ipv4.ip_unprivileged_port_start', value: '1024' },
    ],
  ],
  [27, [{ name: 'net.ipv4.ip_local_reserved_ports', value: '1024-4999' }]],
  [
    29,
    [
      { name: 'net.ipv4.tcp_keepalive_time', value: '7200' },
      { name: 'net.ipv4.tcp_fin_timeout', value: '60' },
      { name: 'net.ipv4.tcp_keepalive_intvl', value: '75' },
      { name: 'net.ipv4.tcp_keepalive_probes', value: '9' },
    ],
  ],
  [
    32,
    [
      { name: 'net.ipv4.tcp_rmem', value: '4096 87380 16777216' },
      { name: 'net.ipv4.tcp_wmem', value: '4096 65536 16777216' },
    ],
  ],
  [
    37,
    [
      { name: 'net.ipv4.tcp_slow_start_after_idle', value: '0' },
      { name: 'net.ipv4.tcp_notsent_lowat', value: '16384' },
    ],
  ],
];

/** sysctls generators: every safe sysctl allowed up to v1.29, only the newly allowed ones after. */
function sysctlsGenerators(): Generator[] {
  return SAFE_SYSCTLS.map(([since], i): Generator => {
    const shown =
      since <= 29 ? SAFE_SYSCTLS.slice(0, i + 1).flatMap(([, s]) => s) : SAFE_SYSCTLS[i]![1];
    return {
      check: 'sysctls',
      level: 'baseline',
      since,
      substring: 'forbidden sysctl',
      ensure: 'podSecurityContext',
      pass: [{ [`${PSC}.sysctls`]: undefined }, { [`${PSC}.sysctls`]: shown }],
      fail: [{ [`${PSC}.sysctls`]: [{ name: 'othersysctl', value: 'other' }] }],
    };
  });
}

const probe = (kind: 'httpGet' | 'tcpSocket', host?: string): JsonObject => ({
  [kind]: host === undefined ? { port: 8080 } : { host, port: 8080 },
});

const procMountDefault: Tweak = {
  [`${CSC}.procMount`]: 'Default',
  [`${ISC}.procMount`]: 'Default',
  'spec.hostUsers': false,
};

/** Upstream's cases, check by check (file order of upstream's generators). */
export const GENERATORS: readonly Generator[] = [
  {
    check: 'allowPrivilegeEscalation',
    level: 'restricted',
    since: 8,
    pass: [], // the minimal restricted pod already sets it to false everywhere
    fail: [
      { [`${CSC}.allowPrivilegeEscalation`]: true },
      { [`${ISC}.allowPrivilegeEscalation`]: true },
      { [`${CSC}.allowPrivilegeEscalation`]: undefined },
      { [CSC]: undefined },
    ],
  },
  {
    check: 'appArmorProfile',
    level: 'baseline',
    since: 0,
    substring: 'forbidden AppArmor profile',
    // One annotation: upstream's pass case names container1 for both, the second value wins.
    pass: [{ [`${APPARMOR}container1`]: 'localhost/foo' }],
    fail: [
      { [`${APPARMOR}container1`]: 'unconfined' },
      { [`${APPARMOR}initcontainer1`]: 'unconfined' },
    ],
  },
  {
    check: 'capabilities_baseline',
    level: 'baseline',
    since: 0,
    substring: 'capabilities',
    ensure: 'capabilities',
    passUnless: { [`${CSC}.capabilities.drop`]: ['ALL'] },
    pass: [
      {
        [`${CSC}.capabilities.add`]: ALLOWED_CAPABILITIES,
        [`${ISC}.capabilities.add`]: ALLOWED_CAPABILITIES,
      },
    ],
    fail: [
      { [`${CSC}.capabilities.add`]: ['NET_RAW'] },
      { [`${ISC}.capabilities.add`]: ['NET_RAW'] },
      { [`${CSC}.capabilities.add`]: ['chown'] }, // case matters
      { [`${CSC}.capabilities.add`]: ['CAP_CHOWN'] }, // no CAP_ prefix
    ],
  },
  {
    check: 'capabilities_restricted',
    level: 'restricted',
    since: 22,
    substring: 'unrestricted capabilities',
    ensure: 'capabilities',
    pass: [
      {
        [`${CSC}.capabilities.drop`]: ['ALL'],
        [`${ISC}.capabilities.drop`]: ['ALL'],
        [`${CSC}.capabilities.add`]: ['NET_BIND_SERVICE'],
        [`${ISC}.capabilities.add`]: ['NET_BIND_SERVICE'],
      },
    ],
    fail: [
      { [`${CSC}.capabilities.drop`]: undefined },
      { [`${ISC}.capabilities.drop`]: undefined },
      {
        [`${CSC}.capabilities.drop`]: EVERY_CAPABILITY,
        [`${ISC}.capabilities.drop`]: EVERY_CAPABILITY,
      },
      {
        [`${CSC}.capabilities.drop`]: ['ALL'],
        [`${ISC}.capabilities.drop`]: ['ALL'],
        [`${CSC}.capabilities.add`]: ALLOWED_CAPABILITIES,
        [`${ISC}.capabilities.add`]: ALLOWED_CAPABILITIES,
      },
    ],
  },
  {
    check: 'hostNamespaces',
    level: 'baseline',
    since: 0,
    substring: 'host namespaces',
    pass: [],
    fail: [{ 'spec.hostIPC': true }, { 'spec.hostNetwork': true }, { 'spec.hostPID': true }],
  },
  {
    check: 'hostPathVolumes',
    level: 'baseline',
    since: 0,
    substring: 'hostPath',
    pass: [],
    fail: [
      {
        'spec.volumes': [
          { name: 'volume-emptydir', emptyDir: {} },
          { name: 'volume-hostpath', hostPath: { path: '/a' } },
        ],
      },
      {
        'spec.volumes': [
          { name: 'volume-hostpath-a', hostPath: { path: '/a' } },
          { name: 'volume-hostpath-b', hostPath: { path: '/b' } },
        ],
      },
    ],
  },
  {
    check: 'hostPorts',
    level: 'baseline',
    since: 0,
    substring: 'hostPort',
    pass: [
      { [`${C}.ports`]: [{ containerPort: 12345 }], [`${I}.ports`]: [{ containerPort: 12346 }] },
    ],
    fail: [
      { [`${C}.ports`]: [{ containerPort: 12345, hostPort: 12345 }] },
      { [`${I}.ports`]: [{ containerPort: 12346, hostPort: 12346 }] },
      {
        [`${C}.ports`]: [{ containerPort: 12345, hostPort: 12345 }, { containerPort: 12347 }],
        [`${I}.ports`]: [{ containerPort: 12346, hostPort: 12346 }, { containerPort: 12348 }],
      },
    ],
  },
  {
    check: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    since: 34,
    substring: 'probe or lifecycle host',
    pass: [
      {},
      { [`${C}.livenessProbe`]: probe('httpGet') },
      { [`${C}.readinessProbe`]: probe('tcpSocket') },
    ],
    fail: [
      { [`${C}.livenessProbe`]: probe('httpGet', 'bad.host') },
      // a sidecar: an init container that keeps running may have probes
      { [`${I}.restartPolicy`]: 'Always', [`${I}.readinessProbe`]: probe('tcpSocket', '8.8.8.8') },
      { [`${C}.lifecycle`]: { postStart: probe('httpGet', 'bad.host') } },
      { [`${C}.livenessProbe`]: probe('httpGet', '127.0.0.1') },
      { [`${C}.readinessProbe`]: probe('tcpSocket', '::1') },
    ],
  },
  {
    check: 'privileged',
    level: 'baseline',
    since: 0,
    ensure: 'securityContext',
    pass: [{ [`${CSC}.privileged`]: false, [`${ISC}.privileged`]: false }],
    fail: [
      { [`${CSC}.privileged`]: true, [`${CSC}.allowPrivilegeEscalation`]: undefined },
      { [`${ISC}.privileged`]: true, [`${ISC}.allowPrivilegeEscalation`]: undefined },
    ],
  },
  {
    check: 'procMount',
    level: 'baseline',
    since: 0,
    substring: 'procMount',
    ensure: 'securityContext',
    pass: [procMountDefault],
    fail: [
      { [`${CSC}.procMount`]: 'Unmasked', 'spec.hostUsers': false },
      { [`${ISC}.procMount`]: 'Unmasked', 'spec.hostUsers': false },
    ],
  },
  {
    // From v1.35 a pod in a user namespace may unmask /proc at baseline.
    check: 'procMount',
    level: 'baseline',
    since: 35,
    substring: 'procMount',
    ensure: 'securityContext',
    pass: [
      procMountDefault,
      {
        levels: ['baseline'],
        tweak: {
          [`${CSC}.procMount`]: 'Unmasked',
          [`${ISC}.procMount`]: 'Unmasked',
          'spec.hostUsers': false,
        },
      },
    ],
    fail: [
      { [`${CSC}.procMount`]: 'Unmasked', 'spec.hostUsers': true },
      { [`${ISC}.procMount`]: 'Unmasked', 'spec.hostUsers': true },
    ],
  },
  {
    check: 'procMount_restricted',
    level: 'restricted',
    since: 35,
    substring: 'procMount',
    ensure: 'securityContext',
    pass: [procMountDefault],
    fail: [
      { [`${CSC}.procMount`]: 'Unmasked', 'spec.hostUsers': false },
      { [`${ISC}.procMount`]: 'Unmasked', 'spec.hostUsers': false },
    ],
  },
  {
    check: 'restrictedVolumes',
    level: 'restricted',
    since: 0,
    substring: 'restricted volume types',
    pass: [
      {
        'spec.volumes': [
          { name: 'volume0' }, // no source: the API server defaults it to emptyDir
          { name: 'volume1', emptyDir: {} },
          { name: 'volume2', secret: { secretName: 'test' } },
          { name: 'volume3', persistentVolumeClaim: { claimName: 'test' } },
          {
            name: 'volume4',
            downwardAPI: {
              items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }],
            },
          },
          { name: 'volume5', configMap: { name: 'test' } },
          { name: 'volume6', projected: { sources: [] } },
        ],
      },
    ],
    fail: RESTRICTED_VOLUME_SOURCES.map((source) => ({
      'spec.volumes': [{ name: 'volume1', ...source }],
    })),
  },
  {
    check: 'runAsNonRoot',
    level: 'restricted',
    since: 0,
    ensure: 'securityContext',
    pass: [
      {
        [`${PSC}.runAsNonRoot`]: true,
        [`${CSC}.runAsNonRoot`]: undefined,
        [`${ISC}.runAsNonRoot`]: undefined,
      },
      {
        [`${PSC}.runAsNonRoot`]: undefined,
        [`${CSC}.runAsNonRoot`]: true,
        [`${ISC}.runAsNonRoot`]: true,
      },
    ],
    fail: [
      {
        [`${PSC}.runAsNonRoot`]: undefined,
        [`${CSC}.runAsNonRoot`]: undefined,
        [`${ISC}.runAsNonRoot`]: undefined,
      },
      { [`${PSC}.runAsNonRoot`]: false },
      { [`${CSC}.runAsNonRoot`]: false },
      { [`${ISC}.runAsNonRoot`]: false },
    ],
  },
  {
    check: 'runAsUser',
    level: 'restricted',
    since: 23,
    ensure: 'securityContext',
    pass: [{ [`${PSC}.runAsUser`]: 1000, [`${CSC}.runAsUser`]: 1000, [`${ISC}.runAsUser`]: 1000 }],
    fail: [{ [`${PSC}.runAsUser`]: 0 }, { [`${CSC}.runAsUser`]: 0 }, { [`${ISC}.runAsUser`]: 0 }],
  },
  {
    check: 'seLinuxOptions',
    level: 'baseline',
    since: 0,
    substring: 'seLinuxOptions',
    ensure: 'seLinuxOptions',
    pass: [
      {
        [`${PSC}.seLinuxOptions`]: undefined,
        [`${CSC}.seLinuxOptions`]: undefined,
        [`${ISC}.seLinuxOptions`]: {},
      },
      {
        [`${PSC}.seLinuxOptions.type`]: 'container_t',
        [`${CSC}.seLinuxOptions.type`]: 'container_init_t',
        [`${ISC}.seLinuxOptions.type`]: 'container_kvm_t',
        [`${CSC}.seLinuxOptions.level`]: 'somevalue', // level is not restricted
      },
    ],
    fail: [
      { [`${PSC}.seLinuxOptions.type`]: 'somevalue' },
      { [`${CSC}.seLinuxOptions.type`]: 'somevalue' },
      { [`${ISC}.seLinuxOptions.type`]: 'somevalue' },
      { [`${PSC}.seLinuxOptions.user`]: 'somevalue' },
      { [`${PSC}.seLinuxOptions.role`]: 'somevalue' },
    ],
  },
  {
    // Before v1.19, seccomp profiles are annotations.
    check: 'seccompProfile_baseline',
    level: 'baseline',
    since: 0,
    substring: 'seccompProfile',
    passUnless: { [SECCOMP_POD]: 'runtime/default' },
    pass: [{ [SECCOMP_POD]: 'runtime/default', [`${SECCOMP}container1`]: 'localhost/testing' }],
    fail: [
      { [SECCOMP_POD]: 'unconfined' },
      { [`${SECCOMP}container1`]: 'unconfined' },
      { [`${SECCOMP}initcontainer1`]: 'unconfined' },
    ],
  },
  {
    check: 'seccompProfile_baseline',
    level: 'baseline',
    since: 19,
    substring: 'seccompProfile',
    ensure: 'securityContext',
    passUnless: { [`${PSC}.seccompProfile.type`]: 'RuntimeDefault' },
    pass: [
      {
        [`${PSC}.seccompProfile`]: { type: 'RuntimeDefault' },
        [`${CSC}.seccompProfile`]: { type: 'RuntimeDefault' },
      },
    ],
    fail: [
      { [`${PSC}.seccompProfile`]: { type: 'Unconfined' } },
      { [`${CSC}.seccompProfile`]: { type: 'Unconfined' } },
      { [`${ISC}.seccompProfile`]: { type: 'Unconfined' } },
    ],
  },
  {
    check: 'seccompProfile_restricted',
    level: 'restricted',
    since: 19,
    substring: 'seccompProfile',
    ensure: 'securityContext',
    pass: [
      { [`${PSC}.seccompProfile`]: { type: 'RuntimeDefault' } },
      { [`${PSC}.seccompProfile`]: { type: 'Localhost', localhostProfile: 'testing' } },
      {
        [`${PSC}.seccompProfile`]: undefined,
        [`${CSC}.seccompProfile`]: { type: 'RuntimeDefault' },
        [`${ISC}.seccompProfile`]: { type: 'Localhost', localhostProfile: 'testing' },
      },
    ],
    fail: [
      { [`${PSC}.seccompProfile`]: undefined },
      { [`${PSC}.seccompProfile`]: { type: 'Unconfined' } },
      {
        [`${PSC}.seccompProfile`]: undefined,
        [`${CSC}.seccompProfile`]: { type: 'RuntimeDefault' },
      },
      {
        [`${PSC}.seccompProfile`]: undefined,
        [`${ISC}.seccompProfile`]: { type: 'RuntimeDefault' },
      },
      {
        [`${PSC}.seccompProfile`]: undefined,
        [`${CSC}.seccompProfile`]: { type: 'RuntimeDefault' },
        [`${ISC}.seccompProfile`]: { type: 'Unconfined' },
      },
    ],
  },
  ...sysctlsGenerators(),
  {
    check: 'windowsHostProcess',
    level: 'baseline',
    since: 0,
    substring: 'hostProcess',
    ensure: 'windowsOptions',
    pass: [],
    // A HostProcess pod must use the host network, or the API server rejects it before admission.
    fail: [
      { 'spec.hostNetwork': true, [`${PSC}.windowsOptions.hostProcess`]: true },
      {
        'spec.hostNetwork': true,
        [`${CSC}.windowsOptions.hostProcess`]: true,
        [`${ISC}.windowsOptions.hostProcess`]: true,
      },
    ],
  },
];

/**
 * The project's own cases, for what upstream's fixtures leave out
 * (../shared/pss-spec.md §10): ephemeral containers, AppArmor fields,
 * container_engine_t (v1.31), Windows pods (v1.25), user namespaces (v1.35),
 * csi/ephemeral/image volumes, startupProbe and preStop hosts, explicit
 * hostProcess: false, and the seccomp fields or annotations the other
 * variant ignores. Same construction; names begin with `own_`.
 */
const WINDOWS = { 'spec.os': { name: 'windows' } };
const LINUX = { 'spec.os': { name: 'linux' } };
const ephemeral = (securityContext: JsonObject): Tweak => ({
  'spec.ephemeralContainers': [{ name: 'debugger', image: IMAGE, securityContext }],
});

export const OWN_GENERATORS: readonly Generator[] = [
  {
    check: 'allowPrivilegeEscalation',
    level: 'restricted',
    since: 8,
    pass: [],
    fail: [
      { ...WINDOWS, [`${CSC}.allowPrivilegeEscalation`]: undefined },
      ephemeral({ allowPrivilegeEscalation: true }),
    ],
  },
  {
    // Windows pods are exempt from v1.25; Linux pods and pods without spec.os are not.
    check: 'allowPrivilegeEscalation',
    level: 'restricted',
    since: 25,
    pass: [{ ...WINDOWS, [`${CSC}.allowPrivilegeEscalation`]: undefined }],
    fail: [
      { ...LINUX, [`${CSC}.allowPrivilegeEscalation`]: undefined },
      ephemeral({ allowPrivilegeEscalation: true }),
    ],
  },
  {
    check: 'appArmorProfile',
    level: 'baseline',
    since: 0,
    substring: 'forbidden AppArmor profile',
    pass: [
      { [`${PSC}.appArmorProfile`]: { type: 'RuntimeDefault' } },
      { [`${CSC}.appArmorProfile`]: { type: 'Localhost', localhostProfile: 'k8s-apparmor' } },
      { [`${APPARMOR}container1`]: '' },
    ],
    fail: [
      { [`${PSC}.appArmorProfile`]: { type: 'Unconfined' } },
      { [`${ISC}.appArmorProfile`]: {} }, // no type is not an allowed type
      {
        'spec.ephemeralContainers': [{ name: 'debugger', image: IMAGE }],
        [`${APPARMOR}debugger`]: 'unconfined',
      },
      { [`${APPARMOR}nosuchcontainer`]: 'unconfined' }, // checked whether or not the container exists
    ],
  },
  {
    check: 'capabilities_baseline',
    level: 'baseline',
    since: 0,
    substring: 'capabilities',
    pass: [],
    fail: [ephemeral({ capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] } })],
  },
  {
    check: 'capabilities_restricted',
    level: 'restricted',
    since: 22,
    substring: 'unrestricted capabilities',
    pass: [],
    fail: [{ ...WINDOWS, [`${CSC}.capabilities`]: undefined }],
  },
  {
    check: 'capabilities_restricted',
    level: 'restricted',
    since: 25,
    substring: 'unrestricted capabilities',
    pass: [{ ...WINDOWS, [`${CSC}.capabilities`]: undefined }],
    fail: [{ ...LINUX, [`${CSC}.capabilities`]: undefined }],
  },
  {
    check: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    since: 34,
    substring: 'probe or lifecycle host',
    pass: [{ [`${C}.startupProbe`]: { httpGet: { host: '', port: 8080 } } }],
    fail: [
      { [`${C}.startupProbe`]: probe('httpGet', 'bad.host') },
      { [`${C}.lifecycle`]: { preStop: probe('tcpSocket', 'bad.host') } },
      { [`${C}.lifecycle`]: { postStart: probe('tcpSocket', 'localhost') } },
    ],
  },
  {
    check: 'privileged',
    level: 'baseline',
    since: 0,
    pass: [],
    fail: [ephemeral({ privileged: true })],
  },
  {
    check: 'procMount',
    level: 'baseline',
    since: 0,
    substring: 'procMount',
    pass: [],
    fail: [ephemeral({ procMount: 'Unmasked' })],
  },
  {
    check: 'restrictedVolumes',
    level: 'restricted',
    since: 0,
    substring: 'restricted volume types',
    pass: [
      {
        'spec.volumes': [
          { name: 'csi', csi: { driver: 'inline.storage.kubernetes.io' } },
          { name: 'ephemeral', ephemeral: { volumeClaimTemplate: { spec: {} } } },
          { name: 'image', image: { reference: 'registry.k8s.io/pause' } },
        ],
      },
    ],
    fail: [
      {
        'spec.volumes': [
          { name: 'config', configMap: { name: 'test' } },
          { name: 'host', hostPath: { path: '/var/run' } },
        ],
      },
    ],
  },
  {
    check: 'runAsNonRoot',
    level: 'restricted',
    since: 0,
    ensure: 'securityContext',
    pass: [],
    fail: [
      { 'spec.hostUsers': false, [`${PSC}.runAsNonRoot`]: undefined },
      ephemeral({ runAsNonRoot: false }),
    ],
  },
  {
    // From v1.35 a pod in a user namespace need not run as non-root; hostUsers: true changes nothing.
    check: 'runAsNonRoot',
    level: 'restricted',
    since: 35,
    ensure: 'securityContext',
    pass: [{ 'spec.hostUsers': false, [`${PSC}.runAsNonRoot`]: undefined }],
    fail: [
      { 'spec.hostUsers': true, [`${PSC}.runAsNonRoot`]: undefined },
      ephemeral({ runAsNonRoot: false }),
    ],
  },
  {
    check: 'runAsUser',
    level: 'restricted',
    since: 23,
    ensure: 'securityContext',
    pass: [],
    fail: [{ 'spec.hostUsers': false, [`${PSC}.runAsUser`]: 0 }],
  },
  {
    check: 'runAsUser',
    level: 'restricted',
    since: 35,
    ensure: 'securityContext',
    pass: [{ 'spec.hostUsers': false, [`${PSC}.runAsUser`]: 0 }],
    fail: [{ 'spec.hostUsers': true, [`${PSC}.runAsUser`]: 0 }],
  },
  {
    check: 'seLinuxOptions',
    level: 'baseline',
    since: 0,
    substring: 'seLinuxOptions',
    pass: [],
    fail: [
      { [`${PSC}.seLinuxOptions`]: { type: 'container_engine_t' } },
      { [`${CSC}.seLinuxOptions`]: { type: 'container_engine_t' } },
    ],
  },
  {
    check: 'seLinuxOptions',
    level: 'baseline',
    since: 31,
    substring: 'seLinuxOptions',
    pass: [
      { [`${PSC}.seLinuxOptions`]: { type: 'container_engine_t' } },
      { [`${CSC}.seLinuxOptions`]: { type: 'container_engine_t' } },
    ],
    fail: [{ [`${CSC}.seLinuxOptions`]: { type: 'container_engine_t', user: 'system_u' } }],
  },
  {
    // Before v1.19 the fields are not read; the annotations are.
    check: 'seccompProfile_baseline',
    level: 'baseline',
    since: 0,
    substring: 'seccompProfile',
    pass: [{ [`${PSC}.seccompProfile`]: { type: 'Unconfined' } }],
    fail: [{ [SECCOMP_POD]: '' }], // unlike AppArmor, an empty annotation is not allowed
  },
  {
    // From v1.19 the annotations are not read; the fields are.
    check: 'seccompProfile_baseline',
    level: 'baseline',
    since: 19,
    substring: 'seccompProfile',
    pass: [{ [SECCOMP_POD]: 'unconfined' }],
    fail: [{ [`${CSC}.seccompProfile`]: {} }], // no type is not an allowed type
  },
  {
    check: 'seccompProfile_restricted',
    level: 'restricted',
    since: 19,
    substring: 'seccompProfile',
    pass: [],
    fail: [{ ...WINDOWS, [`${PSC}.seccompProfile`]: undefined }],
  },
  {
    check: 'seccompProfile_restricted',
    level: 'restricted',
    since: 25,
    substring: 'seccompProfile',
    pass: [{ ...WINDOWS, [`${PSC}.seccompProfile`]: undefined }],
    fail: [{ ...LINUX, [`${PSC}.seccompProfile`]: undefined }],
  },
  {
    check: 'windowsHostProcess',
    level: 'baseline',
    since: 0,
    substring: 'hostProcess',
    pass: [
      {
        [`${PSC}.windowsOptions.hostProcess`]: false,
        [`${CSC}.windowsOptions.hostProcess`]: false,
      },
    ],
    fail: [{ 'spec.hostNetwork': true, ...ephemeral({ windowsOptions: { hostProcess: true } }) }],
  },
];

// ---------------------------------------------------------------------------
// Generation

/** The newest minor any generator or minimal pod applies from: the folders go v1.0 … v1.<this>. */
export const NEWEST_MINOR = Math.max(
  ...GENERATORS.map((g) => g.since),
  ...Object.values(BASES).flatMap((b) => b.map(([since]) => since)),
);

function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

/** A copy of the pod with the tweak's fields set (parents created) or removed. */
export function apply(pod: JsonObject, tweak: Tweak): JsonObject {
  const out = clone(pod);
  for (const [path, value] of Object.entries(tweak)) {
    const keys = path.startsWith('annotation:')
      ? ['metadata', 'annotations', path.slice('annotation:'.length)]
      : path.split('.');
    setPath(out, keys, value);
  }
  return out;
}

function setPath(root: JsonObject, keys: readonly string[], value: Json | undefined): void {
  let node: Record<string, Json> = root;
  for (const key of keys.slice(0, -1)) {
    let next = node[key];
    if (next === undefined || next === null || typeof next !== 'object') {
      if (value === undefined) return; // nothing to remove
      next = node[key] = {};
    }
    node = next as Record<string, Json>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = clone(value);
}

/** Whether the pod has every value the tweak names. */
function has(pod: JsonObject, tweak: Tweak): boolean {
  return Object.keys(tweak).every(
    (path) => JSON.stringify(apply(pod, { [path]: tweak[path] })) === JSON.stringify(pod),
  );
}

const containersOf = (pod: JsonObject): JsonObject[] => {
  const spec = pod.spec as JsonObject;
  return [
    ...((spec.initContainers as JsonObject[] | undefined) ?? []),
    ...((spec.containers as JsonObject[] | undefined) ?? []),
  ];
};

function ensure(pod: JsonObject, what: Ensure | undefined): JsonObject {
  if (what === undefined) return pod;
  const out = clone(pod);
  const spec = out.spec as JsonObject;
  spec.securityContext ??= {};
  if (what === 'podSecurityContext') return out;
  for (const c of containersOf(out)) c.securityContext ??= {};
  const psc = spec.securityContext as JsonObject;
  const sc = (c: JsonObject) => c.securityContext as JsonObject;
  if (what === 'capabilities') for (const c of containersOf(out)) sc(c).capabilities ??= {};
  if (what === 'seLinuxOptions') {
    psc.seLinuxOptions ??= {};
    for (const c of containersOf(out)) sc(c).seLinuxOptions ??= {};
  }
  if (what === 'windowsOptions') {
    psc.windowsOptions ??= {};
    for (const c of containersOf(out)) sc(c).windowsOptions ??= {};
  }
  return out;
}

/** The entry of a list by minor that applies at `minor`: the newest one at or before it. */
function newestAt<T>(entries: ReadonlyArray<[number, T]>, minor: number): T | undefined {
  let found: T | undefined;
  for (const [since, value] of entries) if (since <= minor) found = value;
  return found;
}

export const baseAt = (level: Level, minor: number): JsonObject => newestAt(BASES[level], minor)!;

/** Generators, one per check, that apply at a level and minor. */
export function generatorsAt(
  level: Level,
  minor: number,
  generators: readonly Generator[] = GENERATORS,
): Generator[] {
  const byCheck = new Map<CheckId, Generator>();
  for (const g of generators) {
    if (g.since > minor || (g.level !== level && level !== 'restricted')) continue;
    const prev = byCheck.get(g.check);
    if (!prev || prev.since <= g.since) byCheck.set(g.check, g);
  }
  return [...byCheck.values()];
}

const named = (pod: JsonObject, name: string): JsonObject => apply(pod, { 'metadata.name': name });

/** The cases of one level and minor, sorted by path. */
export function casesAt(
  level: Level,
  minor: number,
  generators: readonly Generator[] = GENERATORS,
  prefix = '',
): ConformanceCase[] {
  const version = `v1.${minor}`;
  const out: ConformanceCase[] = [];
  const add = (
    expect: 'pass' | 'fail',
    name: string,
    pod: JsonObject,
    g: Generator | null,
    n?: number,
  ) => {
    const c: ConformanceCase = {
      path: `${level}/${version}/${expect}/${name}.yaml`,
      level,
      version,
      expect,
      check: g?.check ?? null,
      pod: named(pod, name),
    };
    if (n !== undefined) c.case = n;
    if (expect === 'fail' && g) c.expectErrorSubstring = g.substring ?? g.check;
    out.push(c);
  };
  const base = baseAt(level, minor);
  if (prefix === '') {
    add('pass', 'base', base, null);
    if (level === 'restricted' && minor >= OS_BASES_SINCE) {
      add('pass', 'base_linux', apply(base, { 'spec.os': { name: 'linux' } }), null);
      add('pass', 'base_windows', windowsBase, null);
    }
  }
  for (const g of generatorsAt(level, minor, generators)) {
    const start = ensure(base, g.ensure);
    const variants = (list: ReadonlyArray<Tweak | Variant>) =>
      list
        .map((v): Variant => (isVariant(v) ? v : { tweak: v }))
        .filter((v) => !v.levels || v.levels.includes(level));
    const pass = g.passUnless && has(base, g.passUnless) ? [] : variants(g.pass);
    const stem = `${prefix}${g.check.toLowerCase()}`;
    pass.forEach((v, i) => add('pass', `${stem}${i}`, apply(start, v.tweak), g, i));
    variants(g.fail).forEach((v, i) => add('fail', `${stem}${i}`, apply(start, v.tweak), g, i));
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function isVariant(v: Tweak | Variant): v is Variant {
  return 'tweak' in v; // no pod field is called "tweak"
}

export const LEVELS_CHECKED: readonly Level[] = ['baseline', 'restricted'];

/** Upstream's construction: every level and minor v1.0 … v1.<newest>, sorted by path. */
export function generateCases(newest = NEWEST_MINOR): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const level of LEVELS_CHECKED)
    for (let minor = 0; minor <= newest; minor++) out.push(...casesAt(level, minor));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The project's own cases (OWN_GENERATORS), every level and minor, sorted by path. */
export function ownCases(newest = NEWEST_MINOR): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const level of LEVELS_CHECKED)
    for (let minor = 0; minor <= newest; minor++)
      out.push(...casesAt(level, minor, OWN_GENERATORS, 'own_'));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Rendering

const YAML_WORDS = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;
const PLAIN = /^[A-Za-z_][\w./-]*$/;

function scalar(v: Exclude<Json, Json[] | JsonObject>): string {
  if (typeof v !== 'string') return String(v);
  return PLAIN.test(v) && !YAML_WORDS.test(v) ? v : JSON.stringify(v);
}

/** What follows `key:` or `- `: a scalar or empty collection on the line, else an indented block. */
function after(v: Json, indent: string): string {
  if (Array.isArray(v)) return v.length === 0 ? ' []\n' : `\n${block(v, indent)}`;
  if (v !== null && typeof v === 'object')
    return Object.keys(v).length === 0 ? ' {}\n' : `\n${block(v, indent)}`;
  return ` ${scalar(v)}\n`;
}

function block(v: Json[] | JsonObject, indent: string): string {
  if (Array.isArray(v)) {
    return v
      .map((item) => {
        const nested =
          item !== null && typeof item === 'object' && Object.keys(item).length > 0
            ? block(item, `${indent}  `)
            : null;
        // The item's first line follows the dash.
        return nested === null
          ? `${indent}-${after(item, indent)}`
          : `${indent}- ${nested.slice(indent.length + 2)}`;
      })
      .join('');
  }
  return Object.keys(v)
    .sort()
    .map((k) => {
      const value = v[k]!;
      // Sequences under a key at the key's own indentation, as kubectl writes them.
      return `${indent}${scalar(k)}:${after(value, Array.isArray(value) ? indent : `${indent}  `)}`;
    })
    .join('');
}

/** Block-style YAML for a pod (keys sorted), as `kubectl get -o yaml` would write it. */
export function toYaml(pod: JsonObject): string {
  return block(pod, '');
}

// ---------------------------------------------------------------------------
// Which check a denial names

/** Restricted checks that replace a baseline check at restricted, from a minor on. */
export const OVERRIDES: ReadonlyArray<{ check: CheckId; replaces: CheckId; since: number }> = [
  { check: 'restrictedVolumes', replaces: 'hostPathVolumes', since: 0 },
  { check: 'seccompProfile_restricted', replaces: 'seccompProfile_baseline', since: 19 },
  { check: 'capabilities_restricted', replaces: 'capabilities_baseline', since: 22 },
  { check: 'procMount_restricted', replaces: 'procMount', since: 35 },
];

/**
 * The check a fail case's denial names: the check whose generator made it,
 * or the restricted check that replaces it at that level and minor.
 */
export function namedCheck(check: string, level: string, minor: number): string {
  if (level !== 'restricted') return check;
  const o = OVERRIDES.find((x) => x.replaces === check && x.since <= minor);
  return o ? o.check : check;
}
