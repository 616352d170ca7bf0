/**
 * helmCharts against the real tools. There is no Helm binary here, but
 * ../shared/helm holds public charts with the output the real Helm rendered.
 * For each case below, two kustomizations are written to a temporary folder:
 * one with a `helmCharts` entry for the chart with the case's release,
 * namespace, values and versions, the other with the real Helm output as its
 * `resources:`, both under the same transformers (namespace, labels, a
 * patch). `kubectl kustomize` of the second is the oracle: the engine's
 * build of the first must equal it as data, with the README's filters
 * (`checksum/config` and `helm.sh/chart` dropped, datadog's filtered keys
 * dropped, null values dropped). Skipped, saying so, without ../shared or
 * kubectl.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseRenderArgs } from '@podsec/server/out/cli/render';
import { DiskSourceFs } from '@podsec/server/out/cli/renderKustomize';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/index';
import { stringify } from 'yaml';
import { clean, DATADOG_DROP, golden, HELM_TESTS, SHARED } from '../helm/fidelityCases';
import type { Case } from '../helm/fidelityCases';
import { hasKubectl, kubectlKustomize } from './kubectl';
import { asData } from './support';

/** Cases with one values file at most (several otel values files were rendered one run each). */
const CASES = [
  'helm-testchart-subchart default',
  'helm-testchart-subchart set-service-name',
  'helm-testchart-subchart values-files',
  'helm-testchart-subchart name-template',
  'helm-testchart-subchart kube-version-1.16',
  'helm-testchart-subchart api-versions',
  'helm-testchart-subchart include-crds',
  'helm-testchart-subchart subchart-cm',
  'helm-testchart-lib-dep default',
  'otel-collector deployment-only',
  'otel-collector statefulset-with-pvc',
  'otel-collector daemonset-only',
  'otel-operator default',
  'otel-target-allocator consistent-hashing',
  'datadog-agent daemonset_default',
  'datadog-agent cluster-agent-deployment_default',
];

const TRANSFORMERS = {
  namespace: 'podsec-fidelity',
  labels: [{ pairs: { 'podsec.dev/test': 'fidelity' } }],
  commonAnnotations: { 'podsec.dev/built': 'kustomize' },
  patches: [
    {
      target: { kind: 'ConfigMap' },
      patch:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: any\n  labels:\n    patched: "yes"\n',
    },
  ],
};

/** `--set a.b=c` as the nested map valuesInline writes (the values these cases set are plain words). */
function inlineOf(sets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    const path = s.slice(0, eq).split('.');
    const raw = s.slice(eq + 1);
    let m = out;
    for (const p of path.slice(0, -1)) m = (m[p] ??= {}) as Record<string, unknown>;
    m[path[path.length - 1] as string] = /^true$/i.test(raw) ? true : raw;
  }
  return out;
}

function dropFor(c: Case): (k: string) => boolean {
  return c.set === 'datadog-agent'
    ? (k) => DATADOG_DROP.has(k) || k.startsWith('checksum/')
    : (k) => k === 'checksum/config' || k === 'helm.sh/chart';
}

const all: Case[] = existsSync(join(SHARED, 'cases.json'))
  ? (JSON.parse(readFileSync(join(SHARED, 'cases.json'), 'utf8')) as { cases: Case[] }).cases
  : [];
const kubectl = hasKubectl();
const temp = mkdtempSync(join(tmpdir(), 'podsec-helmcharts-'));
after(() => rmSync(temp, { recursive: true, force: true }));

describe('helmCharts fidelity: the engine’s build equals kubectl kustomize of the real Helm output', () => {
  if (all.length === 0 || !kubectl) {
    it(`skipped: ${all.length === 0 ? `${SHARED} is absent` : 'kubectl is not on the PATH'}`, (t) => {
      t.skip(all.length === 0 ? `no ${SHARED}` : 'no kubectl');
    });
    return;
  }
  for (const name of CASES) {
    it(name, () => {
      const c = all.find((x) => `${x.set} ${x.case}` === name);
      assert.ok(c, `case ${name} is not in cases.json`);
      const dir = join(temp, name.replace(/[^a-z0-9]+/gi, '-'));
      const chartName = basename(c.chart);
      cpSync(join(SHARED, c.chart), join(dir, 'helm', 'charts', chartName), { recursive: true });
      const args = parseRenderArgs([...c.args]);
      const o = args.options;
      const entry: Record<string, unknown> = { name: chartName };
      if (o.releaseName && !o.nameTemplate) entry.releaseName = o.releaseName;
      if (o.nameTemplate) entry.nameTemplate = o.nameTemplate;
      if (o.namespace) entry.namespace = o.namespace;
      // helm/helm's own goldens were rendered with its test capabilities (Kubernetes v1.20.0).
      const kube = o.kubeVersion ?? (HELM_TESTS.has(c.set) ? '1.20.0' : undefined);
      if (kube) entry.kubeVersion = kube;
      if (o.apiVersions?.length) entry.apiVersions = o.apiVersions.flatMap((v) => v.split(','));
      if (o.includeCrds) entry.includeCRDs = true;
      if (o.noHooks) entry.skipHooks = true;
      if (args.valuesFiles.length > 0) {
        entry.additionalValuesFiles = args.valuesFiles.map((v, i) => {
          const file = `values-${i}.yaml`;
          cpSync(join(SHARED, c.set, v), join(dir, 'helm', file));
          return file;
        });
      }
      if (o.set?.length) entry.valuesInline = inlineOf(o.set);
      writeFileSync(
        join(dir, 'helm', 'kustomization.yaml'),
        stringify({ ...TRANSFORMERS, helmCharts: [entry] }),
      );
      mkdirSync(join(dir, 'twin'), { recursive: true });
      writeFileSync(join(dir, 'twin', 'rendered.yaml'), golden(join(SHARED, c.rendered)));
      writeFileSync(
        join(dir, 'twin', 'kustomization.yaml'),
        stringify({ ...TRANSFORMERS, resources: ['rendered.yaml'] }),
      );

      const oracle = kubectlKustomize(join(dir, 'twin'));
      assert.ok(oracle.ok, oracle.ok ? '' : oracle.error);
      const b = buildKustomization(new DiskSourceFs('/', [dir]), join(dir, 'helm'));
      assert.equal(b.error, null, b.error?.message);
      const drop = dropFor(c);
      const data = (text: string): string[] =>
        asData(text)
          .map((d) => clean(d, drop))
          .filter((d) => d && typeof d === 'object' && Object.keys(d).length > 0)
          .map((d) => JSON.stringify(d));
      const ours = data(b.source.text);
      const theirs = data(oracle.output);
      assert.ok(theirs.length > 0, 'the oracle built nothing');
      assert.deepEqual(ours, theirs);
    });
  }
});
