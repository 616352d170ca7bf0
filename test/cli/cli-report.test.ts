/**
 * `podsec report`: the level advisor on the command line, run as a real
 * process through the built bin script: text, Markdown and JSON, version
 * upgrades, PodSecurityPolicy migration, exit codes and usage errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HARDENING_CHECK_IDS } from '@podsec/server';
import type { AdvisorReport } from '@podsec/server';
import { deploymentYaml, privilegedPod } from '../support/manifests';
import { podsecProcess, tempTree } from '../support/cli';
import type { ProcessRan } from '../support/cli';

const podsec = (args: string[], cwd: string, input?: string): ProcessRan =>
  podsecProcess(args, {
    cwd,
    ...(input !== undefined ? { input } : {}),
    env: { ...process.env, NO_COLOR: '1' },
  });

const workspace = (files: Record<string, string>): string => tempTree(files, 'podsec-report-');

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
`;

const PLAIN = deploymentYaml({ name: 'cart', namespace: 'shop' });

const PRIVILEGED = privilegedPod('driver', { container: 'a', image: 'x' });

const PSP = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: legacy
spec:
  privileged: false
  hostNetwork: true
  seLinux: {rule: RunAsAny}
  runAsUser: {rule: RunAsAny}
  fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
`;

function shop(): string {
  return workspace({
    'ns.yaml': NAMESPACE,
    'apps/cart.yaml': PLAIN,
    'apps/driver.yaml': PRIVILEGED,
    'psp.yaml': PSP,
  });
}

describe('podsec report', () => {
  it('JSON: the documented shape, levels, labels, what-ifs and PSPs', () => {
    const dir = shop();
    const r = podsec(['report', '--format', 'json', '.'], dir);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as AdvisorReport;
    assert.deepEqual(Object.keys(doc), [
      'version',
      'evaluatedVersion',
      'namespaces',
      'upgrade',
      'podSecurityPolicies',
      'errors',
      'summary',
      'hardening',
    ]);
    assert.deepEqual(
      doc.hardening?.checks.map((c) => c.check),
      [...HARDENING_CHECK_IDS],
      'every hardening check runs by default',
    );
    assert.equal(doc.evaluatedVersion, 'v1.37');
    assert.deepEqual(doc.summary, {
      files: 4,
      workloads: 2,
      byLevel: { privileged: 1, baseline: 1, restricted: 0 },
      podSecurityPolicies: 1,
    });
    assert.deepEqual(
      doc.namespaces.map((n) => n.name),
      ['default', 'shop'],
    );
    const shopNs = doc.namespaces[1]!;
    assert.equal(shopNs.declaredIn, 'ns.yaml');
    assert.deepEqual(shopNs.enforce, { level: 'baseline', version: 'v1.30', labelled: true });
    assert.deepEqual(shopNs.warn, { level: 'restricted', version: 'latest', labelled: true });
    const cart = shopNs.workloads[0]!;
    assert.deepEqual(
      [cart.path, cart.line, cart.kind, cart.name, cart.level, cart.next, cart.blockers.length],
      ['apps/cart.yaml', 2, 'Deployment', 'cart', 'baseline', 'restricted', 4],
    );
    const blocker = cart.blockers.find((b) => b.check === 'runAsNonRoot')!;
    assert.deepEqual(
      [blocker.line, blocker.column, blocker.fix, blocker.suppressed],
      [10, 11, 'unsafe', false],
    );
    const current = shopNs.scenarios.find((s) => s.kind === 'current')!;
    assert.deepEqual([current.rejected, current.warned], [[], [0]]);
    const up = shopNs.scenarios.find((s) => s.kind === 'enforceLevel')!;
    assert.deepEqual(up.enforce, { level: 'restricted', version: 'v1.30' });
    assert.deepEqual([up.rejected, up.warned], [[0], []]);
    assert.equal(doc.upgrade, null);
    const psp = doc.podSecurityPolicies[0]!;
    assert.deepEqual(
      [psp.path, psp.line, psp.column, psp.name, psp.level, psp.next],
      ['psp.yaml', 2, 7, 'legacy', 'privileged', 'baseline'],
    );
    assert.deepEqual(
      psp.blockers.filter((b) => b.level === 'privileged').map((b) => b.field),
      ['spec.hostNetwork', 'spec.seLinux.rule'],
    );
    assert.ok(psp.gaps.some((g) => g.field === 'spec.fsGroup' && g.kind === 'noEquivalent'));
  });

  it('text: one block per namespace with the what-ifs, then the PSP', () => {
    const dir = shop();
    const r = podsec(['report', '.'], dir);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.match(
      lines[0]!,
      /^Pod Security report at latest \(v1\.37\): 2 workloads in 2 namespaces \(0 restricted, 1 baseline, 1 privileged\), 1 PodSecurityPolicy$/,
    );
    assert.ok(
      lines.includes(
        'namespace shop  enforce baseline:v1.30, warn restricted:latest, audit privileged:latest (default); declared in ns.yaml',
      ),
      r.out,
    );
    assert.ok(
      lines.some((l) =>
        /^ {2}apps\/cart\.yaml:2 {2}Deployment\/cart {2}baseline {4}4 changes to restricted$/.test(
          l,
        ),
      ),
      r.out,
    );
    assert.ok(
      lines.includes(
        '  if enforce moved to restricted (enforce restricted:v1.30): rejected Deployment/cart; warned none',
      ),
      r.out,
    );
    assert.ok(
      lines.includes(
        '  if enforce moved to baseline (enforce baseline:latest): rejected Pod/driver; warned none',
      ),
      r.out,
    );
    assert.match(
      r.out,
      /PodSecurityPolicy legacy \(psp\.yaml:2, removed in Kubernetes v1\.25\): closest level privileged/,
    );
    assert.ok(!r.out.includes('\u001b['), 'no colours when not a terminal');
  });

  it('Markdown: headings, a table per namespace, the PSP section', () => {
    const dir = shop();
    const r = podsec(['report', '--format', 'markdown', '.'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^# Pod Security report\n/);
    assert.match(r.out, /\n## Namespace `shop`\n/);
    assert.match(
      r.out,
      /\| Deployment `cart` \| `apps\/cart\.yaml:2` \| \*\*baseline\*\* \| 4 changes to restricted \|/,
    );
    assert.match(r.out, /\n## PodSecurityPolicies \(removed in Kubernetes v1\.25\)\n/);
  });

  it('--from/--to: what each workload gains and loses between two versions', () => {
    const dir = shop();
    const r = podsec(
      ['report', '--format', 'json', '--from', 'v1.18', '--to', 'latest', 'apps'],
      dir,
    );
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as AdvisorReport;
    assert.ok(doc.upgrade);
    assert.deepEqual(
      [doc.upgrade.fromVersion, doc.upgrade.toVersion, doc.upgrade.level],
      ['v1.18', 'v1.37', 'restricted'],
    );
    const cart = doc.upgrade.workloads.find((w) => w.workload.name === 'cart')!;
    assert.deepEqual(cart.added.map((c) => c.check).sort(), [
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
    assert.deepEqual(cart.relaxed, []);
    assert.equal(cart.workload.line, 2);
    // text shows + and - lines
    const t = podsec(['report', '--from', 'v1.18', '--to', 'latest', 'apps'], dir);
    assert.match(t.out, /version upgrade v1\.18 → latest \(v1\.18 → v1\.37, restricted checks\)/);
    assert.match(t.out, /\n {4}\+ seccompProfile_restricted {2}apps\/cart\.yaml:10:11 {2}/);
  });

  it('reads standard input', () => {
    const dir = workspace({});
    const r = podsec(['report', '--format', 'json', '-'], dir, PRIVILEGED);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as AdvisorReport;
    assert.equal(doc.namespaces[0]?.workloads[0]?.path, '-');
    assert.equal(doc.namespaces[0]?.workloads[0]?.level, 'privileged');
  });

  it('exit status: 1 when a workload is rejected as labelled now or a file has a YAML error', () => {
    const rejected = workspace({
      'ns.yaml': NAMESPACE.replace('enforce: baseline', 'enforce: restricted'),
      'cart.yaml': PLAIN,
    });
    const r = podsec(['report', '.'], rejected);
    assert.equal(r.code, 1);
    assert.match(r.out, /now \(enforce restricted:v1\.30\): rejected Deployment\/cart/);
    const broken = workspace({ 'bad.yaml': 'kind: Pod\n  x: [\n' });
    const b = podsec(['report', '.'], broken);
    assert.equal(b.code, 1);
    assert.match(b.out, /\nnot evaluated\n {2}bad\.yaml:\d+:\d+ {2}/);
  });

  it('exit status 2 and a message for usage and read errors; help', () => {
    const dir = shop();
    for (const args of [
      ['report', '--format', 'sarif', '.'],
      ['report', '--from', 'v1.20', '.'],
      ['report', '--to', 'v2', '--from', 'v1.2', '.'],
      ['report', '--level', 'strict', '.'],
      ['report', '--bogus', '.'],
      ['report'],
    ]) {
      const r = podsec(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(
        r.err,
        /^podsec report: .+\nRun "podsec report --help" for usage\.\n$/,
        args.join(' '),
      );
      assert.equal(r.out, '');
    }
    const missing = podsec(['report', 'nope.yaml', 'ns.yaml'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^podsec report: nope\.yaml: cannot read: ENOENT$/m);
    assert.match(missing.out, /namespace shop/, 'the readable files are still reported');
    const help = podsec(['report', '--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: podsec report \[options\]/);
    assert.match(help.out, /--format <format> +text \| markdown \| json/);
    const main = podsec(['--help'], dir);
    assert.match(main.out, /podsec report \[options\]/);
  });

  it('the main command is unchanged and still warns about the PSP', () => {
    const dir = shop();
    const r = podsec(['psp.yaml'], dir);
    assert.equal(r.code, 0, 'a warning is not an error');
    assert.match(
      r.out,
      /^psp\.yaml:2:7 {2}warning {2}PodSecurityPolicy was removed in Kubernetes v1\.25; the closest Pod Security level is privileged; hostNetwork, seLinux\.rule keep it from baseline \(see `podsec report`\) {2}\[podSecurityPolicy\]$/m,
    );
  });
});
