/**
 * The kustomizations of a tree and how they include each other: which are
 * roots (built and evaluated: those no other kustomization includes), and,
 * for any file, which kustomizations read it and as what (a resource, a
 * patch, a generator's input), so that a base file opened in an editor can
 * show the findings of every overlay that includes it, and a file that is
 * only a patch is never evaluated as a whole object.
 *
 * Read from the kustomization files alone (nothing is built); a build's own
 * `files` list is the exact set of files it read.
 */
import type { SourceFs } from '../sources/sourceFs';
import { firstVisit, joinPath, normalizePath } from '../sources/sourceFs';
import { DEFAULT_LIMITS } from '../limits';
import { isRemoteResource } from './build';
import type { KustomizeError } from './errors';
import { KustomizeFailure } from './errors';
import { KUSTOMIZATION_FILE_NAMES, readKustomization } from './kustomization';
import type { Kustomization } from './kustomization';

export type FileRole = 'resource' | 'patch' | 'generator' | 'kustomization';

export interface KustomizationInfo {
  /** The kustomization's directory (absolute). */
  dir: string;
  /** Its kustomization file; null when the directory has none readable. */
  file: string | null;
  kind: 'Kustomization' | 'Component';
  /** Directories of the kustomizations it includes (resources that are folders, components), in order. */
  includes: string[];
  /** The files it reads itself, each with its role. */
  files: Array<{ path: string; role: FileRole }>;
  /** Resources it names that are remote (never fetched). */
  remote: string[];
  /** Why it could not be read, when it could not. */
  error: KustomizeError | null;
}

export interface KustomizationGraph {
  kustomizations: ReadonlyMap<string, KustomizationInfo>;
  /** Kustomizations (not components) that no other kustomization includes, sorted. */
  roots: string[];
  /** Kustomizations that include `dir` directly. */
  includedBy(dir: string): string[];
  /**
   * Every kustomization whose build reads `file` (directly, or through the
   * kustomizations it includes), with the role the file has there; roots
   * first, then by directory.
   */
  readersOf(file: string): Array<{ dir: string; role: FileRole; root: boolean }>;
}

const SKIP = new Set(['node_modules', '.git']);

export interface FindOptions {
  /** Most directories walked. */
  maxDirs?: number;
}

/** The directories under `root` that hold a kustomization file, sorted. */
export function findKustomizations(fs: SourceFs, root: string, o: FindOptions = {}): string[] {
  const max = o.maxDirs ?? 100_000;
  const out: string[] = [];
  const stack = [normalizePath(root)];
  const visited = new Set<string>();
  let seen = 0;
  while (stack.length > 0 && seen < max) {
    const dir = stack.pop() as string;
    if (!firstVisit(fs, dir, visited)) continue;
    seen++;
    const entries = fs.list(dir);
    if (!entries) continue;
    if (
      entries.some(
        (e) => !e.dir && (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(e.name),
      )
    )
      out.push(dir);
    for (const e of [...entries].reverse())
      if (e.dir && !SKIP.has(e.name)) stack.push(joinPath(dir, e.name));
  }
  return out.sort();
}

function isFile(fs: SourceFs, p: string): boolean {
  return fs.readText(p) !== null || fs.readBytes(p) !== null;
}

function infoOf(fs: SourceFs, dir: string): KustomizationInfo {
  const info: KustomizationInfo = {
    dir,
    file: null,
    kind: 'Kustomization',
    includes: [],
    files: [],
    remote: [],
    error: null,
  };
  let k: Kustomization;
  try {
    k = readKustomization(fs, dir, { maxNodes: 1_000_000, maxDepth: DEFAULT_LIMITS.maxDepth });
  } catch (e) {
    if (e instanceof KustomizeFailure) {
      info.error = e.toError();
      return info;
    }
    throw e;
  }
  info.file = k.file;
  info.kind = k.kind;
  info.files.push({ path: k.file, role: 'kustomization' });
  const add = (rel: string, role: FileRole): void => {
    const p = joinPath(dir, rel);
    if (isFile(fs, p) && !info.files.some((f) => f.path === p && f.role === role))
      info.files.push({ path: p, role });
  };
  for (const r of k.resources) {
    if (isRemoteResource(r.value) && !isFile(fs, joinPath(dir, r.value))) {
      info.remote.push(r.value);
      continue;
    }
    const p = joinPath(dir, r.value);
    if (isFile(fs, p)) add(r.value, 'resource');
    else if (fs.list(p) !== null) info.includes.push(p);
  }
  for (const c of k.components) {
    const p = joinPath(dir, c.value);
    if (fs.list(p) !== null) info.includes.push(p);
  }
  for (const p of [...k.patches, ...k.patchesJson6902]) if (p.path) add(p.path.value, 'patch');
  for (const s of k.patchesStrategicMerge) if (!s.value.includes('\n')) add(s.value, 'patch');
  for (const g of [...k.configMapGenerator, ...k.secretGenerator]) {
    for (const f of [...g.files, ...g.envs]) {
      const v = f.value;
      const eq = v.indexOf('=');
      add(eq > 0 && g.files.includes(f) ? v.slice(eq + 1) : v, 'generator');
    }
  }
  return info;
}

/**
 * The kustomizations under `root` (and the ones outside it that they include,
 * when `fs` can read them), how they include each other, and the roots.
 */
export function kustomizationGraph(
  fs: SourceFs,
  root: string,
  o: FindOptions = {},
): KustomizationGraph {
  const infos = new Map<string, KustomizationInfo>();
  const pending = findKustomizations(fs, root, o);
  while (pending.length > 0) {
    const dir = pending.shift() as string;
    if (infos.has(dir)) continue;
    const info = infoOf(fs, dir);
    infos.set(dir, info);
    for (const inc of info.includes) if (!infos.has(inc)) pending.push(inc);
  }
  const parents = new Map<string, string[]>();
  for (const info of infos.values()) {
    for (const inc of info.includes) {
      const l = parents.get(inc) ?? [];
      if (!l.includes(info.dir)) l.push(info.dir);
      parents.set(inc, l);
    }
  }
  const roots = [...infos.values()]
    .filter(
      (i) =>
        i.kind === 'Kustomization' && i.file !== null && (parents.get(i.dir) ?? []).length === 0,
    )
    .map((i) => i.dir)
    .sort();
  const rootSet = new Set(roots);
  return {
    kustomizations: infos,
    roots,
    includedBy: (dir) => [...(parents.get(normalizePath(dir)) ?? [])].sort(),
    readersOf: (fileIn) => {
      const file = normalizePath(fileIn);
      const out = new Map<string, { dir: string; role: FileRole; root: boolean }>();
      // Direct readers, then everything that includes them (a base's file is read by its overlays).
      const queue: Array<{ dir: string; role: FileRole }> = [];
      for (const info of infos.values())
        for (const f of info.files)
          if (f.path === file) queue.push({ dir: info.dir, role: f.role });
      while (queue.length > 0) {
        const { dir, role } = queue.shift() as { dir: string; role: FileRole };
        const key = `${dir}\u0000${role}`;
        if (out.has(key)) continue;
        out.set(key, { dir, role, root: rootSet.has(dir) });
        for (const p of parents.get(dir) ?? []) queue.push({ dir: p, role });
      }
      return [...out.values()].sort((a, b) =>
        a.root !== b.root ? (a.root ? -1 : 1) : a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0,
      );
    },
  };
}
