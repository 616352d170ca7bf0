/**
 * The GitHub Action (action.yml) run as the runner runs a composite action:
 * each step's `run` in bash (`bash --noprofile --norc -eo pipefail`), its
 * `${{ inputs.* }}` expressions replaced by the inputs (or their defaults),
 * GITHUB_ACTION_PATH at this checkout, GITHUB_WORKSPACE at a throwaway
 * repository, and the step outputs read back from $GITHUB_OUTPUT into the
 * action's outputs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../support/paths';
import { privilegedPod, restrictedPod } from '../support/manifests';
import { tempTree } from '../support/cli';

interface Step {
  id?: string;
  shell: string;
  run: string;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION = parse(readFileSync(join(repoRoot(), 'action.yml'), 'utf8')) as Action;

interface Ran {
  /** Exit status of the first failing step, or 0. */
  code: number;
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

function runAction(workspace: string, inputs: Record<string, string>): Ran {
  for (const k of Object.keys(inputs)) assert.ok(k in ACTION.inputs, `no input ${k}`);
  const expr = (s: string, steps: Record<string, Record<string, string>>) =>
    s.replace(/\$\{\{\s*([a-z.-]+)\s*\}\}/g, (_, e: string) => {
      const [scope, name, ...rest] = e.split('.');
      if (scope === 'inputs' && name) return inputs[name] ?? ACTION.inputs[name]?.default ?? '';
      if (scope === 'steps' && name && rest[0] === 'outputs')
        return steps[name]?.[rest[1] ?? ''] ?? '';
      throw new Error(`expression ${e} is not emulated`);
    });
  const dir = mkdtempSync(join(tmpdir(), 'podsec-runner-'));
  const summary = join(dir, 'summary.md');
  writeFileSync(summary, '');
  const steps: Record<string, Record<string, string>> = {};
  let log = '';
  let code = 0;
  for (const [i, step] of ACTION.runs.steps.entries()) {
    assert.equal(step.shell, 'bash');
    const output = join(dir, `output-${i}`);
    writeFileSync(output, '');
    const script = join(dir, `step-${i}.sh`);
    writeFileSync(script, expr(step.run, steps));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: repoRoot(),
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expr(v, steps);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: workspace,
      env,
      encoding: 'utf8',
    });
    log += r.stdout + r.stderr;
    const out: Record<string, string> = {};
    for (const line of readFileSync(output, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) steps[step.id] = out;
    if (r.status !== 0) {
      code = r.status ?? -1;
      break;
    }
  }
  const outputs: Record<string, string> = {};
  for (const [k, o] of Object.entries(ACTION.outputs)) outputs[k] = expr(o.value, steps);
  return { code, log, outputs, summary: readFileSync(summary, 'utf8') };
}

const workspace = (files: Record<string, string>): string => tempTree(files, 'podsec-workspace-');

describe('the GitHub Action', () => {
  it('is a composite action that runs this checkout with npx, no download', () => {
    assert.equal(ACTION.runs.using, 'composite');
    const all = ACTION.runs.steps.map((s) => s.run).join('\n');
    assert.doesNotMatch(all, /curl|wget|releases\/download/);
    assert.match(readFileSync(join(repoRoot(), 'scripts/ci/action.mjs'), 'utf8'), /'npx/);
  });

  it('annotations by default: the step fails on a finding, the job summary gets the report', () => {
    const ws = workspace({ 'bad.yaml': privilegedPod('priv'), 'good.yaml': restrictedPod('ok') });
    const r = runAction(ws, { level: 'baseline' });
    assert.equal(r.code, 1, r.log);
    assert.match(
      r.log,
      /^::error file=bad\.yaml,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=podsec privileged::privileged/m,
    );
    assert.doesNotMatch(r.log, /^::error file=good\.yaml/m);
    assert.equal(r.outputs['exit-code'], '1');
    assert.equal(r.outputs['sarif-file'], '');
    assert.match(r.summary, /^### podsec: \d+ new findings?, 0 existing, 0 suppressed/m);
  });

  it('format sarif writes the log for upload-sarif; fail-on-findings false lets the step pass', () => {
    const ws = workspace({ 'bad.yaml': privilegedPod('priv') });
    const r = runAction(ws, {
      format: 'sarif',
      'sarif-file': 'out.sarif',
      'fail-on-findings': 'false',
      summary: 'false',
      paths: 'bad.yaml',
    });
    assert.equal(r.code, 0, r.log);
    assert.equal(r.outputs['exit-code'], '1');
    assert.equal(r.outputs['sarif-file'], join(ws, 'out.sarif'));
    const log = JSON.parse(readFileSync(join(ws, 'out.sarif'), 'utf8')) as {
      version: string;
      runs: Array<{ results: Array<{ ruleId: string }> }>;
    };
    assert.equal(log.version, '2.1.0');
    assert.ok(log.runs[0]?.results.some((x) => x.ruleId === 'runAsNonRoot'));
    assert.match(r.log, /✖ \d+ findings/, 'the text report is in the log');
    assert.equal(r.summary, '');
  });

  it('a baseline and a config: only new findings fail', () => {
    const ws = workspace({
      'bad.yaml': privilegedPod('priv'),
      '.podsec.yaml': 'level: baseline\n',
    });
    const first = runAction(ws, { format: 'sarif', 'fail-on-findings': 'false' });
    assert.equal(first.outputs['exit-code'], '1', first.log);
    const r = runAction(ws, {
      baseline: 'podsec.sarif',
      config: '.podsec.yaml',
      level: 'baseline',
    });
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /^::notice file=.*title=podsec privileged \(existing\)::/m);
    assert.ok(existsSync(join(ws, 'podsec.sarif')));
  });

  it('a wrong input is an error annotation, exit 2', () => {
    const r = runAction(workspace({}), { format: 'xml' });
    assert.equal(r.code, 2);
    assert.match(r.log, /^::error title=podsec action::format "xml"/m);
  });
});
