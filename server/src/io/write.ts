/**
 * Writing a fixed file so that no byte of the user's is ever lost.
 *
 * The new text goes to a temporary file in the same directory, is synced to
 * the disk, and is renamed over the original: at every moment the path holds
 * either the old file or the new one, whole (a full disk, a kill -9, a
 * read-only file system leave the original as it was). The original's mode is
 * kept, and its owner where the system allows.
 *
 * Nothing is written when:
 * - the file was reached through a symbolic link whose target lies outside
 *   the paths given;
 * - the file changed on disk since podsec read it (device, inode, size,
 *   modification time, or content hash differ): the user's edit wins;
 * - the file is read-only (no write bit in its mode);
 * - the file has other hard links, unless in-place writing was asked for
 *   (a rename would split the links): then the file is extended first, so a
 *   full disk fails before any old byte is overwritten.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FsSeam } from './fs';
import { describeCode, errorCode, nodeFs } from './fs';
import type { FileIdentity } from './read';
import { readBounded, sha256 } from './read';

export interface WriteRequest {
  path: string;
  data: Buffer;
  /** The file as podsec read it. */
  expected: FileIdentity;
  /** Reached through a link whose target lies outside the given paths. */
  outside: boolean;
  /** Write files with other hard links in place (else they are not written). */
  inPlaceHardLinks: boolean;
  fs?: FsSeam;
}

export type WriteOutcome =
  | { kind: 'written'; inPlace: boolean }
  /** Not written by design (outside, read-only, hard links): the reason says why. */
  | { kind: 'refused'; reason: string }
  /** Changed on disk since read: left as the user left it. */
  | { kind: 'changed'; reason: string }
  /** The write failed (ENOSPC, EROFS, EACCES...): the original is intact. */
  | { kind: 'failed'; code: string; reason: string };

const CHANGED = 'changed on disk since podsec read it: not written (run podsec again)';

function sameFile(a: BigIntStats, e: FileIdentity): boolean {
  return a.dev === e.dev && a.ino === e.ino && a.size === BigInt(e.size) && a.mtimeNs === e.mtimeNs;
}

export function writeAll(fs: FsSeam, fd: number, data: Buffer, position: number): void {
  let done = 0;
  while (done < data.length) {
    const n = fs.writeSync(fd, data, done, data.length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    done += n;
  }
}

/**
 * What a write puts in its file: the bytes, or the text in pieces (a report
 * rendered one file at a time), each written as it comes so the whole is
 * never held at once.
 */
export type WriteData = Buffer | Iterable<string>;

/** The pieces of `data` as bytes, one at a time. */
export function* bytesOf(data: WriteData): Generator<Buffer> {
  if (Buffer.isBuffer(data)) {
    yield data;
    return;
  }
  for (const piece of data) if (piece.length > 0) yield Buffer.from(piece, 'utf8');
}

export function closeQuietly(fs: FsSeam, fd: number | null): void {
  if (fd === null) return;
  try {
    fs.closeSync(fd);
  } catch {
    // the handle is gone either way
  }
}

export function writeFixed(req: WriteRequest): WriteOutcome {
  const fs = req.fs ?? nodeFs;
  let real: string;
  try {
    real = fs.realpathSync(req.path);
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT')
      return { kind: 'changed', reason: `removed since podsec read it: not written` };
    return { kind: 'failed', code, reason: `not written: ${describeCode(code)}` };
  }
  if (req.outside) {
    return {
      kind: 'refused',
      reason: `not written: a symbolic link to ${real}, outside the paths given`,
    };
  }

  // The file as it is now must be the file as it was read.
  let current: BigIntStats;
  let fd: number | null = null;
  try {
    fd = fs.openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
    current = fs.fstatSync(fd);
    if (!current.isFile() || !sameFile(current, req.expected)) {
      return { kind: 'changed', reason: CHANGED };
    }
    const now = readBounded(fd, req.expected.size, fs);
    if (now === null || sha256(now) !== req.expected.hash)
      return { kind: 'changed', reason: CHANGED };
  } catch (e) {
    const code = errorCode(e);
    return { kind: 'failed', code, reason: `not written: ${describeCode(code)}` };
  } finally {
    closeQuietly(fs, fd);
  }

  const mode = Number(current.mode) & 0o7777;
  if ((mode & 0o222) === 0) {
    return {
      kind: 'refused',
      reason: `not written: the file is read-only (mode ${mode.toString(8).padStart(4, '0')})`,
    };
  }
  const links = Number(current.nlink);
  if (links > 1) {
    if (!req.inPlaceHardLinks) {
      return {
        kind: 'refused',
        reason: `not written: the file has ${links} hard links, which replacing it would split (--fix-hard-links writes it in place)`,
      };
    }
    return writeInPlace(fs, real, req.data, Number(current.size));
  }
  return writeAtomic(fs, real, req.data, current);
}

/** A fresh hidden temporary name in the folder of `real` (the rename stays on one file system). */
export function tempPathBeside(real: string): string {
  return join(
    dirname(real),
    `.${basename(real)}.podsec-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
}

function writeAtomic(fs: FsSeam, real: string, data: Buffer, original: BigIntStats): WriteOutcome {
  return replaceThroughTemp(fs, real, data, {
    createMode: 0o600,
    keep: () => original,
    // A last look: an edit made while the new text was written wins.
    unchanged: () => {
      const now = fs.statSync(real);
      return (
        now.dev === original.dev &&
        now.ino === original.ino &&
        now.size === original.size &&
        now.mtimeNs === original.mtimeNs
      );
    },
    changed: CHANGED,
    failed: '; the file is unchanged',
  });
}

/**
 * The atomic replacement every write of podsec ends in: `data` (bytes, or
 * text in pieces, each written as it comes) goes to a
 * fresh temporary file beside `real` (created with `createMode`, then given
 * the mode and, where allowed, the owner of what `keep` returns), synced,
 * and renamed over `real` unless `unchanged()` says the target changed
 * meanwhile (then nothing is written: `changed` says why); the folder is
 * synced after. On any failure the temporary file is removed and the target
 * is as it was; `failed` is appended to the error's words.
 */
export function replaceThroughTemp(
  fs: FsSeam,
  real: string,
  data: WriteData,
  o: {
    createMode: number;
    keep: () => { mode: number | bigint; uid: number | bigint; gid: number | bigint } | null;
    unchanged: () => boolean;
    changed: string;
    failed: string;
  },
): WriteOutcome {
  const tmp = tempPathBeside(real);
  let fd: number | null = null;
  let created = false;
  try {
    fd = fs.openSync(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      o.createMode,
    );
    created = true;
    let at = 0;
    for (const piece of bytesOf(data)) {
      writeAll(fs, fd, piece, at);
      at += piece.length;
    }
    const keep = o.keep();
    if (keep) {
      fs.fchmodSync(fd, Number(keep.mode) & 0o7777);
      try {
        fs.fchownSync(fd, Number(keep.uid), Number(keep.gid));
      } catch {
        // only root may give a file away; the mode is kept regardless
      }
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    if (!o.unchanged()) {
      fs.unlinkSync(tmp);
      created = false;
      return { kind: 'changed', reason: o.changed };
    }
    fs.renameSync(tmp, real);
    created = false;
    syncDir(fs, dirname(real));
    return { kind: 'written', inPlace: false };
  } catch (e) {
    closeQuietly(fs, fd);
    if (created) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // nothing more can be done; the target is as it was
      }
    }
    const code = errorCode(e);
    return { kind: 'failed', code, reason: `not written: ${describeCode(code)}${o.failed}` };
  }
}

export function syncDir(fs: FsSeam, dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, constants.O_RDONLY);
    fs.fsyncSync(fd);
  } catch {
    // not every file system syncs directories; the rename itself is done
  } finally {
    closeQuietly(fs, fd);
  }
}

/**
 * Hard-linked files: written through the same inode. The part past the old
 * end is written first, so running out of space fails (and is undone) before
 * any old byte is overwritten.
 */
function writeInPlace(fs: FsSeam, real: string, data: Buffer, oldSize: number): WriteOutcome {
  let fd: number | null = null;
  let grown = false;
  let overwriting = false;
  try {
    fd = fs.openSync(real, constants.O_WRONLY | constants.O_NONBLOCK);
    if (data.length > oldSize) {
      grown = true;
      writeAll(fs, fd, data.subarray(oldSize), oldSize);
      fs.fsyncSync(fd);
    }
    grown = false;
    overwriting = true;
    writeAll(fs, fd, data.subarray(0, Math.min(oldSize, data.length)), 0);
    fs.ftruncateSync(fd, data.length);
    fs.fsyncSync(fd);
    return { kind: 'written', inPlace: true };
  } catch (e) {
    if (grown && fd !== null) {
      try {
        fs.ftruncateSync(fd, oldSize);
      } catch {
        // the old bytes were not touched; only the tail may remain
      }
    }
    const code = errorCode(e);
    return {
      kind: 'failed',
      code,
      reason: overwriting
        ? `written in place only in part: ${describeCode(code)}; check the file`
        : `not written: ${describeCode(code)}; the file is unchanged`,
    };
  } finally {
    closeQuietly(fs, fd);
  }
}
