/**
 * Helm charts in the editor. A document inside a chart (a folder with
 * Chart.yaml, subcharts with their parent) is not analysed as its own text:
 * the whole chart is rendered, reading the open editors' unsaved text before
 * the disk, and the document shows the findings, render errors and notes
 * placed in it. One render serves every open file of the chart until one of
 * them changes (or the settings or Namespaces do), so a burst of edits in
 * values.yaml renders once per analysis, not once per open template. With
 * value sets in the nearest `.podsec.yaml` (`helm:`), each set is rendered and
 * a finding names the sets it came from.
 */
import type { AnalyzeOptions, Analysis } from '../engine';
import { ConfigResolver } from '../engine/config/index';
import { chartRootOf, evaluateChartValueSets, isChartFile } from '../engine/project/index';
import type { ValueSetsEvaluation } from '../engine/project/index';
import type { DirEntry, SourceFs } from '../engine/sources/sourceFs';
import { isInside, normalizePath } from '../engine/sources/sourceFs';
import { DiskFs } from '../cli/render';
import type { DocumentSource } from './handlers/documents';
import type { ChartPolicyInfo } from './protocol';
import { isPodsecDocument } from './protocol';
import { fileKey, toUri } from './uris';

/** The disk under a chart, with the open documents' text in place of their files. */
class EditorFs implements SourceFs {
  private readonly disk: DiskFs;
  constructor(
    root: string,
    private readonly open: ReadonlyMap<string, string>,
  ) {
    this.disk = new DiskFs(root);
  }
  readText(path: string): string | null {
    return this.open.get(normalizePath(path)) ?? this.disk.readText(path);
  }
  readBytes(path: string): Uint8Array | null {
    const t = this.open.get(normalizePath(path));
    return t !== undefined ? new TextEncoder().encode(t) : this.disk.readBytes(path);
  }
  list(path: string): DirEntry[] | null {
    return this.disk.list(path);
  }
}

const EMPTY: Analysis = { findings: [], errors: [], notes: [], workloads: [], objects: 0 };

/** An id per TextDocument object: a document closed and opened again is a new one, at version 1 again. */
const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(doc: object): number {
  let id = ids.get(doc);
  if (id === undefined) ids.set(doc, (id = ++nextId));
  return id;
}

export class ChartAnalyses {
  private readonly cache = new Map<
    string,
    { key: string; ev: ValueSetsEvaluation; configFile: string | undefined }
  >();
  /** Charts rendered since the server started (the trace log and tests read it). */
  renders = 0;

  constructor(private readonly documents: DocumentSource) {}

  /** The chart the document's file belongs to, or null (not a file:, or no Chart.yaml above it). */
  chartOf(uri: string): string | null {
    if (!uri.startsWith('file:')) return null;
    const file = normalizePath(fileKey(uri).replace(/\\/g, '/'));
    const chart = chartRootOf(new DiskFs('/'), file);
    return chart !== null && isChartFile(chart, file) ? chart : null;
  }

  /** The open documents under `chart`, by path. */
  private openIn(chart: string): Map<string, { uri: string; version: string; text: string }> {
    const out = new Map<string, { uri: string; version: string; text: string }>();
    for (const d of this.documents.all()) {
      if (!d.uri.startsWith('file:')) continue;
      const p = normalizePath(fileKey(d.uri).replace(/\\/g, '/'));
      if (isInside(chart, p))
        out.set(p, { uri: d.uri, version: `${idOf(d)}.${d.version}`, text: d.getText() });
    }
    return out;
  }

  /**
   * Whether podsec checks a document that is neither YAML by language nor by
   * name: a chart's template in the `helm` language, or a partial such as
   * `_helpers.tpl`, when it is a file of a chart.
   */
  isChartDocument(doc: { uri: string; languageId: string }): boolean {
    return isPodsecDocument(doc.languageId, doc.uri) && this.chartOf(doc.uri) !== null;
  }

  /** URIs of the open documents of `chart`. */
  openUris(chart: string): string[] {
    return [...this.openIn(chart).values()].map((d) => d.uri);
  }

  /** What identifies the chart's inputs as the editor has them: the open files and their versions. */
  stateKey(chart: string): string {
    return [...this.openIn(chart)].map(([p, d]) => `${p}@${d.version}`).join('|');
  }

  /** The chart's evaluation under `options` (`key` names the settings and Namespaces). */
  evaluation(chart: string, options: AnalyzeOptions, key: string): ValueSetsEvaluation {
    const open = this.openIn(chart);
    const full = `${key}|${[...open].map(([p, d]) => `${p}@${d.version}`).join('|')}`;
    const hit = this.cache.get(chart);
    if (hit && hit.key === full) return hit.ev;
    const texts = new Map<string, string>();
    for (const [p, d] of open) texts.set(p, d.text);
    this.renders++;
    // The value sets of the nearest .podsec.yaml, else the chart's own values.
    const config = new ConfigResolver(new DiskFs('/')).forDir(chart);
    const editorFs = new EditorFs('/', texts);
    const ev = evaluateChartValueSets(
      new EditorFs(chart, texts),
      chart,
      config?.settings.helm ?? [],
      { analyze: options },
      (p) => editorFs.readText(p),
      config?.file,
    );
    this.cache.set(chart, { key: full, ev, configFile: config?.file });
    return ev;
  }

  /** What the status bar says of a chart's document: the chart, and each value set's release. */
  policyInfo(chart: string, ev: ValueSetsEvaluation): ChartPolicyInfo {
    const first = ev.evaluations[0]?.render.chart?.name;
    const configFile =
      this.cache.get(chart)?.ev === ev ? this.cache.get(chart)?.configFile : undefined;
    return {
      name: first ?? chart.slice(chart.lastIndexOf('/') + 1),
      dir: toUri(chart),
      renders: ev.evaluations.map((e) => ({
        valueSet: e.valueSet,
        releaseName: e.render.releaseName,
        namespace: e.namespace,
      })),
      ...(configFile ? { configFile: toUri(configFile) } : {}),
    };
  }

  /** The part of a chart's evaluation placed in one of its files. */
  analysisFor(ev: ValueSetsEvaluation, uri: string): Analysis {
    const file = normalizePath(fileKey(uri).replace(/\\/g, '/'));
    // `generated`: fix-all applies the findings' own fixes, never a re-analysis of the template's text.
    const a: Analysis = {
      ...EMPTY,
      findings: [],
      errors: [],
      notes: [],
      workloads: [],
      generated: true,
    };
    for (const f of ev.findings) if (f.file === file) a.findings.push(f);
    for (const e of ev.errors) if (e.file === file) a.errors.push(e);
    for (const n of ev.notes) if (n.file === file) a.notes.push(n);
    a.findings.sort((x, y) => x.span.start - y.span.start);
    a.objects = ev.objects;
    return a;
  }

  /** No open document of the chart is left: drop its render. */
  forget(chart: string): void {
    if (this.openIn(chart).size === 0) this.cache.delete(chart);
  }
}
