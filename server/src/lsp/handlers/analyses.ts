/**
 * The analysis of each open document. Owns: per document, the engine's
 * incremental cache and the AnalysisResult of its current version under the
 * current settings and Namespaces (a new version, a settings change or a
 * Namespace change makes the next request analyse again). Diagnostics, code
 * actions, lenses and requests all read the same result.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { statSync } from 'node:fs';
import {
  admissionKeyOf,
  AnalysisCache,
  AnalysisSession,
  hardeningEnabled,
  isChartTemplate,
  OutlookMemo,
} from '../../engine';
import { ChunkParses } from '../../engine/chunkParses';
import type {
  Analysis,
  AnalyzeOptions,
  Diagnostic as EngineDiagnostic,
  WorkloadSummary,
} from '../../engine';
import { chartHardeningInputs, overlayHardeningInputs } from '../../engine/project/index';
import type { ValueSetsEvaluation } from '../../engine/project/index';
import type { OverlayIndex } from '../overlays';
import type { OverlayEvaluation } from '../../engine/overlays/index';
import type { ChartPolicyInfo, PodsecSettings } from '../protocol';
import { AnalysisResult } from '../features';
import type { ChartAnalyses } from '../charts';
import { settingsKey } from '../settings';
import { admissionOf, configDiagnostics, isConfigFile } from '../projectSettings';
import type { WorkspaceAdmission } from '../admission';
import { fileKey } from '../uris';
import type { DocumentSource } from './documents';
import { isYamlDocument } from './documents';
import type { SettingsSource } from './settings';
import type { WorkspaceSource } from './workspace';
import type { HardeningSourceIndex } from './hardening';
import { hardeningOptionsFor } from './hardening';

/** Whether a path names a file on disk (for `isChartTemplate`). */
const DISK = {
  isFile: (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isFile() === true,
};

/** A file's own analysis with what the overlays place in it. */
function withOverlay(a: Analysis, overlay: Analysis): Analysis {
  return {
    ...a,
    findings: [...a.findings, ...overlay.findings],
    errors: [...a.errors, ...overlay.errors],
    notes: [...a.notes, ...overlay.notes],
  };
}

interface Entry {
  /** Keeps parsed documents, so the advisor's evaluations of a version parse nothing again. */
  cache: AnalysisCache;
  /** The document's chunk parses, which the hardening checks read too: a version is parsed once. */
  chunks: ChunkParses;
  outlookMemo: OutlookMemo;
  result: AnalysisResult | undefined;
  /** The settings and Namespace epoch `result` was computed under. */
  key: string;
}

/** A document podsec checks, with its current analysis and settings. */
export interface Current {
  doc: TextDocument;
  result: AnalysisResult;
  settings: PodsecSettings;
}

/** What other modules use: analyses of open documents. */
export interface AnalysisSource {
  /** Whether podsec checks the document under `s` at all. */
  checks(doc: TextDocument, s: PodsecSettings): boolean;
  /** The analysis of the document's current version under `s`. */
  resultFor(doc: TextDocument, s: PodsecSettings): AnalysisResult;
  /** The current analysis for a request, or null when podsec does not check the document. */
  current(uri: string): Promise<Current | null>;
  /** Engine options for a document under `s` (fix-all evaluates with the same). */
  optionsFor(uri: string, s: PodsecSettings): AnalyzeOptions;
  /** podsec does not check the document (now): drop what was kept for it. */
  drop(uri: string): void;
  /** The Kustomize overlays of the workspace under `s`, as the documents' analyses see them. */
  overlayEvaluations?(s: PodsecSettings): OverlayEvaluation[];
}

export class Analyses implements AnalysisSource {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentSource,
    private readonly settings: SettingsSource,
    private readonly workspace: Pick<WorkspaceSource, 'namespaces' | 'excluded'>,
    private readonly hardening?: HardeningSourceIndex,
    private readonly charts?: ChartAnalyses,
    private readonly overlays?: Pick<OverlayIndex, 'analysisFor' | 'evaluations' | 'evaluationOf'>,
    private readonly admission?: Pick<WorkspaceAdmission, 'diagnosticsFor' | 'epoch'>,
  ) {}

  overlayEvaluations(s: PodsecSettings): OverlayEvaluation[] {
    if (!this.overlays) return [];
    // The same options and key as a document's analysis, so the evaluation is shared.
    const { file: _f, chartTemplate: _c, ...options } = this.optionsFor('untitled:report', s);
    return this.overlays.evaluations(options, this.baseKey(s));
  }

  /** What a document's analysis depends on besides its text: settings, Namespaces, admission. */
  private baseKey(s: PodsecSettings): string {
    const admission = admissionOf(s);
    // The same key the engine's caches use, computed once per configuration.
    const admissionKey = admission ? admissionKeyOf(admission) : '';
    return `${settingsKey(s)}|${this.workspace.namespaces().epoch}|${admissionKey}|${this.admission?.epoch ?? 0}`;
  }

  checks(doc: TextDocument, s: PodsecSettings): boolean {
    return s.enable && this.reads(doc) && !this.workspace.excluded(doc.uri, s);
  }

  /** YAML, or a chart's file in another language (a `helm` template, `_helpers.tpl`). */
  private reads(doc: TextDocument): boolean {
    return isYamlDocument(doc) || this.charts?.isChartDocument(doc) === true;
  }

  optionsFor(uri: string, s: PodsecSettings): AnalyzeOptions {
    const file = fileKey(uri);
    const admission = admissionOf(s);
    return {
      chartTemplate: file !== uri && isChartTemplate(file, DISK),
      ...(admission ? { admission } : {}),
      level: s.level,
      version: s.version,
      namespaceLabels: s.namespaceLabels,
      namespaces: s.namespaceLabels ? this.workspace.namespaces().map : new Map(),
      file,
      maxFileBytes: s.maxFileSize,
      maxAliasCount: s.maxAliasCount,
    };
  }

  resultFor(doc: TextDocument, s: PodsecSettings): AnalysisResult {
    const entry = this.entryOf(doc.uri);
    const text = doc.getText();
    // The hardening checks see the workspace's objects: their epoch and options count too.
    const hardeningOptions = hardeningOptionsFor(s);
    const hardening = hardeningEnabled(hardeningOptions) ? this.hardening : undefined;
    // A chart partial (`_helpers.tpl`) holds no objects of its own.
    const shared = hardening !== undefined && isYamlDocument(doc);
    if (shared) hardening.documentText(doc.uri, text, entry.chunks);
    const options = this.optionsFor(doc.uri, s);
    const base = this.baseKey(s);
    // A file of a Helm chart shows what the whole chart renders to, as the editor has its files.
    const chart = this.charts?.chartOf(doc.uri) ?? null;
    const { file: _file, ...chartOptions } = options;
    let chartEv: ValueSetsEvaluation | null = null;
    // A file a Kustomize overlay reads is evaluated as the overlays build it (a chart's file
    // also shows what an overlay's `helmCharts` entry renders from it).
    let overlay: ReturnType<OverlayIndex['analysisFor']> = null;
    try {
      overlay = this.overlays?.analysisFor(fileKey(doc.uri), options, base) ?? null;
    } catch (e) {
      this.connection.console.error(
        `podsec: overlays of ${doc.uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
    // The hardening checks see what charts render to and overlays build, before their epoch is read.
    if (hardening) {
      try {
        if (chart && this.charts) {
          chartEv = this.charts.evaluation(chart, chartOptions, base);
          hardening.generated(`chart:${chart}`, {
            inputs: chartHardeningInputs(
              chartEv.evaluations,
              chartEv.evaluations.some((e) => e.valueSet !== 'default'),
            ),
            dirs: [chart],
            from: chartEv,
          });
        }
        const built = this.overlays?.evaluationOf(fileKey(doc.uri), options, base);
        if (built)
          hardening.generated(
            `overlays:${built.folder}`,
            built.evaluation
              ? {
                  inputs: overlayHardeningInputs(built.evaluation),
                  files: built.evaluation.covered,
                  from: built.evaluation,
                }
              : null,
          );
      } catch (e) {
        this.connection.console.error(
          `podsec: hardening inputs of ${doc.uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
      }
    }
    const hardeningKey = hardening
      ? `${hardening.epoch()}|${JSON.stringify(hardeningOptions)}`
      : '';
    const key =
      chart && this.charts
        ? `${base}|${hardeningKey}|chart|${this.charts.stateKey(chart)}|${overlay?.epoch ?? 0}`
        : `${base}|${hardeningKey}|${overlay?.epoch ?? 0}`;
    if (entry.result && entry.result.version === doc.version && entry.key === key) {
      return entry.result;
    }
    let analysis: Analysis;
    let chartInfo: ChartPolicyInfo | null = null;
    let chartWorkload: WorkloadSummary | null = null;
    try {
      if (chart && this.charts) {
        const ev = chartEv ?? this.charts.evaluation(chart, chartOptions, base);
        analysis = this.charts.analysisFor(ev, doc.uri);
        if (overlay) analysis = withOverlay(analysis, overlay.analysis);
        chartInfo = this.charts.policyInfo(chart, ev);
        chartWorkload = this.charts.policyWorkload(ev, doc.uri);
        if (hardening) analysis = hardening.merge(doc.uri, analysis, s);
      } else if (overlay?.replaces) {
        analysis = { ...overlay.analysis, findings: [...overlay.analysis.findings] };
        if (hardening) analysis = hardening.merge(doc.uri, analysis, s);
      } else {
        analysis = entry.cache.analyze(
          text,
          shared ? { ...options, chunks: entry.chunks } : options,
        );
        if (overlay) analysis = withOverlay(analysis, overlay.analysis);
        if (hardening) analysis = hardening.merge(doc.uri, analysis, s);
      }
    } catch (e) {
      entry.cache = new AnalysisCache({ keepParsed: true });
      entry.chunks.clear();
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.connection.console.error(`podsec: analysis of ${doc.uri} failed: ${message}`);
      const err = {
        message: `podsec could not check this file (internal error: ${e instanceof Error ? e.message : String(e)})`,
        span: { start: 0, end: 0 },
        code: 'internal',
        severity: 'error',
      } as unknown as EngineDiagnostic;
      analysis = { findings: [], errors: [err], notes: [], workloads: [], objects: 0 };
    }
    // A .podsec.yaml's own problems, at their keys, from its current text.
    if (isConfigFile(doc.uri)) {
      analysis = { ...analysis, errors: [...analysis.errors, ...configDiagnostics(doc.uri, text)] };
    }
    // An admission configuration's own problems (upstream's validation), at their entries.
    if (this.admission && doc.uri.startsWith('file:')) {
      // Each keeps its severity (an error, or upstream's warning), as a .podsec.yaml's do.
      const own = this.admission.diagnosticsFor(fileKey(doc.uri), text);
      if (own.length > 0) analysis = { ...analysis, errors: [...analysis.errors, ...own] };
    }
    const session = new AnalysisSession(
      text,
      { file: fileKey(doc.uri), maxFileBytes: s.maxFileSize, maxAliasCount: s.maxAliasCount },
      entry.cache,
    );
    entry.result = new AnalysisResult(doc.uri, doc.version, text, analysis, undefined, {
      session,
      outlookMemo: entry.outlookMemo,
    });
    entry.result.chart = chartInfo;
    entry.result.chartWorkload = chartWorkload;
    entry.key = key;
    return entry.result;
  }

  async current(uri: string): Promise<Current | null> {
    const doc = this.documents.get(uri);
    if (!doc || !this.reads(doc)) return null;
    const settings = await this.settings.for(uri);
    const now = this.documents.get(uri);
    if (!now || !this.checks(now, settings)) return null;
    return { doc: now, result: this.resultFor(now, settings), settings };
  }

  drop(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    entry.result = undefined;
    entry.cache.clear();
    entry.chunks.clear();
  }

  /** The document closed. */
  forget(uri: string): void {
    this.entries.get(uri)?.cache.clear();
    this.entries.get(uri)?.chunks.clear();
    this.entries.delete(uri);
  }

  private entryOf(uri: string): Entry {
    let entry = this.entries.get(uri);
    if (!entry) {
      entry = {
        cache: new AnalysisCache({ keepParsed: true }),
        chunks: new ChunkParses(),
        outlookMemo: new OutlookMemo(),
        result: undefined,
        key: '',
      };
      this.entries.set(uri, entry);
    }
    return entry;
  }
}
