#!/usr/bin/env node
// The whole test suite, as CI runs it, in phases named for what they run:
//   build    TypeScript build (tsc -b: type checks every project)
//   lint     ESLint, no warnings allowed
//   format   Prettier check
//   engine   the engine's own tests (test/engine: checks, conformance, fixes, advisor, ...)
//   cli      the podsec command line, as a process and as a function (test/cli)
//   lsp      the built language server over a real stdio connection (test/lsp)
//   grammar  the injection grammar, tokenized as VS Code does (test/grammar)
//   package  the .vsix: built, inspected and unpacked outside the repository (test/package)
//   e2e      the extension in the real VS Code (test/e2e; installs its tools on first run)
// `npm test` runs them all; `npm test -- engine cli` runs only those (in this order);
// `npm test -- --list` lists them. An unknown phase name is an error. Ends with one
// line "N passed, N failed, N skipped" over every phase run (a skipped test, such as
// upstream's conformance fixtures when ../shared is absent, is never counted as passed).
//
// `--fast` (npm run test:fast: build lint format engine cli) is the set for daily work:
// ESLint and Prettier keep caches in node_modules/.cache (ESLint's cache does not see a
// type change in an unchanged file's imports; `npm test` runs ESLint without it), and
// property tests run a tenth of their iterations (PODSEC_TEST_FAST=1; each says so in
// its output; `npm test` runs the full count). Test files run two at a time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const node = process.execPath;
const tap = (dir, concurrency = 1) => [
  node,
  ['--test', '--test-reporter=tap', `--test-concurrency=${concurrency}`, dir],
  { countTap: true },
];

/** name → [command, args, options, description] */
const PHASES = {
  build: [npx, ['tsc', '-b'], {}, 'TypeScript build and type check'],
  lint: [npx, ['eslint', '.', '--max-warnings', '0'], {}, 'ESLint (no warnings)'],
  format: [npx, ['prettier', '--check', '.'], {}, 'Prettier check'],
  engine: [...tap('out/test/engine', 2), 'engine tests (checks, conformance, fixes, advisor)'],
  cli: [...tap('out/test/cli', 2), 'command-line tests'],
  lsp: [...tap('out/test/lsp'), 'language server over stdio'],
  grammar: [...tap('test/grammar/'), 'injection grammar tokenized as VS Code does'],
  package: [...tap('test/package/'), 'the .vsix, built and unpacked'],
  e2e: [node, ['test/e2e/run.js'], { countPlain: true, e2e: true }, 'the real VS Code'],
};

const fast = process.argv.includes('--fast');
const args = process.argv.slice(2).filter((a) => a !== '--fast');
if (fast) {
  PHASES.lint[1].push('--cache', '--cache-location', 'node_modules/.cache/eslint/');
  PHASES.lint[1].push('--cache-strategy', 'content');
  PHASES.format[1].push('--cache');
}
if (args.includes('--list') || args.includes('-l')) {
  for (const [name, p] of Object.entries(PHASES))
    process.stdout.write(`${name.padEnd(8)} ${p[3]}\n`);
  process.exit(0);
}
const unknown = args.filter((a) => !(a in PHASES));
if (unknown.length > 0) {
  process.stderr.write(
    `test: unknown phase ${unknown.map((u) => `"${u}"`).join(', ')}; phases: ${Object.keys(PHASES).join(', ')}\n`,
  );
  process.exit(2);
}
const selected =
  args.length > 0 ? Object.keys(PHASES).filter((p) => args.includes(p)) : Object.keys(PHASES);

const counts = { passed: 0, failed: 0, skipped: 0 };
const testEnv = fast ? { ...process.env, PODSEC_TEST_FAST: '1' } : process.env;
const failedPhases = [];
const timings = [];

function run(name, cmd, cmdArgs, { countTap = false, countPlain = false, env = testEnv } = {}) {
  process.stdout.write(`\n=== ${name}: ${cmd} ${cmdArgs.join(' ')}\n`);
  const started = Date.now();
  const r = spawnSync(cmd, cmdArgs, {
    stdio: countTap || countPlain ? ['inherit', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env,
    maxBuffer: 256 * 1024 * 1024,
  });
  timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (countTap || countPlain) {
    const out = r.stdout ?? '';
    process.stdout.write(out);
    let m;
    if (countTap) {
      const pass = /^# pass (\d+)$/m.exec(out);
      const fail = /^# fail (\d+)$/m.exec(out);
      const skipped = /^# skipped (\d+)$/m.exec(out);
      if (skipped) counts.skipped += Number(skipped[1]);
      m = pass && fail ? [null, pass[1], fail[1]] : null;
    } else {
      m = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop() ?? null;
    }
    if (m) {
      counts.passed += Number(m[1]);
      counts.failed += Number(m[2]);
    }
    if (!m || Number(m[1]) + Number(m[2]) === 0) {
      failedPhases.push(`${name} (ran no tests)`);
      return;
    }
  }
  if (r.status !== 0) failedPhases.push(`${name} (exit ${r.status ?? r.signal})`);
}

for (const name of selected) {
  const [cmd, cmdArgs, opts] = PHASES[name];
  if (opts.e2e) {
    if (process.env.PODSEC_SKIP_E2E) {
      failedPhases.push('e2e (skipped by PODSEC_SKIP_E2E: not a full run)');
      continue;
    }
    run('e2e-setup', 'bash', ['scripts/e2e-setup.sh']);
    // The end-to-end tests load the extension as installed from the .vsix.
    const unpacked = join(tmpdir(), 'podsec-vsix', 'extension');
    if (!existsSync(join(unpacked, 'package.json'))) {
      failedPhases.push('e2e (no unpacked .vsix: run the package phase first)');
      continue;
    }
    run(name, cmd, cmdArgs, {
      ...opts,
      env: { ...testEnv, PODSEC_E2E_EXTENSION_PATH: unpacked },
    });
    continue;
  }
  run(name, cmd, cmdArgs, opts);
}

process.stdout.write(`\nPhase times: ${timings.join(', ')}\n`);
if (failedPhases.length > 0) process.stdout.write(`Failed phases: ${failedPhases.join(', ')}\n`);
process.stdout.write(
  `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
);
process.exitCode = failedPhases.length > 0 || counts.failed > 0 ? 1 : 0;
