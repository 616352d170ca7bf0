'use strict';
// The extensionTestsPath module: VS Code's extension host requires it and awaits run(). It runs
// INSIDE the real extension host (code-server's), so require('vscode') works in the test files.
// Console output reaches the runner's stdout through the workbench's codeAutomationLog hook.
//
// Loads every test/e2e/suite/*.test.js (mocha, tdd interface: suite/test/suiteSetup/…, which
// test files take from require('mocha')). PODSEC_E2E_GREP, if set, runs only matching tests.

const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

function run() {
  const mocha = new Mocha({
    ui: 'tdd',
    reporter: 'spec',
    color: false,
    timeout: 60000,
    grep: process.env.PODSEC_E2E_GREP || undefined,
  });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    let runner;
    try {
      runner = mocha.run(() => {
        const { passes, failures } = runner.stats;
        // The closing line run.js (and CI) reads; keep its exact form.
        console.log(`${passes} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
        else if (passes === 0) reject(new Error('no extension tests ran'));
        else resolve();
      });
    } catch (e) {
      // A test file that throws while loading ends up here.
      console.error(e instanceof Error ? e.stack : String(e));
      console.log('0 passed, 1 failed');
      reject(e);
    }
  });
}

module.exports = { run };
