#!/usr/bin/env node
// Regenerates the expected outputs of the Kustomize test overlays with the
// real kustomize: for each case under test/engine/kustomize/cases/<name>/,
// runs `kubectl kustomize <case>/<build>` (build from case.json, default ".")
// and stores what it prints:
//   expected.yaml        the build, byte for byte, when kustomize succeeds
//   expected.error.txt   kustomize's error message, when it fails, with the
//                        case's absolute path written as $CASE
// Usage: node scripts/kustomize-expected.mjs [case-name...]
// Needs kubectl with kustomize built in on the PATH (kubectl v1.32 here), and
// the tests built (npx tsc -b): the kubectl helper is the tests' own.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { kubectlKustomize } = require('../out/test/engine/kustomize/kubectl.js');

const root = resolve(import.meta.dirname, '..', 'test', 'engine', 'kustomize', 'cases');
const version = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
if (version.status !== 0) {
  process.stderr.write('kustomize-expected: kubectl is not on the PATH\n');
  process.exit(2);
}
process.stdout.write(version.stdout);
const only = process.argv.slice(2);
for (const name of readdirSync(root).sort()) {
  if (only.length > 0 && !only.includes(name)) continue;
  const dir = join(root, name);
  const meta = existsSync(join(dir, 'case.json'))
    ? JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'))
    : {};
  const r = kubectlKustomize(dir, meta.build ?? '.');
  rmSync(join(dir, 'expected.yaml'), { force: true });
  rmSync(join(dir, 'expected.error.txt'), { force: true });
  if (r.ok) writeFileSync(join(dir, 'expected.yaml'), r.output);
  else writeFileSync(join(dir, 'expected.error.txt'), `${r.error}\n`);
  process.stdout.write(`${name.padEnd(36)} ${r.ok ? 'built' : 'error'}\n`);
}
