/**
 * The level advisor in the engine: highest level met, what stands between a
 * workload and the next level, "Fix to" outcomes, suppressions, version
 * upgrades and the namespace report, against hand-checked cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  adviseText,
  analyze,
  buildReport,
  compareVersions,
  fixWorkloadToLevel,
} from '@podsec/server';
import { reportMarkdown } from '@podsec/server/out/render/index';
import type { WorkloadAdvice } from '@podsec/server';
import {
  deploymentYaml,
  podYaml,
  RESTRICTED_CONTAINER_SC,
  restrictedPod,
} from '../support/manifests';

/** privileged: true: fails baseline. */
const PRIVILEGED = deploymentYaml({ name: 'priv', securityContext: { privileged: true } });

/** Baseline-clean but nothing restricted set: 4 restricted findings, 3 with a safe fix (runAsNonRoot's is unsafe). */
const PLAIN = deploymentYaml({ name: 'plain', namespace: 'shop' });

/** Everything restricted asks for. */
const HARDENED = restrictedPod('hardened', 'shop');

/** Only runAsNonRoot missing: one blocker, and no safe fix for it. */
const NEEDS_NON_ROOT = podYaml({
  name: 'root',
  podSecurityContext: { seccompProfile: '{type: RuntimeDefault}' },
  securityContext: RESTRICTED_CONTAINER_SC,
});

/** A hostPath volume: at restricted it shows as restrictedVolumes, but it already fails baseline. */
const HOST_PATH = `apiVersion: v1
kind: Pod
metadata:
  name: hostpath
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  volumes:
    - name: h
      hostPath: {path: /var/run}
  containers:
    - name: app
      image: app
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
`;

function only(text: string, version?: string): WorkloadAdvice {
  const a = adviseText(text, { version });
  assert.equal(a.length, 1, JSON.stringify(a));
  return a[0]!;
}

describe('level advisor: highest level met', () => {
  it('privileged: true meets privileged; one change (unsafe) to baseline; no safe fix', () => {
    const a = only(PRIVILEGED);
    assert.equal(a.level, 'privileged');
    assert.equal(a.next, 'baseline');
    assert.deepEqual(
      a.blockers.map((b) => [b.check, b.fix]),
      [['privileged', 'unsafe']],
    );
    assert.deepEqual(a.fix, { fixable: 0, left: 1 });
    assert.equal(a.evaluatedVersion, 'v1.37');
  });

  it('a baseline-clean Deployment meets baseline with 4 changes to restricted; Fix leaves 1', () => {
    const a = only(PLAIN);
    assert.equal(a.level, 'baseline');
    assert.equal(a.next, 'restricted');
    assert.deepEqual(a.blockers.map((b) => b.check).sort(), [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'runAsNonRoot',
      'seccompProfile_restricted',
    ]);
    assert.deepEqual(
      a.blockers.filter((b) => b.fix !== 'safe').map((b) => b.check),
      ['runAsNonRoot'],
    );
    assert.deepEqual(a.fix, { fixable: 3, left: 1 });
    // the counted position is the workload's kind line
    assert.equal(PLAIN.slice(a.headSpan.start, a.headSpan.end), 'kind: Deployment');
  });

  it('a hardened Pod meets restricted with nothing to do', () => {
    const a = only(HARDENED);
    assert.equal(a.level, 'restricted');
    assert.equal(a.next, null);
    assert.deepEqual(a.blockers, []);
    assert.equal(a.fix, null);
  });

  it('only runAsNonRoot missing: baseline, 1 change, nothing safe to apply', () => {
    const a = only(NEEDS_NON_ROOT);
    assert.equal(a.level, 'baseline');
    assert.deepEqual(
      a.blockers.map((b) => b.check),
      ['runAsNonRoot'],
    );
    assert.deepEqual(a.fix, { fixable: 0, left: 1 });
  });

  it('a hostPath volume fails baseline although restricted reports it as restrictedVolumes', () => {
    const a = only(HOST_PATH);
    assert.equal(a.level, 'privileged');
    assert.deepEqual(
      a.blockers.map((b) => b.check),
      ['hostPathVolumes'],
    );
  });

  it('the level depends on the version: seccomp is required from v1.19 only', () => {
    const noSeccomp = NEEDS_NON_ROOT.replace(
      '    seccompProfile: {type: RuntimeDefault}\n',
      '',
    ).replace(
      'securityContext:\n  containers',
      'securityContext:\n    runAsNonRoot: true\n  containers',
    );
    assert.equal(only(noSeccomp, 'v1.18').level, 'restricted');
    const at = only(noSeccomp, 'latest');
    assert.equal(at.level, 'baseline');
    assert.deepEqual(
      at.blockers.map((b) => b.check),
      ['seccompProfile_restricted'],
    );
  });

  it('each workload of a multi-document file and of a List is judged on its own', () => {
    const list = `apiVersion: v1
kind: List
items:
${[PRIVILEGED, HARDENED]
  .map((d) =>
    d
      .trimEnd()
      .split('\n')
      .map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))
      .join('\n'),
  )
  .join('\n')}
`;
    const text = `${PLAIN}---\n${list}`;
    const advice = adviseText(text);
    assert.deepEqual(
      advice.map((a) => [a.object.name, a.object.document, a.object.item, a.level]),
      [
        ['plain', 0, null, 'baseline'],
        ['priv', 1, 0, 'privileged'],
        ['hardened', 1, 1, 'restricted'],
      ],
    );
  });

  it('suppressed findings still count (admission reads no comments) and are marked', () => {
    const text = PRIVILEGED.replace(
      '            privileged: true',
      '            # podsec-ignore privileged -- the driver needs it\n            privileged: true',
    );
    // the editor shows no privileged finding…
    assert.ok(!analyze(text, { level: 'baseline' }).findings.some((f) => f.check === 'privileged'));
    // …but the workload still only meets privileged
    const a = only(text);
    assert.equal(a.level, 'privileged');
    assert.equal(a.blockers[0]?.suppressed, true);
  });
});

describe('level advisor: Fix to the next level', () => {
  it('applies the safe fixes of that workload only, in one text, and counts what is left', () => {
    const text = `${PLAIN}---\n${PLAIN.replace('name: plain', 'name: other')}`;
    const fixed = fixWorkloadToLevel(text, { document: 0, item: null }, 'restricted');
    assert.equal(fixed.applied, 3);
    assert.equal(fixed.left, 1);
    const after = adviseText(fixed.text);
    assert.deepEqual(
      after.map((a) => [a.object.name, a.blockers.map((b) => b.check)]),
      [
        ['plain', ['runAsNonRoot']],
        ['other', after[1]!.blockers.map((b) => b.check)],
      ],
    );
    assert.equal(after[1]!.blockers.length, 4, 'the other workload is untouched');
    assert.ok(fixed.text.endsWith(text.slice(text.indexOf('---'))), 'second document unchanged');
  });

  it('with runAsNonRoot set too, Fix to restricted leaves nothing and the workload meets restricted', () => {
    const text = PLAIN.replace(
      '    spec:\n      containers',
      '    spec:\n      securityContext:\n        runAsNonRoot: true\n      containers',
    );
    const a = only(text);
    assert.deepEqual(a.fix, { fixable: 3, left: 0 });
    const fixed = fixWorkloadToLevel(text, a.object, 'restricted');
    assert.equal(fixed.left, 0);
    assert.equal(only(fixed.text).level, 'restricted');
  });

  it('does not touch a suppressed finding', () => {
    const text = PLAIN.replace(
      '        - name: app',
      '        # podsec-ignore allowPrivilegeEscalation -- reviewed\n        - name: app',
    );
    const a = only(text);
    assert.equal(a.blockers.find((b) => b.check === 'allowPrivilegeEscalation')?.suppressed, true);
    assert.deepEqual(a.fix, { fixable: 2, left: 2 });
    const fixed = fixWorkloadToLevel(text, a.object, 'restricted');
    assert.ok(!fixed.text.includes('allowPrivilegeEscalation: false'));
    assert.equal(fixed.left, 2);
  });
});

describe('level advisor: version upgrades', () => {
  const POD = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: app
      image: app
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
        procMount: Unmasked
`;

  it('v1.18 → latest: seccomp becomes required; the procMount check changes its ID at v1.35', () => {
    const [u] = compareVersions(POD, { from: 'v1.18', to: 'latest' });
    assert.ok(u);
    assert.equal(u.fromLevel, 'privileged');
    assert.equal(u.toLevel, 'privileged');
    assert.deepEqual(u.added.map((c) => c.check).sort(), [
      'procMount_restricted',
      'seccompProfile_restricted',
    ]);
    assert.deepEqual(
      u.relaxed.map((c) => c.check),
      ['procMount'],
    );
  });

  it('latest → v1.18 is the mirror image', () => {
    const [u] = compareVersions(POD, { from: 'latest', to: 'v1.18' });
    assert.deepEqual(u!.relaxed.map((c) => c.check).sort(), [
      'procMount_restricted',
      'seccompProfile_restricted',
    ]);
    assert.deepEqual(
      u!.added.map((c) => c.check),
      ['procMount'],
    );
  });

  it('an unchanged workload has no changes', () => {
    const [u] = compareVersions(HARDENED, { from: 'v1.30', to: 'latest' });
    assert.deepEqual(
      [u!.added, u!.relaxed, u!.fromLevel, u!.toLevel],
      [[], [], 'restricted', 'restricted'],
    );
  });
});

describe('level advisor: namespace report', () => {
  const NS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
`;

  it('groups by namespace, reads the labels, and says who would be rejected or warned', () => {
    const r = buildReport([
      { path: 'ns.yaml', text: NS },
      { path: 'apps.yaml', text: `${PLAIN}---\n${HARDENED}---\n${PRIVILEGED}` },
    ]);
    assert.deepEqual(
      r.namespaces.map((n) => n.name),
      ['default', 'shop'],
    );
    const shop = r.namespaces[1]!;
    assert.equal(shop.declaredIn, 'ns.yaml');
    assert.deepEqual(shop.enforce, { level: 'baseline', version: 'v1.30', labelled: true });
    // warn is not labelled: it follows enforce
    assert.deepEqual(shop.warn, { level: 'baseline', version: 'v1.30', labelled: false });
    assert.deepEqual(
      shop.workloads.map((w) => [w.name, w.level, w.line]),
      [
        ['plain', 'baseline', 2],
        ['hardened', 'restricted', 14],
      ],
    );
    const byKind = Object.fromEntries(shop.scenarios.map((s) => [s.kind, s]));
    assert.deepEqual(byKind.current?.rejected, []);
    assert.deepEqual(byKind.current?.warned, []);
    // enforce → restricted rejects "plain" (index 0); warn follows enforce, so nothing only warned
    assert.deepEqual(byKind.enforceLevel?.enforce, { level: 'restricted', version: 'v1.30' });
    assert.deepEqual(byKind.enforceLevel?.rejected, [0]);
    assert.deepEqual(byKind.enforceLevel?.warned, []);
    assert.deepEqual(byKind.enforceVersion?.enforce, { level: 'baseline', version: 'latest' });
    assert.deepEqual(byKind.enforceVersion?.rejected, []);
    // the unlabelled default namespace: privileged now; baseline would reject "priv"
    const def = r.namespaces[0]!;
    assert.equal(def.declaredIn, null);
    assert.equal(def.enforce.labelled, false);
    const up = def.scenarios.find((s) => s.kind === 'enforceLevel')!;
    assert.deepEqual(
      up.rejected.map((i) => def.workloads[i]!.name),
      ['priv'],
    );
    assert.deepEqual(r.summary.byLevel, { privileged: 1, baseline: 1, restricted: 1 });
  });

  it('a warn label stricter than enforce lists warned workloads', () => {
    const ns = NS.replace('enforce-version: v1.30', 'warn: restricted');
    const r = buildReport([{ path: 'all.yaml', text: `${ns}---\n${PLAIN}---\n${HARDENED}` }]);
    const shop = r.namespaces.find((n) => n.name === 'shop')!;
    const now = shop.scenarios.find((s) => s.kind === 'current')!;
    assert.deepEqual(now.rejected, []);
    assert.deepEqual(
      now.warned.map((i) => shop.workloads[i]!.name),
      ['plain'],
    );
    // already at latest: no version scenario
    assert.ok(!shop.scenarios.some((s) => s.kind === 'enforceVersion'));
  });

  it('Markdown: namespaces, levels, what-ifs, blockers, upgrade and PSP sections', () => {
    const psp = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: old}
spec:
  privileged: true
  seLinux: {rule: RunAsAny}
  runAsUser: {rule: RunAsAny}
`;
    const r = buildReport(
      [
        { path: 'ns.yaml', text: NS },
        { path: 'apps.yaml', text: `${PLAIN}---\n${psp}` },
      ],
      { from: 'v1.18', to: 'latest' },
    );
    const m = reportMarkdown(r);
    assert.match(m, /^# Pod Security report/);
    assert.match(m, /## Namespace `shop`/);
    assert.match(m, /enforce \*\*baseline\*\* \(v1\.30\)/);
    assert.match(
      m,
      /\| Deployment `plain` \| `apps\.yaml:2` \| \*\*baseline\*\* \| 4 changes to restricted \|/,
    );
    assert.match(m, /\*\*If enforce moved to restricted\*\* .*rejected: Deployment `plain`/);
    assert.match(m, /\*\*If enforce moved to latest \(v1\.37\)\*\*/);
    assert.match(m, /`runAsNonRoot` .* \(fix may change behaviour\)/);
    assert.match(m, /## Version upgrade `v1\.18` → `latest`/);
    assert.match(m, /new: `seccompProfile_restricted`/);
    assert.match(m, /### `old` at `apps\.yaml:14`/);
    assert.match(m, /Closest Pod Security level: \*\*privileged\*\*/);
    // links when asked
    const linked = reportMarkdown(r, (l) => `file:///${l.path}#L${l.line}`);
    assert.match(linked, /\[`apps\.yaml:2`\]\(file:\/\/\/apps\.yaml#L2\)/);
  });
});
