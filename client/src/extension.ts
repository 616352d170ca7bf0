/**
 * The podsec VS Code extension: starts the language server over IPC, shows the
 * policy of the active YAML file in the status bar, and contributes the
 * commands. All analysis happens in the server; this side only wires it to
 * the editor.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import {
  ExecuteCommandRequest,
  LanguageClient,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
// The protocol from source, shared with the server (see its first comment).
import {
  CHART_PARTIAL_GLOB,
  CLIENT_COMMANDS,
  CLIENT_SETTING_DEFAULTS,
  DidChangePolicyNotification,
  DOCUMENT_LANGUAGES,
  isPodsecDocument,
  PolicyForDocumentRequest,
  SERVER_COMMANDS,
  SETTINGS_SECTION,
} from '../../server/src/lsp/protocol';
import type {
  PolicyForDocumentResult,
  ServerCommandArguments,
} from '../../server/src/lsp/protocol';
import { showCheckDocs } from './checkDocs';
import { compareVersions, ReportPanel, showReport } from './report';
import { PolicyStatus } from './status';
import { onDidShowPicker, selectLevel } from './selectLevel';

/** What the extension exports to other extensions and to its own tests. */
export interface PodsecApi {
  /** The running language client (undefined until started). */
  readonly client: LanguageClient | undefined;
  /** The policy the server reports for a document. */
  policyFor(uri: vscode.Uri): Promise<PolicyForDocumentResult | null>;
  /** Text currently shown by the status bar item, and whether it is visible. */
  statusBar(): { text: string; tooltip: string; visible: boolean };
  /** Fires when the status bar item changes. */
  readonly onDidChangeStatusBar: vscode.Event<void>;
  /** Fires with the title of the extension's quick pick once it is shown (level, version). */
  readonly onDidShowPicker: vscode.Event<string>;
}

let client: LanguageClient | undefined;

/** The bundled server (dist/server.js) or, in a development checkout, the compiled one. */
function serverModule(context: vscode.ExtensionContext): string {
  const bundled = context.asAbsolutePath('dist/server.js');
  if (fs.existsSync(bundled)) return bundled;
  return context.asAbsolutePath('server/out/lsp/main.js');
}

function createClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
): LanguageClient {
  const module = serverModule(context);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6011'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'yaml', scheme: 'file' },
      { language: 'yaml', scheme: 'untitled' },
      // virtual workspaces (e.g. GitHub Repositories): open documents only, nothing scanned
      { language: 'yaml', scheme: 'vscode-vfs' },
      // Helm charts: templates in the `helm` language of Helm extensions, partials by name
      // (the server checks these only inside a chart)
      ...DOCUMENT_LANGUAGES.filter((l) => l !== 'yaml').map((language) => ({
        language,
        scheme: 'file',
      })),
      { scheme: 'file', pattern: CHART_PARTIAL_GLOB },
    ],
    synchronize: { configurationSection: SETTINGS_SECTION },
    outputChannel: output,
    // The server reads settings per document (workspace/configuration, resource scope).
    initializationOptions: {},
    middleware: {
      // podsec.codeLens turns the level advisor's lenses off (per folder).
      provideCodeLenses: (document, token, next) =>
        vscode.workspace
          .getConfiguration(SETTINGS_SECTION, document.uri)
          .get<boolean>('codeLens', CLIENT_SETTING_DEFAULTS.codeLens)
          ? next(document, token)
          : [],
    },
  };
  return new LanguageClient('podsec', 'podsec', serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<PodsecApi> {
  const output = vscode.window.createOutputChannel('podsec', { log: true });
  context.subscriptions.push(output);

  const status = new PolicyStatus(CLIENT_COMMANDS.selectLevel);
  context.subscriptions.push(status);
  const reports = new ReportPanel();
  context.subscriptions.push(reports);

  const policyFor = async (uri: vscode.Uri): Promise<PolicyForDocumentResult | null> => {
    if (!client || client.state !== State.Running) return null;
    return client.sendRequest(PolicyForDocumentRequest, { uri: uri.toString() });
  };

  const showPolicy = (doc: vscode.TextDocument, policy: PolicyForDocumentResult | null): void => {
    // A template or partial outside a chart is not checked: no item rather than "off".
    if (policy === null && doc.languageId !== 'yaml') status.hide();
    else status.show(policy, vscode.workspace.getConfiguration(SETTINGS_SECTION, doc.uri));
  };

  const refreshStatus = async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    if (!doc || !isPodsecDocument(doc.languageId, doc.uri.path)) {
      status.hide();
      return;
    }
    const uri = doc.uri;
    try {
      const policy = await policyFor(uri);
      // The active editor may have changed while the server answered.
      if (vscode.window.activeTextEditor?.document.uri.toString() !== uri.toString()) return;
      showPolicy(doc, policy);
    } catch (e) {
      output.appendLine(`podsec: could not read the policy of ${uri.toString()}: ${String(e)}`);
      status.show(null, vscode.workspace.getConfiguration(SETTINGS_SECTION, uri));
    }
  };

  const start = async (): Promise<void> => {
    client = createClient(context, output);
    client.onNotification(DidChangePolicyNotification, (p) => {
      const active = vscode.window.activeTextEditor?.document;
      if (active?.uri.toString() === p.uri) showPolicy(active, p.policy);
    });
    await client.start();
    await refreshStatus();
  };

  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(() => void refreshStatus()),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      // A document whose language changed to YAML while shown.
      if (doc === vscode.window.activeTextEditor?.document) void refreshStatus();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS_SECTION)) void refreshStatus();
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.selectLevel, async () => {
      const editor = vscode.window.activeTextEditor;
      const policy = editor ? await policyFor(editor.document.uri) : null;
      await selectLevel(editor?.document.uri, policy);
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.fixAll, async (arg?: vscode.Uri) => {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri) {
        void vscode.window.showInformationMessage('podsec: open a YAML file to fix.');
        return;
      }
      if (!client || client.state !== State.Running) {
        void vscode.window.showWarningMessage('podsec: the language server is not running.');
        return;
      }
      const args: ServerCommandArguments[typeof SERVER_COMMANDS.fixAllInFile] = [uri.toString()];
      await client.sendRequest(ExecuteCommandRequest.type, {
        command: SERVER_COMMANDS.fixAllInFile,
        arguments: args,
      });
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.restartServer, async () => {
      if (client) {
        await client.stop();
        await client.dispose();
      }
      client = undefined;
      output.appendLine('podsec: restarting the language server');
      await start();
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showReport, (arg?: unknown) =>
      showReport(client, reports, arg),
    ),
    vscode.commands.registerCommand(CLIENT_COMMANDS.compareVersions, (arg?: unknown) =>
      compareVersions(client, reports, arg),
    ),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showCheckDocs, (arg?: unknown) =>
      showCheckDocs(context, arg),
    ),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showOutput, () => {
      output.show(true);
    }),
  );

  await start();

  return {
    get client() {
      return client;
    },
    policyFor,
    statusBar: () => status.snapshot(),
    onDidChangeStatusBar: status.onDidChange,
    onDidShowPicker,
  };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
