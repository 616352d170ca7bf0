/**
 * Whole files the command line reads or writes besides its inputs: values
 * files, `.podsec.yaml`, admission configurations and baselines (read
 * through the bounded, regular-file-only reader); fixed chart and overlay
 * files, reports (`--output`), baselines and starter configurations (written
 * atomically, never over a change made while podsec ran).
 */
import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { FsSeam } from './fs';
import { describeCode, errorCode, kindOf, nodeFs } from './fs';
import type { FileIdentity } from './read';
import { readRegular } from './read';
import type { WriteData, WriteOutcome } from './write';
import { bytesOf, closeQuietly, replaceThroughTemp, writeFixed } from './write';
import { insideRoots } from './walk';

/** Largest baseline read (a baseline of a very large repository is a few megabytes). */
export const MAX_BASELINE_BYTES = 256 * 1024 * 1024;

export type TextRead =
  | { kind: 'ok'; text: string; bom: boolean; identity: FileIdentity }
  /** `code`: the error code when the read failed (ENOENT, EACCES...). */
  | { kind: 'unread'; reason: string; code?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A regular file of UTF-8 text of at most `limit` bytes (links followed), BOM removed. */
export function readTextFile(path: string, limit: number, fs: FsSeam = nodeFs): TextRead {
  const r = readRegular(path, limit, fs);
  switch (r.kind) {
    case 'ok': {
      let text: string;
      try {
        text = utf8.decode(r.bytes);
      } catch {
        return { kind: 'unread', reason: 'not read: not valid UTF-8 text' };
      }
      const bom = text.charCodeAt(0) === 0xfeff;
      return { kind: 'ok', text: bom ? text.slice(1) : text, bom, identity: r.identity };
    }
    case 'special':
      return { kind: 'unread', reason: r.reason };
    case 'too-large':
      return {
        kind: 'unread',
        reason: `not read: ${r.size} bytes is over the limit of ${r.limit} bytes`,
      };
    case 'error':
      return { kind: 'unread', reason: `cannot read: ${describeCode(r.code)}`, code: r.code };
  }
}

/** The text of `readTextFile`, or null when it cannot be read. */
export function readTextOrNull(path: string, limit: number, fs: FsSeam = nodeFs): string | null {
  const r = readTextFile(path, limit, fs);
  return r.kind === 'ok' ? r.text : null;
}

/**
 * Replace the text `from` of a file with `to`, only if the file still holds
 * `from` (the text the fix was computed on) and is the file podsec read:
 * written atomically as `writeFixed` does, byte-order mark kept.
 */
export function rewriteText(
  path: string,
  from: string,
  to: string,
  o: { limit: number; outside: boolean; inPlaceHardLinks: boolean; fs?: FsSeam },
): WriteOutcome {
  const fs = o.fs ?? nodeFs;
  const now = readTextFile(path, o.limit, fs);
  if (now.kind !== 'ok')
    return { kind: 'failed', code: 'EREAD', reason: `not written: ${now.reason}` };
  if (now.text !== from) {
    return {
      kind: 'changed',
      reason: 'changed on disk since podsec read it: not written (run podsec again)',
    };
  }
  return writeFixed({
    path,
    data: Buffer.from((now.bom ? '\ufeff' : '') + to, 'utf8'),
    expected: now.identity,
    outside: o.outside,
    inPlaceHardLinks: o.inPlaceHardLinks,
    fs,
  });
}

/**
 * Whether a path's real location lies outside every path given (a link out
 * of the tree): its fixes are not written there.
 */
export function outsideOf(
  given: readonly string[],
  fs: FsSeam = nodeFs,
): (path: string) => boolean {
  let roots: Array<{ real: string; dir: boolean }> | null = null;
  return (path) => {
    if (roots === null) {
      roots = [];
      for (const g of given) {
        if (g === '-') continue;
        try {
          roots.push({ real: fs.realpathSync(g), dir: fs.statSync(g).isDirectory() });
        } catch {
          // a path that does not exist holds nothing to write
        }
      }
    }
    let real: string;
    try {
      real = fs.realpathSync(path);
    } catch {
      // A file to be created: where its folder really is.
      try {
        real = join(fs.realpathSync(dirname(path)), basename(path));
      } catch {
        return false;
      }
    }
    return !insideRoots(real, roots);
  };
}

/** One line for a write that did not happen: `cannot write <what>: ENOSPC`, or why it was left alone. */
export function writeProblem(what: string, w: WriteOutcome): string {
  if (w.kind === 'written') return '';
  return w.kind === 'failed' ? `cannot write ${what}: ${w.code}` : `${what}: ${w.reason}`;
}

/** What a path podsec will write whole held when the run began. */
export type TargetState =
  | { kind: 'absent' }
  | { kind: 'file'; dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint }
  /** A device, a FIFO (`/dev/null`, `/dev/stdout`): written to as it is, not replaced. */
  | { kind: 'special'; what: string }
  | { kind: 'unusable'; reason: string };

export function targetState(path: string, fs: FsSeam = nodeFs): TargetState {
  let st: BigIntStats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    const code = errorCode(e);
    if (code !== 'ENOENT') return { kind: 'unusable', reason: describeCode(code) };
    try {
      if (fs.lstatSync(path).isSymbolicLink())
        return { kind: 'unusable', reason: 'a dangling symbolic link' };
    } catch {
      // nothing there
    }
    return { kind: 'absent' };
  }
  if (st.isFile()) {
    return { kind: 'file', dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs };
  }
  if (st.isDirectory()) return { kind: 'unusable', reason: 'is a directory' };
  return { kind: 'special', what: kindOf(st) };
}

function sameState(a: TargetState, b: TargetState): boolean {
  if (a.kind === 'file' && b.kind === 'file') {
    return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
  }
  return a.kind === b.kind;
}

const CHANGED_TARGET = 'changed on disk while podsec ran: not written (run podsec again)';

/**
 * Write a whole file podsec makes (a report, a baseline, a starter
 * configuration): a temporary file beside the target (a link's target),
 * written piece by piece when `data` comes in pieces, synced, renamed over it, keeping an existing file's mode and owner. When
 * the path changed since `expected` was taken (created, replaced, edited),
 * nothing is written. A device or FIFO is written to directly.
 */
export function writeWhole(
  path: string,
  data: WriteData,
  o: { expected?: TargetState; mode?: number; fs?: FsSeam } = {},
): WriteOutcome {
  const fs = o.fs ?? nodeFs;
  const now = targetState(path, fs);
  const expected = o.expected ?? now;
  if (!sameState(now, expected)) return { kind: 'changed', reason: CHANGED_TARGET };
  if (now.kind === 'unusable') {
    const code = now.reason === 'is a directory' ? 'EISDIR' : 'EINVAL';
    return { kind: 'failed', code, reason: `not written: ${now.reason}` };
  }
  if (now.kind === 'special') return writeSpecial(fs, path, data);
  let real: string;
  try {
    real = now.kind === 'absent' ? resolve(path) : fs.realpathSync(path);
  } catch (e) {
    const code = errorCode(e);
    return { kind: 'failed', code, reason: `not written: ${describeCode(code)}` };
  }
  return replaceThroughTemp(fs, real, data, {
    createMode: o.mode ?? 0o666,
    keep: () => (now.kind === 'file' ? fs.statSync(real) : null),
    // A last look: a file made or edited meanwhile wins.
    unchanged: () => sameState(targetState(path, fs), expected),
    changed: CHANGED_TARGET,
    failed: '',
  });
}

/** A device or a FIFO: opened without creating or truncating, written from the start. */
function writeSpecial(fs: FsSeam, path: string, data: WriteData): WriteOutcome {
  let fd: number | null = null;
  try {
    // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of waiting for ever.
    fd = fs.openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
    if (fs.fstatSync(fd).isFile()) return { kind: 'changed', reason: CHANGED_TARGET };
    const wait = new Int32Array(new SharedArrayBuffer(4));
    for (const piece of bytesOf(data)) {
      let done = 0;
      while (done < piece.length) {
        let n: number;
        try {
          n = fs.writeSync(fd, piece, done, piece.length - done, null);
        } catch (e) {
          if (errorCode(e) !== 'EAGAIN') throw e;
          // A full pipe: its reader is behind.
          Atomics.wait(wait, 0, 0, 20);
          continue;
        }
        if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        done += n;
      }
    }
    return { kind: 'written', inPlace: true };
  } catch (e) {
    const code = errorCode(e);
    const why = code === 'ENXIO' ? 'a FIFO nobody reads (ENXIO)' : describeCode(code);
    return { kind: 'failed', code, reason: `not written: ${why}` };
  } finally {
    closeQuietly(fs, fd);
  }
}
