/**
 * `podsec`: the command line. Same engine as the language server.
 */
import { readFileSync, statSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { FileProbe } from '../engine/index';
import { basename, join, resolve } from 'node:path';
import {
  analyze,
  boundFileFindings,
  visibleLines,
  collectNamespaces,
  DEFAULT_LIMITS,
  evaluatedMinor,
  fixAll,
  hardeningEnabled,
  isChartTemplate,
  LineIndex,
  ParseShare,
} from '../engine/index';
import type {
  AnalyzeOptions,
  HardeningRun,
  HardeningSource,
  NamespaceLabels,
} from '../engine/index';
import { HELP, parseArgs, UsageError } from './args';
import type { CliOptions } from './args';
import type { FileResult } from './report';
import { notEvaluated } from './report';
import { applyCiOptions, renderChunks } from './ci';
import { runRender } from './render';
import { runInit } from './init';
import { isKustomizationTarget, runRenderKustomize } from './renderKustomize';
import { runReport } from './reportCommand';
import {
  outsideOf,
  readHandle,
  readRegular,
  rewriteText,
  targetState,
  walk,
  writeFixed,
  writeProblem,
  writeWhole,
} from '../io/index';
import type { FileIdentity, FsSeam, TargetState } from '../io/index';
import { applySeverity, CliConfigs, UnreadableConfig } from './config';
import { CONFIG_FILE_NAMES } from '../engine/config/index';
import type { EffectiveSettings } from '../engine/config/index';
import { addHardening, releasedSource } from './hardening';
import { enginePath, fixOverlays, runOverlays } from './overlays';
import { evaluateChartGroup, fixChartGroup, groupByChart } from './charts';
import { cliFixFiles } from './fixFiles';
import { normalizePath } from '../engine/sources/sourceFs';

const DISK: FileProbe = {
  isFile: (p) => statSync(p, { throwIfNoEntry: false })?.isFile() === true,
};

interface Input {
  path: string;
  text: string;
  bom: boolean;
  readError?: string;
  /** 1-based position of a read error inside the file (invalid UTF-8); else 1:1. */
  readErrorAt?: { line: number; column: number };
  /** Not read (a FIFO, a device, a dangling link...): why. */
  skipped?: string;
  /** Named only: a loop, or a second way to a file already read. */
  revisit?: string;
  /** More bytes than the size limit allows: not read past it. */
  tooLarge?: { size: number | null; limit: number };
  /** The file as read, to notice a change before --fix writes it. */
  identity?: FileIdentity;
  /** Reached through a symbolic link; `outside` when its target lies outside the given paths. */
  link?: { target: string; outside: boolean };
}

/** Standard input cannot be read (a directory, a closed handle): a usage error. */
export class InputError extends Error {}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Standard input, at most `limit` bytes; null when there are more. Throws InputError when unusable. */
  readStdin: (limit: number) => Buffer | null;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** The file system --fix writes through (tests inject failures); the real one by default. */
  fs?: FsSeam;
  /** The working folder (where `.podsec.yaml` is looked for); process.cwd() when absent. */
  cwd?: string;
  /** Sees each file's parsed documents as the hardening checks read them (tests count those alive). */
  onParsed?: (docs: readonly object[]) => void;
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

/**
 * Bytes read for a limit of `chars` characters (UTF-16 units, as the engine
 * counts): a unit takes at most 3 bytes of UTF-8, plus a byte-order mark.
 */
export const byteLimit = (chars: number): number => chars * 3 + 3;

function readInputs(paths: readonly string[], io: Io, maxChars: number): Input[] {
  const limit = byteLimit(maxChars);
  const walked = walk(paths.filter((p) => p !== '-'));
  const inputs: Input[] = walked.errors.map((e) => ({
    path: e.path,
    text: '',
    bom: false,
    readError: e.message,
  }));
  if (paths.includes('-')) {
    const bytes = io.readStdin(limit);
    if (bytes === null) {
      inputs.push({ path: '-', text: '', bom: false, tooLarge: { size: null, limit: maxChars } });
    } else inputs.push(decode('-', bytes));
  }
  for (const f of walked.files) {
    const r = readRegular(f.path, limit);
    const link = f.viaLink ? { link: { target: f.real, outside: f.outside } } : {};
    if (r.kind === 'ok') inputs.push({ ...decode(f.path, r.bytes), identity: r.identity, ...link });
    else if (r.kind === 'too-large')
      inputs.push({
        path: f.path,
        text: '',
        bom: false,
        tooLarge: { size: r.size, limit: maxChars },
        ...link,
      });
    else if (r.kind === 'special')
      inputs.push({ path: f.path, text: '', bom: false, skipped: r.reason });
    else inputs.push({ path: f.path, text: '', bom: false, readError: r.reason });
  }
  for (const s of walked.skipped) {
    inputs.push({
      path: s.path,
      text: '',
      bom: false,
      ...(s.counted ? { skipped: s.reason } : { revisit: s.reason }),
    });
  }
  return inputs;
}

export function run(argv: string[], io: Io): number {
  // `podsec report …`: the level advisor (a file named "report" can be given as ./report).
  if (argv[0] === 'report') {
    try {
      return runReport(argv.slice(1), {
        ...io,
        read: (paths, maxFileSize) =>
          readInputs(paths, io, maxFileSize ?? DEFAULT_LIMITS.maxFileBytes).map((i) =>
            i.tooLarge ? { ...i, skipped: `not read: ${tooLargeMessage(i.tooLarge)}` } : i,
          ),
      });
    } catch (e) {
      if (e instanceof InputError) {
        io.stderr(`podsec report: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
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

  const maxFileBytes = o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes;
  // The files this run writes whole, as they are now: one changed meanwhile is not overwritten.
  const targets = new Map<string, TargetState>();
  for (const f of [...o.outputs.map((x) => x.file), o.writeBaseline]) {
    if (f !== null && !targets.has(f)) targets.set(f, targetState(f, io.fs));
  }
  let configs: CliConfigs;
  try {
    configs = new CliConfigs(o);
  } catch (e) {
    if (e instanceof UnreadableConfig) {
      io.stderr(`podsec: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let read: Input[];
  try {
    read = readInputs(o.paths, io, maxFileBytes);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`podsec: ${e.message}\nRun "podsec --help" for usage.\n`);
      return 2;
    }
    throw e;
  }
  // A .podsec.yaml's exclude leaves out files found in folders (and the .podsec.yaml
  // files themselves, reported as configuration); a file named on the command line is checked.
  const inputs = read.filter(
    (i) =>
      o.paths.includes(i.path) ||
      (!(CONFIG_FILE_NAMES as readonly string[]).includes(basename(i.path)) &&
        !configs.excluded(i.path)),
  );
  /** Read as text: not a read error, not skipped, not a revisit, not over the size limit. */
  const readable = (i: Input): boolean =>
    i.readError === undefined &&
    i.skipped === undefined &&
    i.revisit === undefined &&
    i.tooLarge === undefined;
  const settings = new Map<string, EffectiveSettings>();
  const settingsOf = (path: string): EffectiveSettings => {
    let s = settings.get(path);
    if (!s) {
      s = configs.settingsFor(path);
      settings.set(path, s);
    }
    return s;
  };
  configs.discover(inputs.filter(readable));
  const baseFor = (path: string): AnalyzeOptions =>
    configs.analyzeOptionsFor(path, {
      asUser: o.asUser,
      maxFileBytes,
      maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
    });
  // Namespaces declared in any input set the policy of workloads in the others.
  const namespaces = new Map<string, NamespaceLabels>();
  for (const i of inputs) {
    if (!readable(i) || i.text === '') continue;
    const base = baseFor(i.path);
    if (!base.namespaceLabels) continue;
    for (const ns of collectNamespaces(i.text, i.path, base)) namespaces.set(ns.name, ns);
  }
  // The run's own settings (overlays, charts, hardening, the report's policy): the first input's.
  const first = inputs[0] ? settingsOf(inputs[0].path) : null;
  const level = first?.level.value ?? o.level;
  const version = first?.version.value ?? o.version;
  const base: AnalyzeOptions = inputs[0]
    ? baseFor(inputs[0].path)
    : {
        level,
        version,
        namespaceLabels: o.namespaceLabels,
        maxFileBytes,
        maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
      };
  // Fixes made at their origin (a chart's values or template, an overlay's base or patch) are
  // written as the inputs are: atomically, only over the text they were computed on, never
  // through a link out of the paths given. A failure is reported in that file.
  const fixFailures = new Map<string, string>();
  const outside = outsideOf(o.paths);
  const writeFix = (
    path: string,
    from: string,
    to: string,
    allowed = false,
    create = false,
  ): boolean => {
    const w = create
      ? outside(path)
        ? { kind: 'refused' as const, reason: 'outside the paths given: not written' }
        : writeWhole(path, Buffer.from(to, 'utf8'), {
            expected: { kind: 'absent' },
            ...(io.fs ? { fs: io.fs } : {}),
          })
      : rewriteText(path, from, to, {
          limit: byteLimit(maxFileBytes),
          outside: !allowed && outside(path),
          inPlaceHardLinks: o.fixHardLinks,
          ...(io.fs ? { fs: io.fs } : {}),
        });
    if (w.kind === 'written') fixFailures.delete(enginePath(path));
    else fixFailures.set(enginePath(path), w.reason);
    return w.kind === 'written';
  };
  // Kustomize overlays under the directories given: built, evaluated, placed in the files that set each value.
  const overlayFixes = o.fix
    ? fixOverlays(
        o.paths,
        base,
        namespaces,
        o.fixUnsafe,
        process.cwd(),
        (p, from, to, create) => writeFix(p, from, to, false, create),
        (p) => !outside(p),
      )
    : new Map<string, number>();
  const overlays = runOverlays(o.paths, base, namespaces);
  for (const [at, n] of overlayFixes) {
    const r = overlays.placed.get(at);
    if (r) r.fixed = n;
  }
  const empty = () => ({ findings: [], errors: [], notes: [], workloads: [], objects: 0 });
  const results: FileResult[] = [];
  // The hardening checks take each file's parse from its analysis instead of parsing it again,
  // and keep what they need of it as the file is evaluated (its objects, positions as numbers):
  // the run holds one file's parse at a time.
  const share = hardeningEnabled(o.hardening) ? { share: new ParseShare() } : {};
  const sources = new Map<FileResult, HardeningSource>();
  const evaluated = (r: FileResult): FileResult => {
    if (share.share) sources.set(r, releasedSource(r, { ...base, ...share }, io.onParsed));
    // A parse the hardening checks did not take (read under other limits) is not kept either.
    share.share?.clear();
    return r;
  };
  // Files of a Helm chart are evaluated as the chart renders, once per chart.
  const charts = groupByChart(inputs.filter(readable).map((i) => i.path));
  const inChart = new Set(charts.flatMap((g) => g.inputs));
  // A values file named with --values is the user's to fix wherever it lies.
  const namedValues = new Set(o.helm.valuesFiles.map((v) => enginePath(v)));
  for (const g of charts) {
    const fixed = o.fix
      ? fixChartGroup(g, o.helm, base, namespaces, o.fixUnsafe, (p, from, to) =>
          writeFix(p, from, to, namedValues.has(enginePath(p))),
        )
      : new Map<string, number>();
    for (const r of evaluateChartGroup(g, o.helm, base, namespaces).results) {
      const n = fixed.get(normalizePath(resolve(r.path)));
      results.push(n ? { ...r, fixed: n } : r);
    }
  }
  const shown = new Set<string>();
  // One file at a time: analysed, fixed and written before the next is looked at.
  for (const i of inputs) {
    if (inChart.has(i.path)) continue;
    const link = i.link ? { link: i.link } : {};
    if (i.skipped !== undefined || i.revisit !== undefined) {
      // Not read at all (a FIFO, a device, a dangling link, a loop): named, never dropped.
      results.push({
        path: i.path,
        text: '',
        analysis: empty(),
        ...(i.skipped !== undefined ? { skipped: i.skipped } : {}),
        ...(i.revisit !== undefined ? { revisit: i.revisit } : {}),
        ...link,
      });
      continue;
    }
    const at = i.path === '-' ? '' : enginePath(i.path);
    const placed = overlays.placed.get(at);
    if (placed) shown.add(at);
    if (overlays.covered.has(at)) {
      if (placed) results.push(placed);
      continue;
    }
    if (i.readError !== undefined) {
      results.push({
        path: i.path,
        text: '',
        analysis: empty(),
        readError: i.readError,
        ...(i.readErrorAt ? { readErrorAt: i.readErrorAt } : {}),
        ...link,
      });
      continue;
    }
    if (i.tooLarge) {
      const analysis = empty() as FileResult['analysis'];
      analysis.errors.push({
        message: `File not evaluated: ${tooLargeMessage(i.tooLarge)}`,
        span: { start: 0, end: 0 },
        code: 'limit',
        severity: 'error',
      });
      results.push({ path: i.path, text: '', analysis, ...link });
      continue;
    }
    const severity = settingsOf(i.path).severity;
    const options: AnalyzeOptions = {
      ...baseFor(i.path),
      namespaces,
      file: i.path,
      chartTemplate: i.path !== '-' && isChartTemplate(i.path, DISK),
    };
    if (o.fix) {
      // Read again at its turn: the fix applies to the file as it is now, written at once.
      if (i.identity) {
        const again = readRegular(i.path, byteLimit(maxFileBytes));
        if (again.kind === 'ok') {
          const d = decode(i.path, again.bytes);
          if (d.readError === undefined) Object.assign(i, d, { identity: again.identity });
        }
      }
      const fixed = fixAll(i.text, options, { unsafe: o.fixUnsafe });
      let fixError: string | undefined;
      if (fixed.text !== i.text) {
        const out = (i.bom ? '\ufeff' : '') + fixed.text;
        if (i.path === '-') io.stdout(out);
        else if (!i.identity) fixError = 'not written: the file was not read as a regular file';
        else {
          const w = writeFixed({
            path: i.path,
            data: Buffer.from(out, 'utf8'),
            expected: i.identity,
            outside: i.link?.outside ?? false,
            inPlaceHardLinks: o.fixHardLinks,
            ...(io.fs ? { fs: io.fs } : {}),
          });
          if (w.kind !== 'written') fixError = w.reason;
        }
      }
      if (fixError !== undefined) {
        // Nothing was written: report the file as it is on disk.
        results.push(
          evaluated({
            path: i.path,
            text: i.text,
            analysis: applySeverity(analyze(i.text, { ...options, ...share }), severity),
            fixError,
            ...link,
          }),
        );
      } else {
        results.push(
          evaluated({
            path: i.path,
            text: fixed.text,
            analysis: applySeverity(analyze(fixed.text, { ...options, ...share }), severity),
            fixed: fixed.applied,
            ...link,
          }),
        );
      }
    } else {
      const analysis = analyze(i.text, { ...options, ...share });
      if (placed) {
        analysis.findings.push(...placed.analysis.findings);
        analysis.errors.push(...placed.analysis.errors);
        analysis.notes.push(...placed.analysis.notes);
      }
      results.push(
        evaluated({
          path: i.path,
          text: i.text,
          analysis: applySeverity(analysis, severity),
          ...link,
        }),
      );
    }
  }
  for (const [at, r] of overlays.placed) if (!shown.has(at)) results.push(r);
  // A fix made at its origin that could not be written: reported in that file.
  for (const r of results) {
    const failure = r.path === '-' ? undefined : fixFailures.get(enginePath(r.path));
    if (failure === undefined) continue;
    r.fixError = failure;
    fixFailures.delete(enginePath(r.path));
  }
  for (const [at, reason] of fixFailures) {
    results.push({ path: at, text: '', analysis: empty(), fixError: reason });
  }

  // The hardening checks look at every file of the run together, charts and overlays as deployed.
  let hardening: HardeningRun | null = addHardening(
    results,
    o.hardening,
    { ...base, ...share },
    { level, version },
    overlays,
    configs,
    process.cwd(),
    sources,
  );
  sources.clear();
  // However many places report into one file, its findings are bounded.
  for (const r of results) r.analysis = boundFileFindings(r.analysis);
  // Problems of the .podsec.yaml files and admission configurations used are reported in them.
  results.push(...configs.results());
  if (configs.admissionNote) io.stderr(`podsec: ${visibleLines(configs.admissionNote)}\n`);

  const policy = { level, version: `v1.${evaluatedMinor(version)}` };
  const ci = applyCiOptions(o, results, base, policy, { ...io, targets, hardening });
  // The run's objects are not needed to write the results: released before they are.
  hardening = null;
  if (ci !== null) return ci;
  // --fail-on-skipped is the top layer of every file's settings (cliLayer); one predicate decides.
  const failOnSkipped =
    o.failOnSkipped === true || [...settings.values()].some((x) => x.failOnSkipped.value);
  const code = exitCode(results, failOnSkipped);
  // With --fix on standard input, the fixed YAML owns stdout; the report goes to stderr.
  const write = o.fix && inputs.some((i) => i.path === '-') ? io.stderr : io.stdout;
  const color = o.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
  let failedOutput = false;
  const files = cliFixFiles(results, process.cwd(), byteLimit(maxFileBytes), io.fs);
  for (const out of o.outputs) {
    const ctx = {
      policy,
      version: packageVersion(),
      exitCode: code,
      color: out.file === null && color,
      root: io.env.GITHUB_WORKSPACE ?? io.cwd ?? process.cwd(),
      files,
      ...(o.baseline !== null ? { baseline: o.baseline } : {}),
    };
    // Written as it is made (one file at a time): to standard output, or into the temporary
    // file of the atomic write of --output.
    if (out.file === null) for (const chunk of renderChunks(out.format, results, ctx)) write(chunk);
    else {
      const expected = targets.get(out.file);
      const w = writeWhole(out.file, renderChunks(out.format, results, ctx), {
        ...(expected ? { expected } : {}),
        ...(io.fs ? { fs: io.fs } : {}),
      });
      if (w.kind === 'written') targets.set(out.file, targetState(out.file, io.fs));
      else {
        io.stderr(`podsec: ${visibleLines(writeProblem(out.file, w))}\n`);
        failedOutput = true;
      }
    }
  }
  return failedOutput ? 2 : code;
}

/**
 * 2 on a read error or a fixed file not written; 1 when a new finding or a YAML
 * error of error severity was found, or, with failOnSkipped (`--fail-on-skipped`
 * or `.podsec.yaml`), a file was not read or not evaluated; else 0.
 */
function exitCode(results: readonly FileResult[], failOnSkipped: boolean): number {
  if (results.some((r) => r.readError !== undefined || r.fixError !== undefined)) return 2;
  const failed = results.some(
    (r) =>
      r.analysis.errors.length > 0 ||
      r.analysis.findings.some((f) => f.severity === 'error' && !r.existing?.has(f)),
  );
  return failed || (failOnSkipped && results.some(notEvaluated)) ? 1 : 0;
}

/** A file over the size limit, measured in bytes (it is not read past the limit). */
function tooLargeMessage(t: { size: number | null; limit: number }): string {
  const size = t.size === null ? `more than ${byteLimit(t.limit)}` : String(t.size);
  return `${size} bytes is over the limit of ${t.limit} characters (setting podsec.maxFileSize, option --max-file-size)`;
}

/** Standard input through the same bounded read as files; a directory or a closed handle is refused. */
function readStdin(limit: number): Buffer | null {
  const r = readHandle(0, limit);
  if (r.kind === 'ok') return r.bytes;
  if (r.kind === 'too-large') return null;
  throw new InputError(`standard input ${r.reason}`);
}

/** A closed stdout or stderr (`podsec … | head -1`) ends the run quietly, with its exit status. */
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/**
 * Standard output written synchronously: each piece is in the pipe (or the
 * file) before the run goes on, so a slow reader slows podsec down instead of
 * piling the output up in memory. A closed pipe (`podsec … | head -1`) ends
 * the writing quietly; the run still ends with its own exit status.
 */
function blockingWriter(fd: number): (s: string) => void {
  let closed = false;
  const wait = new Int32Array(new SharedArrayBuffer(4));
  return (s) => {
    if (closed) return;
    const data = Buffer.from(s, 'utf8');
    let done = 0;
    while (done < data.length) {
      try {
        done += writeSync(fd, data, done, data.length - done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          closed = true;
          return;
        }
        if (code !== 'EAGAIN') throw e;
        // A non-blocking pipe that is full: its reader is behind.
        Atomics.wait(wait, 0, 0, 10);
      }
    }
  };
}

export function main(): void {
  quietOnEpipe(process.stderr);
  const code = run(process.argv.slice(2), {
    stdout: blockingWriter(1),
    stderr: (s) => process.stderr.write(s),
    readStdin,
    isTTY: isatty(1),
    env: process.env,
  });
  process.exitCode = code;
}

if (require.main === module) main();
