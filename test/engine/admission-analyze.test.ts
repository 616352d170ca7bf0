/**
 * The cluster's PodSecurity admission configuration in `analyze`: its
 * defaults for namespaces without labels (and modes a Namespace does not
 * label, warn following enforce), its exemptions (namespaces, runtime
 * classes, usernames through `asUser`) as one information note and no
 * findings, in upstream's order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, AnalysisCache } from '@podsec/server';
import type { Analysis } from '@podsec/server';
import { parseAdmissionConfig } from '@podsec/server/out/engine/config/index';
import { admissionKeyCount, admissionKeyOf } from '@podsec/server/out/engine/evaluate';

const config = (body: string) =>
  parseAdmissionConfig(
    `apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n${body}`,
    '/cluster/psa.yaml',
  );
const CLUSTER = config(
  'defaults:\n  enforce: baseline\n  warn: restricted\n  audit: restricted\nexemptions:\n  namespaces: [kube-system]\n  runtimeClasses: [kata]\n  usernames: [ci-bot]\n',
);

const pod = (ns: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ${ns}}\nspec:\n${extra}  hostPID: true\n  containers: [{name: a, image: a}]\n`;
const modes = (a: Analysis) => [...new Set(a.findings.map((f) => `${f.check}:${f.mode}`))].sort();

describe('admission configuration in analyze', () => {
  it('defaults apply to a namespace without labels: enforce baseline, warn and audit restricted', () => {
    const a = analyze(pod('shop'), { admission: CLUSTER });
    assert.ok(modes(a).includes('hostNamespaces:enforce'));
    assert.ok(modes(a).includes('runAsNonRoot:warn'));
    const f = a.findings.find((x) => x.check === 'runAsNonRoot');
    assert.equal(f?.policySource.kind, 'admission');
    assert.equal(f?.policySource.file, '/cluster/psa.yaml');
    assert.equal(f?.severity, 'warning');
    // The --level setting does not apply with an admission configuration.
    assert.deepEqual(
      modes(analyze(pod('shop'), { admission: CLUSTER, level: 'privileged' })),
      modes(a),
    );
  });

  it('a Namespace label sets its mode; the others keep the defaults; warn follows a stricter enforce', () => {
    const ns = (labels: string) =>
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n${labels}---\n`;
    const a = analyze(ns('    pod-security.kubernetes.io/enforce: privileged\n') + pod('shop'), {
      admission: CLUSTER,
    });
    assert.ok(!modes(a).some((m) => m.endsWith(':enforce')), modes(a).join());
    assert.ok(modes(a).includes('hostNamespaces:warn'));
    const lax = config(
      'defaults:\n  enforce: privileged\n  warn: privileged\n  audit: privileged\n',
    );
    const b = analyze(ns('    pod-security.kubernetes.io/enforce: baseline\n') + pod('shop'), {
      admission: lax,
    });
    assert.deepEqual(modes(b), ['hostNamespaces:enforce']);
    // warn followed enforce: reported once, at the most severe mode; the source is the label.
    assert.equal(b.findings[0]?.policySource.kind, 'namespace');
  });

  it('an exempt namespace, runtime class or user: one information note, no findings', () => {
    const cases: Array<[string, Parameters<typeof analyze>[1], RegExp]> = [
      [pod('kube-system'), { admission: CLUSTER }, /namespace "kube-system"/],
      [pod('shop', '  runtimeClassName: kata\n'), { admission: CLUSTER }, /runtime class "kata"/],
      [pod('shop'), { admission: CLUSTER, asUser: 'ci-bot' }, /requests by "ci-bot"/],
    ];
    for (const [t, o, re] of cases) {
      const a = analyze(t, o);
      assert.deepEqual(a.findings, []);
      assert.equal(a.notes.length, 1);
      assert.match(a.notes[0]?.message ?? '', re);
      assert.equal(a.notes[0]?.severity, 'information');
      assert.match(a.workloads[0]?.exemption ?? '', re);
      assert.equal(t.slice(a.notes[0]?.span.start, a.notes[0]?.span.end), 'kind: Pod');
    }
  });

  it('an exempt user does not exempt a Deployment: its Pods are created by the controller', () => {
    const t = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: shop}\nspec:\n  template:\n    spec:\n      hostPID: true\n      containers: [{name: a, image: a}]\n`;
    const a = analyze(t, { admission: CLUSTER, asUser: 'ci-bot' });
    assert.deepEqual(a.notes, []);
    assert.ok(modes(a).includes('hostNamespaces:enforce'));
    assert.ok(!modes(a).some((m) => m.endsWith(':warn')), 'the user request is exempt');
  });

  it('an empty namespace (none given) is "default", which matches no exemption here', () => {
    const t = pod('shop').replace(', namespace: shop', '');
    assert.ok(modes(analyze(t, { admission: CLUSTER })).includes('hostNamespaces:enforce'));
  });

  it('the configuration’s part of the cache key is computed once, whatever reads it', () => {
    const own = config('defaults:\n  enforce: baseline\n');
    const before = admissionKeyCount.computed;
    const cache = new AnalysisCache({ keepParsed: true });
    const first = cache.analyze(pod('shop'), { admission: own });
    // Another version of the text, another document, a user: the same configuration.
    cache.analyze(pod('shop2'), { admission: own });
    analyze(pod('shop'), { admission: own, asUser: 'ci-bot' });
    const key = admissionKeyOf(own);
    assert.equal(admissionKeyCount.computed - before, 1);
    assert.equal(admissionKeyOf(own), key);
    // An equal configuration read again has the same key (the cache key does not tell them apart).
    assert.equal(admissionKeyOf(config('defaults:\n  enforce: baseline\n')), key);
    assert.equal(admissionKeyCount.computed - before, 2);
    // Another configuration, another key, and the analysis at its policy.
    const other = config('defaults:\n  enforce: restricted\n');
    assert.notEqual(admissionKeyOf(other), key);
    assert.notDeepEqual(modes(cache.analyze(pod('shop2'), { admission: other })), modes(first));
  });
});
