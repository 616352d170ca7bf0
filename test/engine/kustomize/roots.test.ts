/**
 * Roots: the kustomizations of a tree, which are roots (included by no
 * other), and which kustomizations read a file and as what; plus the notes
 * a build gives for what it does not do (remote resources, helmCharts,
 * unsupported fields, deprecated ones, directives kustomize leaves in place).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildKustomization,
  findKustomizations,
  kustomizationGraph,
} from '@podsec/server/out/engine/kustomize/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: web:1
`;

function repo(): MemoryFs {
  return new MemoryFs({
    '/repo/base/kustomization.yaml': 'resources:\n- deployment.yaml\n- ../shared\n',
    '/repo/base/deployment.yaml': DEPLOY,
    '/repo/shared/kustomization.yaml': 'resources:\n- sa.yaml\n',
    '/repo/shared/sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n',
    '/repo/components/hardening/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: harden.yaml\n  target:\n    kind: Deployment\n',
    '/repo/components/hardening/harden.yaml':
      'kind: Deployment\nmetadata:\n  name: x\nspec:\n  paused: true\n',
    '/repo/overlays/prod/kustomization.yaml':
      'resources:\n- ../../base\ncomponents:\n- ../../components/hardening\npatches:\n- path: replicas.yaml\nconfigMapGenerator:\n- name: env\n  envs:\n  - prod.env\n',
    '/repo/overlays/prod/replicas.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n',
    '/repo/overlays/prod/prod.env': 'MODE=prod\n',
    '/repo/overlays/dev/kustomization.yaml':
      'resources:\n- ../../base\n- github.com/example/repo//deploy?ref=v1\n',
    '/repo/standalone/kustomization.yaml': 'resources:\n- pod.yaml\n',
    '/repo/standalone/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n',
    '/repo/node_modules/x/kustomization.yaml': 'resources: []\n',
    '/repo/README.md': '# repo\n',
  });
}

describe('kustomization roots', () => {
  it('finds the kustomizations of a tree (not under node_modules)', () => {
    assert.deepEqual(findKustomizations(repo(), '/repo'), [
      '/repo/base',
      '/repo/components/hardening',
      '/repo/overlays/dev',
      '/repo/overlays/prod',
      '/repo/shared',
      '/repo/standalone',
    ]);
  });

  it('takes as roots the kustomizations no other includes (components never)', () => {
    const g = kustomizationGraph(repo(), '/repo');
    assert.deepEqual(g.roots, ['/repo/overlays/dev', '/repo/overlays/prod', '/repo/standalone']);
    assert.deepEqual(g.includedBy('/repo/base'), ['/repo/overlays/dev', '/repo/overlays/prod']);
    assert.deepEqual(g.includedBy('/repo/components/hardening'), ['/repo/overlays/prod']);
    assert.deepEqual(g.kustomizations.get('/repo/overlays/dev')?.remote, [
      'github.com/example/repo//deploy?ref=v1',
    ]);
  });

  it('says which kustomizations read a file, and as what', () => {
    const g = kustomizationGraph(repo(), '/repo');
    assert.deepEqual(
      g.readersOf('/repo/base/deployment.yaml').map((r) => [r.dir, r.role, r.root]),
      [
        ['/repo/overlays/dev', 'resource', true],
        ['/repo/overlays/prod', 'resource', true],
        ['/repo/base', 'resource', false],
      ],
    );
    // A base's base is read by every overlay above it.
    assert.deepEqual(
      g
        .readersOf('/repo/shared/sa.yaml')
        .filter((r) => r.root)
        .map((r) => r.dir),
      ['/repo/overlays/dev', '/repo/overlays/prod'],
    );
    // A patch is a patch: never an object of its own.
    assert.deepEqual(
      g.readersOf('/repo/components/hardening/harden.yaml').map((r) => [r.dir, r.role]),
      [
        ['/repo/overlays/prod', 'patch'],
        ['/repo/components/hardening', 'patch'],
      ],
    );
    assert.deepEqual(
      g.readersOf('/repo/overlays/prod/prod.env').map((r) => r.role),
      ['generator'],
    );
    assert.deepEqual(g.readersOf('/repo/README.md'), []);
  });

  it('agrees with the files a build reads', () => {
    const fs = repo();
    const g = kustomizationGraph(fs, '/repo');
    const b = buildKustomization(fs, '/repo/overlays/prod');
    assert.equal(b.error, null, b.error?.message);
    for (const f of b.files)
      assert.ok(
        g.readersOf(f).some((r) => r.dir === '/repo/overlays/prod'),
        f,
      );
  });

  it('survives a cycle and an unreadable kustomization', () => {
    const fs = new MemoryFs({
      '/r/a/kustomization.yaml': 'resources:\n- ../b\n',
      '/r/b/kustomization.yaml': 'resources:\n- ../a\n',
      '/r/c/kustomization.yaml': 'foo: [unclosed\n',
    });
    const g = kustomizationGraph(fs, '/r');
    // Each includes the other: neither is a root.
    assert.deepEqual(g.roots, []);
    assert.equal(g.kustomizations.get('/r/c')?.error?.class, 'yaml');
    assert.deepEqual(
      g.readersOf('/r/a/kustomization.yaml').map((r) => r.dir),
      ['/r/a', '/r/b'],
    );
  });
});

describe('notes: what a build leaves out, and says so', () => {
  it('skips remote resources, with a note naming them', () => {
    const b = buildKustomization(repo(), '/repo/overlays/dev');
    assert.equal(b.error, null, b.error?.message);
    assert.deepEqual(
      b.objects.map((o) => o.id.name),
      ['sa', 'web'],
    );
    const n = b.notes.find((x) => x.kind === 'remote');
    assert.ok(n);
    assert.match(n.message, /github\.com\/example\/repo\/\/deploy\?ref=v1 was not fetched/);
    assert.equal(n.file, '/repo/overlays/dev/kustomization.yaml');
    assert.equal(n.span.start, repo().readText(n.file)?.indexOf('github.com'));
  });

  it('skips a chart that is not there and only a repository holds, and uses the renderer it is given', () => {
    const fs = new MemoryFs({
      '/h/kustomization.yaml':
        'helmCharts:\n- name: web\n  repo: https://charts.example.com\n  version: 1.0.0\n',
    });
    const b = buildKustomization(fs, '/h');
    assert.equal(b.error, null);
    assert.equal(b.objects.length, 0);
    assert.equal(b.notes.filter((n) => n.kind === 'helm').length, 1);
    assert.equal(b.incomplete, true);
    const rendered = buildKustomization(fs, '/h', {
      helm: (req) => ({
        text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-${req.chart.kind === 'map' ? 'chart' : '?'}\n`,
        file: '/h/charts/web.yaml',
      }),
    });
    assert.deepEqual(
      rendered.objects.map((o) => o.id.name),
      ['from-chart'],
    );
    assert.equal(rendered.notes.filter((n) => n.kind === 'helm').length, 0);
    assert.equal(rendered.incomplete, false);
  });

  it('notes fields it does not carry out, and kustomize’s deprecation warnings', () => {
    const fs = new MemoryFs({
      '/u/kustomization.yaml':
        'resources:\n- cm.yaml\nreplacements:\n- source: {kind: ConfigMap, name: cm}\n  targets: []\ncommonLabels:\n  a: b\n',
      '/u/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n',
    });
    const b = buildKustomization(fs, '/u');
    assert.equal(b.error, null);
    assert.deepEqual(
      b.notes.map((n) => n.kind),
      ['deprecated', 'unsupported'],
    );
    assert.match(b.notes[1]?.message ?? '', /`replacements` is not supported/);
    assert.match(b.notes[0]?.message ?? '', /'commonLabels' is deprecated/);
  });
});
