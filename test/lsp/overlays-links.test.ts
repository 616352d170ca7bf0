/**
 * The editor's overlay builds read files on disk only inside the workspace
 * folders: a resource that is a link out of the workspace is an error at its
 * kustomization line, and nothing of its target is read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OverlayIndex } from '@podsec/server/out/lsp/overlays';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: secret-pod
spec:
  containers:
    - name: c
      image: x
      securityContext:
        privileged: true
`;

describe('overlay builds in the editor stay inside the workspace', () => {
  it('a link out of the workspace: a security error at the kustomization line, the target unread', () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'podsec-lsp-out-')));
    writeFileSync(join(outside, 'pod.yaml'), POD);
    const ws = realpathSync(mkdtempSync(join(tmpdir(), 'podsec-lsp-ws-')));
    symlinkSync(join(outside, 'pod.yaml'), join(ws, 'link.txt'));
    writeFileSync(join(ws, 'inside.yaml'), POD.replace('secret-pod', 'inside-pod'));
    const k = join(ws, 'kustomization.yaml');
    writeFileSync(k, 'resources:\n  - inside.yaml\n  - link.txt\n');
    const index = new OverlayIndex({ get: () => undefined }, () => [ws]);
    const r = index.analysisFor(k, { level: 'restricted', version: 'latest' }, 'k');
    assert.ok(r, 'the build places its error in the kustomization');
    const messages = r.analysis.errors.map((e) => e.message).join('\n');
    assert.match(
      messages,
      /security; .*link\.txt' is a link to .*pod\.yaml', outside .*: not read/,
    );
    assert.ok(!JSON.stringify(r.analysis).includes('secret-pod'), 'nothing of the target was read');
  });

  it('the same tree with the link inside the workspace builds', () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), 'podsec-lsp-ws-')));
    writeFileSync(join(ws, 'pod.yaml'), POD);
    symlinkSync(join(ws, 'pod.yaml'), join(ws, 'link.txt'));
    const k = join(ws, 'kustomization.yaml');
    writeFileSync(k, 'resources:\n  - link.txt\n');
    const index = new OverlayIndex({ get: () => undefined }, () => [ws]);
    const r = index.analysisFor(
      join(ws, 'link.txt'),
      { level: 'restricted', version: 'latest' },
      'k',
    );
    assert.ok(r);
    assert.equal(r.analysis.errors.length, 0, JSON.stringify(r.analysis.errors));
  });
});
