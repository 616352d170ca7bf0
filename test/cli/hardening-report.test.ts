/**
 * `podsec report`'s hardening section reads what `podsec` (the check
 * command) reads: a chart as it renders, an overlay as it builds (its base
 * and the chart's templates are not read as objects of their own), and each
 * file's `.podsec.yaml` `hardening:` key; `--hardening` wins over the file.
 * Its counts are the check command's findings, check by check.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AdvisorReport } from '@podsec/server';
import { cli, tempTree } from '../support/cli';
import {
  hardenedDeployment,
  kzOverlays,
  networkPolicyYaml,
  WEB_CHART_YAML,
  webChartTemplate,
} from '../support/manifests';

const tree = (files: Record<string, string>): string => tempTree(files, 'podsec-hardening-rep-');

/** A chart (its web Deployment isolated by a plain file's policy), two overlays of one base, a `hardening:` key. */
const FILES: Record<string, string> = {
  '.podsec.yaml': 'hardening:\n  serviceAccountToken: off\n  resourceLimits: error\n',
  'chart/Chart.yaml': WEB_CHART_YAML,
  'chart/values.yaml': 'image: nginx\nresources: {}\n',
  'chart/templates/deployment.yaml': webChartTemplate(),
  'policies/netpol.yaml': networkPolicyYaml('web-in', 'default', 'web'),
  ...kzOverlays(
    hardenedDeployment('api', { selector: { app: 'api' } }),
    networkPolicyYaml('api-in', 'prod', 'api'),
  ),
};

interface JsonFinding {
  check: string;
  family?: string;
  severity: string;
}

/** The check command's hardening findings: how many per check, and each check's severities. */
function checkCounts(dir: string, extra: string[] = []): Map<string, { n: number; sev: string[] }> {
  const r = cli(['--format', 'json', ...extra, dir], { cwd: dir });
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const doc = JSON.parse(r.out) as { files: Array<{ findings: JsonFinding[] }> };
  const out = new Map<string, { n: number; sev: string[] }>();
  for (const f of doc.files.flatMap((x) => x.findings)) {
    if (f.family !== 'hardening') continue;
    const c = out.get(f.check) ?? { n: 0, sev: [] };
    c.n++;
    if (!c.sev.includes(f.severity)) c.sev.push(f.severity);
    out.set(f.check, c);
  }
  return out;
}

function report(dir: string, extra: string[] = []): NonNullable<AdvisorReport['hardening']> {
  const r = cli(['report', '--format', 'json', ...extra, dir], { cwd: dir });
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const doc = JSON.parse(r.out) as AdvisorReport;
  assert.ok(doc.hardening, 'the report has its hardening section');
  return doc.hardening;
}

/** The report's checks as the check command's counts are kept (checks with findings). */
function reported(h: NonNullable<AdvisorReport['hardening']>): Map<string, number> {
  return new Map(h.checks.filter((c) => c.findings > 0).map((c) => [c.check, c.findings]));
}

describe('podsec report: the hardening section reads what the check command reads', () => {
  it('a chart, overlays and a hardening: key: the same findings per check as podsec, at the same settings', () => {
    const dir = tree(FILES);
    const h = report(dir);
    const checked = checkCounts(dir);
    assert.deepEqual(
      reported(h),
      new Map([...checked].map(([k, v]) => [k, v.n])),
      'the report counts what the check command reports',
    );
    // the file's hardening: key: one check off, one at error, in both commands
    assert.equal(
      h.checks.find((c) => c.check === 'serviceAccountToken'),
      undefined,
    );
    assert.equal(checked.get('serviceAccountToken'), undefined);
    assert.equal(h.checks.find((c) => c.check === 'resourceLimits')?.severity, 'error');
    assert.deepEqual(checked.get('resourceLimits')?.sev, ['error']);
    // the chart as rendered (once, in "default", isolated by the plain policy) and the base as each
    // overlay builds it: never the base in "default", never a template read as a file
    assert.deepEqual(
      h.namespaces.map((n) => [n.namespace, n.workloads, n.isolatedAny]),
      [
        ['default', 1, 1],
        ['dev', 1, 0],
        ['prod', 1, 1],
      ],
    );
    // resource findings: the chart's one container and the base's, in each of two overlays (listed
    // once at the base, naming both)
    assert.equal(reported(h).get('resourceRequests'), 2);
  });

  it('--hardening wins over the hardening: key, in the report as in the check command', () => {
    const dir = tree(FILES);
    const flag = ['--hardening', 'resourceLimits=warning,serviceAccountToken=information'];
    const h = report(dir, flag);
    const checked = checkCounts(dir, flag);
    assert.equal(h.checks.find((c) => c.check === 'resourceLimits')?.severity, 'warning');
    assert.equal(h.checks.find((c) => c.check === 'serviceAccountToken')?.severity, 'information');
    assert.deepEqual(reported(h), new Map([...checked].map(([k, v]) => [k, v.n])));
    assert.ok((checked.get('serviceAccountToken')?.n ?? 0) > 0);
  });

  it('hardening: off in the file leaves the section out, as the check command reports none', () => {
    const dir = tree({ ...FILES, '.podsec.yaml': 'hardening: off\n' });
    const r = cli(['report', '--format', 'json', dir], { cwd: dir });
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const doc = JSON.parse(r.out) as AdvisorReport;
    assert.equal(doc.hardening, undefined);
    assert.equal(checkCounts(dir).size, 0);
    // one check named on the command line runs in both
    const one = ['--hardening', 'resourceRequests=warning'];
    const h = report(dir, one);
    assert.deepEqual(
      h.checks.map((c) => c.check),
      ['resourceRequests'],
    );
    assert.deepEqual(
      reported(h),
      new Map([['resourceRequests', checkCounts(dir, one).get('resourceRequests')?.n]]),
    );
    assert.equal(reported(h).get('resourceRequests'), 2);
  });

  it('--hardening on turns back on what the file turns off, in both commands', () => {
    const dir = tree({
      ...FILES,
      '.podsec.yaml': 'hardening: off\nseverity: {resourceLimits: error}\n',
    });
    const on = ['--hardening', 'on'];
    const h = report(dir, on);
    const checked = checkCounts(dir, on);
    assert.ok(checked.size > 0, 'the check command reports hardening findings');
    assert.deepEqual(reported(h), new Map([...checked].map(([k, v]) => [k, v.n])));
    // back on at the file's severity entry, else the default
    assert.deepEqual(checked.get('resourceLimits')?.sev, ['error']);
    assert.deepEqual(checked.get('resourceRequests')?.sev, ['warning']);
    // a later --hardening off wins again
    assert.equal(checkCounts(dir, ['--hardening', 'on', '--hardening', 'off']).size, 0);
  });

  it("the check command's --summary has the same hardening section as podsec report", () => {
    const dir = tree(FILES);
    const target = join(dir, 'summary.md');
    const r = cli(['--summary', dir], { cwd: dir, env: { GITHUB_STEP_SUMMARY: target } });
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const section = (md: string): string => md.slice(md.indexOf('## Hardening checks'));
    const summary = section(readFileSync(target, 'utf8'));
    assert.match(summary, /^## Hardening checks/);
    assert.match(summary, /\| `resourceLimits` \| error \| 2 \|/);
    const md = cli(['report', '--format', 'markdown', dir], { cwd: dir });
    assert.equal(summary.trimEnd(), section(md.out).trimEnd());
  });
});
