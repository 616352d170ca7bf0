/**
 * The hardening checks in the command line: evaluated over every file of the
 * run together (a NetworkPolicy, a LimitRange, a quota, a ServiceAccount or
 * an audit Policy in another file), switched off or set per check with
 * --hardening, in text, JSON and SARIF, and never changing the exit status
 * unless set to error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempTree } from '../support/cli';
import {
  hardenedDeployment,
  networkPolicyYaml,
  requestsAndLimits,
  serviceAccountYaml,
} from '../support/manifests';

const workspace = (files: Record<string, string>): string => tempTree(files, 'podsec-hardening-');

/** Passes restricted; only hardening checks can report on it. */
const WEB = hardenedDeployment('web', { namespace: 'shop' });

/** WEB with requests and limits. */
const WEB_RESOURCED = hardenedDeployment('web', {
  namespace: 'shop',
  resources: requestsAndLimits('128Mi'),
});

const NETPOL = networkPolicyYaml('web-in', 'shop', 'web');

const SA_OFF = serviceAccountYaml('default', 'shop', { automount: false });

interface JsonFinding {
  check: string;
  family?: string;
  severity: string;
  line: number;
}
interface JsonOut {
  files: Array<{ path: string; findings: JsonFinding[] }>;
}

function json(args: string[]): { code: number; findings: Record<string, JsonFinding[]> } {
  const r = cli(['--format', 'json', ...args]);
  const doc = JSON.parse(r.out) as JsonOut;
  const findings: Record<string, JsonFinding[]> = {};
  for (const f of doc.files) findings[f.path.split(/[\\/]/).pop() ?? f.path] = f.findings;
  return { code: r.code, findings };
}

const checksOf = (fs: JsonFinding[] | undefined) => (fs ?? []).map((f) => f.check).sort();

describe('podsec: hardening checks', () => {
  it('a workload alone: isolation, requests, limits and the token, none an error, exit 0', () => {
    const dir = workspace({ 'web.yaml': WEB });
    const r = json([dir]);
    assert.equal(r.code, 0);
    assert.deepEqual(checksOf(r.findings['web.yaml']), [
      'networkPolicyIsolation',
      'resourceLimits',
      'resourceRequests',
      'serviceAccountToken',
    ]);
    assert.ok(r.findings['web.yaml']?.every((f) => f.family === 'hardening'));
  });

  it('a NetworkPolicy and a ServiceAccount in other files change the workload’s findings', () => {
    const dir = workspace({
      'web.yaml': WEB_RESOURCED,
      'netpol.yaml': NETPOL,
      'sa.yaml': SA_OFF,
    });
    const r = json([dir]);
    assert.deepEqual(checksOf(r.findings['web.yaml']), []);
    assert.deepEqual(checksOf(r.findings['netpol.yaml']), []);
    // the same files checked one by one: each lacks what the others hold
    const alone = json([join(dir, 'web.yaml')]);
    assert.deepEqual(checksOf(alone.findings['web.yaml']), [
      'networkPolicyIsolation',
      'serviceAccountToken',
    ]);
  });

  it('a NetworkPolicy selecting nothing is reported in its own file', () => {
    const dir = workspace({
      'web.yaml': WEB_RESOURCED,
      'netpol.yaml': NETPOL.replace('app: web', 'app: wbe'),
    });
    const r = json([dir]);
    assert.deepEqual(checksOf(r.findings['netpol.yaml']), ['networkPolicyUnmatched']);
    assert.ok(checksOf(r.findings['web.yaml']).includes('networkPolicyIsolation'));
  });

  it('a LimitRange in another file supplies the defaults; a quota in another file rejects', () => {
    const limitRange = `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 256Mi}
      defaultRequest: {cpu: 100m, memory: 128Mi}
`;
    const quota = `apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: shop}
spec:
  hard: {limits.cpu: "4"}
`;
    const withDefaults = json([workspace({ 'web.yaml': WEB, 'lr.yaml': limitRange })]);
    assert.ok(!checksOf(withDefaults.findings['web.yaml']).includes('resourceRequests'));
    assert.ok(!checksOf(withDefaults.findings['web.yaml']).includes('resourceLimits'));
    const quotaOnly = json([workspace({ 'web.yaml': WEB, 'quota.yaml': quota })]);
    assert.ok(checksOf(quotaOnly.findings['web.yaml']).includes('quotaRejects'));
  });

  it('--hardening off leaves the Pod Security findings only', () => {
    const dir = workspace({ 'web.yaml': WEB.replace('runAsNonRoot: true', 'runAsNonRoot: false') });
    const on = json([dir]);
    const off = json(['--hardening', 'off', dir]);
    assert.deepEqual(checksOf(off.findings['web.yaml']), ['runAsNonRoot']);
    assert.ok(checksOf(on.findings['web.yaml']).includes('runAsNonRoot'));
    assert.equal(on.code, 1);
    assert.equal(off.code, 1, 'the Pod Security error decides the exit status, as before');
  });

  it('--hardening <id>=error fails the run; <id>=off switches one off; later values win', () => {
    const dir = workspace({ 'web.yaml': WEB });
    const err = json(['--hardening', 'resourceLimits=error', dir]);
    assert.equal(err.code, 1);
    assert.ok(
      err.findings['web.yaml']?.some((f) => f.check === 'resourceLimits' && f.severity === 'error'),
    );
    const some = json(['--hardening', 'off', '--hardening', 'resourceRequests=warning', dir]);
    assert.deepEqual(checksOf(some.findings['web.yaml']), ['resourceRequests']);
    assert.equal(some.code, 0);
    const one = json(['--hardening=networkPolicyIsolation=off,serviceAccountToken=off', dir]);
    assert.deepEqual(checksOf(one.findings['web.yaml']), ['resourceLimits', 'resourceRequests']);
  });

  it('--require-cpu-limit asks for a CPU limit too', () => {
    const dir = workspace({ 'web.yaml': WEB_RESOURCED });
    const plain = json(['--hardening', 'networkPolicyIsolation=off,serviceAccountToken=off', dir]);
    assert.deepEqual(checksOf(plain.findings['web.yaml']), []);
    const cpu = json([
      '--require-cpu-limit',
      '--hardening',
      'networkPolicyIsolation=off,serviceAccountToken=off',
      dir,
    ]);
    assert.deepEqual(checksOf(cpu.findings['web.yaml']), ['resourceLimits']);
  });

  it('a wrong --hardening value is a usage error (exit 2) naming the checks', () => {
    for (const v of ['nope', 'secretInEnv', 'secretInEnv=loud', 'secretinenv=off']) {
      const r = cli(['--hardening', v, '-'], { stdin: WEB });
      assert.equal(r.code, 2, v);
      assert.match(r.err, /invalid --hardening/);
    }
    assert.match(cli(['--help']).out, /--hardening <spec>/);
  });

  it('text output gives the short form and names the check; SARIF has the whole message and a rule per hardening check with its family', () => {
    const dir = workspace({ 'web.yaml': WEB });
    const text = cli([dir]);
    assert.match(
      text.out,
      /web\.yaml:9:7 {2}info {2}Deployment web: add a NetworkPolicy that selects its pods \(none does\) {2}\[networkPolicyIsolation\]/,
    );
    const sarif = JSON.parse(cli(['--format', 'sarif', dir]).out) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string; properties?: { family?: string } }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
        }>;
      }>;
    };
    const runOut = sarif.runs[0];
    assert.ok(runOut);
    const rules = runOut.tool.driver.rules;
    const iso = runOut.results.find((x) => x.ruleId === 'networkPolicyIsolation');
    assert.ok(iso);
    assert.equal(iso.level, 'note');
    assert.match(iso.message.text, /^Deployment "web" is not isolated by any NetworkPolicy/);
    assert.equal(rules[iso.ruleIndex]?.id, 'networkPolicyIsolation');
    assert.equal(rules[iso.ruleIndex]?.properties?.family, 'hardening');
    for (const id of ['secretInEnv', 'auditPolicy', 'quotaRejects']) {
      assert.ok(
        rules.some((x) => x.id === id),
        id,
      );
    }
  });

  it('a suppression with its reason silences a hardening finding; messages never repeat a secret', () => {
    const secret = WEB.replace(
      '          image: nginx\n',
      '          image: nginx\n          env:\n            - name: API_TOKEN\n              value: s3cr3t-v4lue-123\n',
    ).replace(
      '    spec:\n      securityContext:',
      '    # podsec-ignore serviceAccountToken -- the operator reads its CRDs\n    spec:\n      securityContext:',
    );
    const dir = workspace({ 'web.yaml': secret });
    const r = cli([dir]);
    assert.match(r.out, /\[secretInEnv\]/);
    assert.doesNotMatch(r.out, /s3cr3t/);
    assert.doesNotMatch(r.out, /serviceAccountToken|invalidSuppression/);
  });

  it('--fix applies no hardening fix (they need values only the user knows)', () => {
    const dir = workspace({ 'web.yaml': WEB });
    const r = cli(['--fix', '--fix-unsafe', dir]);
    assert.equal(readFileSync(join(dir, 'web.yaml'), 'utf8'), WEB);
    assert.match(r.out, /\[networkPolicyIsolation\]/);
  });
});

describe('podsec report: the hardening section', () => {
  it('per namespace isolated workloads of total and the default deny; per check its findings', () => {
    const deny = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;
    const other = WEB.replace(/name: web/, 'name: api').replace(
      'namespace: shop',
      'namespace: shop2',
    );
    const dir = workspace({ 'web.yaml': WEB, 'deny.yaml': deny, 'api.yaml': other });
    const md = cli(['report', '--format', 'markdown', dir]);
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /## Hardening checks/);
    assert.match(md.out, /\| `shop` \| 1 of 1 \| 1 \| 0 \| ingress deny-all \|/);
    assert.match(md.out, /\| `shop2` \| 0 of 1 \| 0 \| 0 \| none \|/);
    assert.match(md.out, /\| `networkPolicyIsolation` \| information \| 1 \|/);
    const text = cli(['report', dir]);
    assert.match(
      text.out,
      /namespace shop: 1 of 1 workload isolated \(ingress 1, egress 0\); default deny: ingress deny-all/,
    );
    const off = cli(['report', '--hardening', 'off', '--format', 'markdown', dir]);
    assert.doesNotMatch(off.out, /Hardening checks/);
  });
});
