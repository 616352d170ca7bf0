#!/usr/bin/env node
// The GitHub Action's step (action.yml): reads the action's inputs from
// PODSEC_* environment variables, runs the podsec command line on the
// workspace and writes the step's outputs to $GITHUB_OUTPUT.
//
//   PODSEC_PATHS           files or folders, one per line or separated by spaces (default .)
//   PODSEC_LEVEL           --level (empty: podsec's default or .podsec.yaml)
//   PODSEC_POLICY_VERSION  --policy-version
//   PODSEC_CONFIG          a .podsec.yaml: podsec runs in its folder, where it applies
//   PODSEC_BASELINE        --baseline
//   PODSEC_FORMAT          sarif (write PODSEC_SARIF_FILE for upload-sarif) or github
//                          (annotations); both print the text report to the log
//   PODSEC_SARIF_FILE      where SARIF goes (default podsec.sarif)
//   PODSEC_SUMMARY         "true": append the report to $GITHUB_STEP_SUMMARY
//   PODSEC_FAIL            "false": the step passes whatever podsec finds
//   PODSEC_BIN             the podsec command (default: this checkout's, through npx)
//
// Outputs: exit-code (podsec's), sarif-file (when written, absolute).
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const here = dirname(fileURLToPath(import.meta.url));
const actionRoot = resolve(here, '..', '..');
const value = (name) => (env[name] ?? '').trim();

function fail(message) {
  process.stdout.write(`::error title=podsec action::${message}\n`);
  process.exit(2);
}

const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
const config = value('PODSEC_CONFIG');
const cwd = config ? dirname(resolve(workspace, config)) : workspace;
const paths = value('PODSEC_PATHS').split(/\s+/).filter(Boolean);
const format = value('PODSEC_FORMAT') || 'github';
if (format !== 'sarif' && format !== 'github') fail(`format "${format}": expected sarif or github`);

const args = [];
if (value('PODSEC_LEVEL')) args.push('--level', value('PODSEC_LEVEL'));
if (value('PODSEC_POLICY_VERSION')) args.push('--policy-version', value('PODSEC_POLICY_VERSION'));
if (value('PODSEC_BASELINE')) args.push('--baseline', resolve(workspace, value('PODSEC_BASELINE')));
if (value('PODSEC_SUMMARY') === 'true') args.push('--summary');
let sarifFile = null;
if (format === 'sarif') {
  sarifFile = resolve(workspace, value('PODSEC_SARIF_FILE') || 'podsec.sarif');
  args.push('--format', 'sarif', '--output', sarifFile, '--format', 'text');
} else {
  args.push('--format', 'github');
}
args.push('--', ...(paths.length > 0 ? paths.map((p) => resolve(workspace, p)) : [workspace]));

const bin = value('PODSEC_BIN');
const [command, prefix] = bin
  ? [bin, []]
  : [
      process.platform === 'win32' ? 'npx.cmd' : 'npx',
      ['--no-install', '--prefix', actionRoot, 'podsec'],
    ];
const r = spawnSync(command, [...prefix, ...args], { cwd, stdio: 'inherit', env });
if (r.error) fail(`cannot run podsec: ${r.error.message}`);
const code = r.status ?? 2;

if (env.GITHUB_OUTPUT) {
  appendFileSync(
    env.GITHUB_OUTPUT,
    `exit-code=${code}\n${sarifFile ? `sarif-file=${sarifFile}\n` : ''}`,
  );
}
process.exit(value('PODSEC_FAIL') === 'false' ? 0 : code);
