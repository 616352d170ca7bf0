'use strict';
// npm run test:e2e: the end-to-end tests in the real VS Code (code-server + headless chromium).
//   1. test/e2e/suite/*.test.js inside the real extension host, through @vscode/test-electron's
//      runTests({ vscodeExecutablePath: vscode-shim.js }), on a temp copy of test/e2e/workspace;
//   2. the Playwright UI test (ui.js).
// Prints "N passed, N failed" for both together and exits non-zero on any failure.
//
// Needs: npm run e2e:setup (once per machine) and the bundled extension (npm run bundle).
// Env: PODSEC_E2E_EXTENSION_PATH  load this extension folder instead of the repo root
//      PODSEC_E2E_ONLY=suite|ui     run one part only
//      PODSEC_E2E_GREP              mocha grep for the suite
//      PODSEC_E2E_VERBOSE=1         also print the workbench's browser console and its noise
//      PODSEC_E2E_KEEP=1            keep each session's temp profile and code-server.log
//      PODSEC_E2E_TIMEOUT_MS        safety net for one extension-host session (default 300000)
//      PODSEC_E2E_SCREENSHOT        where ui.js saves its image (default docs/images/quickfix.png)
//      PODSEC_E2E_TOOLS             tools folder (default ~/.cache/podsec-e2e-tools)
//      PODSEC_E2E_CHROMIUM          browser binary (default /usr/bin/chromium)

const fs = require('fs');
const os = require('os');
const path = require('path');
const { runTests } = require('@vscode/test-electron');
const { checkTools } = require('./codeServer');
const { runUiTest } = require('./ui');

const ROOT = path.resolve(__dirname, '..', '..');
const SHIM = path.join(__dirname, 'vscode-shim.js');
const SUITE = path.join(__dirname, 'suite', 'index.js');
const WORKSPACE = path.join(__dirname, 'workspace');

function extensionPath() {
  const override = process.env.PODSEC_E2E_EXTENSION_PATH;
  if (override) {
    const dir = path.resolve(override);
    if (!fs.existsSync(path.join(dir, 'package.json'))) {
      throw new Error(`PODSEC_E2E_EXTENSION_PATH=${override}: no package.json there`);
    }
    return dir;
  }
  const missing = ['dist/client.js', 'dist/server.js'].filter(
    (f) => !fs.existsSync(path.join(ROOT, f)),
  );
  if (missing.length > 0) {
    throw new Error(
      `the extension is not built (missing ${missing.join(', ')}): run "npm run bundle" first`,
    );
  }
  return ROOT;
}

async function runSuite(extensionDevelopmentPath) {
  // test-electron spawns the shim as an executable (a checkout may have lost the mode bit).
  fs.chmodSync(SHIM, fs.statSync(SHIM).mode | 0o111);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'podsec-e2e-run-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(WORKSPACE, workspace, { recursive: true });
  const resultsFile = path.join(tmp, 'results.json');
  try {
    let ok = true;
    try {
      await runTests({
        vscodeExecutablePath: SHIM, // set, so nothing is downloaded
        extensionDevelopmentPath,
        extensionTestsPath: SUITE,
        // A fresh profile per run, outside the clone (else test-electron uses ./.vscode-test).
        launchArgs: [
          workspace,
          `--user-data-dir=${path.join(tmp, 'user-data')}`,
          `--extensions-dir=${path.join(tmp, 'extensions')}`,
        ],
        extensionTestsEnv: { PODSEC_E2E_RESULTS_FILE: resultsFile },
      });
    } catch (e) {
      ok = false;
      console.error(`extension-host tests failed: ${e.message}`);
    }
    if (fs.existsSync(resultsFile)) {
      const counts = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      // A zero exit without a failure count is still a failure if the runner said so.
      if (!ok && counts.failed === 0) counts.failed = 1;
      return counts;
    }
    console.error(
      'extension-host tests reported no "N passed, N failed" line; counted as 1 failure',
    );
    return { passed: 0, failed: 1 };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// Ctrl+C during the suite: test-electron forwards SIGINT to the shim (which stops its session) and
// swallows it here, so remember it and stop instead of going on to the UI test.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

async function main() {
  const t0 = Date.now();
  const only = process.env.PODSEC_E2E_ONLY;
  if (only && only !== 'suite' && only !== 'ui') {
    throw new Error(`PODSEC_E2E_ONLY must be "suite" or "ui", not "${only}"`);
  }
  checkTools();
  const extensionDevelopmentPath = extensionPath();
  console.log(`e2e: extension under test: ${extensionDevelopmentPath}`);
  const total = { passed: 0, failed: 0 };
  const add = (r) => {
    total.passed += r.passed;
    total.failed += r.failed;
  };
  if (only !== 'ui') {
    console.log('e2e: extension-host tests (test/e2e/suite)');
    add(await runSuite(extensionDevelopmentPath));
    if (interrupted) throw new Error('interrupted');
  }
  if (only !== 'suite') {
    console.log('e2e: UI test (test/e2e/ui.js)');
    add(await runUiTest());
  }
  console.log(`e2e: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return total;
}

main().then(
  ({ passed, failed }) => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed > 0 ? 1 : 0);
  },
  (e) => {
    console.error(`e2e: ${e.message}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
