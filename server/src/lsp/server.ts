/**
 * The LSP wiring: connection, documents (incremental sync), settings, the
 * workspace Namespace index and scheduling. Features live in service.ts.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import type {
  ClientCapabilities,
  CodeAction,
  Connection,
  InitializeParams,
  InitializeResult,
  WorkspaceEdit,
  WorkspaceFolder,
} from 'vscode-languageserver/node';
import {
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache, evaluatedMinor, fixAll, namespacePolicies } from '../engine';
import type { Analysis, AnalyzeOptions, Diagnostic as EngineDiagnostic } from '../engine';
import {
  codeLenses,
  fixToLevelEdit,
  isFixToLevelArgs,
  refreshCodeLenses,
  workspaceReport,
} from './advisor';
import { NamespaceIndex, toUri, yamlFiles } from './namespaces';
import type {
  DidChangePolicyParams,
  FixAllCommandArgs,
  PodsecSettings,
  PolicyForDocumentParams,
  PolicyForDocumentResult,
  ReportParams,
  ReportResult,
} from './protocol';
import {
  APPLY_FIX_ALL_COMMAND,
  DID_CHANGE_POLICY_NOTIFICATION,
  FIX_ALL_CODE_ACTION_KIND,
  FIX_ALL_IN_FILE_COMMAND,
  FIX_TO_LEVEL_COMMAND,
  POLICY_FOR_DOCUMENT_REQUEST,
  REPORT_REQUEST,
} from './protocol';
import type { EditCapabilities, FixAllScope, NamespaceResolver } from './service';
import {
  AnalysisResult,
  codeActions,
  hoverAt,
  inWorkload,
  isFixAllArgs,
  replaceEdit,
  toDiagnostics,
  workspaceEdit,
} from './service';
import type { NormalizedSettings } from './settings';
import { normalizeSettings, settingsKey } from './settings';

/**
 * Changes that come in a burst (the next within this many milliseconds of the
 * last, or while one is waiting) are analysed once, this long after the last;
 * the first change after a pause is analysed at once, so a single keystroke
 * gets its diagnostics without waiting.
 */
const CHANGE_DELAY_MS = 30;
const LABEL_PREFIX = 'pod-security.kubernetes.io/';

interface DocState {
  cache: AnalysisCache;
  timer: NodeJS.Timeout | undefined;
  /** Bumped by every scheduled validation; an older run that sees a newer token gives up. */
  token: number;
  result: AnalysisResult | undefined;
  resultKey: string;
  lastPolicy: string;
  /** Version at didOpen (whose content event the open handler already scheduled). */
  openedVersion: number;
  /** When the last change arrived (ms since the epoch), to tell bursts from single edits. */
  lastChangeAt: number;
}

/** A document's file key: its path for file: URIs, else the URI itself. */
export function fileKey(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

function isYamlDocument(doc: TextDocument): boolean {
  return doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri);
}

/** Settings from initializationOptions or a pushed didChangeConfiguration: `{podsec: {...}}`, `{settings: {podsec}}` or flat. */
function podsecSection(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.podsec === 'object' && r.podsec !== null) return r.podsec;
  if (typeof r.settings === 'object' && r.settings !== null) return podsecSection(r.settings);
  return raw;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocState>();
  let clientCaps: ClientCapabilities = {};
  let editCaps: EditCapabilities = { documentChanges: false, snippets: false, resolve: false };
  let pullConfiguration = false;
  let pushedSettings: unknown = undefined;
  let folders: Array<{ uri: string; path: string | null }> = [];
  const settingsCache = new Map<string, Promise<NormalizedSettings>>();
  const shownProblems = new Set<string>();
  let nsEpoch = 0;
  let scanGeneration = 0;

  const namespaces = new NamespaceIndex((file, offset) => {
    const doc = documents.get(namespaces.uriOf(file));
    return doc ? doc.positionAt(offset) : null;
  });

  const resolver: NamespaceResolver = {
    locate: (file, span) => namespaces.locate(file, span),
    lookup: (name, file) => namespaces.lookup(name, file),
    display: (file) => displayPath(file),
  };

  const log = (message: string) => connection.console.log(message);
  const trace = (message: string) => connection.tracer.log(message);

  function displayPath(file: string): string {
    for (const f of folders) {
      if (f.path && (file === f.path || file.startsWith(f.path + path.sep))) {
        return path.relative(f.path, file).split(path.sep).join('/');
      }
    }
    return file;
  }

  function folderOf(file: string): string | null {
    let best: string | null = null;
    for (const f of folders) {
      if (f.path && file.startsWith(f.path + path.sep) && (!best || f.path.length > best.length)) {
        best = f.path;
      }
    }
    return best;
  }

  // ------------------------------------------------------------ settings

  function showProblems(n: NormalizedSettings): void {
    for (const p of n.problems) {
      if (shownProblems.has(p)) continue;
      shownProblems.add(p);
      // A notification (window/showMessage): nothing to answer, so nothing to wait for.
      void connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Warning,
        message: p,
      });
      log(`settings: ${p}`);
    }
  }

  function settingsFor(uri: string): Promise<NormalizedSettings> {
    let p = settingsCache.get(uri);
    if (!p) {
      p = pullConfiguration
        ? connection.workspace
            .getConfiguration({ scopeUri: uri, section: 'podsec' })
            .then((raw: unknown) => normalizeSettings(raw))
            .catch((e: unknown) => {
              log(`workspace/configuration failed: ${String(e)}; using defaults`);
              return normalizeSettings(podsecSection(pushedSettings));
            })
        : Promise.resolve(normalizeSettings(podsecSection(pushedSettings)));
      p = p.then((n) => {
        showProblems(n);
        return n;
      });
      settingsCache.set(uri, p);
    }
    return p;
  }

  function excluded(uri: string, s: PodsecSettings): boolean {
    if (s.exclude.length === 0) return false;
    const file = fileKey(uri);
    const folder = folderOf(file);
    const rel = folder ? path.relative(folder, file).split(path.sep).join('/') : null;
    return s.exclude.some(
      (g) =>
        (rel !== null && minimatch(rel, g, { dot: true })) ||
        minimatch(file.split(path.sep).join('/'), g, { dot: true }),
    );
  }

  // ------------------------------------------------------------ analysis

  function stateOf(uri: string): DocState {
    let st = states.get(uri);
    if (!st) {
      st = {
        cache: new AnalysisCache(),
        timer: undefined,
        token: 0,
        result: undefined,
        resultKey: '',
        lastPolicy: '',
        openedVersion: -1,
        lastChangeAt: 0,
      };
      states.set(uri, st);
    }
    return st;
  }

  function analyzeOptions(uri: string, s: PodsecSettings): AnalyzeOptions {
    return {
      level: s.level,
      version: s.version,
      namespaceLabels: s.namespaceLabels,
      namespaces: s.namespaceLabels ? namespaces.map : new Map(),
      file: fileKey(uri),
      maxFileBytes: s.maxFileSize,
      maxAliasCount: s.maxAliasCount,
    };
  }

  /** The analysis of the document's current version under `s` (cached per version, settings and namespaces). */
  function resultFor(doc: TextDocument, s: PodsecSettings): AnalysisResult {
    const st = stateOf(doc.uri);
    const key = `${settingsKey(s)}|${nsEpoch}`;
    if (st.result && st.result.version === doc.version && st.resultKey === key) return st.result;
    const text = doc.getText();
    let analysis: Analysis;
    try {
      analysis = st.cache.analyze(text, analyzeOptions(doc.uri, s));
    } catch (e) {
      st.cache = new AnalysisCache();
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      connection.console.error(`podsec: analysis of ${doc.uri} failed: ${message}`);
      const err = {
        message: `podsec could not check this file (internal error: ${e instanceof Error ? e.message : String(e)})`,
        span: { start: 0, end: 0 },
        code: 'internal',
        severity: 'error',
      } as unknown as EngineDiagnostic;
      analysis = { findings: [], errors: [err], notes: [], workloads: [], objects: 0 };
    }
    st.result = new AnalysisResult(doc.uri, doc.version, text, analysis);
    st.resultKey = key;
    return st.result;
  }

  function schedule(uri: string, delay: number): void {
    const st = stateOf(uri);
    st.token++;
    if (st.timer) clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      void validate(uri);
    }, delay);
  }

  function clearDiagnostics(uri: string, version?: number): void {
    void connection.sendDiagnostics({ uri, version, diagnostics: [] });
  }

  async function validate(uri: string): Promise<void> {
    const doc = documents.get(uri);
    const st = states.get(uri);
    if (!doc || !st) return;
    const token = st.token;
    const version = doc.version;
    const { settings } = await settingsFor(uri);
    // Superseded while waiting for settings: a newer run will publish.
    if (states.get(uri) !== st || st.token !== token || documents.get(uri)?.version !== version) {
      return;
    }
    if (!settings.enable || !isYamlDocument(doc) || excluded(uri, settings)) {
      st.result = undefined;
      st.cache.clear();
      clearDiagnostics(uri, version);
      sendPolicy(uri, st, null);
      return;
    }
    const started = Date.now();
    const r = resultFor(doc, settings);
    const diagnostics = toDiagnostics(r, settings, resolver);
    trace(
      `podsec: ${uri} v${version}: ${r.analysis.findings.length} findings, ${r.analysis.errors.length} errors in ${Date.now() - started} ms`,
    );
    void connection.sendDiagnostics({ uri, version, diagnostics });
    sendPolicy(uri, st, policyOf(r, settings));
  }

  function sendPolicy(uri: string, st: DocState, policy: PolicyForDocumentResult | null): void {
    const key = JSON.stringify(policy);
    if (key === st.lastPolicy) return;
    st.lastPolicy = key;
    const params: DidChangePolicyParams = { uri, policy };
    void connection.sendNotification(DID_CHANGE_POLICY_NOTIFICATION, params);
  }

  function revalidateAll(): void {
    for (const doc of documents.all()) schedule(doc.uri, 0);
    // Levels follow settings and Namespace labels: lenses too.
    refreshCodeLenses(connection, clientCaps.workspace?.codeLens?.refreshSupport === true);
  }

  function namespacesChanged(): void {
    nsEpoch++;
    revalidateAll();
  }

  /** The policy of the document's first workload, or the configured one. */
  function policyOf(r: AnalysisResult, s: PodsecSettings): PolicyForDocumentResult {
    const fromSetting: PolicyForDocumentResult = {
      level: s.level,
      version: s.version,
      evaluatedVersion: `v1.${evaluatedMinor(s.version)}`,
      source: 'setting',
    };
    const w = r.analysis.workloads[0];
    const name = w?.object.namespace;
    if (!w || !name || !s.namespaceLabels) return fromSetting;
    const ns = namespaces.lookup(name, fileKey(r.uri));
    if (!ns || !Object.keys(ns.labels).some((k) => k.startsWith(LABEL_PREFIX))) return fromSetting;
    const modes = namespacePolicies(ns.labels).modes;
    const m = modes.find((x) => x.policy.level !== 'privileged') ?? modes[0]!;
    return {
      level: m.policy.level,
      version: m.policy.version,
      evaluatedVersion: `v1.${evaluatedMinor(m.policy.version)}`,
      source: 'namespace',
      namespace: ns.name,
      label: m.label ?? `${LABEL_PREFIX}${m.mode}`,
      file: namespaces.uriOf(ns.file),
    };
  }

  /** Current analysis for a request, or null when podsec is off for the document. */
  async function currentResult(
    uri: string,
  ): Promise<{ doc: TextDocument; r: AnalysisResult; settings: PodsecSettings } | null> {
    const doc = documents.get(uri);
    if (!doc || !isYamlDocument(doc)) return null;
    const { settings } = await settingsFor(uri);
    const now = documents.get(uri);
    if (!now || !settings.enable || excluded(uri, settings)) return null;
    return { doc: now, r: resultFor(now, settings), settings };
  }

  function fixAllEdit(
    r: AnalysisResult,
    settings: PodsecSettings,
    scope: FixAllScope,
  ): WorkspaceEdit | null {
    const filter = scope.scope === 'workload' ? inWorkload(scope.workload) : undefined;
    const result = fixAll(r.text, analyzeOptions(r.uri, settings), { unsafe: false, filter });
    const edit = replaceEdit(r, result.text);
    if (!edit) return null;
    return workspaceEdit(r.uri, r.version, [edit], editCaps);
  }

  async function fixAllFor(args: FixAllCommandArgs): Promise<WorkspaceEdit | null> {
    const cur = await currentResult(args.uri);
    if (!cur || cur.r.version !== args.version) return null; // the text moved on: refuse
    if (args.scope === 'workload') {
      const w = cur.r.workloadAt(args.offset ?? -1);
      if (!w) return null;
      return fixAllEdit(cur.r, cur.settings, { scope: 'workload', workload: w });
    }
    return fixAllEdit(cur.r, cur.settings, { scope: 'file' });
  }

  // ------------------------------------------------------------ workspace scan and watching

  async function scanFolders(list: typeof folders): Promise<void> {
    const generation = scanGeneration;
    const maxFileSize = normalizeSettings(podsecSection(pushedSettings)).settings.maxFileSize;
    let changed = false;
    let files = 0;
    const started = Date.now();
    for (const f of list) {
      if (!f.path) continue;
      for await (const { file, text } of yamlFiles(
        f.path,
        { maxFileSize, maxFiles: 50_000 },
        () => generation !== scanGeneration,
      )) {
        files++;
        try {
          if (namespaces.setDisk(file, toUri(file), text)) changed = true;
        } catch (e) {
          log(`podsec: could not read Namespaces from ${file}: ${String(e)}`);
        }
      }
    }
    log(`podsec: scanned ${files} YAML files for Namespace labels in ${Date.now() - started} ms`);
    if (changed) namespacesChanged();
  }

  async function onFileChanged(uri: string, type: FileChangeType): Promise<boolean> {
    if (!uri.startsWith('file:')) return false;
    const file = fileKey(uri);
    if (type === FileChangeType.Deleted) return namespaces.deleteDisk(file);
    const maxFileSize = normalizeSettings(podsecSection(pushedSettings)).settings.maxFileSize;
    try {
      const st = await fs.stat(file);
      if (!st.isFile() || st.size > maxFileSize) return namespaces.deleteDisk(file);
      return namespaces.setDisk(file, uri, await fs.readFile(file, 'utf8'));
    } catch {
      return namespaces.deleteDisk(file);
    }
  }

  // ------------------------------------------------------------ LSP handlers

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    clientCaps = params.capabilities;
    const ws = clientCaps.workspace;
    pullConfiguration = ws?.configuration === true;
    pushedSettings = params.initializationOptions as unknown;
    editCaps = {
      documentChanges: ws?.workspaceEdit?.documentChanges === true,
      snippets: ws?.workspaceEdit?.snippetEditSupport === true,
      resolve:
        clientCaps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true,
    };
    const wsFolders: WorkspaceFolder[] =
      params.workspaceFolders ??
      (params.rootUri ? [{ uri: params.rootUri, name: path.basename(params.rootUri) }] : []);
    folders = wsFolders.map((f) => ({
      uri: f.uri,
      path: f.uri.startsWith('file:') ? fileKey(f.uri) : null,
    }));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: {
          codeActionKinds: ['quickfix', FIX_ALL_CODE_ACTION_KIND],
          resolveProvider: true,
        },
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: {
          commands: [FIX_ALL_IN_FILE_COMMAND, APPLY_FIX_ALL_COMMAND, FIX_TO_LEVEL_COMMAND],
        },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'podsec-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (clientCaps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{yaml,yml}' }],
      });
    }
    if (clientCaps.workspace?.workspaceFolders === true) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const removed of e.removed) {
          folders = folders.filter((f) => f.uri !== removed.uri);
        }
        const added = e.added.map((f) => ({
          uri: f.uri,
          path: f.uri.startsWith('file:') ? fileKey(f.uri) : null,
        }));
        folders.push(...added);
        void scanFolders(added);
      });
    }
    void scanFolders(folders).catch((e: unknown) =>
      log(`podsec: workspace scan failed: ${String(e)}`),
    );
  });

  connection.onDidChangeConfiguration((change) => {
    if (!pullConfiguration) {
      const section = podsecSection(change.settings);
      if (section !== undefined) pushedSettings = section;
    }
    settingsCache.clear();
    revalidateAll();
  });

  connection.onDidChangeWatchedFiles(async (params) => {
    let changed = false;
    for (const c of params.changes) {
      if (await onFileChanged(c.uri, c.type)) changed = true;
    }
    if (changed) namespacesChanged();
  });

  documents.onDidOpen((e) => {
    stateOf(e.document.uri).openedVersion = e.document.version;
    if (namespaces.setOpen(fileKey(e.document.uri), e.document.uri, e.document.getText())) {
      namespacesChanged();
    }
    schedule(e.document.uri, 0);
  });

  documents.onDidChangeContent((e) => {
    const st = states.get(e.document.uri);
    if (!st || st.openedVersion === e.document.version) return; // scheduled by the open handler
    if (namespaces.setOpen(fileKey(e.document.uri), e.document.uri, e.document.getText())) {
      namespacesChanged();
    }
    const now = Date.now();
    const burst = st.timer !== undefined || now - st.lastChangeAt < CHANGE_DELAY_MS;
    st.lastChangeAt = now;
    schedule(e.document.uri, burst ? CHANGE_DELAY_MS : 0);
  });

  documents.onDidClose((e) => {
    const uri = e.document.uri;
    const st = states.get(uri);
    if (st?.timer) clearTimeout(st.timer);
    st?.cache.clear();
    states.delete(uri);
    settingsCache.delete(uri);
    if (namespaces.closeOpen(fileKey(uri))) namespacesChanged();
    clearDiagnostics(uri);
  });

  connection.onHover(async (params) => {
    const cur = await currentResult(params.textDocument.uri);
    return cur ? hoverAt(cur.r, params.position, resolver) : null;
  });

  connection.onCodeAction(async (params) => {
    const cur = await currentResult(params.textDocument.uri);
    if (!cur) return null;
    return codeActions(
      cur.r,
      { range: params.range, diagnostics: params.context.diagnostics, only: params.context.only },
      editCaps,
      (scope) => fixAllEdit(cur.r, cur.settings, scope),
    );
  });

  connection.onCodeActionResolve(async (action: CodeAction) => {
    if (action.edit || !isFixAllArgs(action.data)) return action;
    const edit = await fixAllFor(action.data);
    if (edit) action.edit = edit;
    return action;
  });

  connection.onExecuteCommand(async (params) => {
    const arg: unknown = params.arguments?.[0];
    let edit: WorkspaceEdit | null = null;
    let label = 'Fix all Pod Security findings';
    if (params.command === FIX_ALL_IN_FILE_COMMAND) {
      const uri =
        typeof arg === 'string'
          ? arg
          : typeof arg === 'object' && arg !== null && 'uri' in arg
            ? String(arg.uri)
            : undefined;
      if (!uri) return null;
      const cur = await currentResult(uri);
      if (!cur) return null;
      edit = fixAllEdit(cur.r, cur.settings, { scope: 'file' });
      label = 'Fix all Pod Security findings in this file';
    } else if (params.command === APPLY_FIX_ALL_COMMAND && isFixAllArgs(arg)) {
      edit = await fixAllFor(arg);
    } else if (params.command === FIX_TO_LEVEL_COMMAND && isFixToLevelArgs(arg)) {
      const cur = await currentResult(arg.uri);
      edit = cur ? fixToLevelEdit(cur.r, cur.settings, arg, editCaps) : null;
      label = `Fix to ${arg.level}`;
    }
    if (!edit) return null;
    const applied = await connection.workspace.applyEdit({ label, edit });
    if (!applied.applied) log(`podsec: edit not applied: ${applied.failureReason ?? 'refused'}`);
    return null;
  });

  connection.onCodeLens(async (params) => {
    const cur = await currentResult(params.textDocument.uri);
    return cur ? codeLenses(cur.r, cur.settings) : null;
  });

  connection.onRequest(
    REPORT_REQUEST,
    async (params: ReportParams | null): Promise<ReportResult> => {
      const first = folders[0]?.uri;
      const { settings } = await (first
        ? settingsFor(first)
        : Promise.resolve(normalizeSettings(podsecSection(pushedSettings))));
      const generation = scanGeneration;
      const open: Array<{ file: string; text: string }> = [];
      for (const doc of documents.all()) {
        if (!isYamlDocument(doc)) continue;
        const s = (await settingsFor(doc.uri)).settings;
        if (s.enable && !excluded(doc.uri, s))
          open.push({ file: fileKey(doc.uri), text: doc.getText() });
      }
      return workspaceReport(params ?? {}, {
        folders: folders.flatMap((f) => (f.path ? [f.path] : [])),
        open,
        excluded: (file) => excluded(toUri(file), settings),
        display: displayPath,
        settings,
        cancelled: () => generation !== scanGeneration,
      });
    },
  );

  connection.onShutdown(() => {
    scanGeneration++; // stops a scan in progress
    for (const st of states.values()) if (st.timer) clearTimeout(st.timer);
  });

  connection.onRequest(
    POLICY_FOR_DOCUMENT_REQUEST,
    async (params: PolicyForDocumentParams): Promise<PolicyForDocumentResult | null> => {
      const cur = await currentResult(params.uri);
      return cur ? policyOf(cur.r, cur.settings) : null;
    },
  );

  documents.listen(connection);
}
