/**
 * Bad input is normal input: half-typed files and every field of every
 * object replaced by a value of the wrong type give results (findings and
 * notes), never an exception.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHardening, objectsFromText } from '@podsec/server/out/engine/hardening';
import type { JsonValue, KubeObject } from '@podsec/server/out/engine/hardening';

const TEXT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod, labels: {app: web}}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}, annotations: {a: b}}
    spec:
      serviceAccountName: sa
      automountServiceAccountToken: true
      activeDeadlineSeconds: 10
      priorityClassName: high
      resources: {requests: {cpu: 1}, limits: {memory: 1Gi}}
      affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{namespaces: [x], topologyKey: z}]}}
      initContainers:
        - {name: init, image: x, restartPolicy: Always, resources: {requests: {cpu: 100m}}}
      containers:
        - name: app
          image: nginx
          env: [{name: DB_PASSWORD, value: hunter2hunter2}, {name: X, valueFrom: {secretKeyRef: {name: a, key: b}}}]
          volumeMounts: [{name: v, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]
          resources: {requests: {cpu: 100m, memory: 1Gi}, limits: {cpu: 200m, memory: 1Gi}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: NotIn, values: [a]}]}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {}}], ports: [{port: 80}]}]
  egress: [{}]
---
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: prod}
spec:
  limits:
    - {type: Container, max: {cpu: "2"}, min: {cpu: 10m}, default: {memory: 1Gi}, defaultRequest: {memory: 512Mi}, maxLimitRequestRatio: {cpu: 4}}
    - {type: Pod, max: {memory: 4Gi}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: q, namespace: prod}
spec:
  hard: {requests.cpu: "4", limits.memory: 8Gi, pods: "10"}
  scopes: [NotBestEffort]
  scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, namespace: prod}
automountServiceAccountToken: false
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: prod}
data: {a: YQ==}
stringData: {b: c}
---
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - {level: None, users: [a], userGroups: [b], verbs: [get], namespaces: [c], resources: [{group: "", resources: [pods/exec], resourceNames: [x]}], omitStages: [Panic]}
  - {level: Metadata, nonResourceURLs: ["/healthz*"]}
  - {level: RequestResponse}
`;

const WRONG: JsonValue[] = [null, 0, -1, 1.5, '', 'x', true, [], {}, [null], { a: null }, ['x', 1]];

function base(): KubeObject[] {
  return objectsFromText(TEXT, { file: 'a.yaml', defaultNamespace: 'default' }).objects;
}

/** Every path of a JSON value. */
function paths(v: JsonValue, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function replaced(v: JsonValue, path: (string | number)[], by: JsonValue): JsonValue {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  if (Array.isArray(v) && typeof head === 'number')
    return v.map((x, i) => (i === head ? replaced(x, rest, by) : x));
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof head === 'string')
    return { ...v, [head]: replaced(v[head] as JsonValue, rest, by) };
  return v;
}

describe('wrong types anywhere', () => {
  it('the untouched workspace is evaluated (the base case finds something)', () => {
    const r = analyzeHardening(base());
    assert.ok(r.findings.length > 0);
    assert.ok(r.findings.some((f) => f.check === 'secretInEnv'));
    assert.ok(r.findings.some((f) => f.check === 'auditPolicy'));
  });

  it('every field of every object replaced by every wrong type: results, never an exception', () => {
    const objects = base();
    let runs = 0;
    objects.forEach((o, index) => {
      for (const p of paths(o.value)) {
        if (p.length === 0) continue;
        for (const w of WRONG) {
          const value = replaced(o.value, p, w) as KubeObject['value'];
          const mutated = objects.map((x, i) => (i === index ? { ...x, value } : x));
          const r = analyzeHardening(mutated);
          assert.ok(Array.isArray(r.findings) && Array.isArray(r.notes));
          runs++;
        }
      }
    });
    assert.ok(runs > 1000, `only ${runs} runs`);
  });
});

describe('half-typed files', () => {
  it('every prefix of the file, cut at any line, is evaluated without an exception', () => {
    const lines = TEXT.split('\n');
    for (let n = 0; n <= lines.length; n++) {
      const text = lines.slice(0, n).join('\n');
      const { objects } = objectsFromText(text, { file: 'a.yaml', defaultNamespace: 'default' });
      const r = analyzeHardening(objects);
      assert.ok(Array.isArray(r.findings));
    }
  });

  it('every prefix cut inside a line too (every 7th character)', () => {
    for (let n = 0; n <= TEXT.length; n += 7) {
      const { objects } = objectsFromText(TEXT.slice(0, n), {
        file: 'a.yaml',
        defaultNamespace: 'default',
      });
      assert.ok(Array.isArray(analyzeHardening(objects).notes));
    }
  });
});
