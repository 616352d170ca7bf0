/**
 * "podsec: Show Pod Security Report": asks the language server for the level
 * advisor's report of the workspace (podsec/report) and shows it in one
 * webview tab that follows the colour theme (reportView.ts builds its HTML).
 * A second report replaces the first in the same tab. Links to files open
 * the file at the workload's or finding's line, and only files the report
 * lists can be opened that way.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { State } from 'vscode-languageclient/node';
import { ReportRequest, SETTINGS_SECTION } from '../../server/src/lsp/protocol';
import type { ReportParams } from '../../server/src/lsp/protocol';
import { isLevel, knownVersions } from './selectLevel';
import { ReportPanel } from './reportView';
import type { ShownReport } from './reportView';

export { ReportPanel };
export type { ShownReport };

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
 * for a version comparison. Resolves with what the tab shows, or undefined.
 */
export async function showReport(
  client: LanguageClient | undefined,
  panel: ReportPanel,
  arg?: unknown,
): Promise<ShownReport | undefined> {
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
  return panel.show(result.markdown, title);
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
  panel: ReportPanel,
  arg?: unknown,
): Promise<ShownReport | undefined> {
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
  return showReport(client, panel, { ...params, from, to });
}
