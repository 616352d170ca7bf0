/**
 * Text edits as LSP values: the one minimal edit between two texts, a
 * versioned workspace edit (or plain changes for clients without
 * documentChanges), a fix that edits several files as one workspace edit,
 * and the suppression comment a quick fix inserts.
 */
import type {
  CreateFile,
  SnippetTextEdit,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { LineIndex } from '../../engine';
import type { Fix } from '../../engine';
import type { AnalysisResult } from './analysisResult';

/** What the client can take in a WorkspaceEdit and a code action (from its capabilities). */
export interface EditCapabilities {
  /** Client supports WorkspaceEdit.documentChanges (versioned edits). */
  documentChanges: boolean;
  /** Client supports SnippetTextEdit in documentChanges. */
  snippets: boolean;
  /** Client supports codeAction/resolve for `edit`. */
  resolve: boolean;
  /** Client supports the `create` resource operation in documentChanges. */
  createFiles?: boolean;
}

/** The other files a fix edits, as the editor has them. */
export interface FileTexts {
  /** The URI of an engine path. */
  uri(path: string): string;
  /** The open document's text and version, else the text on disk (version null); null when unreadable. */
  get(path: string): { text: string; version: number | null } | null;
}

/**
 * A fix as one WorkspaceEdit: its edits of the analysed document (at the
 * analysed version) and of the other files it names (open documents at their
 * version, files on disk unversioned, a new file created first). Null when
 * the client cannot take it (several files without documentChanges, a new
 * file without the create operation) or a file it edits cannot be read.
 */
export function fixWorkspaceEdit(
  r: AnalysisResult,
  fix: Fix,
  caps: EditCapabilities,
  files: FileTexts | undefined,
): WorkspaceEdit | null {
  const own: TextEdit[] = fix.edits.map((e) => ({ range: r.range(e), newText: e.newText }));
  const others = (fix.files ?? []).filter((f) => f.edits.length > 0 || f.create === true);
  if (others.length === 0)
    return own.length > 0 ? workspaceEdit(r.uri, r.version, own, caps) : null;
  if (!files) return null;
  const changes: Array<TextDocumentEdit | CreateFile> = [];
  if (own.length > 0)
    changes.push({ textDocument: { uri: r.uri, version: r.version }, edits: own });
  const plain: Record<string, TextEdit[]> = own.length > 0 ? { [r.uri]: own } : {};
  for (const f of others) {
    const uri = files.uri(f.path);
    if (uri === r.uri) return null;
    const current = f.create === true ? { text: '', version: null } : files.get(f.path);
    if (!current) return null;
    const lines = new LineIndex(current.text);
    const length = current.text.length;
    if (f.edits.some((e) => e.start < 0 || e.start > e.end || e.end > length)) return null;
    const edits: TextEdit[] = f.edits.map((e) => ({
      range: { start: lines.position(e.start), end: lines.position(e.end) },
      newText: e.newText,
    }));
    if (f.create === true) {
      if (!caps.documentChanges || caps.createFiles !== true) return null;
      changes.push({ kind: 'create', uri, options: { overwrite: false, ignoreIfExists: false } });
    }
    changes.push({ textDocument: { uri, version: current.version }, edits });
    plain[uri] = [...(plain[uri] ?? []), ...edits];
  }
  return caps.documentChanges ? { documentChanges: changes } : { changes: plain };
}

/** One versioned edit of one document (or plain `changes` for clients without documentChanges). */
export function workspaceEdit(
  uri: string,
  version: number,
  edits: Array<TextEdit | SnippetTextEdit>,
  caps: EditCapabilities,
): WorkspaceEdit {
  if (caps.documentChanges) {
    return { documentChanges: [{ textDocument: { uri, version }, edits }] };
  }
  return {
    changes: {
      [uri]: edits.map((e) =>
        'newText' in e ? e : { range: e.range, newText: unsnippet(e.snippet.value) },
      ),
    },
  };
}

/** Snippet text as plain text: placeholders become their defaults, escapes are undone. */
function unsnippet(s: string): string {
  return s.replace(
    /\$\{\d+:([^}]*)\}|\$\d+|\\([$}\\])/g,
    (_m, def?: string, esc?: string) => def ?? esc ?? '',
  );
}

/**
 * The one edit turning `oldText` into `newText`: everything between their
 * common prefix and common suffix. Never splits a surrogate pair or a CRLF.
 */
export function minimalEdit(
  oldText: string,
  newText: string,
): { start: number; end: number; newText: string } | null {
  if (oldText === newText) return null;
  const max = Math.min(oldText.length, newText.length);
  let p = 0;
  while (p < max && oldText.charCodeAt(p) === newText.charCodeAt(p)) p++;
  let s = 0;
  while (
    s < max - p &&
    oldText.charCodeAt(oldText.length - 1 - s) === newText.charCodeAt(newText.length - 1 - s)
  ) {
    s++;
  }
  const splits = (t: string, i: number) => {
    const a = t.charCodeAt(i - 1);
    const b = t.charCodeAt(i);
    return (a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff) || (a === 13 && b === 10);
  };
  while (p > 0 && (splits(oldText, p) || splits(newText, p))) p--;
  while (s > 0 && (splits(oldText, oldText.length - s) || splits(newText, newText.length - s))) {
    s--;
  }
  return {
    start: p,
    end: oldText.length - s,
    newText: newText.slice(p, newText.length - s),
  };
}

/** A TextEdit (in the old text's positions) turning `r.text` into `newText`, or null if equal. */
function replaceEdit(r: AnalysisResult, newText: string): TextEdit | null {
  const e = minimalEdit(r.text, newText);
  if (!e) return null;
  return { range: r.range(e), newText: e.newText };
}

/** The workspace edit turning the analysed text into `newText` (one edit, one undo), or null if equal. */
export function rewriteEdit(
  r: AnalysisResult,
  newText: string,
  caps: EditCapabilities,
): WorkspaceEdit | null {
  const edit = replaceEdit(r, newText);
  return edit ? workspaceEdit(r.uri, r.version, [edit], caps) : null;
}

function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text.charCodeAt(i - 1) === 13 ? '\r\n' : '\n';
}

/** The suppression comment for `check`, on its own line above `offset`'s line, at its indentation. */
export function suppressionEdit(
  r: AnalysisResult,
  check: string,
  offset: number,
  snippet: boolean,
): TextEdit | SnippetTextEdit {
  const line = r.lines.lineOf(offset);
  const start = r.lines.lineStart(line);
  const end = r.lines.lineEnd(line);
  let i = start;
  while (i < end && (r.text[i] === ' ' || r.text[i] === '\t')) i++;
  const indent = r.text.slice(start, i);
  const eol = eolOf(r.text);
  const at = r.lines.position(start);
  const range = { start: at, end: at };
  const head = `${indent}# podsec-ignore ${check} -- `;
  if (snippet) {
    return {
      range,
      snippet: { kind: 'snippet', value: `${head.replace(/[$}\\]/g, '\\$&')}\${1:reason}${eol}` },
    };
  }
  return { range, newText: `${head}reason${eol}` };
}
