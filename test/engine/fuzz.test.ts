/**
 * No crash, no hang: generated manifests and random mutations of realistic
 * ones (the project's examples, its generator's output, and the real-world
 * corpus beside the project when present). The engine never throws, every
 * range it reports lies inside the text, and its work stays proportional to
 * the input: it follows at most ALIAS_LOOKUPS_PER_ALIAS alias look-ups per
 * alias in the text (counted by the engine's own alias limit), so no input
 * makes it expand aliases. Its speed on these inputs is measured in
 * `npm run bench` (engine/fuzz).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze, CHECK_IDS } from '@podsec/server';
import type { Analysis } from '@podsec/server';
import { iterations } from '../support/fast';
import { KINDS, Rng, workload } from '../support/generate';
import { mutate, realisticTexts } from '../support/mutations';
import { repoRoot } from '../support/paths';

/** Counts reported by the suite (printed at the end, for the closing notes). */
export const counts = { generated: 0, mutations: 0 };

const SEED = Number(process.env.PODSEC_FUZZ_SEED ?? 20261122);
const ENV_RUNS = process.env.PODSEC_FUZZ_RUNS;
const RUNS = iterations(1000, ENV_RUNS);
const MUTATION_RUNS = iterations(2000, ENV_RUNS && String(2 * Number(ENV_RUNS)));
/** Alias look-ups allowed per alias in the text (the engine needs one; expanding needs exponentially many). */
const ALIAS_LOOKUPS_PER_ALIAS = 16;

function sane(text: string, a: Analysis): void {
  const inside = (s: { start: number; end: number }) =>
    s.start >= 0 && s.end >= s.start && s.end <= text.length;
  for (const f of a.findings) {
    assert.ok(inside(f.span), `finding span inside the text: ${JSON.stringify(f.span)}`);
    assert.ok(
      f.check === 'invalidSuppression' ||
        f.check === 'podSecurityPolicy' ||
        (CHECK_IDS as readonly string[]).includes(f.check),
    );
    for (const fix of f.fixes)
      for (const e of fix.edits) assert.ok(inside(e), 'fix edit inside the text');
  }
  for (const d of [...a.errors, ...a.notes])
    assert.ok(inside(d.span), `diagnostic span inside the text: ${d.message}`);
}

/** Analyse with a budget of alias look-ups proportional to the aliases in the text. */
function checked(text: string, level: 'baseline' | 'restricted' = 'restricted'): Analysis {
  const aliases = text.split('*').length; // every '*' may be an alias, plus one
  const maxAliasCount = ALIAS_LOOKUPS_PER_ALIAS * aliases;
  const a = analyze(text, { level, maxAliasCount });
  const over = a.errors.find((e) => e.code === 'limit' && /alias look-ups/.test(e.message));
  assert.equal(over, undefined, `more than ${maxAliasCount} alias look-ups for ${aliases - 1} '*'`);
  sane(text, a);
  return a;
}

describe('no crash, no hang', () => {
  after(() => {
    process.stdout.write(
      `# fuzz: ${counts.generated} generated manifests, ${counts.mutations} mutations (seed ${SEED}; ${RUNS.note})\n`,
    );
  });

  it('generated manifests of every kind, in random styles', (t) => {
    t.diagnostic(`${RUNS.n} runs (${RUNS.note})`);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 6 }),
        (seed, n) => {
          const r = new Rng(seed);
          const docs: string[] = [];
          for (let i = 0; i < n; i++) docs.push(workload(r, i, r.pick(KINDS)));
          const text = docs.join('---\n');
          counts.generated++;
          const a = checked(text);
          assert.equal(a.errors.length, 0, `generated YAML parses: ${a.errors[0]?.message ?? ''}`);
          assert.equal(a.workloads.length, n);
        },
      ),
      { seed: SEED, numRuns: RUNS.n },
    );
  });

  it('random mutations of realistic manifests', (t) => {
    t.diagnostic(`${MUTATION_RUNS.n} runs (${MUTATION_RUNS.note})`);
    const texts = realisticTexts();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const r = new Rng(seed);
        const text = mutate(texts, r);
        counts.mutations++;
        checked(text, r.chance(0.5) ? 'baseline' : 'restricted');
      }),
      { seed: SEED, numRuns: MUTATION_RUNS.n },
    );
  });

  it('every prefix of a manifest, as typed', () => {
    const text = readFileSync(join(repoRoot(), 'examples', 'insecure', 'web.yaml'), 'utf8');
    for (let i = 0; i <= text.length; i += 3) {
      counts.mutations++;
      checked(text.slice(0, i));
    }
  });
});
