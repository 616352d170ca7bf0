/**
 * `--fix` never loses a byte: atomic writes that keep the mode, write
 * failures injected at every step (ENOSPC, EROFS, EACCES) leaving the
 * original whole and the other files fixed, read-only and hard-linked files,
 * links in and out of the given paths, and a file changed while podsec ran.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  lstatSync,
  symlinkSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nodeFs } from '@podsec/server/out/io/index';
import type { FsSeam } from '@podsec/server/out/io/index';
import { cli, tempTree } from '../support/cli';
import { FIXABLE_POD as FIXABLE } from '../support/manifests';

const tree = (files: Record<string, string>): string => tempTree(files, 'podsec-fix-');

const err = (code: string) => Object.assign(new Error(code), { code });

/** The real file system, with `fail` deciding which call throws which code. */
function failing(fail: (call: keyof FsSeam, arg: unknown) => string | null): FsSeam {
  const seam = { ...nodeFs } as Record<string, unknown>;
  for (const key of Object.keys(nodeFs) as Array<keyof FsSeam>) {
    const real = nodeFs[key] as (...a: unknown[]) => unknown;
    seam[key] = (...args: unknown[]) => {
      const code = fail(key, args[0]);
      if (code) throw err(code);
      return real(...args);
    };
  }
  return seam as unknown as FsSeam;
}

const tmpFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('podsec --fix never loses a byte', () => {
  it('writes atomically: a new inode renamed over the old, mode kept, nothing left behind', () => {
    const dir = tree({ 'p.yaml': FIXABLE });
    const file = join(dir, 'p.yaml');
    chmodSync(file, 0o640);
    const before = statSync(file);
    const r = cli(['--fix', file]);
    assert.match(r.out, /fixed/);
    const after = statSync(file);
    assert.notEqual(after.ino, before.ino, 'replaced by rename, not rewritten in place');
    assert.equal(after.mode & 0o7777, 0o640);
    assert.equal(after.uid, before.uid);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /allowPrivilegeEscalation: false/);
    assert.match(text, /name: p # keep me/);
    assert.deepEqual(tmpFiles(dir), []);
  });

  for (const [step, code] of [
    ['openSync', 'EACCES'],
    ['writeSync', 'ENOSPC'],
    ['fsyncSync', 'EIO'],
    ['renameSync', 'EROFS'],
  ] as const) {
    it(`${code} at ${step}: that file is reported and intact, the next one is still fixed`, () => {
      const dir = tree({ 'a.yaml': FIXABLE, 'b.yaml': FIXABLE });
      const a = join(dir, 'a.yaml');
      const b = join(dir, 'b.yaml');
      // Fail only the calls that write a's temporary file (open for writing creates it).
      const fs = failing((call, arg) => {
        if (typeof arg === 'string' && arg.includes('.a.yaml.podsec-') && call === step)
          return code;
        if (typeof arg === 'number' && call === step && openTmp.has(arg)) return code;
        return null;
      });
      const openTmp = new Set<number>();
      const open = fs.openSync;
      fs.openSync = (path, flags, mode) => {
        const fd = open(path, flags, mode);
        if (path.includes('.a.yaml.podsec-')) openTmp.add(fd);
        return fd;
      };
      const close = fs.closeSync;
      fs.closeSync = (fd) => {
        openTmp.delete(fd);
        close(fd);
      };
      const r = cli(['--fix', dir], { fs });
      assert.equal(readFileSync(a, 'utf8'), FIXABLE, 'not a byte of a.yaml lost');
      assert.deepEqual(tmpFiles(dir), [], 'the temporary file is removed');
      assert.match(readFileSync(b, 'utf8'), /allowPrivilegeEscalation: false/, 'b.yaml fixed');
      assert.match(r.out, new RegExp(`a\\.yaml {2}error {2}--fix: not written: .*\\(${code}\\)`));
      assert.match(r.out, /1 fixed file not written/);
      assert.equal(r.code, 2, 'the exit status says a write failed');
    });
  }

  it('a read-only file is reported and left alone; the others are fixed', () => {
    const dir = tree({ 'a.yaml': FIXABLE, 'b.yaml': FIXABLE });
    chmodSync(join(dir, 'a.yaml'), 0o444);
    const r = cli(['--fix', dir]);
    assert.equal(readFileSync(join(dir, 'a.yaml'), 'utf8'), FIXABLE);
    assert.match(
      r.out,
      /a\.yaml {2}error {2}--fix: not written: the file is read-only \(mode 0444\)/,
    );
    assert.match(readFileSync(join(dir, 'b.yaml'), 'utf8'), /allowPrivilegeEscalation: false/);
    assert.equal(r.code, 2);
  });

  it('a file changed on disk since it was read is not written, and is reported', () => {
    const dir = tree({ 'p.yaml': FIXABLE });
    const file = join(dir, 'p.yaml');
    const edit = '# the user typed this meanwhile\n';
    let edited = false;
    // The user's edit lands between podsec's read and its write.
    const fs = failing((call) => {
      if (call === 'realpathSync' && !edited) {
        edited = true;
        appendFileSync(file, edit);
      }
      return null;
    });
    const r = cli(['--fix', file], { fs });
    assert.equal(readFileSync(file, 'utf8'), FIXABLE + edit, "the user's edit wins");
    assert.match(r.out, /--fix: changed on disk since podsec read it: not written/);
    assert.equal(r.code, 2);
    // Changed while the new text was being written: caught by the last look before the rename.
    writeFileSync(file, FIXABLE);
    let late = false;
    const fs2 = failing((call) => {
      if (call === 'fsyncSync' && !late) {
        late = true;
        appendFileSync(file, edit);
      }
      return null;
    });
    const r2 = cli(['--fix', file], { fs: fs2 });
    assert.equal(readFileSync(file, 'utf8'), FIXABLE + edit);
    assert.match(r2.out, /changed on disk since podsec read it/);
    assert.deepEqual(tmpFiles(dir), []);
  });

  it('each file is read again at its turn: an edit made earlier in the run is fixed, not lost', () => {
    const dir = tree({ 'a.yaml': FIXABLE, 'b.yaml': FIXABLE });
    const b = join(dir, 'b.yaml');
    const edit = '# edited while a.yaml was being fixed\n';
    let edited = false;
    const fs = failing((call, arg) => {
      if (call === 'renameSync' && !edited && String(arg).includes('.a.yaml.podsec-')) {
        edited = true;
        appendFileSync(b, edit);
      }
      return null;
    });
    const r = cli(['--fix', dir], { fs });
    assert.ok(edited);
    const text = readFileSync(b, 'utf8');
    assert.ok(text.endsWith(edit), "the user's edit is kept");
    assert.match(text, /allowPrivilegeEscalation: false/, 'and the file is fixed');
    assert.doesNotMatch(r.out, /not written/);
  });

  it('a link is written through only when its target lies inside the given paths', () => {
    const outside = tree({ 'o.yaml': FIXABLE });
    const dir = tree({ 'target.yaml': FIXABLE });
    symlinkSync(join(outside, 'o.yaml'), join(dir, 'out.yaml'));
    symlinkSync('target.yaml', join(dir, 'in.yaml'));
    // Named alone, a link's target lies under no path given: reported, not written.
    const alone = cli(['--fix', join(dir, 'out.yaml')]);
    assert.equal(readFileSync(join(outside, 'o.yaml'), 'utf8'), FIXABLE, 'outside: untouched');
    assert.match(
      alone.out,
      /out\.yaml {2}error {2}--fix: not written: a symbolic link to .*outside the paths given/,
    );
    // Found by walking the directory: the target inside is replaced, the link stays a link.
    const walked = cli(['--fix', dir]);
    assert.equal(readFileSync(join(outside, 'o.yaml'), 'utf8'), FIXABLE);
    assert.match(walked.out, /out\.yaml {2}note {2}read through a symbolic link/);
    assert.match(readFileSync(join(dir, 'target.yaml'), 'utf8'), /allowPrivilegeEscalation: false/);
    assert.ok(lstatSync(join(dir, 'in.yaml')).isSymbolicLink());
    assert.equal(readdirSync(dir).sort().join(','), 'in.yaml,out.yaml,target.yaml');
    // The link and its target together: the target is given, so the link writes it.
    const both = tree({ 't.yaml': FIXABLE });
    symlinkSync('t.yaml', join(both, 'l.yaml'));
    const r = cli(['--fix', join(both, 'l.yaml'), join(both, 't.yaml')]);
    assert.match(readFileSync(join(both, 't.yaml'), 'utf8'), /allowPrivilegeEscalation: false/);
    assert.doesNotMatch(r.out, /not written/);
  });

  it('a hard-linked file is reported, and written in place only with --fix-hard-links', () => {
    const dir = tree({ 'a.yaml': FIXABLE });
    const other = join(mkdtempSync(join(tmpdir(), 'podsec-fix-')), 'b.yaml');
    linkSync(join(dir, 'a.yaml'), other);
    const r = cli(['--fix', dir]);
    assert.match(r.out, /not written: the file has 2 hard links.*--fix-hard-links/);
    assert.equal(readFileSync(other, 'utf8'), FIXABLE);
    const ino = statSync(other).ino;
    const r2 = cli(['--fix', '--fix-hard-links', dir]);
    assert.match(r2.out, /fixed/);
    assert.match(
      readFileSync(other, 'utf8'),
      /allowPrivilegeEscalation: false/,
      'both names see it',
    );
    assert.equal(statSync(join(dir, 'a.yaml')).ino, ino, 'the same inode');
  });

  it('a full disk while extending a hard-linked file in place loses nothing', () => {
    const dir = tree({ 'a.yaml': FIXABLE });
    linkSync(join(dir, 'a.yaml'), join(dir, 'a-link.yml'));
    const fs = failing((call) => (call === 'writeSync' ? 'ENOSPC' : null));
    const r = cli(['--fix', '--fix-hard-links', join(dir, 'a.yaml')], { fs });
    assert.equal(readFileSync(join(dir, 'a.yaml'), 'utf8'), FIXABLE);
    assert.match(
      r.out,
      /not written: no space left on the device \(ENOSPC\); the file is unchanged/,
    );
  });

  it('boolean flags take no value: --fix=false is a usage error and changes nothing', () => {
    const dir = tree({ 'p.yaml': FIXABLE });
    const r = cli(['--fix=false', join(dir, 'p.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--fix takes no value/);
    assert.equal(readFileSync(join(dir, 'p.yaml'), 'utf8'), FIXABLE);
    assert.match(cli(['--help']).out, /Flags take no value: "--fix=false" is a usage error/);
    assert.equal(cli(['--no-color=1', join(dir, 'p.yaml')]).code, 2);
  });
});
