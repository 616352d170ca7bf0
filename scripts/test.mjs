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
// line "N passed, N failed" over every phase run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const node = process.execPath;
const tap = (dir) => [node, ['--test', '--test-reporter=tap', dir], { countTap: true }];

/** name → [command, args, options, description] */
const PHASES = {
  build: [npx, ['tsc', '-b'], {}, 'TypeScript build and type check'],
  lint: [npx, ['eslint', '.', '--max-warnings', '0'], {}, 'ESLint (no warnings)'],
  format: [npx, ['prettier', '--check', '.'], {}, 'Prettier check'],
  engine: [...tap('out/test/engine'), 'engine tests (checks, conformance, fixes, advisor)'],
  cli: [...tap('out/test/cli'), 'command-line tests'],
  lsp: [...tap('out/test/lsp'), 'language server over stdio'],
  grammar: [...tap('test/grammar/'), 'injection grammar tokenized as VS Code does'],
  package: [...tap('test/package/'), 'the .vsix, built and unpacked'],
  e2e: [node, ['test/e2e/run.js'], { countPlain: true, e2e: true }, 'the real VS Code'],
};

const args = process.argv.slice(2);
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

const counts = { passed: 0, failed: 0 };
const failedPhases = [];

function run(name, cmd, cmdArgs, { countTap = false, countPlain = false, env = process.env } = {}) {
  process.stdout.write(`\n=== ${name}: ${cmd} ${cmdArgs.join(' ')}\n`);
  const r = spawnSync(cmd, cmdArgs, {
    stdio: countTap || countPlain ? ['inherit', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (countTap || countPlain) {
    const out = r.stdout ?? '';
    process.stdout.write(out);
    let m;
    if (countTap) {
      const pass = /^# pass (\d+)$/m.exec(out);
      const fail = /^# fail (\d+)$/m.exec(out);
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
      env: { ...process.env, PODSEC_E2E_EXTENSION_PATH: unpacked },
    });
    continue;
  }
  run(name, cmd, cmdArgs, opts);
}

process.stdout.write('\n');
if (failedPhases.length > 0) process.stdout.write(`Failed phases: ${failedPhases.join(', ')}\n`);
process.stdout.write(`${counts.passed} passed, ${counts.failed} failed\n`);
process.exitCode = failedPhases.length > 0 || counts.failed > 0 ? 1 : 0;
