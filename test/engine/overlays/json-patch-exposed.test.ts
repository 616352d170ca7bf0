/**
 * Taking a JSON 6902 operation out leaves what lies under it. When the base
 * itself sets the value the operation replaces (`hostNetwork: true` in the
 * base, `replace` with `true` in the overlay), the operation taken out would
 * leave the finding in place: the overlay is built again with the edit and
 * the fix turns the operation into a `remove` of the key instead (its
 * `value` dropped). When the base does not set it, the operation is still
 * taken out. After each fix the overlay builds (by the engine, and by
 * `kubectl kustomize` when it is installed) without the finding.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze, applyEdits } from '@podsec/server/out/engine/index';
import type { Fix } from '@podsec/server/out/engine/index';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/build';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import { DiskSourceFs } from '@podsec/server/out/cli/renderKustomize';
import { asData } from '../kustomize/support';
import { hasKubectl, kubectlKustomize } from '../kustomize/kubectl';

/** Sets hostNetwork and hostPID itself. */
const POD = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: p',
  'spec:',
  '  hostNetwork: true',
  '  hostPID: true',
  '  containers:',
  '    - name: a',
  '      image: x',
  '',
].join('\n');

const INLINE = [
  'resources:',
  '  - ../base',
  'patches:',
  '  - target:',
  '      kind: Pod',
  '    patch: |-',
  '      # the node agent',
  '      - op: replace',
  '        path: /spec/hostNetwork',
  '        value: true',
  '      - op: add',
  '        path: /spec/hostIPC',
  '        value: true',
  '',
].join('\n');

const OPS = ['# profiler', '- op: add', '  path: /spec/hostPID', '  value: true', ''].join('\n');

const TREE: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - pod.yaml\n',
  'base/pod.yaml': POD,
  'inline/kustomization.yaml': INLINE,
  'file/kustomization.yaml':
    'resources:\n  - ../base\npatches:\n  - path: ops.yaml\n    target:\n      kind: Pod\n',
  'file/ops.yaml': OPS,
};

let root = '';
const at = (rel: string): string => join(root, rel);
const read = (rel: string): string => readFileSync(at(rel), 'utf8');

/** The fixes of the findings placed in `rel`. */
function fixesIn(rel: string): Fix[] {
  const fs = new DiskSourceFs('/');
  const ev = evaluateOverlays(fs, kustomizationGraph(fs, root), {
    nameOf: (d) => d.slice(root.length + 1),
  });
  return (ev.files.get(at(rel))?.findings ?? []).flatMap((f) => f.fixes);
}

function fix(rel: string, title: string): void {
  const fx = fixesIn(rel).find((x) => x.title === title);
  assert.ok(fx, `${title} among ${JSON.stringify(fixesIn(rel).map((x) => x.title))}`);
  assert.equal(fx.files, undefined, 'edits of the patch alone');
  writeFileSync(at(rel), applyEdits(read(rel), fx.edits));
}

/** The host namespace fields the overlay's build still sets (engine, and kubectl when present). */
function hostFields(overlay: string): string[] {
  const b = buildKustomization(new DiskSourceFs('/'), at(overlay));
  assert.equal(b.error, null, b.error?.message);
  let text = b.source.text;
  if (hasKubectl()) {
    const k = kubectlKustomize(at(overlay));
    assert.ok(k.ok, k.ok ? '' : k.error);
    assert.deepEqual(asData(text), asData(k.output));
    text = k.output;
  }
  return analyze(text, { level: 'baseline' })
    .findings.filter((f) => f.check === 'hostNamespaces')
    .map((f) => f.path)
    .sort();
}

describe('JSON 6902 removal over a base value', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'podsec-json-patch-exposed-'));
    for (const [rel, text] of Object.entries(TREE)) {
      mkdirSync(dirname(at(rel)), { recursive: true });
      writeFileSync(at(rel), text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a replace over the base’s own value: made a remove, which takes the base’s value too', () => {
    assert.deepEqual(hostFields('inline'), ['spec.hostIPC', 'spec.hostNetwork', 'spec.hostPID']);
    fix('inline/kustomization.yaml', 'Remove hostNetwork: true');
    assert.equal(
      read('inline/kustomization.yaml'),
      INLINE.replace(
        '      - op: replace\n        path: /spec/hostNetwork\n        value: true\n',
        '      - op: remove\n        path: /spec/hostNetwork\n',
      ),
    );
    assert.deepEqual(hostFields('inline'), ['spec.hostIPC', 'spec.hostPID']);
  });

  it('an add of a key the base does not set: still taken out', () => {
    const before = read('inline/kustomization.yaml');
    fix('inline/kustomization.yaml', 'Remove hostIPC: true');
    assert.equal(
      read('inline/kustomization.yaml'),
      before.replace('      - op: add\n        path: /spec/hostIPC\n        value: true\n', ''),
    );
    assert.deepEqual(hostFields('inline'), ['spec.hostPID']);
    assert.equal(read('base/pod.yaml'), POD);
  });

  it('a patch file’s only operation over the base’s value: made a remove in the file', () => {
    assert.deepEqual(hostFields('file'), ['spec.hostNetwork', 'spec.hostPID']);
    fix('file/ops.yaml', 'Remove hostPID: true');
    assert.equal(
      read('file/ops.yaml'),
      OPS.replace(
        '- op: add\n  path: /spec/hostPID\n  value: true\n',
        '- op: remove\n  path: /spec/hostPID\n',
      ),
    );
    assert.deepEqual(hostFields('file'), ['spec.hostNetwork']);
  });

  it('one operation over many objects, one of which lacks the key: its value set to false', () => {
    // p0 sets no hostNetwork; p1…p4 set it true. One inline `add` reaches them all.
    const pods = Array.from({ length: 5 }, (_, i) => {
      const pod = POD.replace('name: p', `name: p${i}`);
      return i === 0 ? pod.replace('  hostNetwork: true\n', '') : pod;
    });
    writeFileSync(at('base/pod.yaml'), pods.join('---\n'));
    const ops = INLINE.replace('- op: replace', '- op: add');
    writeFileSync(at('inline/kustomization.yaml'), ops);
    const network = (): string[] => hostFields('inline').filter((p) => p === 'spec.hostNetwork');
    assert.equal(network().length, 5);
    // Taken out, p1…p4 keep theirs; made a remove, p0's build fails (no such key): set to false.
    fix('inline/kustomization.yaml', 'Set hostNetwork: false in the JSON patch');
    assert.equal(
      read('inline/kustomization.yaml'),
      ops.replace(
        '        path: /spec/hostNetwork\n        value: true',
        '        path: /spec/hostNetwork\n        value: false',
      ),
    );
    assert.deepEqual(network(), []);
  });
});
