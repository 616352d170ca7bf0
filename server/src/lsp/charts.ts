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
import type { AnalyzeOptions, Analysis, Fix, Level } from '../engine';
import { CONFIG_FILE_NAMES, ConfigResolver } from '../engine/config/index';
import { adviseText } from '../engine';
import type { ReportInput, WorkloadAdvice, WorkloadSummary } from '../engine';
import { workloadKey } from '../engine/advisor/shared';
import {
  chartReportInputs,
  chartRootOf,
  editorFixes,
  evaluateChartAtLevel,
  evaluateChartValueSets,
  findingOf,
  fixChartWorkloadToLevel,
  isChartFile,
  placeSpan,
  safeOriginFix,
} from '../engine/project/index';
import type {
  ChartEvaluation,
  ChartWorkloadRef,
  ValueSetsEvaluation,
} from '../engine/project/index';
import type { DirEntry, SourceFs } from '../engine/sources/sourceFs';
import { isInside, normalizePath, TextsOverFs } from '../engine/sources/sourceFs';
import { DiskFs } from '../cli/render';
import type { DocumentSource } from './handlers/documents';
import { groupFindings } from './features/groups';
import type { ChartFixLens, ChartWorkload } from './features/lenses';
import { minimalEdit } from './features/edits';
import type { ChartPolicyInfo, FixToLevelArgs } from './protocol';
import { isPodsecDocument } from './protocol';
import { fileKey, toUri } from './uris';
import { ChartInputs } from './chartInputs';
import type { Readers } from './chartInputs';

/** The disk under a chart, with the open documents' text in place of their files. */
function editorFs(root: string, open: ReadonlyMap<string, string>): SourceFs {
  return new TextsOverFs(new DiskFs(root), open);
}

/**
 * The disk as the search for `.podsec.yaml` reads it: a folder lists only the
 * names that search looks at (the configuration files, `.git`), so the
 * render's inputs do not change when other files come and go in the folders
 * above the chart.
 */
class ConfigSearchFs implements SourceFs {
  private static readonly NAMES: ReadonlySet<string> = new Set([...CONFIG_FILE_NAMES, '.git']);
  private readonly disk = new DiskFs('/');
  readText(path: string): string | null {
    return this.disk.readText(path);
  }
  readBytes(path: string): Uint8Array | null {
    return this.disk.readBytes(path);
  }
  list(path: string): DirEntry[] | null {
    return this.disk.list(path)?.filter((e) => ConfigSearchFs.NAMES.has(e.name)) ?? null;
  }
  realPath(path: string): string | null {
    return this.disk.realPath(path);
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

/** Advice of a render's workloads per policy version, computed once per render and version. */
const advised = new WeakMap<ChartEvaluation, Map<string, Map<string, WorkloadAdvice>>>();
function adviceOf(
  e: ChartEvaluation,
  version: string,
  limits: { maxFileBytes: number; maxAliasCount: number },
): Map<string, WorkloadAdvice> {
  let byVersion = advised.get(e);
  if (!byVersion) advised.set(e, (byVersion = new Map<string, Map<string, WorkloadAdvice>>()));
  let m = byVersion.get(version);
  if (!m) {
    const advice = adviseText(e.source.text, { ...limits, version, fixOutlook: false });
    m = new Map(advice.map((a) => [workloadKey(a.object), a]));
    byVersion.set(version, m);
  }
  return m;
}

/** Per render, the chart evaluated at a level and version (what "Fix to" aims at). */
const atLevel = new WeakMap<ChartEvaluation, Map<string, ChartEvaluation>>();

/** The rendered workload `w` of `e` as a render names it. */
function refOf(e: ChartEvaluation, w: WorkloadSummary): ChartWorkloadRef {
  const doc = e.render.documents.find((d) => d.start <= w.span.start && w.span.start < d.end);
  return {
    kind: w.object.kind,
    name: w.object.name,
    namespace: w.object.namespace,
    source: doc?.template ?? null,
  };
}

/** A workload whose Namespace the chart renders, that Namespace named at the file its labels come from. */
function namespacePlaced(e: ChartEvaluation, w: WorkloadSummary): WorkloadSummary {
  const src = w.policySource;
  if (src.kind !== 'namespace' || src.file !== e.source.label || !src.span) return w;
  const at = placeSpan(e.source, src.span, `${e.chartDir}/Chart.yaml`);
  return { ...w, policySource: { ...src, file: at.file, span: at.span } };
}

/** What a chart's kept render read, and whether those inputs may have changed since. */
interface InputState {
  inputs: ChartInputs;
  /** The digest of the inputs as the render read them. */
  rendered: string;
  /** The digest as last checked, with the open documents' versions and no disk change since. */
  current: string;
  open: string;
  dirty: boolean;
}

export class ChartAnalyses {
  private readonly cache = new Map<
    string,
    { key: string; ev: ValueSetsEvaluation; configFile: string | undefined }
  >();
  /** Per chart without a kept render, a count of changes on disk (part of its key). */
  private readonly epochs = new Map<string, number>();
  /** Per chart with a kept render, what it read. */
  private readonly inputs = new Map<string, InputState>();
  private readonly readListeners: Array<(chart: string, inputs: ChartInputs) => void> = [];
  /** Charts rendered since the server started (the trace log and tests read it). */
  renders = 0;

  constructor(private readonly documents: DocumentSource) {}

  /** After a render kept for the editor: what it read (the files to watch). */
  onDidReadInputs(listener: (chart: string, inputs: ChartInputs) => void): void {
    this.readListeners.push(listener);
  }

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

  /**
   * What identifies the chart's inputs as the editor has them: the digest of
   * every file and listing the kept render read, read again (the open
   * documents' text over the disk) when an open document changed or a disk
   * change was reported since the last look; before any render, the open
   * files' versions and the changes on disk.
   */
  stateKey(chart: string): string {
    const open = [...this.openIn(chart)].map(([p, d]) => `${p}@${d.version}`).join('|');
    const st = this.inputs.get(chart);
    if (!st) return `unrendered|${this.epochs.get(chart) ?? 0}|${open}`;
    if (st.dirty || st.open !== open) {
      st.current = st.inputs.digestNow(this.readers(chart));
      st.open = open;
      st.dirty = false;
    }
    return st.current;
  }

  /** The charts with an open document, by folder. */
  openCharts(): string[] {
    const out = new Set<string>();
    for (const d of this.documents.all()) {
      const c = this.chartOf(d.uri);
      if (c !== null) out.add(c);
    }
    return [...out];
  }

  /**
   * A file changed on disk (created, changed or deleted). When it lies in a
   * chart with open documents, or the chart's render read it, and it is not
   * open itself (the editor's text wins over the disk), the URIs of the
   * chart's open documents are returned, to be analysed again: the chart
   * renders again if what its render read is no longer the same.
   */
  diskChanged(file: string): string[] {
    const p = normalizePath(file.replace(/\\/g, '/'));
    const out: string[] = [];
    for (const chart of this.openCharts()) {
      const st = this.inputs.get(chart);
      if (!isInside(chart, p) && st?.inputs.has(p) !== true) continue;
      const open = this.openIn(chart);
      if (open.has(p)) continue;
      if (st) st.dirty = true;
      else this.epochs.set(chart, (this.epochs.get(chart) ?? 0) + 1);
      out.push(...[...open.values()].map((d) => d.uri));
    }
    return out;
  }

  /** The chart's evaluation under `options` (`key` names the settings and Namespaces). */
  evaluation(chart: string, options: AnalyzeOptions, key: string): ValueSetsEvaluation {
    const hit = this.cache.get(chart);
    if (hit && hit.key === `${key}|${this.stateKey(chart)}`) return hit.ev;
    const inputs = new ChartInputs(new Set(['config']));
    const { ev, configFile } = this.render(chart, options, inputs);
    const rendered = inputs.digest();
    const open = [...this.openIn(chart)].map(([p, d]) => `${p}@${d.version}`).join('|');
    this.inputs.set(chart, { inputs, rendered, current: rendered, open, dirty: false });
    this.epochs.delete(chart);
    this.cache.set(chart, { key: `${key}|${rendered}`, ev, configFile });
    for (const l of this.readListeners) l(chart, inputs);
    return ev;
  }

  /** The readers a render of `chart` uses, as the editor has the files now. */
  private readers(chart: string): Readers<'chart' | 'values' | 'config'> {
    const texts = new Map<string, string>();
    for (const [p, d] of this.openIn(chart)) texts.set(p, d.text);
    return {
      chart: editorFs(chart, texts),
      values: editorFs('/', texts),
      config: new ConfigSearchFs(),
    };
  }

  /** Render and evaluate the chart as the editor has its files (noting what it read in `inputs`). */
  private render(
    chart: string,
    options: AnalyzeOptions,
    inputs?: ChartInputs,
  ): { ev: ValueSetsEvaluation; configFile: string | undefined } {
    const plain = this.readers(chart);
    const r = inputs ? inputs.recording(plain) : plain;
    this.renders++;
    // The value sets of the nearest .podsec.yaml, else the chart's own values.
    const config = new ConfigResolver(r.config).forDir(chart);
    const ev = evaluateChartValueSets(
      r.chart,
      chart,
      config?.settings.helm ?? [],
      { analyze: options },
      (p) => r.values.readText(p),
      config?.file,
    );
    return { ev, configFile: config?.file };
  }

  /**
   * The chart's renders as inputs of the workspace report, as the editor has
   * its files: the current render when one is kept, else a render of its own
   * (not kept: the report's options are not a document's).
   */
  reportInputs(chart: string, display: (file: string) => string): ReportInput[] {
    const hit = this.cache.get(chart);
    const ev =
      hit && hit.key.endsWith(`|${this.stateKey(chart)}`)
        ? hit.ev
        : this.render(chart, { namespaceLabels: false, level: 'privileged' }).ev;
    const texts = new Map<string, string>();
    for (const [p, d] of this.openIn(chart)) texts.set(p, d.text);
    const fs = editorFs('/', texts);
    return chartReportInputs(ev, display, (p) => fs.readText(p));
  }

  /**
   * The rendered workloads whose `kind:` line is in `uri` (a template, or a
   * partial that writes it), one per value set, each with the level advice
   * of the rendered object at the version of the policy that applies to it.
   * Read from the render the document's diagnostics came from.
   */
  workloadsIn(
    uri: string,
    limits: { maxFileBytes: number; maxAliasCount: number },
  ): ChartWorkload[] {
    const file = normalizePath(fileKey(uri).replace(/\\/g, '/'));
    const chart = this.chartOf(uri);
    const ev = chart === null ? undefined : this.cache.get(chart)?.ev;
    if (!ev) return [];
    const out: ChartWorkload[] = [];
    const sets = ev.evaluations.length;
    for (const e of ev.evaluations) {
      const fallback = `${e.chartDir}/Chart.yaml`;
      for (const w of e.analysis.workloads) {
        const at = placeSpan(e.source, w.headSpan, fallback);
        if (at.file !== file) continue;
        const advice = adviceOf(e, w.policy.version, limits).get(workloadKey(w.object));
        if (!advice) continue;
        const key = workloadKey(w.object);
        const mine = e.analysis.findings.filter((f) => workloadKey(f.object) === key);
        out.push({
          span: at.span,
          workload: w,
          advice,
          // One problem per field, as the diagnostics show them (a group's first is its most severe mode).
          enforceProblems: groupFindings(mine).filter((g) => mine[g[0]!]?.mode === 'enforce')
            .length,
          release: {
            chart: e.render.chart?.name ?? chart ?? '',
            valueSet: e.valueSet,
            releaseName: e.render.releaseName,
            namespace: e.namespace,
          },
          valueSets: sets,
        });
      }
    }
    return out;
  }

  /** The chart's files as the editor has them (open documents' text over the disk). */
  private fsOf(chart: string): SourceFs {
    const texts = new Map<string, string>();
    for (const [p, d] of this.openIn(chart)) texts.set(p, d.text);
    return editorFs(chart, texts);
  }

  /** `e` evaluated at `level` and `version` on its own render, once per render. */
  private atLevel(chart: string, e: ChartEvaluation, level: Level, version: string) {
    let m = atLevel.get(e);
    if (!m) atLevel.set(e, (m = new Map<string, ChartEvaluation>()));
    const k = `${level}|${version}`;
    let ev = m.get(k);
    if (!ev) {
      ev = evaluateChartAtLevel(this.fsOf(chart), chart, e.options, level, version, e);
      m.set(k, ev);
    }
    return ev;
  }

  /**
   * The "Fix to <level>" lenses of a chart file: per rendered workload with a
   * safe fix for the next level up, on its `kind:` line in the file that
   * writes it, and in each other file its fixes edit or its findings are in
   * (values.yaml), at the first of those (there naming the workload).
   * Read from the render the document's diagnostics came from.
   */
  fixLensesIn(
    uri: string,
    limits: { maxFileBytes: number; maxAliasCount: number },
  ): ChartFixLens[] {
    const file = normalizePath(fileKey(uri).replace(/\\/g, '/'));
    const chart = this.chartOf(uri);
    const ev = chart === null ? undefined : this.cache.get(chart)?.ev;
    if (!ev || chart === null) return [];
    const out: ChartFixLens[] = [];
    for (const e of ev.evaluations) {
      const fallback = `${e.chartDir}/Chart.yaml`;
      for (const w of e.analysis.workloads) {
        const advice = adviceOf(e, w.policy.version, limits).get(workloadKey(w.object));
        const level = advice?.next;
        if (!level) continue;
        const ref = refOf(e, w);
        const mine = this.atLevel(chart, e, level, w.policy.version).findings.filter(
          findingOf(ref),
        );
        const fixes = mine.flatMap((f) => safeOriginFix(f) ?? []);
        if (fixes.length === 0) continue;
        const at = placeSpan(e.source, w.headSpan, fallback);
        let start: number | undefined;
        if (at.file === file) start = at.span.start;
        else {
          const offsets = [
            ...mine.filter((f) => f.file === file).map((f) => f.span.start),
            ...fixes.filter((x) => x.file === file).flatMap((x) => x.fix.edits.map((d) => d.start)),
          ];
          if (offsets.length > 0) start = Math.min(...offsets);
        }
        if (start === undefined) continue;
        out.push({
          span: { start, end: start },
          named: at.file !== file,
          workload: ref,
          level,
          policyVersion: w.policy.version,
          fixable: fixes.length,
          left: mine.length - fixes.length,
          release: {
            chart: e.render.chart?.name ?? chart,
            valueSet: e.valueSet,
            releaseName: e.render.releaseName,
            namespace: e.namespace,
          },
          valueSets: ev.evaluations.length,
        });
      }
    }
    return out;
  }

  /**
   * What "Fix to <level>" makes of a chart's workload, as the editor has the
   * chart's files: the edit of the document (`edits`) and of each other file
   * (`files`), null when there is nothing to fix or the lens's render is gone.
   */
  fixToLevel(uri: string, args: FixToLevelArgs): Fix | null {
    const target = args.chart;
    const chart = this.chartOf(uri);
    const ev = chart === null ? undefined : this.cache.get(chart)?.ev;
    const e = ev?.evaluations.find((x) => x.valueSet === target?.valueSet);
    if (!target || chart === null || !e) return null;
    const { valueSet: _set, ...ref } = target;
    const fixed = fixChartWorkloadToLevel(
      this.fsOf(chart),
      chart,
      e.options,
      ref,
      args.level,
      args.policyVersion,
    );
    const own = normalizePath(fileKey(uri).replace(/\\/g, '/'));
    const fix: Fix = { title: `Fix to ${args.level}`, safe: true, edits: [], files: [] };
    for (const [path, t] of fixed.files) {
      const edit = minimalEdit(t.before, t.after);
      if (!edit) continue;
      if (path === own) fix.edits.push(edit);
      else fix.files?.push({ path, edits: [edit] });
    }
    return fix.edits.length > 0 || (fix.files?.length ?? 0) > 0 ? fix : null;
  }

  /**
   * The rendered workload whose policy a chart document shows (the status
   * bar's): the first whose `kind:` line is in the document, else the
   * chart's first. A Namespace the chart renders is named at the file its
   * labels come from.
   */
  policyWorkload(ev: ValueSetsEvaluation, uri: string): WorkloadSummary | null {
    const file = normalizePath(fileKey(uri).replace(/\\/g, '/'));
    let first: { e: ChartEvaluation; w: WorkloadSummary } | null = null;
    for (const e of ev.evaluations) {
      for (const w of e.analysis.workloads) {
        first ??= { e, w };
        if (placeSpan(e.source, w.headSpan, `${e.chartDir}/Chart.yaml`).file === file)
          return namespacePlaced(e, w);
      }
    }
    return first ? namespacePlaced(first.e, first.w) : null;
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
    // A template's missing field set in values.yaml is a fix of the template's finding too.
    for (const f of ev.findings)
      if (f.file === file) a.findings.push({ ...f, fixes: editorFixes(f) });
    for (const e of ev.errors) if (e.file === file) a.errors.push(e);
    for (const n of ev.notes) if (n.file === file) a.notes.push(n);
    a.findings.sort((x, y) => x.span.start - y.span.start);
    a.objects = ev.objects;
    return a;
  }

  /** If no open document of the chart is left, drop its render (and say so). */
  forget(chart: string): boolean {
    if (this.openIn(chart).size > 0) return false;
    this.cache.delete(chart);
    this.epochs.delete(chart);
    this.inputs.delete(chart);
    return true;
  }
}
