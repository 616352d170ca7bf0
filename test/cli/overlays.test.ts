/**
 * `podsec <dir>` on a Kustomize repository: the roots built and evaluated as
 * deployed, findings reported in the base, patch or kustomization file that
 * set each value, naming the overlay, in text, JSON and SARIF; `podsec
 * <overlay>` builds that one; `.podsec.yaml` may name the roots; a build error
 * is an error at its file and line.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/paths';
import { cli as runCli } from '../support/cli';
import type { Ran } from '../support/cli';

const TREE = join(repoRoot(), 'test', 'fixtures', 'overlays');

/** These tests are about the Pod Security findings of overlays: the hardening checks are off (see hardening-generated.test.ts). */
const cli = (args: string[]): Ran =>
  runCli(
    args[0] === 'render' || args[0] === 'init'
      ? args
      : args[0] === 'report'
        ? ['report', '--hardening', 'off', ...args.slice(1)]
        : ['--hardening', 'off', ...args],
  );
interface JsonFinding {
  check: string;
  severity: string;
  message: string;
  line: number;
  overlays?: string[];
  object: { name: string | null; namespace: string | null };
}
interface JsonReport {
  files: Array<{
    path: string;
    findings: JsonFinding[];
    errors: Array<{ message: string; line: number }>;
  }>;
}

function json(args: string[]): { code: number; report: JsonReport } {
  const r = cli(['--format', 'json', ...args]);
  return { code: r.code, report: JSON.parse(r.out) as JsonReport };
}

function fileOf(report: JsonReport, path: string): JsonReport['files'][number] {
  const f = report.files.find((x) => x.path === path);
  assert.ok(f, `${path} in ${report.files.map((x) => x.path).join(', ')}`);
  return f;
}

function lineWith(path: string, needle: string): number {
  return (
    readFileSync(path, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(needle)) + 1
  );
}

function copyTree(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'podsec-overlays-'));
  cpSync(TREE, dir, { recursive: true });
  for (const [name, content] of Object.entries(extra)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describe('podsec on Kustomize overlays', () => {
  it('a directory: each root built, findings on the origin line, naming the overlay', () => {
    const { code, report } = json([TREE]);
    assert.equal(code, 1);
    const base = join(TREE, 'base', 'deployment.yaml');
    const b = fileOf(report, base);
    // Only what the overlays deploy: every base finding names its overlays.
    assert.ok(b.findings.length > 0);
    assert.ok(
      b.findings.every((f) => (f.overlays ?? []).length > 0),
      JSON.stringify(b.findings),
    );
    const host = b.findings.filter((f) => f.check === 'hostPorts');
    assert.equal(host.length, 1, 'shared by both overlays: once');
    assert.deepEqual(host[0]?.overlays, ['overlays/dev', 'overlays/prod']);
    assert.equal(host[0]?.line, lineWith(base, 'hostPort: 8080'));
    const patch = join(TREE, 'overlays', 'prod', 'debug.yaml');
    const p = fileOf(report, patch);
    assert.deepEqual(
      p.findings.map((f) => [f.check, f.line, f.object.name, f.object.namespace]),
      [['privileged', lineWith(patch, 'privileged: true'), 'prod-web', 'prod']],
    );
    assert.match(p.findings[0]?.message ?? '', / in overlay overlays\/prod$/);
    // The namespace labels of namespaces.yaml apply to each overlay's namespace.
    const ape = b.findings.filter((f) => f.check === 'allowPrivilegeEscalation');
    assert.deepEqual(
      ape.map((f) => [f.severity, f.overlays]),
      [
        ['warning', ['overlays/dev']],
        ['error', ['overlays/prod']],
      ],
    );
    // Files outside any kustomization are checked as always.
    const plain = fileOf(report, join(TREE, 'plain', 'pod.yaml'));
    assert.ok(plain.findings.some((f) => f.check === 'privileged' && f.overlays === undefined));
    // Kustomization files hold only what is placed in them.
    assert.deepEqual(
      fileOf(report, join(TREE, 'overlays', 'prod', 'kustomization.yaml')).findings.map(
        (f) => f.check,
      ),
      ['hostNamespaces'],
    );
    assert.equal(
      report.files.find((f) => f.path === join(TREE, 'overlays', 'dev', 'kustomization.yaml')),
      undefined,
    );
  });

  it('an overlay directory: that overlay only, its base reported where it is', () => {
    const { report } = json([join(TREE, 'overlays', 'prod')]);
    const base = fileOf(report, join(TREE, 'base', 'deployment.yaml'));
    assert.ok(base.findings.length > 0);
    for (const f of report.files.flatMap((x) => x.findings)) {
      assert.equal(f.overlays?.length, 1);
      assert.match(f.overlays?.[0] ?? '', /overlays\/prod$/);
    }
    assert.ok(!report.files.some((f) => f.findings.some((x) => x.overlays?.[0]?.endsWith('dev'))));
  });

  it('text output: file:line of the origin and the overlay in the message', () => {
    const r = cli([TREE]);
    const patch = join(TREE, 'overlays', 'prod', 'debug.yaml');
    assert.ok(
      r.out.includes(`${patch}:${lineWith(patch, 'privileged: true')}:`),
      r.out.slice(0, 2000),
    );
    assert.match(
      r.out,
      /remove hostPort 8080 \(in overlays overlays\/dev, overlays\/prod\) {2}\[hostPorts\]/,
    );
  });

  it('SARIF: the location is the origin file and line, the overlays a property', () => {
    const log = JSON.parse(cli(['--format', 'sarif', TREE]).out) as {
      runs: Array<{
        results: Array<{
          ruleId: string;
          locations: Array<{
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }>;
          properties: { overlays?: string[] };
        }>;
      }>;
    };
    const res = log.runs[0]?.results.find(
      (r) => r.ruleId === 'privileged' && r.properties.overlays,
    );
    assert.ok(res);
    const loc = res.locations[0]?.physicalLocation;
    assert.match(loc?.artifactLocation.uri ?? '', /overlays\/prod\/debug\.yaml$/);
    assert.equal(
      loc?.region.startLine,
      lineWith(join(TREE, 'overlays', 'prod', 'debug.yaml'), 'privileged: true'),
    );
    assert.deepEqual(res.properties.overlays, ['overlays/prod']);
  });

  it('.podsec.yaml kustomize.roots names the overlays built', () => {
    const dir = copyTree({ '.podsec.yaml': 'kustomize:\n  roots: [overlays/dev]\n' });
    const { report } = json([dir]);
    const overlays = new Set(
      report.files.flatMap((f) => f.findings.flatMap((x) => x.overlays ?? [])),
    );
    assert.deepEqual([...overlays], ['overlays/dev']);
    // The prod patch is still only a patch: never checked as an object of its own.
    assert.equal(
      report.files.find((f) => f.path === join(dir, 'overlays', 'prod', 'debug.yaml')),
      undefined,
    );
  });

  it('a build error is an error at the file and line that cause it (exit 1)', () => {
    const dir = copyTree({
      'overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\n  - missing.yaml\n',
    });
    const { code, report } = json([dir]);
    assert.equal(code, 1);
    const k = fileOf(report, join(dir, 'overlays', 'dev', 'kustomization.yaml'));
    assert.equal(k.errors.length, 1);
    assert.equal(k.errors[0]?.line, 3);
    assert.match(k.errors[0]?.message ?? '', /missing\.yaml.*\(overlay overlays\/dev\)$/s);
    // prod still builds; the base is evaluated as prod deploys it.
    const base = fileOf(report, join(dir, 'base', 'deployment.yaml'));
    assert.ok(
      base.findings.length > 0 && base.findings.every((f) => f.overlays?.[0] === 'overlays/prod'),
    );
  });

  it('--fix makes the safe fixes at the origin; the overlays then build without them', () => {
    const dir = copyTree();
    const before = readFileSync(join(dir, 'base', 'deployment.yaml'), 'utf8');
    const patch = readFileSync(join(dir, 'overlays', 'prod', 'debug.yaml'), 'utf8');
    const r = cli(['--fix', dir]);
    assert.equal(r.code, 1, 'unsafe and unfixable findings remain');
    const after = readFileSync(join(dir, 'base', 'deployment.yaml'), 'utf8');
    assert.equal(
      after,
      before.replace(
        '              drop: [ALL]\n',
        '              drop: [ALL]\n            allowPrivilegeEscalation: false\n',
      ),
    );
    // privileged: false may change how it runs: only with --fix-unsafe.
    assert.equal(readFileSync(join(dir, 'overlays', 'prod', 'debug.yaml'), 'utf8'), patch);
    const { report } = json([dir]);
    const left = report.files.flatMap((f) => f.findings.filter((x) => x.overlays));
    assert.ok(!left.some((f) => f.check === 'allowPrivilegeEscalation'), JSON.stringify(left));
    cli(['--fix', '--fix-unsafe', dir]);
    assert.match(
      readFileSync(join(dir, 'overlays', 'prod', 'debug.yaml'), 'utf8'),
      /privileged: false/,
    );
    const again = json([dir]).report.files.flatMap((f) => f.findings.filter((x) => x.overlays));
    // The inline JSON patch that adds hostNetwork (and, under it, the hostPort the API server
    // defaults from containerPort) is taken out: nothing is left.
    assert.deepEqual(
      again.map((f) => [f.check, f.overlays]),
      [],
    );
    const k = readFileSync(join(dir, 'overlays', 'prod', 'kustomization.yaml'), 'utf8');
    assert.ok(!k.includes('hostNetwork') && k.includes('- path: debug.yaml'), k);
  });

  it('podsec report builds the overlays at the level .podsec.yaml sets, as the check does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-overlay-config-'));
    cpSync(TREE, dir, { recursive: true });
    // No Namespace labels: the level is the run's own, here from the tree's .podsec.yaml.
    writeFileSync(join(dir, 'namespaces.yaml'), '');
    writeFileSync(join(dir, '.podsec.yaml'), 'level: privileged\n');
    const levels = (args: string[]): Array<[string, string, boolean]> => {
      const r = cli(['report', '--format', 'json', ...args, dir]);
      const report = JSON.parse(r.out) as {
        overlays: Array<{ name: string; workloads: Array<{ level: string; rejected: number }> }>;
      };
      return report.overlays.flatMap((o) =>
        o.workloads.map((w): [string, string, boolean] => [o.name, w.level, w.rejected > 0]),
      );
    };
    assert.deepEqual(levels([]), [
      ['overlays/dev', 'privileged', false],
      ['overlays/prod', 'privileged', false],
    ]);
    assert.deepEqual(
      levels(['--no-config']).map(([n, l]) => [n, l]),
      [
        ['overlays/dev', 'restricted'],
        ['overlays/prod', 'restricted'],
      ],
      'without the file, the default level',
    );
  });

  it('podsec report groups workloads by overlay, each at its Namespace’s level', () => {
    const r = cli(['report', '--format', 'json', TREE]);
    assert.equal(r.code, 1, 'an overlay rejects its workload');
    const report = JSON.parse(r.out) as {
      namespaces: Array<{ name: string; workloads: Array<{ path: string }> }>;
      overlays: Array<{
        name: string;
        error: string | null;
        workloads: Array<{
          kind: string;
          name: string;
          namespace: string;
          path: string;
          line: number;
          level: string;
          from: string;
          rejected: number;
          warned: number;
        }>;
      }>;
    };
    assert.deepEqual(
      report.overlays.map((o) => [
        o.name,
        o.error,
        o.workloads.map((w) => [w.kind, w.name, w.namespace, w.level, w.from, w.rejected > 0]),
      ]),
      [
        [
          'overlays/dev',
          null,
          [
            [
              'Deployment',
              'web',
              'dev',
              // The Namespace's label, not the default level (restricted).
              'baseline',
              'the pod-security.kubernetes.io/enforce label of Namespace dev',
              true,
            ],
          ],
        ],
        [
          'overlays/prod',
          null,
          [
            [
              'Deployment',
              'prod-web',
              'prod',
              'restricted',
              'the pod-security.kubernetes.io/enforce label of Namespace prod',
              true,
            ],
          ],
        ],
      ],
    );
    const dev = report.overlays[0]?.workloads[0];
    assert.ok(dev?.path.endsWith('base/deployment.yaml'), dev?.path);
    assert.equal(dev?.line, 1);
    assert.ok((dev?.warned ?? 0) > 0, 'dev warns at restricted');
    // The files the overlays read are not workloads of their own; the plain pod still is.
    const paths = report.namespaces.flatMap((n) => n.workloads.map((w) => w.path));
    assert.deepEqual(
      paths.map((p) => p.slice(p.lastIndexOf('/', p.lastIndexOf('/') - 1) + 1)),
      ['plain/pod.yaml'],
    );
    const md = cli(['report', '--format', 'markdown', TREE]).out;
    assert.match(md, /## Overlay `overlays\/dev`/);
    assert.match(
      md,
      /\| `dev` \| \*\*baseline\*\* \(latest, from the pod-security\.kubernetes\.io\/enforce label of Namespace dev\) \| ✗/,
    );
  });

  it('podsec report: each overlay’s highest level met and what-ifs, as its build stands', () => {
    // Without the hostPort, dev's build (the base) meets baseline; prod's patches make it privileged.
    const dir = copyTree();
    const base = join(dir, 'base', 'deployment.yaml');
    writeFileSync(base, readFileSync(base, 'utf8').replace('              hostPort: 8080\n', ''));
    const r = cli(['report', '--format', 'json', dir]);
    const report = JSON.parse(r.out) as {
      overlays: Array<{
        name: string;
        met: string | null;
        scenarios: Array<{ title: string; level: string; rejected: number; of: number }>;
        workloads: Array<{
          name: string;
          level: string;
          met: string;
          next: string;
          toNext: number;
        }>;
      }>;
    };
    assert.deepEqual(
      report.overlays.map((o) => [o.name, o.met, o.workloads.map((w) => [w.name, w.met, w.next])]),
      [
        ['overlays/dev', 'baseline', [['web', 'baseline', 'restricted']]],
        ['overlays/prod', 'privileged', [['prod-web', 'privileged', 'baseline']]],
      ],
    );
    // dev enforces baseline: at restricted its build would be rejected. prod is at restricted already.
    assert.deepEqual(
      report.overlays.map((o) => o.scenarios),
      [[{ title: 'if enforce moved to restricted', level: 'restricted', rejected: 1, of: 1 }], []],
    );
    // dev's enforce pinned to an older version: the what-if of moving it to the latest.
    const ns = join(dir, 'namespaces.yaml');
    writeFileSync(
      ns,
      readFileSync(ns, 'utf8').replace(
        '    pod-security.kubernetes.io/enforce: baseline\n',
        '    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.24\n',
      ),
    );
    const pinned = JSON.parse(cli(['report', '--format', 'json', dir]).out) as typeof report;
    assert.deepEqual(pinned.overlays[0]?.scenarios.slice(1), [
      { title: 'if enforce moved to latest (v1.37)', version: 'latest', rejected: 0, of: 1 },
    ]);
    assert.deepEqual(pinned.overlays[1]?.scenarios, [], 'prod is at the latest already');
    const text = cli(['report', dir]).out;
    assert.match(
      text,
      /Deployment\/web {2}namespace dev .*admitted.*; meets baseline \(\d+ changes? to restricted\)/,
    );
    assert.match(
      text,
      /overlay overlays\/dev[\s\S]*if enforce moved to restricted: 1 of 1 workload rejected/,
    );
    const md = cli(['report', '--format', 'markdown', dir]).out;
    assert.match(
      md,
      /\| Deployment `prod-web` \|.*\| \*\*privileged\*\* \(\d+ changes? to baseline\) \|/,
    );
    assert.match(md, /Highest level every workload meets: \*\*privileged\*\*\./);
  });
});
