/**
 * Code lenses and the custom requests (`podsec/report`,
 * `podsec/policyForDocument`): views of the analyses, answered on request.
 * Owns: whether the client can be asked to refresh its code lenses.
 */
import type { Connection, InitializeParams, ServerCapabilities } from 'vscode-languageserver/node';
import { CodeLensRefreshRequest } from 'vscode-languageserver/node';
import { PolicyForDocumentRequest, ReportRequest } from '../protocol';
import type { PodsecSettings, ReportParams, ReportResult } from '../protocol';
import * as path from 'node:path';
import { codeLenses, documentPolicy, workspaceReport } from '../features';
import { chartCodeLenses, chartFixLenses } from '../features/lenses';
import type { ReportSources } from '../features/report';
import type { ChartAnalyses } from '../charts';
import { fileKey, toUri } from '../uris';
import type { AnalysisSource } from './analyses';
import type { DocumentSource } from './documents';
import type { HardeningSourceIndex } from './hardening';
import { isYamlDocument } from './documents';
import type { SettingsSource } from './settings';
import type { WorkspaceSource } from './workspace';

export class Views {
  private refreshSupported = false;

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentSource,
    private readonly settings: SettingsSource & {
      /** A file on disk's settings: its folder's (asked once per `scopeUri`), its .podsec.yaml over them. */
      forFile?(uri: string, scopeUri: string): Promise<PodsecSettings>;
    },
    private readonly analyses: AnalysisSource,
    private readonly workspace: WorkspaceSource,
    private readonly charts?: ChartAnalyses,
    private readonly hardening?: Pick<HardeningSourceIndex, 'reportFor'>,
  ) {
    connection.onCodeLens(async (params) => {
      const cur = await analyses.current(params.textDocument.uri);
      if (!cur) return null;
      // A chart's file: the rendered workloads whose kind: line it holds.
      if (cur.result.chart && this.charts) {
        const limits = {
          maxFileBytes: cur.settings.maxFileSize,
          maxAliasCount: cur.settings.maxAliasCount,
        };
        return [
          ...chartCodeLenses(cur.result, this.charts.workloadsIn(cur.doc.uri, limits)),
          ...chartFixLenses(cur.result, this.charts.fixLensesIn(cur.doc.uri, limits)),
        ];
      }
      return codeLenses(cur.result, cur.settings);
    });
    connection.onRequest(PolicyForDocumentRequest, async (params) => {
      const cur = await analyses.current(params.uri);
      return cur ? documentPolicy(cur.result, cur.settings, workspace) : null;
    });
    connection.onRequest(ReportRequest, (params: ReportParams | null) => this.report(params ?? {}));
  }

  initialize(params: InitializeParams): ServerCapabilities {
    this.refreshSupported = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    return { codeLensProvider: { resolveProvider: false } };
  }

  /** Levels follow settings and Namespace labels: ask the client to ask for lenses again. */
  refreshCodeLenses(): void {
    if (!this.refreshSupported) return;
    this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  private async report(params: ReportParams): Promise<ReportResult> {
    const first = this.workspace.firstFolder();
    // The settings of the first folder's own files: its .podsec.yaml (a name in the folder) applies.
    const settings = first
      ? await this.settings.for(`${first.replace(/\/+$/, '')}/.podsec.yaml`)
      : this.settings.defaults();
    const cancelled = this.workspace.cancellation();
    const open: Array<{ file: string; text: string }> = [];
    for (const doc of this.documents.all()) {
      if (!isYamlDocument(doc)) continue;
      const s = await this.settings.for(doc.uri);
      if (this.analyses.checks(doc, s)) open.push({ file: fileKey(doc.uri), text: doc.getText() });
    }
    const folders = this.workspace.folderPaths();
    const forFile = this.settings.forFile?.bind(this.settings);
    // Each file at its own .podsec.yaml over the editor settings of its workspace folder.
    const scopeOf = (file: string): string => {
      const folder = folders
        .filter((f) => file.startsWith(f + path.sep))
        .reduce<string | null>((a, f) => (a === null || f.length > a.length ? f : a), null);
      return toUri(path.join(folder ?? folders[0] ?? path.dirname(file), '.podsec.yaml'));
    };
    return workspaceReport(params, {
      folders,
      open,
      excluded: (file, s) => this.workspace.excluded(toUri(file), s),
      ...(forFile ? { settingsOf: (file: string) => forFile(toUri(file), scopeOf(file)) } : {}),
      display: (file) => this.workspace.display(file),
      settings,
      cancelled,
      ...(this.charts ? { charts: this.chartSource(this.charts) } : {}),
      overlays: this.analyses.overlayEvaluations?.(settings) ?? [],
      ...(this.hardening ? { hardening: () => this.hardening?.reportFor(settings) ?? null } : {}),
    });
  }

  private chartSource(charts: ChartAnalyses): NonNullable<ReportSources['charts']> {
    return {
      chartOf: (file) => charts.chartOf(toUri(file)),
      inputs: (chart, display) => charts.reportInputs(chart, display),
    };
  }
}
