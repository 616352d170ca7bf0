/**
 * "podsec: Show Pod Security Report": asks the language server for the level
 * advisor's report of the workspace (podsec/report) and shows the Markdown in
 * VS Code's Markdown preview, which follows the colour theme. Each report is a
 * read-only virtual document of its own (`podsec-report:` scheme, a new URI
 * per report, so a second report never shows the first one's text); its links
 * open the files at the workload's or finding's line.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { State } from 'vscode-languageclient/node';
import { ReportRequest, SETTINGS_SECTION } from '../../server/src/lsp/protocol';
import type { ReportParams } from '../../server/src/lsp/protocol';
import { isLevel, knownVersions } from './selectLevel';

/** The scheme of the report documents. */
export const REPORT_SCHEME = 'podsec-report';
/** Reports kept for the previews that may still read them. */
const KEPT_REPORTS = 20;

/** The report documents' text, by URI: one new URI per report. */
export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private count = 0;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);
  }

  /** Stores a report's Markdown under a new URI (`podsec-report:/<n>/<title>.md`). */
  add(markdown: string, title: string): vscode.Uri {
    this.count += 1;
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${this.count}/${title}.md` });
    this.texts.set(uri.toString(), markdown);
    while (this.texts.size > KEPT_REPORTS) {
      const oldest = this.texts.keys().next().value;
      if (oldest === undefined) break;
      this.texts.delete(oldest);
    }
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.texts.get(uri.toString()) ??
      '# Pod Security report\n\nThis report is no longer available: run _podsec: Show Pod Security Report_ again.\n'
    );
  }

  dispose(): void {
    this.registration.dispose();
    this.texts.clear();
  }
}

function reportParams(arg: unknown): ReportParams {
  if (typeof arg !== 'object' || arg === null) return {};
  const a = arg as Record<string, unknown>;
  const out: ReportParams = {};
  if (typeof a.version === 'string') out.version = a.version;
  if (typeof a.from === 'string') out.from = a.from;
  if (typeof a.to === 'string') out.to = a.to;
  if (isLevel(a.level)) out.level = a.level;
  return out;
}

/**
 * Show the report. `arg` may carry ReportParams (`{from: 'v1.30', to: 'latest'}`)
 * for a version comparison. Resolves with the Markdown document, or undefined.
 */
export async function showReport(
  client: LanguageClient | undefined,
  documents: ReportDocuments,
  arg?: unknown,
): Promise<vscode.TextDocument | undefined> {
  if (!client || client.state !== State.Running) {
    void vscode.window.showWarningMessage('podsec: the language server is not running.');
    return undefined;
  }
  const params = reportParams(arg);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'podsec: Pod Security report' },
    () => client.sendRequest(ReportRequest, params),
  );
  const title =
    params.from && params.to
      ? `Pod Security report ${params.from} to ${params.to}`
      : 'Pod Security report';
  const uri = documents.add(result.markdown, title);
  let doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'markdown')
    doc = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  try {
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  } catch {
    // No Markdown preview (the built-in extension disabled): show the text itself.
    await vscode.window.showTextDocument(doc, { preview: false });
  }
  return doc;
}

async function pickVersion(title: string, preferred: string): Promise<string | undefined> {
  const versions = knownVersions();
  const items = [preferred, ...versions.filter((v) => v !== preferred)].map((v) => ({
    label: v,
    description: v === preferred ? '(suggested)' : undefined,
  }));
  return (await vscode.window.showQuickPick(items, { title }))?.label;
}

/**
 * "podsec: Compare Pod Security Versions…": asks for the version the cluster
 * enforces now and the one it moves to (unless `arg` gives `from`/`to`), then
 * shows the report with, for each workload, the checks that start or stop
 * firing between the two.
 */
export async function compareVersions(
  client: LanguageClient | undefined,
  documents: ReportDocuments,
  arg?: unknown,
): Promise<vscode.TextDocument | undefined> {
  const params = reportParams(arg);
  const current = vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .get<string>('version', 'latest');
  const from =
    params.from ??
    (await pickVersion(
      'Compare Pod Security versions: from (what the cluster enforces now)',
      current === 'latest' ? (knownVersions()[1] ?? 'latest') : current,
    ));
  if (!from) return undefined;
  const to =
    params.to ?? (await pickVersion(`Compare Pod Security versions: from ${from} to`, 'latest'));
  if (!to) return undefined;
  return showReport(client, documents, { ...params, from, to });
}
