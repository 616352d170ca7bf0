/**
 * Realistic manifests and the random mutations the fuzz tests (and the
 * engine/fuzz benchmark) apply to them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './generate';
import type { Rng } from './generate';
import { repoRoot, sharedDir } from './paths';

/** Apply 1 to 4 random mutations to a random text. */
export function mutate(texts: readonly string[], r: Rng): string {
  let text = r.pick(texts);
  const steps = r.int(1, 4);
  for (let i = 0; i < steps; i++) text = r.pick(MUTATIONS)(text, r);
  return text;
}

/** The project's examples, the real-world corpus beside the project when present, and a generated file. */
export function realisticTexts(): string[] {
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
  const real = join(sharedDir(), 'corpus', 'real');
  if (existsSync(real)) walk(real);
  texts.push(generate({ workloads: 30, seed: 7 }));
  return texts;
}

/** Mutations as typing and pasting make them: deletions, insertions, truncations, wrong types, line endings. */
export const MUTATIONS: ReadonlyArray<(t: string, r: Rng) => string> = [
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
