/**
 * Fixes of values a JSON 6902 patch sets: a value changed is edited in the
 * operation's `value` (inside the inline patch's block scalar, or in a patch
 * file), a key removed is the operation that adds it taken out (whole lines,
 * the other operations and the comments as they were), and an operation
 * that is its patch's only one takes its `patches:` entry with it. After
 * each fix the overlay builds (by the engine, and by `kubectl kustomize`
 * when it is installed) without the finding.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze, applyEdits } from '@podsec/server/out/engine/index';
import type { Finding } from '@podsec/server/out/engine/index';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/build';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import { DiskSourceFs } from '@podsec/server/out/cli/renderKustomize';
import { asData } from '../kustomize/support';
import { hasKubectl, kubectlKustomize } from '../kustomize/kubectl';

const POD = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: p',
  'spec:',
  '  containers:',
  '    - name: a',
  '      image: x',
  '      securityContext:',
  '        allowPrivilegeEscalation: false',
  '        runAsNonRoot: true',
  '        seccompProfile: {type: RuntimeDefault}',
  '        capabilities: {drop: [ALL]}',
  '',
].join('\n');

const INLINE = [
  'resources:',
  '  - ../base',
  'patches:',
  '  # debugging access',
  '  - target:',
  '      kind: Pod',
  '    patch: |-',
  '      - op: add',
  '        path: /spec/hostNetwork',
  '        value: true',
  '      # the debugger needs it',
  '      - op: replace',
  '        path: /spec/containers/0/securityContext/allowPrivilegeEscalation',
  '        value: true',
  '      - op: add',
  '        path: /spec/hostPID',
  '        value: true',
  '  - target:',
  '      kind: Pod',
  '    patch: |-',
  '      - op: add',
  '        path: /spec/hostIPC',
  '        value: true',
  '',
].join('\n');

const FILE_OPS = [
  '# host access for the profiler',
  '- op: add',
  '  path: /spec/hostPID',
  '  value: true',
  '- op: add',
  '  path: /metadata/labels',
  '  value: {profiled: "yes"}',
  '',
].join('\n');

const TREE: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - pod.yaml\n',
  'base/pod.yaml': POD,
  'inline/kustomization.yaml': INLINE,
  'file/kustomization.yaml':
    'resources:\n  - ../base\npatches:\n  - path: ops.yaml\n    target:\n      kind: Pod\n',
  'file/ops.yaml': FILE_OPS,
};

let root = '';
const at = (rel: string): string => join(root, rel);
const read = (rel: string): string => readFileSync(at(rel), 'utf8');

function finding(rel: string, check: string): Finding {
  const fs = new DiskSourceFs('/');
  const ev = evaluateOverlays(fs, kustomizationGraph(fs, root), {
    nameOf: (d) => d.slice(root.length + 1),
  });
  const f = ev.files.get(at(rel))?.findings.find((x) => x.check === check);
  assert.ok(f, `${check} in ${rel}`);
  return f;
}

/** Apply the finding's first fix in its file. */
function fix(rel: string, check: string, title: string): void {
  const fx = finding(rel, check).fixes[0];
  assert.equal(fx?.title, title);
  writeFileSync(at(rel), applyEdits(read(rel), fx.edits));
}

/** The checks the overlay's build fails, built by the engine and (when present) kubectl, equal as data. */
function checksOf(overlay: string): string[] {
  const b = buildKustomization(new DiskSourceFs('/'), at(overlay));
  assert.equal(b.error, null, b.error?.message);
  let text = b.source.text;
  if (hasKubectl()) {
    const k = kubectlKustomize(at(overlay));
    assert.ok(k.ok, k.ok ? '' : k.error);
    assert.deepEqual(asData(text), asData(k.output));
    text = k.output;
  }
  return analyze(text, { level: 'baseline' }).findings.map((f) => f.check);
}

describe('fixes of JSON 6902 patches', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'podsec-json-patch-fix-'));
    for (const [rel, text] of Object.entries(TREE)) {
      mkdirSync(dirname(at(rel)), { recursive: true });
      writeFileSync(at(rel), text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a value an inline operation sets: edited in its `value`, inside the block', () => {
    fix(
      'inline/kustomization.yaml',
      'allowPrivilegeEscalation',
      'Set allowPrivilegeEscalation: false',
    );
    assert.equal(
      read('inline/kustomization.yaml'),
      INLINE.replace(
        'allowPrivilegeEscalation\n        value: true',
        'allowPrivilegeEscalation\n        value: false',
      ),
    );
  });

  it('a key an inline operation adds: the operation taken out, whole lines', () => {
    const before = read('inline/kustomization.yaml');
    assert.ok(checksOf('inline').includes('hostNamespaces'));
    fix('inline/kustomization.yaml', 'hostNamespaces', 'Remove hostNetwork: true');
    assert.equal(
      read('inline/kustomization.yaml'),
      before.replace('      - op: add\n        path: /spec/hostNetwork\n        value: true\n', ''),
    );
    // The last operation of the block, too.
    fix('inline/kustomization.yaml', 'hostNamespaces', 'Remove hostPID: true');
    assert.ok(!read('inline/kustomization.yaml').includes('/spec/hostPID'));
    assert.ok(read('inline/kustomization.yaml').includes('# the debugger needs it'));
    const checks = checksOf('inline');
    assert.deepEqual(
      checks.filter((c) => c === 'hostNamespaces').length,
      1,
      'only hostIPC is left',
    );
  });

  it('a patch’s only operation: its `patches:` entry goes, the other stays', () => {
    fix('inline/kustomization.yaml', 'hostNamespaces', 'Remove hostIPC: true');
    const text = read('inline/kustomization.yaml');
    assert.ok(!text.includes('hostIPC'), text);
    assert.ok(text.includes('# debugging access') && text.includes('kind: Pod'), text);
    assert.ok(!checksOf('inline').includes('hostNamespaces'));
  });

  it('a key an operation in a patch file adds: its item taken out of the file', () => {
    fix('file/ops.yaml', 'hostNamespaces', 'Remove hostPID: true');
    assert.equal(
      read('file/ops.yaml'),
      FILE_OPS.replace('- op: add\n  path: /spec/hostPID\n  value: true\n', ''),
    );
    assert.ok(!checksOf('file').includes('hostNamespaces'));
    assert.equal(read('base/pod.yaml'), POD);
  });
});
