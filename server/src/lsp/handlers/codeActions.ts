/**
 * Code actions and commands. Owns: what edits the client can take (versioned
 * document changes, snippets, codeAction/resolve), from its capabilities.
 * Answers textDocument/codeAction and codeAction/resolve, and runs the
 * server's commands (fix all in the file, a lazily computed fix-all, "Fix to
 * <level>") through workspace/applyEdit, always against the document version
 * they were offered for.
 */
import type {
  CodeAction,
  Connection,
  InitializeParams,
  ServerCapabilities,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { fixAll } from '../../engine';
import { applyFindingFixes } from '../../engine/overlays/index';
import { FIX_ALL_CODE_ACTION_KIND, SERVER_COMMANDS } from '../protocol';
import type { FixAllCommandArgs, FixToLevelArgs } from '../protocol';
import {
  codeActions,
  fixToLevelEdit,
  fixWorkspaceEdit,
  inWorkload,
  isFixAllArgs,
  isFixToLevelArgs,
  rewriteEdit,
  uriArgument,
} from '../features';
import type { AnalysisResult, EditCapabilities, FileTexts, FixAllScope } from '../features';
import { DiskSourceFs } from '../../cli/renderKustomize';
import { toUri } from '../uris';
import type { ChartAnalyses } from '../charts';
import type { DocumentSource } from './documents';
import type { AnalysisSource, Current } from './analyses';

export class CodeActions {
  private caps: EditCapabilities = { documentChanges: false, snippets: false, resolve: false };
  private readonly disk = new DiskSourceFs('/');
  /** Other files a fix edits: the open document's text and version, else the file on disk. */
  private readonly files: FileTexts = {
    uri: (path) => toUri(path),
    get: (path) => {
      const doc = this.documents.get(toUri(path));
      if (doc) return { text: doc.getText(), version: doc.version };
      const text = this.disk.readText(path);
      return text === null ? null : { text, version: null };
    },
  };

  constructor(
    connection: Connection,
    private readonly analyses: AnalysisSource,
    private readonly documents: Pick<DocumentSource, 'get'>,
    private readonly charts?: Pick<ChartAnalyses, 'fixToLevel'>,
  ) {
    connection.onCodeAction(async (params) => {
      const cur = await analyses.current(params.textDocument.uri);
      if (!cur) return null;
      return codeActions(
        cur.result,
        { range: params.range, diagnostics: params.context.diagnostics, only: params.context.only },
        this.caps,
        (scope) => this.fixAllEdit(cur, scope),
        this.files,
      );
    });
    connection.onCodeActionResolve(async (action: CodeAction) => {
      if (action.edit || !isFixAllArgs(action.data)) return action;
      const edit = await this.fixAllFor(action.data);
      if (edit) action.edit = edit;
      return action;
    });
    connection.onExecuteCommand(async (params) => {
      const arg: unknown = params.arguments?.[0];
      let edit: WorkspaceEdit | null = null;
      let label = 'Fix all Pod Security findings';
      if (params.command === SERVER_COMMANDS.fixAllInFile) {
        const uri = uriArgument(arg);
        const cur = uri === undefined ? null : await analyses.current(uri);
        if (!cur) return null;
        edit = this.fixAllEdit(cur, { scope: 'file' });
        label = 'Fix all Pod Security findings in this file';
      } else if (params.command === SERVER_COMMANDS.applyFixAll && isFixAllArgs(arg)) {
        edit = await this.fixAllFor(arg);
      } else if (params.command === SERVER_COMMANDS.fixToLevel && isFixToLevelArgs(arg)) {
        const cur = await analyses.current(arg.uri);
        edit = !cur
          ? null
          : arg.chart && cur.result.chart
            ? this.chartFixToLevel(cur, arg)
            : fixToLevelEdit(cur.result, cur.settings, arg, this.caps);
        label = `Fix to ${arg.level}`;
      }
      if (!edit) return null;
      const applied = await connection.workspace.applyEdit({ label, edit });
      if (!applied.applied) {
        connection.console.log(`podsec: edit not applied: ${applied.failureReason ?? 'refused'}`);
      }
      return null;
    });
  }

  initialize(params: InitializeParams): ServerCapabilities {
    const caps = params.capabilities;
    const ws = caps.workspace;
    this.caps = {
      documentChanges: ws?.workspaceEdit?.documentChanges === true,
      snippets: ws?.workspaceEdit?.snippetEditSupport === true,
      resolve: caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true,
      createFiles: ws?.workspaceEdit?.resourceOperations?.includes('create') === true,
    };
    return {
      codeActionProvider: {
        codeActionKinds: ['quickfix', FIX_ALL_CODE_ACTION_KIND],
        resolveProvider: true,
      },
      executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
    };
  }

  /** The safe fixes of the file or of one workload, as one edit of the analysed version. */
  private fixAllEdit(cur: Current, scope: FixAllScope): WorkspaceEdit | null {
    const r: AnalysisResult = cur.result;
    const filter = scope.scope === 'workload' ? inWorkload(scope.workload) : undefined;
    // A file an overlay build reads: its findings' own fixes (at their origin), not its text alone.
    const fixed = r.analysis.generated
      ? applyFindingFixes(r.text, r.analysis.findings, filter ? { filter } : {})
      : fixAll(r.text, this.analyses.optionsFor(r.uri, cur.settings), { unsafe: false, filter });
    return rewriteEdit(r, fixed.text, this.caps);
  }

  /** "Fix to <level>" of a workload a chart renders: one edit of the chart's files it touches. */
  private chartFixToLevel(cur: Current, arg: FixToLevelArgs): WorkspaceEdit | null {
    if (cur.result.version !== arg.version || !this.charts) return null; // stale lens: refuse
    const fix = this.charts.fixToLevel(cur.doc.uri, arg);
    return fix ? fixWorkspaceEdit(cur.result, fix, this.caps, this.files) : null;
  }

  /** A fix-all offered for a version: refused when the text moved on. */
  private async fixAllFor(args: FixAllCommandArgs): Promise<WorkspaceEdit | null> {
    const cur = await this.analyses.current(args.uri);
    if (!cur || cur.result.version !== args.version) return null;
    if (args.scope === 'workload') {
      const w = cur.result.workloadAt(args.offset ?? -1);
      return w ? this.fixAllEdit(cur, { scope: 'workload', workload: w }) : null;
    }
    return this.fixAllEdit(cur, { scope: 'file' });
  }
}
