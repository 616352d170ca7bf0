/**
 * Reading the workspace's YAML files from disk: the scan for Namespace
 * labels and the workspace report. Owns no state.
 *
 * The folders are walked by the command line's walker (`io/walk.ts`): each
 * real directory once by device and inode, VCS and node_modules folders
 * skipped, links to directories not entered (the workspace is its real
 * tree), FIFOs, sockets and devices named and never opened, a link whose
 * target lies outside the folder not read. Each listed file is then read by
 * `readWorkspaceFile`: resolved again, opened without following a link and
 * without blocking, checked on the open handle, bounded while reading. The
 * walk is one step at a time; the scan yields to the event loop between
 * steps, so a huge tree never stalls the server.
 */
import { constants, promises as fs } from 'node:fs';
import { errorCode, insideRoots, walkSteps } from '../io/index';
import type { WalkSkip, WalkSteps } from '../io/index';

export interface ScanLimits {
  maxFileSize: number;
  /** Stop after this many YAML files (a safety net for huge trees). */
  maxFiles: number;
}

/** Why a file was not read. */
export type SkipReason =
  'not a regular file' | 'outside the workspace' | 'over the size limit' | 'unreadable';

export type ReadResult = { text: string } | { skipped: SkipReason; detail?: string };

/** What a scan left out (counted by reason). */
export type ScanSkips = Map<SkipReason, number>;

// Not on every platform (Windows has neither): then 0, which changes nothing.
const O_NONBLOCK = (constants as Record<string, number>).O_NONBLOCK ?? 0;
const O_NOFOLLOW = (constants as Record<string, number>).O_NOFOLLOW ?? 0;

/**
 * Reads a workspace file, or says why not. The path is resolved (links
 * followed) and must lie inside one of `roots` (already resolved); the resolved
 * path is then opened without following a link and without blocking (a FIFO
 * opens at once), and the OPEN HANDLE must be a regular file: a file swapped
 * for a FIFO, a device or a link after it was listed or stat'ed is never
 * read. At most the limit is read (three bytes per character, the most UTF-8
 * needs), so a file that grows while it is read costs no more; its text must
 * fit `maxChars` characters.
 */
export async function readWorkspaceFile(
  file: string,
  roots: readonly string[],
  maxChars: number,
): Promise<ReadResult> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    return { skipped: 'unreadable', detail: errorCode(e) };
  }
  if (
    !insideRoots(
      real,
      roots.map((r) => ({ real: r, dir: true })),
    )
  ) {
    return { skipped: 'outside the workspace' };
  }
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (e) {
    return {
      skipped: errorCode(e) === 'ELOOP' ? 'outside the workspace' : 'unreadable',
      detail: errorCode(e),
    };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { skipped: 'not a regular file' };
    const maxBytes = maxChars * 3;
    if (st.size > maxBytes) return { skipped: 'over the size limit' };
    // Read what fstat promised plus one byte, to see a file that grew past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    let want = Math.min(maxBytes + 1, st.size + 1);
    for (;;) {
      // The file grew since fstat: keep reading, still bounded by the limit.
      if (total >= want) want = maxBytes + 1;
      const buf = Buffer.allocUnsafe(Math.min(want - total, 1 << 20));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) return { skipped: 'over the size limit' };
    }
    const text = Buffer.concat(chunks, total).toString('utf8');
    if (text.length > maxChars) return { skipped: 'over the size limit' };
    return { text };
  } catch (e) {
    return { skipped: 'unreadable', detail: errorCode(e) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A folder with its links resolved (itself if it cannot be resolved). */
export function resolvedRoot(root: string): Promise<string> {
  return fs.realpath(root).catch(() => root);
}

/** How the server counts a path the walker named: null when nothing was missed. */
function reasonOf(skip: WalkSkip): SkipReason | null {
  if (!skip.counted) return null;
  switch (skip.kind) {
    case 'special':
      return skip.outside ? 'outside the workspace' : 'not a regular file';
    case 'outside':
      return 'outside the workspace';
    default:
      return 'unreadable';
  }
}

/** Files read at once by a scan. */
const READ_BATCH = 8;
/** Walk steps between two turns of the event loop. */
const STEPS_PER_TURN = 256;

const nextTurn = (): Promise<void> => new Promise((done) => setImmediate(done));

/**
 * Every YAML file under `root`, in the walker's order, with its text. Each
 * file left out is counted in `skips` by reason; the walk's work is counted
 * in `steps` when given. Reads only, executes nothing.
 */
export async function* yamlFiles(
  root: string,
  limits: ScanLimits,
  cancelled: () => boolean,
  skips: ScanSkips = new Map(),
  steps?: WalkSteps,
): AsyncGenerator<{ file: string; text: string }> {
  const realRoot = await resolvedRoot(root);
  const skip = (why: SkipReason) => skips.set(why, (skips.get(why) ?? 0) + 1);
  let listed = 0;
  let batch: string[] = [];
  let sinceTurn = 0;
  async function* read(): AsyncGenerator<{ file: string; text: string }> {
    const files = batch;
    batch = [];
    // A few reads at a time (file system latency, not CPU, is what a scan waits for), in order.
    const results = await Promise.all(
      files.map((f) => readWorkspaceFile(f, [realRoot], limits.maxFileSize)),
    );
    for (const [i, r] of results.entries()) {
      if ('text' in r) yield { file: files[i]!, text: r.text };
      else skip(r.skipped);
    }
  }
  const walker = walkSteps([root], {
    followDirLinks: false,
    sameFileOnce: false,
    ...(steps ? { steps } : {}),
  });
  for (const step of walker) {
    if (cancelled()) return;
    if (step.type === 'file') {
      if (step.file.outside) skip('outside the workspace');
      else {
        batch.push(step.file.path);
        listed++;
      }
    } else if (step.type === 'skip') {
      const why = reasonOf(step.skip);
      if (why) skip(why);
    } else if (step.type === 'error') {
      // A directory that cannot be listed (no permission): its files are missed.
      if (step.error.path !== root) skip('unreadable');
    }
    if (batch.length >= READ_BATCH || listed >= limits.maxFiles) {
      yield* read();
      if (listed >= limits.maxFiles) return;
      sinceTurn = 0;
    } else if (++sinceTurn >= STEPS_PER_TURN) {
      sinceTurn = 0;
      await nextTurn();
    }
  }
  if (cancelled()) return;
  if (batch.length > 0) yield* read();
}
