/**
 * Entry point of podsec-language-server: creates the connection and wires the
 * handlers, each of which owns its state (see the first comment of each file
 * in handlers/). The transport comes from the command line, as
 * vscode-languageserver reads it: `--node-ipc` (the VS Code client),
 * `--stdio` (other editors), `--socket=<port>` or `--pipe=<name>`.
 * Nothing may write to stdout but the protocol: logs go through the connection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { InitializeResult, ServerCapabilities } from 'vscode-languageserver/node';
import {
  createConnection,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
} from 'vscode-languageserver/node';
import { ChartAnalyses } from './charts';
import { ChartWatchers } from './chartWatchers';
import { Analyses } from './handlers/analyses';
import { CodeActions } from './handlers/codeActions';
import { Diagnostics } from './handlers/diagnostics';
import { Documents } from './handlers/documents';
import { HardeningIndex } from './handlers/hardening';
import { Settings } from './handlers/settings';
import { Views } from './handlers/views';
import { Workspace } from './handlers/workspace';
import { OverlayIndex } from './overlays';
import { ProjectSettings } from './projectSettings';
import { WorkspaceAdmission } from './admission';
import { fileKey, toUri } from './uris';

const connection = createConnection(ProposedFeatures.all);

process.on('uncaughtException', (e: Error) => {
  connection.console.error(`podsec: uncaught exception: ${e.stack ?? e.message}`);
});
process.on('unhandledRejection', (e: unknown) => {
  connection.console.error(
    `podsec: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
});

const documents = new Documents(connection);
const editorSettings = new Settings(connection);
// The workspace's own admission configuration, when it holds exactly one. A file the workspace
// leaves out (podsec.exclude, its .podsec.yaml's exclude, a folder the scan skips) is none.
let leftOut: (file: string) => Promise<boolean> = () => Promise.resolve(false);
const admission = new WorkspaceAdmission(undefined, (file) => leftOut(file));
// The nearest .podsec.yaml over the editor's settings, for every handler.
let folders: () => string[] = () => [];
const settings = new ProjectSettings(
  editorSettings,
  () => folders(),
  () => admission.discovered(),
);
const workspace = new Workspace(connection, documents, settings);
folders = () => workspace.folderPaths();
leftOut = async (file) =>
  workspace.unscanned(file) || workspace.excluded(toUri(file), await settings.for(toUri(file)));
settings.onDidChange(() => admission.settingsChanged());
workspace.onDidChangeWatchedFile((uri) => settings.fileChanged(uri));
workspace.onDidReadFile((file, text) => admission.diskText(file, text));
// Folders added or removed: .podsec.yaml files resolve against the new roots; files of a
// removed folder no longer count as the workspace's admission configuration.
workspace.onDidChangeFolders(() => {
  settings.foldersChanged();
  admission.retainUnder(workspace.folderPaths());
});
const hardening = new HardeningIndex(connection);
workspace.onDidReadFile((file, text) => hardening.diskText(file, text));
const charts = new ChartAnalyses(documents);
const chartWatchers = new ChartWatchers(connection);
const overlays = new OverlayIndex(documents, () => workspace.folderPaths());
// Generator inputs (any file name) are watched once a build has read them.
overlays.onDidReadInputs((files) => workspace.watchFiles(files));
const analyses = new Analyses(
  connection,
  documents,
  settings,
  workspace,
  hardening,
  charts,
  overlays,
  admission,
);
const diagnostics = new Diagnostics(connection, documents, settings, analyses, workspace);
const codeActions = new CodeActions(connection, analyses, documents, charts);
const views = new Views(connection, documents, settings, analyses, workspace, charts, hardening);

// An open document's Namespaces count instead of its file's on disk; then it is analysed.
documents.onDidOpen((doc) => workspace.documentChanged(doc.uri, doc.getText()));
documents.onDidChange((doc) => workspace.documentChanged(doc.uri, doc.getText()));
// So does an open admission configuration's text, as it is edited.
const admissionText = (uri: string, text: string | null) => {
  if (uri.startsWith('file:')) admission.documentText(fileKey(uri), text);
};
documents.onDidOpen((doc) => admissionText(doc.uri, doc.getText()));
documents.onDidChange((doc) => admissionText(doc.uri, doc.getText()));
// A change in one file of a Helm chart changes what its other open files show.
// Their lenses too, once they are analysed again (the client asks again only for the edited one).
const chartLensesDue = new Set<string>();
const rerenderChartFiles = (uris: readonly string[]) => {
  for (const u of uris) chartLensesDue.add(u);
  documents.scheduleSoon(uris);
};
documents.onDidChange((doc) => {
  const chart = charts.chartOf(doc.uri);
  if (chart) rerenderChartFiles(charts.openUris(chart).filter((u) => u !== doc.uri));
});
// While a chart has open documents, every file of it is watched; a change on disk renders it again.
documents.onDidOpen((doc) => {
  const chart = charts.chartOf(doc.uri);
  if (chart) chartWatchers.watch(chart);
});
workspace.onDidChangeWatchedFile((uri) => {
  if (uri.startsWith('file:')) rerenderChartFiles(charts.diskChanged(fileKey(uri)));
});
documents.onDue((due) => {
  void diagnostics.publish(due).then(() => {
    if (chartLensesDue.delete(due.uri)) views.refreshCodeLenses();
  });
});
// A file a Kustomize overlay reads changed: every open file of the tree shows the new build.
const overlayFileChanged = (file: string) => {
  if (overlays.touched(file)) documents.scheduleAll();
};
documents.onDidChange((doc) => overlayFileChanged(fileKey(doc.uri)));
workspace.onDidChangeFile(overlayFileChanged);
documents.onDidClose((uri) => {
  admissionText(uri, null);
  overlayFileChanged(fileKey(uri));
  analyses.forget(uri);
  editorSettings.forget(uri);
  workspace.documentClosed(uri);
  hardening.documentClosed(uri);
  diagnostics.forget(uri);
  chartLensesDue.delete(uri);
  const chart = charts.chartOf(uri);
  if (chart) {
    if (charts.forget(chart)) chartWatchers.unwatch(chart);
    documents.scheduleSoon(charts.openUris(chart));
  }
});

// Settings and Namespace labels decide every finding and level: analyse again, refresh lenses.
const reanalyseAll = () => {
  documents.scheduleAll();
  views.refreshCodeLenses();
};
settings.onDidChange(reanalyseAll);
// The workspace's admission configuration changed (found, edited, or several now): the same,
// and when several are found, a warning naming them (none is used).
let admissionWarning: string | null = null;
admission.onDidChange(() => {
  reanalyseAll();
  const note = admission.note();
  // A notification (window/showMessage): nothing to answer, so nothing to wait for.
  if (note !== null && note !== admissionWarning)
    void connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Warning,
      message: `podsec: ${note}`,
    });
  admissionWarning = note;
});
workspace.onDidChangeNamespaces(reanalyseAll);
// A NetworkPolicy, a quota, a ServiceAccount… in one file moves findings in others
// (not levels: the lenses stay).
hardening.onDidChange(() => documents.scheduleAll());

connection.onInitialize((params): InitializeResult => {
  editorSettings.initialize(params);
  const parts: ServerCapabilities[] = [
    documents.initialize(),
    diagnostics.initialize(),
    codeActions.initialize(params),
    views.initialize(params),
    workspace.initialize(params),
    chartWatchers.initialize(params),
  ];
  return {
    capabilities: Object.assign({}, ...parts) as ServerCapabilities,
    serverInfo: { name: 'podsec-language-server', version: '0.1.0' },
  };
});
connection.onInitialized(() => {
  workspace.initialized();
  chartWatchers.initialized(charts.openCharts());
});
connection.onShutdown(() => {
  workspace.shutdown();
  documents.shutdown();
});

// Tests only (PODSEC_TEST_HOOKS=1): the heap after a full collection, to check that closing documents frees them.
if (process.env.PODSEC_TEST_HOOKS === '1') {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  connection.onRequest('podsec/debugMemory', () => {
    gc();
    return process.memoryUsage();
  });
  // How many times Helm charts were rendered, to check one render serves a burst and every open file.
  connection.onRequest('podsec/debugChartRenders', () => charts.renders);
}

documents.listen();
connection.listen();
