/**
 * A Helm chart evaluated as deployed: rendered in the engine (../helm) with
 * the given values, the output evaluated as any file, and every finding,
 * render error and note placed in the chart file the user edits (a template
 * line, a values.yaml key). A chart that does not render is never a silent
 * pass: each render error is an error at its template line (or at
 * Chart.yaml), and whatever templates did render are still evaluated.
 */
import { renderChart } from '../helm/render';
import type { RenderError, RenderOptions, RenderResult } from '../helm/render';
import type { SourceFs } from '../sources/sourceFs';
import { joinPath, normalizePath } from '../sources/sourceFs';
import { isMap, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { applyEdits, planEdits } from '../fixes/edits';
import type { GeneratedSource } from '../sources/sourcemap';
import type { AnalyzeOptions, Finding, Fix } from '../types';
import { CHART_FILE } from './discover';
import { LineIndex } from '../lines';
import type { Located, ReportInput } from '../advisor/report';
import { dottedPath, evaluateGenerated, nodeAt, placeSpan, valuesKeyFor } from './generated';
import type { GeneratedDocument, GeneratedEvaluation, LocatedDiagnostic } from './generated';
import type { LocatedFinding } from './generated';

export interface ChartEvaluationOptions {
  render?: RenderOptions;
  analyze?: AnalyzeOptions;
  /** The value set's name, for messages (`default` when the chart's own values are used). */
  valueSet?: string;
  /** A render of the same chart and render options, evaluated again (at another level) instead of rendering. */
  rendered?: RenderResult;
}

export interface ChartEvaluation extends GeneratedEvaluation {
  chartDir: string;
  valueSet: string;
  /** The release's namespace (`.Release.Namespace`). */
  namespace: string;
  render: RenderResult;
  /** What it was evaluated with (its value set's values, release and namespace). */
  options: ChartEvaluationOptions;
}

/** A map's value at `key`, or a list's item at index `key`. */
function childNode(n: Node | null, key: string | number): Node | null {
  if (typeof key === 'number')
    return isSeq(n) ? ((n.items[key] as Node | undefined) ?? null) : null;
  return isMap(n) ? ((n.get(key, true) as Node | undefined) ?? null) : null;
}

/** The end of the line `offset` is on, in `text`. */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}

/** A render error as an error diagnostic at its file and offset (the rest of its line underlined). */
export function renderErrorDiagnostic(
  fs: SourceFs,
  chartDir: string,
  e: RenderError,
): LocatedDiagnostic {
  const file = e.file && e.file !== chartDir ? e.file : joinPath(chartDir, CHART_FILE);
  const text = fs.readText(file) ?? '';
  const start = Math.min(e.offset ?? 0, text.length);
  const end = Math.max(start, Math.min(lineEnd(text, start), start + 200));
  return {
    message: `Helm: ${e.message}`,
    span: { start, end },
    code: e.kind === 'limit' ? 'limit' : 'yaml',
    severity: 'error',
    file,
  };
}

/** The on-disk file a `# Source:` name (`web/templates/deployment.yaml`) came from, for a chart in `dir`. */
export function templateFile(dir: string, template: string): string {
  const slash = template.indexOf('/');
  return joinPath(dir, slash < 0 ? template : template.slice(slash + 1));
}

/**
 * For a missing field whose map the template prints from values (`toYaml
 * .Values.securityContext`): the engine's fix applied to the rendered text
 * tells the value the field needs; set that value at the values key instead,
 * with the same minimal, comment-keeping edits as any fix. Null when the
 * finding has no values key or the values file cannot take the key.
 */
export function valuesFixes(
  src: GeneratedSource,
  f: LocatedFinding,
  generated: Finding,
  docs: () => Document.Parsed[],
  readText: (file: string) => string | null,
): Array<{ file: string; fix: Fix }> | null {
  if (generated.fixes.length === 0 || f.object.kind === '') return null;
  const own = docs()[generated.object.document];
  if (!own) return null;
  // Only the finding's own document is parsed again with the fix applied.
  const [docStart, , docEnd] = own.range;
  // The field a fix sets: the finding's own, or the pod-level one a container finding's fix sets.
  const pod = generated.path.replace(
    /\.(?:initContainers|containers|ephemeralContainers)\[\d+\]\.securityContext\./,
    '.securityContext.',
  );
  const fields = pod === generated.path ? [generated.path] : [generated.path, pod];
  const out: Array<{ file: string; fix: Fix }> = [];
  for (const fix of generated.fixes) {
    if (fix.edits.some((e) => e.start < docStart || e.end > docEnd)) continue;
    const shifted = fix.edits.map((e) => ({
      ...e,
      start: e.start - docStart,
      end: e.end - docStart,
    }));
    const fixed = parseAllDocuments(applyEdits(src.text.slice(docStart, docEnd), shifted), {
      version: '1.1',
    });
    if (!Array.isArray(fixed)) continue;
    for (const field of fields) {
      const value = nodeAt(fixed, 0, generated.object.item, field);
      if (value === undefined) continue;
      const key =
        field === generated.path
          ? f.valuesKey
          : valuesKeyFor(src, docs(), generated.span.start, field);
      if (!key) continue;
      // Set from the deepest list item on the key's path (a kustomization's valuesInline).
      let lastItem = -1;
      key.path.forEach((p, i) => {
        if (typeof p === 'number') lastItem = i;
      });
      const path = key.path.slice(lastItem + 1) as string[];
      const valuesText = readText(key.file);
      if (valuesText === null) continue;
      const vdocs = parseAllDocuments(valuesText);
      const vdoc: Document.Parsed | undefined = (Array.isArray(vdocs) ? vdocs : [])[
        key.document ?? 0
      ];
      if (!vdoc || vdoc.errors.length > 0) continue;
      let root = vdoc.contents as Node | null;
      for (const p of key.path.slice(0, lastItem + 1)) root = childNode(root, p);
      if (!isMap(root)) continue;
      const edits = planEdits(valuesText, vdoc, [{ op: 'set', map: root, path, value }]);
      if (!edits || edits.length === 0) continue;
      const name = key.file.slice(key.file.lastIndexOf('/') + 1);
      out.push({
        file: key.file,
        fix: {
          title: `${fix.title} (${name}: ${dottedPath(key.path)})`,
          safe: fix.safe,
          edits,
        },
      });
      break;
    }
  }
  return out.length > 0 ? out : null;
}

/** Render the chart at `chartDir` and evaluate what it renders to. */
export function evaluateChart(
  fs: SourceFs,
  chartDirIn: string,
  o: ChartEvaluationOptions = {},
): ChartEvaluation {
  const chartDir = normalizePath(chartDirIn);
  const render = o.rendered ?? renderChart(fs, chartDir, o.render ?? {});
  const valueSet = o.valueSet ?? 'default';
  const documents: GeneratedDocument[] = render.documents.map((d) => ({
    start: d.start,
    end: d.end,
    source: d.template,
    file: templateFile(chartDir, d.template),
  }));
  const fallbackFile = joinPath(chartDir, CHART_FILE);
  const source = { ...render.output, label: `chart ${chartDir} (values: ${valueSet})` };
  // A release installs the objects that name no namespace into its own: that Namespace's labels apply.
  const releaseNamespace = o.render?.namespace;
  const analyze: AnalyzeOptions =
    releaseNamespace && o.analyze?.defaultNamespace === undefined
      ? { ...o.analyze, defaultNamespace: releaseNamespace }
      : (o.analyze ?? {});
  const ev = evaluateGenerated(source, {
    analyze,
    fallbackFile,
    documents,
    readText: (f) => fs.readText(f),
    fixAt: (f, generated, docs) => valuesFixes(source, f, generated, docs, (p) => fs.readText(p)),
  });
  const renderErrors = render.errors.map((e) => renderErrorDiagnostic(fs, chartDir, e));
  const warnings: LocatedDiagnostic[] = render.warnings.map((w) => ({
    message: `Helm: ${w}`,
    span: { start: 0, end: 0 },
    code: 'policy',
    severity: 'information',
    file: fallbackFile,
  }));
  return {
    ...ev,
    errors: [...renderErrors, ...ev.errors],
    notes: [...warnings, ...ev.notes],
    chartDir,
    valueSet,
    namespace: releaseNamespace ?? 'default',
    render,
    options: o,
  };
}

/** A named set of values to render a chart with (`.podsec.yaml`'s `helm:` entries). */
export interface ValueSet {
  name: string;
  /** Values files (absolute), in order. */
  values: string[];
  set: Record<string, string | number | boolean | null>;
  releaseName?: string;
  namespace?: string;
}

export interface ValueSetsEvaluation {
  /** One evaluation per set (or one of the chart's defaults when no set is given). */
  evaluations: ChartEvaluation[];
  /** Every set's results, a result the sets share listed once and naming them all. */
  findings: LocatedFinding[];
  errors: LocatedDiagnostic[];
  notes: LocatedDiagnostic[];
  objects: number;
}

/**
 * Evaluate a chart once per value set; a finding says which sets it came from
 * (`[values: production]`, `[values: dev, production]`). With no set, the
 * chart's defaults (and `base.render`) are used and messages are unchanged.
 * `readValues` reads a set's values files (they may lie outside the chart).
 */
export function evaluateChartValueSets(
  fs: SourceFs,
  chartDir: string,
  sets: readonly ValueSet[],
  base: ChartEvaluationOptions,
  readValues: (path: string) => string | null,
  configFile?: string,
): ValueSetsEvaluation {
  if (sets.length === 0) {
    const ev = evaluateChart(fs, chartDir, base);
    return {
      evaluations: [ev],
      findings: ev.findings,
      errors: ev.errors,
      notes: ev.notes,
      objects: ev.analysis.objects,
    };
  }
  const evaluations: ChartEvaluation[] = [];
  const findings = new Map<string, { f: LocatedFinding; sets: string[] }>();
  const errors = new Map<string, { d: LocatedDiagnostic; sets: string[] }>();
  const notes = new Map<string, { d: LocatedDiagnostic; sets: string[] }>();
  let objects = 0;
  for (const s of sets) {
    const values: Array<{ path: string; text: string }> = [];
    const unreadable: string[] = [];
    for (const v of s.values) {
      const text = readValues(v);
      if (text === null) unreadable.push(v);
      else values.push({ path: v, text });
    }
    if (unreadable.length > 0) {
      const d: LocatedDiagnostic = {
        message: `value set ${s.name}: cannot read ${unreadable.join(', ')}; the set is not evaluated`,
        span: { start: 0, end: 0 },
        code: 'schema',
        severity: 'error',
        file: configFile ?? joinPath(chartDir, CHART_FILE),
      };
      errors.set(`unreadable:${s.name}`, { d, sets: [] });
      continue;
    }
    const render: RenderOptions = {
      ...base.render,
      values,
      setJson: Object.entries(s.set).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
      ...(s.releaseName !== undefined ? { releaseName: s.releaseName } : {}),
      ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
    };
    const ev = evaluateChart(fs, chartDir, { ...base, render, valueSet: s.name });
    evaluations.push(ev);
    objects += ev.analysis.objects;
    for (const f of ev.findings) {
      const k = `${f.file}|${f.span.start}|${f.span.end}|${f.check}|${f.message}`;
      const hit = findings.get(k);
      if (hit) hit.sets.push(s.name);
      else findings.set(k, { f, sets: [s.name] });
    }
    for (const [list, into] of [
      [ev.errors, errors],
      [ev.notes, notes],
    ] as const) {
      for (const d of list) {
        const k = `${d.file}|${d.span.start}|${d.message}`;
        const hit = into.get(k);
        if (hit) hit.sets.push(s.name);
        else into.set(k, { d, sets: [s.name] });
      }
    }
  }
  const named = (m: string, names: string[]): string =>
    names.length === 0 ? m : `${m} [values: ${names.join(', ')}]`;
  return {
    evaluations,
    findings: [...findings.values()].map(({ f, sets: n }) => ({
      ...f,
      message: named(f.message, n),
      ...(n.length > 0 ? { context: [...(f.context ?? []), `values: ${n.join(', ')}`] } : {}),
    })),
    errors: [...errors.values()].map(({ d, sets: n }) => ({ ...d, message: named(d.message, n) })),
    notes: [...notes.values()].map(({ d, sets: n }) => ({ ...d, message: named(d.message, n) })),
    objects,
  };
}

/**
 * A chart's renders as inputs of the level advisor's report (one per value
 * set): the rendered text, with each place shown at its origin (the template
 * line, the values key) and each workload naming its chart, value set and
 * release; workloads that name no namespace are in the release's.
 */
export function chartReportInputs(
  ev: ValueSetsEvaluation,
  display: (file: string) => string,
  readText: (file: string) => string | null,
): ReportInput[] {
  const lines = new Map<string, LineIndex | null>();
  const linesOf = (file: string): LineIndex | null => {
    let l = lines.get(file);
    if (l === undefined) {
      const t = readText(file);
      l = t === null ? null : new LineIndex(t);
      lines.set(file, l);
    }
    return l;
  };
  return ev.evaluations.map((e) => {
    const fallback = joinPath(e.chartDir, CHART_FILE);
    const locate = (offset: number): Located => {
      const at = placeSpan(e.source, { start: offset, end: offset + 1 }, fallback, readText);
      const p = linesOf(at.file)?.humanPosition(at.span.start) ?? { line: 1, column: 1 };
      return { path: display(at.file), line: p.line, column: p.column };
    };
    return {
      path: display(e.chartDir),
      text: e.source.text,
      generated: {
        locate,
        chart: {
          name: e.render.chart?.name ?? e.chartDir.slice(e.chartDir.lastIndexOf('/') + 1),
          valueSet: e.valueSet,
          releaseName: e.render.releaseName,
          namespace: e.namespace,
        },
      },
    };
  });
}
