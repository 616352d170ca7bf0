/**
 * No crash, no hang: generated manifests and random mutations of realistic
 * ones (the project's examples, its generator's output, and the real-world
 * corpus beside the project when present). The engine never throws, answers
 * within a time proportional to the input, and every range it reports lies
 * inside the text.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze, CHECK_IDS } from '@podsec/server';
import type { Analysis } from '@podsec/server';
import { generate, KINDS, Rng, workload } from '../support/generate';
import { repoRoot } from '../support/paths';

/** Counts reported by the suite (printed at the end, for the closing notes). */
export const counts = { generated: 0, mutations: 0 };

const SEED = Number(process.env.PODSEC_FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.PODSEC_FUZZ_RUNS ?? 1000);

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

/** Analyse with a time bound proportional to the input: 200 ms plus 2 ms per kilobyte, generously. */
function timed(text: string, level: 'baseline' | 'restricted' = 'restricted'): Analysis {
  const started = process.hrtime.bigint();
  const a = analyze(text, { level });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(
    ms < 200 + (2 * text.length) / 1024,
    `took ${ms.toFixed(0)} ms for ${text.length} chars`,
  );
  sane(text, a);
  return a;
}

function corpus(): string[] {
  const texts: string[] = [];
  const examples = join(repoRoot(), 'examples');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, name.name);
      if (name.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(name.name)) texts.push(readFileSync(full, 'utf8'));
    }
  };
  walk(examples);
  const real = join(repoRoot(), '..', 'shared', 'corpus', 'real');
  if (existsSync(real)) walk(real);
  texts.push(generate({ workloads: 30, seed: 7 }));
  return texts;
}

const MUTATIONS = [
  (t: string, r: Rng) => {
    const at = r.int(0, t.length);
    return t.slice(0, at) + t.slice(at + r.int(1, 20));
  },
  (t: string, r: Rng) => {
    const at = r.int(0, t.length);
    return (
      t.slice(0, at) +
      r.pick([
        '\t',
        ':',
        '- ',
        '{',
        '[',
        '"',
        "'",
        '&a ',
        '*a',
        '<<: *a\n',
        '\n',
        '---\n',
        '#',
        '%',
        '|\n',
        '>-\n',
        '\u0000'.slice(1),
        'é🚀',
      ]) +
      t.slice(at)
    );
  },
  (t: string, r: Rng) => t.slice(0, r.int(0, t.length)),
  (t: string, r: Rng) => {
    const lines = t.split('\n');
    const i = r.int(0, lines.length - 1);
    lines.splice(i, 0, lines[i] ?? '');
    return lines.join('\n');
  },
  (t: string, r: Rng) =>
    t
      .replace(
        /privileged: true/,
        r.pick(['privileged: "yes"', 'privileged: [true]', 'privileged: {}']),
      )
      .replace(/containers:/, r.chance(0.5) ? 'containers: {}\n  x:' : 'containers:'),
  (t: string, r: Rng) =>
    t
      .replace(/runAsNonRoot: true/g, 'runAsNonRoot: "true"')
      .replace(/hostPort: (\d+)/g, r.chance(0.5) ? 'hostPort: "$1"' : 'hostPort: $1'),
  (t: string, r: Rng) => t.replace(/\n/g, r.chance(0.5) ? '\r\n' : '\n'),
];

describe('no crash, no hang', () => {
  after(() => {
    process.stdout.write(
      `# fuzz: ${counts.generated} generated manifests, ${counts.mutations} mutations (seed ${SEED})\n`,
    );
  });

  it('generated manifests of every kind, in random styles', () => {
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
          const a = timed(text);
          assert.equal(a.errors.length, 0, `generated YAML parses: ${a.errors[0]?.message ?? ''}`);
          assert.equal(a.workloads.length, n);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('random mutations of realistic manifests', () => {
    const texts = corpus();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const r = new Rng(seed);
        let text = r.pick(texts);
        const steps = r.int(1, 4);
        for (let i = 0; i < steps; i++) text = r.pick(MUTATIONS)(text, r);
        counts.mutations++;
        timed(text, r.chance(0.5) ? 'baseline' : 'restricted');
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('every prefix of a manifest, as typed', () => {
    const text = readFileSync(join(repoRoot(), 'examples', 'insecure', 'web.yaml'), 'utf8');
    for (let i = 0; i <= text.length; i += 3) {
      counts.mutations++;
      timed(text.slice(0, i));
    }
  });
});
