/**
 * Code actions at a range: each finding's quick fixes (the first safe one
 * preferred), fix-all in the workload and in the file (safe fixes only,
 * computed lazily through codeAction/resolve or a command), "Suppress <check>
 * here" and "for this workload", last "Show documentation for <check>" (the
 * extension's command opens the page the diagnostic links to), and
 * `source.fixAll.podsec` for on-save.
 */
import type { CodeAction, Diagnostic, Range, WorkspaceEdit } from 'vscode-languageserver';
import { annotationSuppressionEdits, CHECKS_BY_ID, splitDocuments } from '../../engine';
import { fixHasEdits } from '../../engine/fixes/edits';
import type { WorkloadSummary } from '../../engine';
import {
  CLIENT_COMMANDS,
  FIX_ALL_CODE_ACTION_KIND,
  SERVER_COMMANDS,
  serverCommand,
} from '../protocol';
import type { FixAllCommandArgs } from '../protocol';
import type { AnalysisResult } from './analysisResult';
import { hasSafeFix, inWorkload } from './analysisResult';
import { checkDocsHref, podsecData } from './diagnostics';
import type { EditCapabilities, FileTexts } from './edits';
import { fixWorkspaceEdit, suppressionEdit, workspaceEdit } from './edits';

const QUICKFIX = 'quickfix';

export interface CodeActionRequest {
  range: Range;
  /** Diagnostics the client sent in the context. */
  diagnostics: Diagnostic[];
  only?: string[];
}

export type FixAllScope = { scope: 'file' } | { scope: 'workload'; workload: WorkloadSummary };

/** Computes a fix-all edit now (used when the client asked for exactly that kind). */
export type FixAllComputer = (scope: FixAllScope) => WorkspaceEdit | null;

function wants(only: string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export function codeActions(
  r: AnalysisResult,
  req: CodeActionRequest,
  caps: EditCapabilities,
  computeFixAll: FixAllComputer,
  files?: FileTexts,
): CodeAction[] {
  const out: CodeAction[] = [];
  const start = r.offset(req.range.start);
  const end = r.offset(req.range.end);
  const hits = r.findingsAt(start, end);
  const findings = r.analysis.findings;

  // The client's diagnostics for a finding: same version and index, or (older version) same code and range.
  const diagnosticsFor = (index: number): Diagnostic[] => {
    const f = findings[index]!;
    const range = r.range(f.span);
    return req.diagnostics.filter((d) => {
      const data = podsecData(d);
      if (!data) return false;
      return data.version === r.version
        ? data.index === index || (data.also?.includes(index) ?? false)
        : d.code === f.check &&
            d.range.start.line === range.start.line &&
            d.range.start.character === range.start.character;
    });
  };

  if (wants(req.only, QUICKFIX)) {
    const seen = new Map<string, CodeAction>();
    for (const i of hits) {
      const f = findings[i]!;
      let preferredGiven = false;
      for (const fix of f.fixes) {
        if (!fixHasEdits(fix)) continue;
        const key = `${fix.title}\u0000${JSON.stringify([fix.edits, fix.files ?? []])}`;
        const existing = seen.get(key);
        if (existing) {
          existing.diagnostics = [...(existing.diagnostics ?? []), ...diagnosticsFor(i)];
          continue;
        }
        // A fix of several files (a patch in one overlay) is one edit, one undo.
        const edit = fixWorkspaceEdit(r, fix, caps, files);
        if (!edit) continue;
        const action: CodeAction = {
          // The hover says it too: an unsafe fix may need the workload to change.
          title: fix.safe ? fix.title : `${fix.title} (may change how the workload runs)`,
          kind: QUICKFIX,
          diagnostics: diagnosticsFor(i),
          edit,
        };
        if (fix.safe && !preferredGiven) {
          action.isPreferred = true;
          preferredGiven = true;
        }
        seen.set(key, action);
        out.push(action);
      }
    }

    // Fix-all in this workload / this file (safe fixes only).
    const w = r.workloadAt(start);
    if (
      w &&
      r.workloadCount > 1 &&
      r.findingsAt(w.span.start, w.span.end).some((i) => {
        const f = findings[i]!;
        return inWorkload(w)(f) && hasSafeFix(f);
      })
    ) {
      out.push(
        fixAllAction(
          'Fix all Pod Security findings in this workload',
          QUICKFIX,
          { uri: r.uri, version: r.version, scope: 'workload', offset: w.span.start },
          caps,
        ),
      );
    }
    if (r.safeFixable > 0) {
      out.push(
        fixAllAction(
          'Fix all Pod Security findings in this file',
          QUICKFIX,
          { uri: r.uri, version: r.version, scope: 'file' },
          caps,
        ),
      );
    }

    // After the fixes: suppress <check> here, once per check and line, then for the workload.
    const suppressed = new Set<string>();
    const forWorkload: CodeAction[] = [];
    const suppressedWorkloads = new Set<string>();
    for (const i of hits) {
      const f = findings[i]!;
      if (!CHECKS_BY_ID.has(f.check as never) && f.family !== 'hardening') continue;
      const line = r.lines.lineOf(f.span.start);
      const key = `${f.check}:${line}`;
      if (suppressed.has(key)) continue;
      suppressed.add(key);
      out.push({
        title: `Suppress ${f.check} here`,
        kind: QUICKFIX,
        diagnostics: diagnosticsFor(i),
        edit: workspaceEdit(
          r.uri,
          r.version,
          [suppressionEdit(r, f.check, f.span.start, caps.snippets && caps.documentChanges)],
          caps,
        ),
      });
      // Suppress <check> for this workload: the podsec.io/ignore annotation, which survives rendering.
      const workload = `${f.check}:${f.object.document}:${f.object.item ?? ''}`;
      if (suppressedWorkloads.has(workload)) continue;
      suppressedWorkloads.add(workload);
      // Only the finding's document is read; the text's document chunks are found once per version.
      const chunks = r.derived('documentChunks', () => splitDocuments(r.text));
      const edits = annotationSuppressionEdits(r.text, f, undefined, chunks);
      if (!edits || edits.length === 0) continue;
      forWorkload.push({
        title: `Suppress ${f.check} for this workload`,
        kind: QUICKFIX,
        diagnostics: diagnosticsFor(i),
        edit: workspaceEdit(
          r.uri,
          r.version,
          edits.map((e) => ({ range: r.range(e), newText: e.newText })),
          caps,
        ),
      });
    }
    out.push(...forWorkload);

    // Last: the documentation of each check under the cursor. Without diagnostics, so that
    // VS Code (which lists actions with diagnostics first) keeps it at the end of the menu.
    const documented = new Set<string>();
    for (const i of hits) {
      const f = findings[i]!;
      if (documented.has(f.check) || checkDocsHref(f.check) === null) continue;
      documented.add(f.check);
      const title = `Show documentation for ${f.check}`;
      out.push({
        title,
        kind: QUICKFIX,
        command: { title, command: CLIENT_COMMANDS.showCheckDocs, arguments: [f.check] },
      });
    }
  }

  // source.fixAll.podsec: asked for explicitly (e.g. on save), so computed now.
  if (req.only && wants(req.only, FIX_ALL_CODE_ACTION_KIND) && r.safeFixable > 0) {
    const edit = computeFixAll({ scope: 'file' });
    if (edit) {
      out.push({
        title: 'Fix all Pod Security findings (safe fixes)',
        kind: FIX_ALL_CODE_ACTION_KIND,
        edit,
      });
    }
  } else if (!req.only && r.safeFixable > 0) {
    out.push(
      fixAllAction(
        'Fix all Pod Security findings (safe fixes)',
        FIX_ALL_CODE_ACTION_KIND,
        { uri: r.uri, version: r.version, scope: 'file' },
        caps,
      ),
    );
  }
  return out;
}

/**
 * A fix-all action whose edit is computed later: by codeAction/resolve when
 * the client supports it, otherwise by running the podsec.applyFixAll command.
 */
function fixAllAction(
  title: string,
  kind: string,
  args: FixAllCommandArgs,
  caps: EditCapabilities,
): CodeAction {
  if (caps.resolve) return { title, kind, data: args };
  return { title, kind, command: serverCommand(title, SERVER_COMMANDS.applyFixAll, args) };
}
