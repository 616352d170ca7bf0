/**
 * Golden fixes: each test/fixtures/fixes/<name>.yaml, fixed with every
 * preferred fix (and the unsafe ones too when the name says `unsafe`), must
 * give exactly <name>.fixed.yaml, byte for byte. The goldens were reviewed by
 * hand; `PODSEC_UPDATE_GOLDEN=1` rewrites them after a deliberate change.
 * Each golden is also checked for what makes it right, not just for being
 * unchanged: fixed again it stays the same, and no fixable finding is left.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, fixAll } from '@podsec/server';
import { repoRoot } from '../support/paths';

const dir = join(repoRoot(), 'test', 'fixtures', 'fixes');
const update = process.env.PODSEC_UPDATE_GOLDEN === '1';
const NOT_FIXABLE = new Set(['hostPathVolumes', 'restrictedVolumes', 'invalidSuppression']);

describe('golden fixes', () => {
  const inputs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.fixed.yaml'))
    .sort();
  it('has inputs', () => assert.ok(inputs.length >= 5, inputs.join(', ')));
  for (const name of inputs) {
    it(name, () => {
      const unsafe = name.includes('unsafe');
      const text = readFileSync(join(dir, name), 'utf8');
      const goldenPath = join(dir, name.replace(/\.yaml$/, '.fixed.yaml'));
      const result = fixAll(text, { level: 'restricted' }, { unsafe });
      assert.ok(result.applied > 0, 'the input needs fixes');
      if (update) writeFileSync(goldenPath, result.text);
      assert.ok(existsSync(goldenPath), `missing ${goldenPath}: run with PODSEC_UPDATE_GOLDEN=1`);
      assert.equal(result.text, readFileSync(goldenPath, 'utf8'));
      // idempotent
      assert.equal(fixAll(result.text, { level: 'restricted' }, { unsafe }).applied, 0);
      // nothing fixable left (safe fixes only: unsafe-only findings may stay)
      const left = analyze(result.text, { level: 'restricted' }).findings.filter(
        (f) => !NOT_FIXABLE.has(f.check) && f.fixes.some((x) => x.safe || unsafe),
      );
      assert.deepEqual(
        left.map((f) => `${f.check}@${f.container ?? ''}`),
        [],
      );
    });
  }
});
