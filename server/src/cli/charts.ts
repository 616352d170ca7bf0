/**
 * Helm charts on the command line: the files `podsec <dir>` was given that
 * belong to a chart (a folder with Chart.yaml, subcharts with their parent)
 * are not evaluated one by one; each chart is rendered once, in the engine,
 * with Helm's options (`--values`, `--set`, `--release-name`, …), and its
 * findings, render errors and notes are reported in the chart file and line
 * they come from (values.yaml, a template, _helpers.tpl).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { applyEdits } from '../engine/index';
import type { AnalyzeOptions, Analysis, NamespaceLabels, TextEdit } from '../engine/index';
import { ConfigResolver } from '../engine/config/index';
import {
  chartHardeningInputs,
  chartRootOf,
  evaluateChartValueSets,
  isChartFile,
} from '../engine/project/index';
import type { ValueSetsEvaluation } from '../engine/project/index';
import type { RenderOptions } from '../engine/helm/render';
import { isInside, normalizePath } from '../engine/sources/sourceFs';
import type { FileResult } from '../render/fileResult';
import { DiskFs } from './render';
import { readTextOrNull } from '../io/index';

/** Largest values file or chart file read here, in bytes (regular files only). */
export const MAX_VALUES_BYTES = 64 * 1024 * 1024;

export interface HelmCliOptions {
  options: RenderOptions;
  valuesFiles: string[];
}

export interface ChartGroup {
  dir: string;
  /** The input paths (as given) that belong to the chart, in input order. */
  inputs: string[];
}

/** Group input paths by the chart each belongs to (see isChartFile); other paths are left out. */
export function groupByChart(paths: readonly string[]): ChartGroup[] {
  const disk = new DiskFs('/');
  const memo = new Map<string, boolean>();
  const isChart = (d: string): boolean => {
    let v = memo.get(d);
    if (v === undefined) {
      const entries = disk.list(d);
      v = entries !== null && entries.some((e) => !e.dir && e.name === 'Chart.yaml');
      memo.set(d, v);
    }
    return v;
  };
  const groups = new Map<string, ChartGroup>();
  for (const p of paths) {
    if (p === '-') continue;
    const abs = normalizePath(resolve(p));
    const dir = chartRootOf(disk, abs, isChart);
    if (dir === null || !isChartFile(dir, abs)) continue;
    let g = groups.get(dir);
    if (!g) {
      g = { dir, inputs: [] };
      groups.set(dir, g);
    }
    g.inputs.push(p);
  }
  return [...groups.values()];
}

const empty = (): Analysis => ({ findings: [], errors: [], notes: [], workloads: [], objects: 0 });

function display(abs: string, given: ReadonlyMap<string, string>): string {
  const g = given.get(abs);
  if (g !== undefined) return g;
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** A values or chart file: a regular file of UTF-8 text within MAX_VALUES_BYTES (BOM removed), else null. */
function readText(path: string): string | null {
  return readTextOrNull(path, MAX_VALUES_BYTES);
}

export interface ChartRun {
  results: FileResult[];
  evaluation: ValueSetsEvaluation | null;
  /** A values file that could not be read (a read error: exit 2). */
  readError?: string;
}

/**
 * Render and evaluate one chart; one FileResult per file of it that was given
 * (so the file count stays what was walked) plus any other file a result was
 * placed in (a values file given with --values). The rendered objects are
 * counted at the chart's first file.
 */
export function evaluateChartGroup(
  g: ChartGroup,
  helm: HelmCliOptions,
  analyze: AnalyzeOptions,
  namespaces: ReadonlyMap<string, NamespaceLabels>,
): ChartRun {
  const values: Array<{ path: string; text: string }> = [];
  for (const v of helm.valuesFiles) {
    const abs = resolve(v);
    const text = readText(abs);
    if (text === null)
      return {
        results: [
          {
            path: v,
            text: '',
            analysis: empty(),
            readError: `cannot read values file for the chart ${display(g.dir, new Map())}`,
          },
        ],
        evaluation: null,
        readError: v,
      };
    values.push({ path: normalizePath(abs), text });
  }
  const explicit =
    helm.valuesFiles.length > 0 ||
    ['set', 'setString', 'setJson', 'setFile'].some(
      (k) => (helm.options[k as 'set'] ?? []).length > 0,
    );
  // Without --values/--set, the value sets of the nearest .podsec.yaml (if any) are evaluated.
  const config = explicit ? null : new ConfigResolver(new DiskFs('/')).forDir(g.dir);
  const sets = config?.settings.helm ?? [];
  const ev = evaluateChartValueSets(
    new DiskFs(g.dir),
    g.dir,
    sets,
    {
      render: { ...helm.options, values, readFile: (p) => readText(resolve(p)) },
      analyze: { ...analyze, namespaces, file: g.dir },
    },
    (p) => readText(p),
    config?.file,
  );
  const given = new Map<string, string>();
  for (const p of g.inputs) given.set(normalizePath(resolve(p)), p);
  const generated = chartHardeningInputs(ev.evaluations, sets.length > 0);
  const byFile = new Map<string, FileResult>();
  const resultFor = (abs: string): FileResult => {
    let r = byFile.get(abs);
    if (!r) {
      r = { path: display(abs, given), text: readText(abs) ?? '', analysis: empty(), generated };
      byFile.set(abs, r);
    }
    return r;
  };
  for (const p of given.keys()) resultFor(p);
  for (const f of ev.findings) resultFor(f.file).analysis.findings.push(f);
  for (const e of ev.errors) resultFor(e.file).analysis.errors.push(e);
  for (const n of ev.notes) resultFor(n.file).analysis.notes.push(n);
  const results = [...byFile.values()];
  const first = results[0];
  if (first) first.analysis.objects = ev.objects;
  for (const r of results) {
    r.analysis.findings.sort((a, b) => a.span.start - b.span.start);
  }
  return { results, evaluation: ev };
}

function overlaps(a: readonly TextEdit[], b: TextEdit): boolean {
  return a.some(
    (e) => (e.start < b.end && b.start < e.end) || e.start === b.start || e.end === b.start,
  );
}

/**
 * `--fix` for a chart: apply each finding's best safe fix at its origin (the
 * values key, else the template's literal text), only in the chart's files and
 * the values files named with --values; render again and repeat while fixes
 * apply (a fix can reveal or settle another). `write` replaces a file's text
 * `from` with `to` and says whether it did (it refuses a file changed
 * meanwhile). Returns the fixes applied per file.
 */
export function fixChartGroup(
  g: ChartGroup,
  helm: HelmCliOptions,
  analyze: AnalyzeOptions,
  namespaces: ReadonlyMap<string, NamespaceLabels>,
  unsafe: boolean,
  write: (path: string, from: string, to: string) => boolean,
): Map<string, number> {
  const applied = new Map<string, number>();
  const named = new Set(helm.valuesFiles.map((v) => normalizePath(resolve(v))));
  for (let round = 0; round < 5; round++) {
    const ev = evaluateChartGroup(g, helm, analyze, namespaces).evaluation;
    if (!ev) break;
    const byFile = new Map<string, TextEdit[]>();
    const count = new Map<string, number>();
    for (const f of ev.findings) {
      const pick = f.originFixes.find((x) => x.fix.safe || unsafe);
      if (!pick) continue;
      if (!isInside(g.dir, pick.file) && !named.has(pick.file)) continue;
      const taken = byFile.get(pick.file) ?? [];
      if (pick.fix.edits.some((e) => overlaps(taken, e))) continue;
      taken.push(...pick.fix.edits);
      byFile.set(pick.file, taken);
      count.set(pick.file, (count.get(pick.file) ?? 0) + 1);
    }
    if (byFile.size === 0) break;
    let wrote = false;
    for (const [file, edits] of byFile) {
      const text = readText(file);
      if (text === null) continue;
      if (!write(file, text, applyEdits(text, edits))) continue;
      wrote = true;
      applied.set(file, (applied.get(file) ?? 0) + (count.get(file) ?? 0));
    }
    // Nothing could be written (each failure is the writer's to report): another round would repeat it.
    if (!wrote) break;
  }
  return applied;
}
