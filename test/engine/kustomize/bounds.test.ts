/**
 * Bounded work: a build that would never end, or would take the process
 * down, stops with a clear error at the place that causes it: a resource
 * cycle, nesting past the limit, a diamond of bases that multiplies builds,
 * an alias bomb, a huge generator, too many objects or bytes. Bad input is
 * normal input: a half-typed kustomization is an error, never a crash.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/index';
import type { KNode } from '@podsec/server/out/engine/kustomize/index';
import { expandedSize, readDocument } from '@podsec/server/out/engine/kustomize/tree';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('bounds', () => {
  it('a chain of kustomizations deeper than the limit stops at the one past it', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++)
      files[`/d/k${i}/kustomization.yaml`] = `resources:\n- ../k${i + 1}\n`;
    files['/d/k30/kustomization.yaml'] = 'resources:\n- cm.yaml\n';
    files['/d/k30/cm.yaml'] = CM('leaf');
    const b = buildKustomization(new MemoryFs(files), '/d/k0', { maxDepth: 10 });
    assert.equal(b.error?.class, 'limit');
    assert.match(b.error?.message ?? '', /nested deeper than 10/);
    assert.equal(b.error?.file, '/d/k10/kustomization.yaml');
    assert.ok(buildKustomization(new MemoryFs(files), '/d/k0').error === null);
  });

  it('a diamond of bases that multiplies builds stops at the kustomization count', () => {
    // Each level includes the next twice (by two paths): 2^20 builds unbounded.
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      files[`/m/l${i}/kustomization.yaml`] = 'resources:\n- a\n- b\n';
      for (const s of ['a', 'b'])
        files[`/m/l${i}/${s}/kustomization.yaml`] =
          `nameSuffix: -${s}\nresources:\n- ../../l${i + 1}\n`;
    }
    files['/m/l20/kustomization.yaml'] = 'resources:\n- cm.yaml\n';
    files['/m/l20/cm.yaml'] = CM('leaf');
    const b = buildKustomization(new MemoryFs(files), '/m/l0', { maxKustomizations: 500 });
    assert.equal(b.error?.class, 'limit');
    assert.match(b.error?.message ?? '', /more than 500 kustomizations/);
  });

  it('an alias bomb stops at the node limit', () => {
    let y =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++)
      y += `  a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]\n`;
    const b = buildKustomization(
      new MemoryFs({ '/a/kustomization.yaml': 'resources:\n- bomb.yaml\n', '/a/bomb.yaml': y }),
      '/a',
      { maxNodes: 100_000 },
    );
    assert.equal(b.error?.class, 'limit');
    assert.equal(b.error?.file, '/a/bomb.yaml');
  });

  it('an alias bomb is measured, not expanded: its size in as many steps as it has nodes', () => {
    // 8^12 (68 billion) nodes expanded, about a hundred written.
    let y =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++)
      y += `  a${i}: &a${i} [${Array.from({ length: 8 }, () => `*a${i - 1}`).join(', ')}]\n`;
    const doc = parseDocument(y);
    const m = expandedSize(doc, 2_000_000);
    assert.ok(m.size > 2_000_000);
    assert.ok(m.visited < 40, `visited ${m.visited}`);
    // With the default node limit, the build ends with the limit error at the bomb.
    const b = buildKustomization(
      new MemoryFs({ '/a/kustomization.yaml': 'resources:\n- bomb.yaml\n', '/a/bomb.yaml': y }),
      '/a',
    );
    assert.equal(b.error?.class, 'limit');
    assert.match(b.error?.message ?? '', /expands to more than 2000000 nodes/);
    assert.equal(b.error?.file, '/a/bomb.yaml');
  });

  it('the measured size is what reading makes (aliases, merge keys), at most that through a cycle', () => {
    const count = (n: KNode): number =>
      1 +
      (n.kind === 'map'
        ? n.entries.reduce((s, e) => s + count(e.value), 0)
        : n.kind === 'seq'
          ? n.items.reduce((s, i) => s + count(i), 0)
          : 0);
    const texts = [
      'a: &x {b: 1, c: [1, 2]}\nd: *x\ne: [*x, *x]\n',
      'base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  z: 3\n',
      'l: &l [1, *l]\n',
      'k: &v 1\nj: *v\nn: ~\n',
    ];
    for (const t of texts) {
      const doc = parseDocument(t, { version: '1.1' });
      const tree = readDocument(doc, { file: '/t.yaml' }, 0, {
        yaml11: true,
        maxNodes: 1000,
        uniqueKeys: false,
      });
      assert.ok(tree);
      // A merge reads its map again (root, base {x, y}, m, the merged {x, y}, z: 9) and shares its
      // two entries into m, where the tree counts them once more (8).
      const read = t.includes('<<') ? count(tree) + 1 : count(tree);
      // Through a cycle, reading goes round once more than measuring (the reader's own count
      // bounds it); elsewhere they agree.
      if (t.startsWith('l:')) assert.ok(expandedSize(doc, 1000).size <= read, t);
      else assert.equal(expandedSize(doc, 1000).size, read, t);
    }
  });

  it('a generator reading more than the limit stops', () => {
    const b = buildKustomization(
      new MemoryFs({
        '/g/kustomization.yaml': 'configMapGenerator:\n- name: big\n  files:\n  - big.txt\n',
        '/g/big.txt': 'x'.repeat(50_000),
      }),
      '/g',
      { maxGeneratedBytes: 10_000 },
    );
    assert.equal(b.error?.class, 'limit');
    assert.match(b.error?.message ?? '', /generator data over 10000/);
    assert.equal(b.error?.file, '/g/kustomization.yaml');
  });

  it('too many objects or too many bytes stop the build', () => {
    const many = Array.from({ length: 50 }, (_, i) => CM(`c${i}`)).join('---\n');
    const fs = new MemoryFs({
      '/n/kustomization.yaml': 'resources:\n- many.yaml\n',
      '/n/many.yaml': many,
    });
    assert.equal(buildKustomization(fs, '/n', { maxResources: 10 }).error?.class, 'limit');
    assert.equal(buildKustomization(fs, '/n', { maxBytes: 1000 }).error?.class, 'limit');
    assert.equal(buildKustomization(fs, '/n').objects.length, 50);
  });

  it('any kustomization text is an error or a build, never a crash (property)', () => {
    const word = fc.constantFrom(
      'resources',
      'patches',
      'namePrefix',
      'namespace',
      'commonLabels',
      'images',
      'replicas',
      'configMapGenerator',
      '- ',
      ': ',
      '\n',
      '  ',
      '[',
      ']',
      '{',
      '}',
      'cm.yaml',
      '"',
      '|',
      '&a',
      '*a',
      'null',
      '1',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), (parts) => {
        const fs = new MemoryFs({ '/p/kustomization.yaml': parts.join(''), '/p/cm.yaml': CM('c') });
        const b = buildKustomization(fs, '/p');
        assert.ok(b.error === null || typeof b.error.message === 'string');
        assert.ok(b.error === null || b.error.span.start <= b.error.span.end);
      }),
      { numRuns: 300 },
    );
  });
});
