/**
 * `--fix` on a real disk, not an injected failure: the owner of a file kept
 * when root fixes it, a run as an ordinary user on its own file, a tmpfs that
 * is full (ENOSPC) and one remounted read-only (EROFS). Mounting needs root
 * (or CAP_SYS_ADMIN): where it is not permitted the tests say so and are
 * skipped, never passed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, PODSEC_BIN } from '../support/cli';
import { FIXABLE_POD as FIXABLE } from '../support/manifests';

/** Another user than the one running the tests (they run as root here). */
const OTHER = 1000;
const isRoot = process.getuid?.() === 0;
const temps = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('--fix keeps the owner', () => {
  it('root fixing a file of another user: replaced by a new inode that user still owns', (t) => {
    if (!isRoot) {
      t.skip('not run as root: a file cannot be given to another user to test this');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'podsec-owner-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, FIXABLE);
    chownSync(file, OTHER, OTHER);
    const out = join(dir, 'report.json');
    writeFileSync(out, '{}\n');
    chownSync(out, OTHER, OTHER);
    const was = statSync(file);
    const r = cli(['--fix', '--format', 'json', '--output', out, file]);
    assert.equal(r.code, 0, r.err);
    const now = statSync(file);
    assert.notEqual(now.ino, was.ino, 'replaced, not rewritten in place');
    assert.equal(now.uid, OTHER);
    assert.equal(now.gid, OTHER);
    assert.match(readFileSync(file, 'utf8'), /allowPrivilegeEscalation: false/);
    // The report podsec replaced keeps its owner too.
    assert.equal(statSync(out).uid, OTHER);
    assert.ok(readFileSync(out, 'utf8').includes('"files"'));
  });

  it('an ordinary user (setpriv to uid 1000) fixes its own file: fixed, still its own', (t) => {
    if (!isRoot) {
      t.skip('not run as root: setpriv cannot change to another user');
      return;
    }
    const setpriv = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
    if (setpriv.status !== 0) {
      t.skip(`setpriv is not available: ${setpriv.error?.message ?? setpriv.stderr}`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'podsec-user-'));
    chownSync(dir, OTHER, OTHER);
    const file = join(dir, 'p.yaml');
    writeFileSync(file, FIXABLE);
    chownSync(file, OTHER, OTHER);
    const r = spawnSync(
      'setpriv',
      [
        `--reuid=${OTHER}`,
        `--regid=${OTHER}`,
        '--clear-groups',
        process.execPath,
        PODSEC_BIN,
        '--fix',
        '--no-config',
        file,
      ],
      { encoding: 'utf8', cwd: dir, env: { ...process.env, HOME: dir } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /fixed/);
    const now = statSync(file);
    assert.equal(now.uid, OTHER);
    assert.equal(now.gid, OTHER);
    assert.match(readFileSync(file, 'utf8'), /allowPrivilegeEscalation: false/);
    assert.deepEqual(temps(dir), []);
  });
});

describe('--fix on a real full disk and a real read-only mount', () => {
  let mountDir = '';
  let mounted = false;
  let why = '';
  let elsewhere = '';

  before(() => {
    const base = mkdtempSync(join(tmpdir(), 'podsec-mnt-'));
    mountDir = join(base, 'small');
    mkdirSync(mountDir);
    elsewhere = join(base, 'other');
    mkdirSync(elsewhere);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountDir], {
      encoding: 'utf8',
    });
    mounted = m.status === 0;
    if (!mounted)
      why = `mount is not permitted here (${(m.stderr || m.error?.message || '').trim()}): a real tmpfs cannot be tested`;
  });

  after(() => {
    if (mounted) spawnSync('umount', [mountDir]);
    rmSync(join(mountDir, '..'), { recursive: true, force: true });
  });

  /** A fixable file on the small disk and one elsewhere, run together. */
  const pair = (name: string): { small: string; other: string } => {
    const small = join(mountDir, `${name}.yaml`);
    writeFileSync(small, FIXABLE);
    const other = join(elsewhere, `${name}.yaml`);
    writeFileSync(other, FIXABLE);
    return { small, other };
  };

  it('ENOSPC on a full tmpfs: the original intact, no temporary file, the next file fixed, exit 2', (t) => {
    if (!mounted) {
      t.skip(why);
      return;
    }
    const { small, other } = pair('full');
    // Fill the disk to the last byte.
    const filler = openSync(join(mountDir, 'filler'), 'w');
    const block = Buffer.alloc(4096, 0x61);
    let filled = 0;
    for (;;) {
      try {
        const n = writeSync(filler, block);
        filled += n;
        if (n < block.length) continue;
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
        break;
      }
      assert.ok(filled <= 64 * 1024, 'a 64 KiB tmpfs holds at most 64 KiB');
    }
    closeSync(filler);
    const r = cli(['--fix', small, other]);
    assert.equal(readFileSync(small, 'utf8'), FIXABLE, 'not a byte lost');
    assert.deepEqual(temps(mountDir), []);
    assert.match(r.out, /full\.yaml[\s\S]*no space left on the device \(ENOSPC\)/);
    assert.match(readFileSync(other, 'utf8'), /allowPrivilegeEscalation: false/);
    assert.equal(r.code, 2);
    rmSync(join(mountDir, 'filler'));
  });

  it('EROFS on a tmpfs remounted read-only: the original intact, the next file fixed, exit 2', (t) => {
    if (!mounted) {
      t.skip(why);
      return;
    }
    const { small, other } = pair('ro');
    const m = spawnSync('mount', ['-o', 'remount,ro', mountDir], { encoding: 'utf8' });
    if (m.status !== 0) {
      t.skip(`remount read-only is not permitted here (${m.stderr.trim()})`);
      return;
    }
    try {
      const r = cli(['--fix', small, other]);
      assert.equal(readFileSync(small, 'utf8'), FIXABLE);
      assert.deepEqual(temps(mountDir), []);
      assert.match(r.out, /ro\.yaml[\s\S]*read-only file system \(EROFS\)/);
      assert.match(readFileSync(other, 'utf8'), /allowPrivilegeEscalation: false/);
      assert.equal(r.code, 2);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', mountDir]);
    }
  });
});
