/**
 * `podsec <dir>` with Helm charts: a chart is rendered once with Helm's
 * options and its findings are reported in the chart file and line that set
 * them (values.yaml, a template, _helpers.tpl), in text, JSON and SARIF; a
 * render error is an error at its template line. With ../shared/helm present,
 * the findings podsec reports for a public chart are those of evaluating the
 * real Helm's output.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '@podsec/server/out/engine/index';
import { repoRoot } from '../support/paths';
import { renderCase, SHARED } from '../engine/helm/fidelityCases';
import type { Case } from '../engine/helm/fidelityCases';
import { cli as runCli } from '../support/cli';
import type { CliOptions, Ran } from '../support/cli';

/** These tests are about the Pod Security findings of charts: the hardening checks are off (see hardening-generated.test.ts). */
const cli = (args: string[], options?: CliOptions): Ran =>
  runCli(
    args[0] === 'render' || args[0] === 'init'
      ? args
      : args[0] === 'report'
        ? ['report', '--hardening', 'off', ...args.slice(1)]
        : ['--hardening', 'off', ...args],
    options,
  );

const WEB = join(repoRoot(), 'test', 'fixtures', 'charts', 'web');

interface JsonFinding {
  check: string;
  message: string;
  line: number;
  column: number;
  object: { kind: string; name: string | null };
  container: string | null;
  rendered?: { kind: string; name: string | null; source: string | null; valuesKey?: string };
}
interface JsonReport {
  files: Array<{
    path: string;
    findings: JsonFinding[];
    errors: Array<{ message: string; line: number }>;
  }>;
  summary: { files: number; objects: number; findings: number; errors: number };
}

function json(args: string[]): { code: number; report: JsonReport } {
  const r = cli([...args, '--format', 'json']);
  return { code: r.code, report: JSON.parse(r.out) as JsonReport };
}

function findingsIn(report: JsonReport, suffix: string): JsonFinding[] {
  return report.files.filter((f) => f.path.endsWith(suffix)).flatMap((f) => f.findings);
}

/** A copy of the web chart in a temporary folder, with files changed or added. */
function webCopy(files: Record<string, string> = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'podsec-chart-')), 'web');
  cpSync(WEB, dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('cli: Helm charts', () => {
  it('reports a value from values.yaml on its values.yaml line', () => {
    const { code, report } = json([WEB, '--level', 'baseline']);
    assert.equal(code, 1);
    const f = findingsIn(report, 'web/values.yaml');
    assert.deepEqual(
      f.map((x) => [x.check, x.line, x.column]),
      [['privileged', 8, 15]],
    );
    assert.equal(f[0]?.rendered?.source, 'web/templates/deployment.yaml');
    assert.equal(f[0]?.object.name, 'release-name-web');
    // Templates are not evaluated one by one: no "not evaluated" note, no findings of their own text.
    const notes = report.files.flatMap((x) => (x as { notes?: unknown[] }).notes ?? []);
    assert.deepEqual(notes, []);
    assert.equal(report.summary.objects, 2);
  });

  it('a missing field on the template line, naming the values key; a helper finding names the workload', () => {
    const { report } = json([WEB]);
    const dep = findingsIn(report, 'templates/deployment.yaml');
    const run = dep.find((x) => x.check === 'runAsNonRoot' && x.container === 'app');
    assert.ok(run);
    assert.equal(run.line, 20);
    assert.equal(run.rendered?.valuesKey, 'securityContext.runAsNonRoot');
    assert.match(run.message, /values key securityContext\.runAsNonRoot would set it/);
    const helper = findingsIn(report, 'templates/_helpers.tpl');
    const root = helper.find((x) => x.check === 'runAsUser');
    assert.ok(root, 'runAsUser: 0 in the helper');
    assert.equal(root.line, 9);
    assert.equal(root.container, 'sidecar');
    assert.match(
      root.message,
      /in Deployment "release-name-web" from web\/templates\/deployment\.yaml/,
    );
  });

  it("Helm's options: --values, --set and --release-name change what is evaluated", () => {
    const prod = json([WEB, '-f', join(WEB, 'values-prod.yaml')]);
    assert.equal(prod.code, 0);
    assert.equal(prod.report.summary.findings, 0);
    const set = json([
      WEB,
      '--values',
      join(WEB, 'values-prod.yaml'),
      '--set',
      'securityContext.privileged=true',
      '--release-name',
      'shop',
      '--level',
      'baseline',
    ]);
    assert.equal(set.code, 1);
    const all = set.report.files.flatMap((f) => f.findings);
    assert.deepEqual(
      all.map((x) => [x.check, x.object.name]),
      [['privileged', 'shop-web']],
    );
    // The value came from --set: no file holds it, so it is placed on the template line that prints it.
    const at = set.report.files.find((f) => f.findings.length > 0);
    assert.match(at?.path ?? '', /templates\/deployment\.yaml$/);
  });

  it("--namespace: the tree's Namespace labels choose the level of the chart's unnamespaced workloads", () => {
    const dir = webCopy();
    const root = join(dir, '..');
    writeFileSync(
      join(root, 'namespaces.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n',
    );
    const checks = (r: JsonReport): string[] =>
      [...new Set(r.files.flatMap((f) => f.findings.map((x) => x.check)))].sort();
    const plain = json([root]);
    assert.ok(checks(plain.report).includes('runAsNonRoot'), checks(plain.report).join(','));
    const other = json([root, '--namespace', 'other']);
    assert.deepEqual(checks(other.report), checks(plain.report));
    const shop = json([root, '--namespace', 'shop']);
    assert.equal(shop.code, 1);
    // At baseline, as shop's label says: only values.yaml's privileged is left.
    assert.deepEqual(checks(shop.report), ['privileged']);
    const priv = findingsIn(shop.report, 'web/values.yaml') as Array<
      JsonFinding & { policy?: { level: string } }
    >;
    assert.equal(priv[0]?.policy?.level, 'baseline');
  });

  it("no --namespace: Helm's default namespace gives the chart's workloads a plain manifest's policy, with and without an admission configuration", () => {
    const pod = (name: string, ns: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${ns}spec:\n  containers:\n    - name: c\n      image: nginx\n`;
    const root = mkdtempSync(join(tmpdir(), 'podsec-chart-default-ns-'));
    const files: Record<string, string> = {
      'ns.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n',
      'plain/pod.yaml': pod('a', ''),
      'plain/pod-ns.yaml': pod('b', '  namespace: default\n'),
      'web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'web/templates/pod.yaml': pod('a', ''),
      'web/templates/pod-ns.yaml': pod('b', '  namespace: {{ .Release.Namespace }}\n'),
    };
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), t);
    }
    const psa = join(tmpdir(), `podsec-psa-${process.pid}.yaml`);
    writeFileSync(
      psa,
      'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: privileged\n',
    );
    const levels = (r: JsonReport, suffix: string) =>
      (findingsIn(r, suffix) as Array<JsonFinding & { policy?: { level: string } }>)
        .map((f) => `${f.check}@${f.policy?.level ?? ''}`)
        .sort();
    // Without a configuration: the unnamespaced Pod at --level (restricted), the one in default at its label.
    const bare = json([root]).report;
    assert.deepEqual(levels(bare, 'web/templates/pod.yaml'), levels(bare, 'plain/pod.yaml'));
    assert.ok(levels(bare, 'plain/pod.yaml').includes('runAsNonRoot@restricted'));
    assert.deepEqual(levels(bare, 'web/templates/pod-ns.yaml'), []);
    assert.deepEqual(levels(bare, 'plain/pod-ns.yaml'), []);
    // With one: every unnamespaced Pod is in default, whose label (baseline) wins over the defaults.
    const configured = json([root, '--admission-config', psa]).report;
    assert.deepEqual(levels(configured, 'web/templates/pod.yaml'), []);
    assert.deepEqual(levels(configured, 'plain/pod.yaml'), []);
    assert.deepEqual(levels(configured, 'web/templates/pod-ns.yaml'), []);
    // And with the label gone, the configuration's defaults (privileged) apply to both alike.
    writeFileSync(join(root, 'ns.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    writeFileSync(
      psa,
      'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: restricted\n',
    );
    const defaults = json([root, '--admission-config', psa, '--level', 'privileged']).report;
    assert.ok(levels(defaults, 'plain/pod.yaml').includes('runAsNonRoot@restricted'));
    assert.deepEqual(
      levels(defaults, 'web/templates/pod.yaml'),
      levels(defaults, 'plain/pod.yaml'),
    );
    assert.deepEqual(
      levels(defaults, 'web/templates/pod-ns.yaml'),
      levels(defaults, 'plain/pod-ns.yaml'),
    );
    rmSync(psa);
    rmSync(root, { recursive: true });
  });

  it("--summary: the job summary's report has the chart's workloads as rendered", () => {
    const dir = webCopy();
    const summary = join(dir, '..', 'summary.md');
    writeFileSync(summary, '');
    const { code } = cli([dir, '--summary'], { env: { GITHUB_STEP_SUMMARY: summary } });
    assert.equal(code, 1);
    const md = readFileSync(summary, 'utf8');
    assert.match(
      md,
      /\| Deployment `release-name-web` \(chart `web`, values `default`, release `release-name`\) \| `[^`]*web\/templates\/deployment\.yaml:2` \|/,
    );
    assert.doesNotMatch(md, /YAML error|could not be evaluated/i);
  });

  it('a values file from --values is where its value is reported', () => {
    const dir = webCopy();
    const extra = join(dir, '..', 'ops-values.yaml');
    writeFileSync(extra, 'securityContext:\n  privileged: true\n  runAsUser: 0\n');
    const { report } = json([dir, '-f', extra, '--level', 'restricted']);
    const f = findingsIn(report, 'ops-values.yaml');
    assert.deepEqual(
      f.map((x) => [x.check, x.line]),
      [
        ['privileged', 2],
        ['runAsUser', 3],
      ],
    );
  });

  it('text output names the origin file and line', () => {
    const r = cli([WEB, '--level', 'baseline']);
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /web\/values\.yaml:8:15 {2}error {2}Deployment release-name-web, container app: set securityContext\.privileged to false/,
    );
  });

  it('SARIF locations are the origin file and line', () => {
    const r = cli([WEB, '--level', 'baseline', '--format', 'sarif']);
    const sarif = JSON.parse(r.out) as {
      runs: Array<{
        results: Array<{
          locations: Array<{
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }>;
        }>;
      }>;
    };
    const loc = sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation;
    assert.match(loc?.artifactLocation.uri ?? '', /web\/values\.yaml$/);
    assert.equal(loc?.region.startLine, 8);
  });

  it('a render error is an error at its template line, never a pass', () => {
    const dir = webCopy({
      'values.yaml': readFileSync(join(WEB, 'values-prod.yaml'), 'utf8'),
      'templates/config.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: {{ .Values.x | nosuchfunc }}\n',
    });
    const { code, report } = json([dir]);
    assert.equal(code, 1);
    const errs = report.files
      .filter((f) => f.path.endsWith('templates/config.yaml'))
      .flatMap((f) => f.errors);
    assert.equal(errs.length, 1, JSON.stringify(report.files));
    assert.equal(errs[0]?.line, 6);
    assert.match(errs[0]?.message ?? '', /nosuchfunc/);
  });

  it('a chart reached through a linked folder is read the same', () => {
    const link = join(mkdtempSync(join(tmpdir(), 'podsec-chart-link-')), 'web');
    symlinkSync(WEB, link);
    const checks = (dir: string) =>
      json([dir, '--level', 'baseline'])
        .report.files.flatMap((f) => f.findings.map((x) => x.check))
        .sort();
    assert.deepEqual(checks(link), checks(WEB));
    assert.deepEqual(checks(link), ['privileged']);
  });

  it('a file of a chart given alone evaluates the whole chart', () => {
    const { report } = json([join(WEB, 'templates', 'deployment.yaml'), '--level', 'baseline']);
    assert.deepEqual(
      report.files.flatMap((f) => f.findings.map((x) => [f.path.replace(/.*web\//, ''), x.check])),
      [['values.yaml', 'privileged']],
    );
  });

  it('a values file that cannot be read is a read error (exit 2)', () => {
    const r = cli([WEB, '-f', join(WEB, 'missing.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.out, /missing\.yaml/);
  });

  it('--fix applies the safe fixes at their origin (values.yaml), keeps comments, and reports what is left', () => {
    const dir = webCopy({
      'values.yaml': readFileSync(join(WEB, 'values.yaml'), 'utf8').replace(
        'sidecar:\n  enabled: true',
        'sidecar:\n  enabled: false',
      ),
    });
    const before = readFileSync(join(dir, 'templates', 'deployment.yaml'), 'utf8');
    const r = cli([dir, '--fix']);
    const values = readFileSync(join(dir, 'values.yaml'), 'utf8');
    assert.match(
      values,
      /^ {2}privileged: true # needs the GPU$/m,
      'the unsafe fix is not applied',
    );
    assert.match(values, /^ {2}allowPrivilegeEscalation: false$/m);
    assert.match(values, /^ {2}capabilities:\n {4}drop: \[ALL\]$/m);
    assert.match(values, /^podSecurityContext: \{seccompProfile: \{type: RuntimeDefault\}\}$/m);
    assert.match(values, /^# Default values for web\.$/m);
    assert.equal(readFileSync(join(dir, 'templates', 'deployment.yaml'), 'utf8'), before);
    assert.match(r.out, /values\.yaml {2}fixed 3 findings/);
    const { report } = json([dir]);
    assert.deepEqual(report.files.flatMap((f) => f.findings.map((x) => x.check)).sort(), [
      'privileged',
      'runAsNonRoot',
    ]);
  });

  it('value sets in .podsec.yaml: each is evaluated and named; --values replaces them', () => {
    const dir = webCopy();
    writeFileSync(
      join(dir, '..', '.podsec.yaml'),
      'helm:\n  - name: dev\n  - name: prod\n    values: [web/values-prod.yaml]\n    releaseName: shop\n',
    );
    const { report } = json([dir, '--level', 'baseline']);
    const all = report.files.flatMap((f) => f.findings);
    assert.deepEqual(
      all.map((x) => [x.check, x.object.name]),
      [['privileged', 'release-name-web']],
    );
    assert.match(all[0]?.message ?? '', /\[values: dev\]$/);
    assert.equal(report.summary.objects, 4, 'both sets rendered');
    const explicit = json([dir, '-f', join(dir, 'values-prod.yaml')]);
    assert.equal(explicit.report.summary.objects, 2);
    assert.equal(explicit.report.summary.findings, 0);
  });

  it('plain files beside a chart, and in a chart folder Helm does not render, are evaluated as before', () => {
    const dir = webCopy();
    mkdirSync(join(dir, 'examples'));
    writeFileSync(
      join(dir, 'examples', 'debug-pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: d}\nspec:\n  hostIPC: true\n  containers: [{name: c, image: x}]\n',
    );
    assert.deepEqual(
      findingsIn(
        json([dir, '--level', 'baseline', '--hardening', 'off']).report,
        'examples/debug-pod.yaml',
      ).map((x) => [x.check, x.line]),
      [['hostNamespaces', 5]],
    );
    const plain = join(dir, '..', 'pod.yaml');
    writeFileSync(
      plain,
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n',
    );
    const { report } = json([resolve(dir, '..'), '--level', 'baseline', '--hardening', 'off']);
    assert.deepEqual(
      findingsIn(report, '/pod.yaml').map((x) => x.check),
      ['hostNamespaces'],
    );
    assert.deepEqual(
      findingsIn(report, 'web/values.yaml').map((x) => x.check),
      ['privileged'],
    );
  });
});

describe('cli: public charts agree with evaluating the real Helm output', () => {
  const casesFile = join(SHARED, 'cases.json');
  if (!existsSync(casesFile)) {
    it('skipped: ../shared/helm is absent', (t) => t.skip('../shared/helm is absent'));
    return;
  }
  const cases = (JSON.parse(readFileSync(casesFile, 'utf8')) as { cases: Case[] }).cases;
  // One case per chart with plain options (helm-unittest snapshots hold chosen documents only).
  const picked = new Map<string, Case>();
  for (const c of cases) {
    if (c.set.startsWith('helm-unittest') || c.set.startsWith('helm-testchart')) continue;
    if (!picked.has(c.set)) picked.set(c.set, c);
  }
  for (const c of picked.values()) {
    it(`${c.set} ${c.case}`, (t) => {
      const fidelity = renderCase(c);
      if (!fidelity.ok) {
        t.skip('the renderer does not match this case yet (see the fidelity test)');
        return;
      }
      const setDir = join(SHARED, c.set);
      const args = c.args.map((a, i) =>
        c.args[i - 1] === '--values' || c.args[i - 1] === '-f' ? join(setDir, a) : a,
      );
      const { code, report } = json([join(SHARED, c.chart), ...args]);
      assert.notEqual(code, 2);
      const ours = report.files
        .flatMap((f) => f.findings)
        .map((f) => `${f.check} ${f.object.kind} ${f.container ?? ''}`)
        .sort();
      // Helm's documents, as the fidelity comparison reads them (JSON is YAML).
      const theirs = analyze(fidelity.theirs.join('\n---\n'))
        .findings.map((f) => `${f.check} ${f.object.kind} ${f.container ?? ''}`)
        .sort();
      assert.deepEqual(ours, theirs);
      for (const f of report.files)
        for (const x of f.findings) assert.ok(x.line >= 1, `${f.path}: a line for ${x.check}`);
    });
  }
});
