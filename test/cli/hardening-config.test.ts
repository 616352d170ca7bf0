/**
 * `.podsec.yaml`'s `hardening` key in the command line: the family switch,
 * each check off or at a severity (an error fails the run), winning over the
 * file's `severity` entries, and `--hardening` winning over the file; each
 * folder's file applies to its own files in one run, and a bad value is
 * reported in the file at its place.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli as runCli, tempTree } from '../support/cli';
import type { Ran } from '../support/cli';
import { hardenedDeployment } from '../support/manifests';

const cli = (args: string[], cwd: string): Ran => runCli(args, { cwd });
const tree = (files: Record<string, string>): string => tempTree(files, 'podsec-hardening-config-');

interface JsonFinding {
  check: string;
  family?: string;
  severity: string;
}
interface JsonFile {
  path: string;
  findings: JsonFinding[];
  errors?: Array<{ message: string; line: number }>;
}

/** Hardening findings as `check:severity`, by path relative to `dir`. */
function hardening(
  dir: string,
  extra: string[] = [],
): { code: number; by: Record<string, string[]> } {
  const r = cli(['--format', 'json', ...extra, dir], dir);
  const doc = JSON.parse(r.out) as { files: JsonFile[] };
  const by: Record<string, string[]> = {};
  for (const f of doc.files) {
    const rel = f.path.startsWith(dir) ? f.path.slice(dir.length + 1) : f.path;
    by[rel] = f.findings
      .filter((x) => x.family === 'hardening')
      .map((x) => `${x.check}:${x.severity}`)
      .sort();
  }
  return { code: r.code, by };
}

/** Passes restricted; the hardening checks give networkPolicyIsolation, resource* and serviceAccountToken. */
const WEB = hardenedDeployment('web', { flowLabels: true });

const ALL = [
  'networkPolicyIsolation:information',
  'resourceLimits:warning',
  'resourceRequests:warning',
  'serviceAccountToken:information',
];

describe('podsec: .podsec.yaml hardening', () => {
  it('without the key every check runs at its default', () => {
    const r = hardening(tree({ 'web.yaml': WEB }));
    assert.deepEqual(r.by['web.yaml'], ALL);
    assert.equal(r.code, 0);
  });

  it('hardening: off turns the family off', () => {
    const r = hardening(tree({ '.podsec.yaml': 'hardening: off\n', 'web.yaml': WEB }));
    assert.deepEqual(r.by['web.yaml'], []);
  });

  it('a check off, a check at error (the run fails), and one at hint (information)', () => {
    const cfg = `hardening:
  networkPolicyIsolation: off
  resourceLimits: error
  resourceRequests: hint
`;
    const r = hardening(tree({ '.podsec.yaml': cfg, 'web.yaml': WEB }));
    assert.deepEqual(r.by['web.yaml'], [
      'resourceLimits:error',
      'resourceRequests:information',
      'serviceAccountToken:information',
    ]);
    assert.equal(r.code, 1);
  });

  it('the severity entries of the file apply to the hardening checks; the hardening key wins over them', () => {
    const cfg = `severity:
  resourceLimits: error
  serviceAccountToken: off
hardening:
  resourceLimits: warning
`;
    const r = hardening(tree({ '.podsec.yaml': cfg, 'web.yaml': WEB }));
    assert.deepEqual(r.by['web.yaml'], [
      'networkPolicyIsolation:information',
      'resourceLimits:warning',
      'resourceRequests:warning',
    ]);
    assert.equal(r.code, 0);
  });

  it('enabled: false with one check named on runs that one only', () => {
    const cfg = 'hardening:\n  enabled: false\n  serviceAccountToken: on\n';
    const r = hardening(tree({ '.podsec.yaml': cfg, 'web.yaml': WEB }));
    assert.deepEqual(r.by['web.yaml'], ['serviceAccountToken:information']);
  });

  it('--hardening wins over the file', () => {
    const dir = tree({ '.podsec.yaml': 'hardening:\n  resourceLimits: error\n', 'web.yaml': WEB });
    const r = hardening(dir, ['--hardening', 'resourceLimits=off']);
    assert.ok(!r.by['web.yaml']?.some((x) => x.startsWith('resourceLimits')));
    assert.equal(r.code, 0);
  });

  it('each folder’s file applies to its own files in one run', () => {
    const dir = tree({
      'a/.podsec.yaml': 'hardening: off\n',
      'a/web.yaml': WEB,
      'b/.podsec.yaml': 'hardening:\n  resourceLimits: error\n',
      'b/web.yaml': WEB.replace('name: web', 'name: web-b'),
    });
    const r = hardening(dir);
    assert.deepEqual(r.by['a/web.yaml'], []);
    assert.deepEqual(
      r.by['b/web.yaml'],
      ALL.map((x) => (x === 'resourceLimits:warning' ? 'resourceLimits:error' : x)),
    );
    assert.equal(r.code, 1);
  });

  it('a bad value is an error in .podsec.yaml at its line, and that check keeps its default', () => {
    const cfg = 'hardening:\n  resourceLimits: loud\n  networkPolicyIsolation: off\n';
    const dir = tree({ '.podsec.yaml': cfg, 'web.yaml': WEB });
    const r = cli(['--format', 'json', dir], dir);
    const doc = JSON.parse(r.out) as { files: JsonFile[] };
    const config = doc.files.find((f) => f.path.endsWith('.podsec.yaml'));
    assert.ok(config, 'the configuration file is reported');
    const e = config.errors?.find((x) => x.message.includes('hardening.resourceLimits'));
    assert.equal(e?.line, 2);
    const web = doc.files.find((f) => f.path.endsWith('web.yaml'));
    const checks = (web?.findings ?? [])
      .filter((x) => x.family === 'hardening')
      .map((x) => x.check);
    assert.ok(checks.includes('resourceLimits'));
    assert.ok(!checks.includes('networkPolicyIsolation'));
  });
});
