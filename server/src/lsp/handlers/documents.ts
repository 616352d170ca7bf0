/**
 * Documents and scheduling. Owns: the open documents (incremental sync) and,
 * per document, when it is next due for analysis: the pending timer, a token
 * that tells a superseded run to give up, the version opened with, and when
 * the last change came (to tell a burst from a single keystroke). Others hear
 * of opens, changes and closes through listeners, and of due documents
 * through `onDue`.
 */
import type { Connection, ServerCapabilities } from 'vscode-languageserver/node';
import { TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

/**
 * Changes that come in a burst (the next within this many milliseconds of the
 * last, or while one is waiting) are analysed once, this long after the last;
 * the first change after a pause is analysed at once, so a single keystroke
 * gets its diagnostics without waiting.
 */
const CHANGE_DELAY_MS = 30;

interface Schedule {
  timer: NodeJS.Timeout | undefined;
  /** Bumped by every scheduled run; an older run that sees a newer token gives up. */
  token: number;
  /** Version at didOpen (whose content event the open handler already scheduled). */
  openedVersion: number;
  /** When the last change arrived (ms since the epoch), to tell bursts from single edits. */
  lastChangeAt: number;
}

/** A document due for analysis, as scheduled. */
export interface DueDocument {
  readonly uri: string;
  readonly version: number;
  /** False once the document changed, closed, or was scheduled again since. */
  current(): boolean;
}

/** What other modules read: the open documents. */
export interface DocumentSource {
  get(uri: string): TextDocument | undefined;
  all(): TextDocument[];
}

/** Whether podsec reads a document at all: YAML by language or by file name. */
export function isYamlDocument(doc: TextDocument): boolean {
  return doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri);
}

export class Documents implements DocumentSource {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly schedules = new Map<string, Schedule>();
  private readonly opened: Array<(doc: TextDocument) => void> = [];
  private readonly changed: Array<(doc: TextDocument) => void> = [];
  private readonly closed: Array<(uri: string) => void> = [];
  private readonly due: Array<(d: DueDocument) => void> = [];

  constructor(private readonly connection: Connection) {
    this.documents.onDidOpen((e) => {
      this.scheduleOf(e.document.uri).openedVersion = e.document.version;
      for (const l of this.opened) l(e.document);
      this.schedule(e.document.uri, 0);
    });
    this.documents.onDidChangeContent((e) => {
      const st = this.schedules.get(e.document.uri);
      if (!st || st.openedVersion === e.document.version) return; // scheduled by the open handler
      for (const l of this.changed) l(e.document);
      const now = Date.now();
      const burst = st.timer !== undefined || now - st.lastChangeAt < CHANGE_DELAY_MS;
      st.lastChangeAt = now;
      this.schedule(e.document.uri, burst ? CHANGE_DELAY_MS : 0);
    });
    this.documents.onDidClose((e) => {
      const uri = e.document.uri;
      const st = this.schedules.get(uri);
      if (st?.timer) clearTimeout(st.timer);
      this.schedules.delete(uri);
      for (const l of this.closed) l(uri);
    });
  }

  /** Open and close notifications, and changes as incremental edits. */
  initialize(): ServerCapabilities {
    return { textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental } };
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TextDocument[] {
    return this.documents.all();
  }

  /** After a document opened (before its first analysis is scheduled). */
  onDidOpen(listener: (doc: TextDocument) => void): void {
    this.opened.push(listener);
  }

  /** After a document's text changed (not for the open itself). */
  onDidChange(listener: (doc: TextDocument) => void): void {
    this.changed.push(listener);
  }

  /** After a document closed: forget what you kept for it. */
  onDidClose(listener: (uri: string) => void): void {
    this.closed.push(listener);
  }

  /** When a document is due for analysis. */
  onDue(listener: (d: DueDocument) => void): void {
    this.due.push(listener);
  }

  /** Analyse every open document again (settings or Namespace labels changed). */
  scheduleAll(): void {
    for (const doc of this.documents.all()) this.schedule(doc.uri, 0);
  }

  /**
   * Analyse these open documents again once changes pause (another file they
   * are rendered with changed); a burst of changes schedules them once.
   */
  scheduleSoon(uris: readonly string[]): void {
    for (const uri of uris) if (this.documents.get(uri)) this.schedule(uri, CHANGE_DELAY_MS);
  }

  /** Starts listening on the connection; call once every module is set up. */
  listen(): void {
    this.documents.listen(this.connection);
  }

  /** Stops every pending run. */
  shutdown(): void {
    for (const st of this.schedules.values()) if (st.timer) clearTimeout(st.timer);
  }

  private scheduleOf(uri: string): Schedule {
    let st = this.schedules.get(uri);
    if (!st) {
      st = { timer: undefined, token: 0, openedVersion: -1, lastChangeAt: 0 };
      this.schedules.set(uri, st);
    }
    return st;
  }

  private schedule(uri: string, delay: number): void {
    const st = this.scheduleOf(uri);
    const token = ++st.token;
    if (st.timer) clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      const doc = this.documents.get(uri);
      if (!doc || this.schedules.get(uri) !== st) return;
      const version = doc.version;
      const due: DueDocument = {
        uri,
        version,
        current: () =>
          this.schedules.get(uri) === st &&
          st.token === token &&
          this.documents.get(uri)?.version === version,
      };
      for (const l of this.due) l(due);
    }, delay);
  }
}
