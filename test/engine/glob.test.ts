/**
 * The exclude glob matcher: the same answers as minimatch (dot files
 * included) on ordinary patterns, linear work on patterns that make a
 * backtracking matcher explode (work counted in steps, not timed), bounded
 * brace expansion, and a list compiled once however often it is asked for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minimatch } from 'minimatch';
import {
  compileGlob,
  expandBraces,
  GLOB_LIMITS,
  globSet,
  globStats,
} from '@podsec/server/out/engine/glob';

function matches(pattern: string, path: string): boolean {
  const r = compileGlob(pattern);
  if ('error' in r) throw new Error(`${pattern}: ${r.error}`);
  return r.glob.matches(path);
}

const PATHS = [
  'a.yaml',
  '.hidden.yaml',
  'deploy.yml',
  'charts/web/templates/deploy.yaml',
  'charts/values.yaml',
  'a/b/c/d.yaml',
  'a/.git/x.yaml',
  'gen/x.generated.yaml',
  'x.generated.yaml',
  'b.yaml',
  'c1.yaml',
  'c9.yaml',
  'cX.yaml',
  'dir/a.yaml',
  'dir',
  'dir/sub/deep/a.json',
  '/abs/path/a.yaml',
  'ünï/cödé.yaml',
  'a[1].yaml',
  'tests/fixture-01/pod.yaml',
];

const PATTERNS = [
  '*.yaml',
  '*.y?ml',
  '**/*.yaml',
  '**',
  'charts/**',
  'charts/**/*.yaml',
  '**/templates/**',
  'a/**/d.yaml',
  'a/**/**/d.yaml',
  '**/*.generated.yaml',
  '{a,b}.yaml',
  '{charts,gen}/**',
  '{a,{b,c1}}.yaml',
  'c[0-9].yaml',
  'c[!0-9].yaml',
  'c[^0-9].yaml',
  'c[[:digit:]].yaml',
  'dir/*',
  'dir/**',
  '/abs/**',
  '?.yaml',
  'ünï/*',
  'a\\[1\\].yaml',
  'tests/fixture-*/**',
  '*',
  '.*',
  '{x}.yaml',
];

describe('exclude globs', () => {
  it('agree with minimatch (dot: true) on ordinary patterns', () => {
    let compared = 0;
    for (const pattern of PATTERNS) {
      for (const path of PATHS) {
        const expected = minimatch(path, pattern, { dot: true });
        assert.equal(matches(pattern, path), expected, `${pattern} against ${path}`);
        compared++;
      }
    }
    assert.equal(compared, PATTERNS.length * PATHS.length);
  });

  it('match `*a*a*a*a*a*ab` against a 10,000-character name in linear steps', () => {
    const name = 'a'.repeat(10_000);
    const before = globStats.steps;
    assert.equal(matches('*a*a*a*a*a*ab', name), false);
    assert.equal(matches('*a*a*a*a*a*ab', `${name}b`), true);
    const steps = globStats.steps - before;
    // At most (characters + 1) × states per match: 13 states, two names.
    assert.ok(steps > 10_000, `counted ${steps} steps`);
    assert.ok(steps <= 2 * 10_002 * 14, `${steps} steps is more than linear`);
    // A backtracking matcher on `**/*a*a*a*a*a*ab` with slashes is no worse here.
    const slashed = Array.from({ length: 1000 }, () => 'aaaaaaaaa').join('/');
    const before2 = globStats.steps;
    assert.equal(matches('**/*a*a*a*a*a*ab', slashed), false);
    assert.ok(globStats.steps - before2 <= (slashed.length + 1) * 20);
  });

  it('bound brace expansion and say why a pattern is not used', () => {
    assert.deepEqual(expandBraces('{a,b}/{c,d}'), ['a/c', 'a/d', 'b/c', 'b/d']);
    assert.equal(expandBraces('{a,b}'.repeat(9)), null); // 512 alternatives
    assert.equal(expandBraces('{a,b}'.repeat(8))?.length, 256);
    const tooMany = compileGlob('{a,b}'.repeat(9));
    assert.ok('error' in tooMany && /more than 256/.test(tooMany.error));
    const long = compileGlob('a'.repeat(GLOB_LIMITS.maxLength + 1));
    assert.ok('error' in long && /longer than 1024/.test(long.error));
    const negated = compileGlob('!*.yaml');
    assert.ok('error' in negated && /negated/.test(negated.error));
    const empty = compileGlob('');
    assert.ok('error' in empty);
    // Not a crash: a class named like an Object property, an unclosed class or brace.
    assert.equal(matches('[[:constructor:]]', 'c'), false);
    assert.equal(matches('[abc', '[abc'), true);
    assert.equal(matches('{a,b', '{a,b'), true);
  });

  it('compile a list of 10,000 patterns once, however often it is asked for', () => {
    const patterns = Array.from({ length: 10_000 }, (_, i) => `dir${i}/**/*.yaml`);
    const before = globStats.compiled;
    const set = globSet(patterns);
    assert.equal(globStats.compiled - before, 10_000);
    for (let i = 0; i < 100; i++) {
      assert.equal(globSet([...patterns]), set);
      assert.equal(set.matches(`dir${i}/x/y.yaml`), true);
    }
    assert.equal(set.matches('other/y.yaml'), false);
    assert.equal(globStats.compiled - before, 10_000);
    assert.deepEqual(set.invalid, []);
    const bad = globSet(['ok/**', '!neg', '{a,b}'.repeat(9)]);
    assert.deepEqual(
      bad.invalid.map((b) => b.pattern),
      ['!neg', '{a,b}'.repeat(9)],
    );
    assert.match(bad.invalid[0]!.error, /^negated/);
    assert.equal(bad.matches('ok/x'), true);
  });
});
