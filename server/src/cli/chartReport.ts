/**
 * Helm charts in `podsec report`: the files of a chart are not reported one
 * by one; the chart is rendered (with Helm's options, else each value set of
 * the nearest `.podsec.yaml`, else its own values) and its workloads are
 * reported as deployed, each at the template line or values key it comes from and naming
 * its chart, value set and release.
 */
import { readTextOrNull } from '../io/index';
import { isAbsolute, relative } from 'node:path';
import { LineIndex } from '../engine/index';
import type { AdvisorReport, ReportInput } from '../engine/index';
import { chartReportInputs } from '../engine/project/index';
import { evaluateChartGroup, groupByChart, MAX_VALUES_BYTES } from './charts';
import type { HelmCliOptions } from './charts';
import type { FileResult } from '../render/fileResult';

/** An origin file's text: a regular file within the values files' bound (never a FIFO or a device), else null. */
function readText(path: string): string | null {
  return readTextOrNull(path, MAX_VALUES_BYTES);
}

function display(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/**
 * The report inputs of the charts the given paths belong to, rendered with
 * the command's Helm options (else the value sets of the nearest
 * `.podsec.yaml`, else the chart's own values), and which of the paths those
 * charts cover (to be left out as plain files). `results` are the charts'
 * files as the check command has them (each carrying the renders, for the
 * hardening checks).
 */
export function chartReportSources(
  paths: readonly string[],
  helm: HelmCliOptions,
  limits: { maxFileBytes?: number; maxAliasCount?: number },
): {
  inputs: ReportInput[];
  covered: Set<string>;
  errors: AdvisorReport['errors'];
  readErrors: string[];
  results: FileResult[];
} {
  const inputs: ReportInput[] = [];
  const results: FileResult[] = [];
  const covered = new Set<string>();
  const errors: AdvisorReport['errors'] = [];
  const readErrors: string[] = [];
  for (const g of groupByChart(paths)) {
    for (const p of g.inputs) covered.add(p);
    const run = evaluateChartGroup(g, helm, limits, new Map());
    if (!run.evaluation) {
      readErrors.push(
        `${run.readError ?? g.dir}: cannot read values file for the chart ${display(g.dir)}`,
      );
      continue;
    }
    const ev = run.evaluation;
    results.push(...run.results);
    inputs.push(...chartReportInputs(ev, display, readText));
    // A chart that does not render is never a silent pass: its render errors are the report's errors.
    for (const e of ev.errors) {
      const p = new LineIndex(readText(e.file) ?? '').humanPosition(e.span.start);
      errors.push({ path: display(e.file), line: p.line, column: p.column, message: e.message });
    }
  }
  return { inputs, covered, errors, readErrors, results };
}

/**
 * A report's inputs with the files of each chart replaced by the chart's
 * renders; the render errors to add to the report, the values files
 * that could not be read, and the charts' files as the check command has
 * them (`charts`).
 */
export function withCharts(
  inputs: readonly ReportInput[],
  helm: HelmCliOptions,
  limits: { maxFileBytes?: number; maxAliasCount?: number },
): {
  inputs: ReportInput[];
  errors: AdvisorReport['errors'];
  readErrors: string[];
  charts: FileResult[];
} {
  const charts = chartReportSources(
    inputs.map((i) => i.path),
    helm,
    limits,
  );
  return {
    inputs: [...inputs.filter((i) => !charts.covered.has(i.path)), ...charts.inputs],
    errors: charts.errors,
    readErrors: charts.readErrors,
    charts: charts.results,
  };
}
