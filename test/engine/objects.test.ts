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
});
