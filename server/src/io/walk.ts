/**
 * Expanding the paths given on the command line into the files to check.
 *
 * - Directories are searched recursively for names `match` accepts, skipping
 *   `skipDirs`, in a stable (sorted) order.
 * - Each real file and directory is visited once, by device and inode: two
 *   links to `.` or a two-directory loop end at once, and are named.
 * - Only regular files are listed. FIFOs, sockets and devices, directly or
 *   through a link, are named as not read, with what they are.
 * - A link is followed for reading when it resolves to a regular file; a link
 *   to a directory outside the given paths is not searched. Files reached
 *   through a link outside the given paths are marked so (`--fix` does not
 *   write them).
 * - Dangling links, link loops and paths too long for the system are named.
 */
import { basename, join, resolve, sep } from 'node:path';
import type { BigIntStats } from 'node:fs';
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

export interface WalkSkip {
  path: string;
  reason: string;
  /**
   * True when content may have been missed (a FIFO, a dangling link, a path
   * too long): counted as skipped. False for a loop or a second way to a file
   * already checked: nothing is missed, the path is named only.
   */
  counted: boolean;
}

export interface WalkResult {
  files: WalkedFile[];
  skipped: WalkSkip[];
  /** Paths given that cannot be read at all (missing, no permission): read errors. */
  errors: Array<{ path: string; message: string }>;
}

export interface WalkOptions {
  match?: (name: string) => boolean;
  skipDirs?: ReadonlySet<string>;
  fs?: FsSeam;
}

export const YAML_NAME = (name: string): boolean => /\.ya?ml$/i.test(name);
export const SKIP_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git']);

const idOf = (st: BigIntStats): string => `${st.dev}:${st.ino}`;

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

export function walk(paths: readonly string[], o: WalkOptions = {}): WalkResult {
  const fs = o.fs ?? nodeFs;
  const match = o.match ?? YAML_NAME;
  const skipDirs = o.skipDirs ?? SKIP_DIRS;
  const out: WalkResult = { files: [], skipped: [], errors: [] };
  const seenFiles = new Map<string, string>();
  const seenDirs = new Map<string, string>();

  // The given paths, resolved first: "inside" is relative to all of them.
  const roots: Array<{ path: string; real: string; st: BigIntStats; link: boolean; dir: boolean }> =
    [];
  for (const p of paths) {
    let link = false;
    try {
      link = fs.lstatSync(p).isSymbolicLink();
    } catch (e) {
      out.errors.push({ path: p, message: `cannot read: ${errorCode(e)}` });
      continue;
    }
    let st: BigIntStats;
    let real: string;
    try {
      st = fs.statSync(p);
      real = fs.realpathSync(p);
    } catch (e) {
      const code = errorCode(e);
      out.errors.push({
        path: p,
        message:
          code === 'ENOENT'
            ? 'cannot read: a dangling symbolic link (its target does not exist)'
            : `cannot read: ${code}`,
      });
      continue;
    }
    roots.push({ path: p, real, st, link, dir: st.isDirectory() });
  }

  // What "inside the given paths" means: the directories given, and the files given that are not links.
  const bases = roots.filter((r) => r.dir || !r.link);
  const addFile = (
    path: string,
    real: string,
    st: BigIntStats,
    viaLink: boolean,
    outside: boolean,
  ): void => {
    const id = idOf(st);
    const first = seenFiles.get(id);
    if (first !== undefined) {
      if (first !== path)
        out.skipped.push({
          path,
          reason: `the same file as ${first}, checked once`,
          counted: false,
        });
      return;
    }
    seenFiles.set(id, path);
    out.files.push({ path, real, viaLink, outside });
  };

  const special = (path: string, st: BigIntStats, viaLink: boolean): void => {
    out.skipped.push({
      path,
      reason: `not read: ${viaLink ? 'a link to ' : ''}a ${kindOf(st)}, not a regular file`,
      counted: true,
    });
  };

  const searchDir = (path: string, st: BigIntStats, viaLink: boolean): void => {
    const id = idOf(st);
    const first = seenDirs.get(id);
    if (first !== undefined) {
      if (first !== path)
        out.skipped.push({
          path,
          reason: `not searched again: the same directory as ${first} (a link loop or a second link)`,
          counted: false,
        });
      return;
    }
    seenDirs.set(id, path);
    let entries;
    try {
      entries = fs
        .readdirSync(path)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ENAMETOOLONG' || code === 'ELOOP')
        out.skipped.push({ path, reason: `not searched: ${describeCode(code)}`, counted: true });
      else out.errors.push({ path, message: `cannot read directory: ${code}` });
      return;
    }
    for (const e of entries) {
      const full = join(path, e.name);
      if (e.isDirectory()) {
        if (skipDirs.has(e.name)) continue;
        let sub: BigIntStats;
        try {
          sub = fs.lstatSync(full);
        } catch (err) {
          const code = errorCode(err);
          out.skipped.push({
            path: full,
            reason: `not searched: ${describeCode(code)}`,
            counted: true,
          });
          continue;
        }
        searchDir(full, sub, viaLink);
        continue;
      }
      if (e.isSymbolicLink()) {
        followLink(full, e.name);
        continue;
      }
      if (!match(e.name)) continue;
      let fst: BigIntStats;
      try {
        fst = fs.lstatSync(full);
      } catch (err) {
        const code = errorCode(err);
        if (code === 'ENOENT') continue; // removed since the listing
        out.skipped.push({ path: full, reason: `not read: ${describeCode(code)}`, counted: true });
        continue;
      }
      if (!fst.isFile()) special(full, fst, false);
      else if (!viaLink) addFile(full, resolve(full), fst, false, false);
      else {
        const real = safeReal(full);
        addFile(full, real, fst, true, !insideRoots(real, bases));
      }
    }
  };

  const safeReal = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return resolve(p);
    }
  };

  const followLink = (full: string, name: string): void => {
    let st: BigIntStats;
    let real: string;
    try {
      st = fs.statSync(full);
      real = fs.realpathSync(full);
    } catch (err) {
      const code = errorCode(err);
      // A dangling link has no content; it is only missed if it would have been read.
      if (!match(name)) return;
      out.skipped.push({
        path: full,
        reason:
          code === 'ENOENT'
            ? 'not read: a dangling symbolic link (its target does not exist)'
            : `not read: ${describeCode(code)}`,
        counted: true,
      });
      return;
    }
    if (st.isDirectory()) {
      if (skipDirs.has(basename(real))) return;
      if (!insideRoots(real, bases) && !seenDirs.has(idOf(st))) {
        out.skipped.push({
          path: full,
          reason: `not searched: a link to a directory outside the given paths (${real})`,
          counted: true,
        });
        return;
      }
      searchDir(full, st, true);
      return;
    }
    if (!match(name)) return;
    if (st.isFile()) addFile(full, real, st, true, !insideRoots(real, bases));
    else special(full, st, true);
  };

  for (const r of roots) {
    if (r.dir) searchDir(r.path, r.st, r.link);
    else if (r.st.isFile()) {
      // A link named on the command line: its target counts as inside only under a path given.
      const outside = r.link && !insideRoots(r.real, bases);
      addFile(r.path, r.real, r.st, r.link, outside);
    } else {
      // Named explicitly but not a regular file: a read error, not a quiet skip.
      out.errors.push({
        path: r.path,
        message: `not read: ${r.link ? 'a link to ' : ''}a ${kindOf(r.st)}, not a regular file (to check a stream, pipe it to "podsec -")`,
      });
    }
  }
  return out;
}
