/**
 * The command line as the cluster sees it: a document after a `...` end
 * marker is a note (not evaluated, not an error: exit 0, and 1 only with
 * --fail-on-skipped), and `podsec report` reads `.podsec.yaml` and the
 * admission configuration exactly as the check command does (level,
 * version, exclude, the admission configuration it names or the only one
 * among the inputs, --config, --no-config, --admission-config, --as-user,
 * the files' own problems), each file at its own folder's configuration,
 * showing exemptions in text, Markdown and JSON; a number the API server
 * cannot decode into its field (`hostPort: 1e10`) is an error at the value.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AdvisorReport } from '@podsec/server';
import { cli, tempTree } from '../support/cli';

/** A repository (a folder with .git) holding `files`. */
function repo(files: Record<string, string>): string {
  const dir = tempTree(files, 'podsec-cluster-');
  mkdirSync(join(dir, '.git'));
  return dir;
}

const pod = (name: string, ns: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${extra}  hostPID: true\n  containers: [{name: a, image: a}]\n`;
const PSA =
  'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n' +
  'defaults:\n  enforce: baseline\nexemptions:\n  namespaces: [kube-system]\n  usernames: [ci-bot]\n';
const report = (out: string) => JSON.parse(out) as AdvisorReport;

describe('"..." end markers on the command line', () => {
  const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
  it('the document after "..." is a note and counts as not evaluated, not as an error', () => {
    const dir = repo({ 'cm.yaml': `${CM}...\n${pod('hidden', 'shop')}` });
    const r = cli([join(dir, 'cm.yaml'), '--level', 'baseline', '--hardening', 'off']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /cm\.yaml:5:1 {2}note {2}Document not evaluated: kubectl splits a stream/);
    assert.doesNotMatch(r.out, / error /);
    assert.match(r.out, /1 skipped \(not read or not evaluated\)/);
    const json = JSON.parse(
      cli([join(dir, 'cm.yaml'), '--format', 'json', '--hardening', 'off']).out,
    ) as {
      summary: { errors: number; skipped: number };
      files: Array<{ notes: Array<{ message: string; line: number }> }>;
    };
    assert.deepEqual([json.summary.errors, json.summary.skipped], [0, 1]);
    assert.equal(json.files[0]?.notes[0]?.line, 5);
    // A CI gate that wants every document evaluated fails.
    assert.equal(cli([join(dir, 'cm.yaml'), '--fail-on-skipped', '--hardening', 'off']).code, 1);
    // "...\n---" is an ordinary separator: the Pod is evaluated (and fails baseline).
    const sep = repo({ 'cm.yaml': `${CM}...\n---\n${pod('seen', 'shop')}` });
    const s = cli([join(sep, 'cm.yaml'), '--level', 'baseline', '--hardening', 'off']);
    assert.equal(s.code, 1);
    assert.match(s.out, /\[hostNamespaces\]/);
    assert.doesNotMatch(s.out, /not evaluated/);
  });
});

describe('numbers the API server cannot decode, on the command line', () => {
  it('hostPort: 1e10 and 80.5 are errors at the value; the file does not pass; JSON carries them', () => {
    const t =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a\n' +
      '      ports:\n        - {containerPort: 80, hostPort: 1e10}\n        - {containerPort: 81, hostPort: 80.5}\n';
    const dir = repo({ 'pod.yaml': t });
    const file = join(dir, 'pod.yaml');
    const r = cli([file, '--level', 'baseline', '--hardening', 'off']);
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.out,
      /pod\.yaml:9:41 {2}error {2}spec\.containers\[0\]\.ports\[0\]\.hostPort must be an integer from -2147483648 to 2147483647 \(int32\): kubectl sends 1e10 as 10000000000, which the API server cannot decode into an int32 {2}\[schema\]/,
    );
    assert.match(
      r.out,
      /pod\.yaml:10:41 {2}error {2}spec\.containers\[0\]\.ports\[1\]\.hostPort must be an integer: kubectl sends 80\.5, which the API server cannot decode into an int32 {2}\[schema\]/,
    );
    assert.doesNotMatch(r.out, /\[hostPorts\]/);
    const json = JSON.parse(
      cli([file, '--level', 'baseline', '--hardening', 'off', '--format', 'json']).out,
    ) as { summary: { errors: number }; files: Array<{ errors: Array<{ line: number }> }> };
    assert.equal(json.summary.errors, 2);
    assert.deepEqual(
      json.files[0]?.errors.map((e) => e.line),
      [9, 10],
    );
    // In range, the same port is a finding, not an error.
    const ok = repo({ 'pod.yaml': t.replace('1e10', '1e3').replace('80.5', '80.0') });
    const o = cli([join(ok, 'pod.yaml'), '--level', 'baseline', '--hardening', 'off']);
    assert.match(o.out, /remove hostPort 1000/);
    assert.doesNotMatch(o.out, /\[schema\]/);
  });
});

describe('podsec report reads the configuration as the check command does', () => {
  it('.podsec.yaml: version and exclude apply; the command line wins; --no-config reads none', () => {
    const dir = repo({
      '.podsec.yaml': 'version: v1.25\nexclude: ["legacy/**"]\n',
      'apps/web.yaml': pod('web', 'shop'),
      'legacy/old.yaml': pod('old', 'shop'),
    });
    const r = report(cli(['report', '--format', 'json', '--hardening', 'off', dir]).out);
    assert.equal(r.version, 'v1.25');
    assert.deepEqual(
      r.namespaces.flatMap((n) => n.workloads.map((w) => w.name)),
      ['web'],
    );
    const given = report(
      cli(['report', '--format', 'json', '--policy-version', 'v1.30', '--hardening', 'off', dir])
        .out,
    );
    assert.equal(given.version, 'v1.30');
    const none = report(
      cli(['report', '--format', 'json', '--no-config', '--hardening', 'off', dir]).out,
    );
    assert.equal(none.version, 'latest');
    assert.equal(none.summary.workloads, 2);
  });

  it('--config names the file; an unreadable one is a usage error; a bad key is an error of the report', () => {
    const dir = repo({ 'apps/web.yaml': pod('web', 'shop'), 'conf.yaml': 'version: v1.26\n' });
    const r = report(
      cli([
        'report',
        '--format',
        'json',
        '--config',
        join(dir, 'conf.yaml'),
        '--hardening',
        'off',
        join(dir, 'apps'),
      ]).out,
    );
    assert.equal(r.version, 'v1.26');
    const missing = cli(['report', '--config', join(dir, 'nope.yaml'), join(dir, 'apps')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read --config/);
    const bad = repo({ '.podsec.yaml': 'version: v9.x\n', 'web.yaml': pod('web', 'shop') });
    const b = cli(['report', '--hardening', 'off', bad]);
    assert.equal(b.code, 1);
    assert.match(b.out, /not evaluated\n {2}\S*\.podsec\.yaml:1:10 {2}version: /);
  });

  it('the admission configuration .podsec.yaml names: defaults and exemptions, in every format', () => {
    const dir = repo({
      '.podsec.yaml': 'admissionConfiguration: cluster/psa.yaml\n',
      'cluster/psa.yaml': PSA,
      'apps/pods.yaml': [pod('agent', 'kube-system'), pod('web', 'shop')].join('---\n'),
    });
    const apps = join(dir, 'apps');
    const j = cli(['report', '--format', 'json', '--hardening', 'off', apps]);
    // web is rejected by the configuration's enforce default.
    assert.equal(j.code, 1);
    const r = report(j.out);
    const system = r.namespaces.find((n) => n.name === 'kube-system');
    const shop = r.namespaces.find((n) => n.name === 'shop');
    assert.match(system?.exemption?.message ?? '', /namespace "kube-system" is listed in/);
    assert.match(system?.workloads[0]?.exemption ?? '', /namespace "kube-system"/);
    assert.equal(shop?.enforce.level, 'baseline');
    assert.equal(shop?.enforce.fromAdmission, true);
    assert.deepEqual(shop?.scenarios.find((s) => s.kind === 'current')?.rejected, [0]);
    const text = cli(['report', '--hardening', 'off', apps]).out;
    assert.match(text, /exempt {2}Exempt from Pod Security: namespace "kube-system"/);
    assert.match(text, /enforce baseline:latest \(admission configuration default\)/);
    const md = cli(['report', '--format', 'markdown', '--hardening', 'off', apps]).out;
    assert.match(md, /\| Pod `agent` \| `[^`]*pods\.yaml:\d+` \| \*\*privileged\*\* · _exempt_ \|/);
    // --no-config: no admission configuration, upstream's built-in defaults.
    const plain = report(
      cli(['report', '--format', 'json', '--no-config', '--hardening', 'off', apps]).out,
    );
    assert.equal(plain.namespaces.find((n) => n.name === 'shop')?.enforce.level, 'privileged');
    assert.equal(plain.namespaces.find((n) => n.name === 'kube-system')?.exemption, undefined);
  });

  it("each file at its own folder's .podsec.yaml and admission configuration, as the check command", () => {
    const restrictedPsa =
      'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n' +
      'defaults:\n  enforce: restricted\n';
    const dir = repo({
      // team-a: v1.25, a cluster that exempts the namespace shop.
      'team-a/.podsec.yaml': 'version: v1.25\nadmissionConfiguration: psa.yaml\n',
      'team-a/psa.yaml': PSA.replace('[kube-system]', '[shop]'),
      'team-a/pod.yaml': pod('a', 'shop'),
      // team-b: v1.30, a cluster that enforces restricted everywhere.
      'team-b/.podsec.yaml': 'version: v1.30\nadmissionConfiguration: psa.yaml\n',
      'team-b/psa.yaml': restrictedPsa,
      'team-b/pod.yaml': pod('b', 'shop'),
    });
    const a = join(dir, 'team-a');
    const b = join(dir, 'team-b');
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const j = cli(['report', '--format', 'json', '--hardening', 'off', ...order]);
      // b is rejected by its own cluster's default.
      assert.equal(j.code, 1, j.out);
      const r = report(j.out);
      // The heading is the first file's.
      assert.equal(r.version, order[0] === a ? 'v1.25' : 'v1.30');
      // One namespace "shop" per cluster, each with its configuration's file.
      const shops = r.namespaces.filter((n) => n.name === 'shop');
      assert.equal(shops.length, 2);
      const ofA = shops.find((n) => n.admissionConfiguration?.endsWith('team-a/psa.yaml'));
      const ofB = shops.find((n) => n.admissionConfiguration?.endsWith('team-b/psa.yaml'));
      assert.deepEqual(
        ofA?.workloads.map((w) => w.name),
        ['a'],
      );
      assert.deepEqual(
        ofB?.workloads.map((w) => w.name),
        ['b'],
      );
      assert.match(ofA?.exemption?.message ?? '', /namespace "shop" is listed in/);
      assert.match(ofA?.workloads[0]?.exemption ?? '', /namespace "shop"/);
      assert.deepEqual(ofA?.scenarios.find((s) => s.kind === 'current')?.rejected, []);
      assert.equal(ofB?.enforce.level, 'restricted');
      assert.equal(ofB?.exemption, undefined);
      assert.equal(ofB?.workloads[0]?.exemption, undefined);
      assert.deepEqual(ofB?.scenarios.find((s) => s.kind === 'current')?.rejected, [0]);
      // Each workload at its own version: the one the heading does not give says its own.
      const versions = [ofA?.workloads[0]?.version, ofB?.workloads[0]?.version];
      assert.deepEqual(versions, order[0] === a ? [undefined, 'v1.30'] : ['v1.25', undefined]);
    }
    // The check command reads the same: a is exempt (a note), b is checked at restricted.
    const check = cli(['--hardening', 'off', a, b]);
    assert.match(check.out, /team-a\/pod\.yaml:\d+:\d+ {2}note {2}Exempt from Pod Security/);
    assert.match(check.out, /team-b\/pod\.yaml:\d+:\d+ {2}error .*\[runAsNonRoot\]/);
    // The text and Markdown name each namespace's configuration and a workload's own version.
    const text = cli(['report', '--hardening', 'off', a, b]).out;
    assert.match(text, /namespace shop .*admission configuration \S*team-a\/psa\.yaml/);
    assert.match(text, /namespace shop .*admission configuration \S*team-b\/psa\.yaml/);
    assert.match(text, /Pod\/b {2}privileged at v1\.30/);
    const md = cli(['report', '--format', 'markdown', '--hardening', 'off', a, b]).out;
    assert.match(md, /Admission configuration `\S*team-b\/psa\.yaml`\./);
    assert.match(md, /\| \*\*privileged\*\* \(`v1\.30`\) \|/);
  });

  it('a later file that names no admission configuration, with several among the inputs: the note says none is used', () => {
    const dir = repo({
      'team-a/.podsec.yaml': 'admissionConfiguration: psa.yaml\n',
      'team-a/psa.yaml': PSA,
      'team-a/pod.yaml': pod('a', 'shop'),
      'team-b/psa.yaml': PSA,
      'team-b/pod.yaml': pod('b', 'shop'),
    });
    const r = cli([
      'report',
      '--format',
      'json',
      '--hardening',
      'off',
      join(dir, 'team-a'),
      join(dir, 'team-b'),
    ]);
    assert.match(r.err, /podsec report: 2 admission configurations found .*none is used/);
    const shops = report(r.out).namespaces.filter((n) => n.name === 'shop');
    // team-a's cluster, and team-b's with upstream's defaults (none used).
    assert.deepEqual(
      shops.map((n) => [
        n.admissionConfiguration?.endsWith('team-a/psa.yaml') ?? n.admissionConfiguration,
        n.enforce.level,
      ]),
      [
        [null, 'privileged'],
        [true, 'baseline'],
      ],
    );
  });

  it('one admission configuration for every file: one namespace, naming no file', () => {
    const dir = repo({
      '.podsec.yaml': 'admissionConfiguration: psa.yaml\n',
      'psa.yaml': PSA,
      'team-a/.podsec.yaml': 'version: v1.25\nadmissionConfiguration: ../psa.yaml\n',
      'team-a/pod.yaml': pod('a', 'shop'),
      'team-b/pod.yaml': pod('b', 'shop'),
    });
    const r = report(
      cli([
        'report',
        '--format',
        'json',
        '--hardening',
        'off',
        join(dir, 'team-a'),
        join(dir, 'team-b'),
      ]).out,
    );
    const shops = r.namespaces.filter((n) => n.name === 'shop');
    assert.equal(shops.length, 1);
    assert.equal('admissionConfiguration' in (shops[0] ?? {}), false);
    assert.deepEqual(
      shops[0]?.workloads.map((w) => [w.name, w.version]),
      [
        ['a', undefined],
        ['b', 'latest'],
      ],
    );
  });

  it('--admission-config and --as-user; the only configuration among the inputs is used by itself', () => {
    const dir = repo({
      'psa.yaml': PSA,
      'pods.yaml': pod('web', 'shop'),
    });
    const byItself = report(cli(['report', '--format', 'json', '--hardening', 'off', dir]).out);
    assert.equal(byItself.namespaces.find((n) => n.name === 'shop')?.enforce.level, 'baseline');
    const asBot = report(
      cli([
        'report',
        '--format',
        'json',
        '--hardening',
        'off',
        '--as-user',
        'ci-bot',
        '--admission-config',
        join(dir, 'psa.yaml'),
        join(dir, 'pods.yaml'),
      ]).out,
    );
    const shop = asBot.namespaces.find((n) => n.name === 'shop');
    assert.match(shop?.workloads[0]?.exemption ?? '', /requests by "ci-bot"/);
    assert.deepEqual(shop?.scenarios.find((s) => s.kind === 'current')?.rejected, []);
    // The check command agrees: one note, no finding, exit 0.
    const check = cli([
      '--hardening',
      'off',
      '--as-user',
      'ci-bot',
      '--admission-config',
      join(dir, 'psa.yaml'),
      join(dir, 'pods.yaml'),
    ]);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, /note {2}Exempt from Pod Security: requests by "ci-bot"/);
  });
});
