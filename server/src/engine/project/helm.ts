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
import type { AnalyzeOptions, Fix } from '../types';
import { CHART_FILE } from './discover';
import { evaluateGenerated } from './generated';
import type { GeneratedDocument, GeneratedEvaluation, LocatedDiagnostic } from './generated';
import type { LocatedFinding } from './generated';

export interface ChartEvaluationOptions {
  render?: RenderOptions;
  analyze?: AnalyzeOptions;
  /** The value set's name, for messages (`default` when the chart's own values are used). */
  valueSet?: string;
  /** A producer fix for a finding (set the key in values.yaml); see fixes.ts. */
  fixAt?: (f: LocatedFinding, r: RenderResult) => Fix[] | null;
}

export interface ChartEvaluation extends GeneratedEvaluation {
  chartDir: string;
  valueSet: string;
  render: RenderResult;
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
function templateFile(dir: string, template: string): string {
  const slash = template.indexOf('/');
  return joinPath(dir, slash < 0 ? template : template.slice(slash + 1));
}

/** Render the chart at `chartDir` and evaluate what it renders to. */
export function evaluateChart(
  fs: SourceFs,
  chartDirIn: string,
  o: ChartEvaluationOptions = {},
): ChartEvaluation {
  const chartDir = normalizePath(chartDirIn);
  const render = renderChart(fs, chartDir, o.render ?? {});
  const valueSet = o.valueSet ?? 'default';
  const documents: GeneratedDocument[] = render.documents.map((d) => ({
    start: d.start,
    end: d.end,
    source: d.template,
    file: templateFile(chartDir, d.template),
  }));
  const fallbackFile = joinPath(chartDir, CHART_FILE);
  const source = { ...render.output, label: `chart ${chartDir} (values: ${valueSet})` };
  const ev = evaluateGenerated(source, {
    analyze: o.analyze ?? {},
    fallbackFile,
    documents,
    readText: (f) => fs.readText(f),
    ...(o.fixAt ? { fixAt: (f: LocatedFinding) => o.fixAt?.(f, render) ?? null } : {}),
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
    render,
  };
}
