/**
 * `podsec init [dir]`: writes a commented starter `.podsec.yaml` (the level
 * and version chosen, one commented example of every other key). Refuses to
 * replace an existing `.podsec.yaml` or `.podsec.yml` unless `--force`; the
 * file is written to a temporary file beside it and renamed into place, so
 * a reader never sees half a file.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { targetState, writeProblem, writeWhole } from '../io/index';
import type { FsSeam } from '../io/index';
import { isLevel, versionError } from '../engine/index';
import type { Level } from '../engine/index';
import { CONFIG_FILE_NAMES, starterConfig } from '../engine/config/index';

export const INIT_HELP = `Usage: podsec init [options] [dir]

Writes a commented starter .podsec.yaml into dir (default: the current
directory): the level and version below, and a commented example of every
other setting. It applies to the YAML files in dir and the folders below it.

Options:
  --level <level>          privileged | baseline | restricted (default: restricted)
  --policy-version <v>     latest | v1.N (default: latest)
  --force                  replace an existing .podsec.yaml (or .podsec.yml)
  -h, --help               print this help

Exit status: 0 when written, 2 on a usage error, when the file exists (without
--force) or when it cannot be written.
`;

export interface InitIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** The directory a relative dir is resolved against (default: the process's). */
  cwd?: string;
  /** The file system the file is written through (tests inject failures); the real one by default. */
  fs?: FsSeam;
}

interface InitOptions {
  dir: string | null;
  level: Level;
  version: string;
  force: boolean;
  help: boolean;
}

class InitUsageError extends Error {}

function parseInitArgs(argv: readonly string[]): InitOptions {
  const o: InitOptions = {
    dir: null,
    level: 'restricted',
    version: 'latest',
    force: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const take = (): string => {
      if (eq > 0) return raw.slice(eq + 1);
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('-')) throw new InitUsageError(`${flag} needs a value`);
      i++;
      return v;
    };
    switch (flag) {
      case '--level': {
        const v = take();
        if (!isLevel(v))
          throw new InitUsageError(
            `invalid --level "${v}": expected privileged, baseline or restricted`,
          );
        o.level = v;
        break;
      }
      case '--policy-version':
      case '--version-policy': {
        const v = take();
        const err = versionError(v);
        if (err) throw new InitUsageError(err);
        o.version = v;
        break;
      }
      case '--force':
        o.force = true;
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        if (raw.startsWith('-')) throw new InitUsageError(`unknown option ${raw}`);
        if (o.dir !== null)
          throw new InitUsageError(`one directory only (got "${o.dir}" and "${raw}")`);
        o.dir = raw;
    }
  }
  return o;
}

/**
 * Write `text` to `file` atomically (a temporary file in the same folder, synced, then renamed
 * over it); throws an error with the failing call's code when it cannot.
 */
export function writeFileAtomic(file: string, text: string): void {
  const w = writeWhole(file, Buffer.from(text, 'utf8'), { mode: 0o644 });
  if (w.kind === 'failed') throw Object.assign(new Error(w.reason), { code: w.code });
  if (w.kind !== 'written') throw Object.assign(new Error(w.reason), { code: 'ECHANGED' });
}

export function runInit(argv: readonly string[], io: InitIo): number {
  let o: InitOptions;
  try {
    o = parseInitArgs(argv);
  } catch (e) {
    if (e instanceof InitUsageError) {
      io.stderr(`podsec init: ${e.message}\nRun "podsec init --help" for usage.\n`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    io.stdout(INIT_HELP);
    return 0;
  }
  const dir = resolve(io.cwd ?? process.cwd(), o.dir ?? '.');
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    io.stderr(`podsec init: ${dir} is not a directory\n`);
    return 2;
  }
  const existing = CONFIG_FILE_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
  if (existing.length > 0 && !o.force) {
    io.stderr(
      `podsec init: ${existing.join(' and ')} already exists; not replaced (use --force to replace it)\n`,
    );
    return 2;
  }
  // With --force, replace the file under the name it has (writing .podsec.yaml beside a
  // .podsec.yml would leave two configurations in one folder).
  const target = existing[0] ?? join(dir, CONFIG_FILE_NAMES[0]);
  // Written atomically (a reader never sees half a file), and not over a file that appeared
  // or changed since it was looked for.
  const expected = targetState(target, io.fs);
  const text = starterConfig({ level: o.level, version: o.version });
  const w = writeWhole(target, Buffer.from(text, 'utf8'), {
    expected,
    mode: 0o644,
    ...(io.fs ? { fs: io.fs } : {}),
  });
  if (w.kind !== 'written') {
    io.stderr(`podsec init: ${writeProblem(target, w)}\n`);
    return 2;
  }
  io.stdout(`Wrote ${target} (level ${o.level}, version ${o.version})\n`);
  return 0;
}
