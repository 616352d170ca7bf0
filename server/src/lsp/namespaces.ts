/**
 * The workspace's Namespaces: name → labels, from every YAML file on disk
 * (scanned once, then kept up to date from file-watcher events) and from the
 * open documents' current text, which wins over the same file on disk.
 */
import { promises as fs } from 'node:fs';
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

export class NamespaceIndex {
  private readonly disk = new Map<string, DiskEntry>();
  private readonly open = new Map<string, OpenEntry>();
  private merged = new Map<string, NamespaceLabels>();
  private mergedKey = '';

  constructor(private readonly openPositions: OpenPositions) {}

  /** The namespace map to pass to the engine. Replaced (not mutated) on change. */
  get map(): ReadonlyMap<string, NamespaceLabels> {
    return this.merged;
  }

  /** Record a file's text as read from disk. Returns whether the map changed. */
  setDisk(file: string, uri: string, text: string): boolean {
    const namespaces = text.includes('Namespace') ? collectNamespaces(text, file) : [];
    const prev = this.disk.get(file);
    if (namespaces.length === 0) {
      if (!prev) return false;
      this.disk.delete(file);
      return this.rebuild();
    }
    if (prev && sameNamespaces(prev.namespaces, namespaces)) return false;
    const lines = new LineIndex(text);
    const positions = new Map<number, Position>();
    for (const ns of namespaces) {
      for (const s of Object.values(ns.spans)) {
        positions.set(s.start, lines.position(s.start));
        positions.set(s.end, lines.position(s.end));
      }
    }
    this.disk.set(file, { uri, namespaces, positions });
    return this.rebuild();
  }

  deleteDisk(file: string): boolean {
    if (!this.disk.delete(file)) return false;
    return this.rebuild();
  }

  /** Record an open document's current text. Cheap when no chunk mentioning Namespace changed. */
  setOpen(file: string, uri: string, text: string): boolean {
    const prev = this.open.get(file);
    const mentions = text.includes('Namespace');
    if (!mentions && (!prev || prev.namespaces.length === 0)) {
      if (!prev) this.open.set(file, { uri, namespaces: [], chunks: new Map() });
      return false;
    }
    const chunks = new Map<string, NamespaceLabels[]>();
    const namespaces: NamespaceLabels[] = [];
    if (mentions) {
      const starts = chunkStarts(text);
      starts.forEach((start, i) => {
        const chunk = text.slice(start, starts[i + 1] ?? text.length);
        if (!chunk.includes('Namespace')) return;
        const found =
          chunks.get(chunk) ?? prev?.chunks.get(chunk) ?? collectNamespaces(chunk, file);
        chunks.set(chunk, found);
        for (const ns of found) {
          const spans: Record<string, Span> = {};
          for (const [k, s] of Object.entries(ns.spans)) {
            spans[k] = { start: s.start + start, end: s.end + start };
          }
          namespaces.push({ ...ns, spans });
        }
      });
    }
    this.open.set(file, { uri, namespaces, chunks });
    if (prev && sameNamespaces(prev.namespaces, namespaces)) return false;
    return this.rebuild();
  }

  /** The document closed: the file on disk counts again. */
  closeOpen(file: string): boolean {
    const prev = this.open.get(file);
    if (!prev) return false;
    this.open.delete(file);
    return prev.namespaces.length > 0 || this.disk.has(file) ? this.rebuild() : false;
  }

  /** The Namespace `name` as declared in `file` (or wherever it is declared). */
  lookup(name: string, file: string | undefined): NamespaceLabels | undefined {
    if (file !== undefined) {
      const entry = this.open.get(file) ?? this.disk.get(file);
      const hit = entry?.namespaces.find((n) => n.name === name);
      if (hit) return hit;
    }
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

  private rebuild(): boolean {
    const next = new Map<string, NamespaceLabels>();
    // Disk files in path order, then open documents: the later declaration wins.
    for (const file of [...this.disk.keys()].sort()) {
      if (this.open.has(file)) continue;
      for (const ns of this.disk.get(file)!.namespaces) next.set(ns.name, ns);
    }
    for (const file of [...this.open.keys()].sort()) {
      for (const ns of this.open.get(file)!.namespaces) next.set(ns.name, ns);
    }
    const key = JSON.stringify([...next.values()].map((n) => [n.name, n.file, n.labels]));
    if (key === this.mergedKey) {
      this.merged = next; // same content; spans may have moved
      return false;
    }
    this.merged = next;
    this.mergedKey = key;
    return true;
  }
}

export interface ScanLimits {
  maxFileSize: number;
  /** Stop after this many YAML files (a safety net for huge trees). */
  maxFiles: number;
}

/**
 * Every YAML file under `root`, skipping VCS and node_modules directories and
 * symbolic links; files over maxFileSize are left out. Reads only, executes nothing.
 */
export async function* yamlFiles(
  root: string,
  limits: ScanLimits,
  cancelled: () => boolean,
): AsyncGenerator<{ file: string; text: string }> {
  const stack = [root];
  let count = 0;
  while (stack.length > 0 && !cancelled()) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(full);
      } else if (e.isFile() && YAML_FILE.test(e.name)) {
        if (++count > limits.maxFiles) return;
        try {
          const st = await fs.stat(full);
          if (st.size > limits.maxFileSize) continue;
          yield { file: full, text: await fs.readFile(full, 'utf8') };
        } catch {
          // unreadable or vanished: skip
        }
      }
    }
  }
}
