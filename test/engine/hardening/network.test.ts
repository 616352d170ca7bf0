/**
 * Network isolation, hand-checked against Kubernetes' rules: which
 * NetworkPolicies select a workload (same namespace, label selector),
 * policyTypes defaulting (Ingress always, Egress when egress rules exist),
 * default-deny detection, allow-all versus deny-all, unmatched policies,
 * and policies the workspace cannot judge.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployment, notesOf, of, run, spanText } from './helpers';

function policy(opts: {
  name?: string;
  namespace?: string | null;
  selector?: string;
  types?: string;
  ingress?: string;
  egress?: string;
}): string {
  const lines = [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${opts.name ?? 'np'}`,
    ...(opts.namespace === null ? [] : [`  namespace: ${opts.namespace ?? 'prod'}`]),
    'spec:',
    `  podSelector: ${opts.selector ?? '{}'}`,
    ...(opts.types ? [`  policyTypes: ${opts.types}`] : []),
    ...(opts.ingress ? [`  ingress: ${opts.ingress}`] : []),
    ...(opts.egress ? [`  egress: ${opts.egress}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

const web = deployment({ name: 'web', labels: { app: 'web', tier: 'front' } });
const api = deployment({ name: 'api', labels: { app: 'api', tier: 'back' } });

describe('which policies select a workload', () => {
  it('no policy: the workload gets networkPolicyIsolation on its template labels', () => {
    const r = run({ 'web.yaml': web });
    const f = of(r, 'networkPolicyIsolation');
    assert.equal(f.length, 1);
    assert.equal(f[0]?.severity, 'information');
    assert.equal(spanText(r, f[0]), 'labels');
    assert.equal(f[0]?.path, 'spec.template.metadata.labels');
    assert.match(f[0]?.message ?? '', /Deployment "web" is not isolated by any NetworkPolicy/);
    assert.match(f[0]?.message ?? '', /no NetworkPolicy of namespace "prod"/);
    assert.equal(r.isolation[0]?.ingress.isolated, false);
    assert.equal(r.isolation[0]?.egress.isolated, false);
  });

  it('a template without labels: the finding goes on metadata', () => {
    const r = run(deployment({ labels: null }));
    const f = of(r, 'networkPolicyIsolation')[0];
    assert.equal(spanText(r, f), 'metadata');
    assert.equal(f?.path, 'spec.template.metadata');
  });

  it('a Pod is matched on its own labels', () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: prod
  labels: {app: web}
spec:
  containers: [{name: app, image: nginx}]
`;
    const r = run({
      'pod.yaml': pod,
      'np.yaml': policy({ selector: '{matchLabels: {app: web}}' }),
    });
    assert.equal(of(r, 'networkPolicyIsolation').length, 0);
    assert.equal(r.isolation[0]?.ingress.policies[0]?.name, 'np');
  });

  it('a CronJob is matched on its job template labels', () => {
    const cron = `apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: prod}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: batch}
        spec:
          restartPolicy: Never
          containers: [{name: app, image: busybox}]
`;
    const on = run({
      'c.yaml': cron,
      'np.yaml': policy({ selector: '{matchLabels: {app: batch}}' }),
    });
    assert.equal(of(on, 'networkPolicyIsolation').length, 0);
    const off = run({
      'c.yaml': cron,
      'np.yaml': policy({ selector: '{matchLabels: {app: other}}' }),
    });
    const f = of(off, 'networkPolicyIsolation')[0];
    assert.equal(f?.path, 'spec.jobTemplate.spec.template.metadata.labels');
  });

  it('podSelector {} selects every pod of its namespace only', () => {
    const r = run({
      'web.yaml': web,
      'api.yaml': api,
      'other.yaml': deployment({ name: 'other', namespace: 'dev' }),
      'np.yaml': policy({ selector: '{}' }),
    });
    const isolated = r.isolation.filter((w) => w.ingress.isolated).map((w) => w.object.name);
    assert.deepEqual(isolated.sort(), ['api', 'web']);
    assert.deepEqual(
      of(r, 'networkPolicyIsolation').map((f) => f.object.name),
      ['other'],
    );
  });

  it('the namespace is resolved: metadata.namespace, else the default', () => {
    const r = run({
      'web.yaml': deployment({ name: 'web', namespace: null }),
      'np.yaml': policy({ namespace: 'default' }),
    });
    assert.equal(r.isolation[0]?.namespace, 'default');
    assert.equal(r.isolation[0]?.ingress.isolated, true);
    const r2 = run({
      'web.yaml': deployment({ name: 'web', namespace: null }),
      'np.yaml': policy({}),
    });
    assert.equal(r2.isolation[0]?.ingress.isolated, false);
  });

  it('matchExpressions select as label selectors do', () => {
    const sel = '{matchExpressions: [{key: tier, operator: NotIn, values: [back]}]}';
    const r = run({ 'web.yaml': web, 'api.yaml': api, 'np.yaml': policy({ selector: sel }) });
    const byName: Record<string, boolean> = Object.fromEntries(
      r.isolation.map((w): [string, boolean] => [w.object.name ?? '', w.ingress.isolated]),
    );
    assert.deepEqual(byName, { web: true, api: false });
  });
});

describe('policyTypes, as the API server defaults them', () => {
  it('no policyTypes and no egress rules: Ingress only (an ingress-only policy is isolation)', () => {
    const r = run({ 'web.yaml': web, 'np.yaml': policy({}) });
    assert.equal(r.isolation[0]?.ingress.isolated, true);
    assert.equal(r.isolation[0]?.egress.isolated, false);
    assert.equal(of(r, 'networkPolicyIsolation').length, 0);
  });

  it('no policyTypes with egress rules: Ingress and Egress', () => {
    const r = run({
      'web.yaml': web,
      'np.yaml': policy({ egress: '[{to: [{podSelector: {}}]}]' }),
    });
    assert.equal(r.isolation[0]?.ingress.isolated, true);
    assert.equal(r.isolation[0]?.egress.isolated, true);
    assert.equal(r.isolation[0]?.ingress.policies[0]?.rules, 'denyAll');
    assert.equal(r.isolation[0]?.egress.policies[0]?.rules, 'some');
  });

  it('an empty policyTypes list defaults like an absent one', () => {
    const r = run({ 'web.yaml': web, 'np.yaml': policy({ types: '[]', egress: '[{}]' }) });
    assert.equal(r.isolation[0]?.ingress.isolated, true);
    assert.equal(r.isolation[0]?.egress.isolated, true);
  });

  it('given policyTypes are taken as they are', () => {
    const r = run({ 'web.yaml': web, 'np.yaml': policy({ types: '[Egress]', ingress: '[{}]' }) });
    assert.equal(r.isolation[0]?.ingress.isolated, false);
    assert.equal(r.isolation[0]?.egress.isolated, true);
    assert.equal(r.isolation[0]?.egress.policies[0]?.rules, 'denyAll');
  });

  it('an invalid policy type is a note (the API server rejects the policy) and the policy is not used', () => {
    const r = run({ 'web.yaml': web, 'np.yaml': policy({ types: '[ingress]' }) });
    assert.match(
      notesOf(r, 'networkPolicyUnmatched')[0]?.message ?? '',
      /Unsupported value: "ingress"/,
    );
    assert.equal(r.isolation[0]?.ingress.isolated, false);
    const r3 = run({ 'web.yaml': web, 'np.yaml': policy({ types: '[Ingress, Egress, Ingress]' }) });
    assert.match(notesOf(r3, 'networkPolicyUnmatched')[0]?.message ?? '', /more than two/);
  });
});

describe('default deny and allow all, per namespace', () => {
  it('podSelector {} with Ingress and Egress and no rules is a default deny both ways', () => {
    const r = run({
      'web.yaml': web,
      'api.yaml': api,
      'np.yaml': policy({ name: 'deny', types: '[Ingress, Egress]' }),
    });
    const ns = r.namespaces.find((n) => n.namespace === 'prod');
    assert.equal(ns?.defaultDeny.ingress?.name, 'deny');
    assert.equal(ns?.defaultDeny.egress?.name, 'deny');
    assert.equal(ns?.allowAll.ingress, null);
    assert.equal(ns?.workloads, 2);
    assert.equal(ns?.isolatedBoth, 2);
    assert.equal(of(r, 'networkPolicyIsolation').length, 0);
    assert.equal(of(r, 'networkPolicyUnmatched').length, 0);
  });

  it('ingress: [{}] allows all; ingress: [] denies all', () => {
    const allow = run({ 'web.yaml': web, 'np.yaml': policy({ name: 'allow', ingress: '[{}]' }) });
    const nsA = allow.namespaces.find((n) => n.namespace === 'prod');
    assert.equal(nsA?.allowAll.ingress?.name, 'allow');
    assert.equal(nsA?.defaultDeny.ingress, null);
    assert.equal(allow.isolation[0]?.ingress.allowsAll, true);
    const deny = run({ 'web.yaml': web, 'np.yaml': policy({ name: 'deny', ingress: '[]' }) });
    const nsD = deny.namespaces.find((n) => n.namespace === 'prod');
    assert.equal(nsD?.defaultDeny.ingress?.name, 'deny');
    assert.equal(nsD?.allowAll.ingress, null);
    assert.equal(deny.isolation[0]?.ingress.allowsAll, false);
  });

  it('a rule with ports only allows every source on those ports: not allow-all', () => {
    const r = run({ 'web.yaml': web, 'np.yaml': policy({ ingress: '[{ports: [{port: 80}]}]' }) });
    assert.equal(r.isolation[0]?.ingress.policies[0]?.rules, 'some');
    const r2 = run({ 'web.yaml': web, 'np.yaml': policy({ ingress: '[{from: [], ports: []}]' }) });
    assert.equal(r2.isolation[0]?.ingress.policies[0]?.rules, 'allowAll');
  });

  it('a policy selecting only some pods is not a default deny', () => {
    const r = run({
      'web.yaml': web,
      'np.yaml': policy({ selector: '{matchLabels: {app: web}}', types: '[Ingress, Egress]' }),
    });
    const ns = r.namespaces.find((n) => n.namespace === 'prod');
    assert.equal(ns?.defaultDeny.ingress, null);
    assert.equal(ns?.isolatedAny, 1);
  });

  it('the report counts isolated workloads of total', () => {
    const r = run({
      'web.yaml': web,
      'api.yaml': api,
      'np.yaml': policy({ selector: '{matchLabels: {app: web}}', types: '[Egress]' }),
    });
    const ns = r.namespaces.find((n) => n.namespace === 'prod');
    assert.deepEqual(
      [ns?.workloads, ns?.isolatedIngress, ns?.isolatedEgress, ns?.isolatedAny, ns?.policies],
      [2, 0, 1, 1, 1],
    );
  });
});

describe('networkPolicyUnmatched', () => {
  it('a policy selecting no workload of its namespace is reported on its podSelector', () => {
    const r = run({
      'web.yaml': web,
      'np.yaml': policy({ name: 'typo', selector: '{matchLabels: {app: wbe}}' }),
    });
    const f = of(r, 'networkPolicyUnmatched');
    assert.equal(f.length, 1);
    assert.equal(f[0]?.severity, 'information');
    assert.equal(f[0]?.path, 'spec.podSelector');
    assert.equal(spanText(r, f[0]), 'podSelector');
    assert.match(f[0]?.message ?? '', /"typo" selects no workload of namespace "prod"/);
  });

  it('a policy of a namespace with no workload in the workspace gives a note, not a finding', () => {
    const r = run({ 'web.yaml': web, 'np.yaml': policy({ namespace: 'elsewhere' }) });
    assert.equal(of(r, 'networkPolicyUnmatched').length, 0);
    assert.match(
      notesOf(r, 'networkPolicyUnmatched')[0]?.message ?? '',
      /none of whose workloads are in the workspace/,
    );
  });

  it('an invalid selector is a note at its place, and the policy selects nothing', () => {
    const r = run({
      'web.yaml': web,
      'np.yaml': policy({ selector: '{matchExpressions: [{key: app, operator: In, values: []}]}' }),
    });
    const n = notesOf(r, 'networkPolicyUnmatched')[0];
    assert.match(n?.message ?? '', /rejects it: spec\.podSelector\.matchExpressions\[0\]\.values/);
    assert.equal(spanText(r, n), 'values');
    assert.equal(r.isolation[0]?.ingress.isolated, false);
  });
});

describe('what the workspace cannot judge', () => {
  const cilium = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: c, namespace: prod}
spec: {endpointSelector: {}}
`;
  it('a Cilium policy in the namespace: a note instead of the finding', () => {
    const r = run({ 'web.yaml': web, 'c.yaml': cilium });
    assert.equal(of(r, 'networkPolicyIsolation').length, 0);
    const notes = notesOf(r, 'networkPolicyIsolation');
    assert.ok(
      notes.some((n) =>
        /CiliumNetworkPolicy "c": policies of this kind are not evaluated/.test(n.message),
      ),
    );
    assert.ok(
      notes.some((n) =>
        /Deployment "web": no NetworkPolicy in the workspace isolates/.test(n.message),
      ),
    );
    assert.deepEqual(r.isolation[0]?.notJudged, ['CiliumNetworkPolicy "c"']);
  });

  it('a namespaced Cilium policy of another namespace does not silence the finding', () => {
    const r = run({
      'web.yaml': web,
      'c.yaml': cilium.replace('namespace: prod', 'namespace: dev'),
    });
    assert.equal(of(r, 'networkPolicyIsolation').length, 1);
  });

  it('cluster-wide kinds (CiliumClusterwide, Calico global, AdminNetworkPolicy) cover every namespace', () => {
    const kinds = [
      ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy'],
      ['projectcalico.org/v3', 'GlobalNetworkPolicy'],
      ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy'],
      ['policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy'],
    ];
    for (const [apiVersion, kind] of kinds) {
      const r = run({
        'web.yaml': web,
        'x.yaml': `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\nspec: {}\n`,
      });
      assert.equal(of(r, 'networkPolicyIsolation').length, 0, kind);
      assert.ok(notesOf(r, 'networkPolicyIsolation').length >= 2, kind);
    }
  });

  it('a Calico namespaced NetworkPolicy covers its namespace', () => {
    const calico =
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: x, namespace: prod}\nspec: {}\n';
    assert.equal(
      of(run({ 'web.yaml': web, 'x.yaml': calico }), 'networkPolicyIsolation').length,
      0,
    );
  });

  it('an extensions/v1beta1 NetworkPolicy is not served: a note, and it isolates nothing', () => {
    const old = policy({}).replace('networking.k8s.io/v1', 'extensions/v1beta1');
    const r = run({ 'web.yaml': web, 'np.yaml': old });
    assert.match(notesOf(r, 'networkPolicyIsolation')[0]?.message ?? '', /not served/);
    assert.equal(of(r, 'networkPolicyIsolation').length, 1);
  });
});

describe('the default-deny fix proposal', () => {
  it('is a new document for the namespace, never preferred', () => {
    const r = run({ 'web.yaml': web });
    const fix = of(r, 'networkPolicyIsolation')[0]?.fixes[0];
    assert.equal(fix?.preferred, false);
    assert.equal(fix?.title, 'Add a default-deny NetworkPolicy for namespace "prod"');
    const op = fix?.ops[0];
    assert.equal(op?.op, 'addDocument');
    if (op?.op === 'addDocument') {
      assert.match(op.text, /kind: NetworkPolicy/);
      assert.match(op.text, /namespace: prod/);
      assert.match(op.text, /podSelector: \{\}/);
    }
  });

  it('picks a name no policy of the namespace has', () => {
    const r = run({
      'web.yaml': web,
      'np.yaml': policy({ name: 'default-deny', selector: '{matchLabels: {app: none}}' }),
    });
    const op = of(r, 'networkPolicyIsolation')[0]?.fixes[0]?.ops[0];
    assert.ok(op?.op === 'addDocument' && /name: default-deny-2/.test(op.text));
  });
});
