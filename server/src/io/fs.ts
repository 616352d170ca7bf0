/**
 * The file-system calls podsec's reading and writing go through. `nodeFs` is
 * the real one; tests pass a wrapper that fails a chosen call (ENOSPC on a
 * write, EROFS on a rename) to check that no byte is lost when it does.
 */
import * as fs from 'node:fs';

export interface FsSeam {
  openSync: (path: string, flags: number, mode?: number) => number;
  fstatSync: (fd: number) => fs.BigIntStats;
  readSync: (
    fd: number,
    buffer: Buffer,
    offset: number,
    length: number,
    position: number | null,
  ) => number;
  writeSync: (
    fd: number,
    buffer: Buffer,
    offset: number,
    length: number,
    position: number | null,
  ) => number;
  ftruncateSync: (fd: number, length: number) => void;
  fsyncSync: (fd: number) => void;
  fchmodSync: (fd: number, mode: number) => void;
  fchownSync: (fd: number, uid: number, gid: number) => void;
  closeSync: (fd: number) => void;
  renameSync: (from: string, to: string) => void;
  unlinkSync: (path: string) => void;
  lstatSync: (path: string) => fs.BigIntStats;
  statSync: (path: string) => fs.BigIntStats;
  realpathSync: (path: string) => string;
  readdirSync: (path: string) => fs.Dirent[];
}

export const nodeFs: FsSeam = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  fstatSync: (fd) => fs.fstatSync(fd, { bigint: true }),
  readSync: (fd, buffer, offset, length, position) =>
    fs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length, position) =>
    fs.writeSync(fd, buffer, offset, length, position),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fchmodSync: (fd, mode) => fs.fchmodSync(fd, mode),
  fchownSync: (fd, uid, gid) => fs.fchownSync(fd, uid, gid),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (path) => fs.unlinkSync(path),
  lstatSync: (path) => fs.lstatSync(path, { bigint: true }),
  statSync: (path) => fs.statSync(path, { bigint: true }),
  realpathSync: (path) => fs.realpathSync.native(path),
  readdirSync: (path) => fs.readdirSync(path, { withFileTypes: true }),
};

/** The error code of a failed call (`ENOENT`), or the error's text. */
export function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : String(e);
}

/** What kind of file a stat describes, in words, for "not read" reasons. */
export function kindOf(st: fs.BigIntStats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO (named pipe)';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSymbolicLink()) return 'symbolic link';
  return 'special file';
}

/** Words for the common error codes of reading and writing. */
export function describeCode(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'disk quota exceeded (EDQUOT)';
    case 'EROFS':
      return 'read-only file system (EROFS)';
    case 'ENAMETOOLONG':
      return 'path too long for the operating system (ENAMETOOLONG)';
    case 'ELOOP':
      return 'too many levels of symbolic links (ELOOP)';
    case 'EISDIR':
      return 'is a directory (EISDIR)';
    case 'EIO':
      return 'input/output error (EIO)';
    default:
      return code;
  }
}
