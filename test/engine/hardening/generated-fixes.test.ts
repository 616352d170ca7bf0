/**
 * Hardening fixes of generated YAML, made in the files the user edits.
 *
 * Helm charts: fixes that add lines at the end of a rendered
 * map the template writes literally (the pod spec's
 * `automountServiceAccountToken: false` after its last field, a `toYaml`
 * of values): made in the template, at the template's indentation, after
 * the text that printed the map's last field; once applied the chart
 * renders the field and the finding goes. Not offered where the lines
 * would join or leave a template block (`if`, `range`, `end`).
 *
 * Kustomize overlays: "Add a default-deny NetworkPolicy" is a new file of the
 * overlay plus its entry in the overlay's `resources:`, one fix of both
 * files; once applied the overlay builds the policy and its workloads are
 * isolated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, runHardening } from '@podsec/server/out/engine/index';
import type { Fix } from '@podsec/server/out/engine/index';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import {
  chartHardeningInputs,
  evaluateChart,
  generatedHardeningSource,
  overlayHardeningInputs,
  placeGeneratedHardening,
} from '@podsec/server/out/engine/project/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { hardenedDeployment, WEB_CHART_YAML, webChartTemplate } from '../../support/manifests';

const DIR = '/repo/web';
const TEMPLATE_FILE = `${DIR}/templates/deployment.yaml`;
const policy = { level: 'restricted' as const, version: 'latest' };

const POD_SPEC = webChartTemplate();

function chart(template: string): Record<string, string> {
  return {
    [`${DIR}/Chart.yaml`]: WEB_CHART_YAML,
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

const DEPLOY = hardenedDeployment('api', { flowLabels: true });

/** The base's networkPolicyIsolation findings, as the overlays under /r build it. */
function isolation(files: Record<string, string>) {
  const fs = new MemoryFs(files);
  const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/r'), { nameOf: (d) => d.slice(3) });
  const inputs = overlayHardeningInputs(ev);
  const run = runHardening(inputs.map((x, i) => generatedHardeningSource(x, i)));
  const placed = placeGeneratedHardening(run, inputs, policy, (f) => fs.readText(f));
  return (placed.get('/r/base/deploy.yaml')?.findings ?? []).filter(
    (f) => f.check === 'networkPolicyIsolation',
  );
}

/** `files` with a fix's edits applied (created files written). */
function applied(files: Record<string, string>, fix: Fix): Record<string, string> {
  const out = { ...files };
  for (const f of fix.files ?? []) {
    assert.equal(f.create === true, !(f.path in files), f.path);
    out[f.path] = applyEdits(files[f.path] ?? '', f.edits);
  }
  return out;
}

describe('overlay hardening fixes: a default-deny NetworkPolicy as a new file of the overlay', () => {
  const TREE = {
    '/r/base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
    '/r/base/deploy.yaml': DEPLOY,
    '/r/prod/kustomization.yaml': '# production\nnamespace: prod\nresources:\n  - ../base\n',
  };

  it('the new file and its resources: entry, one fix; applied, the workload is isolated', () => {
    const [f] = isolation(TREE);
    assert.ok(f, 'the workload is not isolated');
    assert.match(f.message, /in overlay prod$/);
    const denies = f.fixes.filter((x) => /default-deny/.test(x.title));
    assert.equal(denies.length, 1, JSON.stringify(f.fixes.map((x) => x.title)));
    const fix = denies[0];
    assert.ok(fix);
    assert.equal(fix.safe, false);
    assert.deepEqual(fix.edits, []);
    assert.match(
      fix.title,
      /namespace "prod": new file default-deny\.yaml in prod, listed in its kustomization\.yaml/,
    );
    assert.deepEqual(
      fix.files?.map((x) => [x.path, x.create === true]),
      [
        ['/r/prod/default-deny.yaml', true],
        ['/r/prod/kustomization.yaml', false],
      ],
    );
    const after = applied(TREE, fix);
    assert.equal(
      after['/r/prod/kustomization.yaml'],
      '# production\nnamespace: prod\nresources:\n  - ../base\n  - default-deny.yaml\n',
    );
    assert.match(
      after['/r/prod/default-deny.yaml'] ?? '',
      /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/m,
    );
    assert.deepEqual(isolation(after), []);
  });

  it('a kustomization without resources: gets the key; a taken file name is not overwritten', () => {
    const tree = {
      ...TREE,
      '/r/prod/kustomization.yaml': 'namespace: prod\nbases: [../base]\n',
      '/r/prod/default-deny.yaml': '# something else\n',
    };
    const fix = isolation(tree)[0]?.fixes.find((x) => /default-deny/.test(x.title));
    assert.ok(fix);
    assert.deepEqual(
      fix.files?.map((x) => x.path),
      ['/r/prod/default-deny-2.yaml', '/r/prod/kustomization.yaml'],
    );
    const after = applied(tree, fix);
    assert.equal(after['/r/prod/default-deny.yaml'], '# something else\n');
    assert.deepEqual(isolation(after), []);
  });
});
