/**
 * The serviceAccountToken fix on the ServiceAccount: when a ServiceAccount in
 * another file decides the token mount (or would, by setting its field), the
 * finding offers `automountServiceAccountToken: false` on it, as edits of
 * that file, alongside the fix in the pod spec; each, applied, leaves no
 * finding when the checks run again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyze,
  applyEdits,
  hardeningFixEdits,
  hardeningSource,
  mergeHardening,
  runHardening,
} from '@podsec/server';
import type { HardeningRun } from '@podsec/server';

const POLICY = { level: 'restricted' as const, version: 'latest' };
const ONLY = {
  checks: {
    networkPolicyIsolation: 'off',
    networkPolicyUnmatched: 'off',
    resourceRequests: 'off',
    resourceLimits: 'off',
  },
} as const;

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: api
      containers:
        - name: app
          image: nginx
`;

const SA = (field: string) => `# the shop's API client
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
${field}`;

function runOf(files: Record<string, string>): HardeningRun {
  return runHardening(
    Object.entries(files).map(([f, t]) => hardeningSource(f, t)),
    ONLY,
  );
}

const tokenFindings = (run: HardeningRun) =>
  run.result.findings.filter((f) => f.check === 'serviceAccountToken');

describe('serviceAccountToken: the fix on the ServiceAccount of another file', () => {
  it('decided by the ServiceAccount: the finding in its file offers the field set to false there', () => {
    const files = { 'web.yaml': WEB, 'sa.yaml': SA('automountServiceAccountToken: true\n') };
    const run = runOf(files);
    const [h] = tokenFindings(run);
    assert.ok(h);
    assert.equal(h.file, 'sa.yaml');
    // as the editor and the command line see it: the ServiceAccount's fix, in the finding's own file
    const a = mergeHardening(
      analyze(files['sa.yaml'], { file: 'sa.yaml' }),
      'sa.yaml',
      run,
      POLICY,
    );
    const f = a.findings.find((x) => x.check === 'serviceAccountToken');
    assert.ok(f);
    assert.match(f.fixes[0]?.title ?? '', /on ServiceAccount "api"/);
    const fixed = applyEdits(files['sa.yaml'], f.fixes[0]?.edits ?? []);
    assert.equal(fixed, SA('automountServiceAccountToken: false\n'));
    assert.deepEqual(tokenFindings(runOf({ ...files, 'sa.yaml': fixed })), []);
    // the pod-spec fix edits the workload's file: offered on the finding as that file's edits
    assert.equal(f.fixes[1]?.files?.[0]?.path, 'web.yaml');
    const pod = h.fixes.find((x) => x.file === 'web.yaml');
    assert.ok(pod);
    const edits = hardeningFixEdits(run, pod);
    assert.ok(edits);
    const web = applyEdits(WEB, edits);
    assert.match(web, /^ {6}automountServiceAccountToken: false$/m);
    assert.deepEqual(tokenFindings(runOf({ ...files, 'web.yaml': web })), []);
  });

  it('a ServiceAccount that sets nothing: the finding on the pod template also offers the ServiceAccount’s field', () => {
    const files = { 'web.yaml': WEB, 'sa.yaml': SA('') };
    const run = runOf(files);
    const [h] = tokenFindings(run);
    assert.ok(h);
    assert.equal(h.file, 'web.yaml');
    assert.deepEqual(
      h.fixes.map((x) => x.file),
      ['web.yaml', 'sa.yaml'],
    );
    // as the editor sees it: the pod-spec fix in the file, the ServiceAccount's as an edit of its file
    const a = mergeHardening(analyze(WEB, { file: 'web.yaml' }), 'web.yaml', run, POLICY);
    const f = a.findings.find((x) => x.check === 'serviceAccountToken');
    assert.equal(f?.fixes.length, 2);
    assert.ok((f?.fixes[0]?.edits.length ?? 0) > 0);
    const other = f?.fixes[1];
    assert.deepEqual(other?.edits, []);
    assert.equal(other?.files?.[0]?.path, 'sa.yaml');
    assert.match(
      applyEdits(files['sa.yaml'], other?.files?.[0]?.edits ?? []),
      /^automountServiceAccountToken: false$/m,
    );
    const saFix = h.fixes[1];
    assert.ok(saFix);
    const edits = hardeningFixEdits(run, saFix);
    assert.ok(edits);
    const sa = applyEdits(files['sa.yaml'], edits);
    assert.match(sa, /^# the shop's API client\n/, 'the comment is kept');
    assert.match(sa, /^automountServiceAccountToken: false$/m);
    assert.deepEqual(tokenFindings(runOf({ ...files, 'sa.yaml': sa })), []);
  });

  it('no ServiceAccount in the workspace: only the pod-spec fix', () => {
    const [h] = tokenFindings(runOf({ 'web.yaml': WEB }));
    assert.deepEqual(
      h?.fixes.map((x) => x.file),
      ['web.yaml'],
    );
  });
});
