/**
 * Conformance: the engine gives Pod Security admission's result
 * - on the project's own cases (test/support/conformanceCases.ts), always:
 *   every check at every version v1.0 … v1.<newest>, both levels;
 * - on upstream's 4,537 fixtures (k8s.io/pod-security-admission
 *   test/testdata), read from ../shared/conformance/psa when that folder is
 *   present (PODSEC_SHARED_DIR names another shared folder); when it is
 *   absent, that part is reported as skipped, never as passed.
 * With upstream's fixtures present, a test shows that the generator
 * reproduces them exactly, compared as data: the same names, the same pods.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { analyze, CHECK_IDS, LATEST_VERSION, MAX_MINOR, selectChecks } from '@podsec/server';
import type { Level } from '@podsec/server';
import {
  generateCases,
  LEVELS_CHECKED,
  namedCheck,
  NEWEST_MINOR,
  ownCases,
  toYaml,
} from '../support/conformanceCases';
import type { ConformanceCase } from '../support/conformanceCases';
import { readUpstream, UPSTREAM_CASES } from '../support/psaFixtures';
import type { PsaCase } from '../support/psaFixtures';

/** What a case expects, and its text. */
interface Case {
  path: string;
  level: 'baseline' | 'restricted';
  version: string;
  expect: 'pass' | 'fail';
  check: string | null;
  expectErrorSubstring?: string;
  derivedChecksFiring?: string[];
  text: () => string;
}

/** What is wrong with the engine's result for one case; empty when it gives the expected result. */
function disagreement(c: Case, version = c.version): string[] {
  const a = analyze(c.text(), { level: c.level as Level, version, namespaceLabels: false });
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
    problems.push(`the denial names ${named}; fired ${fired.join(', ')}`);
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

function byFolder<T extends { level: string; version: string }>(cases: readonly T[]) {
  const folders = new Map<string, T[]>();
  for (const c of cases) {
    const k = `${c.level} ${c.version}`;
    folders.set(k, [...(folders.get(k) ?? []), c]);
  }
  return folders;
}

/** latest, and any version newer than the newest, evaluate as the newest. */
function latestAgrees(newest: readonly Case[]): void {
  assert.ok(newest.length > 100, `${newest.length} cases at ${LATEST_VERSION}`);
  const shape = (c: Case, version: string) =>
    analyze(c.text(), { level: c.level as Level, version, namespaceLabels: false }).findings.map(
      (f) => [f.check, f.message, f.span.start, f.span.end, f.evaluatedVersion],
    );
  for (const c of newest) {
    const expected = shape(c, LATEST_VERSION);
    assert.deepEqual(shape(c, 'latest'), expected, c.path);
    assert.deepEqual(shape(c, 'v1.99'), expected, c.path);
    assert.deepEqual(disagreement(c, 'latest'), [], c.path);
  }
}

const generated = generateCases();
const texts = new Map<ConformanceCase, string>();
const asCase = (g: ConformanceCase): Case => ({
  ...g,
  text: () => {
    let t = texts.get(g);
    if (t === undefined) texts.set(g, (t = toYaml(g.pod)));
    return t;
  },
});
const own = generated.map(asCase);
/** The project's own cases beyond upstream's construction (names begin with own_). */
const extra = ownCases().map(asCase);

describe("the project's conformance cases (generated from the spec)", () => {
  it(`cover every check at every version v1.0 … ${LATEST_VERSION}, both levels`, (t) => {
    assert.equal(NEWEST_MINOR, MAX_MINOR, "the generator's newest version is the engine's");
    for (const level of LEVELS_CHECKED) {
      for (let minor = 0; minor <= MAX_MINOR; minor++) {
        const version = `v1.${minor}`;
        const here = generated.filter((c) => c.level === level && c.version === version);
        assert.ok(
          here.some((c) => c.expect === 'pass' && c.check === null),
          `${version} base`,
        );
        const failing = new Set(
          here.flatMap((c) =>
            c.expect === 'fail' && c.check ? [namedCheck(c.check, level, minor)] : [],
          ),
        );
        for (const { check } of selectChecks(level, minor)) {
          assert.ok(failing.has(check.id), `${level} ${version}: a case that fails ${check.id}`);
        }
        for (const c of here.filter((x) => x.expect === 'fail')) {
          assert.ok(c.expectErrorSubstring, `${c.path}: the text its denial must contain`);
        }
      }
    }
    assert.deepEqual(
      [...new Set(generated.flatMap((c) => (c.check ? [c.check] : [])))].sort(),
      [...CHECK_IDS].sort(),
      'every check has cases',
    );
    assert.equal(new Set(generated.map((c) => c.path)).size, generated.length, 'names unique');
    t.diagnostic(
      `generated ${generated.length} cases: ${generated.filter((c) => c.expect === 'pass').length} pass, ${generated.filter((c) => c.expect === 'fail').length} fail, v1.0 … ${LATEST_VERSION}`,
    );
  });

  it('each pod is written as YAML that reads back as the same pod', () => {
    const pods = [...generated, ...ownCases()];
    for (const [i, c] of [...own, ...extra].entries())
      assert.deepEqual(parse(c.text()), pods[i]!.pod, c.path);
  });

  it(`and ${extra.length} cases of the project's own, for what upstream's construction leaves out`, (t) => {
    assert.ok(extra.length > 0);
    const checks = new Set(extra.map((c) => c.check));
    t.diagnostic(
      `${extra.length} own cases (${extra.filter((c) => c.expect === 'pass').length} pass, ${extra.filter((c) => c.expect === 'fail').length} fail) over ${checks.size} checks`,
    );
    assert.equal(new Set(extra.map((c) => c.path)).size, extra.length, 'names unique');
    for (const c of extra) assert.match(c.path, /\/own_[a-z_]+\d+\.yaml$/);
  });

  const extraByFolder = byFolder(extra);
  for (const [folder, list] of byFolder(own)) {
    const mine = extraByFolder.get(folder) ?? [];
    it(`${folder}: ${list.length + mine.length} generated cases (${mine.length} the project's own) give the expected result`, () => {
      const wrong = [...list, ...mine].flatMap((c) =>
        disagreement(c).map((p) => `${c.path}: ${p}`),
      );
      assert.deepEqual(wrong, []);
    });
  }

  it(`latest and any newer version evaluate as ${LATEST_VERSION}`, () => {
    latestAgrees(own.filter((c) => c.version === LATEST_VERSION));
  });
});

const upstream = readUpstream();
const upstreamName = `upstream's conformance fixtures (${upstream.dir})`;

describe(upstreamName, () => {
  if (!upstream.found) {
    it(`upstream's fixtures: 0 of ${UPSTREAM_CASES} cases ran (not found)`, (t) => {
      const why = `upstream's fixtures were not found at ${upstream.dir} (a fresh clone: the project's ${own.length + extra.length} generated cases ran instead; CI has ../shared, or set PODSEC_SHARED_DIR)`;
      t.diagnostic(why);
      t.skip(why);
    });
    return;
  }
  const { dir, cases } = upstream;
  const fileTexts = new Map<string, string>();
  const withText = (c: PsaCase): Case => ({
    ...c,
    text: () => {
      let t = fileTexts.get(c.path);
      if (t === undefined) fileTexts.set(c.path, (t = readFileSync(join(dir, c.path), 'utf8')));
      return t;
    },
  });
  const all = cases.map(withText);
  let ran = 0;

  after(() => {
    process.stdout.write(
      `# upstream conformance: ran ${ran} of ${UPSTREAM_CASES} cases from ${dir}\n`,
    );
  });

  it(`index.json lists all ${cases.length} of ${UPSTREAM_CASES} cases, each file present`, () => {
    assert.equal(cases.length, UPSTREAM_CASES);
    assert.equal(new Set(cases.map((c) => c.path)).size, cases.length, 'no case twice');
    const missing = cases.filter((c) => !existsSync(join(dir, c.path))).map((c) => c.path);
    assert.deepEqual(missing, []);
  });

  it(`the generator reproduces upstream's fixture set exactly: the same ${cases.length} names, the same pods`, () => {
    type Meta = Pick<PsaCase, 'path' | 'level' | 'version' | 'expect' | 'check' | 'case'> & {
      expectErrorSubstring?: string;
    };
    const meta = (c: Meta): Meta => ({
      path: c.path,
      level: c.level,
      version: c.version,
      expect: c.expect,
      check: c.check,
      case: c.case,
      expectErrorSubstring: c.expectErrorSubstring,
    });
    const theirs = cases.map(meta);
    const ours = generated.map(meta);
    assert.deepEqual(ours, theirs);
    const different: string[] = [];
    for (const [i, c] of all.entries()) {
      try {
        assert.deepEqual(generated[i]!.pod, parse(c.text()));
      } catch (e) {
        // The first few in full; the rest by path.
        different.push(different.length < 5 ? `${c.path}: ${(e as Error).message}` : c.path);
      }
    }
    assert.equal(different.length, 0, `${different.length} pods differ:\n${different.join('\n')}`);
  });

  for (const [folder, list] of byFolder(all)) {
    it(`${folder}: ${list.length} upstream fixtures give upstream's result`, () => {
      const wrong = list.flatMap((c) => disagreement(c).map((p) => `${c.path}: ${p}`));
      ran += list.length;
      assert.deepEqual(wrong, []);
    });
  }

  it(`latest and any newer version evaluate as ${LATEST_VERSION}`, () => {
    latestAgrees(all.filter((c) => c.version === LATEST_VERSION));
  });

  it(`ran all ${cases.length} of ${UPSTREAM_CASES} upstream cases`, (t) => {
    t.diagnostic(`upstream conformance: ${ran} of ${UPSTREAM_CASES} cases ran and agree`);
    assert.equal(ran, UPSTREAM_CASES);
  });
});
