/**
 * `--format sarif` as code scanning reads it: valid against the SARIF 2.1.0
 * JSON Schema (the schema shipped by an npm package, validated with Ajv's
 * draft-04 class), fingerprints that survive lines moving, suppressed
 * findings kept with their justification, rules ranked and explained, and
 * fixes that are exactly --fix's edits.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { SECURITY_SEVERITY } from '@podsec/server/out/render/index';
import { CHECKS } from '@podsec/server/out/engine/index';
import { cli, tempTree } from '../support/cli';

const SCHEMA = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

function validator() {
  // The schema's language-tag pattern is not valid with the `u` flag; it was written for
  // ECMAScript's plain regular expressions.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
}
const validate = validator();

interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface Result {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { region: Region } }>;
  partialFingerprints: Record<string, string>;
  suppressions?: Array<{ kind: string; justification: string }>;
  baselineState?: string;
  fixes?: Array<{
    description: { text: string };
    artifactChanges: Array<{
      replacements: Array<{ deletedRegion: Region; insertedContent: { text: string } }>;
    }>;
    properties: { safe: boolean };
  }>;
  properties: Record<string, unknown>;
}
interface Log {
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: Array<{
          id: string;
          help?: { text: string; markdown: string };
          properties?: Record<string, unknown>;
        }>;
      };
    };
    invocations: Array<{
      executionSuccessful: boolean;
      exitCode: number;
      properties: { policy: { level: string; version: string } };
    }>;
    results: Result[];
  }>;
}

function sarif(args: string[]): Log {
  const r = cli(['--format', 'sarif', ...args]);
  const log = JSON.parse(r.out) as Log;
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  return log;
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: app
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
        - name: sidecar
          image: side
`;

const dir = (files: Record<string, string>): string => tempTree(files, 'podsec-sarif-');

/** Applies replacements given as 1-based line/column regions (columns in code points). */
function applyRegions(
  text: string,
  edits: Array<{ deletedRegion: Region; insertedContent: { text: string } }>,
): string {
  const lines = text.split('\n');
  const offset = (line: number, column: number) => {
    let o = 0;
    for (let i = 0; i < line - 1; i++) o += (lines[i] ?? '').length + 1;
    return o + [...(lines[line - 1] ?? '')].slice(0, column - 1).join('').length;
  };
  const spans = edits
    .map((e) => ({
      start: offset(e.deletedRegion.startLine, e.deletedRegion.startColumn),
      end: offset(e.deletedRegion.endLine, e.deletedRegion.endColumn),
      text: e.insertedContent.text,
    }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

describe('SARIF 2.1.0 for code scanning', () => {
  it('validates against the SARIF 2.1.0 schema, for findings, errors, read errors and suppressions', () => {
    const d = dir({
      'deploy.yaml': DEPLOY,
      'broken.yaml': 'kind: Pod\nspec: [\n',
      'quiet.yaml': DEPLOY.replace(
        '            privileged: true',
        '            # podsec-ignore privileged -- the node agent needs it\n            privileged: true',
      ),
    });
    const log = sarif([d, join(d, 'missing.yaml')]);
    const results = log.runs[0]?.results ?? [];
    assert.ok(results.some((r) => r.ruleId === 'read'));
    assert.ok(results.some((r) => r.ruleId === 'yaml'));
    assert.ok(results.some((r) => r.suppressions));
    // The schema rejects what it should: a result without a message.
    const bad = structuredClone(log) as unknown as { runs: Array<{ results: unknown[] }> };
    bad.runs[0]?.results.push({ ruleId: 'x' });
    assert.equal(validate(bad), false);
  });

  it('driver: version, informationUri; invocations: the policy and the exit status', () => {
    const d = dir({ 'deploy.yaml': DEPLOY });
    const log = sarif(['--level', 'baseline', '--policy-version', 'v1.30', d]);
    const run0 = log.runs[0];
    assert.ok(run0);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(run0.tool.driver.name, 'podsec');
    assert.equal(run0.tool.driver.version, pkg.version);
    assert.match(run0.tool.driver.informationUri, /^https:\/\//);
    assert.deepEqual(run0.invocations[0]?.properties.policy, {
      level: 'baseline',
      version: 'v1.30',
    });
    assert.equal(run0.invocations[0]?.exitCode, 1);
    assert.equal(run0.invocations[0]?.executionSuccessful, true);
  });

  it('rules rank (security-severity by level) and explain (help with the allowed values)', () => {
    const log = sarif([dir({ 'deploy.yaml': DEPLOY })]);
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    for (const c of CHECKS) {
      const rule = rules.find((r) => r.id === c.id);
      assert.ok(rule, c.id);
      assert.equal(
        rule.properties?.['security-severity'],
        SECURITY_SEVERITY[c.level].enforce.toFixed(1),
      );
      assert.ok(rule.help?.text.includes(c.allowed), c.id);
      assert.ok(rule.help?.markdown.includes(c.fields[0] ?? ''), c.id);
    }
    // Baseline checks rank above restricted ones, enforce above warn above audit.
    assert.ok(SECURITY_SEVERITY.baseline.enforce > SECURITY_SEVERITY.restricted.enforce);
    for (const l of ['baseline', 'restricted'] as const) {
      const s = SECURITY_SEVERITY[l];
      assert.ok(s.enforce > s.warn && s.warn > s.audit);
    }
    const priv = log.runs[0]?.results.find((r) => r.ruleId === 'privileged');
    assert.equal(priv?.properties['security-severity'], '8.0');
    assert.equal(rules[priv?.ruleIndex ?? -1]?.id, 'privileged');
  });

  it('fingerprints do not move when lines are inserted above, and tell findings apart', () => {
    const d = dir({ 'deploy.yaml': DEPLOY });
    const before = sarif([join(d, 'deploy.yaml')]).runs[0]?.results ?? [];
    writeFileSync(
      join(d, 'deploy.yaml'),
      `# a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${DEPLOY.replace('  name: web\n', '  labels: {a: b}\n  name: web\n')}`,
    );
    const after = sarif([join(d, 'deploy.yaml')]).runs[0]?.results ?? [];
    const key = (r: Result) => `${r.ruleId} ${r.message.text}`;
    assert.ok(before.length > 3);
    assert.equal(after.length, before.length);
    for (const b of before) {
      const a = after.find((x) => key(x) === key(b));
      assert.ok(a, key(b));
      assert.notEqual(
        a.locations[0]?.physicalLocation.region.startLine,
        b.locations[0]?.physicalLocation.region.startLine,
      );
      assert.deepEqual(a.partialFingerprints, b.partialFingerprints, key(b));
    }
    const fps = before.map((r) => r.partialFingerprints['podsec/v1']);
    assert.equal(new Set(fps).size, fps.length, 'every fingerprint is distinct');
    // A renamed workload is another finding.
    writeFileSync(join(d, 'deploy.yaml'), DEPLOY.replace('name: web', 'name: shop'));
    const renamed = sarif([join(d, 'deploy.yaml')]).runs[0]?.results ?? [];
    for (const r of renamed) assert.ok(!fps.includes(r.partialFingerprints['podsec/v1']));
  });

  it('keeps suppressed findings with kind inSource and the justification; JSON lists them', () => {
    const text = DEPLOY.replace(
      '            privileged: true',
      '            # podsec-ignore privileged -- the node agent needs it\n            privileged: true',
    );
    const d = dir({ 'deploy.yaml': text });
    const results = sarif([d]).runs[0]?.results ?? [];
    const priv = results.filter((r) => r.ruleId === 'privileged');
    assert.equal(priv.length, 1);
    assert.deepEqual(
      priv[0]?.suppressions?.map((s) => [s.kind, s.justification]),
      [['inSource', 'the node agent needs it']],
    );
    assert.ok(results.filter((r) => r.ruleId !== 'privileged').every((r) => !r.suppressions));
    const json = JSON.parse(cli(['--format', 'json', d]).out) as {
      files: Array<{
        findings: Array<{ check: string }>;
        suppressed: Array<{
          check: string;
          line: number;
          suppression: { kind: string; justification: string; line: number };
        }>;
      }>;
      summary: { suppressed: number };
    };
    const file = json.files[0];
    assert.ok(file);
    assert.ok(!file.findings.some((f) => f.check === 'privileged'));
    assert.deepEqual(
      file.suppressed.map((s) => [s.check, s.line, s.suppression]),
      [
        [
          'privileged',
          14,
          { kind: 'comment', justification: 'the node agent needs it', line: 13, column: 13 },
        ],
      ],
    );
    assert.equal(json.summary.suppressed, 1);
    // A suppressed finding does not fail the run on its own.
    const only = dir({
      'pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: a\n      securityContext:\n        # podsec-ignore privileged -- test\n        privileged: true\n',
    });
    assert.equal(cli(['--level', 'baseline', only]).code, 0);
  });

  it("results carry fixes whose replacements are exactly --fix's edits", () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a # the app, é
      image: a
      securityContext:
        privileged: true
`;
    const d = dir({ 'pod.yaml': pod });
    const results = sarif(['--level', 'baseline', d]).runs[0]?.results ?? [];
    const priv = results.find((r) => r.ruleId === 'privileged');
    const fix = priv?.fixes?.[0];
    assert.ok(fix);
    // privileged: false can stop the workload working: the fix says so, as --fix-unsafe's.
    assert.equal(fix.properties.safe, false);
    assert.match(fix.description.text, /--fix-unsafe/);
    const viaSarif = applyRegions(pod, fix.artifactChanges[0]?.replacements ?? []);
    assert.equal(cli(['--level', 'baseline', '--fix-unsafe', d]).code, 0);
    assert.equal(viaSarif, readFileSync(join(d, 'pod.yaml'), 'utf8'));
    assert.notEqual(viaSarif, pod);
  });
});

describe('baselines', () => {
  it('round trip: --write-baseline, then only new findings fail (JSON and SARIF baselines)', () => {
    const d = dir({ 'deploy.yaml': DEPLOY });
    const file = join(d, 'deploy.yaml');
    const base = join(d, 'baseline.json');
    const first = cli(['--write-baseline', base, file]);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /existing, in the baseline/);
    const written = JSON.parse(readFileSync(base, 'utf8')) as {
      files: Array<{ findings: Array<{ fingerprint: string }> }>;
    };
    assert.ok((written.files[0]?.findings.length ?? 0) > 0);
    // Unchanged (even with lines moved): passes, every finding a note.
    writeFileSync(file, `# moved\n${DEPLOY}`);
    const again = cli(['--baseline', base, file]);
    assert.equal(again.code, 0, again.out);
    assert.ok(!/ {2}error {2}/.test(again.out), again.out);
    assert.match(again.out, /^✓ .*existing/m);
    // A new finding fails, and only it is an error.
    writeFileSync(
      file,
      `# moved\n${DEPLOY.replace('        - name: sidecar', '          ports: [{containerPort: 80, hostPort: 80}]\n        - name: sidecar')}`,
    );
    const fresh = cli(['--level', 'baseline', '--baseline', base, file]);
    assert.equal(fresh.code, 1);
    const errors = fresh.out.split('\n').filter((l) => / {2}error {2}/.test(l));
    assert.equal(errors.length, 1, fresh.out);
    assert.match(errors[0] ?? '', /\[hostPorts\]/);
    // SARIF marks the states and lowers the existing ones to note; a SARIF output is a baseline too.
    const sarifLog = sarif(['--level', 'baseline', '--baseline', base, file]);
    const states = sarifLog.runs[0]?.results.map((r) => [r.ruleId, r.baselineState, r.level]);
    assert.deepEqual(
      states?.filter((s) => s[1] === 'new'),
      [['hostPorts', 'new', 'error']],
    );
    assert.ok(states?.filter((s) => s[1] === 'unchanged').every((s) => s[2] === 'note'));
    const sarifBase = join(d, 'baseline.sarif');
    writeFileSync(sarifBase, JSON.stringify(sarifLog));
    assert.equal(cli(['--level', 'baseline', '--baseline', sarifBase, file]).code, 0);
  });

  it('a missing or foreign baseline is an error (exit 2), never a silent pass', () => {
    const d = dir({
      'deploy.yaml': DEPLOY,
      'other.json': '{"runs":[{"tool":{"driver":{"name":"x"}}}]}',
    });
    const missing = cli(['--baseline', join(d, 'nope.json'), d]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read the baseline .*nope\.json: ENOENT/);
    const foreign = cli(['--baseline', join(d, 'other.json'), d]);
    assert.equal(foreign.code, 2);
    assert.match(foreign.err, /without a podsec run/);
    writeFileSync(join(d, 'bad.json'), '{ not json');
    assert.match(cli(['--baseline', join(d, 'bad.json'), d]).err, /not JSON/);
  });

  it('.podsec.yaml names the baseline (relative to the file)', () => {
    const d = dir({ 'deploy.yaml': DEPLOY, '.podsec.yaml': 'baseline: ci/podsec-baseline.json\n' });
    const ci = join(d, 'ci');
    mkdirSync(ci);
    assert.equal(
      cli(['--write-baseline', join(ci, 'podsec-baseline.json'), d], { cwd: d }).code,
      0,
    );
    // Files are known by their path from the working folder, however the command names them.
    const r = cli([join(d, '.', 'deploy.yaml')], { cwd: d });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /existing, in the baseline/);
    // Outside that folder the file does not apply.
    assert.equal(cli([d], { cwd: tmpdir() }).code, 1);
  });
});
