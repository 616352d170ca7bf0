/**
 * `podsec`: the command line. Same engine as the language server.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  analyze,
  collectNamespaces,
  DEFAULT_LIMITS,
  evaluatedMinor,
  fixAll,
  LineIndex,
} from '../engine/index';
import type { AnalyzeOptions, NamespaceLabels } from '../engine/index';
import { HELP, parseArgs, UsageError } from './args';
import type { CliOptions } from './args';
import type { FileResult } from './report';
import { toJson, toSarif, toText } from './report';
import { runRender } from './render';
import { runInit } from './init';
import { isKustomizationTarget, runRenderKustomize } from './renderKustomize';
import { runReport } from './reportCommand';
import { addHardening } from './hardening';

const SKIP_DIRS = new Set(['node_modules', '.git']);

interface Input {
  path: string;
  text: string;
  bom: boolean;
  readError?: string;
  /** 1-based position of a read error inside the file (invalid UTF-8); else 1:1. */
  readErrorAt?: { line: number; column: number };
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Buffer;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Expand directories (recursively, *.yaml / *.yml) into files, in a stable order. */
function expand(
  path: string,
  out: string[],
  errors: Array<{ path: string; message: string }>,
): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    errors.push({
      path,
      message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });
    return;
  }
  if (!st.isDirectory()) {
    out.push(path);
    return;
  }
  let names: string[];
  try {
    names = readdirSync(path).sort();
  } catch (e) {
    errors.push({
      path,
      message: `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });
    return;
  }
  for (const name of names) {
    const full = join(path, name);
    let sub;
    try {
      sub = statSync(full);
    } catch {
      continue;
    }
    if (sub.isDirectory()) {
      if (!SKIP_DIRS.has(name)) expand(full, out, errors);
    } else if (/\.ya?ml$/i.test(name)) out.push(full);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
const REPLACEMENT = Buffer.from('\ufffd', 'utf8');

/**
 * Where the first invalid UTF-8 sequence of `bytes` is, as a 1-based line
 * and column (in characters, as the CLI counts): the first U+FFFD of a
 * lenient decoding that the file did not itself contain.
 */
export function firstInvalidUtf8(bytes: Buffer): { line: number; column: number; byte: number } {
  const text = lenient.decode(bytes);
  let byte = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf('\ufffd', from);
    if (at < 0) return { line: 1, column: 1, byte: 0 };
    byte += Buffer.byteLength(text.slice(from, at), 'utf8');
    if (!bytes.subarray(byte, byte + 3).equals(REPLACEMENT)) {
      return { ...new LineIndex(text).humanPosition(at), byte };
    }
    byte += 3;
    from = at + 1;
  }
}

function decode(path: string, bytes: Buffer): Input {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    return {
      path,
      text: '',
      bom: false,
      readError: `not valid UTF-8 (byte 0x${(bytes[at.byte] ?? 0).toString(16).padStart(2, '0')} at offset ${at.byte}): YAML files must be UTF-8 text`,
      readErrorAt: { line: at.line, column: at.column },
    };
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  return { path, text: bom ? text.slice(1) : text, bom };
}

function readInputs(paths: readonly string[], io: Io): Input[] {
  const files: string[] = [];
  const errors: Array<{ path: string; message: string }> = [];
  for (const p of paths) {
    if (p === '-') files.push('-');
    else expand(p, files, errors);
  }
  const inputs: Input[] = errors.map((e) => ({
    path: e.path,
    text: '',
    bom: false,
    readError: e.message,
  }));
  for (const f of files) {
    if (f === '-') {
      inputs.push(decode('-', io.readStdin()));
      continue;
    }
    try {
      inputs.push(decode(f, readFileSync(f)));
    } catch (e) {
      inputs.push({
        path: f,
        text: '',
        bom: false,
        readError: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      });
    }
  }
  return inputs;
}

export function run(argv: string[], io: Io): number {
  // `podsec report …`: the level advisor (a file named "report" can be given as ./report).
  if (argv[0] === 'report') {
    return runReport(argv.slice(1), { ...io, read: (paths) => readInputs(paths, io) });
  }
  // `podsec render <chart>`: print what a chart renders to (a file named "render" can be given as ./render);
  // `podsec render <kustomization dir>`: the build as `kubectl kustomize` prints it.
  if (argv[0] === 'render') {
    const rest = argv.slice(1);
    return isKustomizationTarget(rest) ? runRenderKustomize(rest, io) : runRender(rest, io);
  }
  // `podsec init [dir]`: a starter .podsec.yaml.
  if (argv[0] === 'init') return runInit(argv.slice(1), io);
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`podsec: ${e.message}\nRun "podsec --help" for usage.\n`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    io.stdout(HELP);
    return 0;
  }
  if (o.showVersion) {
    io.stdout(`podsec ${packageVersion()}\n`);
    return 0;
  }

  const inputs = readInputs(o.paths, io);
  const base: AnalyzeOptions = {
    level: o.level,
    version: o.version,
    namespaceLabels: o.namespaceLabels,
    maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  };
  // Namespaces declared in any input set the policy of workloads in the others.
  const namespaces = new Map<string, NamespaceLabels>();
  if (o.namespaceLabels) {
    for (const i of inputs) {
      if (i.readError) continue;
      for (const ns of collectNamespaces(i.text, i.path, base)) namespaces.set(ns.name, ns);
    }
  }
  const results: FileResult[] = [];
  for (const i of inputs) {
    if (i.readError) {
      results.push({
        path: i.path,
        text: '',
        analysis: { findings: [], errors: [], notes: [], workloads: [], objects: 0 },
        readError: i.readError,
        ...(i.readErrorAt ? { readErrorAt: i.readErrorAt } : {}),
      });
      continue;
    }
    const options: AnalyzeOptions = { ...base, namespaces, file: i.path };
    if (o.fix) {
      const fixed = fixAll(i.text, options, { unsafe: o.fixUnsafe });
      if (fixed.text !== i.text) {
        const out = (i.bom ? '\ufeff' : '') + fixed.text;
        if (i.path === '-') io.stdout(out);
        else writeFileSync(i.path, out);
      }
      results.push({
        path: i.path,
        text: fixed.text,
        analysis: analyze(fixed.text, options),
        fixed: fixed.applied,
      });
    } else {
      results.push({ path: i.path, text: i.text, analysis: analyze(i.text, options) });
    }
  }

  // The hardening checks look at every file of the run together.
  addHardening(results, o.hardening, base, { level: o.level, version: o.version });

  const policy = { level: o.level, version: `v1.${evaluatedMinor(o.version)}` };
  // With --fix on standard input, the fixed YAML owns stdout; the report goes to stderr.
  const write = o.fix && inputs.some((i) => i.path === '-') ? io.stderr : io.stdout;
  if (o.format === 'json') write(toJson(results, policy));
  else if (o.format === 'sarif') write(toSarif(results, packageVersion()));
  else {
    const color = o.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
    write(toText(results, color));
  }

  if (results.some((r) => r.readError)) return 2;
  const failed = results.some(
    (r) => r.analysis.errors.length > 0 || r.analysis.findings.some((f) => f.severity === 'error'),
  );
  return failed ? 1 : 0;
}

export function main(): void {
  const code = run(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: () => readFileSync(0),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  });
  process.exitCode = code;
}

if (require.main === module) main();
