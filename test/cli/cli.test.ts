/**
 * The `podsec` command line: inputs, formats, exit codes and --fix, run
 * in-process through the same entry point the bin script calls, and once
 * as a real process.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { firstInvalidUtf8 } from '@podsec/server/out/cli/main';
import { cli, podsecProcess, tempTree } from '../support/cli';

/** For tests of the Pod Security output alone: the hardening checks off. */
const PSS_ONLY = ['--hardening', 'off'];

const INSECURE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app # the app
          image: app
          securityContext:
            privileged: true
`;

const SECURE = `apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: app
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

const workspace = (files: Record<string, string | Buffer>): string =>
  tempTree(files, 'podsec-cli-');

describe('podsec command line', () => {
  it('exits 0 with no error findings, 1 with some, 2 on usage and read errors', () => {
    const dir = workspace({ 'ok.yaml': SECURE, 'bad.yaml': INSECURE });
    assert.equal(cli([join(dir, 'ok.yaml')]).code, 0);
    assert.equal(cli([join(dir, 'bad.yaml')]).code, 1);
    assert.equal(cli(['--level', 'privileged', join(dir, 'bad.yaml')]).code, 0);
    assert.equal(cli(['--level', 'strict', join(dir, 'ok.yaml')]).code, 2);
    assert.equal(cli(['--policy-version', 'v2.0', join(dir, 'ok.yaml')]).code, 2);
    assert.equal(cli(['--bogus', join(dir, 'ok.yaml')]).code, 2);
    assert.equal(cli([]).code, 2);
    const missing = cli([join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.out, /cannot read: ENOENT/);
  });

  it('walks directories for *.yaml and *.yml, skipping node_modules and .git', () => {
    const dir = workspace({
      'a/one.yaml': INSECURE,
      'a/b/two.yml': INSECURE,
      'a/readme.md': 'privileged: true',
      'node_modules/x/three.yaml': INSECURE,
      '.git/four.yaml': INSECURE,
    });
    const r = cli(['--format', 'json', dir]);
    const doc = JSON.parse(r.out) as { files: Array<{ path: string }> };
    assert.deepEqual(
      doc.files.map((f) => f.path.slice(dir.length + 1)),
      ['a/b/two.yml', 'a/one.yaml'],
    );
  });

  it('prints JSON in exactly the documented shape', () => {
    const dir = workspace({ 'bad.yaml': INSECURE });
    const r = cli(['--format', 'json', join(dir, 'bad.yaml')]);
    const doc = JSON.parse(r.out) as Record<string, unknown> & {
      files: Array<{
        findings: Array<Record<string, unknown>>;
        errors: unknown[];
        notes: unknown[];
      }>;
      summary: Record<string, number>;
    };
    assert.deepEqual(Object.keys(doc), ['policy', 'files', 'skipped', 'summary']);
    assert.deepEqual(doc.skipped, []);
    assert.deepEqual(doc.policy, { level: 'restricted', version: 'v1.37' });
    const file = doc.files[0];
    assert.ok(file);
    assert.deepEqual(Object.keys(file), ['path', 'findings', 'suppressed', 'errors', 'notes']);
    const priv = file.findings.find((f) => f.check === 'privileged');
    assert.deepEqual(priv && Object.keys(priv), [
      'check',
      'level',
      'severity',
      'message',
      'summary',
      'line',
      'column',
      'endLine',
      'endColumn',
      'object',
      'container',
      'path',
      'policy',
      'fixable',
      'fingerprint',
    ]);
    assert.match(String(priv?.fingerprint), /^[0-9a-f]{32}$/);
    assert.deepEqual(
      { ...priv, message: undefined, fingerprint: undefined },
      {
        check: 'privileged',
        level: 'baseline',
        severity: 'error',
        message: undefined,
        summary: 'Deployment web, container app: set securityContext.privileged to false',
        line: 12,
        column: 13,
        endLine: 12,
        endColumn: 29,
        object: { kind: 'Deployment', name: 'web', namespace: null, document: 0 },
        container: 'app',
        path: 'spec.template.spec.containers[0].securityContext.privileged',
        policy: { level: 'restricted', version: 'v1.37' },
        fixable: true,
        fingerprint: undefined,
      },
    );
    assert.match(
      String(priv?.message),
      /container "app" must not set securityContext\.privileged=true/,
    );
    // upstream's wording and the field path stay in `message`; `summary` is the short form
    assert.match(String(priv?.message), / at spec\.template\.spec\.containers\[0\]/);
    assert.deepEqual(doc.summary, {
      files: 1,
      objects: 1,
      findings: file.findings.length,
      errors: 0,
      skipped: 0,
      notWritten: 0,
      suppressed: 0,
    });
  });

  it('prints text lines path:line:column severity short-message [check], and a summary', () => {
    const dir = workspace({ 'bad.yaml': INSECURE });
    const r = cli(['--level', 'baseline', ...PSS_ONLY, join(dir, 'bad.yaml')]);
    const lines = r.out.trim().split('\n');
    assert.equal(
      lines[0],
      `${join(dir, 'bad.yaml')}:12:13  error  Deployment web, container app: set securityContext.privileged to false  [privileged]`,
    );
    assert.match(lines.at(-1) ?? '', /^✖ 1 finding \(1 error, 0 warnings\) in 1 object, 1 file$/);
    assert.ok(!r.out.includes('\u001b['), 'no colours when not a terminal');
    assert.match(cli(['--color', '--level', 'baseline', join(dir, 'bad.yaml')]).out, /\[31m/);
  });

  it('prints valid SARIF 2.1.0 with a rule for every check and 1-based regions', () => {
    const dir = workspace({ 'bad.yaml': INSECURE });
    const r = cli(['--format', 'sarif', join(dir, 'bad.yaml')]);
    const log = JSON.parse(r.out) as {
      version: string;
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          locations: Array<{ physicalLocation: { region: Record<string, number> } }>;
        }>;
      }>;
    };
    assert.equal(log.version, '2.1.0');
    const runLog = log.runs[0];
    assert.ok(runLog);
    const ids = runLog.tool.driver.rules.map((x) => x.id);
    for (const id of [
      'privileged',
      'runAsNonRoot',
      'seccompProfile_restricted',
      'invalidSuppression',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    const priv = runLog.results.find((x) => x.ruleId === 'privileged');
    assert.equal(ids[priv?.ruleIndex ?? -1], 'privileged');
    assert.deepEqual(priv?.locations[0]?.physicalLocation.region, {
      startLine: 12,
      startColumn: 13,
      endLine: 12,
      endColumn: 29,
    });
    // every result names a rule of the run, PodSecurityPolicy warnings included
    const psp = workspace({
      'psp.yaml':
        'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: old}\nspec: {privileged: true}\n',
    });
    const all = JSON.parse(cli(['--format', 'sarif', dir, psp]).out) as typeof log;
    const run = all.runs[0];
    assert.ok(run);
    const ruleIds = run.tool.driver.rules.map((x) => x.id);
    assert.ok(run.results.some((x) => x.ruleId === 'podSecurityPolicy'));
    for (const res of run.results) assert.equal(ruleIds[res.ruleIndex], res.ruleId, res.ruleId);
  });

  it('places invalid UTF-8 at its first bad byte, past real U+FFFD and non-ASCII text', () => {
    const bytes = Buffer.concat([
      Buffer.from('a: 1\r\nb: "\ufffd 🚀 é'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"\n'),
    ]);
    assert.deepEqual(firstInvalidUtf8(bytes), { line: 2, column: 10, byte: 21 });
    const r = cli(['-'], { stdin: bytes });
    assert.equal(r.code, 2);
    assert.match(r.out, /^-:2:10 {2}error {2}not valid UTF-8 \(byte 0xc3 at offset 21\)/m);
  });

  it('reads standard input and counts columns in characters, not bytes or UTF-16 units', () => {
    const text = `{"x": "é🚀"}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: "é🚀"}\nspec:\n  containers:\n    - {name: "🚀", image: a, securityContext: {privileged: true}}\n`;
    const r = cli(['--format', 'json', '--level', 'baseline', ...PSS_ONLY, '-'], { stdin: text });
    const doc = JSON.parse(r.out) as {
      files: Array<{
        path: string;
        findings: Array<{ line: number; column: number; endColumn: number }>;
      }>;
    };
    assert.equal(doc.files[0]?.path, '-');
    assert.deepEqual(
      doc.files[0]?.findings.map((f) => [f.line, f.column, f.endColumn]),
      [[8, 47, 63]],
    );
  });

  it('reports a byte-order mark transparently and invalid UTF-8 as a read error', () => {
    const dir = workspace({
      'bom.yaml': `\ufeff${INSECURE}`,
      'latin1.yaml': Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]),
    });
    const bom = JSON.parse(
      cli(['--format', 'json', '--level', 'baseline', ...PSS_ONLY, join(dir, 'bom.yaml')]).out,
    ) as {
      files: Array<{ findings: Array<{ line: number; column: number }> }>;
    };
    assert.deepEqual(
      bom.files[0]?.findings.map((f) => [f.line, f.column]),
      [[12, 13]],
    );
    const bad = cli([join(dir, 'latin1.yaml')]);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /not valid UTF-8/);
  });

  it('takes the policy from a Namespace in another file given together, unless told not to', () => {
    const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n    pod-security.kubernetes.io/warn: baseline\n`;
    const dir = workspace({
      'ns.yaml': ns,
      'app.yaml': INSECURE.replace('name: web', 'name: web\n  namespace: shop'),
    });
    const r = cli(['--format', 'json', ...PSS_ONLY, dir]);
    const doc = JSON.parse(r.out) as {
      files: Array<{ findings: Array<{ check: string; severity: string }> }>;
    };
    const findings = doc.files.flatMap((f) => f.findings);
    assert.deepEqual(
      findings.map((f) => [f.check, f.severity]),
      [['privileged', 'warning']],
    );
    assert.equal(r.code, 0, 'warnings alone do not fail');
    assert.equal(cli(['--ignore-namespace-labels', dir]).code, 1);
  });

  it('--fix applies the safe fixes in place, keeps comments, and a second --fix changes nothing', () => {
    const dir = workspace({ 'bad.yaml': INSECURE });
    const file = join(dir, 'bad.yaml');
    const first = cli(['--fix', file]);
    const fixed = readFileSync(file, 'utf8');
    assert.notEqual(fixed, INSECURE);
    assert.match(fixed, /# the app/);
    assert.match(first.out, /fixed \d+ finding/);
    const after = JSON.parse(cli(['--format', 'json', file]).out) as {
      files: Array<{ findings: Array<{ check: string; fixable: boolean }> }>;
    };
    const left = after.files[0]?.findings ?? [];
    for (const check of [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]) {
      assert.ok(!left.some((f) => f.check === check), `${check} was fixed`);
    }
    assert.ok(
      left.some((f) => f.check === 'privileged'),
      'unsafe fixes wait for --fix-unsafe',
    );
    cli(['--fix', file]);
    assert.equal(readFileSync(file, 'utf8'), fixed);
    cli(['--fix-unsafe', file]);
    const final = JSON.parse(cli(['--format', 'json', ...PSS_ONLY, file]).out) as {
      files: Array<{ findings: unknown[] }>;
    };
    assert.deepEqual(final.files[0]?.findings, []);
  });

  it('runs as a real process through the bin script', () => {
    const dir = workspace({ 'bad.yaml': INSECURE });
    const r = podsecProcess(['--level', 'baseline', join(dir, 'bad.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /\[privileged\]/);
    const v = podsecProcess(['--version']);
    assert.match(v.out, /^podsec \d+\.\d+\.\d+/);
  });
});
