/**
 * Fixes that edit files other than their finding's (`Fix.files`: a patch an
 * overlay gains and the kustomization that lists it, the ServiceAccount that
 * decides a token mount) on the command line.
 *
 * - One name per file: every path, a result's or a fix's, is resolved against
 *   the working directory (the command line's paths are relative to it), and
 *   shown relative to it when inside it, else absolute.
 * - The outputs (SARIF, JSON) read each other file's text as the run read it
 *   (a file among the results), else from disk, bounded and regular files
 *   only, to give the edits lines and columns.
 * - `--fix` writes a plan's files through one writer (`writePlan`): each file
 *   only if it still holds the text the fixes were made on, a created file
 *   only if none exists yet.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { FixPlan } from '../engine/fixes/edits';
import type { FileResult, FixFiles, FixFileText } from '../render/index';
import { readTextFile } from '../io/index';
import type { FsSeam } from '../io/index';
import { normalizePath } from '../engine/sources/sourceFs';

/** How the command line shows a file: relative to the working directory when inside it, else absolute. */
export function shownPath(key: string, cwd: string): string {
  const rel = relative(cwd, key).replace(/\\/g, '/');
  return rel !== '' && !rel.startsWith('../') && rel !== '..' && !isAbsolute(rel) ? rel : key;
}

/**
 * The files the run's fixes edit, for the outputs: the texts of `results`
 * (as the fixes' offsets count them), else the file on disk (at most `limit`
 * bytes, a regular file of UTF-8 text).
 */
export function cliFixFiles(
  results: readonly FileResult[],
  cwd: string,
  limit: number,
  fs?: FsSeam,
): FixFiles {
  const key = (p: string): string => normalizePath(resolve(cwd, p).replace(/\\/g, '/'));
  let texts: Map<string, string> | null = null;
  const read = new Map<string, FixFileText>();
  return {
    key,
    shown: (k) => shownPath(k, cwd),
    read: (k) => {
      if (texts === null) {
        texts = new Map();
        for (const r of results) {
          if (r.path === '-' || r.readError !== undefined || r.skipped !== undefined) continue;
          if (r.revisit !== undefined || r.analysis.errors.some((d) => d.code === 'limit'))
            continue;
          texts.set(key(r.path), r.text);
        }
      }
      const shown = shownPath(k, cwd);
      const known = texts.get(k);
      if (known !== undefined) return { shown, text: known };
      let t = read.get(k);
      if (!t) {
        const r = readTextFile(k, limit, fs);
        t = r.kind === 'ok' ? { shown, text: r.text } : { shown, problem: r.reason };
        read.set(k, t);
      }
      return t;
    },
  };
}

/**
 * Writes the files a plan changes, each through `write` (which replaces the
 * text `from` with `to`, or creates a file that must not exist, and says
 * whether it wrote). Returns whether anything was written and whether a
 * write failed (each failure is the writer's to report).
 */
export function writePlan(
  plan: FixPlan,
  write: (path: string, from: string, to: string, create: boolean) => boolean,
): { wrote: boolean; failed: boolean } {
  let wrote = false;
  let failed = false;
  for (const c of plan.changes) {
    if (c.text === c.before && !c.create) continue;
    if (write(c.path, c.before, c.text, c.create)) wrote = true;
    else failed = true;
  }
  return { wrote, failed };
}
