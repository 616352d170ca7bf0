/**
 * Every registered check variant carries upstream's name for it:
 * `<check ID in camelCase>_1_<minVersion>` (`privileged_1_0`,
 * `capabilitiesRestricted_1_25`), unique across the registry.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECKS } from '@podsec/server';

const camel = (id: string): string => id.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

describe('check variant names', () => {
  const variants = CHECKS.flatMap((c) => c.variants.map((v) => ({ id: c.id, v })));

  it('covers every variant of every check', () => {
    assert.ok(variants.length >= CHECKS.length);
  });

  for (const { id, v } of variants) {
    it(`${id} v1.${v.minVersion} is ${camel(id)}_1_${v.minVersion}`, () => {
      assert.match(v.name, /^[a-z][A-Za-z]*_1_\d+$/);
      assert.equal(v.name, `${camel(id)}_1_${v.minVersion}`);
      if (v.upstream !== undefined) {
        assert.notEqual(v.upstream, v.name, 'upstream is given only where it differs');
        assert.match(v.upstream, /^[A-Za-z][A-Za-z0-9_]*$/);
      }
    });
  }

  it('names are unique', () => {
    const names = variants.map(({ v }) => v.name);
    assert.equal(new Set(names).size, names.length);
  });

  it('names the examples upstream uses', () => {
    const name = (id: string, minor: number): string | undefined =>
      CHECKS.find((c) => c.id === id)?.variants.find((v) => v.minVersion === minor)?.name;
    assert.equal(name('privileged', 0), 'privileged_1_0');
    assert.equal(name('capabilities_restricted', 25), 'capabilitiesRestricted_1_25');
    assert.equal(name('seccompProfile_baseline', 19), 'seccompProfileBaseline_1_19');
  });
});

describe('per-check tables', () => {
  for (const c of CHECKS) {
    it(`${c.id} has its own table (${c.id}.test.ts)`, () => {
      assert.ok(existsSync(join(__dirname, `${c.id}.test.js`)), `missing ${c.id}.test.ts`);
    });
  }
});
