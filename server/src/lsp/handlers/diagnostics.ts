/**
 * Diagnostics and hovers. Owns: per document, the last policy sent in
 * `podsec/didChangePolicy` (sent again only when it changes). Analyses each
 * document when it is due, publishes its diagnostics for that version, and
 * clears them when podsec stops checking it or it closes.
 */
import type { Connection, ServerCapabilities } from 'vscode-languageserver/node';
import { DidChangePolicyNotification } from '../protocol';
import type { PolicyForDocumentResult } from '../protocol';
import { documentPolicy, hoverAt, toDiagnostics } from '../features';
import type { AnalysisResult, NamespaceResolver } from '../features';
import { Baselines } from '../baselines';
import type { AnalysisSource } from './analyses';
import type { DocumentSource, DueDocument } from './documents';
import type { SettingsSource } from './settings';

export class Diagnostics {
  private readonly lastPolicy = new Map<string, string>();
  private readonly baselines = new Baselines();
  private readonly baselineProblems = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentSource,
    private readonly settings: SettingsSource,
    private readonly analyses: AnalysisSource,
    private readonly namespaces: NamespaceResolver & { uriOf(file: string): string },
  ) {
    connection.onHover(async (params) => {
      const cur = await analyses.current(params.textDocument.uri);
      if (!cur) return null;
      // A result made since the last publish (settings or Namespaces changed) is matched here,
      // so the hover says what the diagnostics will.
      if (cur.result.baseline === undefined)
        this.applyBaseline(params.textDocument.uri, cur.result);
      return hoverAt(cur.result, params.position, namespaces, cur.settings);
    });
  }

  initialize(): ServerCapabilities {
    return { hoverProvider: true };
  }

  /** Analyse a due document and publish its diagnostics, unless superseded meanwhile. */
  async publish(due: DueDocument): Promise<void> {
    const { uri, version } = due;
    const settings = await this.settings.for(uri);
    const doc = this.documents.get(uri);
    // Superseded while waiting for settings: a newer run will publish.
    if (!due.current() || !doc) return;
    if (!this.analyses.checks(doc, settings)) {
      this.analyses.drop(uri);
      this.clear(uri, version);
      this.sendPolicy(uri, null);
      return;
    }
    const started = Date.now();
    const r = this.analyses.resultFor(doc, settings);
    this.applyBaseline(uri, r);
    const diagnostics = toDiagnostics(r, settings, this.namespaces);
    this.connection.tracer.log(
      `podsec: ${uri} v${version}: ${r.analysis.findings.length} findings, ${r.analysis.errors.length} errors in ${Date.now() - started} ms`,
    );
    void this.connection.sendDiagnostics({ uri, version, diagnostics });
    this.sendPolicy(uri, documentPolicy(r, settings, this.namespaces));
  }

  /** Marks the findings of the baseline the nearest `.podsec.yaml` names; says once why one cannot be used. */
  private applyBaseline(uri: string, r: AnalysisResult): void {
    const m = this.baselines.match(uri, r.text, r.analysis);
    r.baseline = m ? { file: m.file, existing: m.existing } : null;
    if (m?.problem && !this.baselineProblems.has(`${m.file}\n${m.problem}`)) {
      this.baselineProblems.add(`${m.file}\n${m.problem}`);
      this.connection.console.warn(`podsec: the baseline ${m.file} cannot be used: ${m.problem}`);
    }
  }

  /** The document closed: no diagnostics, nothing remembered. */
  forget(uri: string): void {
    this.lastPolicy.delete(uri);
    this.clear(uri);
  }

  private clear(uri: string, version?: number): void {
    void this.connection.sendDiagnostics({ uri, version, diagnostics: [] });
  }

  private sendPolicy(uri: string, policy: PolicyForDocumentResult | null): void {
    const key = JSON.stringify(policy);
    if (key === this.lastPolicy.get(uri)) return;
    this.lastPolicy.set(uri, key);
    void this.connection.sendNotification(DidChangePolicyNotification, { uri, policy });
  }
}
