/**
 * The workspace's Namespaces: name → labels, from every YAML file on disk
 * (scanned once, then kept up to date from file-watcher events) and from the
 * open documents' current text, which wins over the same file on disk.
 *
 * Linear in files and Namespaces: the index keeps, per Namespace name, the
 * files that declare it, so a change recomputes only the names that file
 * declares (or declared), and only when the map is next read (a scan of
 * 20,000 files recomputes each name once). Files are read by
 * `readWorkspaceFile`: regular files only, inside the workspace, within the
 * size limit, checked on the open handle.
 */
import { constants, promises as fs } from 'node:fs';
import type { Dirent } from 'node:fs';
import * as path from 'node:path';
import type { Location, Position } from 'vscode-languageserver';
import { collectNamespaces, LineIndex } from '../engine';
import type { NamespaceLabels, Span } from '../engine';
import { toUri } from './uris';

interface DiskEntry {
  uri: string;
  namespaces: NamespaceLabels[];
  /** Positions of every label span boundary, by offset. */
  positions: Map<number, Position>;
}

interface OpenEntry {
  uri: string;
  namespaces: NamespaceLabels[];
  /** Per `---` chunk text: its namespaces with chunk-relative spans. */
  chunks: Map<string, NamespaceLabels[]>;
}

/** Positions of a file open in the editor (its current text). */
export type OpenPositions = (file: string, offset: number) => Position | null;

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
const YAML_FILE = /\.ya?ml$/i;

function sameNamespaces(a: readonly NamespaceLabels[], b: readonly NamespaceLabels[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Start offsets of the `---`-separated chunks of a text (a cheap split, not a parse). */
function chunkStarts(text: string): number[] {
  const starts = [0];
  const re = /^---/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) if (m.index > 0) starts.push(m.index);
  return starts;
}

/** Work the index did (read by tests through the server's test-only stats request). */
export interface IndexStats {
  /** Texts parsed for Namespaces. */
  parses: number;
  /** Namespace names whose winning declaration was recomputed. */
  recomputed: number;
  /** Copies of the merged map handed out. */
  snapshots: number;
}

export class NamespaceIndex {
  private readonly disk = new Map<string, DiskEntry>();
  private readonly open = new Map<string, OpenEntry>();
  /** Per Namespace name: the disk files and the open documents declaring it. */
  private readonly declaredOnDisk = new Map<string, Set<string>>();
  private readonly declaredOpen = new Map<string, Set<string>>();
  /** The winning declaration of each name (kept up to date by `commit`). */
  private readonly merged = new Map<string, NamespaceLabels>();
  private readonly dirty = new Set<string>();
  private snapshot: ReadonlyMap<string, NamespaceLabels> | null = null;
  /** A change the map already shows (it was read mid-scan) that no `commit` has reported yet. */
  private unreported = false;
  readonly stats: IndexStats = { parses: 0, recomputed: 0, snapshots: 0 };

  constructor(private readonly openPositions: OpenPositions) {}

  /** The namespace map to pass to the engine. Replaced (not mutated) on change. */
  get map(): ReadonlyMap<string, NamespaceLabels> {
    // Read while a scan records files: the change shows now and is still reported by the
    // scan's own commit, so that the epoch moves and the analyses made meanwhile are redone.
    if (this.recompute()) this.unreported = true;
    if (!this.snapshot) {
      this.snapshot = new Map(this.merged);
      this.stats.snapshots++;
    }
    return this.snapshot;
  }

  private parse(text: string, file: string): NamespaceLabels[] {
    this.stats.parses++;
    return collectNamespaces(text, file);
  }

  /** Record a file's text as read from disk. Returns whether the map changed. */
  setDisk(file: string, uri: string, text: string): boolean {
    this.recordDisk(file, uri, text);
    return this.commit();
  }

  /**
   * Record a file's text as read from disk, without recomputing the map yet
   * (a scan records every file, then calls `commit` once).
   */
  recordDisk(file: string, uri: string, text: string): void {
    const namespaces = text.includes('Namespace') ? this.parse(text, file) : [];
    const prev = this.disk.get(file);
    if (namespaces.length === 0) {
      if (prev) this.dropDisk(file, prev);
      return;
    }
    if (prev && sameNamespaces(prev.namespaces, namespaces)) {
      prev.uri = uri;
      return;
    }
    const lines = new LineIndex(text);
    const positions = new Map<number, Position>();
    for (const ns of namespaces) {
      for (const sp of Object.values(ns.spans)) {
        positions.set(sp.start, lines.position(sp.start));
        positions.set(sp.end, lines.position(sp.end));
      }
    }
    if (prev) this.dropDisk(file, prev);
    this.disk.set(file, { uri, namespaces, positions });
    this.declare(this.declaredOnDisk, file, namespaces);
  }

  /** The files on disk the index holds Namespaces from. */
  diskFiles(): string[] {
    return [...this.disk.keys()];
  }

  /** Forget a file on disk, without recomputing the map yet. */
  forgetDisk(file: string): void {
    const prev = this.disk.get(file);
    if (prev) this.dropDisk(file, prev);
  }

  deleteDisk(file: string): boolean {
    const prev = this.disk.get(file);
    if (!prev) return false;
    this.dropDisk(file, prev);
    return this.commit();
  }

  private dropDisk(file: string, prev: DiskEntry): void {
    this.disk.delete(file);
    this.undeclare(this.declaredOnDisk, file, prev.namespaces);
  }

  /** Record an open document's current text. Cheap when no chunk mentioning Namespace changed. */
  setOpen(file: string, uri: string, text: string): boolean {
    const prev = this.open.get(file);
    const mentions = text.includes('Namespace');
    if (!mentions && (!prev || prev.namespaces.length === 0)) {
      if (!prev) {
        this.open.set(file, { uri, namespaces: [], chunks: new Map() });
        // The file on disk no longer counts while the document is open.
        const d = this.disk.get(file);
        if (d) for (const ns of d.namespaces) this.dirty.add(ns.name);
        return this.commit();
      }
      return false;
    }
    const chunks = new Map<string, NamespaceLabels[]>();
    const namespaces: NamespaceLabels[] = [];
    if (mentions) {
      const starts = chunkStarts(text);
      starts.forEach((start, i) => {
        const chunk = text.slice(start, starts[i + 1] ?? text.length);
        if (!chunk.includes('Namespace')) return;
        const found = chunks.get(chunk) ?? prev?.chunks.get(chunk) ?? this.parse(chunk, file);
        chunks.set(chunk, found);
        for (const ns of found) {
          const spans: Record<string, Span> = {};
          for (const [k, sp] of Object.entries(ns.spans)) {
            spans[k] = { start: sp.start + start, end: sp.end + start };
          }
          namespaces.push({ ...ns, spans });
        }
      });
    }
    this.open.set(file, { uri, namespaces, chunks });
    if (prev) this.undeclare(this.declaredOpen, file, prev.namespaces);
    this.declare(this.declaredOpen, file, namespaces);
    if (!prev) {
      const d = this.disk.get(file);
      if (d) for (const ns of d.namespaces) this.dirty.add(ns.name);
    }
    return this.commit();
  }

  /** The document closed: the file on disk counts again. */
  closeOpen(file: string): boolean {
    const prev = this.open.get(file);
    if (!prev) return false;
    this.open.delete(file);
    this.undeclare(this.declaredOpen, file, prev.namespaces);
    const d = this.disk.get(file);
    if (d) for (const ns of d.namespaces) this.dirty.add(ns.name);
    return this.commit();
  }

  /** The Namespace `name` as declared in `file` (or wherever it is declared). */
  lookup(name: string, file: string | undefined): NamespaceLabels | undefined {
    if (file !== undefined) {
      const entry = this.open.get(file) ?? this.disk.get(file);
      const hit = entry?.namespaces.find((n) => n.name === name);
      if (hit) return hit;
    }
    this.commit();
    return this.merged.get(name);
  }

  locate(file: string, span: Span): Location | null {
    const uriOf = this.open.get(file)?.uri ?? this.disk.get(file)?.uri;
    if (this.open.has(file)) {
      const start = this.openPositions(file, span.start);
      const end = this.openPositions(file, span.end);
      if (start && end && uriOf) return { uri: uriOf, range: { start, end } };
      return null;
    }
    const d = this.disk.get(file);
    const start = d?.positions.get(span.start);
    const end = d?.positions.get(span.end);
    if (d && start && end) return { uri: d.uri, range: { start, end } };
    return null;
  }

  /** The URI of a file the index knows, or one made from its path. */
  uriOf(file: string): string {
    return this.open.get(file)?.uri ?? this.disk.get(file)?.uri ?? toUri(file);
  }

  private declare(
    by: Map<string, Set<string>>,
    file: string,
    namespaces: readonly NamespaceLabels[],
  ): void {
    for (const ns of namespaces) {
      let files = by.get(ns.name);
      if (!files) by.set(ns.name, (files = new Set()));
      files.add(file);
      this.dirty.add(ns.name);
    }
  }

  private undeclare(
    by: Map<string, Set<string>>,
    file: string,
    namespaces: readonly NamespaceLabels[],
  ): void {
    for (const ns of namespaces) {
      const files = by.get(ns.name);
      if (files?.delete(file) && files.size === 0) by.delete(ns.name);
      this.dirty.add(ns.name);
    }
  }

  /**
   * Recomputes the names changed since the last commit: the declaration in
   * the greatest path wins, an open document's over any file on disk (as
   * before: disk files in path order, then open documents, the later one
   * winning). Returns whether any name's labels or declaring file changed
   * since the last commit (also when the map was read in between).
   */
  commit(): boolean {
    const changed = this.recompute() || this.unreported;
    this.unreported = false;
    return changed;
  }

  private recompute(): boolean {
    if (this.dirty.size === 0) return false;
    let changed = false;
    let moved = false;
    for (const name of this.dirty) {
      this.stats.recomputed++;
      const next = this.winner(name);
      const prev = this.merged.get(name);
      if (next === prev) continue;
      moved = true;
      if (next) this.merged.set(name, next);
      else this.merged.delete(name);
      if (
        !prev ||
        !next ||
        prev.file !== next.file ||
        JSON.stringify(prev.labels) !== JSON.stringify(next.labels)
      ) {
        changed = true;
      }
    }
    this.dirty.clear();
    if (moved) this.snapshot = null; // same content may still have moved spans
    return changed;
  }

  private winner(name: string): NamespaceLabels | undefined {
    const open = this.declaredOpen.get(name);
    const fromOpen = open && greatest(open, () => true);
    if (fromOpen) return lastDeclared(this.open.get(fromOpen)!.namespaces, name);
    const disk = this.declaredOnDisk.get(name);
    const fromDisk = disk && greatest(disk, (f) => !this.open.has(f));
    if (fromDisk) return lastDeclared(this.disk.get(fromDisk)!.namespaces, name);
    return undefined;
  }
}

/** The greatest path in `files` that `ok` accepts. */
function greatest(files: ReadonlySet<string>, ok: (file: string) => boolean): string | undefined {
  let best: string | undefined;
  for (const f of files) if (ok(f) && (best === undefined || f > best)) best = f;
  return best;
}

/** The last declaration of `name` in one file (a later document wins). */
function lastDeclared(
  namespaces: readonly NamespaceLabels[],
  name: string,
): NamespaceLabels | undefined {
  let hit: NamespaceLabels | undefined;
  for (const ns of namespaces) if (ns.name === name) hit = ns;
  return hit;
}

export interface ScanLimits {
  maxFileSize: number;
  /** Stop after this many YAML files (a safety net for huge trees). */
  maxFiles: number;
}

/** Why a file was not read. */
export type SkipReason =
  'not a regular file' | 'outside the workspace' | 'over the size limit' | 'unreadable';

export type ReadResult = { text: string } | { skipped: SkipReason; detail?: string };

// Not on every platform (Windows has neither): then 0, which changes nothing.
const O_NONBLOCK = (constants as Record<string, number>).O_NONBLOCK ?? 0;
const O_NOFOLLOW = (constants as Record<string, number>).O_NOFOLLOW ?? 0;

/** Whether `file` is `root` or inside it (both absolute, resolved). */
function inside(root: string, file: string): boolean {
  if (file === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return file.startsWith(prefix);
}

/**
 * Reads a workspace file, or says why not. The path is resolved (links
 * followed) and must lie inside one of `roots` (already resolved); the resolved
 * path is then opened without following a link and without blocking (a FIFO
 * opens at once), and the OPEN HANDLE must be a regular file: a file swapped
 * for a FIFO, a device or a link after it was listed or stat'ed is never
 * read. At most the limit is read (three bytes per character, the most UTF-8
 * needs), so a file that grows while it is read costs no more; its text must
 * fit `maxChars` characters.
 */
export async function readWorkspaceFile(
  file: string,
  roots: readonly string[],
  maxChars: number,
): Promise<ReadResult> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    return { skipped: 'unreadable', detail: errorCode(e) };
  }
  if (!roots.some((r) => inside(r, real))) return { skipped: 'outside the workspace' };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (e) {
    return {
      skipped: errorCode(e) === 'ELOOP' ? 'outside the workspace' : 'unreadable',
      detail: errorCode(e),
    };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { skipped: 'not a regular file' };
    const maxBytes = maxChars * 3;
    if (st.size > maxBytes) return { skipped: 'over the size limit' };
    // Read what fstat promised plus one byte, to see a file that grew past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    let want = Math.min(maxBytes + 1, st.size + 1);
    for (;;) {
      // The file grew since fstat: keep reading, still bounded by the limit.
      if (total >= want) want = maxBytes + 1;
      const buf = Buffer.allocUnsafe(Math.min(want - total, 1 << 20));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) return { skipped: 'over the size limit' };
    }
    const text = Buffer.concat(chunks, total).toString('utf8');
    if (text.length > maxChars) return { skipped: 'over the size limit' };
    return { text };
  } catch (e) {
    return { skipped: 'unreadable', detail: errorCode(e) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A folder with its links resolved (itself if it cannot be resolved). */
export function resolvedRoot(root: string): Promise<string> {
  return fs.realpath(root).catch(() => root);
}

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : String(e);
}

/** What a scan left out (counted by reason). */
export type ScanSkips = Map<SkipReason, number>;

/**
 * Every YAML file under `root`, skipping VCS and node_modules directories;
 * linked directories are not entered, linked files are read only when they
 * resolve inside `root`; FIFOs, sockets and devices are never opened for
 * reading; files over maxFileSize are left out. Each file left out is counted
 * in `skips` by reason. Reads only, executes nothing.
 */
export async function* yamlFiles(
  root: string,
  limits: ScanLimits,
  cancelled: () => boolean,
  skips: ScanSkips = new Map(),
): AsyncGenerator<{ file: string; text: string }> {
  const stack = [root];
  const realRoot = await resolvedRoot(root);
  let count = 0;
  const skip = (why: SkipReason) => skips.set(why, (skips.get(why) ?? 0) + 1);
  while (stack.length > 0 && !cancelled()) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files: string[] = [];
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(full);
        continue;
      }
      if (!YAML_FILE.test(e.name)) continue;
      if (!e.isFile() && !e.isSymbolicLink()) {
        skip('not a regular file');
        continue;
      }
      files.push(full);
    }
    // A few reads at a time (file system latency, not CPU, is what a scan waits for), in order.
    for (let i = 0; i < files.length; i += READ_BATCH) {
      if (cancelled()) return;
      const batch = files.slice(i, i + READ_BATCH);
      if (count + batch.length > limits.maxFiles)
        batch.length = Math.max(0, limits.maxFiles - count);
      count += batch.length;
      const results = await Promise.all(
        batch.map((f) => readWorkspaceFile(f, [realRoot], limits.maxFileSize)),
      );
      for (const [j, r] of results.entries()) {
        if ('text' in r) yield { file: batch[j]!, text: r.text };
        else skip(r.skipped);
      }
      if (count >= limits.maxFiles) return;
    }
  }
}

/** Files read at once by a scan. */
const READ_BATCH = 8;
