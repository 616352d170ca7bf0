/**
 * `.podsec.yaml` on the command line: the nearest file upward from each
 * input (stopping at the repository root), `--config`, `--no-config`, the
 * command line over the file, `severity`, `exclude`, `failOnSkipped`, and
 * the file's own problems reported in it. Also `{{` outside a chart and a
 * chart's templates.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECK_IDS } from '@podsec/server';
import { cli } from '../support/cli';

/** A repository (a folder with .git) holding `files`. */
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'podsec-config-'));
  mkdirSync(join(dir, '.git'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Fails restricted only (no runAsNonRoot, no seccomp, no drop ALL). */
const BASELINE_OK = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: app
      image: app
`;
/** Fails baseline: hostPID. */
const HOST_PID = `apiVersion: v1
kind: Pod
metadata: {name: agent}
spec:
  hostPID: true
  containers:
    - name: a
      image: a
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

/** Pod Security findings only (the hardening checks' are left out). */
const isPss = (f: { check: string }): boolean => (CHECK_IDS as readonly string[]).includes(f.check);
const checksIn = (json: string): string[] =>
  (JSON.parse(json) as { files: Array<{ findings: Array<{ check: string }> }> }).files.flatMap(
    (f) => f.findings.filter(isPss).map((x) => x.check),
  );

describe('.podsec.yaml on the command line', () => {
  it('the nearest file upward applies to each file; none above the repository root', () => {
    const dir = repo({
      '.podsec.yaml': 'level: baseline\n',
      'apps/web.yaml': BASELINE_OK,
      'strict/.podsec.yaml': 'level: restricted\n',
      'strict/web.yaml': BASELINE_OK,
    });
    const r = cli([dir, '--format', 'json']);
    const files = (
      JSON.parse(r.out) as { files: Array<{ path: string; findings: Array<{ check: string }> }> }
    ).files;
    const byPath = new Map(files.map((f) => [f.path, f.findings.filter(isPss).length]));
    assert.equal(byPath.get(join(dir, 'apps/web.yaml')), 0);
    assert.ok((byPath.get(join(dir, 'strict/web.yaml')) ?? 0) > 0);
    assert.equal(r.code, 1);
    // A .podsec.yaml above the repository root is not read.
    const outer = mkdtempSync(join(tmpdir(), 'podsec-outer-'));
    writeFileSync(join(outer, '.podsec.yaml'), 'level: privileged\n');
    const inner = join(outer, 'repo');
    mkdirSync(join(inner, '.git'), { recursive: true });
    writeFileSync(join(inner, 'pod.yaml'), HOST_PID);
    assert.equal(cli([inner]).code, 1);
  });

  it('the command line wins over the file; --no-config and --config', () => {
    const dir = repo({ '.podsec.yaml': 'level: baseline\n', 'web.yaml': BASELINE_OK });
    assert.equal(cli([dir]).code, 0);
    assert.equal(cli([dir, '--level', 'restricted']).code, 1);
    assert.equal(cli([dir, '--no-config']).code, 1);
    const other = repo({ 'privileged.yaml': 'level: privileged\n', 'agent.yaml': HOST_PID });
    assert.equal(cli([join(other, 'agent.yaml')]).code, 1);
    assert.equal(
      cli([join(other, 'agent.yaml'), '--config', join(other, 'privileged.yaml')]).code,
      0,
    );
    const missing = cli([dir, '--config', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read --config/);
  });

  it('severity per check and per mode, and exclude (files found in folders)', () => {
    const dir = repo({
      '.podsec.yaml':
        'level: baseline\nseverity:\n  hostNamespaces: warning\nexclude: ["legacy/**"]\n',
      'agent.yaml': HOST_PID,
      'legacy/old.yaml': HOST_PID.replace('agent', 'old'),
    });
    const r = cli([dir, '--format', 'json']);
    assert.equal(r.code, 0, r.out);
    const files = (
      JSON.parse(r.out) as {
        files: Array<{ path: string; findings: Array<{ check: string; severity: string }> }>;
      }
    ).files;
    assert.deepEqual(
      files.map((f) => f.path),
      [join(dir, 'agent.yaml')],
    );
    assert.deepEqual(
      files[0]?.findings.filter(isPss).map((f) => [f.check, f.severity]),
      [['hostNamespaces', 'warning']],
    );
    writeFileSync(join(dir, '.podsec.yaml'), 'level: baseline\nseverity:\n  enforce: off\n');
    assert.deepEqual(checksIn(cli([dir, '--format', 'json']).out), []);
    // A file named on the command line is checked even when excluded.
    writeFileSync(join(dir, '.podsec.yaml'), 'level: baseline\nexclude: ["legacy/**"]\n');
    assert.deepEqual(checksIn(cli([join(dir, 'legacy/old.yaml'), '--format', 'json']).out), [
      'hostNamespaces',
    ]);
  });

  it('an invalid key is reported in the file, at the key; the other keys still apply', () => {
    const dir = repo({
      '.podsec.yaml': 'level: baseline\nversion: v9.x\n',
      'web.yaml': BASELINE_OK,
    });
    const r = cli([dir]);
    assert.equal(r.code, 1);
    assert.match(r.out, /\.podsec\.yaml:2:10 {2}error {2}version: /);
    assert.doesNotMatch(r.out, /web\.yaml:.*\[runAsNonRoot\]/);
    assert.deepEqual(checksIn(cli([dir, '--format', 'json']).out), []);
  });

  it('failOnSkipped: a file not evaluated fails the run', () => {
    // A remote resource of a kustomization is never fetched: part of the build is not evaluated.
    const overlay = {
      'k/kustomization.yaml': 'resources:\n- https://example.com/remote.yaml\n- pod.yaml\n',
      'k/pod.yaml': BASELINE_OK,
    };
    const quiet = repo({ '.podsec.yaml': 'level: baseline\n', ...overlay });
    const r = cli([quiet, '--hardening', 'off']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /remote resource https:\/\/example\.com\/remote\.yaml was not fetched/);
    const strict = repo({ '.podsec.yaml': 'level: baseline\nfailOnSkipped: true\n', ...overlay });
    assert.equal(cli([strict]).code, 1);
  });
});

describe('{{ … }} on the command line', () => {
  it('outside a chart, a file with {{ in strings is evaluated', () => {
    const dir = repo({
      'monitoring.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata:\n  a.json: '{"legendFormat": "{{instance}}"}'\n---\n${HOST_PID}`,
    });
    const r = cli([dir, '--level', 'baseline', '--format', 'json']);
    assert.deepEqual(checksIn(r.out), ['hostNamespaces']);
    assert.equal(r.code, 1);
  });
  it('a templates/ folder without Chart.yaml is not a chart', () => {
    const dir = repo({ 'templates/pod.yaml': `${HOST_PID}  # {{ not a chart }}\n` });
    assert.deepEqual(checksIn(cli([dir, '--level', 'baseline', '--format', 'json']).out), [
      'hostNamespaces',
    ]);
  });
});

const ADMISSION = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults:
        enforce: baseline
      exemptions:
        namespaces: [kube-system]
        usernames: [ci-bot]
`;
const podIn = (ns: string) => HOST_PID.replace('{name: agent}', `{name: agent, namespace: ${ns}}`);

describe('the admission configuration on the command line', () => {
  it('found among the inputs when there is exactly one: defaults and an exempt namespace', () => {
    const dir = repo({ 'cluster/admission.yaml': ADMISSION, 'apps/a.yaml': podIn('kube-system') });
    const r = cli([dir]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /note {2}Exempt from Pod Security: namespace "kube-system"/);
    writeFileSync(join(dir, 'apps/b.yaml'), podIn('shop'));
    const s = cli([dir, '--format', 'json']);
    assert.equal(s.code, 1);
    assert.deepEqual(checksIn(s.out), ['hostNamespaces']);
  });
  it('--admission-config, the admissionConfiguration key, --as-user, and an invalid entry reported in the file', () => {
    const dir = repo({ 'apps/a.yaml': podIn('shop') });
    const outside = repo({ 'psa.yaml': ADMISSION });
    // Not among the inputs: nothing found, the --level default (restricted) applies.
    assert.ok(checksIn(cli([dir, '--format', 'json']).out).includes('runAsNonRoot'));
    const named = cli([dir, '--admission-config', join(outside, 'psa.yaml'), '--format', 'json']);
    assert.deepEqual(checksIn(named.out), ['hostNamespaces']);
    writeFileSync(
      join(dir, '.podsec.yaml'),
      `admissionConfiguration: ${join(outside, 'psa.yaml')}\n`,
    );
    assert.deepEqual(checksIn(cli([dir, '--format', 'json']).out), ['hostNamespaces']);
    const asUser = cli([dir, '--as-user', 'ci-bot']);
    assert.equal(asUser.code, 0);
    assert.match(asUser.out, /requests by "ci-bot"/);
    writeFileSync(join(outside, 'psa.yaml'), ADMISSION.replace('[kube-system]', '[Bad_Name]'));
    const bad = cli([dir]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.out,
      /psa\.yaml:11:22 {2}error {2}exemptions\.namespaces\[0\]: Invalid value: "Bad_Name"/,
    );
  });
});
