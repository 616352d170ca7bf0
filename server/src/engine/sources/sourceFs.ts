/**
 * The files a chart or an overlay is read from. The engine never touches the
 * disk: the command line gives it a reader over the files it was pointed at
 * (bounded, regular files only), the language server one that prefers the
 * open editors' unsaved text, and tests an in-memory tree.
 *
 * Paths are absolute and use `/`. A reader answers only inside its root:
 * anything outside it (`../../etc/passwd`, a link out of the tree) is absent.
 */
export interface DirEntry {
  name: string;
  dir: boolean;
}

export interface SourceFs {
  /** The file's text (UTF-8, BOM removed), or null when absent, not a regular file, over a limit or not UTF-8. */
  readText(path: string): string | null;
  /** The file's bytes (for archives such as a chart dependency's `.tgz`), or null as for `readText`. */
  readBytes(path: string): Uint8Array | null;
  /** The entries of a directory, sorted by name, or null when it is not one. */
  list(path: string): DirEntry[] | null;
  /** Why a path that exists is not read (a link out of the tree), or null: for the message. */
  refusal?(path: string): string | null;
  /**
   * The path with links resolved, or null when it cannot be resolved: a walk
   * visits each real folder once, so links to `.` or to each other end.
   * Absent for readers without links (every path is its own).
   */
  realPath?(path: string): string | null;
}

/**
 * Whether a walk has not been in `dir`'s real folder yet; notes it. Two links
 * to `.` would otherwise make a walk of n levels visit 2^n folders.
 */
export function firstVisit(fs: SourceFs, dir: string, seen: Set<string>): boolean {
  const real = fs.realPath?.(dir) ?? normalizePath(dir);
  if (seen.has(real)) return false;
  seen.add(real);
  return true;
}

/** Normalise a `/` path: collapse `.`, `..` and repeated slashes (never above `/`). */
export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * The files of `base`, with some texts in place of theirs (open documents, or
 * fixes not written yet), keyed by normalised path.
 */
export class TextsOverFs implements SourceFs {
  constructor(
    private readonly base: SourceFs,
    private readonly texts: ReadonlyMap<string, string>,
  ) {}
  readText(path: string): string | null {
    return this.texts.get(normalizePath(path)) ?? this.base.readText(path);
  }
  readBytes(path: string): Uint8Array | null {
    const t = this.texts.get(normalizePath(path));
    return t !== undefined ? new TextEncoder().encode(t) : this.base.readBytes(path);
  }
  list(path: string): DirEntry[] | null {
    return this.base.list(path);
  }
  refusal(path: string): string | null {
    return this.base.refusal?.(path) ?? null;
  }
  realPath(path: string): string | null {
    return this.base.realPath ? this.base.realPath(path) : normalizePath(path);
  }
}

export function joinPath(dir: string, rel: string): string {
  return normalizePath(rel.startsWith('/') ? rel : `${dir}/${rel}`);
}

export function dirName(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  return i <= 0 ? '/' : n.slice(0, i);
}

export function baseName(p: string): string {
  const n = normalizePath(p);
  return n.slice(n.lastIndexOf('/') + 1);
}

/** Whether `p` is `root` or inside it. */
export function isInside(root: string, p: string): boolean {
  const r = normalizePath(root);
  const n = normalizePath(p);
  return r === '/' || n === r || n.startsWith(`${r}/`);
}

/** An in-memory tree: `{ '/chart/Chart.yaml': '...', '/chart/charts/dep.tgz': bytes }`. */
export class MemoryFs implements SourceFs {
  private readonly files = new Map<string, string | Uint8Array>();

  constructor(files: Readonly<Record<string, string | Uint8Array>> = {}) {
    for (const [p, content] of Object.entries(files)) this.files.set(normalizePath(p), content);
  }

  set(path: string, content: string | Uint8Array): void {
    this.files.set(normalizePath(path), content);
  }

  delete(path: string): void {
    this.files.delete(normalizePath(path));
  }

  readText(path: string): string | null {
    const c = this.files.get(normalizePath(path));
    if (c === undefined) return null;
    const text = typeof c === 'string' ? c : new TextDecoder().decode(c);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  readBytes(path: string): Uint8Array | null {
    const c = this.files.get(normalizePath(path));
    if (c === undefined) return null;
    return typeof c === 'string' ? new TextEncoder().encode(c) : c;
  }

  list(path: string): DirEntry[] | null {
    const dir = normalizePath(path);
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const names = new Map<string, boolean>();
    for (const p of this.files.keys()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) names.set(rest, names.get(rest) ?? false);
      else names.set(rest.slice(0, slash), true);
    }
    if (names.size === 0) return null;
    return [...names.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, d]) => ({ name, dir: d }));
  }
}
