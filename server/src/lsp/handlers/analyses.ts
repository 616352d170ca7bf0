/**
 * The analysis of each open document. Owns: per document, the engine's
 * incremental cache and the AnalysisResult of its current version under the
 * current settings and Namespaces (a new version, a settings change or a
 * Namespace change makes the next request analyse again). Diagnostics, code
 * actions, lenses and requests all read the same result.
 */
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache, AnalysisSession, OutlookMemo } from '../../engine';
import type { Analysis, AnalyzeOptions, Diagnostic as EngineDiagnostic } from '../../engine';
import type { PodsecSettings } from '../protocol';
import { AnalysisResult } from '../features';
import { settingsKey } from '../settings';
import { fileKey } from '../uris';
import type { DocumentSource } from './documents';
import { isYamlDocument } from './documents';
import type { SettingsSource } from './settings';
import type { WorkspaceSource } from './workspace';
import type { HardeningSourceIndex } from './hardening';
import { hardeningOptionsFor } from './hardening';

interface Entry {
  /** Keeps parsed documents, so the advisor's evaluations of a version parse nothing again. */
  cache: AnalysisCache;
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
}

export class Analyses implements AnalysisSource {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentSource,
    private readonly settings: SettingsSource,
    private readonly workspace: Pick<WorkspaceSource, 'namespaces' | 'excluded'>,
    private readonly hardening?: HardeningSourceIndex,
  ) {}

  checks(doc: TextDocument, s: PodsecSettings): boolean {
    return s.enable && isYamlDocument(doc) && !this.workspace.excluded(doc.uri, s);
  }

  optionsFor(uri: string, s: PodsecSettings): AnalyzeOptions {
    return {
      level: s.level,
      version: s.version,
      namespaceLabels: s.namespaceLabels,
      namespaces: s.namespaceLabels ? this.workspace.namespaces().map : new Map(),
      file: fileKey(uri),
      maxFileBytes: s.maxFileSize,
      maxAliasCount: s.maxAliasCount,
    };
  }

  resultFor(doc: TextDocument, s: PodsecSettings): AnalysisResult {
    const entry = this.entryOf(doc.uri);
    const text = doc.getText();
    // The hardening checks see the workspace's objects: their epoch and options count too.
    this.hardening?.documentText(doc.uri, text);
    const hardeningKey = this.hardening
      ? `${this.hardening.epoch()}|${JSON.stringify(hardeningOptionsFor(s))}`
      : '';
    const key = `${settingsKey(s)}|${this.workspace.namespaces().epoch}|${hardeningKey}`;
    if (entry.result && entry.result.version === doc.version && entry.key === key) {
      return entry.result;
    }
    let analysis: Analysis;
    try {
      analysis = entry.cache.analyze(text, this.optionsFor(doc.uri, s));
      if (this.hardening) analysis = this.hardening.merge(doc.uri, analysis, s);
    } catch (e) {
      entry.cache = new AnalysisCache({ keepParsed: true });
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
    const session = new AnalysisSession(
      text,
      { file: fileKey(doc.uri), maxFileBytes: s.maxFileSize, maxAliasCount: s.maxAliasCount },
      entry.cache,
    );
    entry.result = new AnalysisResult(doc.uri, doc.version, text, analysis, undefined, {
      session,
      outlookMemo: entry.outlookMemo,
    });
    entry.key = key;
    return entry.result;
  }

  async current(uri: string): Promise<Current | null> {
    const doc = this.documents.get(uri);
    if (!doc || !isYamlDocument(doc)) return null;
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
  }

  /** The document closed. */
  forget(uri: string): void {
    this.entries.get(uri)?.cache.clear();
    this.entries.delete(uri);
  }

  private entryOf(uri: string): Entry {
    let entry = this.entries.get(uri);
    if (!entry) {
      entry = {
        cache: new AnalysisCache({ keepParsed: true }),
        outlookMemo: new OutlookMemo(),
        result: undefined,
        key: '',
      };
      this.entries.set(uri, entry);
    }
    return entry;
  }
}
