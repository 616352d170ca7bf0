/**
 * The hardening checks over Helm charts and Kustomize overlays as deployed,
 * in the command line: the objects a chart renders to and an overlay builds
 * join the run's other objects (a NetworkPolicy in a plain file isolates a
 * chart's workload, a policy in one overlay isolates that overlay only), and
 * their findings are reported where the user edits (the template line, the
 * base line), naming the overlay; the chart's templates and the overlay's
 * base are not read as objects of their own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempTree } from '../support/cli';
import {
  hardenedDeployment,
  kzOverlays,
  networkPolicyYaml,
  valuesResources,
  WEB_CHART_YAML,
  webChartTemplate,
} from '../support/manifests';

const tree = (files: Record<string, string>): string => tempTree(files, 'podsec-hardening-gen-');

interface JsonFinding {
  check: string;
  family?: string;
  line: number;
  message: string;
  fixable: boolean;
}

/** Findings by path relative to `dir` (hardening ones only). */
function hardening(dir: string, extra: string[] = []): Record<string, JsonFinding[]> {
  const r = cli(['--format', 'json', ...extra, dir]);
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const doc = JSON.parse(r.out) as { files: Array<{ path: string; findings: JsonFinding[] }> };
  const out: Record<string, JsonFinding[]> = {};
  for (const f of doc.files) {
    const rel = f.path.startsWith(dir) ? f.path.slice(dir.length + 1) : f.path;
    const own = f.findings.filter((x) => x.family === 'hardening');
    if (own.length > 0) out[rel] = [...(out[rel] ?? []), ...own];
  }
  return out;
}

const checks = (fs: JsonFinding[] | undefined): string[] => (fs ?? []).map((f) => f.check).sort();

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in the text`);
  return i + 1;
}

const TEMPLATE = webChartTemplate();

const CHART = {
  'chart/Chart.yaml': WEB_CHART_YAML,
  'chart/values.yaml': 'image: nginx\nresources: {}\n',
  'chart/templates/deployment.yaml': TEMPLATE,
};

const NETPOL = (ns: string, app: string) => networkPolicyYaml(`${app}-in`, ns, app);

const BASE = hardenedDeployment('api', { selector: { app: 'api' } });

const OVERLAYS = kzOverlays(BASE, NETPOL('prod', 'api'));

describe('podsec: hardening checks on charts and overlays as deployed', () => {
  it('a chart: findings of the rendered Deployment on the template lines, none read from the template alone', () => {
    const dir = tree(CHART);
    const f = hardening(dir);
    assert.deepEqual(Object.keys(f), ['chart/templates/deployment.yaml']);
    const own = f['chart/templates/deployment.yaml'];
    assert.deepEqual(checks(own), [
      'networkPolicyIsolation',
      'resourceLimits',
      'resourceRequests',
      'serviceAccountToken',
    ]);
    const at = (c: string) => own?.find((x) => x.check === c)?.line;
    assert.equal(at('networkPolicyIsolation'), lineOf(TEMPLATE, 'labels:'));
    assert.equal(at('resourceRequests'), lineOf(TEMPLATE, 'resources:'));
    assert.equal(at('serviceAccountToken'), lineOf(TEMPLATE, '    spec:'));
    assert.match(own?.find((x) => x.check === 'resourceLimits')?.message ?? '', /release-name-web/);
    // the template prints resources from values: their fix sets the values key
    assert.equal(own?.find((x) => x.check === 'resourceRequests')?.fixable, true);
  });

  it('a chart: a NetworkPolicy in a plain file and values that set resources change its findings', () => {
    const values = `image: nginx\n${valuesResources('64Mi')}`;
    const dir = tree({
      ...CHART,
      'chart/values.yaml': values,
      'policies/netpol.yaml': NETPOL('default', 'web'),
    });
    const f = hardening(dir);
    assert.deepEqual(checks(f['chart/templates/deployment.yaml']), ['serviceAccountToken']);
    // the policy selects the chart's pods: it is not unmatched
    assert.deepEqual(checks(f['policies/netpol.yaml']), []);
    // selecting other pods, it selects nothing of the chart's namespace, and the chart's workload is not isolated
    const other = hardening(tree({ ...CHART, 'policies/netpol.yaml': NETPOL('default', 'other') }));
    assert.deepEqual(checks(other['policies/netpol.yaml']), ['networkPolicyUnmatched']);
    assert.ok(checks(other['chart/templates/deployment.yaml']).includes('networkPolicyIsolation'));
  });

  it('a chart with value sets: a finding names the sets it comes from, one shared by both is listed once', () => {
    const config = `helm:
  - name: dev
    values: [chart/values-dev.yaml]
  - name: prod
    values: [chart/values-prod.yaml]
`;
    const dir = tree({
      ...CHART,
      '.podsec.yaml': config,
      'chart/values-dev.yaml': valuesResources('64Mi'),
      'chart/values-prod.yaml': 'image: nginx\n',
    });
    const own = hardening(dir)['chart/templates/deployment.yaml'] ?? [];
    const requests = own.filter((x) => x.check === 'resourceRequests');
    assert.equal(requests.length, 1);
    assert.match(requests[0]?.message ?? '', /\[values: prod\]$/);
    const token = own.filter((x) => x.check === 'serviceAccountToken');
    assert.equal(token.length, 1);
    assert.match(token[0]?.message ?? '', /\[values: dev, prod\]$/);
  });

  it('a chart: --hardening off leaves its Pod Security results as they were', () => {
    const dir = tree(CHART);
    const r = cli(['--format', 'json', '--hardening', 'off', dir]);
    const doc = JSON.parse(r.out) as { files: Array<{ findings: JsonFinding[] }> };
    assert.equal(doc.files.flatMap((x) => x.findings).length, 0);
    assert.equal(r.code, 0);
  });

  it('overlays: the base shows what each overlay deploys, and a policy in one overlay isolates only that one', () => {
    const dir = tree(OVERLAYS);
    const f = hardening(dir);
    const base = f['kz/base/deploy.yaml'] ?? [];
    const isolation = base.filter((x) => x.check === 'networkPolicyIsolation');
    assert.equal(isolation.length, 1);
    assert.match(isolation[0]?.message ?? '', /in overlay kz\/overlays\/dev$/);
    assert.equal(isolation[0]?.line, lineOf(BASE, 'labels:'));
    // shared by both overlays: listed once, naming both
    const token = base.filter((x) => x.check === 'serviceAccountToken');
    assert.equal(token.length, 1);
    assert.match(token[0]?.message ?? '', /in overlays kz\/overlays\/dev, kz\/overlays\/prod$/);
    // the fix is made in the base, for every overlay
    assert.equal(token[0]?.fixable, true);
    // the policy selects prod's pods; it is not read as a file of its own
    assert.equal(f['kz/overlays/prod/netpol.yaml'], undefined);
  });

  it('overlays: a suppression in the base silences what the overlays find there', () => {
    const suppressed = BASE.replace(
      '    spec:\n      securityContext:',
      '    # podsec-ignore serviceAccountToken -- the app reads its ConfigMaps through the API\n    spec:\n      securityContext:',
    );
    assert.notEqual(suppressed, BASE);
    const f = hardening(tree({ ...OVERLAYS, 'kz/base/deploy.yaml': suppressed }));
    const base = checks(f['kz/base/deploy.yaml']);
    assert.ok(!base.includes('serviceAccountToken'), base.join(', '));
    assert.ok(base.includes('resourceRequests'));
  });

  it('overlays: the base is not read on its own (nothing of it lands in namespace "default")', () => {
    const dir = tree({ ...OVERLAYS, 'policies/netpol.yaml': NETPOL('default', 'api') });
    const r = cli([dir]);
    // a policy of "default" finds no deployed workload there: the base's own namespace is never deployed
    assert.match(
      r.out,
      /netpol\.yaml:7:3 +note +NetworkPolicy "api-in" selects pods of namespace "default", none of whose workloads are in the workspace/,
    );
    // the same policy beside the base file read alone selects it
    const alone = cli([join(dir, 'kz/base/deploy.yaml'), join(dir, 'policies/netpol.yaml')]);
    assert.doesNotMatch(alone.out, /none of whose workloads/);
    assert.doesNotMatch(alone.out, /networkPolicyIsolation/);
    assert.equal(readFileSync(join(dir, 'kz/base/deploy.yaml'), 'utf8'), BASE);
  });
});
