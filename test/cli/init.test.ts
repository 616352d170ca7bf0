/**
 * `podsec init`: run as a real process through the bin script, and as a
 * function. Writes a starter .podsec.yaml that the parser reads back with
 * the chosen level and version; refuses to replace a file unless --force;
 * never leaves a temporary file behind.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseProjectConfig } from '@podsec/server/out/engine/config/index';
import { runInit, writeFileAtomic } from '@podsec/server/out/cli/init';
import { podsecProcess } from '../support/cli';

const podsec = (args: string[], cwd: string) => podsecProcess(args, { cwd });

const tmp = () => mkdtempSync(join(tmpdir(), 'podsec-init-'));

describe('podsec init', () => {
  it('writes a commented .podsec.yaml with the defaults (restricted, latest)', () => {
    const dir = tmp();
    const r = podsec(['init'], dir);
    assert.equal(r.code, 0, r.err);
    const file = join(dir, '.podsec.yaml');
    assert.equal(r.out, `Wrote ${file} (level restricted, version latest)\n`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# podsec project configuration/);
    const c = parseProjectConfig(text, file);
    assert.deepEqual(c.diagnostics, []);
    assert.deepEqual(c.settings, { level: 'restricted', version: 'latest' });
    // one commented example of each key in use
    for (const key of [
      'namespaceLabels',
      'severity',
      'exclude',
      'admissionConfiguration',
      'failOnSkipped',
    ])
      assert.match(text, new RegExp(`^# ${key}:`, 'm'), key);
    assert.deepEqual(readdirSync(dir), ['.podsec.yaml']);
  });

  it('takes the level and version, and a directory', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'apps'));
    const r = podsec(['init', 'apps', '--level', 'baseline', '--policy-version=v1.30'], dir);
    assert.equal(r.code, 0, r.err);
    const c = parseProjectConfig(
      readFileSync(join(dir, 'apps', '.podsec.yaml'), 'utf8'),
      '/x/.podsec.yaml',
    );
    assert.deepEqual(c.settings, { level: 'baseline', version: 'v1.30' });
  });

  it('refuses to replace an existing file (exit 2), unless --force', () => {
    const dir = tmp();
    writeFileSync(join(dir, '.podsec.yaml'), 'level: privileged\n');
    const r = podsec(['init'], dir);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /\.podsec\.yaml already exists; not replaced \(use --force to replace it\)/,
    );
    assert.equal(readFileSync(join(dir, '.podsec.yaml'), 'utf8'), 'level: privileged\n');
    const f = podsec(['init', '--force', '--level', 'baseline'], dir);
    assert.equal(f.code, 0, f.err);
    assert.match(readFileSync(join(dir, '.podsec.yaml'), 'utf8'), /^level: baseline$/m);
    assert.deepEqual(readdirSync(dir), ['.podsec.yaml']);
  });

  it('an existing .podsec.yml counts; --force replaces it under its own name', () => {
    const dir = tmp();
    writeFileSync(join(dir, '.podsec.yml'), 'level: privileged\n');
    assert.equal(podsec(['init'], dir).code, 2);
    assert.equal(podsec(['init', '--force'], dir).code, 0);
    assert.deepEqual(readdirSync(dir), ['.podsec.yml']);
    assert.match(readFileSync(join(dir, '.podsec.yml'), 'utf8'), /^level: restricted$/m);
  });

  it('usage errors and a missing directory: exit 2 with a message', () => {
    const dir = tmp();
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd: dir };
    assert.equal(runInit(['--level', 'strict'], io), 2);
    assert.match(err.pop() ?? '', /invalid --level "strict"/);
    assert.equal(runInit(['--policy-version', '1.30'], io), 2);
    assert.match(err.pop() ?? '', /invalid policy version "1\.30"/);
    assert.equal(runInit(['--frce'], io), 2);
    assert.match(err.pop() ?? '', /unknown option --frce/);
    assert.equal(runInit(['a', 'b'], io), 2);
    assert.equal(runInit(['missing'], io), 2);
    assert.match(err.pop() ?? '', /missing is not a directory/);
    assert.equal(runInit(['--help'], io), 0);
    assert.match(out.pop() ?? '', /^Usage: podsec init/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a file that cannot be written: exit 2, nothing changed and no temporary file left', () => {
    const dir = tmp();
    // .podsec.yaml is a folder: --force tries to replace it and the rename fails
    mkdirSync(join(dir, '.podsec.yaml'));
    const err: string[] = [];
    const code = runInit(['--force'], {
      stdout: () => undefined,
      stderr: (s) => err.push(s),
      cwd: dir,
    });
    assert.equal(code, 2);
    assert.match(err.join(''), /cannot write .*\.podsec\.yaml: E/);
    assert.deepEqual(readdirSync(dir), ['.podsec.yaml']);
    assert.deepEqual(readdirSync(join(dir, '.podsec.yaml')), []);
  });

  it('writeFileAtomic replaces in one rename and cleans up after a failure', () => {
    const dir = tmp();
    const file = join(dir, 'x.yaml');
    writeFileAtomic(file, 'one\n');
    writeFileAtomic(file, 'two\n');
    assert.equal(readFileSync(file, 'utf8'), 'two\n');
    assert.deepEqual(readdirSync(dir), ['x.yaml']);
    // renaming onto a directory fails: the temporary file is removed
    mkdirSync(join(dir, 'sub'));
    mkdirSync(join(dir, 'sub', 'x.yaml'));
    assert.throws(() => writeFileAtomic(join(dir, 'sub', 'x.yaml'), 'three\n'));
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['x.yaml']);
  });
});
