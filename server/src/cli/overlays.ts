/**
 * `podsec <dir>` on a Kustomize repository: the root kustomizations under
 * each directory given (or the one given, when it is a kustomization; or
 * the roots `.podsec.yaml` names under `kustomize.roots`) are built and
 * evaluated as deployed, and their findings reported in the files that set
 * the offending values (bases, patches, kustomization files), each naming
 * its overlay. The files the overlays read are not checked on their own.
 */
import { statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import type { AnalyzeOptions, NamespaceLabels } from '../engine/index';
import { ConfigResolver } from '../engine/config/index';
import { kustomizationGraph, KUSTOMIZATION_FILE_NAMES } from '../engine/kustomize/index';
import { planFixes } from '../engine/fixes/edits';
import type { PlacedFinding } from '../engine/fixes/edits';
import { evaluateOverlays } from '../engine/overlays/index';
import type { OverlayEvaluation } from '../engine/overlays/index';
import { isInside, normalizePath } from '../engine/sources/sourceFs';
import type { FileResult } from '../render/index';
import { DiskSourceFs, treeOf } from './renderKustomize';
import { writePlan } from './fixFiles';

export interface OverlayRun {
  /** Placed results, by engine (absolute) path. */
  placed: Map<string, FileResult>;
  /** Engine paths the overlays read that are not to be checked on their own. */
  covered: Set<string>;
  evaluations: OverlayEvaluation[];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A path as the engine takes it: absolute, `/`-separated. */
export function enginePath(p: string, cwd = process.cwd()): string {
  return normalizePath(resolve(cwd, p).replace(/\\/g, '/'));
}

/**
 * Build and evaluate the overlays under the directories among `paths`.
 * `display` turns an engine path into the path the report shows.
 */
export function runOverlays(
  paths: readonly string[],
  options: AnalyzeOptions & { advise?: boolean },
  namespaces: ReadonlyMap<string, NamespaceLabels>,
  cwd = process.cwd(),
): OverlayRun {
  // Files are read only when their real path lies in the tree given (a link out is an error).
  const trees = paths.filter((a) => a !== '-').map((a) => treeOf(resolve(cwd, a)));
  const fs = new DiskSourceFs('/', trees);
  const configs = new ConfigResolver(fs);
  const run: OverlayRun = { placed: new Map(), covered: new Set(), evaluations: [] };
  const built = new Set<string>();
  for (const arg of paths) {
    if (arg === '-' || !isDir(resolve(cwd, arg))) continue;
    const dir = enginePath(arg, cwd);
    const graph = kustomizationGraph(fs, dir);
    if (graph.kustomizations.size === 0) continue;
    const own = KUSTOMIZATION_FILE_NAMES.some((n) => fs.readText(`${dir}/${n}`) !== null);
    const named = configs.forDir(dir)?.settings.kustomize?.roots;
    let roots = own
      ? [dir]
      : named && named.length > 0
        ? named.map(normalizePath).filter((r) => isInside(dir, r))
        : graph.roots;
    roots = roots.filter((r) => !built.has(r));
    for (const r of roots) built.add(r);
    // An overlay is named from the directory given (`overlays/prod` for `podsec .`), or, when it
    // is the directory given, as the command line named it.
    const show = (p: string): string => {
      const fromArg = relative(dir, p).replace(/\\/g, '/');
      if (fromArg !== '') return fromArg;
      const fromCwd = relative(cwd, p).replace(/\\/g, '/');
      return fromCwd !== '' && !fromCwd.startsWith('..') ? fromCwd : basename(p);
    };
    const ev = evaluateOverlays(fs, graph, {
      ...options,
      namespaces,
      roots,
      nameOf: show,
      // The fixes the command line prints (JSON, SARIF) and writes (--fix) are proven by a rebuild.
      proveFixes: true,
    });
    run.evaluations.push(ev);
    for (const c of ev.covered) run.covered.add(c);
    for (const [file, analysis] of ev.files) {
      const prev = run.placed.get(file);
      if (prev) {
        prev.analysis.findings.push(...analysis.findings);
        prev.analysis.errors.push(...analysis.errors);
        prev.analysis.notes.push(...analysis.notes);
        prev.analysis.workloads.push(...analysis.workloads);
        prev.analysis.objects = Math.max(prev.analysis.objects, analysis.objects);
        continue;
      }
      const text = fs.readText(file);
      const path = isAbsolute(arg) ? file : relative(cwd, file).replace(/\\/g, '/');
      run.placed.set(
        file,
        text === null
          ? { path, text: '', analysis, readError: 'cannot read' }
          : { path, text, analysis },
      );
    }
  }
  return run;
}

/** Most rounds of `--fix` on overlays (each applies every fix that does not touch another's text). */
const MAX_FIX_ROUNDS = 20;

/**
 * Writes a fixed file: replaces the text `from` (what the fix was computed on)
 * with `to`, or, with `create`, creates a file a fix adds (a patch), which must
 * not exist yet. Says whether it wrote.
 */
export type FixWriter = (path: string, from: string, to: string, create: boolean) => boolean;

/**
 * `--fix` on overlays: the safe fixes (all, with `unsafe`) of what the
 * overlays find, made at the origin (the base, or the patch that set the
 * value; for a fix in one overlay, its patch and kustomization file) and
 * written back through `write` (which replaces the text `from` with `to`, or
 * creates a file a fix adds, and says whether it did); rounds until nothing is
 * left to fix. A fix that edits a file `writable` refuses (outside the paths
 * given) is passed over for the finding's next (a fix in the overlay given
 * rather than in its base). Returns the number of fixes made, counted in the file of their
 * finding, per engine path.
 */
export function fixOverlays(
  paths: readonly string[],
  options: AnalyzeOptions,
  namespaces: ReadonlyMap<string, NamespaceLabels>,
  unsafe: boolean,
  cwd: string,
  write: FixWriter,
  writable?: (path: string) => boolean,
): Map<string, number> {
  const made = new Map<string, number>();
  const disk = new DiskSourceFs('/');
  for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
    const run = runOverlays(paths, options, namespaces, cwd);
    const findings: PlacedFinding[] = [];
    for (const [file, r] of run.placed) {
      if (r.readError) continue;
      for (const finding of r.analysis.findings) findings.push({ file, finding });
    }
    // The texts the fixes' offsets count: as the build read them.
    const read = (p: string): string | null => {
      const r = run.placed.get(p);
      if (!r) return disk.readText(p);
      return r.readError ? null : r.text;
    };
    const plan = planFixes(findings, read, { unsafe, ...(writable ? { writable } : {}) });
    const { wrote, failed } = writePlan(plan, write);
    // A file that cannot be written ends the rounds; the report shows what is left.
    if (failed) break;
    for (const [file, n] of plan.applied) made.set(file, (made.get(file) ?? 0) + n);
    if (!wrote) break;
  }
  return made;
}
