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
import { buildKustomization } from '@podsec/server/out/engine/kustomize/index';
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
