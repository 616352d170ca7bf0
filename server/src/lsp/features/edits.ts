/**
 * Text edits as LSP values: the one minimal edit between two texts, a
 * versioned workspace edit (or plain changes for clients without
 * documentChanges), and the suppression comment a quick fix inserts.
 */
import type { SnippetTextEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { AnalysisResult } from './analysisResult';

/** What the client can take in a WorkspaceEdit and a code action (from its capabilities). */
export interface EditCapabilities {
  /** Client supports WorkspaceEdit.documentChanges (versioned edits). */
  documentChanges: boolean;
  /** Client supports SnippetTextEdit in documentChanges. */
  snippets: boolean;
  /** Client supports codeAction/resolve for `edit`. */
  resolve: boolean;
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
