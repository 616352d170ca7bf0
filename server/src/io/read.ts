/**
 * Reading one file safely: opened without blocking (a FIFO opened for reading
 * would wait for a writer; O_NONBLOCK returns at once), checked on the open
 * handle to be a regular file (so a file swapped for a FIFO or a device after
 * a directory listing is caught), and read with the size limit enforced while
 * reading (a file that grows, or lies about its size, stops at the limit).
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import type { FsSeam } from './fs';
import { errorCode, kindOf, nodeFs } from './fs';

/** What identifies a file's content as podsec read it, to notice a change before writing. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: number;
  mtimeNs: bigint;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** SHA-256 of the bytes read, hex. */
  hash: string;
}

export type ReadOutcome =
  | { kind: 'ok'; bytes: Buffer; identity: FileIdentity }
  /** Not a regular file: not read (never opened in a way that blocks). */
  | { kind: 'special'; reason: string }
  /** More bytes than the limit: not read past it. */
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'error'; code: string; reason: string };

const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);
const CHUNK = 64 * 1024;

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function identityOf(st: BigIntStats, bytes: Buffer): FileIdentity {
  return {
    dev: st.dev,
    ino: st.ino,
    size: bytes.length,
    mtimeNs: st.mtimeNs,
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    nlink: Number(st.nlink),
    hash: sha256(bytes),
  };
}

/**
 * Read at most `limit` bytes from an open handle; `null` when there are more.
 * `retry` is called on EAGAIN (standard input in non-blocking mode) and
 * decides whether to try again.
 */
export function readBounded(
  fd: number,
  limit: number,
  fs: FsSeam = nodeFs,
  retry: () => boolean = () => false,
): Buffer | null {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // Ask for one byte past the limit, so a file exactly at the limit is read whole.
    const want = Math.min(CHUNK, limit + 1 - total);
    const buf = Buffer.allocUnsafe(want);
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, want, null);
    } catch (e) {
      if (errorCode(e) === 'EAGAIN' && retry()) continue;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) return null;
    chunks.push(n === want ? buf : buf.subarray(0, n));
  }
  return Buffer.concat(chunks, total);
}

/** Read `path` if it is a regular file of at most `limit` bytes. Links are followed. */
export function readRegular(path: string, limit: number, fs: FsSeam = nodeFs): ReadOutcome {
  let fd: number;
  try {
    fd = fs.openSync(path, READ_FLAGS);
  } catch (e) {
    const code = errorCode(e);
    return { kind: 'error', code, reason: `cannot read: ${code}` };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      return { kind: 'special', reason: `not read: a ${kindOf(st)}, not a regular file` };
    }
    if (st.size > BigInt(limit)) return { kind: 'too-large', size: Number(st.size), limit };
    const bytes = readBounded(fd, limit, fs);
    if (bytes === null)
      return { kind: 'too-large', size: Math.max(limit + 1, Number(fs.fstatSync(fd).size)), limit };
    return { kind: 'ok', bytes, identity: identityOf(st, bytes) };
  } catch (e) {
    const code = errorCode(e);
    return { kind: 'error', code, reason: `cannot read: ${code}` };
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // closing a read-only handle loses nothing
    }
  }
}

/**
 * Bytes from an already open handle (standard input) with the same checks:
 * a directory is refused, everything else (pipe, file, terminal, device) is
 * read up to the limit.
 */
export function readHandle(
  fd: number,
  limit: number,
  fs: FsSeam = nodeFs,
):
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'too-large'; limit: number }
  | { kind: 'error'; reason: string } {
  let st: BigIntStats;
  try {
    st = fs.fstatSync(fd);
  } catch (e) {
    return { kind: 'error', reason: `cannot be read (${errorCode(e)})` };
  }
  if (st.isDirectory()) return { kind: 'error', reason: 'is a directory, not a file or a pipe' };
  const wait = new Int32Array(new SharedArrayBuffer(4));
  try {
    const bytes = readBounded(fd, limit, fs, () => {
      // Standard input in non-blocking mode (a terminal, some pipes): wait for data.
      Atomics.wait(wait, 0, 0, 20);
      return true;
    });
    return bytes === null ? { kind: 'too-large', limit } : { kind: 'ok', bytes };
  } catch (e) {
    return { kind: 'error', reason: `cannot be read (${errorCode(e)})` };
  }
}
