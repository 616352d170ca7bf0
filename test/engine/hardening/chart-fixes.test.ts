/**
 * Hardening fixes on a Helm chart that add lines at the end of a rendered
 * map the template writes literally (the pod spec's
 * `automountServiceAccountToken: false` after its last field, a `toYaml`
 * of values): made in the template, at the template's indentation, after
 * the text that printed the map's last field; once applied the chart
 * renders the field and the finding goes. Not offered where the lines
 * would join or leave a template block (`if`, `range`, `end`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, runHardening } from '@podsec/server/out/engine/index';
import type { Fix } from '@podsec/server/out/engine/index';
import {
  chartHardeningInputs,
  evaluateChart,
  generatedHardeningSource,
  placeGeneratedHardening,
} from '@podsec/server/out/engine/project/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const DIR = '/repo/web';
const TEMPLATE_FILE = `${DIR}/templates/deployment.yaml`;
const policy = { level: 'restricted' as const, version: 'latest' };

const POD_SPEC = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: {{ .Values.image }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
`;

function chart(template: string): Record<string, string> {
  return {
    [`${DIR}/Chart.yaml`]: 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    [`${DIR}/values.yaml`]: 'image: nginx\nresources: {}\n',
    [TEMPLATE_FILE]: template,
  };
}

/** The chart's serviceAccountToken findings in the template, placed, with their fixes. */
function tokenFindings(files: Record<string, string>) {
  const fs = new MemoryFs(files);
  const ev = evaluateChart(fs, DIR);
  assert.deepEqual(ev.errors, []);
  const inputs = chartHardeningInputs([ev], false);
  const run = runHardening(inputs.map((x, i) => generatedHardeningSource(x, i)));
  const placed = placeGeneratedHardening(run, inputs, policy, (f) => fs.readText(f));
  return (placed.get(TEMPLATE_FILE)?.findings ?? []).filter(
    (f) => f.check === 'serviceAccountToken',
  );
}

/** The pod-spec fix of the one finding, its edit made in the template itself. */
function podSpecFix(files: Record<string, string>): Fix | undefined {
  const [token] = tokenFindings(files);
  assert.ok(token, 'the token is mounted');
  return token.fixes.find((f) => /in the pod spec/.test(f.title));
}

describe('chart hardening fixes that add lines at the end of a literal map', () => {
  it('after a toYaml that ends the document: at the end of the template, at its indentation', () => {
    const files = chart(POD_SPEC);
    const fix = podSpecFix(files);
    assert.ok(fix, 'the pod-spec fix is offered');
    assert.equal(fix.safe, false);
    assert.equal(fix.files, undefined, 'an edit of the template itself');
    const fixed = applyEdits(POD_SPEC, fix.edits);
    assert.equal(fixed, `${POD_SPEC}      automountServiceAccountToken: false\n`);
    assert.deepEqual(tokenFindings({ ...files, [TEMPLATE_FILE]: fixed }), []);
  });

  it('before the next document of the template, and before literal text that follows the map', () => {
    const service = '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n';
    const two = `${POD_SPEC}${service}`;
    const fix = podSpecFix(chart(two));
    assert.ok(fix);
    const fixed = applyEdits(two, fix.edits);
    assert.equal(fixed, `${POD_SPEC}      automountServiceAccountToken: false\n${service}`);
    assert.deepEqual(tokenFindings({ ...chart(two), [TEMPLATE_FILE]: fixed }), []);
    const strategy = '  strategy:\n    type: Recreate\n';
    const after = `${POD_SPEC}${strategy}`;
    const fix2 = podSpecFix(chart(after));
    assert.ok(fix2);
    const fixed2 = applyEdits(after, fix2.edits);
    assert.equal(fixed2, `${POD_SPEC}      automountServiceAccountToken: false\n${strategy}`);
    assert.deepEqual(tokenFindings({ ...chart(after), [TEMPLATE_FILE]: fixed2 }), []);
  });

  it("after a toYaml on the last key's own line", () => {
    const shifted = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx
          resources: {{- toYaml .Values.resources | nindent 12 }}
`;
    const fix = podSpecFix(chart(shifted));
    assert.ok(fix);
    assert.deepEqual(
      tokenFindings({ ...chart(shifted), [TEMPLATE_FILE]: applyEdits(shifted, fix.edits) }),
      [],
    );
  });

  it('not offered across a template block, nor for a map a toYaml prints', () => {
    const guarded = `{{- if .Values.enabled }}\n${POD_SPEC}{{- end }}\n`;
    const files = {
      ...chart(guarded),
      [`${DIR}/values.yaml`]: 'enabled: true\nimage: nginx\nresources: {}\n',
    };
    assert.equal(podSpecFix(files), undefined);
    const printed = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  {{- toYaml .Values.pod | nindent 2 }}
`;
    const pod = {
      ...chart(printed),
      [`${DIR}/values.yaml`]: 'pod:\n  containers:\n    - name: app\n      image: nginx\n',
    };
    const [token] = tokenFindings(pod);
    assert.ok(token);
    // the values key that sets it, if any: never an edit of the template's text
    assert.ok(
      token.fixes.every(
        (f) => f.edits.length === 0 && f.files?.every((x) => x.path !== TEMPLATE_FILE),
      ),
      JSON.stringify(token.fixes),
    );
  });
});
