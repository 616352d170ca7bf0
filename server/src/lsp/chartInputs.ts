/**
 * What a chart's render read: every file (its text or bytes), every folder
 * listing, through each reader the render used (the chart's own files, value
 * sets' values files, `.podsec.yaml`), each kept as a digest of its content.
 * The render is keyed on the digest of all of them, so a change that leaves
 * every input as it was (one file reported by two watchers, a save of the
 * same text) renders nothing again; and the paths are what the editor must
 * watch.
 */
import { createHash } from 'node:crypto';
import type { DirEntry, SourceFs } from '../engine/sources/sourceFs';
import { normalizePath } from '../engine/sources/sourceFs';

type Kind = 'text' | 'bytes' | 'list';

/** The readers a render uses, by name, so that each input is read again the same way. */
export type Readers<K extends string = string> = Record<K, SourceFs>;

function digest(v: string | Uint8Array | DirEntry[] | null): string {
  if (v === null) return '-';
  const h = createHash('sha1');
  if (Array.isArray(v))
    h.update(
      v
        .map((e) => `${e.name}${e.dir ? '/' : ''}`)
        .sort()
        .join('\n'),
    );
  else h.update(v);
  return h.digest('base64');
}

function read(fs: SourceFs, kind: Kind, path: string): string | Uint8Array | DirEntry[] | null {
  if (kind === 'text') return fs.readText(path);
  if (kind === 'bytes') return fs.readBytes(path);
  return fs.list(path);
}

/** One reader that notes what it reads. */
class RecordingFs implements SourceFs {
  constructor(
    private readonly name: string,
    private readonly base: SourceFs,
    private readonly into: Map<string, string>,
    private readonly changed: () => void,
  ) {}
  private note<T extends string | Uint8Array | DirEntry[] | null>(
    kind: Kind,
    path: string,
    v: T,
  ): T {
    this.into.set(`${this.name}\u0000${kind}\u0000${normalizePath(path)}`, digest(v));
    this.changed();
    return v;
  }
  readText(path: string): string | null {
    return this.note('text', path, this.base.readText(path));
  }
  readBytes(path: string): Uint8Array | null {
    return this.note('bytes', path, this.base.readBytes(path));
  }
  list(path: string): DirEntry[] | null {
    return this.note('list', path, this.base.list(path));
  }
  realPath(path: string): string | null {
    return this.base.realPath ? this.base.realPath(path) : normalizePath(path);
  }
}

export class ChartInputs {
  /** `reader \0 kind \0 path` → digest of what was read. */
  private readonly reads = new Map<string, string>();

  /** `searchOnly`: readers whose folder listings are a search (not watched, see `paths`). */
  constructor(private readonly searchOnly: ReadonlySet<string> = new Set()) {}

  /** Readers that note every read, one per given reader. */
  recording<K extends string>(readers: Readers<K>): Readers<K> {
    const out: Partial<Readers<K>> = {};
    for (const name of Object.keys(readers) as K[])
      out[name] = new RecordingFs(name, readers[name], this.reads, () => (this.sets = null));
    return out as Readers<K>;
  }

  /** The digest of every input as read. */
  digest(): string {
    return digest(
      [...this.reads]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([k, d]) => `${k}\u0000${d}`)
        .join('\n'),
    );
  }

  /** The digest of the same inputs read again now, through `readers` (named as when recorded). */
  digestNow(readers: Readers): string {
    const again = new ChartInputs();
    const rec: Partial<Readers> = again.recording(readers);
    for (const k of this.reads.keys()) {
      const [name, kind, path] = k.split('\u0000') as [string, Kind, string];
      const fs = rec[name];
      if (fs) read(fs, kind, path);
    }
    return again.digest();
  }

  /** Whether the render read `path`, or listed the folder it is in (a file created there counts). */
  has(path: string): boolean {
    const p = normalizePath(path);
    const { dirs, files } = this.pathSets();
    return files.has(p) || dirs.has(p) || dirs.has(p.slice(0, p.lastIndexOf('/')) || '/');
  }

  private sets: { dirs: Set<string>; files: Set<string> } | null = null;
  private pathSets(): { dirs: Set<string>; files: Set<string> } {
    if (this.sets) return this.sets;
    const dirs = new Set<string>();
    const files = new Set<string>();
    for (const k of this.reads.keys()) {
      const [name, kind, path] = k.split('\u0000') as [string, Kind, string];
      // The configuration's search up the tree lists folders far outside the chart: its files count.
      if (kind !== 'list') files.add(path);
      else if (!this.searchOnly.has(name)) dirs.add(path);
    }
    this.sets = { dirs, files };
    return this.sets;
  }

  /** The folders listed and the files read outside them: what to watch. */
  paths(): { dirs: string[]; files: string[] } {
    const { dirs, files } = this.pathSets();
    const parent = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
    return {
      dirs: [...dirs].sort(),
      files: [...files].filter((f) => !dirs.has(parent(f))).sort(),
    };
  }
}
