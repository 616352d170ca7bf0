/**
 * The project model: which files belong to a chart (or a kustomization), and
 * a chart's findings evaluated from its rendered output, each placed at the
 * file and line the user edits (values.yaml, the template, _helpers.tpl) and
 * naming the rendered object; render errors at their template line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from '@podsec/server/out/engine/index';
import {
  chartRootOf,
  discoverProject,
  evaluateChart,
  evaluateChartValueSets,
  evaluateGenerated,
  isChartFile,
  splitFieldPath,
} from '@podsec/server/out/engine/project/index';
import type { LocatedFinding } from '@podsec/server/out/engine/project/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const CHART_YAML = 'apiVersion: v2\nname: web\nversion: 0.1.0\n';

/** A chart whose securityContext comes from values, with a helper-emitted pod. */
function webChart(values: string, extra: Record<string, string> = {}): MemoryFs {
  return new MemoryFs({
    '/repo/web/Chart.yaml': CHART_YAML,
    '/repo/web/values.yaml': values,
    '/repo/web/templates/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name }}-web',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          image: nginx',
      '          securityContext:',
      '            {{- toYaml .Values.securityContext | nindent 12 }}',
      '',
    ].join('\n'),
    '/repo/web/templates/_helpers.tpl': [
      '{{- define "web.pod" -}}',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: {{ .name }}',
      'spec:',
      '  hostNetwork: true',
      '  containers:',
      '    - name: side',
      '      image: busybox',
      '{{- end -}}',
      '',
    ].join('\n'),
    '/repo/web/templates/pod.yaml': '{{ include "web.pod" (dict "name" "helper-pod") }}\n',
    '/repo/plain/deploy.yaml': 'apiVersion: v1\nkind: Pod\n',
    ...extra,
  });
}

const HARDENED = [
  'securityContext:',
  '  allowPrivilegeEscalation: false',
  '  runAsNonRoot: true',
  '  capabilities:',
  '    drop: [ALL]',
  '  seccompProfile:',
  '    type: RuntimeDefault',
  '',
].join('\n');

function lineOf(fs: MemoryFs, f: { file: string; span: { start: number } }): number {
  const t = fs.readText(f.file) ?? '';
  return t.slice(0, f.span.start).split('\n').length;
}

function textOf(fs: MemoryFs, f: { file: string; span: { start: number; end: number } }): string {
  return (fs.readText(f.file) ?? '').slice(f.span.start, f.span.end);
}

function only(findings: LocatedFinding[], check: string, kind?: string): LocatedFinding {
  const m = findings.filter((f) => f.check === check && (!kind || f.rendered.kind === kind));
  assert.equal(m.length, 1, `one ${check} finding (got ${m.map((f) => f.message).join('; ')})`);
  return m[0] as LocatedFinding;
}

describe('project: discovery', () => {
  it('finds outermost charts and the chart each file belongs to', () => {
    const fs = webChart(HARDENED, {
      '/repo/web/charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      '/repo/web/charts/sub/templates/x.yaml': 'kind: Pod\n',
      '/repo/other/chart/Chart.yaml': CHART_YAML,
    });
    const p = discoverProject(fs, '/repo');
    assert.deepEqual(p.charts, ['/repo/other/chart', '/repo/web']);
    assert.equal(p.chartOf('/repo/web/charts/sub/templates/x.yaml'), '/repo/web');
    assert.equal(p.chartOf('/repo/plain/deploy.yaml'), null);
    assert.equal(chartRootOf(fs, '/repo/web/charts/sub/templates/x.yaml'), '/repo/web');
    assert.equal(chartRootOf(fs, '/repo/web/templates'), '/repo/web');
    assert.equal(chartRootOf(fs, '/repo/plain/deploy.yaml'), null);
  });
  it("only the files Helm reads are the chart's: ci/ and examples/ hold plain files", () => {
    assert.equal(isChartFile('/repo/web', '/repo/web/values.yaml'), true);
    assert.equal(isChartFile('/repo/web', '/repo/web/templates/a/b.yaml'), true);
    assert.equal(isChartFile('/repo/web', '/repo/web/charts/sub/values.yaml'), true);
    assert.equal(isChartFile('/repo/web', '/repo/web/crds/crd.yaml'), true);
    assert.equal(isChartFile('/repo/web', '/repo/web/examples/pod.yaml'), false);
    assert.equal(isChartFile('/repo/web', '/repo/other.yaml'), false);
    const p = discoverProject(webChart(HARDENED), '/repo');
    assert.equal(p.chartOf('/repo/web/examples/pod.yaml'), null);
  });
  it('a folder inside a chart is owned by that chart', () => {
    const fs = webChart(HARDENED);
    assert.deepEqual(discoverProject(fs, '/repo/web/templates').charts, ['/repo/web']);
  });
  it('finds kustomizations beside charts', () => {
    const fs = webChart(HARDENED, {
      '/repo/k/kustomization.yaml': 'resources: [pod.yaml]\n',
      '/repo/k/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n',
    });
    const p = discoverProject(fs, '/repo');
    assert.deepEqual(p.kustomizations.roots, ['/repo/k']);
  });
});

describe('project: a chart evaluated as rendered', () => {
  it('a value from values.yaml is reported on its values.yaml line, naming the workload', () => {
    const fs = webChart('securityContext:\n  privileged: true\n');
    const ev = evaluateChart(fs, '/repo/web', { analyze: { level: 'baseline' } });
    const f = only(ev.findings, 'privileged', 'Deployment');
    assert.equal(f.file, '/repo/web/values.yaml');
    assert.equal(lineOf(fs, f), 2);
    assert.equal(textOf(fs, f), 'true');
    assert.equal(f.origin?.kind, 'value');
    assert.match(
      f.message,
      /in Deployment "release-name-web" from web\/templates\/deployment\.yaml/,
    );
    assert.equal(f.rendered.source, 'web/templates/deployment.yaml');
  });

  it('a missing field lands on the template line, naming the values key that would set it', () => {
    const fs = webChart('securityContext:\n  runAsNonRoot: true\n');
    const ev = evaluateChart(fs, '/repo/web');
    const f = only(ev.findings, 'allowPrivilegeEscalation', 'Deployment');
    assert.equal(f.file, '/repo/web/templates/deployment.yaml');
    assert.equal(lineOf(fs, f), 11);
    assert.equal(textOf(fs, f), 'securityContext');
    assert.deepEqual(f.valuesKey?.path, ['securityContext', 'allowPrivilegeEscalation']);
    assert.match(f.message, /values key securityContext\.allowPrivilegeEscalation would set it/);
    // The template is the Deployment's own: no object named.
    assert.doesNotMatch(f.message, /, in Deployment/);
  });

  it('an empty values map printed with toYaml still names the key', () => {
    const fs = webChart('securityContext: {}\n');
    const ev = evaluateChart(fs, '/repo/web');
    const f = only(ev.findings, 'runAsNonRoot', 'Deployment');
    assert.deepEqual(f.valuesKey?.path, ['securityContext', 'runAsNonRoot']);
  });

  it('a finding in _helpers.tpl names the workload it applies to', () => {
    const fs = webChart(HARDENED);
    const ev = evaluateChart(fs, '/repo/web', { analyze: { level: 'baseline' } });
    const f = only(ev.findings, 'hostNamespaces');
    assert.equal(f.file, '/repo/web/templates/_helpers.tpl');
    assert.equal(lineOf(fs, f), 7);
    assert.match(f.message, /in Pod "helper-pod" from web\/templates\/pod\.yaml/);
    assert.equal(f.valuesKey, undefined);
  });

  it('the hardened values give the Deployment no finding at restricted', () => {
    const fs = webChart(HARDENED);
    const ev = evaluateChart(fs, '/repo/web');
    assert.deepEqual(
      ev.findings.filter((f) => f.rendered.kind === 'Deployment').map((f) => f.check),
      [],
    );
    assert.deepEqual(ev.errors, []);
  });

  it('a template fix maps back to the template literal, and the re-render has no finding', () => {
    const fs = webChart(HARDENED);
    const ev = evaluateChart(fs, '/repo/web', { analyze: { level: 'baseline' } });
    const f = only(ev.findings, 'hostNamespaces');
    const fix = f.fixes[0];
    assert.ok(fix, 'a fix is offered');
    const fixed = applyEdits(fs.readText(f.file) ?? '', fix.edits);
    assert.doesNotMatch(fixed, /hostNetwork/);
    assert.match(fixed, /\{\{- define "web.pod" -\}\}/);
    fs.set(f.file, fixed);
    const again = evaluateChart(fs, '/repo/web', { analyze: { level: 'baseline' } });
    assert.deepEqual(
      again.findings.filter((x) => x.check === 'hostNamespaces'),
      [],
    );
  });

  it('a render error is an error at its template line, and the other templates still count', () => {
    const fs = webChart('securityContext:\n  privileged: true\n', {
      '/repo/web/templates/broken.yaml':
        'apiVersion: v1\nkind: ConfigMap\ndata:\n  x: {{ nope }}\n',
    });
    const ev = evaluateChart(fs, '/repo/web', { analyze: { level: 'baseline' } });
    assert.equal(ev.render.ok, false);
    const e = ev.errors.find((x) => x.file === '/repo/web/templates/broken.yaml');
    assert.ok(e, `an error in broken.yaml (${JSON.stringify(ev.errors)})`);
    assert.equal(e.severity, 'error');
    assert.equal(lineOf(fs, e), 4);
    assert.match(e.message, /function "nope" not defined/);
    only(ev.findings, 'privileged', 'Deployment');
  });

  it('a chart that cannot load is an error at Chart.yaml', () => {
    const fs = new MemoryFs({ '/c/Chart.yaml': 'name: [\n', '/c/templates/x.yaml': 'a: 1\n' });
    const ev = evaluateChart(fs, '/c');
    assert.equal(ev.errors.length > 0, true);
    assert.equal(ev.errors[0]?.file, '/c/Chart.yaml');
  });
});

describe('project: fixes at the origin', () => {
  it('a value from values.yaml is fixed in values.yaml, comments kept, and the re-render has no finding', () => {
    const fs = webChart('securityContext:\n  allowPrivilegeEscalation: true # for ping\n');
    const ev = evaluateChart(fs, '/repo/web');
    const f = only(ev.findings, 'allowPrivilegeEscalation', 'Deployment');
    assert.equal(f.file, '/repo/web/values.yaml');
    const fix = f.fixes[0];
    assert.ok(fix, 'a fix in values.yaml');
    const fixed = applyEdits(fs.readText(f.file) ?? '', fix.edits);
    assert.equal(fixed, 'securityContext:\n  allowPrivilegeEscalation: false # for ping\n');
    fs.set(f.file, fixed);
    const again = evaluateChart(fs, '/repo/web');
    assert.deepEqual(
      again.findings.filter(
        (x) => x.check === 'allowPrivilegeEscalation' && x.rendered.kind === 'Deployment',
      ),
      [],
    );
  });

  it('a missing field the template prints from values is set at its values key', () => {
    const fs = webChart('# pod hardening\nsecurityContext:\n  runAsNonRoot: true # keep\n');
    const ev = evaluateChart(fs, '/repo/web');
    const f = only(ev.findings, 'allowPrivilegeEscalation', 'Deployment');
    assert.equal(f.file, '/repo/web/templates/deployment.yaml');
    // No edit of the template (it would print the key twice once values set it)...
    assert.deepEqual(f.fixes, []);
    // ...but one at the values key.
    const at = f.originFixes[0];
    assert.ok(at);
    assert.equal(at.file, '/repo/web/values.yaml');
    assert.match(at.fix.title, /values\.yaml: securityContext\.allowPrivilegeEscalation/);
    const fixed = applyEdits(fs.readText(at.file) ?? '', at.fix.edits);
    assert.equal(
      fixed,
      '# pod hardening\nsecurityContext:\n  runAsNonRoot: true # keep\n  allowPrivilegeEscalation: false\n',
    );
    fs.set(at.file, fixed);
    const again = evaluateChart(fs, '/repo/web');
    assert.deepEqual(
      again.findings.filter(
        (x) => x.check === 'allowPrivilegeEscalation' && x.rendered.kind === 'Deployment',
      ),
      [],
    );
  });

  it('a template line inside an indented include gets no fix that would break its indentation', () => {
    const fs = webChart(HARDENED, {
      '/repo/web/templates/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  {{- include "web.ctr" . | nindent 2 }}\n',
      '/repo/web/templates/_ctr.tpl':
        '{{- define "web.ctr" -}}\ncontainers:\n  - name: c\n    image: x\n    securityContext:\n      privileged: true\n{{- end -}}\n',
    });
    const ev = evaluateChart(fs, '/repo/web', { analyze: { level: 'baseline' } });
    const f = only(ev.findings, 'privileged', 'Pod');
    assert.equal(f.file, '/repo/web/templates/_ctr.tpl');
    // privileged: true → false replaces a scalar of the helper's own text: that maps exactly.
    for (const x of f.originFixes) {
      const fixed = applyEdits(fs.readText(x.file) ?? '', x.fix.edits);
      assert.match(fixed, /^ {6}privileged: false$/m);
    }
  });
});

describe('project: value sets', () => {
  it('each set is evaluated; a finding names the sets it came from, once for the sets it is shared by', () => {
    const fs = webChart('securityContext:\n  privileged: true\n', {
      '/repo/web/values-prod.yaml': 'securityContext:\n  privileged: false\n',
    });
    const r = evaluateChartValueSets(
      fs,
      '/repo/web',
      [
        { name: 'dev', values: [], set: {} },
        { name: 'prod', values: ['/repo/web/values-prod.yaml'], set: {} },
        { name: 'qa', values: [], set: { 'securityContext.runAsUser': 0 } },
      ],
      { analyze: { level: 'baseline' } },
      (p) => fs.readText(p),
    );
    assert.equal(r.evaluations.length, 3);
    const priv = r.findings.filter((f) => f.check === 'privileged');
    assert.equal(priv.length, 1, priv.map((f) => f.message).join('; '));
    assert.match(priv[0]?.message ?? '', /\[values: dev, qa\]$/);
    const host = r.findings.filter((f) => f.check === 'hostNamespaces');
    assert.equal(host.length, 1);
    assert.match(host[0]?.message ?? '', /\[values: dev, prod, qa\]$/);
  });
  it('a set whose values file cannot be read is an error, not a pass', () => {
    const fs = webChart(HARDENED);
    const r = evaluateChartValueSets(
      fs,
      '/repo/web',
      [{ name: 'prod', values: ['/elsewhere/values.yaml'], set: {} }],
      {},
      () => null,
      '/repo/.podsec.yaml',
    );
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.file, '/repo/.podsec.yaml');
    assert.match(
      r.errors[0]?.message ?? '',
      /value set prod: cannot read \/elsewhere\/values\.yaml/,
    );
  });
});

describe('project: the release namespace', () => {
  const values = 'securityContext:\n  privileged: false\n';
  const apps = {
    name: 'apps',
    labels: { 'pod-security.kubernetes.io/enforce': 'baseline' },
    file: '/repo/namespaces.yaml',
    spans: {},
  };

  it("--namespace brings the tree's Namespace labels to workloads that name no namespace", () => {
    const fs = webChart(values);
    const namespaces = new Map([['apps', apps]]);
    const without = evaluateChart(fs, '/repo/web', { analyze: { namespaces } });
    assert.ok(without.findings.some((f) => f.check === 'runAsNonRoot'));
    assert.equal(without.namespace, 'default');
    const ev = evaluateChart(fs, '/repo/web', {
      render: { namespace: 'apps' },
      analyze: { namespaces },
    });
    assert.equal(ev.namespace, 'apps');
    // Baseline, as the label says: the restricted checks are gone, the helper Pod's hostNetwork stays.
    assert.deepEqual(
      ev.findings.filter((f) => f.check === 'runAsNonRoot'),
      [],
    );
    const host = only(ev.findings, 'hostNamespaces', 'Pod');
    assert.equal(host.policy.level, 'baseline');
    assert.equal(host.policySource.kind, 'namespace');
    assert.equal(host.policySource.kind === 'namespace' && host.policySource.namespace, 'apps');
  });

  it('a Namespace in the chart output labels the release namespace; a workload naming another keeps it', () => {
    const fs = webChart(values, {
      '/repo/web/templates/namespace.yaml': [
        'apiVersion: v1',
        'kind: Namespace',
        'metadata:',
        '  name: {{ .Release.Namespace }}',
        '  labels:',
        '    pod-security.kubernetes.io/enforce: privileged',
        '',
      ].join('\n'),
      '/repo/web/templates/other.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n  namespace: elsewhere\nspec:\n  hostPID: true\n  containers:\n    - name: c\n      image: x\n',
    });
    const ev = evaluateChart(fs, '/repo/web', { render: { namespace: 'tools' } });
    assert.deepEqual(
      ev.findings.filter(
        (f) => f.rendered.kind === 'Deployment' || f.rendered.name === 'helper-pod',
      ),
      [],
    );
    const other = only(ev.findings, 'hostNamespaces', 'Pod');
    assert.equal(other.rendered.name, 'other');
    assert.equal(other.policySource.kind, 'setting');
  });
});

describe('project: generated text in general', () => {
  it('places findings at segment origins and falls back where none covers', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n    - name: c\n      image: x\n';
    const at = text.indexOf('hostPID');
    const ev = evaluateGenerated(
      {
        text,
        label: 'test',
        segments: [
          {
            start: 0,
            end: at,
            origin: { kind: 'text', file: '/a.yaml', start: 100, end: 100 + at },
          },
        ],
      },
      { analyze: { level: 'baseline' }, fallbackFile: '/k.yaml', readText: () => null },
    );
    const f = only(ev.findings, 'hostNamespaces');
    // hostPID: true is past every segment: placed at the end of the last one before it.
    assert.equal(f.file, '/a.yaml');
    assert.deepEqual(f.span, { start: 100 + at, end: 100 + at });
    assert.deepEqual(f.generatedSpan, { start: at, end: at + 'hostPID: true'.length });
  });
  it('splits field paths with indices and quoted keys', () => {
    assert.deepEqual(splitFieldPath('spec.containers[2].securityContext'), [
      'spec',
      'containers',
      2,
      'securityContext',
    ]);
    assert.deepEqual(splitFieldPath('metadata.annotations["a.b/c"]'), [
      'metadata',
      'annotations',
      'a.b/c',
    ]);
  });
});
