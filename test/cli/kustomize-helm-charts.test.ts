/**
 * Kustomize `helmCharts` on the command line: `podsec render <kdir>` prints
 * the chart's objects built with the overlay, `podsec <dir>` and `podsec
 * <overlay>` place a chart object's findings on the template line, the values
 * key or the `valuesInline` line, `podsec report` lists the chart's
 * workloads, and a chart only a repository holds is never fetched (a note,
 * and the build says it is incomplete).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { cli } from '../support/cli';
import { HELM_CHART_KUSTOMIZATION } from '../support/manifests';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'podsec-khelm-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

interface JsonFinding {
  check: string;
  line: number;
  overlays?: string[];
  fixable?: boolean;
}
interface JsonReport {
  files: Array<{ path: string; findings: JsonFinding[] }>;
}

/** The line (1-based) of the first line of `text` holding `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('kustomize helmCharts on the command line', () => {
  it('podsec render prints the chart’s objects as the overlay builds them', () => {
    const root = tree(HELM_CHART_KUSTOMIZATION);
    const r = cli(['render', join(root, 'hk')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as Record<string, unknown>);
    assert.equal(docs.length, 1);
    assert.deepEqual((docs[0] as { metadata: unknown }).metadata, {
      name: 'shop-web',
      namespace: 'shop',
    });
    assert.match(r.out, /privileged: true\n\s+runAsNonRoot: true/);
  });

  it('podsec render notes a chart it does not fetch, and says the build is incomplete', () => {
    const root = tree({
      'k/kustomization.yaml':
        'helmCharts:\n- name: remote\n  repo: oci://registry.example.com/charts\n  version: 1.0.0\n',
    });
    const r = cli(['render', join(root, 'k')]);
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
    assert.match(
      r.err,
      /podsec render: note: helmCharts: chart remote 1\.0\.0 is not in .* is not fetched/,
    );
    assert.match(r.err, /the build is incomplete/);
  });

  it('podsec <dir> places findings on the values key, the valuesInline line and the template', () => {
    const root = tree(HELM_CHART_KUSTOMIZATION);
    const r = cli(['--hardening', 'off', '--format', 'json', root]);
    const report = JSON.parse(r.out) as JsonReport;
    // The chart is also checked on its own (with its defaults): only the overlay's findings here.
    const inOverlay = (path: string): JsonFinding[] =>
      report.files
        .filter((f) => f.path === join(root, path))
        .flatMap((f) => f.findings.filter((x) => x.overlays?.includes('hk')));
    const k = HELM_CHART_KUSTOMIZATION['hk/kustomization.yaml'] as string;
    const priv = inOverlay('hk/kustomization.yaml').find((f) => f.check === 'privileged');
    assert.equal(priv?.line, lineOf(k, 'privileged: true'));
    const tpl = HELM_CHART_KUSTOMIZATION['hk/charts/web/templates/deployment.yaml'] as string;
    const ape = inOverlay('hk/charts/web/templates/deployment.yaml').find(
      (f) => f.check === 'allowPrivilegeEscalation',
    );
    assert.equal(ape?.line, lineOf(tpl, 'securityContext:'));
    // The overlay given alone builds the same.
    const alone = JSON.parse(
      cli(['--hardening', 'off', '--format', 'json', join(root, 'hk')]).out,
    ) as JsonReport;
    const again = alone.files
      .filter((f) => f.path === join(root, 'hk/kustomization.yaml'))
      .flatMap((f) => f.findings)
      .find((f) => f.check === 'privileged');
    assert.equal(again?.line, priv?.line);
  });

  it('places a hardening finding of a chart object in the chart', () => {
    const root = tree(HELM_CHART_KUSTOMIZATION);
    const r = cli(['--format', 'json', join(root, 'hk')]);
    const report = JSON.parse(r.out) as JsonReport;
    const inChart = report.files
      .filter((f) => f.path.startsWith(join(root, 'hk/charts/web')))
      .flatMap((f) => f.findings.filter((x) => x.overlays?.includes('hk')));
    assert.ok(
      inChart.some((f) => f.check === 'resourceRequests'),
      JSON.stringify(report.files.map((f) => [f.path, f.findings.map((x) => x.check)])),
    );
  });

  it('podsec report lists the chart’s workload in the overlay', () => {
    const root = tree(HELM_CHART_KUSTOMIZATION);
    const r = cli(['report', '--hardening', 'off', root]);
    assert.match(r.out, /overlay hk\n.*Deployment\/shop-web {2}namespace shop/);
  });
});
