/**
 * The check command holds one file's parsed documents at a time: each file
 * is read, evaluated and released before the next (its Pod Security results
 * and its hardening objects, positions as numbers, are what stays). Counted,
 * not timed: a child process marks each file's parsed documents as the
 * hardening checks read them and, at each next file, counts the marks still
 * alive after a full garbage collection (`v8.queryObjects`). With `--fix`,
 * each file is written before the next is evaluated.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { run } from '@podsec/server/out/cli/main';
import { nodeFs } from '@podsec/server/out/io/index';
import type { FsSeam } from '@podsec/server/out/io/index';
import {
  FIXABLE_POD,
  hardenedDeployment,
  networkPolicyYaml,
  privilegedPod,
} from '../support/manifests';
import { tempTree } from '../support/cli';
import { repoRoot } from '../support/paths';

const FILES = 24;

/** In the child: run the command line over the tree, counting the parses alive at each file. */
const CHILD = `
const v8 = require('node:v8');
const { run } = require(process.argv[1]);
class Parse {}
const marks = new WeakMap();
let seen = 0;
let most = 0;
const code = run(['--format', process.argv[3], process.argv[2]], {
  stdout: () => {},
  stderr: (s) => process.stderr.write(s),
  readStdin: () => Buffer.alloc(0),
  isTTY: false,
  env: {},
  onParsed: (docs) => {
    // The files before this one: how many of their parses are still reachable.
    most = Math.max(most, v8.queryObjects(Parse, { format: 'count' }));
    marks.set(docs, new Parse());
    seen++;
  },
});
process.stdout.write(JSON.stringify({ code, seen, most }));
`;

function tree(): string {
  const files: Record<string, string> = {
    'ns/netpol.yaml': networkPolicyYaml('web', 'shop', 'web-0'),
  };
  for (let i = 0; i < FILES; i++) {
    // Several documents a file (parsed in chunks by the analysis) and single ones (one parse shared).
    const docs = [hardenedDeployment(`web-${i}`, { namespace: 'shop' })];
    if (i % 2 === 0)
      for (let j = 0; j < 8; j++)
        docs.push(privilegedPod(`p-${i}-${j}`), hardenedDeployment(`d-${i}-${j}`));
    files[`d${i % 4}/f${i}.yaml`] = docs.join('---\n');
  }
  return tempTree(files, 'podsec-memory-');
}

describe('memory bounded per file', () => {
  it(`at most 2 files' parses are alive at any file of ${FILES + 1}`, () => {
    const dir = tree();
    const main = join(repoRoot(), 'server', 'out', 'cli', 'main.js');
    const r = spawnSync(process.execPath, ['--no-warnings', '-e', CHILD, main, dir, 'json'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { code: number; seen: number; most: number };
    assert.equal(got.code, 1, 'the tree has findings');
    assert.equal(got.seen, FILES + 1, 'every file was parsed for the hardening checks');
    assert.ok(got.most <= 2, `${got.most} earlier parses alive at once`);
  });

  it('--fix: each file is fixed and written before the next is evaluated', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`f${i}.yaml`] = FIXABLE_POD.replace('name: p', `name: p${i}`);
    const dir = tempTree(files, 'podsec-memory-');
    const events: string[] = [];
    const fs: FsSeam = {
      ...nodeFs,
      renameSync: (from, to) => {
        events.push(`write ${to.slice(to.lastIndexOf('/') + 1)}`);
        nodeFs.renameSync(from, to);
      },
    };
    const code = run(['--fix', dir], {
      stdout: () => {},
      stderr: () => {},
      readStdin: () => Buffer.alloc(0),
      isTTY: false,
      env: {},
      fs,
      onParsed: () => events.push('evaluated'),
    });
    assert.equal(code, 0);
    const expected = Object.keys(files).flatMap((f) => [`write ${f}`, 'evaluated']);
    assert.deepEqual(events, expected);
    for (const [f, text] of Object.entries(files))
      assert.notEqual(readFileSync(join(dir, f), 'utf8'), text, `${f} was fixed`);
  });
});
