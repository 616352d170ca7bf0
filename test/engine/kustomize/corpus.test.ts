/**
 * Real-world manifests (../shared/corpus/real, when present) through an
 * overlay with a name prefix, a namespace and common labels: the engine's
 * build equals `kubectl kustomize`'s byte for byte when kubectl is on the
 * PATH. Files over 400 KB are left out to keep the run short.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { repoRoot } from '../../support/paths';
import { hasKubectl } from './kubectl';

const CORPUS = join(repoRoot(), '..', 'shared', 'corpus', 'real');
const OVERLAY = 'namePrefix: x-\nnamespace: corp\ncommonLabels:\n  c: "1"\nresources:\n- r.yaml\n';

describe('real-world manifests through an overlay', () => {
  if (!existsSync(CORPUS)) {
    it('needs ../shared/corpus/real', (t) =>
      t.skip('../shared/corpus/real is absent: nothing compared'));
    return;
  }
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml') && statSync(join(CORPUS, f)).size <= 400_000)
    .sort();
  const kubectl = hasKubectl();
  for (const f of files) {
    it(`${f} builds as kubectl kustomize builds it`, (t) => {
      const text = readFileSync(join(CORPUS, f), 'utf8');
      const b = buildKustomization(
        new MemoryFs({ '/c/kustomization.yaml': OVERLAY, '/c/r.yaml': text }),
        '/c',
      );
      assert.equal(b.error, null, b.error?.message);
      assert.ok(b.objects.length > 0);
      if (!kubectl) {
        t.skip('kubectl is not on the PATH: built, not compared');
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'podsec-corpus-'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'kustomization.yaml'), OVERLAY);
      writeFileSync(join(dir, 'r.yaml'), text);
      const r = spawnSync('kubectl', ['kustomize', dir], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(b.source.text, r.stdout);
    });
  }
});
