/**
 * Fixes of an overlay's findings are offered only when the overlay built
 * again with them (nothing written) no longer has the finding: a later
 * step of the overlay that takes the fixed field away again (a legacy JSON
 * 6902 patch, which kustomize applies after the strategic merge patches)
 * leaves neither the fix in that overlay nor the fix in the base it deploys;
 * an operation of a component two overlays include is proven in each; the
 * rebuilds are bounded per overlay.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Finding } from '@podsec/server/out/engine/index';
import { applyEdits, fixEdits } from '@podsec/server/out/engine/fixes/edits';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/build';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import type { OverlayEvaluation } from '@podsec/server/out/engine/overlays/index';
import { MAX_ROUNDS } from '@podsec/server/out/engine/overlays/verify';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { analyze } from '@podsec/server/out/engine/index';
import { hasKubectl, kubectlKustomize } from '../kustomize/kubectl';

const KUBECTL = hasKubectl();

const POD = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: p',
  'spec:',
  '  securityContext:',
  '    runAsNonRoot: true',
  '    seccompProfile:',
  '      type: RuntimeDefault',
  '  containers:',
  '    - name: app',
  '      image: app:1',
  '      securityContext:',
  '        allowPrivilegeEscalation: false',
  '        capabilities: # what the app needs',
  '          add: [CHOWN]',
  '',
].join('\n');

const UNDO_TREE = {
  '/r/base/kustomization.yaml': 'resources:\n- pod.yaml\n',
  '/r/base/pod.yaml': POD,
  '/r/keep/kustomization.yaml': 'resources:\n- ../base\n',
  // Applied after every strategic merge patch: the capabilities go, whatever a patch wrote there.
  '/r/undo/kustomization.yaml': [
    'resources:',
    '- ../base',
    'patchesJson6902:',
    '- target:',
    '    version: v1',
    '    kind: Pod',
    '    name: p',
    '  path: strip.yaml',
    '',
  ].join('\n'),
  '/r/undo/strip.yaml': '- op: remove\n  path: /spec/containers/0/securityContext/capabilities\n',
};

function evaluate(fs: MemoryFs): OverlayEvaluation {
  return evaluateOverlays(fs, kustomizationGraph(fs, '/r'), {
    level: 'restricted',
    proveFixes: true,
  });
}

function findings(ev: OverlayEvaluation, check: string): Array<{ file: string; f: Finding }> {
  const out: Array<{ file: string; f: Finding }> = [];
  for (const [file, a] of ev.files)
    for (const f of a.findings) if (f.check === check) out.push({ file, f });
  return out;
}

/** The fix applied to a copy of the tree, and the check's findings of `overlay` built again. */
function afterFix(files: Record<string, string>, file: string, title: string, overlay: string) {
  const fs = new MemoryFs(files);
  const paths = new Set(Object.keys(files));
  const ev = evaluate(fs);
  const fix = findings(ev, 'capabilities_restricted')
    .flatMap((x) => x.f.fixes.map((y) => ({ x, y })))
    .find(({ y }) => y.title === title);
  assert.ok(fix, `${title} offered`);
  for (const part of fixEdits(fix.y, file)) {
    fs.set(part.path, applyEdits(part.create ? '' : (fs.readText(part.path) ?? ''), part.edits));
    paths.add(part.path);
  }
  const b = buildKustomization(fs, overlay);
  assert.equal(b.error, null);
  return { fs, left: analyze(b.source.text, { level: 'restricted' }).findings, paths };
}

/** What `kubectl kustomize` builds of the tree as the fix left it, analysed; null without kubectl. */
function kubectlLeft(fs: MemoryFs, paths: ReadonlySet<string>, overlay: string) {
  if (!KUBECTL) return null;
  const dir = mkdtempSync(join(tmpdir(), 'podsec-overlay-proof-'));
  try {
    for (const p of paths) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), fs.readText(p) ?? '');
    }
    const k = kubectlKustomize(join(dir, overlay));
    assert.ok(k.ok, k.ok ? '' : k.error);
    return analyze(k.output, { level: 'restricted' }).findings;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const dropLeft = (list: ReturnType<typeof analyze>['findings'] | null): string[] | null =>
  list === null
    ? null
    : list.filter((f) => f.path.endsWith('capabilities.drop')).map((f) => f.check);

describe('overlay fixes proven by a rebuild', () => {
  it('a later JSON 6902 patch that takes the field away: no fix in that overlay, none in the base', () => {
    const ev = evaluate(new MemoryFs(UNDO_TREE));
    const drop = findings(ev, 'capabilities_restricted').filter((x) => x.f.path.endsWith('.drop'));
    const of = (overlay: string): string[] =>
      drop
        .filter((x) => x.f.overlays?.includes(overlay))
        .flatMap((x) => x.f.fixes.map((y) => y.title));
    // The overlay that keeps the base's capabilities can drop ALL, in the base or in its own patch.
    assert.deepEqual(of('/r/keep'), [
      'Drop ALL capabilities in the base',
      'Drop ALL capabilities in overlay /r/keep',
    ]);
    // The overlay whose JSON patch removes capabilities after the patches undoes both.
    assert.deepEqual(of('/r/undo'), []);
    for (const b of ev.builds) {
      assert.ok(
        b.proofs && b.proofs.builds <= MAX_ROUNDS,
        `${b.name}: ${JSON.stringify(b.proofs)}`,
      );
      assert.ok(b.proofs.refused > 0 || b.name !== '/r/undo', `${b.name} refused none`);
    }
  });

  it('without the later patch, the fix in the base is offered, and applied it clears the finding, comments kept', () => {
    const files = { ...UNDO_TREE };
    delete (files as Record<string, string>)['/r/undo/strip.yaml'];
    (files as Record<string, string>)['/r/undo/kustomization.yaml'] = 'resources:\n- ../base\n';
    const { fs, left, paths } = afterFix(
      files,
      '/r/base/pod.yaml',
      'Drop ALL capabilities in the base',
      '/r/undo',
    );
    assert.deepEqual(
      left.filter((f) => f.path.endsWith('capabilities.drop')).map((f) => f.check),
      [],
    );
    assert.match(fs.readText('/r/base/pod.yaml') ?? '', /capabilities: # what the app needs/);
    // kubectl builds it so too (when installed; otherwise the engine's build above is the check).
    const k = dropLeft(kubectlLeft(fs, paths, '/r/undo'));
    if (k === null)
      console.error('kubectl is not on the PATH: the fix is rebuilt by the engine only');
    else assert.deepEqual(k, []);
  });

  it('the fix in an overlay, applied, leaves that overlay without the finding', () => {
    const { fs, left, paths } = afterFix(
      UNDO_TREE,
      '/r/base/pod.yaml',
      'Drop ALL capabilities in overlay /r/keep',
      '/r/keep',
    );
    assert.deepEqual(
      left.filter((f) => f.path.endsWith('capabilities.drop')).map((f) => f.check),
      [],
    );
    // The base is not touched.
    assert.equal(fs.readText('/r/base/pod.yaml'), POD);
    const k = dropLeft(kubectlLeft(fs, paths, '/r/keep'));
    if (k === null)
      console.error('kubectl is not on the PATH: the fix is rebuilt by the engine only');
    else assert.deepEqual(k, []);
  });

  it('an operation of a component two overlays include is proven on each', () => {
    const component = [
      'apiVersion: kustomize.config.k8s.io/v1alpha1',
      'kind: Component',
      'patches:',
      '- target:',
      '    kind: Pod',
      '  patch: |-',
      '    - op: add',
      '      path: /spec/hostNetwork',
      '      value: true',
      '    - op: add',
      '      path: /metadata/labels',
      '      value: {net: host}',
      '',
    ].join('\n');
    const pod = (host: boolean): string =>
      POD.replace('spec:\n', host ? 'spec:\n  hostNetwork: true\n' : 'spec:\n');
    const tree = (bHost: boolean): MemoryFs =>
      new MemoryFs({
        '/r/net/kustomization.yaml': component,
        '/r/a/kustomization.yaml': 'resources:\n- pod.yaml\ncomponents:\n- ../net\n',
        '/r/a/pod.yaml': pod(false),
        '/r/b/kustomization.yaml': 'resources:\n- pod.yaml\ncomponents:\n- ../net\n',
        '/r/b/pod.yaml': pod(bHost),
      });
    const fixesOf = (fs: MemoryFs): string[] => {
      const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/r'), { proveFixes: true });
      const host = findings(ev, 'hostNamespaces').filter(
        (x) => x.file === '/r/net/kustomization.yaml',
      );
      assert.equal(host.length, 1);
      assert.deepEqual(host[0]?.f.overlays, ['/r/a', '/r/b']);
      return host[0]?.f.fixes.map((x) => x.title) ?? [];
    };
    // Neither base sets hostNetwork: taking the operation out clears it in both.
    const none = fixesOf(tree(false));
    assert.equal(none[0], 'Remove hostNetwork: true', none.join(', '));
    // b's own pod sets it too: the operation taken out leaves b's value, so b refuses it.
    const both = fixesOf(tree(true));
    // The fix in each overlay (a patch after the component's) is proven on that overlay alone.
    assert.deepEqual(both, [
      'Remove hostNetwork: true in overlay /r/a',
      'Remove hostNetwork: true in overlay /r/b',
    ]);
  });
});
