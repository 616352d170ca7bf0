/**
 * Workspace folders and the Namespace scan. Owns: the workspace folders, the
 * Namespace index (every YAML file on disk, scanned once and then kept up to
 * date from file-watcher events, and the open documents' current text), a
 * generation that stops a scan in progress, and an epoch that counts changes
 * of the Namespaces (analyses are cached per epoch). Tells its listeners when
 * the Namespaces changed.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import type {
  ClientCapabilities,
  Connection,
  InitializeParams,
  Location,
  ServerCapabilities,
  WorkspaceFolder,
} from 'vscode-languageserver/node';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver/node';
import type { NamespaceLabels, Span } from '../../engine';
import { NamespaceIndex, yamlFiles } from '../namespaces';
import type { PodsecSettings } from '../protocol';
import type { NamespaceResolver } from '../features';
import { fileKey, toUri } from '../uris';
import type { DocumentSource } from './documents';
import type { SettingsSource } from './settings';

interface Folder {
  uri: string;
  /** The folder on disk, or null for a virtual one (nothing to scan). */
  path: string | null;
}

function folder(f: WorkspaceFolder): Folder {
  return { uri: f.uri, path: f.uri.startsWith('file:') ? fileKey(f.uri) : null };
}

/** What other modules read: the Namespaces, the folders, and what is excluded. */
export interface WorkspaceSource extends NamespaceResolver {
  /** The URI of a file the Namespace index knows, or one made from its path. */
  uriOf(file: string): string;
  /** The Namespaces to give the engine, and the epoch they belong to. */
  namespaces(): { map: ReadonlyMap<string, NamespaceLabels>; epoch: number };
  /** Whether `podsec.exclude` leaves the document or file out. */
  excluded(uri: string, s: PodsecSettings): boolean;
  /** The workspace folders on disk. */
  folderPaths(): string[];
  /** The first workspace folder's URI, if any. */
  firstFolder(): string | undefined;
  /** A test that turns true once the workspace is shut down or rescanned from scratch. */
  cancellation(): () => boolean;
}

export class Workspace implements WorkspaceSource {
  private folders: Folder[] = [];
  private capabilities: ClientCapabilities = {};
  private generation = 0;
  private epoch = 0;
  private readonly index: NamespaceIndex;
  private readonly listeners: Array<() => void> = [];
  private readonly fileListeners: Array<(file: string, text: string | null) => void> = [];

  constructor(
    private readonly connection: Connection,
    documents: DocumentSource,
    private readonly settings: SettingsSource,
  ) {
    this.index = new NamespaceIndex((file, offset) => {
      const doc = documents.get(this.index.uriOf(file));
      return doc ? doc.positionAt(offset) : null;
    });
    connection.onDidChangeWatchedFiles(async (params) => {
      let changed = false;
      for (const c of params.changes) {
        if (await this.fileChanged(c.uri, c.type)) changed = true;
      }
      if (changed) this.namespacesChanged();
    });
  }

  initialize(params: InitializeParams): ServerCapabilities {
    this.capabilities = params.capabilities;
    const folders: WorkspaceFolder[] =
      params.workspaceFolders ??
      (params.rootUri ? [{ uri: params.rootUri, name: path.basename(params.rootUri) }] : []);
    this.folders = folders.map(folder);
    return { workspace: { workspaceFolders: { supported: true, changeNotifications: true } } };
  }

  /** After `initialized`: watch YAML files, follow folder changes, scan the folders. */
  initialized(): void {
    const ws = this.capabilities.workspace;
    if (ws?.didChangeWatchedFiles?.dynamicRegistration === true) {
      void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{yaml,yml}' }],
      });
    }
    if (ws?.workspaceFolders === true) {
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const removed of e.removed) {
          this.folders = this.folders.filter((f) => f.uri !== removed.uri);
        }
        const added = e.added.map(folder);
        this.folders.push(...added);
        void this.scan(added);
      });
    }
    void this.scan(this.folders).catch((e: unknown) =>
      this.connection.console.log(`podsec: workspace scan failed: ${String(e)}`),
    );
  }

  /** Stops a scan in progress. */
  shutdown(): void {
    this.generation++;
  }

  /** Calls `listener` after the Namespaces changed. */
  onDidChangeNamespaces(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Calls `listener` with each YAML file's text on disk as scanned or changed (null: gone). */
  onDidReadFile(listener: (file: string, text: string | null) => void): void {
    this.fileListeners.push(listener);
  }

  private fileRead(file: string, text: string | null): void {
    for (const l of this.fileListeners) l(file, text);
  }

  /** An open document's text: its Namespaces count instead of the file's on disk. */
  documentChanged(uri: string, text: string): void {
    if (this.index.setOpen(fileKey(uri), uri, text)) this.namespacesChanged();
  }

  /** A document closed: the file on disk counts again. */
  documentClosed(uri: string): void {
    if (this.index.closeOpen(fileKey(uri))) this.namespacesChanged();
  }

  namespaces(): { map: ReadonlyMap<string, NamespaceLabels>; epoch: number } {
    return { map: this.index.map, epoch: this.epoch };
  }

  locate(file: string, span: Span): Location | null {
    return this.index.locate(file, span);
  }

  lookup(name: string, file: string | undefined): NamespaceLabels | undefined {
    return this.index.lookup(name, file);
  }

  uriOf(file: string): string {
    return this.index.uriOf(file);
  }

  display(file: string): string {
    for (const f of this.folders) {
      if (f.path && (file === f.path || file.startsWith(f.path + path.sep))) {
        return path.relative(f.path, file).split(path.sep).join('/');
      }
    }
    return file;
  }

  excluded(uri: string, s: PodsecSettings): boolean {
    if (s.exclude.length === 0) return false;
    const file = fileKey(uri);
    const folder = this.folderOf(file);
    const rel = folder ? path.relative(folder, file).split(path.sep).join('/') : null;
    return s.exclude.some(
      (g) =>
        (rel !== null && minimatch(rel, g, { dot: true })) ||
        minimatch(file.split(path.sep).join('/'), g, { dot: true }),
    );
  }

  folderPaths(): string[] {
    return this.folders.flatMap((f) => (f.path ? [f.path] : []));
  }

  firstFolder(): string | undefined {
    return this.folders[0]?.uri;
  }

  cancellation(): () => boolean {
    const generation = this.generation;
    return () => generation !== this.generation;
  }

  private folderOf(file: string): string | null {
    let best: string | null = null;
    for (const f of this.folders) {
      if (f.path && file.startsWith(f.path + path.sep) && (!best || f.path.length > best.length)) {
        best = f.path;
      }
    }
    return best;
  }

  private namespacesChanged(): void {
    this.epoch++;
    for (const l of this.listeners) l();
  }

  private async scan(list: readonly Folder[]): Promise<void> {
    const cancelled = this.cancellation();
    const maxFileSize = this.settings.defaults().maxFileSize;
    let changed = false;
    let files = 0;
    const started = Date.now();
    for (const f of list) {
      if (!f.path) continue;
      for await (const { file, text } of yamlFiles(
        f.path,
        { maxFileSize, maxFiles: 50_000 },
        cancelled,
      )) {
        files++;
        this.fileRead(file, text);
        try {
          if (this.index.setDisk(file, toUri(file), text)) changed = true;
        } catch (e) {
          this.connection.console.log(
            `podsec: could not read Namespaces from ${file}: ${String(e)}`,
          );
        }
      }
    }
    this.connection.console.log(
      `podsec: scanned ${files} YAML files for Namespace labels in ${Date.now() - started} ms`,
    );
    if (changed) this.namespacesChanged();
  }

  private async fileChanged(uri: string, type: FileChangeType): Promise<boolean> {
    if (!uri.startsWith('file:')) return false;
    const file = fileKey(uri);
    if (type === FileChangeType.Deleted) {
      this.fileRead(file, null);
      return this.index.deleteDisk(file);
    }
    const maxFileSize = this.settings.defaults().maxFileSize;
    try {
      const st = await fs.stat(file);
      if (!st.isFile() || st.size > maxFileSize) {
        this.fileRead(file, null);
        return this.index.deleteDisk(file);
      }
      const text = await fs.readFile(file, 'utf8');
      this.fileRead(file, text);
      return this.index.setDisk(file, uri, text);
    } catch {
      this.fileRead(file, null);
      return this.index.deleteDisk(file);
    }
  }
}
