/**
 * Running the `podsec` command line from tests: in-process through the same
 * `run` entry point the bin script calls (output captured, standard input
 * given, the file system seam injectable), or as a real process through the
 * bin script. Also a throwaway folder of files to run it on.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '@podsec/server/out/cli/main';
import type { FsSeam } from '@podsec/server/out/io/index';
import { repoRoot } from './paths';

/** The bin script a user runs. */
export const PODSEC_BIN = join(repoRoot(), 'server', 'bin', 'podsec.js');

/** What an in-process run gave: its exit status and everything it wrote. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

export interface CliOptions {
  /** Standard input; null stands for more bytes than the limit allows. Empty by default. */
  stdin?: string | Buffer | null;
  /** The environment the run sees; empty by default (no NO_COLOR, no CI variables). */
  env?: NodeJS.ProcessEnv;
  /** Whether standard output is a terminal; false by default. */
  isTTY?: boolean;
  /** The file system --fix writes through; the real one by default. */
  fs?: FsSeam;
  /** The working folder; the process's own by default. */
  cwd?: string;
}

/** Runs `podsec <args>` in this process and captures its output. */
export function cli(args: string[], options: CliOptions = {}): Ran {
  const { stdin = '', env = {}, isTTY = false, fs, cwd } = options;
  let out = '';
  let err = '';
  const code = run(args, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: () => (stdin === null ? null : Buffer.from(stdin)),
    isTTY,
    env,
    ...(fs ? { fs } : {}),
    ...(cwd !== undefined ? { cwd } : {}),
  });
  return { code, out, err };
}

/** What a real process gave: its exit status (null when a signal ended it) and its output. */
export interface ProcessRan {
  code: number | null;
  out: string;
  err: string;
}

export interface ProcessOptions {
  cwd?: string;
  /** Text written to standard input. */
  input?: string;
  /** A file descriptor to use as standard input instead (a FIFO, /dev/zero, a folder). */
  stdinFd?: number;
  /** The environment; this process's own by default. */
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the script (`--max-old-space-size=256`). */
  nodeArgs?: string[];
  /** The most output kept, in bytes; Node's default (1 MiB) when absent. */
  maxBuffer?: number;
}

/** Runs `node <bin> <args>` as a real process and waits for it. */
export function podsecProcess(args: string[], options: ProcessOptions = {}): ProcessRan {
  const { cwd, input, stdinFd, env, nodeArgs = [], maxBuffer } = options;
  const r = spawnSync(process.execPath, [...nodeArgs, PODSEC_BIN, ...args], {
    encoding: 'utf8',
    ...(cwd !== undefined ? { cwd } : {}),
    ...(input !== undefined ? { input } : {}),
    ...(stdinFd !== undefined ? { stdio: [stdinFd, 'pipe', 'pipe'] as const } : {}),
    ...(env ? { env } : {}),
    ...(maxBuffer !== undefined ? { maxBuffer } : {}),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * A new temporary folder holding `files` (relative paths; their folders are
 * made), named `<prefix>XXXXXX`.
 */
export function tempTree(files: Record<string, string | Buffer>, prefix = 'podsec-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    const full = join(dir, name);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}
