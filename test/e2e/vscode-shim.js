#!/usr/bin/env node
'use strict';
// A stand-in "VS Code executable" for @vscode/test-electron: runTests({ vscodeExecutablePath })
// spawns it with the desktop command line, and it runs the same session in code-server + chromium
// (see codeServer.js), then exits with the tests' exit code.
//
//   vscode-shim.js [folder | file.code-workspace | file] --extensionDevelopmentPath=DIR…
//                  --extensionTestsPath=PATH [--user-data-dir=DIR] [--extensions-dir=DIR]
//
// Desktop-only flags test-electron adds (--no-sandbox, --disable-gpu-sandbox, --disable-updates,
// --skip-welcome, --skip-release-notes, --disable-workspace-trust, …) need nothing here.
//
// PODSEC_E2E_RESULTS_FILE: if set, the last "N passed, N failed" line the tests print is written
// there as JSON { passed, failed } (run.js uses it for its total).

const fs = require('fs');
const path = require('path');
const { runExtensionTests } = require('./codeServer');

const SUMMARY = /^\s*(\d+) passed, (\d+) failed\s*$/m;

function parseArgs(argv) {
  const out = { extensionDevelopmentPath: [], positional: [], ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      out.positional.push(arg);
      continue;
    }
    const [, key, inline] = m;
    const takesValue = [
      'extensionDevelopmentPath',
      'extensionTestsPath',
      'user-data-dir',
      'extensions-dir',
    ].includes(key);
    const value = inline ?? (takesValue ? argv[++i] : undefined);
    if (takesValue && value === undefined) throw new Error(`--${key} needs a value`);
    if (key === 'extensionDevelopmentPath') out.extensionDevelopmentPath.push(path.resolve(value));
    else if (key === 'extensionTestsPath') out.extensionTestsPath = path.resolve(value);
    else if (key === 'user-data-dir') out.userDataDir = path.resolve(value);
    else if (key === 'extensions-dir') out.extensionsDir = path.resolve(value);
    else out.ignored.push(arg);
  }
  return out;
}

/** What to open: the first existing positional argument (folder, .code-workspace or file). */
function target(positional) {
  for (const p of positional) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs)) {
      console.error(`vscode-shim: ignoring ${p}: no such file or folder`);
      continue;
    }
    if (fs.statSync(abs).isDirectory()) return { folder: abs };
    if (abs.endsWith('.code-workspace')) return { workspace: abs };
    return { file: abs };
  }
  return {};
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.extensionTestsPath || args.extensionDevelopmentPath.length === 0) {
    console.error(
      'vscode-shim: needs --extensionDevelopmentPath=DIR and --extensionTestsPath=PATH',
    );
    return 2;
  }
  const t0 = Date.now();
  const log = (m) => console.log(`[vscode-shim ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
  let summary;
  const onLog = (type, text) => {
    (type === 'error' || type === 'warn' ? console.error : console.log)(text);
    const m = SUMMARY.exec(text);
    if (m) summary = { passed: Number(m[1]), failed: Number(m[2]) };
  };
  const code = await runExtensionTests({
    ...target(args.positional),
    extensionDevelopmentPath: args.extensionDevelopmentPath,
    extensionTestsPath: args.extensionTestsPath,
    userDataDir: args.userDataDir,
    extensionsDir: args.extensionsDir,
    browserConsole: Boolean(process.env.PODSEC_E2E_VERBOSE),
    log,
    onLog,
  });
  if (process.env.PODSEC_E2E_RESULTS_FILE && summary) {
    fs.writeFileSync(process.env.PODSEC_E2E_RESULTS_FILE, JSON.stringify(summary));
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`vscode-shim: ${e.stack || e}`);
    process.exit(1);
  },
);
