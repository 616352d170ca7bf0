/**
 * The results of checking files, as every renderer reads them: one entry per
 * file with its text (positions refer to it) and its analysis, plus the
 * position helpers the renderers share (1-based lines, columns in code points).
 */
import { LineIndex } from '../engine/index';
import type { Analysis, Finding, Severity } from '../engine/index';

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
  /**
   * Set when a baseline was given (`--baseline`): the findings it already
   * holds. They are reported as existing (severity note) and do not fail the run.
   */
  existing?: ReadonlySet<Finding>;
}

/** Against a baseline: `unchanged` (in it) or `new`; null when no baseline was given. */
export function baselineState(r: FileResult, f: Finding): 'new' | 'unchanged' | null {
  if (!r.existing) return null;
  return r.existing.has(f) ? 'unchanged' : 'new';
}

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
  /** Findings of the baseline (counted in `findings`, not in `bySeverity`). */
  existing: number;
  /** Findings silenced by a suppression (not counted in `findings`). */
  suppressed: number;
  /** New findings by severity. */
  bySeverity: Record<Severity, number>;
}

export function totals(results: readonly FileResult[]): Totals {
  const t: Totals = {
    files: results.length,
    objects: 0,
    findings: 0,
    errors: 0,
    existing: 0,
    suppressed: 0,
    bySeverity: { error: 0, warning: 0, information: 0 },
  };
  for (const r of results) {
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
