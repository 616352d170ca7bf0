/**
 * `podsec render <kustomization dir>`: the engine's build of a
 * kustomization, printed as `kubectl kustomize <dir>` prints it; on an error,
 * kustomize's message and exit status 1. Nothing is fetched: remote
 * resources are left out with a note on standard error.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readRegular } from '../io/index';
import { visibleLines } from '../engine/text';
import { buildKustomization, KUSTOMIZATION_FILE_NAMES } from '../engine/kustomize/index';
import type { DirEntry, SourceFs } from '../engine/sources/sourceFs';
import { isInside, normalizePath } from '../engine/sources/sourceFs';

/** Largest file the reader hands the engine, in bytes. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The tree a kustomization given on the command line may read from: the
 * repository it lies in (the nearest folder upward holding `.git`), else the
 * directory itself.
 */
export function treeOf(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(`${d}/.git`)) return d;
    if (dirname(d) === d) return resolve(dir);
  }
}

function realOrNull(p: string): string | null {
  try {
    return normalizePath(realpathSync.native(p).replace(/\\/g, '/'));
  } catch {
    return null;
  }
}

/**
 * Files on disk under `root` (absolute, `/`-separated): regular files only,
 * bounded, nothing outside `root`. With `trees`, a file or folder is read only
 * when its real path (links resolved) lies inside one of them: a link out of
 * the tree is not followed, and `refusal` says why.
 */
export class DiskSourceFs implements SourceFs {
  private readonly root: string;
  private readonly trees: string[] | null;

  constructor(root = '/', trees?: readonly string[]) {
    this.root = normalizePath(root);
    this.trees = trees ? trees.map((t) => realOrNull(t) ?? normalizePath(t)) : null;
  }

  /** The real path of `p` when it may be read, else null. */
  private allowed(p: string): string | null {
    if (!isInside(this.root, p)) return null;
    if (this.trees === null) return p;
    const real = realOrNull(p);
    if (real === null) return p; // absent: reading it fails as any missing file does
    return this.trees.some((t) => isInside(t, real)) ? real : null;
  }

  realPath(path: string): string | null {
    return realOrNull(normalizePath(path));
  }

  /** Why `path` is not read though it exists (a link out of the tree), or null. */
  refusal(path: string): string | null {
    const p = normalizePath(path);
    if (this.trees === null || !isInside(this.root, p)) return null;
    const real = realOrNull(p);
    if (real === null || this.trees.some((t) => isInside(t, real))) return null;
    return `'${p}' is a link to '${real}', outside ${this.trees.map((t) => `'${t}'`).join(', ')}: not read`;
  }

  private bytes(path: string): Buffer | null {
    const p = this.allowed(normalizePath(path));
    if (p === null) return null;
    // Regular files only, checked on the open handle, never read past the limit.
    const r = readRegular(p, MAX_FILE_BYTES);
    return r.kind === 'ok' ? r.bytes : null;
  }

  readText(path: string): string | null {
    const b = this.bytes(path);
    if (!b) return null;
    try {
      const t = utf8.decode(b);
      return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
    } catch {
      return null;
    }
  }

  readBytes(path: string): Uint8Array | null {
    const b = this.bytes(path);
    return b ? new Uint8Array(b) : null;
  }

  list(path: string): DirEntry[] | null {
    const p = normalizePath(path);
    if (this.allowed(p) === null) return null;
    try {
      return readdirSync(p, { withFileTypes: true })
        .map((d) => {
          let dir = d.isDirectory();
          if (d.isSymbolicLink()) {
            try {
              dir = statSync(`${p}/${d.name}`).isDirectory();
            } catch {
              dir = false;
            }
          }
          return { name: d.name, dir };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return null;
    }
  }
}

export const RENDER_KUSTOMIZE_HELP = `Usage: podsec render <kustomization dir>

Builds the kustomization in the directory (kustomization.yaml,
kustomization.yml or Kustomization) and prints the result as
"kubectl kustomize <dir>" does: the same objects, fields and order. Nothing
is fetched from the network: remote resources are left out, with a note on
standard error. helmCharts entries are not rendered yet.

Exit status: 0 when built, 1 when kustomize would fail (its message on
standard error), 2 on a usage error.
`;

export interface RenderIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd?: string;
}

/** A path as the engine takes it: absolute, `/`-separated. */
export function toEnginePath(p: string, cwd = process.cwd()): string {
  return normalizePath(resolve(cwd, p).replace(/\\/g, '/'));
}

/** Whether `podsec render` was given kustomization directories (rather than a chart). */
export function isKustomizationTarget(argv: readonly string[], cwd = process.cwd()): boolean {
  const paths = argv.filter((a) => !a.startsWith('-'));
  if (paths.length === 0) return false;
  const fs = new DiskSourceFs('/');
  return paths.every((p) => {
    const dir = toEnginePath(p, cwd);
    return KUSTOMIZATION_FILE_NAMES.some((n) => fs.readText(`${dir}/${n}`) !== null);
  });
}

export function runRenderKustomize(argv: string[], io: RenderIo): number {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(RENDER_KUSTOMIZE_HELP);
    return 0;
  }
  const paths = argv.filter((a) => a !== '--');
  if (paths.length !== 1 || (paths[0] as string).startsWith('-')) {
    io.stderr(
      `podsec render: give one kustomization directory\nRun "podsec render --help" for usage.\n`,
    );
    return 2;
  }
  const dir = toEnginePath(paths[0] as string, io.cwd);
  const build = buildKustomization(new DiskSourceFs('/', [treeOf(dir)]), dir, {
    label: `kustomization ${paths[0] as string}`,
  });
  for (const n of build.notes) {
    // Kustomize's messages quote the kustomization: shown, never sent raw to the terminal.
    if (n.kind === 'deprecated') io.stderr(`${visibleLines(n.message)}\n`);
    else io.stderr(`podsec render: note: ${visibleLines(`${n.message} (${n.file})`)}\n`);
  }
  if (build.error) {
    const message = visibleLines(build.error.message);
    io.stderr(`Error: ${message}${message.endsWith('\n') ? '' : '\n'}`);
    return 1;
  }
  io.stdout(build.source.text);
  return 0;
}
