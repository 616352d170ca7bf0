/**
 * One walk over a document's objects for every consumer: a Namespace or a
 * PodSecurityPolicy inside any `*List` counts exactly as one inside `kind: List`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, collectNamespaces, podSecurityPoliciesIn } from '@podsec/server';
import { podYaml } from '../support/manifests';

const namespaceList = (kind: string) => `apiVersion: v1
kind: ${kind}
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    labels:
      pod-security.kubernetes.io/enforce: baseline
      pod-security.kubernetes.io/warn: restricted
`;

const pspList = (kind: string) => `apiVersion: v1
kind: ${kind}
items:
- apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata:
    name: open
  spec:
    privileged: true
`;

describe('objects inside lists', () => {
  for (const kind of ['List', 'NamespaceList']) {
    it(`a Namespace inside kind: ${kind} sets the policy of its workloads`, () => {
      const text = `${namespaceList(kind)}---\n${podYaml({ name: 'p', namespace: 'shop' })}`;
      const a = analyze(text, { file: 'all.yaml' });
      assert.deepEqual(
        a.workloads.map((w) => w.policy),
        [{ level: 'baseline', version: 'latest' }],
      );
      assert.deepEqual(
        a.workloads.map((w) => [
          w.policySource.kind,
          w.policySource.namespace,
          w.policySource.label,
        ]),
        [['namespace', 'shop', 'pod-security.kubernetes.io/enforce']],
      );
      const sources = new Set(a.findings.map((f) => JSON.stringify(f.policySource)));
      assert.ok(a.findings.length > 0);
      for (const s of sources) assert.match(s, /"kind":"namespace","namespace":"shop"/);
      assert.deepEqual(
        collectNamespaces(text, 'all.yaml').map((n) => n.name),
        ['shop'],
      );
    });
  }

  it('gives the same findings for a NamespaceList as for a List', () => {
    const pod = podYaml({ name: 'p', namespace: 'shop' });
    const list = analyze(`${namespaceList('List')}---\n${pod}`, { file: 'a.yaml' });
    const nsList = analyze(`${namespaceList('NamespaceList')}---\n${pod}`, { file: 'a.yaml' });
    const strip = (a: typeof list) =>
      a.findings.map((f) => [f.check, f.mode, f.severity, f.message, f.policySource.kind]);
    assert.deepEqual(strip(nsList), strip(list));
  });

  for (const kind of ['List', 'PodSecurityPolicyList']) {
    it(`a PodSecurityPolicy inside kind: ${kind} is read`, () => {
      const psps = podSecurityPoliciesIn(pspList(kind));
      assert.deepEqual(
        psps.map((p) => [p.name, p.level]),
        [['open', 'privileged']],
      );
    });
  }

  it('a workload summary says where its policy comes from', () => {
    const ns = (labels: string) =>
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops\n  labels:\n${labels}---\n`;
    const pod = podYaml({ name: 'p', namespace: 'ops' });
    const summary = (text: string, o = {}) => analyze(text, { file: 'x.yaml', ...o }).workloads[0]!;
    // the setting
    assert.deepEqual(summary(pod, { level: 'baseline' }).policySource, { kind: 'setting' });
    // labels off: the setting, whatever the Namespace says
    const labelled = ns('    pod-security.kubernetes.io/enforce: baseline\n') + pod;
    assert.deepEqual(summary(labelled, { namespaceLabels: false }).policySource, {
      kind: 'setting',
    });
    // warn restricted under enforce privileged: the warn label
    const warn =
      ns(
        '    pod-security.kubernetes.io/enforce: privileged\n    pod-security.kubernetes.io/warn: restricted\n',
      ) + pod;
    const w = summary(warn);
    assert.equal(w.policy.level, 'restricted');
    assert.equal(w.policySource.label, 'pod-security.kubernetes.io/warn');
    assert.match(
      warn.slice(w.policySource.span!.start, w.policySource.span!.end),
      /^(pod-security\.kubernetes\.io\/warn: )?restricted$/,
    );
    // privileged in every mode: the enforce label
    const open = ns('    pod-security.kubernetes.io/enforce: privileged\n') + pod;
    const p = summary(open);
    assert.equal(p.policy.level, 'privileged');
    assert.equal(p.policySource.label, 'pod-security.kubernetes.io/enforce');
  });
});
