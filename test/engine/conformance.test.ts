/**
 * Upstream's conformance fixtures (k8s.io/pod-security-admission
 * test/testdata), carried in test/fixtures/psa: every one of the 4,537 cases
 * gives upstream's result at its own level and version.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, LATEST_VERSION } from '@podsec/server';
import type { Level } from '@podsec/server';
import { repoRoot } from '../support/paths';
import { expandPsaCases, namedCheck, psaDir, readPsaIndex } from '../support/psaFixtures';
import type { PsaCase } from '../support/psaFixtures';

const index = readPsaIndex();
const cases = expandPsaCases(index);
const texts = new Map<string, string>();
const textOf = (c: PsaCase): string => {
  let t = texts.get(c.file);
  if (t === undefined) texts.set(c.file, (t = readFileSync(c.file, 'utf8')));
  return t;
};

/** What is wrong with the engine's result for one case; empty when it agrees with upstream. */
function disagreement(c: PsaCase, version = c.version): string[] {
  const a = analyze(textOf(c), { level: c.level as Level, version, namespaceLabels: false });
  const problems: string[] = [];
  if (a.errors.length > 0) problems.push(`errors: ${a.errors.map((e) => e.message).join('; ')}`);
  if (a.workloads.length !== 1) problems.push(`${a.workloads.length} workloads`);
  const fired: string[] = [...new Set(a.findings.map((f) => f.check))].sort();
  if (c.expect === 'pass') {
    if (fired.length > 0) problems.push(`expected to pass, fired ${fired.join(', ')}`);
    return problems;
  }
  if (fired.length === 0) problems.push('expected to fail, nothing fired');
  const minor = Number(c.version.slice(3));
  const named = c.check === null ? null : namedCheck(c.check, c.level, minor);
  if (named !== null && !fired.includes(named)) {
    problems.push(`upstream's denial names ${named}; fired ${fired.join(', ')}`);
  }
  if (c.derivedChecksFiring && fired.join() !== [...c.derivedChecksFiring].sort().join()) {
    problems.push(`fired ${fired.join(', ')}; expected ${c.derivedChecksFiring.join(', ')}`);
  }
  const denial = a.findings.map((f) => f.message).join(', ');
  if (c.expectErrorSubstring && !denial.includes(c.expectErrorSubstring)) {
    problems.push(`message lacks "${c.expectErrorSubstring}": ${denial}`);
  }
  return problems;
}

describe('upstream conformance fixtures', () => {
  it('the carried index expands to every case, from each distinct file once', () => {
    assert.equal(cases.length, index.cases);
    assert.equal(cases.length, 4537);
    const pods = readdirSync(join(psaDir(), 'pods')).sort();
    assert.equal(pods.length, index.files);
    assert.deepEqual(
      [...new Set(index.entries.map((e) => e.pod))].sort(),
      pods,
      'no file unused, none missing',
    );
    assert.equal(new Set(cases.map((c) => c.path)).size, cases.length, 'no case twice');
    for (const c of cases) assert.ok(existsSync(c.file), c.file);
  });

  it('the carried copy expands to exactly the cases of ../shared/conformance/psa', (t) => {
    const shared = join(repoRoot(), '..', 'shared', 'conformance', 'psa');
    if (!existsSync(join(shared, 'index.json'))) {
      t.skip(
        '../shared/conformance/psa is not present (a fresh clone); the carried copy is used alone',
      );
      return;
    }
    const upstream = (
      JSON.parse(readFileSync(join(shared, 'index.json'), 'utf8')) as {
        fixtures: Omit<PsaCase, 'file'>[];
      }
    ).fixtures;
    const strip = ({ file: _file, ...rest }: PsaCase) => rest;
    const byPath = (a: { path: string }, b: { path: string }) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
    assert.deepEqual(cases.map(strip), [...upstream].sort(byPath));
    for (const c of cases) {
      assert.equal(textOf(c), readFileSync(join(shared, c.path), 'utf8'), c.path);
    }
  });

  const folders = new Map<string, PsaCase[]>();
  for (const c of cases) {
    const k = `${c.level} ${c.version}`;
    folders.set(k, [...(folders.get(k) ?? []), c]);
  }
  for (const [folder, list] of folders) {
    it(`${folder}: ${list.length} fixtures give upstream's result`, () => {
      const wrong = list.flatMap((c) => disagreement(c).map((p) => `${c.path}: ${p}`));
      assert.deepEqual(wrong, []);
    });
  }

  it(`latest and any newer version evaluate as ${LATEST_VERSION}`, () => {
    const newest = cases.filter((c) => c.version === LATEST_VERSION);
    assert.ok(newest.length > 100);
    const shape = (c: PsaCase, version: string) =>
      analyze(textOf(c), { level: c.level as Level, version, namespaceLabels: false }).findings.map(
        (f) => [f.check, f.message, f.span.start, f.span.end, f.evaluatedVersion],
      );
    for (const c of newest) {
      const expected = shape(c, LATEST_VERSION);
      assert.deepEqual(shape(c, 'latest'), expected, c.path);
      assert.deepEqual(shape(c, 'v1.99'), expected, c.path);
      assert.deepEqual(disagreement(c, 'latest'), [], c.path);
    }
  });
});
