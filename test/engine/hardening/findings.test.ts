/**
 * The hardening checks as podsec findings: runHardening over several files,
 * mergeHardening into each file's Pod Security analysis (family, severity,
 * fixes as text edits, suppressions), and the options from severity entries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyze,
  applyEdits,
  hardeningOptionsFrom,
  hardeningOptionsOf,
  hardeningSource,
  mergeHardening,
  runHardening,
} from '@podsec/server';
import type { Analysis, Finding, HardeningOptions } from '@podsec/server';

const POLICY = { level: 'restricted' as const, version: 'latest' };

const web = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: nginx
          securityContext:
            privileged: true
`;

const policy = (selector: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-in
  namespace: shop
spec:
  podSelector: ${selector}
  ingress:
    - from:
        - podSelector: {}
`;

/** Analyse files (name → text) as the command line does: each on its own, hardening over all. */
function runFiles(
  files: Record<string, string>,
  options: HardeningOptions = {},
): Record<string, Analysis> {
  const run = runHardening(
    Object.entries(files).map(([f, t]) => hardeningSource(f, t)),
    options,
  );
  const out: Record<string, Analysis> = {};
  for (const [f, t] of Object.entries(files)) {
    out[f] = mergeHardening(analyze(t, { file: f }), f, run, POLICY);
  }
  return out;
}

const checks = (a: Analysis | undefined, family?: 'hardening'): string[] =>
  (a?.findings ?? []).filter((f) => f.family === family).map((f) => f.check);

describe('hardening findings merged into the analysis', () => {
  it('a workload no NetworkPolicy selects gets networkPolicyIsolation (information, family hardening)', () => {
    const r = runFiles({ 'web.yaml': web });
    const f = r['web.yaml']?.findings.find((x) => x.check === 'networkPolicyIsolation');
    assert.ok(f);
    assert.equal(f.family, 'hardening');
    assert.equal(f.severity, 'information');
    assert.equal(web.slice(f.span.start, f.span.end), 'labels');
    assert.equal(f.object.name, 'web');
  });

  it('a NetworkPolicy in another file selecting the workload removes it', () => {
    const r = runFiles({ 'web.yaml': web, 'netpol.yaml': policy('{matchLabels: {app: web}}') });
    assert.ok(!checks(r['web.yaml'], 'hardening').includes('networkPolicyIsolation'));
    assert.ok(!checks(r['netpol.yaml'], 'hardening').includes('networkPolicyUnmatched'));
  });

  it('a policy in another file that selects nothing is networkPolicyUnmatched there, and the workload stays unisolated', () => {
    const r = runFiles({ 'web.yaml': web, 'netpol.yaml': policy('{matchLabels: {app: wbe}}') });
    assert.ok(checks(r['web.yaml'], 'hardening').includes('networkPolicyIsolation'));
    const u = r['netpol.yaml']?.findings.find((x) => x.check === 'networkPolicyUnmatched');
    assert.ok(u);
    assert.equal(u.family, 'hardening');
  });

  it('the Pod Security findings, errors and workloads are the same with and without hardening', () => {
    const plain = analyze(web, { file: 'web.yaml' });
    const merged = runFiles({ 'web.yaml': web })['web.yaml'];
    assert.ok(merged);
    const pss = (a: Analysis) => a.findings.filter((f) => f.family === undefined);
    assert.deepEqual(pss(merged), pss(plain));
    assert.deepEqual(merged.errors, plain.errors);
    assert.deepEqual(merged.workloads, plain.workloads);
    assert.ok(plain.findings.every((f) => f.family === undefined));
  });

  it('hardening findings are never errors by default, so they cannot fail a run', () => {
    const r = runFiles({ 'web.yaml': web.replace('privileged: true', 'privileged: false') });
    const h = (r['web.yaml']?.findings ?? []).filter((f) => f.family === 'hardening');
    assert.ok(h.length >= 3, 'isolation, requests, limits, token');
    assert.ok(h.every((f) => f.severity !== 'error'));
  });

  it('a check configured as error is an error; off removes it', () => {
    const opts = hardeningOptionsFrom({ resourceLimits: 'error', networkPolicyIsolation: 'off' });
    const r = runFiles({ 'web.yaml': web }, opts);
    const h = (r['web.yaml']?.findings ?? []).filter((f) => f.family === 'hardening');
    assert.ok(h.some((f) => f.check === 'resourceLimits' && f.severity === 'error'));
    assert.ok(!h.some((f) => f.check === 'networkPolicyIsolation'));
    assert.ok(h.some((f) => f.check === 'resourceRequests' && f.severity === 'warning'));
  });

  it('the fix of networkPolicyIsolation appends a default-deny document, never safe', () => {
    const r = runFiles({ 'web.yaml': web });
    const f = r['web.yaml']?.findings.find((x) => x.check === 'networkPolicyIsolation');
    const fix = f?.fixes[0];
    assert.ok(fix);
    assert.equal(fix.safe, false);
    const after = applyEdits(web, fix.edits);
    assert.ok(after.startsWith(web), 'nothing before the new document changes');
    const again = runFiles({ 'web.yaml': after });
    assert.ok(!checks(again['web.yaml'], 'hardening').includes('networkPolicyIsolation'));
  });

  it('a suppression names a hardening check with a reason: the finding goes, and nothing is reported', () => {
    const text = web.replace(
      '    spec:\n      containers:',
      '    # podsec-ignore serviceAccountToken -- the operator watches its CRDs\n    spec:\n      containers:',
    );
    const plain = analyze(text, { file: 'web.yaml' });
    assert.ok(!plain.findings.some((f) => f.check === 'invalidSuppression'));
    const r = runFiles({ 'web.yaml': text });
    const all = (r['web.yaml']?.findings ?? []).map((f) => f.check);
    assert.ok(!all.includes('serviceAccountToken'));
    assert.ok(!all.includes('invalidSuppression'));
    assert.ok(all.includes('networkPolicyIsolation'), 'other hardening checks still run');
  });

  it('a hardening suppression that silences nothing is an invalid suppression; with the check off it is not', () => {
    const text = web.replace(
      '          image: nginx',
      '          image: nginx # podsec-ignore secretInEnv -- no literal credentials here',
    );
    const on = runFiles({ 'web.yaml': text })['web.yaml'];
    const bad = on?.findings.filter((f) => f.check === 'invalidSuppression') ?? [];
    assert.equal(bad.length, 1);
    assert.match(bad[0]?.message ?? '', /silences nothing/);
    const off = runFiles({ 'web.yaml': text }, { checks: { secretInEnv: 'off' } })['web.yaml'];
    assert.ok(!off?.findings.some((f) => f.check === 'invalidSuppression'));
  });

  it('an unknown check in a suppression is still reported', () => {
    const text = web.replace(
      '          image: nginx',
      '          image: nginx # podsec-ignore secretInEnvv -- typo',
    );
    const a = runFiles({ 'web.yaml': text })['web.yaml'];
    const bad = a?.findings.find((f: Finding) => f.check === 'invalidSuppression');
    assert.match(bad?.message ?? '', /unknown check "secretInEnvv"/);
  });

  it('a template or a document with YAML errors gives no hardening objects', () => {
    assert.equal(
      hardeningSource('t.yaml', `${web}\n  name: {{ .Values.name }}\n`).objects.length,
      0,
    );
    const broken = `${web}---\nkind: [\n`;
    const s = hardeningSource('b.yaml', broken);
    assert.equal(s.objects.length, 1, 'the good document is read, the broken one left out');
  });

  it('hardening findings follow the Pod Security ones, in text order', () => {
    const two = `${web}---\n${policy('{matchLabels: {app: nothing}}')}`;
    const a = runFiles({ 'two.yaml': two })['two.yaml'];
    assert.ok(a);
    const first = a.findings.findIndex((f) => f.family === 'hardening');
    assert.ok(first > 0 && a.findings.slice(first).every((f) => f.family === 'hardening'));
    const h = a.findings.slice(first);
    for (let i = 1; i < h.length; i++) {
      assert.ok((h[i - 1]?.span.start ?? 0) <= (h[i]?.span.start ?? 0));
    }
    const u = a.findings.find((x) => x.check === 'networkPolicyUnmatched');
    assert.ok(u && two.slice(u.span.start, u.span.end).startsWith('podSelector'));
    assert.equal(u.object.document, 1);
  });
});

describe('hardeningOptionsFrom', () => {
  it('a check entry wins over the family entry; hint runs at information; switches turn off', () => {
    const o = hardeningOptionsFrom(
      { hardening: 'error', secretInEnv: 'hint', runAsNonRoot: 'off' },
      { auditPolicy: false, requireCpuLimit: true },
    );
    assert.equal(o.checks?.secretInEnv, 'information');
    assert.equal(o.checks?.resourceLimits, 'error');
    assert.equal(o.checks?.auditPolicy, 'off');
    assert.equal(o.requireCpuLimit, true);
    assert.ok(!('runAsNonRoot' in (o.checks ?? {})));
  });

  it('hardening: off turns every check off; a switch set to true brings one back', () => {
    const o = hardeningOptionsFrom({ hardening: 'off' }, { secretManifest: true });
    assert.equal(o.checks?.networkPolicyIsolation, 'off');
    assert.equal(o.checks?.secretManifest, undefined);
  });
});

describe('hardeningOptionsOf: .podsec.yaml severity entries, then its hardening key', () => {
  it('without a hardening key it reads the severity entries alone', () => {
    assert.deepEqual(
      hardeningOptionsOf({ resourceLimits: 'error' }),
      hardeningOptionsFrom({ resourceLimits: 'error' }),
    );
  });

  it('the hardening key wins over a severity entry of the same check', () => {
    const o = hardeningOptionsOf(
      { resourceLimits: 'error', secretInEnv: 'off' },
      { checks: { resourceLimits: 'off', secretInEnv: 'on', auditPolicy: 'hint' } },
    );
    assert.equal(o.checks?.resourceLimits, 'off');
    // on: back at its default, since its severity entry said off
    assert.equal(o.checks?.secretInEnv, 'warning');
    assert.equal(o.checks?.auditPolicy, 'information');
  });

  it('on keeps a severity entry that is not off', () => {
    const o = hardeningOptionsOf({ quotaRejects: 'error' }, { checks: { quotaRejects: 'on' } });
    assert.equal(o.checks?.quotaRejects, 'error');
  });

  it('enabled: false turns every check off but those the key names on or at a severity', () => {
    const o = hardeningOptionsOf(
      { resourceLimits: 'error' },
      { enabled: false, checks: { secretManifest: 'on', auditPolicy: 'error' } },
    );
    const on = Object.entries(o.checks ?? {}).filter(([, v]) => v !== 'off');
    assert.deepEqual(on.sort(), [
      ['auditPolicy', 'error'],
      ['secretManifest', 'warning'],
    ]);
  });

  it('enabled: true undoes the family entry severity.hardening: off, not a check’s own off', () => {
    const o = hardeningOptionsOf(
      { hardening: 'off', resourceLimits: 'off', secretInEnv: 'error' },
      { enabled: true, checks: {} },
    );
    assert.equal(o.checks?.networkPolicyIsolation, undefined);
    assert.equal(o.checks?.resourceLimits, 'off');
    assert.equal(o.checks?.secretInEnv, 'error');
  });

  it('requireCpuLimit is taken from the key; a key that is not a check is ignored', () => {
    const o = hardeningOptionsOf({}, { checks: { notACheck: 'off' }, requireCpuLimit: true });
    assert.equal(o.requireCpuLimit, true);
    assert.ok(!('notACheck' in (o.checks ?? {})));
  });
});

describe('hardening findings: bounds', () => {
  it('a file of thousands of containers lists the first findings and counts the rest in one note', () => {
    const n = 1200;
    const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: flood}\nc: &c {name: a, image: a}\nspec:\n  containers: [${Array(n).fill('*c').join(', ')}]\n`;
    const run = runHardening([hardeningSource('f.yaml', text)], {
      checks: { networkPolicyIsolation: 'off', serviceAccountToken: 'off' },
    });
    const a = mergeHardening(analyze(text, { file: 'f.yaml' }), 'f.yaml', run, POLICY);
    const h = a.findings.filter((f) => f.family === 'hardening');
    assert.equal(h.length, 1000);
    const note = a.notes.find((d) => /more hardening findings/.test(d.message));
    assert.ok(note);
    assert.match(note.message, /^\d+ more hardening findings in this file are not listed/);
    assert.equal(Number(note.message.split(' ')[0]) + 1000, run.findings.get('f.yaml')?.length);
  });
});
