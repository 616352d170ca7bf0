/**
 * The false alarms other scanners are reported for, each a case that must
 * not alarm here: a pod-level setting honoured where it applies,
 * `podSelector: {}`, a deny-all policy, an ingress-only policy, a
 * ServiceAccount with automount off, and init containers (checked, with
 * pod-level totals following Kubernetes' rules for quota).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployment, FULL_RESOURCES, of, run } from './helpers';

const denyAll = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: prod}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;

describe('false alarms that must not happen', () => {
  it('a pod-level automountServiceAccountToken: false is honoured (no serviceAccountToken)', () => {
    const r = run(deployment({ spec: 'automountServiceAccountToken: false' }));
    assert.equal(of(r, 'serviceAccountToken').length, 0);
  });

  it('pod-level resources are honoured (no resourceRequests, resourceLimits or quota "must specify")', () => {
    const text = deployment({
      spec: 'resources:\n  requests: {cpu: 500m, memory: 512Mi}\n  limits: {memory: 512Mi}',
    });
    const quota =
      'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: prod}\nspec:\n  hard: {requests.cpu: "4", limits.memory: 8Gi}\n';
    const r = run({ 'a.yaml': text, 'q.yaml': quota });
    assert.equal(of(r, 'resourceRequests').length, 0);
    assert.equal(of(r, 'resourceLimits').length, 0);
    assert.equal(of(r, 'quotaRejects').length, 0);
  });

  it('podSelector: {} selects every pod of the namespace (no isolation finding, not unmatched)', () => {
    const r = run({
      'a.yaml': deployment({}),
      'b.yaml': deployment({ name: 'api' }),
      'np.yaml': denyAll,
    });
    assert.equal(of(r, 'networkPolicyIsolation').length, 0);
    assert.equal(of(r, 'networkPolicyUnmatched').length, 0);
  });

  it('a deny-all policy is isolation, not a missing policy', () => {
    const r = run({ 'a.yaml': deployment({}), 'np.yaml': denyAll });
    assert.equal(of(r, 'networkPolicyIsolation').length, 0);
    assert.equal(r.isolation[0]?.ingress.isolated, true);
    assert.equal(r.isolation[0]?.egress.isolated, true);
    assert.equal(r.namespaces[0]?.defaultDeny.ingress?.name, 'deny-all');
  });

  it('an ingress-only policy: egress not isolated is not "no policy"', () => {
    const ingressOnly = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: lb}}}]
`;
    const r = run({ 'a.yaml': deployment({}), 'np.yaml': ingressOnly });
    assert.equal(of(r, 'networkPolicyIsolation').length, 0);
    assert.equal(r.isolation[0]?.egress.isolated, false);
  });

  it('a ServiceAccount with automount off is honoured (no serviceAccountToken)', () => {
    const sa =
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: prod}\nautomountServiceAccountToken: false\n';
    const r = run({ 'a.yaml': deployment({ spec: 'serviceAccountName: builder' }), 'sa.yaml': sa });
    assert.equal(of(r, 'serviceAccountToken').length, 0);
  });

  it('an init container with its own resources is not reported; its missing ones are reported once, by name', () => {
    const text = deployment({ container: FULL_RESOURCES }).replace(
      '      containers:',
      `      initContainers:
        - name: migrate
          image: flyway
          resources:
            requests: {cpu: 200m, memory: 64Mi}
            limits: {memory: 64Mi}
        - name: wait
          image: busybox
      containers:`,
    );
    const r = run(text);
    assert.deepEqual(
      of(r, 'resourceRequests').map((f) => f.container),
      ['wait'],
    );
    assert.deepEqual(
      of(r, 'resourceLimits').map((f) => f.container),
      ['wait'],
    );
  });

  it("an init container's request counts as a maximum for quota, not added to the containers'", () => {
    const text = deployment({
      container: 'resources: {requests: {cpu: 600m, memory: 64Mi}, limits: {memory: 64Mi}}',
    }).replace(
      '      containers:',
      `      initContainers:
        - {name: setup, image: x, resources: {requests: {cpu: 900m, memory: 64Mi}, limits: {memory: 64Mi}}}
      containers:`,
    );
    const quota =
      'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: prod}\nspec:\n  hard: {requests.cpu: "1", limits.memory: 1Gi}\n';
    const r = run({ 'a.yaml': text, 'q.yaml': quota });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });

  it('a literal that only looks like a secret name in another position is not reported', () => {
    const r = run(
      deployment({
        container:
          'env:\n  - {name: PASSWORD_FILE, value: /run/secrets/db}\n  - {name: TOKEN_TTL, value: "3600"}\n  - {name: PUBLIC_KEY, value: ssh-ed25519 AAAAC3Nz}',
      }),
    );
    assert.equal(of(r, 'secretInEnv').length, 0);
  });
});
