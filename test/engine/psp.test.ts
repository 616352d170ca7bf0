/**
 * PodSecurityPolicy: the removal warning on the document and the mapping to
 * the closest Pod Security level, field by field, following the Kubernetes
 * documentation's "Mapping PodSecurityPolicies to Pod Security Standards".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, podSecurityPoliciesIn } from '@podsec/server';
import type { PspAnalysis } from '@podsec/server';

/** Restricted on every setting the standards cover. */
const RESTRICTED = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
  annotations:
    seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default,localhost/*'
    seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default
spec:
  privileged: false
  allowPrivilegeEscalation: false
  requiredDropCapabilities: [ALL]
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, csi, persistentVolumeClaim, ephemeral]
  hostNetwork: false
  hostIPC: false
  hostPID: false
  runAsUser: {rule: MustRunAsNonRoot}
  seLinux:
    rule: MustRunAs
    seLinuxOptions: {level: 's0:c123,c456'}
  supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
  fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
  readOnlyRootFilesystem: false
`;

function one(text: string): PspAnalysis {
  const list = podSecurityPoliciesIn(text);
  assert.equal(list.length, 1);
  return list[0]!;
}

const tweak = (from: string, to: string) => {
  assert.ok(RESTRICTED.includes(from), from);
  return RESTRICTED.replace(from, to);
};

const fields = (p: PspAnalysis) => p.blockers.map((b) => b.field);

describe('PodSecurityPolicy mapping', () => {
  it('a PSP within restricted on every covered setting maps to restricted', () => {
    const p = one(RESTRICTED);
    assert.equal(p.name, 'restricted');
    assert.equal(p.level, 'restricted');
    assert.equal(p.next, null);
    assert.deepEqual(p.blockers, []);
    assert.deepEqual(
      p.settings.filter((s) => s.level !== 'restricted'),
      [],
    );
  });

  it('lists settings without an equivalent and mutations the pods must now do', () => {
    const p = one(RESTRICTED);
    const none = p.gaps.filter((g) => g.kind === 'noEquivalent').map((g) => g.field);
    const mutating = p.gaps.filter((g) => g.kind === 'mutating').map((g) => g.field);
    assert.deepEqual(none.sort(), ['spec.fsGroup', 'spec.supplementalGroups']);
    assert.deepEqual(mutating.sort(), [
      'metadata.annotations[seccomp.security.alpha.kubernetes.io/defaultProfileName]',
      'spec.allowPrivilegeEscalation',
      'spec.requiredDropCapabilities',
      'spec.runAsUser',
      'spec.seLinux',
    ]);
  });

  for (const [what, from, to, level, field] of [
    [
      'hostNetwork: true',
      'hostNetwork: false',
      'hostNetwork: true',
      'privileged',
      'spec.hostNetwork',
    ],
    ['hostPID: true', 'hostPID: false', 'hostPID: true', 'privileged', 'spec.hostPID'],
    ['privileged: true', 'privileged: false', 'privileged: true', 'privileged', 'spec.privileged'],
    [
      'host ports',
      '  hostIPC: false\n',
      '  hostIPC: false\n  hostPorts: [{min: 80, max: 80}]\n',
      'privileged',
      'spec.hostPorts',
    ],
    ['hostPath volumes', '[configMap,', '[hostPath, configMap,', 'privileged', 'spec.volumes'],
    ['any volume (*)', '[configMap,', "['*', configMap,", 'privileged', 'spec.volumes'],
    [
      'a flexVolume (outside restricted only)',
      '[configMap,',
      '[flexVolume, configMap,',
      'baseline',
      'spec.volumes',
    ],
    [
      'SYS_ADMIN allowed',
      '  requiredDropCapabilities: [ALL]\n',
      '  requiredDropCapabilities: [ALL]\n  allowedCapabilities: [SYS_ADMIN]\n',
      'privileged',
      'spec.allowedCapabilities',
    ],
    [
      'CHOWN allowed (baseline set)',
      '  requiredDropCapabilities: [ALL]\n',
      '  requiredDropCapabilities: [ALL]\n  allowedCapabilities: [CHOWN]\n',
      'baseline',
      'spec.allowedCapabilities',
    ],
    [
      'CHOWN added by default',
      '  requiredDropCapabilities: [ALL]\n',
      '  requiredDropCapabilities: [ALL]\n  defaultAddCapabilities: [CHOWN]\n',
      'baseline',
      'spec.defaultAddCapabilities',
    ],
    [
      'no ALL in requiredDropCapabilities',
      'requiredDropCapabilities: [ALL]',
      'requiredDropCapabilities: [NET_RAW]',
      'baseline',
      'spec.requiredDropCapabilities',
    ],
    [
      'runAsUser RunAsAny',
      'rule: MustRunAsNonRoot',
      'rule: RunAsAny',
      'baseline',
      'spec.runAsUser.rule',
    ],
    [
      'allowPrivilegeEscalation unset (PSP default true)',
      '  allowPrivilegeEscalation: false\n',
      '',
      'baseline',
      'spec.allowPrivilegeEscalation',
    ],
    [
      'seLinux RunAsAny',
      'rule: MustRunAs\n',
      'rule: RunAsAny\n',
      'privileged',
      'spec.seLinux.rule',
    ],
    [
      'seLinux MustRunAs with a custom type',
      "{level: 's0:c123,c456'}",
      '{type: spc_t}',
      'privileged',
      'spec.seLinux.rule',
    ],
    [
      'unsafe sysctls',
      '  hostPID: false\n',
      "  hostPID: false\n  allowedUnsafeSysctls: ['kernel.msg*']\n",
      'privileged',
      'spec.allowedUnsafeSysctls',
    ],
    [
      'Unmasked proc mounts',
      '  hostPID: false\n',
      '  hostPID: false\n  allowedProcMountTypes: [Default, Unmasked]\n',
      'privileged',
      'spec.allowedProcMountTypes',
    ],
    [
      'a seccomp allow-list that also allows unset (trailing comma)',
      "'runtime/default,localhost/*'",
      "'runtime/default,'",
      'baseline',
      'metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]',
    ],
    [
      'seccomp *',
      "'runtime/default,localhost/*'",
      "'*'",
      'privileged',
      'metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]',
    ],
  ] as const) {
    it(`${what} → ${level}`, () => {
      const p = one(tweak(from, to));
      assert.equal(p.level, level);
      assert.deepEqual(fields(p), [field]);
    });
  }

  it('no seccomp allow-list: pods may only leave it unset, so baseline', () => {
    const text = RESTRICTED.replace(
      "    seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default,localhost/*'\n",
      '',
    );
    const p = one(text);
    assert.equal(p.level, 'baseline');
    assert.match(p.blockers[0]!.reason, /PodSecurityPolicy then set it to runtime\/default/);
  });

  it('the lowest setting decides, and only those settings keep it from the next level', () => {
    const p = one(
      tweak('hostNetwork: false', 'hostNetwork: true').replace(
        'rule: MustRunAsNonRoot',
        'rule: RunAsAny',
      ),
    );
    assert.equal(p.level, 'privileged');
    assert.equal(p.next, 'baseline');
    assert.deepEqual(fields(p), ['spec.hostNetwork']);
  });

  it('no-opinion settings are listed as having no equivalent', () => {
    const text = `${RESTRICTED}  allowedHostPaths: [{pathPrefix: /foo}]
  allowedCSIDrivers: [{name: x}]
  forbiddenSysctls: ['*']
  runtimeClass: {allowedRuntimeClassNames: [gvisor], defaultRuntimeClassName: gvisor}
`.replace('readOnlyRootFilesystem: false', 'readOnlyRootFilesystem: true');
    const p = one(text);
    assert.equal(p.level, 'restricted');
    const none = p.gaps.filter((g) => g.kind === 'noEquivalent').map((g) => g.field);
    for (const f of [
      'spec.allowedHostPaths',
      'spec.allowedCSIDrivers',
      'spec.forbiddenSysctls',
      'spec.runtimeClass.allowedRuntimeClassNames',
      'spec.readOnlyRootFilesystem',
    ]) {
      assert.ok(none.includes(f), `${f} in ${none.join(', ')}`);
    }
    assert.ok(
      p.gaps.some(
        (g) => g.kind === 'mutating' && g.field === 'spec.runtimeClass.defaultRuntimeClassName',
      ),
    );
  });

  it('extensions/v1beta1 PSPs and List items are found; other groups are not', () => {
    assert.equal(
      podSecurityPoliciesIn(RESTRICTED.replace('policy/v1beta1', 'extensions/v1beta1')).length,
      1,
    );
    assert.equal(
      podSecurityPoliciesIn(RESTRICTED.replace('policy/v1beta1', 'example.com/v1')).length,
      0,
    );
    const list = `apiVersion: v1\nkind: List\nitems:\n${RESTRICTED.trimEnd()
      .split('\n')
      .map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))
      .join('\n')}\n`;
    assert.equal(podSecurityPoliciesIn(list).length, 1);
  });
});

describe('PodSecurityPolicy diagnostic', () => {
  it('a warning on the kind value, naming the removal and the closest level', () => {
    const text = tweak('hostNetwork: false', 'hostNetwork: true');
    const a = analyze(text);
    const f = a.findings.filter((x) => x.check === 'podSecurityPolicy');
    assert.equal(f.length, 1);
    const w = f[0]!;
    assert.equal(w.severity, 'warning');
    assert.equal(text.slice(w.span.start, w.span.end), 'PodSecurityPolicy');
    assert.equal(
      w.message,
      'PodSecurityPolicy was removed in Kubernetes v1.25; the closest Pod Security level is privileged; hostNetwork keeps it from baseline (see `podsec report`)',
    );
    assert.deepEqual(w.object, {
      kind: 'PodSecurityPolicy',
      name: 'restricted',
      namespace: null,
      document: 0,
      item: null,
    });
    assert.equal(a.errors.length, 0, 'reading a PSP records no schema errors');
  });

  it('a restricted PSP says restricted; the warning comes at every level, even privileged', () => {
    for (const level of ['privileged', 'baseline', 'restricted'] as const) {
      const f = analyze(RESTRICTED, { level }).findings;
      assert.deepEqual(
        f.map((x) => x.message),
        [
          'PodSecurityPolicy was removed in Kubernetes v1.25; the closest Pod Security level is restricted (see `podsec report`)',
        ],
      );
    }
  });

  it('odd value types are read without schema errors', () => {
    const text = tweak('hostNetwork: false', 'hostNetwork: "true"').replace(
      'volumes: [',
      'volumes: {a: 1}\n  x: [',
    );
    const a = analyze(text);
    assert.equal(a.errors.length, 0, JSON.stringify(a.errors));
    assert.equal(one(text).level, 'privileged');
  });
});
