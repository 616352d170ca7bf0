/**
 * Overlays as deployed: each root kustomization built and analysed with its
 * namespace's labels, findings placed on the base, the patch file or the
 * inline patch that set the offending value, each naming its overlay; a
 * finding the overlays share reported once; patches never evaluated as
 * objects; build errors at the file and line that cause them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { collectNamespaces, LineIndex } from '@podsec/server/out/engine/index';
import type { Analysis, Finding, NamespaceLabels } from '@podsec/server/out/engine/index';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import type { OverlayEvaluation } from '@podsec/server/out/engine/overlays/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { diskTree } from '../kustomize/support';
import { repoRoot } from '../../support/paths';

const TREE = join(repoRoot(), 'test', 'fixtures', 'overlays');
const at = (rel: string): string => join(TREE, rel);

function evaluate(o: { labels?: boolean; roots?: string[] } = {}): OverlayEvaluation {
  const fs = diskTree(TREE);
  const namespaces = new Map<string, NamespaceLabels>();
  if (o.labels !== false)
    for (const ns of collectNamespaces(readFileSync(at('namespaces.yaml'), 'utf8'), at('ns')))
      namespaces.set(ns.name, ns);
  return evaluateOverlays(fs, kustomizationGraph(fs, TREE), {
    namespaces,
    namespaceLabels: o.labels !== false,
    nameOf: (d) => d.slice(TREE.length + 1),
    ...(o.roots ? { roots: o.roots.map(at) } : {}),
  });
}

function analysisOf(ev: OverlayEvaluation, rel: string): Analysis {
  const a = ev.files.get(at(rel));
  assert.ok(a, `findings placed in ${rel}: ${[...ev.files.keys()].join(', ')}`);
  return a;
}

/** 1-based line of a finding in its file. */
function lineOf(rel: string, f: { span: { start: number } }): number {
  return new LineIndex(readFileSync(at(rel), 'utf8')).humanPosition(f.span.start).line;
}

function lineWith(rel: string, needle: string): number {
  const lines = readFileSync(at(rel), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} in ${rel}`);
  return i + 1;
}

function only(a: Analysis, check: string, severity?: string): Finding {
  const fs = a.findings.filter((f) => f.check === check && (!severity || f.severity === severity));
  assert.equal(fs.length, 1, `${check}: ${a.findings.map((f) => f.message).join('\n')}`);
  return fs[0] as Finding;
}

describe('overlays evaluated as deployed', () => {
  it('builds the roots: the overlays, not the base they include', () => {
    const ev = evaluate();
    assert.deepEqual(
      ev.builds.map((b) => b.name),
      ['overlays/dev', 'overlays/prod'],
    );
    assert.ok(ev.builds.every((b) => b.build.error === null && b.analysis !== null));
  });

  it('a value a patch file sets is found on the patch’s line, naming the overlay', () => {
    const f = only(analysisOf(evaluate(), 'overlays/prod/debug.yaml'), 'privileged');
    assert.equal(
      lineOf('overlays/prod/debug.yaml', f),
      lineWith('overlays/prod/debug.yaml', 'privileged: true'),
    );
    assert.match(
      f.message,
      /must not set securityContext\.privileged=true.* in overlay overlays\/prod$/,
    );
    assert.deepEqual(f.overlays, ['overlays/prod']);
    // The object is the one prod deploys: its prefixed name and its namespace.
    assert.deepEqual([f.object.name, f.object.namespace], ['prod-web', 'prod']);
  });

  it('a value an inline JSON patch sets is found in kustomization.yaml', () => {
    const f = only(analysisOf(evaluate(), 'overlays/prod/kustomization.yaml'), 'hostNamespaces');
    assert.equal(
      lineOf('overlays/prod/kustomization.yaml', f),
      lineWith('overlays/prod/kustomization.yaml', 'value: true'),
    );
    assert.match(f.message, /hostNetwork=true.* in overlay overlays\/prod$/);
  });

  it('each overlay’s namespace labels decide its severity: dev warns, prod enforces', () => {
    const base = analysisOf(evaluate(), 'base/deployment.yaml');
    const warn = only(base, 'allowPrivilegeEscalation', 'warning');
    const err = only(base, 'allowPrivilegeEscalation', 'error');
    assert.match(warn.message, /in overlay overlays\/dev$/);
    assert.match(err.message, /in overlay overlays\/prod$/);
    assert.equal(warn.mode, 'warn');
    assert.equal(err.policySource.namespace, 'prod');
    const line = lineWith('base/deployment.yaml', 'securityContext:');
    assert.equal(lineOf('base/deployment.yaml', warn), line);
    assert.equal(lineOf('base/deployment.yaml', err), line);
  });

  it('a finding every overlay shares is reported once, naming both', () => {
    const f = only(analysisOf(evaluate(), 'base/deployment.yaml'), 'hostPorts');
    assert.equal(
      lineOf('base/deployment.yaml', f),
      lineWith('base/deployment.yaml', 'hostPort: 8080'),
    );
    assert.deepEqual(f.overlays, ['overlays/dev', 'overlays/prod']);
    assert.match(f.message, / in overlays overlays\/dev, overlays\/prod$/);
    // Without labels every restricted finding is shared too.
    const plain = analysisOf(evaluate({ labels: false }), 'base/deployment.yaml');
    assert.deepEqual(only(plain, 'allowPrivilegeEscalation').overlays, [
      'overlays/dev',
      'overlays/prod',
    ]);
  });

  it('a podsec-ignore comment in the base silences the check in every overlay', () => {
    const ev = evaluate();
    const all = [...ev.files.values()].flatMap((a) => a.findings);
    assert.ok(all.length > 0);
    assert.ok(!all.some((f) => f.check === 'seccompProfile_restricted'), 'suppressed in the base');
  });

  it('patches and kustomization files are never objects of their own; resources are covered', () => {
    const ev = evaluate();
    for (const rel of [
      'overlays/prod/debug.yaml',
      'overlays/prod/kustomization.yaml',
      'base/kustomization.yaml',
      'base/deployment.yaml',
    ])
      assert.ok(ev.covered.has(at(rel)), rel);
    assert.ok(!ev.covered.has(at('plain/pod.yaml')));
    assert.ok(!ev.covered.has(at('namespaces.yaml')));
    // The patch file's only finding is the one the build places there.
    assert.deepEqual(
      analysisOf(ev, 'overlays/prod/debug.yaml').findings.map((f) => f.check),
      ['privileged'],
    );
  });

  it('roots can be named: only those are built', () => {
    const ev = evaluate({ roots: ['overlays/dev'] });
    assert.deepEqual(
      ev.builds.map((b) => b.name),
      ['overlays/dev'],
    );
    assert.equal(ev.files.get(at('overlays/prod/debug.yaml')), undefined);
  });

  it('places workloads in the file their object came from, once per overlay', () => {
    const ev = evaluate();
    const ws = ev.workloads.filter((w) => w.file === at('base/deployment.yaml'));
    assert.deepEqual(
      ws.map((w) => w.overlay),
      ['overlays/dev', 'overlays/prod'],
    );
    const text = readFileSync(at('base/deployment.yaml'), 'utf8');
    assert.equal(
      text.slice(ws[0]?.summary.headSpan.start, ws[0]?.summary.headSpan.end),
      'Deployment',
    );
    assert.equal(analysisOf(ev, 'base/deployment.yaml').workloads.length, 1);
  });
});

describe('overlay build errors', () => {
  const DEPLOY =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a\n';

  it('a missing resource is an error on the line that names it, for each overlay', () => {
    const fs = new MemoryFs({
      '/r/base/kustomization.yaml': 'resources:\n- pod.yaml\n- missing.yaml\n',
      '/r/base/pod.yaml': DEPLOY,
      '/r/a/kustomization.yaml': 'resources:\n- ../base\n',
      '/r/b/kustomization.yaml': 'resources:\n- ../base\n',
    });
    const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/r'), { nameOf: (d) => d.slice(3) });
    const errors = ev.files.get('/r/base/kustomization.yaml')?.errors ?? [];
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const e = errors[0];
    assert.equal(e?.code, 'kustomize');
    assert.equal(e?.severity, 'error');
    const text = fs.readText('/r/base/kustomization.yaml') ?? '';
    assert.equal(new LineIndex(text).humanPosition(e?.span.start ?? 0).line, 3);
    assert.match(e?.message ?? '', /missing\.yaml.*\(overlays a, b\)$/s);
    // The build failed: its resources are left to be checked on their own.
    assert.ok(!ev.covered.has('/r/base/pod.yaml'));
    assert.ok(ev.covered.has('/r/a/kustomization.yaml'));
  });

  it('a cycle is an error in the kustomization that closes it', () => {
    const fs = new MemoryFs({
      '/r/a/kustomization.yaml': 'resources:\n- ../b\n',
      '/r/b/kustomization.yaml': 'resources:\n- ../a\n',
      '/r/top/kustomization.yaml': 'resources:\n- ../a\n',
    });
    const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/r'), { roots: ['/r/top'] });
    const errors = [...ev.files.values()].flatMap((a) => a.errors);
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /cycle/);
  });

  it('a patch that matches nothing is an error in the overlay that applies it', () => {
    const fs = new MemoryFs({
      '/r/base/kustomization.yaml': 'resources:\n- pod.yaml\n',
      '/r/base/pod.yaml': DEPLOY,
      '/r/o/kustomization.yaml':
        'resources:\n- ../base\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Pod\n    metadata:\n      name: nope\n',
    });
    const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/r'));
    const errors = ev.files.get('/r/o/kustomization.yaml')?.errors ?? [];
    assert.equal(errors.length, 1, JSON.stringify([...ev.files]));
    assert.ok((errors[0]?.span.start ?? 0) > 0, 'placed at the patch, not the top of the file');
  });
});
