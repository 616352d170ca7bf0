/**
 * `podsec render <kustomization dir>`: the build printed as `kubectl
 * kustomize` prints it (the stored outputs of the test overlays), kustomize's
 * message and exit status 1 on an error, notes on standard error, usage
 * errors with status 2; once as a real process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DiskSourceFs } from '@podsec/server/out/cli/renderKustomize';
import { repoRoot } from '../support/paths';
import { cli, podsecProcess } from '../support/cli';

const CASES = join(repoRoot(), 'test', 'engine', 'kustomize', 'cases');

describe('podsec render <kustomization dir>', () => {
  it('prints the build as kubectl kustomize does', () => {
    for (const [name, sub] of [
      ['nested-overlays', 'top'],
      ['generators-configmap', 'overlay'],
      ['smp-merge-keys', '.'],
      ['scalars', '.'],
    ] as const) {
      const r = cli(['render', join(CASES, name, sub)]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, readFileSync(join(CASES, name, 'expected.yaml'), 'utf8'), name);
    }
  });

  it('exits 1 with kustomize’s message when kustomize would fail', () => {
    const dir = join(CASES, 'error-missing-resource');
    const r = cli(['render', dir]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    const want = readFileSync(join(dir, 'expected.error.txt'), 'utf8')
      .trim()
      .split('$CASE')
      .join(dir);
    assert.equal(r.err, `Error: ${want}\n`);
  });

  it('prints kustomize’s deprecation warnings and its own notes on standard error', () => {
    const r = cli(['render', join(CASES, 'patches-legacy')]);
    assert.equal(r.code, 0);
    assert.match(r.err, /^# Warning: 'patchesJson6902' is deprecated/m);
    const d = cli(['render', join(CASES, 'smp-directives')]);
    assert.match(
      d.err,
      /podsec render: note: `\$retainKeys`: kustomize does not apply this strategic merge directive/,
    );
  });

  it('takes one directory; a directory without a kustomization goes to the chart renderer', () => {
    assert.equal(cli(['render']).code, 2);
    const two = cli(['render', join(CASES, 'images'), join(CASES, 'replicas')]);
    assert.equal(two.code, 2);
    assert.match(two.err, /give one kustomization directory/);
    const h = cli(['render', join(CASES, 'images'), '--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /Usage: podsec render <kustomization dir>/);
    const chart = cli(['render', join(CASES, 'images', 'no-such-dir')]);
    assert.notEqual(chart.code, 0);
    assert.doesNotMatch(chart.err, /kustomization/);
  });

  it('reads files through links and refuses what is not a regular file or too large', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-render-'));
    writeFileSync(
      join(dir, 'real.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: linked\n',
    );
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'link.yaml'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- link.yaml\n');
    const r = cli(['render', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /name: linked/);
    const fs = new DiskSourceFs(dir);
    assert.equal(fs.readText(join(dir, '..', 'outside.yaml')), null);
    assert.equal(fs.readText(dir), null);
    assert.deepEqual(
      fs.list(dir)?.map((e) => e.name),
      ['kustomization.yaml', 'link.yaml', 'real.yaml'],
    );
  });

  it('runs as a process', () => {
    const p = podsecProcess(['render', join(CASES, 'images')]);
    assert.equal(p.code, 0, p.err);
    assert.equal(p.out, readFileSync(join(CASES, 'images', 'expected.yaml'), 'utf8'));
  });
});
