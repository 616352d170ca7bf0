/**
 * A small LSP client for tests: spawns the BUILT language server over stdio
 * and speaks to it as an editor does. It answers workspace/configuration from
 * a settable settings object, applies workspace/applyEdit to its own copy of
 * the documents (sending didChange like an editor), and collects
 * publishDiagnostics so tests can await them by predicate: event-driven,
 * with timeouts only as safety nets.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import type {
  ApplyWorkspaceEditParams,
  ApplyWorkspaceEditResult,
  ClientCapabilities,
  ConfigurationParams,
  InitializeResult,
  ProtocolConnection,
  PublishDiagnosticsParams,
  Registration,
  RegistrationParams,
  ShowMessageParams,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { repoRoot } from './paths';

/** The built server's entry point. */
export const SERVER_MAIN = path.join(repoRoot(), 'server', 'out', 'lsp', 'main.js');
const DEFAULT_TIMEOUT_MS = 15_000;

export interface StartOptions {
  /** Workspace folder (a directory on disk). */
  root?: string;
  /** The `podsec` settings section answered to workspace/configuration. */
  settings?: Record<string, unknown>;
  /** Advertise workspace/configuration (default true). */
  configuration?: boolean;
  /** Advertise codeAction/resolve of `edit` (default true). */
  resolve?: boolean;
  /** Advertise snippet text edits (default false). */
  snippets?: boolean;
  /** Advertise the `create` resource operation in workspace edits (default false). */
  createFiles?: boolean;
  initializationOptions?: unknown;
  /** Advertise workspace/codeLens/refresh (default true). */
  codeLensRefresh?: boolean;
  /** Advertise relative patterns in file watchers (default false). */
  relativePatterns?: boolean;
}

interface Waiter {
  uri: string;
  predicate: (p: PublishDiagnosticsParams) => boolean;
  resolve: (p: PublishDiagnosticsParams) => void;
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

/** Apply LSP TextEdits (all against the same text) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'yaml', 0, text), [...edits]);
}

export class LspClient {
  /** The `podsec` section the client answers with; mutate, then call changeConfiguration(). */
  settings: Record<string, unknown>;
  /** Every publishDiagnostics, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly messages: ShowMessageParams[] = [];
  readonly logs: string[] = [];
  readonly registrations: Registration[] = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  /** Number of workspace/codeLens/refresh requests received. */
  codeLensRefreshes = 0;
  private readonly refreshWaiters: Array<() => void> = [];
  private readonly messageWaiters: Array<{
    predicate: (m: ShowMessageParams) => boolean;
    resolve: (m: ShowMessageParams) => void;
  }> = [];
  private readonly logWaiters: Array<{
    predicate: (m: string) => boolean;
    resolve: (m: string) => void;
  }> = [];
  stderr = '';
  initializeResult: InitializeResult | undefined;
  /** The client's copy of each open document. */
  readonly docs = new Map<string, TextDocument>();

  private readonly waiters: Waiter[] = [];

  private constructor(
    readonly proc: ChildProcess,
    readonly connection: ProtocolConnection,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
  }

  static async start(options: StartOptions = {}): Promise<LspClient> {
    const proc = spawn(process.execPath, [SERVER_MAIN, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const connection = createProtocolConnection(
      new StreamMessageReader(proc.stdout),
      new StreamMessageWriter(proc.stdin),
    );
    const client = new LspClient(proc, connection, options.settings ?? {});
    proc.stderr.on('data', (d: Buffer) => (client.stderr += d.toString()));
    client.wire();
    connection.listen();
    const capabilities: ClientCapabilities = {
      workspace: {
        configuration: options.configuration !== false,
        applyEdit: true,
        workspaceFolders: true,
        didChangeConfiguration: { dynamicRegistration: false },
        didChangeWatchedFiles: {
          dynamicRegistration: true,
          ...(options.relativePatterns === true ? { relativePatternSupport: true } : {}),
        },
        workspaceEdit: {
          documentChanges: true,
          snippetEditSupport: options.snippets === true,
          ...(options.createFiles === true ? { resourceOperations: ['create'] } : {}),
        },
        codeLens: { refreshSupport: options.codeLensRefresh !== false },
      },
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: false },
        publishDiagnostics: {
          relatedInformation: true,
          versionSupport: true,
          codeDescriptionSupport: true,
          dataSupport: true,
        },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        codeAction: {
          codeActionLiteralSupport: {
            codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] },
          },
          isPreferredSupport: true,
          dataSupport: true,
          ...(options.resolve !== false ? { resolveSupport: { properties: ['edit'] } } : {}),
        },
      },
    };
    const root = options.root;
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: root ? fileUri(root) : null,
      workspaceFolders: root ? [{ uri: fileUri(root), name: path.basename(root) }] : null,
      capabilities,
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  private wire(): void {
    const c = this.connection;
    c.onRequest('workspace/configuration', (params: ConfigurationParams) => {
      this.configurationRequests.push(params);
      return params.items.map((item) => (item.section === 'podsec' ? this.settings : null));
    });
    c.onRequest('client/registerCapability', (params: RegistrationParams) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    c.onRequest('window/workDoneProgress/create', () => null);
    c.onRequest('workspace/codeLens/refresh', () => {
      this.codeLensRefreshes++;
      for (const w of this.refreshWaiters.splice(0)) w();
      return null;
    });
    c.onRequest(
      'workspace/applyEdit',
      (params: ApplyWorkspaceEditParams): ApplyWorkspaceEditResult => this.applyEdit(params.edit),
    );
    c.onNotification('window/showMessage', (p: ShowMessageParams) => {
      this.messages.push(p);
      for (const w of [...this.messageWaiters]) {
        if (w.predicate(p)) {
          this.messageWaiters.splice(this.messageWaiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    c.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      for (const w of [...this.logWaiters]) {
        if (w.predicate(p.message)) {
          this.logWaiters.splice(this.logWaiters.indexOf(w), 1);
          w.resolve(p.message);
        }
      }
    });
    c.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.predicate(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    c.onUnhandledNotification((n) =>
      this.notifications.push({ method: n.method, params: n.params }),
    );
  }

  /** Drops all but the latest publish of each URI, so long runs (benchmarks) keep memory flat. */
  forgetPublished(): void {
    const latest = new Map<string, PublishDiagnosticsParams>();
    for (const p of this.published) latest.set(p.uri, p);
    this.published.splice(0, this.published.length, ...latest.values());
  }

  /** The latest diagnostics published for a URI. */
  latest(uri: string): PublishDiagnosticsParams | undefined {
    for (let i = this.published.length - 1; i >= 0; i--) {
      if (this.published[i]!.uri === uri) return this.published[i];
    }
    return undefined;
  }

  /**
   * Resolves with the first publish for `uri` satisfying `predicate`: the
   * latest one if it already does, else the next that does.
   */
  waitForDiagnostics(
    uri: string,
    predicate: (p: PublishDiagnosticsParams) => boolean,
    what = 'diagnostics',
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<PublishDiagnosticsParams> {
    const now = this.latest(uri);
    if (now && predicate(now)) return Promise.resolve(now);
    return this.nextDiagnostics(uri, predicate, what, timeoutMs);
  }

  /** Resolves with the next publish (from now on) for `uri` satisfying `predicate`. */
  nextDiagnostics(
    uri: string,
    predicate: (p: PublishDiagnosticsParams) => boolean,
    what = 'diagnostics',
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        const last = this.latest(uri);
        reject(
          new Error(
            `timed out waiting for ${what} on ${uri}; latest: ${JSON.stringify(last, null, 1)}\nstderr: ${this.stderr}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        uri,
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Publishes for the document's current version. */
  diagnosticsForCurrent(uri: string, what?: string): Promise<PublishDiagnosticsParams> {
    const version = this.docs.get(uri)?.version;
    return this.waitForDiagnostics(uri, (p) => p.version === version, what);
  }

  async open(uri: string, text: string, version = 1, languageId = 'yaml'): Promise<void> {
    this.docs.set(uri, TextDocument.create(uri, languageId, version, text));
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version, text },
    });
  }

  /**
   * Apply edits (all against the current text, like a WorkspaceEdit) to the
   * client's copy and send them as ONE incremental didChange.
   */
  async edit(uri: string, edits: readonly TextEdit[]): Promise<number> {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    // Send the changes back to front so each range is valid against the text before it.
    const ordered = [...edits].sort((a, b) => {
      const ao = doc.offsetAt(a.range.start);
      const bo = doc.offsetAt(b.range.start);
      return bo - ao;
    });
    const version = doc.version + 1;
    const next = TextDocument.update(
      doc,
      ordered.map((e) => ({ range: e.range, text: e.newText })),
      version,
    );
    this.docs.set(uri, next);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: ordered.map((e) => ({ range: e.range, text: e.newText })),
    });
    return version;
  }

  /** Replace `search` (first occurrence) by `replacement` with an incremental change. */
  async replace(uri: string, search: string, replacement: string): Promise<number> {
    const doc = this.docs.get(uri)!;
    const at = doc.getText().indexOf(search);
    if (at < 0) throw new Error(`${JSON.stringify(search)} not in ${uri}`);
    return this.edit(uri, [
      {
        range: { start: doc.positionAt(at), end: doc.positionAt(at + search.length) },
        newText: replacement,
      },
    ]);
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  text(uri: string): string {
    return this.docs.get(uri)!.getText();
  }

  /** Apply a WorkspaceEdit as an editor would: refuse edits for another version. */
  applyEdit(edit: WorkspaceEdit): ApplyWorkspaceEditResult {
    const perDoc: Array<{ uri: string; version: number | null; edits: TextEdit[] }> = [];
    for (const dc of edit.documentChanges ?? []) {
      if (!('textDocument' in dc)) return { applied: false, failureReason: 'resource operation' };
      const edits = dc.edits.map((e) =>
        'snippet' in e
          ? { range: e.range, newText: e.snippet.value.replace(/\$\{\d+:([^}]*)\}/g, '$1') }
          : { range: e.range, newText: e.newText },
      );
      perDoc.push({ uri: dc.textDocument.uri, version: dc.textDocument.version, edits });
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      perDoc.push({ uri, version: null, edits });
    }
    for (const d of perDoc) {
      const doc = this.docs.get(d.uri);
      if (!doc) return { applied: false, failureReason: `${d.uri} is not open` };
      if (d.version !== null && d.version !== doc.version) {
        return {
          applied: false,
          failureReason: `version ${d.version} is stale (document is at ${doc.version})`,
        };
      }
    }
    for (const d of perDoc) void this.edit(d.uri, d.edits);
    return { applied: true };
  }

  /** Send didChangeConfiguration (the server then pulls the settings again). */
  async changeConfiguration(): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeConfiguration', {
      settings: { podsec: this.settings },
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params);
  }

  /** Resolves with the next server notification `method` satisfying `predicate`. */
  waitForNotification<P>(
    method: string,
    predicate: (p: P) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<P> {
    const seen = this.notifications.find((n) => n.method === method && predicate(n.params as P));
    if (seen) return Promise.resolve(seen.params as P);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${method}`)),
        timeoutMs,
      );
      const disposable = this.connection.onNotification(method, (p: P) => {
        this.notifications.push({ method, params: p });
        if (predicate(p)) {
          clearTimeout(timer);
          disposable.dispose();
          resolve(p);
        }
      });
    });
  }

  /** Resolves with the first message shown (window/showMessage) satisfying `predicate`, shown or to come. */
  waitForMessage(
    predicate: (m: ShowMessageParams) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<ShowMessageParams> {
    const seen = this.messages.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`timed out waiting for a message; shown: ${JSON.stringify(this.messages)}`),
        );
      }, timeoutMs);
      this.messageWaiters.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Resolves with the first log message (window/logMessage) satisfying `predicate`, logged or to come. */
  waitForLog(predicate: (m: string) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const seen = this.logs.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for a log message; logs: ${this.logs.join('\n')}`));
      }, timeoutMs);
      this.logWaiters.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Send workspace/didChangeWatchedFiles for files on disk (type 1 created, 2 changed, 3 deleted). */
  async filesChanged(changes: ReadonlyArray<{ uri: string; type: 1 | 2 | 3 }>): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes });
  }

  /** Resolves at the next workspace/codeLens/refresh request from the server. */
  nextCodeLensRefresh(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('timed out waiting for workspace/codeLens/refresh')),
        timeoutMs,
      );
      this.refreshWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null) resolve();
      else this.proc.once('exit', () => resolve());
    });
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      this.proc.kill();
    }
    const timer = setTimeout(() => this.proc.kill(), 5000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}
