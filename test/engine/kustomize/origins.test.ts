/**
 * Origins: chosen fields of built objects map, through the generated
 * source's map, to the file and line that set them: a base resource's
 * field, a patch's (in a patch file or written inside kustomization.yaml),
 * a transformer's setting (`namespace:`, `images:`, `commonLabels:`,
 * `replicas:`), a generator's literal, env line or file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/index';
import type { KustomizeBuild } from '@podsec/server/out/engine/kustomize/index';
import type { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { CASES, diskTree, lineOfText, originAt } from './support';

function build(name: string, sub = '.'): { b: KustomizeBuild; fs: MemoryFs; dir: string } {
  const dir = join(CASES, name);
  const fs = diskTree(dir);
  const b = buildKustomization(fs, join(dir, sub));
  assert.equal(b.error, null, b.error?.message);
  return { b, fs, dir };
}

/** Document index of the object of `kind` named `name` in a build. */
function doc(b: KustomizeBuild, kind: string, name: string): number {
  const i = b.objects.findIndex((o) => o.id.gvk.kind === kind && o.id.name === name);
  assert.ok(i >= 0, `no ${kind} ${name}`);
  return i;
}

describe('origins of built values', () => {
  it('a field from a base resource maps to its line in the base file, through three overlays', () => {
    const { b, fs, dir } = build('nested-overlays', 'top');
    const d = doc(b, 'Deployment', 'top-mid-base-app');
    const base = join(dir, 'base', 'app.yaml');
    const name = originAt(b.source, d, ['spec', 'template', 'spec', 'containers', 0, 'name'], fs);
    assert.deepEqual([name.file, name.line], [base, lineOfText(fs, base, '- name: app')]);
    assert.equal(name.origin.origin.kind, 'value');
    // A key maps to the key as written, too.
    const key = originAt(b.source, d, ['spec', 'template', 'spec', 'serviceAccountName'], fs);
    assert.deepEqual([key.file, key.line], [base, lineOfText(fs, base, 'serviceAccountName: sa')]);
  });

  it('a value a patch inside kustomization.yaml sets maps to the patch’s line there', () => {
    const { b, fs, dir } = build('nested-overlays', 'top');
    const d = doc(b, 'Deployment', 'top-mid-base-app');
    const k = join(dir, 'mid', 'kustomization.yaml');
    const o = originAt(b.source, d, ['spec', 'replicas'], fs);
    assert.deepEqual([o.file, o.line], [k, lineOfText(fs, k, 'replicas: 2')]);
    // The span is the value itself, inside the block scalar.
    assert.equal(fs.readText(k)?.slice(o.origin.start, o.origin.end), '2');
  });

  it('values from an inline patch and from a patch file map to each', () => {
    const { b, fs, dir } = build('patches-strategic');
    const d = doc(b, 'Deployment', 'web');
    const k = join(dir, 'kustomization.yaml');
    const privileged = originAt(
      b.source,
      d,
      ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged'],
      fs,
    );
    assert.deepEqual(
      [privileged.file, privileged.line],
      [k, lineOfText(fs, k, 'privileged: false')],
    );
    assert.equal(fs.readText(k)?.slice(privileged.origin.start, privileged.origin.end), 'false');
    const harden = join(dir, 'harden.yaml');
    const auto = originAt(
      b.source,
      d,
      ['spec', 'template', 'spec', 'automountServiceAccountToken'],
      fs,
    );
    assert.deepEqual(
      [auto.file, auto.line],
      [harden, lineOfText(fs, harden, 'automountServiceAccountToken')],
    );
    // What no patch touched stays the base's.
    const image = originAt(b.source, d, ['spec', 'template', 'spec', 'containers', 0, 'image'], fs);
    assert.deepEqual(
      [image.file, image.line],
      [join(dir, 'workloads.yaml'), lineOfText(fs, join(dir, 'workloads.yaml'), 'image: web:1')],
    );
  });

  it('a JSON patch’s added value maps to the operation’s value', () => {
    const { b, fs, dir } = build('patches-json6902');
    const d = doc(b, 'Deployment', 'web');
    const k = join(dir, 'kustomization.yaml');
    const user = originAt(
      b.source,
      d,
      ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'runAsUser'],
      fs,
    );
    assert.deepEqual([user.file, user.line], [k, lineOfText(fs, k, 'runAsUser: 1000')]);
    // A value moved by `move` keeps the place it was written.
    const moved = originAt(b.source, d, ['metadata', 'labels', 'new'], fs);
    const base = join(dir, 'deployment.yaml');
    assert.deepEqual([moved.file, moved.line], [base, lineOfText(fs, base, 'old: moved')]);
  });

  it('transformers: namespace, images, commonLabels and replicas map to their settings', () => {
    const ns = build('namespace');
    const k = join(ns.dir, 'kustomization.yaml');
    const o = originAt(
      ns.b.source,
      doc(ns.b, 'Deployment', 'api'),
      ['metadata', 'namespace'],
      ns.fs,
    );
    assert.deepEqual([o.file, o.line], [k, lineOfText(ns.fs, k, 'namespace: prod')]);
    assert.equal(o.origin.origin.kind, 'computed');
    assert.match((o.origin.origin as { expression: string }).expression, /namespace: prod/);

    const img = build('images');
    const ki = join(img.dir, 'kustomization.yaml');
    const i = originAt(
      img.b.source,
      doc(img.b, 'Deployment', 'web'),
      ['spec', 'template', 'spec', 'containers', 0, 'image'],
      img.fs,
    );
    assert.deepEqual([i.file, i.line], [ki, lineOfText(img.fs, ki, '- name: nginx')]);

    const cl = build('common-labels');
    const kc = join(cl.dir, 'kustomization.yaml');
    const l = originAt(
      cl.b.source,
      doc(cl.b, 'StatefulSet', 'db'),
      ['spec', 'template', 'metadata', 'labels', 'app'],
      cl.fs,
    );
    assert.deepEqual([l.file, l.line], [kc, lineOfText(cl.fs, kc, 'app: shop')]);
    const sel = originAt(
      cl.b.source,
      doc(cl.b, 'StatefulSet', 'db'),
      ['spec', 'selector', 'matchLabels', 'env'],
      cl.fs,
    );
    assert.deepEqual([sel.file, sel.line], [kc, lineOfText(cl.fs, kc, 'env: "on"')]);

    const rep = build('replicas');
    const kr = join(rep.dir, 'kustomization.yaml');
    const r = originAt(rep.b.source, doc(rep.b, 'Deployment', 'web'), ['spec', 'replicas'], rep.fs);
    assert.deepEqual([r.file, r.line], [kr, lineOfText(rep.fs, kr, '- name: web')]);
  });

  it('generated data maps to the literal, the env line and the file it came from', () => {
    const { b, fs, dir } = build('generators-configmap', 'overlay');
    const d = b.objects.findIndex(
      (o) => o.id.gvk.kind === 'ConfigMap' && o.id.name.startsWith('prod-app-config-'),
    );
    const overlay = join(dir, 'overlay', 'kustomization.yaml');
    const base = join(dir, 'base', 'kustomization.yaml');
    const mode = originAt(b.source, d, ['data', 'MODE'], fs);
    assert.deepEqual([mode.file, mode.line], [overlay, lineOfText(fs, overlay, 'MODE=prod')]);
    const quoted = originAt(b.source, d, ['data', 'QUOTED'], fs);
    assert.deepEqual([quoted.file, quoted.line], [base, lineOfText(fs, base, 'QUOTED=')]);
    const env = join(dir, 'base', 'app.env');
    const port = originAt(b.source, d, ['data', 'PORT'], fs);
    assert.deepEqual([port.file, port.line], [env, lineOfText(fs, env, 'PORT=8080')]);
    assert.equal(fs.readText(env)?.slice(port.origin.start, port.origin.end), '8080');
    const notes = originAt(b.source, d, ['data', 'renamed.txt'], fs);
    assert.deepEqual([notes.file, notes.line], [join(dir, 'base', 'notes.txt'), 1]);
    // The generated name is the generator's.
    const name = originAt(b.source, d, ['metadata', 'name'], fs);
    assert.deepEqual([name.file, name.line], [base, lineOfText(fs, base, '- name: app-config')]);
  });

  it('every key and scalar of a build has an origin', () => {
    for (const [name, sub] of [
      ['nested-overlays', 'top'],
      ['components', 'overlay'],
      ['smp-merge-keys', '.'],
      ['labels', '.'],
    ] as const) {
      const { b } = build(name, sub);
      const covered = new Uint8Array(b.source.text.length);
      for (const s of b.source.segments) covered.fill(1, s.start, s.end);
      // Every line's first non-blank character other than `-` (a key or a scalar item) is covered.
      let at = 0;
      for (const line of b.source.text.split('\n')) {
        const m = /^[ -]*/.exec(line);
        const first = at + (m?.[0].length ?? 0);
        if (line.trim() !== '' && line.trim() !== '---' && first < at + line.length)
          assert.equal(covered[first], 1, `${name}: no origin for "${line}"`);
        at += line.length + 1;
      }
      // Segments are sorted and do not overlap.
      for (let i = 1; i < b.source.segments.length; i++) {
        const prev = b.source.segments[i - 1] as { end: number };
        assert.ok((b.source.segments[i] as { start: number }).start >= prev.end);
      }
    }
  });
});
