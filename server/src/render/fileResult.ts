/**
 * The results of checking files, as every renderer reads them: one entry per
 * file with its text (positions refer to it) and its analysis, plus the
 * position helpers the renderers share (1-based lines, columns in code points).
 */
import { LineIndex } from '../engine/index';
import type { Analysis, Diagnostic, Finding, Severity } from '../engine/index';
import type { GeneratedHardeningInput } from '../engine/project/index';

export interface FileResult {
  path: string;
  /**
   * The path fingerprints and baselines use: relative to the working folder
   * (the command line's) or to the `.podsec.yaml` naming the baseline (the
   * editor's), `/`-separated. `path` when absent.
   */
  id?: string;
  /** The text the positions refer to (after --fix, the fixed text). */
  text: string;
  analysis: Analysis;
  /** Set when the file could not be read. */
  readError?: string;
  /** 1-based position of the read error (invalid UTF-8); 1:1 when absent. */
  readErrorAt?: { line: number; column: number };
  /** Fixes applied by --fix. */
  fixed?: number;
  /** Not read (a FIFO, a device, a dangling link, a path too long...): why. Counted as skipped. */
  skipped?: string;
  /** Named only, nothing missed: a link loop, or a second way to a file already checked. */
  revisit?: string;
  /** Reached through a symbolic link; `outside` when its target lies outside the given paths. */
  link?: { target: string; outside: boolean };
  /** --fix could not write the fixed text (changed on disk, read-only, ENOSPC...): why. */
  fixError?: string;
  /**
   * Set when a baseline was given (`--baseline`): the findings it already
   * holds. They are reported as existing (severity note) and do not fail the run.
   */
  existing?: ReadonlySet<Finding>;
  /**
   * For a file of a Helm chart: what the chart renders to (every file of the
   * chart holds the same list). Checks over all files together (the hardening
   * checks) read these objects instead of the file's own text.
   */
  generated?: readonly GeneratedHardeningInput[];
}

/** Against a baseline: `unchanged` (in it) or `new`; null when no baseline was given. */
export function baselineState(r: FileResult, f: Finding): 'new' | 'unchanged' | null {
  if (!r.existing) return null;
  return r.existing.has(f) ? 'unchanged' : 'new';
}

/**
 * Why a file was not (fully) checked, or null when it was: not read (skipped,
 * a read error) or not evaluated (over a limit, binary, a template).
 */
export function skipReason(r: FileResult): string | null {
  if (r.skipped !== undefined) return r.skipped;
  if (r.readError !== undefined) return r.readError;
  const limit = r.analysis.errors.find((d) => d.code === 'limit');
  if (limit) return limit.message;
  const note = r.analysis.notes.find(isNotEvaluatedNote);
  return note ? note.message : null;
}

/**
 * A note saying a file, a document or part of a build was not (fully)
 * evaluated: a findings limit, an object not evaluated, a Kustomize build
 * leaving out a remote resource, a Helm chart or a field.
 */
export const isNotEvaluatedNote = (d: Diagnostic): boolean =>
  /^(?:(?:file|document) )?not (?:fully )?evaluated\b|: not evaluated\b|\bleaves it out\b|\bmissing from this build\b/i.test(
    d.message,
  );

/**
 * The one predicate of `--fail-on-skipped` and of `failOnSkipped` in
 * `.podsec.yaml`: the file was not read (skipped, a read error) or not
 * evaluated (over a limit, binary, a template). YAML errors fail a run anyway.
 */
export const notEvaluated = (r: FileResult): boolean => skipReason(r) !== null;

/** Results of files that were looked at (not a named revisit, not a skipped one). */
export const checked = (r: FileResult): boolean =>
  r.revisit === undefined && r.skipped === undefined;

export interface HumanRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function locate(lines: LineIndex, start: number, end: number): HumanRange {
  const s = lines.humanPosition(start);
  const e = lines.humanPosition(end);
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}

const linesCache = new WeakMap<FileResult, LineIndex>();
export function linesOf(f: FileResult): LineIndex {
  let l = linesCache.get(f);
  if (!l) {
    l = new LineIndex(f.text);
    linesCache.set(f, l);
  }
  return l;
}

export interface Totals {
  files: number;
  objects: number;
  findings: number;
  errors: number;
  /** Files not read or not evaluated (each named in the output). */
  skipped: number;
  /** Fixed files --fix could not write. */
  notWritten: number;
  /** Findings of the baseline (counted in `findings`, not in `bySeverity`). */
  existing: number;
  /** Findings silenced by a suppression (not counted in `findings`). */
  suppressed: number;
  /** New findings by severity. */
  bySeverity: Record<Severity, number>;
}

export function totals(results: readonly FileResult[]): Totals {
  const t: Totals = {
    files: results.filter(checked).length,
    objects: 0,
    findings: 0,
    errors: 0,
    skipped: 0,
    notWritten: 0,
    existing: 0,
    suppressed: 0,
    bySeverity: { error: 0, warning: 0, information: 0 },
  };
  for (const r of results) {
    if (skipReason(r) !== null) t.skipped++;
    if (r.fixError !== undefined) t.notWritten++;
    t.objects += r.analysis.objects;
    t.findings += r.analysis.findings.length;
    t.errors += r.analysis.errors.length + (r.readError ? 1 : 0);
    t.suppressed += r.analysis.suppressed?.length ?? 0;
    for (const f of r.analysis.findings) {
      if (r.existing?.has(f)) t.existing++;
      else t.bySeverity[f.severity]++;
    }
  }
  return t;
}
