/**
 * The hardening checks in two passes (CompactHardening): files past the
 * budget are kept as plain values with deferred spans and parsed again when
 * merged. Every file's merged analysis must equal what runHardening over
 * full sources and mergeHardening give: findings, spans, fixes, notes,
 * suppressions and their order, whatever the budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyze,
  CompactHardening,
  hardeningSource,
  mergeHardening,
  runHardening,
} from '@podsec/server';
import type { Analysis } from '@podsec/server';
import { generate } from '../../support/generate';

const POLICY = { level: 'restricted' as const, version: 'latest' };
/** A low alias limit, so that the adapter leaves a document out with a note. */
const SOURCE = { maxAliasCount: 20 };

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
      serviceAccountName: runner
      containers:
        - name: app # podsec-ignore resourceLimits -- sized by the VPA
          image: nginx
        - name: side
          image: busybox
          env:
            - name: PASSWORD
              value: hunter2
`;

const policies = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-in
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
    - from:
        - podSelector: {}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
  namespace: shop
automountServiceAccountToken: true
`;

const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: a
      namespace: shop
    spec:
      containers:
        - name: c
          image: x
  - apiVersion: v1
    kind: Pod
    metadata:
      name: b
      labels: {app: web}
      namespace: shop
    spec:
      containers:
        - name: c
          image: x
          resources: {limits: {memory: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: broken
---
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
`;

/** More aliases than the hardening adapter decodes: a note of the adapter, placed at pass 1. */
const aliases = `apiVersion: v1
kind: ConfigMap
metadata:
  name: many
data:
  a: &a [x]
${Array.from({ length: 30 }, (_, i) => `  k${i}: *a`).join('\n')}
`;

function corpus(): Array<[string, string]> {
  const files: Array<[string, string]> = [
    ['web.yaml', web],
    ['policies.yaml', policies],
    ['list.yaml', list],
    ['aliases.yaml', aliases],
  ];
  for (let seed = 1; seed <= 6; seed++)
    files.push([`gen-${seed}.yaml`, generate({ seed, workloads: 12 })]);
  return files;
}

/** What the command line gave before: every source kept whole. */
function whole(files: Array<[string, string]>): Map<string, Analysis> {
  const run = runHardening(files.map(([f, t]) => hardeningSource(f, t, SOURCE)));
  return new Map(
    files.map(([f, t]) => [f, mergeHardening(analyze(t, { file: f }), f, run, POLICY)]),
  );
}

function twoPass(files: Array<[string, string]>, budget: number): Map<string, Analysis> {
  const h = new CompactHardening({}, SOURCE, budget);
  for (const [f, t] of files) h.add(f, t);
  return new Map(files.map(([f, t]) => [f, h.merge(analyze(t, { file: f }), f, t, POLICY)]));
}

describe('CompactHardening: two passes, the same findings', () => {
  const files = corpus();
  const expected = whole(files);

  it('the corpus exercises what must be placed: cross-file findings, fixes, notes, suppressions', () => {
    const all = [...expected.values()];
    const hardening = all.flatMap((a) => a.findings.filter((f) => f.family === 'hardening'));
    assert.ok(hardening.length > 50, `${hardening.length} hardening findings`);
    assert.ok(
      hardening.some((f) => f.fixes.length > 0),
      'some carry fixes',
    );
    assert.ok(
      hardening.every((f) => f.span.end > 0),
      'every one is placed',
    );
    assert.ok((expected.get('web.yaml')?.suppressed?.length ?? 0) > 0, 'a suppression applies');
    assert.match(
      expected
        .get('aliases.yaml')
        ?.notes.map((n) => n.message)
        .join('\n') ?? '',
      /not evaluated by the hardening checks/i,
      'a note of the adapter',
    );
    // The NetworkPolicy of another file isolates web: no isolation finding for it.
    assert.ok(
      !expected
        .get('web.yaml')
        ?.findings.some((f) => f.check === 'networkPolicyIsolation' && f.object.name === 'web'),
    );
  });

  for (const [name, budget] of [
    ['every file compact (budget 0)', 0],
    ['some files whole, the rest compact', web.length + policies.length],
    ['every file whole', Number.MAX_SAFE_INTEGER],
  ] as const) {
    it(`${name}: each file's analysis equals the full run's`, () => {
      const got = twoPass(files, budget);
      for (const [f] of files) assert.deepEqual(got.get(f), expected.get(f), f);
    });
  }

  it('files merged in another order than added: the same analyses once all are merged', () => {
    const h = new CompactHardening({}, SOURCE, 0);
    for (const [f, t] of files) h.add(f, t);
    // A file's own findings are placed when it is merged; what it says of other files' objects
    // (the NetworkPolicy that isolates a workload) is placed when those are merged.
    const got = new Map<string, Analysis>();
    for (const [f, t] of [...files].reverse()) {
      const a = h.merge(analyze(t, { file: f }), f, t, POLICY);
      assert.deepEqual(a.findings, expected.get(f)?.findings, f);
      got.set(f, a);
    }
    for (const [f] of files) assert.deepEqual(got.get(f), expected.get(f), f);
  });
});
