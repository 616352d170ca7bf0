/**
 * The workspace's Namespaces: name → labels, from every YAML file on disk
 * (scanned once, then kept up to date from file-watcher events) and from the
 * open documents' current text, which wins over the same file on disk.
 *
 * Linear in files and Namespaces: the index keeps, per Namespace name, the
 * files that declare it, so a change recomputes only the names that file
 * declares (or declared), and only when the map is next read (a scan of
 * 20,000 files recomputes each name once). The files come from the scan
 * (`scan.ts`); the index reads nothing itself.
 */
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
