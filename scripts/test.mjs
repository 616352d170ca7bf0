#!/usr/bin/env node
// The whole test suite, as CI runs it: build, type check, lint, format check,
// unit and conformance tests, language-server tests over stdio, grammar tests,
// and the end-to-end tests inside the real VS Code. Ends with one line
// "N passed, N failed" over every phase.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
const counts = { passed: 0, failed: 0 };
const failedPhases = [];

function run(name, cmd, args, { countTap = false, countPlain = false, env = process.env } = {}) {
  if (only.length > 0 && !only.includes(name)) return;
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, {
    stdio: countTap || countPlain ? ['inherit', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    env,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (countTap || countPlain) {
    const out = r.stdout ?? '';
    process.stdout.write(out);
    if (countTap) {
      const pass = /^# pass (\d+)$/m.exec(out);
      const fail = /^# fail (\d+)$/m.exec(out);
      counts.passed += Number(pass?.[1] ?? 0);
      counts.failed += Number(fail?.[1] ?? 0);
    } else {
      const m = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
      counts.passed += Number(m?.[1] ?? 0);
      counts.failed += Number(m?.[2] ?? 0);
      if (!m && r.status === 0) {
        failedPhases.push(`${name} (printed no counts)`);
        return;
      }
    }
  }
  if (r.status !== 0) failedPhases.push(`${name} (exit ${r.status ?? r.signal})`);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
run('build', npx, ['tsc', '-b']);
run('lint', npx, ['eslint', '.', '--max-warnings', '0']);
run('format', npx, ['prettier', '--check', '.']);
const testDirs = ['out/test/unit', 'out/test/server'].filter((d) => existsSync(d));
run('unit', process.execPath, ['--test', '--test-reporter=tap', ...testDirs], { countTap: true });
if (existsSync('test/grammar')) {
  run('grammar', process.execPath, ['--test', '--test-reporter=tap', 'test/grammar/'], {
    countTap: true,
  });
}
// The .vsix: built, inspected and unpacked outside the repository (test/package).
run('package', process.execPath, ['--test', '--test-reporter=tap', 'test/package/'], {
  countTap: true,
});
if (!process.env.PODSEC_SKIP_E2E && existsSync('test/e2e/run.js')) {
  run('e2e-setup', 'bash', ['scripts/e2e-setup.sh']);
  // The end-to-end tests load the extension as installed from the .vsix.
  const unpacked = join(tmpdir(), 'podsec-vsix', 'extension');
  const wanted = only.length === 0 || only.includes('e2e');
  if (wanted && !existsSync(join(unpacked, 'package.json'))) {
    failedPhases.push('e2e (no unpacked .vsix: run the package phase first)');
  } else {
    run('e2e', process.execPath, ['test/e2e/run.js'], {
      countPlain: true,
      env: { ...process.env, PODSEC_E2E_EXTENSION_PATH: unpacked },
    });
  }
} else if (process.env.PODSEC_SKIP_E2E) {
  failedPhases.push('e2e (skipped by PODSEC_SKIP_E2E: not a full run)');
}

process.stdout.write('\n');
if (failedPhases.length > 0) process.stdout.write(`Failed phases: ${failedPhases.join(', ')}\n`);
process.stdout.write(`${counts.passed} passed, ${counts.failed} failed\n`);
process.exitCode = failedPhases.length > 0 || counts.failed > 0 ? 1 : 0;
