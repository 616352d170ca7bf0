/**
 * Workspace folders and the Namespace scan. Owns: the workspace folders, the
 * Namespace index (every YAML file on disk, scanned once and then kept up to
 * date from file-watcher events, and the open documents' current text), a
 * generation that stops a scan in progress, and an epoch that counts changes
 * of the Namespaces (analyses are cached per epoch). Tells its listeners when
 * the Namespaces changed.
 *
 * What it reads from disk (the scan and watch events alike): YAML files that
 * are regular files (checked on the open handle), inside a workspace folder
 * once links are resolved, within the folder's `podsec.maxFileSize`. The
 * folders are walked by the command line's walker (see ../scan.ts); the
 * scan is linear in files and Namespaces (see ../namespaces.ts) and runs
 * again when a folder's `podsec.maxFileSize` changes.
 *
 * New folders. VS Code's file watcher starts watching a folder only once it
 * reports the folder created, so the files another program writes into a
 * folder it has just made (`mkdir -p x && cp a.yaml x/`, a checkout, a
 * folder moved in) are never reported. So the server also asks to hear of
 * every path created or deleted (not changed): a folder created is walked
 * as the scan walks a workspace folder, each YAML file in it read as if its
 * creation had been reported; a folder deleted (or moved away) forgets the
 * files known under it.
 */
import * as path from 'node:path';
import type {
  ClientCapabilities,
  Connection,
  InitializeParams,
  Location,
  ServerCapabilities,
  WorkspaceFolder,
} from 'vscode-languageserver/node';
import {
  DidChangeWatchedFilesNotification,
  FileChangeType,
  WatchKind,
} from 'vscode-languageserver/node';
import { promises as fsp } from 'node:fs';
import type { Disposable } from 'vscode-languageserver/node';
import type { NamespaceLabels, Span } from '../../engine';
import { globSet, globStats } from '../../engine/glob';
import { NamespaceIndex } from '../namespaces';
import { readWorkspaceFile, resolvedRoot, yamlFiles } from '../scan';
import type { ScanSkips, SkipReason } from '../scan';
import { SKIP_DIRS } from '../../io/index';
import type { WalkSteps } from '../../io/index';
import type { PodsecSettings } from '../protocol';
import type { NamespaceResolver } from '../features';
import { fileKey, toUri } from '../uris';
import type { DocumentSource } from './documents';
import type { SettingsSource } from './settings';

interface Folder {
  uri: string;
  /** The folder on disk, or null for a virtual one (nothing to scan). */
  path: string | null;
  /** The size limit its last scan used. */
  scannedWith?: number;
}

/** What the scans and watch events read and left out (the test-only stats request returns it). */
interface ReadStats {
  scans: number;
  scanned: number;
  watched: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** The walker's steps over every scan: directories listed, entries looked at. */
  walked: WalkSteps;
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
  /** Whether the scan never reads the file: it lies in a folder the walker skips (node_modules, .git, …). */
  unscanned(file: string): boolean;
  /** The workspace folders on disk. */
  folderPaths(): string[];
  /** The first workspace folder's URI, if any. */
  firstFolder(): string | undefined;
  /** A test that turns true once the workspace is shut down or rescanned from scratch. */
  cancellation(): () => boolean;
}

/** What the server watches on disk: YAML files, and the Kustomize inputs that are not YAML. */
const WATCHED = ['**/*.{yaml,yml}', '**/Kustomization', '**/*.env', '**/.env'];
/** Every path created or deleted: folders, whose files the editor's watcher may not report. */
const WATCHED_PATHS = { globPattern: '**/*', kind: WatchKind.Create | WatchKind.Delete };

const isYamlName = (name: string): boolean => /\.ya?ml$/i.test(name);

export class Workspace implements WorkspaceSource {
  private folders: Folder[] = [];
  private capabilities: ClientCapabilities = {};
  private generation = 0;
  private epoch = 0;
  private readonly index: NamespaceIndex;
  private readonly listeners: Array<() => void> = [];
  private readonly watchListeners: Array<(uri: string) => void> = [];
  private readonly reads: ReadStats = {
    scans: 0,
    scanned: 0,
    watched: 0,
    skipped: {},
    walked: { dirs: 0, entries: 0 },
  };
  private readonly fileListeners: Array<(file: string, text: string | null) => void> = [];
  private readonly changeListeners: Array<(file: string) => void> = [];
  private readonly folderListeners: Array<() => void> = [];
  private extraWatch: Promise<Disposable> | null = null;
  /** The YAML files read from disk (scanned or watched) and not gone since. */
  private readonly onDisk = new Set<string>();
  /** How many of them lie under each folder (a deleted path that is none of these holds none). */
  private readonly dirsOnDisk = new Map<string, number>();
  private extraWatchKey = '';

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
      // A file two watchers match (YAML, and every path created) is reported twice: once is enough.
      const seen = new Set<string>();
      const changes = params.changes.filter((c) => {
        const key = `${c.type}:${c.uri}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      // Every change is announced before any is read, so one batch of events is one burst.
      for (const c of changes) for (const l of this.watchListeners) l(c.uri);
      for (const c of changes) {
        // Other watched files (a chart's partials and archives, Kustomize inputs that are not
        // YAML: `Kustomization`, `.env` and generator files) hold no Namespaces.
        if (isYamlName(c.uri)) {
          if (await this.fileChanged(c.uri, c.type)) changed = true;
        } else if (c.uri.startsWith('file:') && c.type === FileChangeType.Created) {
          if (await this.folderCreated(fileKey(c.uri))) changed = true;
        } else if (c.uri.startsWith('file:') && c.type === FileChangeType.Deleted) {
          if (this.folderDeleted(fileKey(c.uri))) changed = true;
        }
        if (c.uri.startsWith('file:')) for (const l of this.changeListeners) l(fileKey(c.uri));
      }
      if (changed) this.namespacesChanged();
    });
    settings.onDidChange(() => void this.rescanIfLimitChanged());
    // Tests only (PODSEC_TEST_HOOKS=1): the work counters of the scan, the index and the globs.
    if (process.env.PODSEC_TEST_HOOKS === '1') {
      connection.onRequest('podsec/debugStats', () => ({
        reads: this.reads,
        index: this.index.stats,
        glob: { ...globStats },
      }));
    }
  }

  initialize(params: InitializeParams): ServerCapabilities {
    this.capabilities = params.capabilities;
    const folders: WorkspaceFolder[] =
      params.workspaceFolders ??
      (params.rootUri ? [{ uri: params.rootUri, name: path.basename(params.rootUri) }] : []);
    this.folders = folders.map(folder);
    return { workspace: { workspaceFolders: { supported: true, changeNotifications: true } } };
  }

  /**
   * After `initialized`: watch YAML files and the Kustomize inputs that are
   * not YAML (`Kustomization`, `.env` files), follow folder changes, scan the
   * folders.
   */
  initialized(): void {
    const ws = this.capabilities.workspace;
    if (ws?.didChangeWatchedFiles?.dynamicRegistration === true) {
      void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: WATCHED.map((globPattern) => ({ globPattern })),
      });
      void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [WATCHED_PATHS],
      });
    }
    if (ws?.workspaceFolders === true) {
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const removed of e.removed) {
          this.folders = this.folders.filter((f) => f.uri !== removed.uri);
        }
        const added = e.added.map(folder);
        this.folders.push(...added);
        for (const l of this.folderListeners) l();
        void this.scan(added);
      });
    }
    void this.scan(this.folders).catch((e: unknown) =>
      this.connection.console.log(`podsec: workspace scan failed: ${String(e)}`),
    );
  }

  /**
   * Also watch these files (generator inputs a Kustomize build read, by
   * name): one registration, replaced when the names change.
   */
  watchFiles(files: Iterable<string>): void {
    if (this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration !== true) return;
    const names = [...new Set([...files].map((f) => path.basename(f)))]
      .filter((n) => !isYamlName(n) && n !== 'Kustomization' && !n.endsWith('.env'))
      .sort();
    const key = names.join('\u0000');
    if (key === this.extraWatchKey) return;
    this.extraWatchKey = key;
    const previous = this.extraWatch;
    this.extraWatch =
      names.length === 0
        ? null
        : this.connection.client.register(DidChangeWatchedFilesNotification.type, {
            // Glob characters in a name match themselves.
            watchers: names.map((n) => ({ globPattern: `**/${n.replace(/[[\]{}*?!]/g, '[$&]')}` })),
          });
    void previous?.then((d) => d.dispose());
  }

  /** Stops a scan in progress. */
  shutdown(): void {
    this.generation++;
  }

  /**
   * Calls `listener` with the URI of each watched file that changed, at once
   * for every change of a batch (before the Namespace update).
   */
  onDidChangeWatchedFile(listener: (uri: string) => void): void {
    this.watchListeners.push(listener);
  }

  /** Calls `listener` after workspace folders were added or removed (before the added ones are scanned). */
  onDidChangeFolders(listener: () => void): void {
    this.folderListeners.push(listener);
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
    if (text === null) {
      if (this.onDisk.delete(file)) this.countDirs(file, -1);
    } else if (!this.onDisk.has(file)) {
      this.onDisk.add(file);
      this.countDirs(file, 1);
    }
    for (const l of this.fileListeners) l(file, text);
  }

  /** Counts `file` in (or out of) each folder above it, up to the root. */
  private countDirs(file: string, by: 1 | -1): void {
    for (let d = path.dirname(file); ; d = path.dirname(d)) {
      const n = (this.dirsOnDisk.get(d) ?? 0) + by;
      if (n > 0) this.dirsOnDisk.set(d, n);
      else this.dirsOnDisk.delete(d);
      if (path.dirname(d) === d) return;
    }
  }

  /** Calls `listener` with the path of every file created, changed or deleted on disk. */
  onDidChangeFile(listener: (file: string) => void): void {
    this.changeListeners.push(listener);
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
    // Compiled once per list of patterns (cached by content), matched in linear time.
    const globs = globSet(s.exclude);
    const file = fileKey(uri);
    const folder = this.folderOf(file);
    const rel = folder ? path.relative(folder, file).split(path.sep).join('/') : null;
    return (rel !== null && globs.matches(rel)) || globs.matches(file.split(path.sep).join('/'));
  }

  unscanned(file: string): boolean {
    const folder = this.folderOf(file);
    const rel = folder ? path.relative(folder, file) : file;
    return rel
      .split(path.sep)
      .slice(0, -1)
      .some((d) => SKIP_DIRS.has(d));
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

  private skipped(skips: ScanSkips | SkipReason): void {
    const add = (why: SkipReason, n: number) =>
      (this.reads.skipped[why] = (this.reads.skipped[why] ?? 0) + n);
    if (typeof skips === 'string') add(skips, 1);
    else for (const [why, n] of skips) add(why, n);
  }

  /** A folder's size limit (its own settings, as for the documents in it). */
  private async limitFor(f: Folder): Promise<number> {
    try {
      return (await this.settings.for(f.uri)).maxFileSize;
    } catch {
      return this.settings.defaults().maxFileSize;
    }
  }

  private async rescanIfLimitChanged(): Promise<void> {
    const changed: Folder[] = [];
    for (const f of this.folders) {
      if (f.path && f.scannedWith !== undefined && (await this.limitFor(f)) !== f.scannedWith) {
        changed.push(f);
      }
    }
    if (changed.length > 0) await this.scan(changed);
  }

  private async scan(list: readonly Folder[]): Promise<void> {
    const cancelled = this.cancellation();
    let files = 0;
    const skips: ScanSkips = new Map();
    const started = Date.now();
    this.reads.scans++;
    for (const f of list) {
      if (!f.path) continue;
      const maxFileSize = await this.limitFor(f);
      f.scannedWith = maxFileSize;
      const seen = new Set<string>();
      for await (const { file, text } of yamlFiles(
        f.path,
        { maxFileSize, maxFiles: 50_000 },
        cancelled,
        skips,
        this.reads.walked,
      )) {
        files++;
        seen.add(file);
        this.fileRead(file, text);
        try {
          this.index.recordDisk(file, toUri(file), text);
        } catch (e) {
          this.connection.console.log(
            `podsec: could not read Namespaces from ${file}: ${String(e)}`,
          );
        }
      }
      if (cancelled()) return;
      // A rescan: what is no longer there (or no longer read) no longer counts.
      const prefix = f.path + path.sep;
      for (const file of [...this.onDisk]) {
        if (file.startsWith(prefix) && !seen.has(file)) {
          this.index.forgetDisk(file);
          this.fileRead(file, null);
        }
      }
    }
    this.reads.scanned += files;
    this.skipped(skips);
    const left = [...skips].map(([why, n]) => `${n} ${why}`).join(', ');
    this.connection.console.log(
      `podsec: scanned ${files} YAML files for Namespace labels in ${Date.now() - started} ms` +
        (left ? `; not read: ${left}` : ''),
    );
    if (this.index.commit()) this.namespacesChanged();
  }

  /** Announces a file found in a folder created or deleted as a watch event for it would. */
  private announce(file: string): void {
    const uri = this.index.uriOf(file);
    for (const l of this.watchListeners) l(uri);
    for (const l of this.changeListeners) l(file);
  }

  /**
   * A path was created: when it is a folder (not a link) inside a workspace
   * folder and not one the scan skips, its YAML files are read as the scan
   * reads a folder's, each announced as a watched file created.
   */
  private async folderCreated(dir: string): Promise<boolean> {
    const owner = this.folders.find((f) => f.path !== null && dir.startsWith(f.path + path.sep));
    if (!owner?.path || this.unscanned(path.join(dir, 'x'))) return false;
    try {
      if (!(await fsp.lstat(dir)).isDirectory()) return false;
    } catch {
      return false; // gone again already
    }
    const skips: ScanSkips = new Map();
    let changed = false;
    for await (const { file, text } of yamlFiles(
      dir,
      { maxFileSize: await this.limitFor(owner), maxFiles: 50_000 },
      this.cancellation(),
      skips,
      this.reads.walked,
    )) {
      this.reads.watched++;
      this.announce(file);
      this.fileRead(file, text);
      if (this.index.setDisk(file, toUri(file), text)) changed = true;
    }
    this.skipped(skips);
    return changed;
  }

  /** A path that is no YAML file was deleted: the files known under it (a folder) are gone. */
  private folderDeleted(dir: string): boolean {
    // Most deleted paths are no folder holding YAML files: nothing to look through.
    if (!this.dirsOnDisk.has(dir)) return false;
    const prefix = dir + path.sep;
    let changed = false;
    for (const file of [...this.onDisk]) {
      if (!file.startsWith(prefix)) continue;
      this.announce(file);
      this.fileRead(file, null);
      if (this.index.deleteDisk(file)) changed = true;
    }
    return changed;
  }

  /** A watch event: the same checks as the scan (regular file, inside a folder, size limit). */
  private async fileChanged(uri: string, type: FileChangeType): Promise<boolean> {
    if (!uri.startsWith('file:')) return false;
    const file = fileKey(uri);
    if (type === FileChangeType.Deleted) {
      this.fileRead(file, null);
      return this.index.deleteDisk(file);
    }
    const owner = this.folders.find((f) => f.path !== null && file.startsWith(f.path + path.sep));
    if (!owner?.path) {
      this.fileRead(file, null);
      return this.index.deleteDisk(file);
    }
    const roots = await Promise.all(this.folderPaths().map(resolvedRoot));
    const r = await readWorkspaceFile(file, roots, await this.limitFor(owner));
    this.reads.watched++;
    if ('text' in r) {
      this.fileRead(file, r.text);
      return this.index.setDisk(file, uri, r.text);
    }
    this.skipped(r.skipped);
    this.connection.console.log(`podsec: ${file} not read: ${r.skipped}`);
    this.fileRead(file, null);
    return this.index.deleteDisk(file);
  }
}
