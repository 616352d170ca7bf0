/**
 * The one directory walker: the command line expands the paths it is given
 * with it, and the language server scans its workspace folders with it.
 *
 * - Directories are searched for names `match` accepts, skipping
 *   `skipDirs`, in a stable (sorted, depth-first) order.
 * - Each real directory is searched once, by device and inode: two links to
 *   `.`, a two-directory loop or a bind mount of a parent end at once, and
 *   are named. With `sameFileOnce` (the default) each real file is listed
 *   once too, and a second way to it is named.
 * - Only regular files are listed. FIFOs, sockets and devices, directly or
 *   through a link, are named as not read, with what they are. The walker
 *   only looks (lstat, stat, realpath, readdir): it opens no file, so the
 *   reader must still check the open handle (a file can be swapped after it
 *   was listed).
 * - A link is followed for reading when it resolves to a regular file. A
 *   link to a directory is searched when `followDirLinks` (the default) and
 *   it lies inside the given paths; a link to a directory outside them is not
 *   searched. Files reached through a link outside the given paths are marked
 *   so (`--fix` does not write them; the server does not read them).
 * - Dangling links, link loops and paths too long for the system are named.
 * - It is a generator: each directory and entry is one step, counted in
 *   `steps` when given, and a caller may pause between steps (the language
 *   server yields to its event loop) or stop early.
 */
import { basename, join, resolve, sep } from 'node:path';
import type { BigIntStats, Dirent } from 'node:fs';
import type { FsSeam } from './fs';
import { describeCode, errorCode, kindOf, nodeFs } from './fs';

export interface WalkedFile {
  path: string;
  /** The file's real path (links resolved). */
  real: string;
  /** Reached through a symbolic link (the path itself or a directory on the way). */
  viaLink: boolean;
  /** The real path lies outside every path given. */
  outside: boolean;
}

/**
 * Why a path was not listed: `special` (not a regular file), `dangling` (a
 * link to nothing), `unreadable` (a path too long, a link loop, no
 * permission), `outside` (a link to a directory outside the given paths),
 * `same-file` and `same-dir` (a second way to what was listed already).
 */
export type WalkSkipKind =
  'special' | 'dangling' | 'unreadable' | 'outside' | 'same-file' | 'same-dir';

export interface WalkSkip {
  path: string;
  reason: string;
  kind: WalkSkipKind;
  /** For a link: its target lies outside every path given. */
  outside?: boolean;
  /**
   * True when content may have been missed (a FIFO, a dangling link, a path
   * too long): counted as skipped. False for a loop or a second way to a file
   * already checked: nothing is missed, the path is named only.
   */
  counted: boolean;
}

export interface WalkError {
  path: string;
  message: string;
}

export interface WalkResult {
  files: WalkedFile[];
  skipped: WalkSkip[];
  /** Paths given that cannot be read at all (missing, no permission): read errors. */
  errors: WalkError[];
}

/** One step of a walk, as `walkSteps` yields it. */
export type WalkStep =
  | { type: 'file'; file: WalkedFile }
  | { type: 'skip'; skip: WalkSkip }
  | { type: 'error'; error: WalkError }
  /** A directory was listed (a point where a caller may pause). */
  | { type: 'dir'; path: string };

/** The work a walk did, counted (tests bound it; no clock). */
export interface WalkSteps {
  /** Directories listed. */
  dirs: number;
  /** Directory entries looked at. */
  entries: number;
}

export interface WalkOptions {
  match?: (name: string) => boolean;
  skipDirs?: ReadonlySet<string>;
  fs?: FsSeam;
  /** Search links to directories inside the given paths (default true); false passes them over. */
  followDirLinks?: boolean;
  /** List each real file once, naming any second path to it (default true). */
  sameFileOnce?: boolean;
  /** Counted as the walk goes. */
  steps?: WalkSteps;
}

export const YAML_NAME = (name: string): boolean => /\.ya?ml$/i.test(name);
/** Folders never searched: version control and installed packages. */
export const SKIP_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', '.hg', '.svn']);

const idOf = (st: BigIntStats): string => `${st.dev}:${st.ino}`;
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Whether `real` is one of `roots` or lies under one of the directory roots. */
export function insideRoots(
  real: string,
  roots: ReadonlyArray<{ real: string; dir: boolean }>,
): boolean {
  return roots.some(
    (r) =>
      real === r.real ||
      (r.dir && (real.startsWith(r.real.endsWith(sep) ? r.real : r.real + sep) || r.real === sep)),
  );
}

/** Walks `paths` and collects every step: the files to read, the paths named as skipped, the errors. */
export function walk(paths: readonly string[], o: WalkOptions = {}): WalkResult {
  const out: WalkResult = { files: [], skipped: [], errors: [] };
  for (const s of walkSteps(paths, o)) {
    if (s.type === 'file') out.files.push(s.file);
    else if (s.type === 'skip') out.skipped.push(s.skip);
    else if (s.type === 'error') out.errors.push(s.error);
  }
  return out;
}

interface Root {
  path: string;
  real: string;
  st: BigIntStats;
  link: boolean;
  dir: boolean;
}

/** A directory being searched: its sorted entries and how far the search is. */
interface Frame {
  path: string;
  entries: Dirent[];
  next: number;
  viaLink: boolean;
}

/** Walks `paths` one step at a time (see the module comment). */
export function* walkSteps(paths: readonly string[], o: WalkOptions = {}): Generator<WalkStep> {
  const fs = o.fs ?? nodeFs;
  const match = o.match ?? YAML_NAME;
  const skipDirs = o.skipDirs ?? SKIP_DIRS;
  const followDirLinks = o.followDirLinks ?? true;
  const sameFileOnce = o.sameFileOnce ?? true;
  const steps = o.steps ?? { dirs: 0, entries: 0 };
  const seenFiles = new Map<string, string>();
  const seenDirs = new Map<string, string>();

  // The given paths, resolved first: "inside" is relative to all of them.
  const roots: Root[] = [];
  for (const p of paths) {
    let link = false;
    try {
      link = fs.lstatSync(p).isSymbolicLink();
    } catch (e) {
      yield { type: 'error', error: { path: p, message: `cannot read: ${errorCode(e)}` } };
      continue;
    }
    try {
      const st = fs.statSync(p);
      roots.push({ path: p, real: fs.realpathSync(p), st, link, dir: st.isDirectory() });
    } catch (e) {
      const code = errorCode(e);
      const message =
        code === 'ENOENT'
          ? 'cannot read: a dangling symbolic link (its target does not exist)'
          : `cannot read: ${code}`;
      yield { type: 'error', error: { path: p, message } };
    }
  }

  // What "inside the given paths" means: the directories given, and the files given that are not links.
  const bases = roots.filter((r) => r.dir || !r.link);

  const file = (
    path: string,
    real: string,
    st: BigIntStats,
    viaLink: boolean,
    outside: boolean,
  ): WalkStep | null => {
    if (sameFileOnce) {
      const id = idOf(st);
      const first = seenFiles.get(id);
      if (first !== undefined) {
        if (first === path) return null;
        const reason = `the same file as ${first}, checked once`;
        return { type: 'skip', skip: { path, reason, kind: 'same-file', counted: false } };
      }
      seenFiles.set(id, path);
    }
    return { type: 'file', file: { path, real, viaLink, outside } };
  };

  const special = (path: string, st: BigIntStats, link: { outside: boolean } | null): WalkStep => ({
    type: 'skip',
    skip: {
      path,
      reason: `not read: ${link ? 'a link to ' : ''}a ${kindOf(st)}, not a regular file`,
      kind: 'special',
      ...(link ? { outside: link.outside } : {}),
      counted: true,
    },
  });

  const skip = (path: string, kind: WalkSkipKind, reason: string, counted = true): WalkStep => ({
    type: 'skip',
    skip: { path, reason, kind, counted },
  });

  const stack: Frame[] = [];

  /** Lists a directory onto the stack, once per real directory; what to report, if anything. */
  const enter = (path: string, st: BigIntStats, viaLink: boolean): WalkStep | null => {
    const id = idOf(st);
    const first = seenDirs.get(id);
    if (first !== undefined) {
      if (first === path) return null;
      const reason = `not searched again: the same directory as ${first} (a link loop or a second link)`;
      return skip(path, 'same-dir', reason, false);
    }
    seenDirs.set(id, path);
    steps.dirs++;
    let entries: Dirent[];
    try {
      entries = fs.readdirSync(path).sort(byName);
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ENAMETOOLONG' || code === 'ELOOP')
        return skip(path, 'unreadable', `not searched: ${describeCode(code)}`);
      return { type: 'error', error: { path, message: `cannot read directory: ${code}` } };
    }
    stack.push({ path, entries, next: 0, viaLink });
    return { type: 'dir', path };
  };

  const safeReal = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return resolve(p);
    }
  };

  /** A symbolic link met in a directory. */
  const followLink = (full: string, name: string): WalkStep | null => {
    let st: BigIntStats;
    let real: string;
    try {
      st = fs.statSync(full);
      real = fs.realpathSync(full);
    } catch (err) {
      const code = errorCode(err);
      // A dangling link has no content; it is only missed if it would have been read.
      if (!match(name)) return null;
      return code === 'ENOENT'
        ? skip(full, 'dangling', 'not read: a dangling symbolic link (its target does not exist)')
        : skip(full, 'unreadable', `not read: ${describeCode(code)}`);
    }
    const outside = !insideRoots(real, bases);
    if (st.isDirectory()) {
      if (!followDirLinks) return match(name) ? special(full, st, { outside }) : null;
      if (skipDirs.has(basename(real))) return null;
      if (outside && !seenDirs.has(idOf(st))) {
        const reason = `not searched: a link to a directory outside the given paths (${real})`;
        return skip(full, 'outside', reason);
      }
      return enter(full, st, true);
    }
    if (!match(name)) return null;
    return st.isFile() ? file(full, real, st, true, outside) : special(full, st, { outside });
  };

  /** One entry of the directory on top of the stack. */
  const entry = (top: Frame, e: Dirent): WalkStep | null => {
    const full = join(top.path, e.name);
    // A regular file by its listing that `match` refuses needs no look.
    if (e.isFile() && !match(e.name)) return null;
    if (e.isDirectory() && skipDirs.has(e.name)) return null;
    if (e.isSymbolicLink()) return followLink(full, e.name);
    let st: BigIntStats;
    try {
      st = fs.lstatSync(full);
    } catch (err) {
      const code = errorCode(err);
      if (e.isDirectory()) return skip(full, 'unreadable', `not searched: ${describeCode(code)}`);
      if (code === 'ENOENT') return null; // removed since the listing
      return skip(full, 'unreadable', `not read: ${describeCode(code)}`);
    }
    // The entry may have changed since the listing: what lstat says now decides.
    if (st.isSymbolicLink()) return followLink(full, e.name);
    if (st.isDirectory()) return skipDirs.has(e.name) ? null : enter(full, st, top.viaLink);
    if (!match(e.name)) return null;
    if (!st.isFile()) return special(full, st, null);
    if (!top.viaLink) return file(full, resolve(full), st, false, false);
    const real = safeReal(full);
    return file(full, real, st, true, !insideRoots(real, bases));
  };

  for (const r of roots) {
    if (r.dir) {
      const s = enter(r.path, r.st, r.link);
      if (s) yield s;
    } else if (r.st.isFile()) {
      // A link named on the command line: its target counts as inside only under a path given.
      const s = file(r.path, r.real, r.st, r.link, r.link && !insideRoots(r.real, bases));
      if (s) yield s;
    } else {
      // Named explicitly but not a regular file: a read error, not a quiet skip.
      const message = `not read: ${r.link ? 'a link to ' : ''}a ${kindOf(r.st)}, not a regular file (to check a stream, pipe it to "podsec -")`;
      yield { type: 'error', error: { path: r.path, message } };
    }
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const e = top.entries[top.next++];
      if (e === undefined) {
        stack.pop();
        continue;
      }
      steps.entries++;
      const s = entry(top, e);
      if (s) yield s;
    }
  }
}
