/**
 * The pre-commit hooks (.pre-commit-hooks.yaml). Their entry points run
 * here as pre-commit runs them (the entry, the hook's args, then the staged
 * files) through the package's own `bin`; and, when the `pre-commit` tool is
 * installed (Debian's package; .ci/run installs it), a throwaway repository
 * uses this checkout's HEAD as its hook repository: a commit of a bad
 * manifest is refused, a fixed one passes, and podsec-fix rewrites a file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { FAST } from '../support/fast';
import { repoRoot } from '../support/paths';
import { privilegedPod, restrictedPod } from '../support/manifests';
import { tempTree } from '../support/cli';

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
  args?: string[];
  pass_filenames?: boolean;
}

const ROOT = repoRoot();
const HOOKS = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  bundleDependencies: string[];
};

/** A pod a --fix makes restricted-clean but for runAsNonRoot (an unsafe fix). */
const FIXABLE = `apiVersion: v1
kind: Pod
metadata: {name: fixable}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: app
      image: app
`;

const dir = (files: Record<string, string>): string => tempTree(files, 'podsec-hook-');

/** Runs a hook as pre-commit does: the entry's words, the hook's args, the files. */
function runHook(hook: Hook, cwd: string, files: string[], args: string[] = []) {
  const [command, ...entryArgs] = hook.entry.split(/\s+/);
  const bin = PKG.bin[command ?? ''];
  assert.ok(bin, `the package has a bin named ${command}`);
  return spawnSync(process.execPath, [join(ROOT, bin), ...entryArgs, ...args, ...files], {
    cwd,
    encoding: 'utf8',
  });
}

const hook = (id: string): Hook => {
  const h = HOOKS.find((x) => x.id === id);
  assert.ok(h, id);
  return h;
};

describe('pre-commit hooks', () => {
  it('podsec and podsec-fix: language node, staged YAML files only, the package bundles its bin', () => {
    assert.deepEqual(
      HOOKS.map((h) => [h.id, h.language, h.pass_filenames ?? true]),
      [
        ['podsec', 'node', true],
        ['podsec-fix', 'node', true],
      ],
    );
    for (const h of HOOKS) {
      const re = new RegExp(h.files);
      for (const f of ['a.yaml', 'k8s/b.yml', 'C.YAML'.toLowerCase()]) assert.ok(re.test(f), f);
      for (const f of ['a.json', 'yaml.txt', 'a.yaml.bak']) assert.ok(!re.test(f), f);
    }
    assert.match(hook('podsec-fix').entry, /--fix\b/);
    assert.ok(PKG.bundleDependencies.includes('@podsec/server'));
  });

  it('the entry points: a bad manifest fails, a good one passes, podsec-fix applies the safe fixes', () => {
    const d = dir({
      'bad.yaml': privilegedPod('p'),
      'good.yaml': restrictedPod('ok'),
      'fix.yaml': FIXABLE,
    });
    const bad = runHook(hook('podsec'), d, ['bad.yaml'], ['--level', 'baseline']);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(
      bad.stdout,
      /bad\.yaml:\d+:\d+ {2}error {2}Pod p, container app: set securityContext\.privileged to false/,
    );
    const good = runHook(hook('podsec'), d, ['good.yaml']);
    assert.equal(good.status, 0, good.stdout + good.stderr);
    const fixed = runHook(hook('podsec-fix'), d, ['fix.yaml']);
    assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
    assert.notEqual(readFileSync(join(d, 'fix.yaml'), 'utf8'), FIXABLE);
    assert.match(readFileSync(join(d, 'fix.yaml'), 'utf8'), /allowPrivilegeEscalation: false/);
  });

  it(
    'the real pre-commit: a bad manifest is refused, a fixed one passes',
    { timeout: 1_500_000 },
    (t) => {
      if (FAST) {
        // Installing the hook environment (npm install and a build of this checkout) takes minutes.
        t.skip('the fast set does not install the hooks with pre-commit; npm test does');
        return;
      }
      const which = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
      if (which.status !== 0) {
        t.skip('pre-commit is not installed (Debian package pre-commit; .ci/run installs it)');
        return;
      }
      const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
      if (head.status !== 0) {
        t.skip('this checkout is not a git repository: no revision for pre-commit to install');
        return;
      }
      const repo = dir({ 'pod.yaml': privilegedPod('p'), 'notes.json': '{}' });
      const home = mkdtempSync(join(tmpdir(), 'podsec-pre-commit-home-'));
      writeFileSync(
        join(repo, '.pre-commit-config.yaml'),
        `repos:\n  - repo: ${ROOT}\n    rev: ${head.stdout.trim()}\n    hooks:\n      - id: podsec\n        args: [--level, baseline]\n      - id: podsec-fix\n        stages: [manual]\n`,
      );
      const env = { ...process.env, PRE_COMMIT_HOME: home, PRE_COMMIT_COLOR: 'never' };
      const git = (...args: string[]) => {
        const r = spawnSync(
          'git',
          ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args],
          { cwd: repo, encoding: 'utf8', env },
        );
        assert.equal(r.status, 0, r.stderr);
      };
      const preCommit = (...args: string[]) =>
        spawnSync('pre-commit', ['run', ...args], { cwd: repo, encoding: 'utf8', env });
      try {
        git('init', '-q');
        git('add', '-A');
        const refused = preCommit();
        assert.equal(refused.status, 1, refused.stdout + refused.stderr);
        assert.match(
          refused.stdout,
          /pod\.yaml:\d+:\d+ {2}error {2}Pod p, container app: set securityContext\.privileged to false/,
        );
        writeFileSync(join(repo, 'pod.yaml'), restrictedPod('p'));
        git('add', '-A');
        const passed = preCommit();
        assert.equal(passed.status, 0, passed.stdout + passed.stderr);
        // podsec-fix rewrites the staged file; pre-commit reports the change and fails.
        writeFileSync(join(repo, 'pod.yaml'), FIXABLE);
        git('add', '-A');
        const fixed = preCommit('--hook-stage', 'manual', 'podsec-fix');
        assert.equal(fixed.status, 1, fixed.stdout + fixed.stderr);
        assert.match(fixed.stdout, /files were modified by this hook/);
        assert.match(
          readFileSync(join(repo, 'pod.yaml'), 'utf8'),
          /allowPrivilegeEscalation: false/,
        );
      } finally {
        rmSync(home, { recursive: true, force: true });
        rmSync(repo, { recursive: true, force: true });
      }
    },
  );
});
