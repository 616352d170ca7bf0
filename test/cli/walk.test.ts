/**
 * The one directory walker (`io/walk.ts`), in the command line's mode and in
 * the language server's (links to directories not entered, every path to a
 * file listed), on real hostile trees: link loops, FIFOs, device links, links
 * out of the tree, VCS folders, an entry swapped after the listing. The work
 * is counted (directories listed, entries looked at), never timed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { walk, walkSteps } from '@podsec/server/out/io/index';
import type { WalkOptions, WalkSteps } from '@podsec/server/out/io/index';

const SERVER: WalkOptions = { followDirLinks: false, sameFileOnce: false };
const tree = () => mkdtempSync(join(tmpdir(), 'podsec-walk-'));
const mkfifo = (p: string) => execFileSync('mkfifo', [p]);
const counted = (): WalkSteps => ({ dirs: 0, entries: 0 });

/** p.yaml, a/q.yaml; l1 -> ., l2 -> ., a/to-b -> ../b, b/to-a -> ../a. */
function loops(): string {
  const dir = tree();
  writeFileSync(join(dir, 'p.yaml'), 'a: 1\n');
  symlinkSync('.', join(dir, 'l1'));
  symlinkSync('.', join(dir, 'l2'));
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  writeFileSync(join(dir, 'a', 'q.yaml'), 'a: 1\n');
  symlinkSync('../b', join(dir, 'a', 'to-b'));
  symlinkSync('../a', join(dir, 'b', 'to-a'));
  return dir;
}

describe('the directory walker', () => {
  it('ends link loops by device and inode: each directory listed once, in either mode', () => {
    const dir = loops();
    const cliSteps = counted();
    const w = walk([dir], { steps: cliSteps });
    assert.deepEqual(
      w.files.map((f) => f.path),
      [join(dir, 'a', 'q.yaml'), join(dir, 'p.yaml')],
    );
    // root, a, and b (through a/to-b); l1, l2, b itself and to-b/to-a are named, not listed.
    assert.deepEqual(cliSteps, { dirs: 3, entries: 8 });
    assert.deepEqual(
      w.skipped.map((s) => [s.path.slice(dir.length + 1), s.kind, s.counted]),
      [
        ['a/to-b/to-a', 'same-dir', false],
        ['b', 'same-dir', false],
        ['l1', 'same-dir', false],
        ['l2', 'same-dir', false],
      ],
    );
    const serverSteps = counted();
    const s = walk([dir], { ...SERVER, steps: serverSteps });
    assert.deepEqual(
      s.files.map((f) => f.path),
      [join(dir, 'a', 'q.yaml'), join(dir, 'p.yaml')],
    );
    // Links to directories are not entered: root, a and b, each by its real path.
    assert.deepEqual(serverSteps, { dirs: 3, entries: 8 });
    assert.deepEqual(s.skipped, [], 'links to directories not named .yaml are passed over');
  });

  it('names what is not a regular file and where a link leads, without opening anything', () => {
    const outside = tree();
    writeFileSync(join(outside, 'o.yaml'), 'a: 1\n');
    const dir = tree();
    writeFileSync(join(dir, 'real.yaml'), 'a: 1\n');
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'inside-link.yaml'));
    symlinkSync(join(outside, 'o.yaml'), join(dir, 'outside.yaml'));
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    mkfifo(join(dir, 'fifo.yaml'));
    symlinkSync(join(dir, 'missing.yaml'), join(dir, 'dangling.yaml'));
    symlinkSync(outside, join(dir, 'dir-link.yaml'));
    const byName = (paths: Array<{ path: string }>) =>
      paths.map((p) => p.path.slice(dir.length + 1));

    const c = walk([dir]);
    // inside-link.yaml sorts first: real.yaml is then a second way to the same file.
    assert.deepEqual(byName(c.files), ['inside-link.yaml', 'outside.yaml']);
    assert.deepEqual(
      c.files.map((f) => [f.viaLink, f.outside]),
      [
        [true, false],
        [true, true],
      ],
    );
    assert.deepEqual(
      c.skipped.map((s) => [s.path.slice(dir.length + 1), s.kind, s.outside ?? null, s.counted]),
      [
        ['dangling.yaml', 'dangling', null, true],
        ['dir-link.yaml', 'outside', null, true],
        ['fifo.yaml', 'special', null, true],
        ['real.yaml', 'same-file', null, false],
        ['zero.yaml', 'special', true, true],
      ],
    );
    assert.equal(
      c.skipped.find((s) => s.kind === 'special' && s.outside)?.reason,
      'not read: a link to a character device, not a regular file',
    );

    const s = walk([dir], SERVER);
    assert.deepEqual(byName(s.files), ['inside-link.yaml', 'outside.yaml', 'real.yaml']);
    assert.deepEqual(
      s.files.map((f) => f.outside),
      [false, true, false],
    );
    assert.deepEqual(
      s.skipped.map((x) => [x.path.slice(dir.length + 1), x.kind, x.outside ?? null]),
      [
        ['dangling.yaml', 'dangling', null],
        ['dir-link.yaml', 'special', true],
        ['fifo.yaml', 'special', null],
        ['zero.yaml', 'special', true],
      ],
    );
  });

  it('lists in the command line mode a file once however many links lead to it', () => {
    const dir = tree();
    writeFileSync(join(dir, 'z.yaml'), 'a: 1\n');
    for (const n of ['a', 'b', 'c']) symlinkSync(join(dir, 'z.yaml'), join(dir, `${n}.yaml`));
    const w = walk([dir]);
    assert.deepEqual(
      w.files.map((f) => f.path),
      [join(dir, 'a.yaml')],
    );
    assert.deepEqual(
      w.skipped.map((s) => [s.path, s.reason]),
      ['b', 'c', 'z'].map((n) => [
        join(dir, `${n}.yaml`),
        `the same file as ${join(dir, 'a.yaml')}, checked once`,
      ]),
    );
  });

  it('never searches version control or installed packages', () => {
    const dir = tree();
    for (const d of ['.git', '.hg', '.svn', 'node_modules', 'src']) {
      mkdirSync(join(dir, d));
      writeFileSync(join(dir, d, 'x.yaml'), 'a: 1\n');
    }
    for (const o of [{}, SERVER]) {
      const steps = counted();
      const w = walk([dir], { ...o, steps });
      assert.deepEqual(
        w.files.map((f) => f.path),
        [join(dir, 'src', 'x.yaml')],
      );
      assert.equal(steps.dirs, 2, 'the root and src');
    }
  });

  it('is one step at a time: a caller that stops early costs only the steps it took', () => {
    const dir = tree();
    for (let i = 0; i < 100; i++)
      writeFileSync(join(dir, `f${String(i).padStart(3, '0')}.yaml`), '');
    const steps = counted();
    const it = walkSteps([dir], { steps });
    const kinds: string[] = [];
    for (const s of it) {
      kinds.push(s.type);
      if (s.type === 'file') break;
    }
    assert.deepEqual(kinds, ['dir', 'file']);
    assert.deepEqual(steps, { dirs: 1, entries: 1 });
  });

  it('an entry swapped for a FIFO or a device link after the listing is judged as it is now', () => {
    const dir = tree();
    for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, `${n}.yaml`), 'a: 1\n');
    const seen: Array<[string, string]> = [];
    for (const s of walkSteps([dir], SERVER)) {
      if (s.type === 'file') seen.push([s.file.path.slice(dir.length + 1), 'file']);
      if (s.type === 'skip')
        seen.push([s.skip.path.slice(dir.length + 1), `${s.skip.kind} ${s.skip.outside ?? ''}`]);
      if (s.type === 'file' && s.file.path.endsWith('a.yaml')) {
        // Listed already; b and c change before the walker looks at them.
        unlinkSync(join(dir, 'b.yaml'));
        mkfifo(join(dir, 'b.yaml'));
        unlinkSync(join(dir, 'c.yaml'));
        symlinkSync('/dev/zero', join(dir, 'c.yaml'));
      }
    }
    assert.deepEqual(seen, [
      ['a.yaml', 'file'],
      ['b.yaml', 'special '],
      ['c.yaml', 'special true'],
    ]);
  });
});
