/**
 * Hardening fixes are data (JSON-path operations) turned into the smallest
 * text edits through the engine's planner. Every fix is applied to its
 * file and the workspace evaluated again: its finding is gone, every
 * comment is still there, the YAML still parses, and nothing else changed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { convertOps, planHardeningFix } from '@podsec/server/out/engine/hardening';
import type { HardeningFinding, HardeningFix } from '@podsec/server/out/engine/hardening';
import { applyFix, comments, of, run } from './helpers';
import type { Workspace } from './helpers';

const identity = (f: HardeningFinding) =>
  `${f.check}|${f.object.kind}|${f.object.name ?? ''}|${f.container ?? ''}|${f.file}`;

/** Apply one fix and check what every fix must do. */
function checkFix(ws: Workspace, finding: HardeningFinding, fix: HardeningFix): Workspace {
  const before = ws[fix.file] as string;
  const after = applyFix(run(ws), fix);
  const text = after[fix.file] as string;
  assert.notEqual(text, before, `${fix.title}: nothing changed`);
  for (const c of comments(before))
    assert.ok(comments(text).includes(c), `${fix.title}: comment lost: ${c}`);
  const docs = parseAllDocuments(text, { version: '1.1' });
  for (const d of Array.isArray(docs) ? docs : [])
    assert.deepEqual(d.errors, [], `${fix.title}: YAML errors`);
  const again = run(after);
  assert.ok(
    !again.findings.some((f) => identity(f) === identity(finding) && f.message === finding.message),
    `${fix.title}: the finding is still there:\n${text}`,
  );
  return after;
}

const WORKSPACE: Workspace = {
  'app.yaml': `# The web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep me
  namespace: prod
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: web
    spec:
      # containers follow
      containers:
        - name: app # the app
          image: nginx
          env:
            - name: DB_PASSWORD # literal!
              value: Tr0ub4dor&3
            - name: MODE
              value: fast
        - {name: sidecar, image: envoy}
`,
  'quota.yaml': `apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: prod}
spec:
  hard:
    requests.cpu: "4"
    limits.memory: 8Gi
`,
  'audit.yaml': `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  # exec is noisy
  - level: None
    resources:
      - group: ""
        resources: ["pods/exec", "pods/attach", "pods/portforward"]
  # everything else
  - level: RequestResponse
`,
};

describe('every fix removes its finding and keeps the file', () => {
  const r = run(WORKSPACE);
  const fixable = r.findings.filter((f) => f.fixes.length > 0);
  it('the workspace has a fixable finding of each fixable check', () => {
    const checks = new Set(fixable.map((f) => f.check));
    for (const c of [
      'networkPolicyIsolation',
      'resourceRequests',
      'resourceLimits',
      'quotaRejects',
      'secretInEnv',
      'serviceAccountToken',
      'auditPolicy',
    ]) {
      assert.ok(checks.has(c as never), c);
    }
  });
  for (const f of fixable) {
    for (const fix of f.fixes) {
      it(`${f.check}: ${fix.title}`, () => {
        assert.equal(fix.preferred, false);
        checkFix(WORKSPACE, f, fix);
      });
    }
  }
});

describe('the edits are minimal and keep the style', () => {
  it('a block container gets block resources after its last key', () => {
    const r = run(WORKSPACE);
    const f = of(r, 'resourceRequests').find((x) => x.container === 'app');
    const fix = f?.fixes[0];
    if (!fix) throw new Error('no fix');
    const text = applyFix(r, fix)['app.yaml'] as string;
    assert.match(
      text,
      / {14}value: fast\n {10}resources:\n {12}requests:\n {14}cpu: "100m"\n {14}memory: "128Mi"\n {8}- \{name: sidecar/,
    );
  });

  it('a flow container gets flow resources', () => {
    const r = run(WORKSPACE);
    const fix = of(r, 'resourceLimits').find((x) => x.container === 'sidecar')?.fixes[0];
    if (!fix) throw new Error('no fix');
    const text = applyFix(r, fix)['app.yaml'] as string;
    assert.match(
      text,
      /- \{name: sidecar, image: envoy, resources: \{limits: \{memory: "128Mi"\}\}\}/,
    );
  });

  it('the limit placeholder is the request when there is one', () => {
    const ws = {
      'a.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: x\n      resources:\n        requests: {cpu: 250m, memory: 300Mi}\n',
    };
    const r = run(ws);
    const fix = of(r, 'resourceLimits')[0]?.fixes[0];
    if (!fix) throw new Error('no fix');
    assert.match(applyFix(r, fix)['a.yaml'] as string, /limits:\n {10}memory: "300Mi"/);
  });

  it('placeholders are brought within the LimitRange bounds of the namespace', () => {
    const ws = {
      'a.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\nspec:\n  containers:\n    - name: a\n      image: x\n',
      'lr.yaml':
        'apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: prod}\nspec:\n  limits:\n    - {type: Pod, max: {memory: 100Mi}}\n',
    };
    const r = run(ws);
    assert.equal(of(r, 'limitRangeRejects').length, 1);
    const f = of(r, 'resourceLimits')[0];
    const fix = f?.fixes[0];
    if (!f || !fix) throw new Error('no fix');
    const after = checkFix(ws, f, fix);
    assert.match(after['a.yaml'] ?? '', /memory: "?100Mi"?/);
    assert.equal(of(run(after), 'limitRangeRejects').length, 0);
  });

  it('moving a value to a Secret replaces only that env entry', () => {
    const r = run(WORKSPACE);
    const fix = of(r, 'secretInEnv')[0]?.fixes[0];
    if (!fix) throw new Error('no fix');
    const text = applyFix(r, fix)['app.yaml'] as string;
    assert.match(
      text,
      /- name: DB_PASSWORD # literal!\n {14}valueFrom:\n {16}secretKeyRef:\n {18}name: web-secrets\n {18}key: db-password\n {12}- name: MODE\n {14}value: fast/,
    );
    assert.ok(!text.includes('Tr0ub4dor'));
  });

  it('the audit fix inserts a block rule before the deciding rule, at its indentation', () => {
    const r = run(WORKSPACE);
    const f = of(r, 'auditPolicy').find((x) => /does not log exec/.test(x.message));
    const fix = f?.fixes[0];
    if (!fix) throw new Error('no fix');
    const text = applyFix(r, fix)['audit.yaml'] as string;
    assert.equal(
      text,
      `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  # exec is noisy
  - level: Metadata
    resources:
      - group: ""
        resources: [pods/exec, pods/attach, pods/portforward]
  - level: None
    resources:
      - group: ""
        resources: ["pods/exec", "pods/attach", "pods/portforward"]
  # everything else
  - level: RequestResponse
`,
    );
  });

  it('the default-deny document is added at the end of the file', () => {
    const ws = {
      'a.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers: [{name: a, image: b}]',
    };
    const r = run(ws);
    const fix = of(r, 'networkPolicyIsolation')[0]?.fixes[0];
    if (!fix) throw new Error('no fix');
    const text = applyFix(r, fix)['a.yaml'] as string;
    assert.ok(
      text.startsWith(
        `${ws['a.yaml']}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n`,
      ),
    );
    assert.equal(of(run({ 'a.yaml': text }), 'networkPolicyIsolation').length, 0);
  });

  it('CRLF files stay CRLF', () => {
    const text = WORKSPACE['audit.yaml']?.replace(/\n/g, '\r\n') as string;
    const r = run({ 'audit.yaml': text });
    const fix = of(r, 'auditPolicy')[0]?.fixes[0];
    if (!fix) throw new Error('no fix');
    const out = applyFix(r, fix)['audit.yaml'] as string;
    assert.ok(!/[^\r]\n/.test(out), 'a bare LF was written');
    assert.equal(
      of(run({ 'audit.yaml': out }), 'auditPolicy').length < of(r, 'auditPolicy').length,
      true,
    );
  });

  it('items of a kind: List are fixed in place', () => {
    const ws = {
      'l.yaml': `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: c}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
        - name: a
          image: b
`,
    };
    const r = run(ws);
    const f = of(r, 'serviceAccountToken')[0];
    const fix = f?.fixes[0];
    if (!f || !fix) throw new Error('no fix');
    assert.equal(fix.item, 1);
    const text = checkFix(ws, f, fix)['l.yaml'] as string;
    assert.match(
      text,
      / {4}spec:\n {6}containers:\n {8}- name: a\n {10}image: b\n {6}automountServiceAccountToken: false\n/,
    );
  });
});

describe('list insertion and the converter', () => {
  const text = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None # first
  - level: Metadata
flow: [a, b]
`;
  const doc = () => {
    const d = parseAllDocuments(text, { version: '1.1' });
    const first = Array.isArray(d) ? d[0] : undefined;
    if (!first) throw new Error('no document');
    return first;
  };
  const apply = (fix: HardeningFix) => {
    const edits = planHardeningFix(text, doc(), fix);
    if (!edits) return null;
    let out = text;
    for (const e of [...edits].sort((a, b) => b.start - a.start))
      out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    return out;
  };
  const fix = (ops: HardeningFix['ops']): HardeningFix => ({
    title: 't',
    preferred: false,
    file: 'f',
    document: 0,
    item: null,
    ops,
  });

  it('inserts before an index, after the last item, into a flow list, and creates a missing list', () => {
    assert.match(
      apply(fix([{ op: 'insert', path: ['rules'], index: 1, value: { level: 'Request' } }])) ?? '',
      /# first\n {2}- level: Request\n {2}- level: Metadata\n/,
    );
    assert.match(
      apply(fix([{ op: 'insert', path: ['rules'], index: 2, value: { level: 'Request' } }])) ?? '',
      / {2}- level: Metadata\n {2}- level: Request\nflow/,
    );
    assert.match(
      apply(fix([{ op: 'insert', path: ['flow'], index: 1, value: 'x' }])) ?? '',
      /flow: \[a, x, b\]/,
    );
    assert.match(
      apply(fix([{ op: 'insert', path: ['flow'], index: 9, value: 'x' }])) ?? '',
      /flow: \[a, b, x\]/,
    );
    assert.match(
      apply(fix([{ op: 'insert', path: ['omitStages'], index: 0, value: 'RequestReceived' }])) ??
        '',
      /omitStages: \[RequestReceived\]/,
    );
  });

  it('set creates parents; append creates the list; remove drops a key', () => {
    assert.match(
      apply(fix([{ op: 'set', path: ['metadata', 'name'], value: 'p' }])) ?? '',
      /metadata:\n {2}name: p\n/,
    );
    assert.match(
      apply(fix([{ op: 'append', path: ['omitStages'], value: 'Panic' }])) ?? '',
      /omitStages: \[Panic\]/,
    );
    assert.doesNotMatch(apply(fix([{ op: 'remove', path: ['flow'] }])) ?? '', /flow/);
    // removing what is not there changes nothing
    assert.equal(apply(fix([{ op: 'remove', path: ['nothing'] }])), text);
  });

  it('refuses targets that are not there (a list item), instead of guessing', () => {
    assert.equal(
      convertOps(text, doc(), [{ op: 'set', path: ['rules', 7, 'level'], value: 'None' }]),
      null,
    );
    assert.equal(
      planHardeningFix(
        text,
        doc(),
        fix([{ op: 'set', path: ['rules', 7, 'level'], value: 'None' }]),
      ),
      null,
    );
  });

  it('set and append go to the engine planner; insert and addDocument are edits of their own', () => {
    const c = convertOps(text, doc(), [
      { op: 'set', path: ['rules', 0, 'level'], value: 'Metadata' },
      { op: 'insert', path: ['rules'], index: 0, value: { level: 'None' } },
      { op: 'addDocument', text: 'kind: X\n' },
    ]);
    assert.equal(c?.ops.length, 1);
    assert.equal(c?.edits.length, 2);
  });
});
