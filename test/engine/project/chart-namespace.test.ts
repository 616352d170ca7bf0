/**
 * Helm's implicit namespace: with no `--namespace` and no namespace in the
 * value set, a release goes to `default` (`.Release.Namespace` is `default`).
 * Its unnamespaced objects then get exactly the policy a plain manifest
 * without `metadata.namespace` gets: the setting's level when no admission
 * configuration is given (the namespace such a file lands in is not known),
 * and the `default` Namespace's labels over the configuration's defaults when
 * one is. An object the template puts in `{{ .Release.Namespace }}` is like a
 * plain manifest with `metadata.namespace: default`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, collectNamespaces } from '@podsec/server/out/engine/index';
import type { AnalyzeOptions, WorkloadSummary } from '@podsec/server/out/engine/index';
import { parseAdmissionConfig } from '@podsec/server/out/engine/config/index';
import { evaluateChart } from '@podsec/server/out/engine/project/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const POD = (namespace: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n${namespace}spec:\n  containers:\n    - name: c\n      image: nginx\n`;

const NS_DEFAULT =
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n';

function chart(namespaceLine: string): MemoryFs {
  return new MemoryFs({
    '/c/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    '/c/web/templates/pod.yaml': POD(namespaceLine),
  });
}

const admission = (defaults: string) =>
  parseAdmissionConfig(
    `apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n${defaults}`,
    '/c/psa.yaml',
  );

/** What decides a workload's policy, as the report, hover and lenses read it. */
const policyOf = (w: WorkloadSummary | undefined) =>
  w && {
    level: w.policy.level,
    source: w.policySource.kind,
    namespace: 'namespace' in w.policySource ? w.policySource.namespace : null,
  };

describe('chart: the release namespace Helm assumes (default)', () => {
  const labelled = new Map(collectNamespaces(NS_DEFAULT, '/c/ns.yaml').map((n) => [n.name, n]));
  const cases: Array<{ name: string; options: AnalyzeOptions; level: string }> = [
    {
      name: 'no admission configuration, a labelled Namespace default',
      options: { level: 'restricted', namespaces: labelled },
      level: 'restricted',
    },
    {
      name: 'an admission configuration, a labelled Namespace default',
      options: {
        level: 'restricted',
        namespaces: labelled,
        admission: admission('  enforce: privileged\n'),
      },
      level: 'baseline',
    },
    {
      name: "an admission configuration's defaults, no Namespace default",
      options: { level: 'privileged', admission: admission('  enforce: restricted\n') },
      level: 'restricted',
    },
  ];
  for (const c of cases) {
    it(`unnamespaced: the policy of a plain manifest without metadata.namespace (${c.name})`, () => {
      const plain = analyze(POD(''), c.options);
      const ev = evaluateChart(chart(''), '/c/web', { analyze: c.options });
      assert.equal(ev.namespace, 'default');
      assert.deepEqual(policyOf(ev.analysis.workloads[0]), policyOf(plain.workloads[0]));
      assert.equal(ev.analysis.workloads[0]?.policy.level, c.level);
      assert.deepEqual(
        ev.findings.map((f) => f.check).sort(),
        plain.findings.map((f) => f.check).sort(),
      );
    });
    it(`namespace: {{ .Release.Namespace }}: the policy of metadata.namespace: default (${c.name})`, () => {
      const plain = analyze(POD('  namespace: default\n'), c.options);
      const ev = evaluateChart(chart('  namespace: {{ .Release.Namespace }}\n'), '/c/web', {
        analyze: c.options,
      });
      assert.deepEqual(policyOf(ev.analysis.workloads[0]), policyOf(plain.workloads[0]));
      assert.deepEqual(
        ev.findings.map((f) => f.check).sort(),
        plain.findings.map((f) => f.check).sort(),
      );
    });
  }

  it('without an admission configuration the implicit default brings no labels; --namespace default does', () => {
    const options: AnalyzeOptions = { level: 'restricted', namespaces: labelled };
    const implicit = evaluateChart(chart(''), '/c/web', { analyze: options });
    assert.deepEqual(policyOf(implicit.analysis.workloads[0]), {
      level: 'restricted',
      source: 'setting',
      namespace: null,
    });
    const named = evaluateChart(chart(''), '/c/web', {
      analyze: options,
      render: { namespace: 'default' },
    });
    assert.deepEqual(policyOf(named.analysis.workloads[0]), {
      level: 'baseline',
      source: 'namespace',
      namespace: 'default',
    });
    assert.deepEqual(named.findings, []);
  });
});
