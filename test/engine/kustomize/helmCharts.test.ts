/**
 * `helmCharts` in a kustomization, rendered by the engine's Helm renderer:
 * each field of an entry (and of `helmGlobals`) on small charts written
 * here, the origins of rendered values (template line, values key, the
 * `valuesInline` line, a later patch's line), charts that are never fetched,
 * errors at the entry, and the fixes of a chart object's findings (at a values
 * key, in `valuesInline`, or as a patch in the overlay).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from '@podsec/server/out/engine/fixes/edits';
import { buildKustomization, kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import type { Finding, Fix } from '@podsec/server/out/engine/types';
import type { KustomizeBuild } from '@podsec/server/out/engine/kustomize/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { asData, lineOfText, originAt } from './support';

const CHART_YAML = 'apiVersion: v2\nname: web\nversion: 1.2.3\n';
const VALUES = 'image: nginx\nreplicas: 1\nsecurityContext:\n  runAsNonRoot: true\n';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: {{ .Values.image }}
        securityContext:
          {{- toYaml .Values.securityContext | nindent 10 }}
`;
const CAPS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: caps
data:
  minor: {{ .Capabilities.KubeVersion.Minor | quote }}
  hasTest: {{ .Capabilities.APIVersions.Has "example.com/v1" | quote }}
  releaseNamespace: {{ .Release.Namespace | quote }}
`;
const HOOK = `apiVersion: v1
kind: ConfigMap
metadata:
  name: pre-install
  annotations:
    helm.sh/hook: pre-install
`;
const TEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: test-run
  annotations:
    helm.sh/hook: test
`;
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
`;

/** A kustomization at /k with the chart `web` under `home` (relative to /k). */
function tree(
  kustomization: string,
  home = 'charts',
  extra: Record<string, string> = {},
): MemoryFs {
  const c = `/k/${home}/web`;
  return new MemoryFs({
    '/k/kustomization.yaml': kustomization,
    [`${c}/Chart.yaml`]: CHART_YAML,
    [`${c}/values.yaml`]: VALUES,
    [`${c}/templates/deployment.yaml`]: DEPLOYMENT,
    [`${c}/templates/caps.yaml`]: CAPS,
    [`${c}/templates/hook.yaml`]: HOOK,
    [`${c}/templates/test.yaml`]: TEST,
    [`${c}/crds/widgets.yaml`]: CRD,
    ...extra,
  });
}

function built(fs: MemoryFs, dir = '/k'): KustomizeBuild {
  const b = buildKustomization(fs, dir);
  assert.equal(b.error, null, b.error?.message);
  return b;
}

type Obj = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

function objects(b: KustomizeBuild): Obj[] {
  return asData(b.source.text) as Obj[];
}

function find(b: KustomizeBuild, kind: string, name?: string): Obj | undefined {
  return objects(b).find(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
}

function container(d: Obj | undefined): Record<string, unknown> {
  const spec = (d as unknown as { spec: { template: { spec: { containers: unknown[] } } } }).spec;
  return spec.template.spec.containers[0] as Record<string, unknown>;
}

function docOf(b: KustomizeBuild, kind: string, name: string): number {
  const i = b.objects.findIndex((o) => o.id.gvk.kind === kind && o.id.name === name);
  assert.ok(i >= 0, `no ${kind} ${name}`);
  return i;
}

describe('helmCharts: where the chart is and how it is called', () => {
  it('renders <chartHome>/<name> with Helm’s release name and namespace by default', () => {
    const b = built(tree('helmCharts:\n- name: web\n'));
    const d = find(b, 'Deployment');
    assert.equal(d?.metadata.name, 'release-name-web');
    assert.equal(d?.metadata.namespace, 'default');
    assert.equal(container(d).image, 'nginx');
    assert.ok(b.files.includes('/k/charts/web/templates/deployment.yaml'));
    assert.ok(b.files.includes('/k/charts/web/values.yaml'));
    assert.equal(b.incomplete, false);
  });

  it('takes releaseName and namespace as `helm template` does', () => {
    const b = built(tree('helmCharts:\n- name: web\n  releaseName: shop\n  namespace: prod\n'));
    const d = find(b, 'Deployment');
    assert.equal(d?.metadata.name, 'shop-web');
    assert.equal(d?.metadata.namespace, 'prod');
  });

  it('renders in Helm’s default namespace under a kustomization’s namespace (kustomize v5.5 does not pass it)', () => {
    const b = built(tree('namespace: prod\nhelmCharts:\n- name: web\n'));
    const caps = find(b, 'ConfigMap', 'caps') as unknown as {
      metadata: { namespace: string };
      data: { releaseNamespace: string };
    };
    assert.equal(caps.data.releaseNamespace, 'default');
    assert.equal(caps.metadata.namespace, 'prod');
  });

  it('names the release from nameTemplate, and refuses it beside releaseName', () => {
    const b = built(tree('helmCharts:\n- name: web\n  nameTemplate: \'{{ "abc" | upper }}x\'\n'));
    assert.equal(find(b, 'Deployment')?.metadata.name, 'ABCx-web');
    const both = buildKustomization(
      tree("helmCharts:\n- name: web\n  releaseName: a\n  nameTemplate: 'b'\n"),
      '/k',
    );
    assert.equal(both.error?.class, 'helm');
    assert.match(both.error?.message ?? '', /cannot set --name-template and also specify a name/);
  });

  it('reads helmGlobals.chartHome, and the versioned folder when version and repo are both set', () => {
    const home = built(
      tree('helmGlobals:\n  chartHome: vendor\nhelmCharts:\n- name: web\n', 'vendor'),
    );
    assert.ok(find(home, 'Deployment'));
    const versioned = built(
      tree(
        'helmCharts:\n- name: web\n  version: 1.2.3\n  repo: https://charts.example.com\n',
        'charts/web-1.2.3',
      ),
    );
    assert.ok(find(versioned, 'Deployment'));
    assert.equal(versioned.incomplete, false);
    // A version alone does not change the folder.
    const plain = built(tree('helmCharts:\n- name: web\n  version: 1.2.3\n'));
    assert.ok(find(plain, 'Deployment'));
  });

  it('reads a chart outside the kustomization, but its default values file only inside it', () => {
    const fs = new MemoryFs({
      '/k/kustomization.yaml': 'helmGlobals:\n  chartHome: ../c\nhelmCharts:\n- name: web\n',
      '/c/web/Chart.yaml': CHART_YAML,
      '/c/web/values.yaml': VALUES,
      '/c/web/templates/deployment.yaml': DEPLOYMENT,
    });
    const refused = buildKustomization(fs, '/k');
    assert.equal(refused.error?.class, 'helm');
    assert.match(refused.error?.message ?? '', /is not in or below '\/k'/);
    fs.set(
      '/k/kustomization.yaml',
      'helmGlobals:\n  chartHome: ../c\nhelmCharts:\n- name: web\n  valuesFile: v.yaml\n',
    );
    fs.set('/k/v.yaml', 'image: busybox\n');
    const b = built(fs);
    const c = container(find(b, 'Deployment'));
    assert.equal(c.image, 'busybox');
    // The chart's own defaults still apply under the values file.
    assert.deepEqual(c.securityContext, { runAsNonRoot: true });
  });

  it('passes kubeVersion and apiVersions to the Capabilities', () => {
    const b = built(
      tree('helmCharts:\n- name: web\n  kubeVersion: 1.29.0\n  apiVersions:\n  - example.com/v1\n'),
    );
    assert.deepEqual((find(b, 'ConfigMap', 'caps') as unknown as { data: unknown }).data, {
      minor: '29',
      hasTest: 'true',
      releaseNamespace: 'default',
    });
    const d = built(tree('helmCharts:\n- name: web\n'));
    assert.equal(
      (find(d, 'ConfigMap', 'caps') as unknown as { data: { hasTest: string } }).data.hasTest,
      'false',
    );
  });

  it('prints hooks and tests unless skipHooks or skipTests, and CRDs only with includeCRDs', () => {
    const names = (b: KustomizeBuild): string[] => b.objects.map((o) => o.id.name).sort();
    assert.deepEqual(names(built(tree('helmCharts:\n- name: web\n'))), [
      'caps',
      'pre-install',
      'release-name-web',
      'test-run',
    ]);
    assert.deepEqual(names(built(tree('helmCharts:\n- name: web\n  skipTests: true\n'))), [
      'caps',
      'pre-install',
      'release-name-web',
    ]);
    assert.deepEqual(names(built(tree('helmCharts:\n- name: web\n  skipHooks: true\n'))), [
      'caps',
      'release-name-web',
    ]);
    assert.ok(
      names(built(tree('helmCharts:\n- name: web\n  includeCRDs: true\n'))).includes(
        'widgets.example.com',
      ),
    );
  });
});

describe('helmCharts: values', () => {
  it('applies additionalValuesFiles after the values file, in order', () => {
    const b = built(
      tree(
        'helmCharts:\n- name: web\n  additionalValuesFiles:\n  - a.yaml\n  - b.yaml\n',
        'charts',
        {
          '/k/a.yaml': 'image: a\nreplicas: 2\n',
          '/k/b.yaml': 'image: b\n',
        },
      ),
    );
    const d = find(b, 'Deployment') as unknown as { spec: { replicas: number } };
    assert.equal(container(d as unknown as Obj).image, 'b');
    assert.equal(d.spec.replicas, 2);
    const missing = buildKustomization(
      tree('helmCharts:\n- name: web\n  additionalValuesFiles:\n  - none.yaml\n'),
      '/k',
    );
    assert.equal(missing.error?.class, 'helm');
    assert.match(missing.error?.message ?? '', /^could not load additionalValuesFile/);
  });

  it('merges valuesInline over the values file (override, the default)', () => {
    const b = built(
      tree(
        'helmCharts:\n- name: web\n  valuesInline:\n    image: inline\n    securityContext:\n      privileged: true\n',
      ),
    );
    const c = container(find(b, 'Deployment'));
    assert.equal(c.image, 'inline');
    assert.deepEqual(c.securityContext, { privileged: true, runAsNonRoot: true });
  });

  it('lets the values file win with valuesMerge: merge, and drops it with replace', () => {
    const k = (mode: string): string =>
      `helmCharts:\n- name: web\n  valuesMerge: ${mode}\n  valuesInline:\n    image: inline\n    replicas: 3\n`;
    const merged = find(built(tree(k('merge'))), 'Deployment') as unknown as {
      spec: { replicas: number };
    };
    assert.equal(container(merged as unknown as Obj).image, 'nginx');
    assert.equal(merged.spec.replicas, 1);
    // replace: only the inline values are given (the chart's own defaults still apply).
    const replaced = find(
      built(
        tree(
          'helmCharts:\n- name: web\n  valuesMerge: replace\n  valuesFile: v.yaml\n  valuesInline:\n    replicas: 3\n',
          'charts',
          { '/k/v.yaml': 'image: from-file\n' },
        ),
      ),
      'Deployment',
    ) as unknown as { spec: { replicas: number } };
    assert.equal(replaced.spec.replicas, 3);
    assert.equal(container(replaced as unknown as Obj).image, 'nginx');
    const bad = buildKustomization(tree(k('deep')), '/k');
    assert.equal(bad.error?.class, 'helm');
    assert.equal(bad.error?.message, 'valuesMerge must be one of [merge override replace]');
  });

  it('deletes a key with null in valuesInline, as kyaml merges', () => {
    const fs = tree(
      'helmCharts:\n- name: web\n  valuesInline:\n    securityContext: null\n    image: x\n',
    );
    const c = container(find(built(fs), 'Deployment'));
    // The merged values lack the key; the chart's default then applies again.
    assert.deepEqual(c.securityContext, { runAsNonRoot: true });
    assert.equal(c.image, 'x');
  });
});

describe('helmCharts: what is never fetched, and errors', () => {
  for (const repo of ['https://charts.example.com', 'oci://registry.example.com/charts']) {
    it(`skips a chart only ${repo.slice(0, repo.indexOf(':'))} repositories hold, with a note at the entry, and says the build is incomplete`, () => {
      const fs = new MemoryFs({
        '/k/kustomization.yaml': `resources:\n- cm.yaml\nhelmCharts:\n- name: web\n  repo: ${repo}\n  version: 1.0.0\n`,
        '/k/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
      });
      const b = built(fs);
      assert.deepEqual(
        b.objects.map((o) => o.id.name),
        ['cm'],
      );
      assert.equal(b.incomplete, true);
      const n = b.notes.find((x) => x.kind === 'helm');
      assert.ok(n);
      assert.match(n.message, /is not fetched/);
      assert.match(n.message, /incomplete/);
      assert.equal(n.file, '/k/kustomization.yaml');
      assert.equal(n.span.start, fs.readText(n.file)?.indexOf(repo));
    });
  }

  it('fails as kustomize does for a chart that is missing without a repo, at the entry', () => {
    const fs = new MemoryFs({ '/k/kustomization.yaml': 'helmCharts:\n- name: web\n' });
    const b = buildKustomization(fs, '/k');
    assert.equal(b.error?.class, 'helm');
    assert.equal(b.error?.message, "no repo specified for pull, no chart found at ''");
    assert.equal(b.error?.span.start, fs.readText('/k/kustomization.yaml')?.indexOf('name: web'));
  });

  it('fails for a chart without values.yaml unless valuesFile names one, as kustomize reads it itself', () => {
    const fs = tree('helmCharts:\n- name: web\n');
    fs.delete('/k/charts/web/values.yaml');
    const b = buildKustomization(fs, '/k');
    assert.equal(b.error?.class, 'helm');
    assert.match(b.error?.message ?? '', /\/k\/charts\/web\/values\.yaml/);
    fs.set('/k/kustomization.yaml', 'helmCharts:\n- name: web\n  valuesFile: v.yaml\n');
    fs.set('/k/v.yaml', 'image: x\n');
    assert.equal(container(find(built(fs), 'Deployment')).image, 'x');
  });

  it('fails for an entry without a name, and for a field of the wrong type', () => {
    const noName = buildKustomization(tree('helmCharts:\n- releaseName: x\n'), '/k');
    assert.equal(noName.error?.message, 'chart name cannot be empty');
    const wrong = buildKustomization(tree('helmCharts:\n- name: web\n  includeCRDs: [x]\n'), '/k');
    assert.match(wrong.error?.message ?? '', /HelmChart\.helmCharts\.includeCRDs of type bool$/);
  });

  it('reports a render error at the entry, with Helm’s message', () => {
    const fs = tree('helmCharts:\n- name: web\n', 'charts', {
      '/k/charts/web/templates/bad.yaml': '{{ fail "no way" }}\n',
    });
    const b = buildKustomization(fs, '/k');
    assert.equal(b.error?.class, 'helm');
    assert.match(b.error?.message ?? '', /^helmCharts: chart web: Error: .*no way/);
    assert.equal(b.error?.file, '/k/kustomization.yaml');
    assert.equal(b.error?.span.start, fs.readText('/k/kustomization.yaml')?.indexOf('name: web'));
  });

  it('fails as kustomize does for a field it does not know, or of the wrong type', () => {
    const unknown = buildKustomization(
      tree('helmCharts:\n- name: web\n  valuesFiles: [a.yaml]\n'),
      '/k',
    );
    assert.equal(
      unknown.error?.message,
      'invalid Kustomization: json: unknown field "valuesFiles"',
    );
    const globals = buildKustomization(
      tree('helmGlobals:\n  chartHome: charts\n  home: x\n'),
      '/k',
    );
    assert.equal(globals.error?.message, 'invalid Kustomization: json: unknown field "home"');
    const number = buildKustomization(tree('helmCharts:\n- name: web\n  version: 1.0\n'), '/k');
    assert.equal(
      number.error?.message,
      'invalid Kustomization: json: cannot unmarshal number into Go struct field HelmChart.helmCharts.version of type string',
    );
    const inline = buildKustomization(
      tree('helmCharts:\n- name: web\n  valuesInline: [1]\n'),
      '/k',
    );
    assert.equal(
      inline.error?.message,
      'invalid Kustomization: json: cannot unmarshal array into Go struct field HelmChart.helmCharts.valuesInline of type map[string]interface {}',
    );
  });

  it('converts the deprecated helmChartInflationGenerator as kustomize does', () => {
    const b = built(
      tree(
        'helmChartInflationGenerator:\n- chartName: web\n  releaseName: old\n  chartHome: vendor\n  releaseNamespace: ignored\n  valuesLocal:\n    image: legacy\n',
        'vendor',
      ),
    );
    const d = find(b, 'Deployment');
    assert.equal(d?.metadata.name, 'old-web');
    // releaseNamespace is dropped in the conversion.
    assert.equal(d?.metadata.namespace, 'default');
    assert.equal(container(d).image, 'legacy');
    assert.equal(b.notes.filter((n) => n.kind === 'unsupported').length, 0);
    const unknown = buildKustomization(
      tree('helmChartInflationGenerator:\n- chartName: web\n  name: x\n'),
      '/k',
    );
    assert.equal(unknown.error?.message, 'invalid Kustomization: json: unknown field "name"');
  });

  it('matches field names as Go does, ignoring case', () => {
    const b = built(tree('helmCharts:\n- Name: web\n  releasename: shop\n'));
    assert.equal(find(b, 'Deployment')?.metadata.name, 'shop-web');
  });
});

describe('helmCharts: origins', () => {
  const K = `namespace: shop
helmCharts:
- name: web
  valuesInline:
    securityContext:
      privileged: true
patches:
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 5
`;

  it('places a value at the template line, the values key, the valuesInline line and the patch line', () => {
    const fs = tree(K);
    const b = built(fs);
    const d = docOf(b, 'Deployment', 'release-name-web');
    const tpl = '/k/charts/web/templates/deployment.yaml';
    const spec = ['spec', 'template', 'spec', 'containers', 0];
    const name = originAt(b.source, d, [...spec, 'name'], fs);
    assert.deepEqual([name.file, name.line], [tpl, lineOfText(fs, tpl, '- name: web')]);
    assert.equal(name.origin.origin.kind, 'text');
    const image = originAt(b.source, d, [...spec, 'image'], fs);
    assert.deepEqual(
      [image.file, image.line],
      ['/k/charts/web/values.yaml', lineOfText(fs, '/k/charts/web/values.yaml', 'image: nginx')],
    );
    const nonRoot = originAt(b.source, d, [...spec, 'securityContext', 'runAsNonRoot'], fs);
    assert.deepEqual(
      [nonRoot.file, nonRoot.line],
      ['/k/charts/web/values.yaml', lineOfText(fs, '/k/charts/web/values.yaml', 'runAsNonRoot')],
    );
    const priv = originAt(b.source, d, [...spec, 'securityContext', 'privileged'], fs);
    assert.deepEqual(
      [priv.file, priv.line],
      ['/k/kustomization.yaml', lineOfText(fs, '/k/kustomization.yaml', 'privileged: true')],
    );
    // A later transformer keeps its own origin.
    const replicas = originAt(b.source, d, ['spec', 'replicas'], fs);
    assert.deepEqual(
      [replicas.file, replicas.line],
      ['/k/kustomization.yaml', lineOfText(fs, '/k/kustomization.yaml', 'value: 5')],
    );
    const ns = originAt(b.source, d, ['metadata', 'namespace'], fs);
    assert.deepEqual([ns.file, ns.line], ['/k/kustomization.yaml', 1]);
  });
});

describe('helmCharts: fixes', () => {
  const TWO = `apiVersion: v1
kind: Pod
metadata:
  name: literal
spec:
  containers:
  - name: app
    image: app
`;

  /** The overlay's findings of `check` in `file`, with their fixes. */
  function findings(fs: MemoryFs, file: string, check: string): Finding[] {
    const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/k'), {});
    return (ev.files.get(file)?.findings ?? []).filter((f) => f.check === check);
  }

  /** `fix` applied to the files it edits (none in the finding's own file here). */
  function apply(fs: MemoryFs, fix: Fix): void {
    assert.equal(fix.edits.length, 0);
    for (const f of fix.files ?? []) {
      const text = fs.readText(f.path) ?? '';
      fs.set(f.path, applyEdits(text, f.edits));
    }
  }

  const TPL = '/k/charts/web/templates/deployment.yaml';

  it('sets a missing field at the values key its map is printed from, and the build then passes', () => {
    const fs = tree('helmCharts:\n- name: web\n');
    const [f] = findings(fs, TPL, 'allowPrivilegeEscalation');
    assert.ok(f);
    const fix = f.fixes.find((x) => x.files?.some((e) => e.path.endsWith('values.yaml')));
    assert.ok(fix, JSON.stringify(f.fixes.map((x) => x.title)));
    assert.match(fix.title, /\(values\.yaml: securityContext\.allowPrivilegeEscalation\)$/);
    apply(fs, fix);
    assert.match(fs.readText('/k/charts/web/values.yaml') ?? '', /allowPrivilegeEscalation: false/);
    assert.equal(findings(fs, TPL, 'allowPrivilegeEscalation').length, 0);
  });

  it('sets it in valuesInline when the map comes from there', () => {
    const fs = tree(
      'helmCharts:\n- name: web\n  valuesInline:\n    securityContext:\n      privileged: true\n',
    );
    const [f] = findings(fs, TPL, 'allowPrivilegeEscalation');
    const fix = f?.fixes.find((x) => /valuesInline/.test(x.title));
    assert.ok(fix, JSON.stringify(f?.fixes.map((x) => x.title)));
    apply(fs, fix);
    assert.match(
      fs.readText('/k/kustomization.yaml') ?? '',
      /valuesInline:\n {4}securityContext:\n {6}privileged: true\n {6}allowPrivilegeEscalation: false\n/,
    );
    assert.equal(findings(fs, TPL, 'allowPrivilegeEscalation').length, 0);
    // The value written in valuesInline is fixed there.
    const [p] = findings(fs, '/k/kustomization.yaml', 'privileged');
    assert.equal(p?.fixes[0]?.title, 'Set privileged: false');
  });

  it('offers a patch in the overlay for a field the template writes, targeting the object as rendered', () => {
    const fs = tree('namespace: shop\nhelmCharts:\n- name: web\n', 'charts', {
      '/k/charts/web/templates/literal.yaml': TWO,
    });
    const file = '/k/charts/web/templates/literal.yaml';
    const [f] = findings(fs, file, 'allowPrivilegeEscalation');
    const fix = f?.fixes.find((x) => / in overlay /.test(x.title));
    assert.ok(fix, JSON.stringify(f?.fixes.map((x) => x.title)));
    apply(fs, fix);
    assert.match(
      fs.readText('/k/kustomization.yaml') ?? '',
      /patches:\n- path: patch-pod-literal\.yaml/,
    );
    assert.equal(findings(fs, file, 'allowPrivilegeEscalation').length, 0);
  });
});

describe('helmCharts: in a base, and what a chart prints', () => {
  it('renders a base’s chart from the base’s folder; the overlay transforms it and origins stay in the chart', () => {
    const fs = new MemoryFs({
      '/r/base/kustomization.yaml': 'helmCharts:\n- name: web\n  releaseName: b\n',
      '/r/base/charts/web/Chart.yaml': CHART_YAML,
      '/r/base/charts/web/values.yaml': VALUES,
      '/r/base/charts/web/templates/deployment.yaml': DEPLOYMENT,
      '/r/prod/kustomization.yaml': 'namePrefix: prod-\nresources:\n- ../base\n',
    });
    const b = built(fs, '/r/prod');
    assert.deepEqual(
      b.objects.map((o) => o.id.name),
      ['prod-b-web'],
    );
    const image = originAt(b.source, 0, ['spec', 'template', 'spec', 'containers', 0, 'image'], fs);
    assert.equal(image.file, '/r/base/charts/web/values.yaml');
  });

  it('an object the chart prints without a name is an error at the entry', () => {
    const fs = tree('helmCharts:\n- name: web\n', 'charts', {
      '/k/charts/web/templates/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
    });
    const b = buildKustomization(fs, '/k');
    assert.equal(b.error?.class, 'helm');
    assert.match(b.error?.message ?? '', /^helmCharts: chart web: missing metadata\.name/);
    assert.equal(b.error?.file, '/k/kustomization.yaml');
  });
});
