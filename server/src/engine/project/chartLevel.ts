/**
 * "Fix to <level>" for a workload a Helm chart renders: the safe fixes of its
 * findings at that level, each applied where the user edits it (the values
 * key the value came from, else the template's literal text), until the
 * chart renders the workload without them. Each round renders the chart
 * again with the files fixed so far, so a fix that the template repeats
 * (a range, an include) or that another fix makes unnecessary is seen as
 * such; the rounds are bounded.
 */
import { isCheck } from '../advisor/shared';
import type { Level } from '../types';
import type { SourceFs } from '../sources/sourceFs';
import { normalizePath, TextsOverFs } from '../sources/sourceFs';
import { evaluateChart } from './helm';
import type { ChartEvaluation, ChartEvaluationOptions } from './helm';
import type { LocatedFinding } from './generated';

/** A rendered workload, as a render names it (its document's place in the output may move). */
export interface ChartWorkloadRef {
  kind: string;
  name: string | null;
  namespace: string | null;
  /** The template that rendered it (`web/templates/deployment.yaml`). */
  source: string | null;
}

/** Whether a located finding is one of `w`'s Pod Security findings. */
export function findingOf(w: ChartWorkloadRef): (f: LocatedFinding) => boolean {
  return (f) =>
    isCheck(f) &&
    f.object.kind === w.kind &&
    f.object.name === w.name &&
    f.object.namespace === w.namespace &&
    f.rendered.source === w.source;
}

/** A located finding's first safe fix at its origin, with the file it edits. */
export function safeOriginFix(f: LocatedFinding): LocatedFinding['originFixes'][number] | null {
  return f.originFixes.find((o) => o.fix.safe && o.fix.edits.length > 0) ?? null;
}

/**
 * The chart evaluated at exactly `level` and `version`, as a workload on its
 * own (no Namespace labels, no admission configuration): what "Fix to" aims
 * at. `rendered` reuses a render of the same options.
 */
export function evaluateChartAtLevel(
  fs: SourceFs,
  chartDir: string,
  o: ChartEvaluationOptions,
  level: Level,
  version: string,
  rendered?: ChartEvaluation,
): ChartEvaluation {
  const { rendered: _stale, ...rest } = o;
  const a = o.analyze ?? {};
  return evaluateChart(fs, chartDir, {
    ...rest,
    analyze: {
      level,
      version,
      namespaceLabels: false,
      ...(a.maxFileBytes !== undefined ? { maxFileBytes: a.maxFileBytes } : {}),
      ...(a.maxAliasCount !== undefined ? { maxAliasCount: a.maxAliasCount } : {}),
      ...(a.maxDepth !== undefined ? { maxDepth: a.maxDepth } : {}),
    },
    ...(rendered ? { rendered: rendered.render } : {}),
  });
}

export interface ChartLevelFix {
  /** Each file the fixes edit: its text before and after. */
  files: Map<string, { before: string; after: string }>;
  /** Fixes applied. */
  applied: number;
  /** The workload's findings at the level that still stand in the last render. */
  left: number;
  /** Renders made (bounded by `maxRounds` + 1). */
  renders: number;
}

function touches(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/**
 * Apply the safe fixes of workload `w`'s findings at `level` at their origin
 * until none is left to try: per round, every fix whose edits touch no other
 * fix's of the same file, then the chart is rendered again.
 */
export function fixChartWorkloadToLevel(
  fs: SourceFs,
  chartDir: string,
  o: ChartEvaluationOptions,
  w: ChartWorkloadRef,
  level: Level,
  version: string,
  maxRounds = 16,
): ChartLevelFix {
  const texts = new Map<string, string>();
  const patched = new TextsOverFs(fs, texts);
  const { rendered: _stale, ...rest } = o;
  const options: ChartEvaluationOptions = { ...rest, render: { ...o.render } };
  const mine = findingOf(w);
  const tried = new Set<string>();
  const before = new Map<string, string>();
  let applied = 0;
  let renders = 0;
  let left = 0;
  for (let round = 0; ; round++) {
    const ev = evaluateChartAtLevel(patched, chartDir, options, level, version);
    renders++;
    const findings = ev.findings.filter(mine);
    left = findings.length;
    if (round >= maxRounds) break;
    const accepted = new Map<string, Array<{ start: number; end: number; newText: string }>>();
    for (const f of findings) {
      const o2 = safeOriginFix(f);
      if (!o2) continue;
      const key = `${f.check}|${f.path}|${f.container ?? ''}|${o2.file}|${o2.fix.title}`;
      if (tried.has(key)) continue;
      const file = normalizePath(o2.file);
      const taken = accepted.get(file) ?? [];
      if (o2.fix.edits.some((e) => taken.some((t) => touches(e, t)))) continue;
      tried.add(key);
      accepted.set(file, [...taken, ...o2.fix.edits]);
      applied++;
    }
    if (accepted.size === 0) break;
    for (const [file, edits] of accepted) {
      const text = patched.readText(file);
      if (text === null) continue;
      if (!before.has(file)) before.set(file, text);
      let out = text;
      for (const e of [...edits].sort((a, b) => b.start - a.start))
        out = out.slice(0, e.start) + e.newText + out.slice(e.end);
      texts.set(file, out);
      // A values file of the set is given by its text: the next render reads the fixed one.
      const values = options.render?.values;
      if (values?.some((v) => normalizePath(v.path) === file))
        options.render = {
          ...options.render,
          values: values.map((v) => (normalizePath(v.path) === file ? { ...v, text: out } : v)),
        };
    }
  }
  const files = new Map<string, { before: string; after: string }>();
  for (const [file, b] of before) {
    const after = texts.get(file);
    if (after !== undefined && after !== b) files.set(file, { before: b, after });
  }
  return { files, applied, left, renders };
}
