/**
 * `podsec`: the command line. Same engine as the language server.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { FileProbe } from '../engine/index';
import { basename, join, resolve } from 'node:path';
import {
  analyze,
  collectNamespaces,
  DEFAULT_LIMITS,
  evaluatedMinor,
  fixAll,
  isChartTemplate,
  LineIndex,
} from '../engine/index';
import type { AnalyzeOptions, NamespaceLabels } from '../engine/index';
import { HELP, parseArgs, UsageError } from './args';
import type { CliOptions } from './args';
import type { FileResult } from './report';
import { applyCiOptions, renderFormat } from './ci';
import { runRender } from './render';
import { runInit } from './init';
import { isKustomizationTarget, runRenderKustomize } from './renderKustomize';
import { runReport } from './reportCommand';
import { applySeverity, CliConfigs, UnreadableConfig } from './config';
import { CONFIG_FILE_NAMES } from '../engine/config/index';
import type { EffectiveSettings } from '../engine/config/index';
import { addHardening } from './hardening';
import { enginePath, fixOverlays, runOverlays } from './overlays';
import { evaluateChartGroup, fixChartGroup, groupByChart } from './charts';
import { normalizePath } from '../engine/sources/sourceFs';

const SKIP_DIRS = new Set(['node_modules', '.git']);

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
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Buffer;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** The working folder (where `.podsec.yaml` is looked for); process.cwd() when absent. */
  cwd?: string;
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

/**
 * The hook `failOnSkipped` (.podsec.yaml) acts through: a result with a file
 * or a document that was not evaluated (read error, note, limit or YAML
 * error). `--fail-on-skipped` is meant to share it.
 */
export function notEvaluated(r: FileResult): boolean {
  return (
    r.readError !== undefined ||
    r.analysis.notes.length > 0 ||
    r.analysis.errors.some((e) => e.code === 'limit' || e.code === 'yaml')
  );
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
  // A .podsec.yaml's exclude leaves out files found in folders (and the .podsec.yaml
  // files themselves, reported as configuration); a file named on the command line is checked.
  const inputs = readInputs(o.paths, io).filter(
    (i) =>
      o.paths.includes(i.path) ||
      (!(CONFIG_FILE_NAMES as readonly string[]).includes(basename(i.path)) &&
        !configs.excluded(i.path)),
  );
  const settings = new Map<string, EffectiveSettings>();
  const settingsOf = (path: string): EffectiveSettings => {
    let s = settings.get(path);
    if (!s) {
      s = configs.settingsFor(path);
      settings.set(path, s);
    }
    return s;
  };
  configs.discover(inputs.filter((i) => !i.readError));
  const baseFor = (path: string): AnalyzeOptions => {
    const s = settingsOf(path);
    const admission = configs.admissionFor(path);
    return {
      ...(admission ? { admission } : {}),
      ...(o.asUser !== null ? { asUser: o.asUser } : {}),
      level: s.level.value,
      version: s.version.value,
      namespaceLabels: s.namespaceLabels.value,
      maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
      maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
    };
  };
  // Namespaces declared in any input set the policy of workloads in the others.
  const namespaces = new Map<string, NamespaceLabels>();
  for (const i of inputs) {
    if (i.readError) continue;
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
        maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
        maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
      };
  // Kustomize overlays under the directories given: built, evaluated, placed in the files that set each value.
  const overlayFixes = o.fix
    ? fixOverlays(o.paths, base, namespaces, o.fixUnsafe)
    : new Map<string, number>();
  const overlays = runOverlays(o.paths, base, namespaces);
  for (const [at, n] of overlayFixes) {
    const r = overlays.placed.get(at);
    if (r) r.fixed = n;
  }
  const results: FileResult[] = [];
  // Files of a Helm chart are evaluated as the chart renders, once per chart.
  const charts = groupByChart(inputs.filter((i) => !i.readError).map((i) => i.path));
  const inChart = new Set(charts.flatMap((g) => g.inputs));
  for (const g of charts) {
    const fixed = o.fix
      ? fixChartGroup(g, o.helm, base, namespaces, o.fixUnsafe, (p, t) => writeFileSync(p, t))
      : new Map<string, number>();
    for (const r of evaluateChartGroup(g, o.helm, base, namespaces).results) {
      const n = fixed.get(normalizePath(resolve(r.path)));
      results.push(n ? { ...r, fixed: n } : r);
    }
  }
  const shown = new Set<string>();
  for (const i of inputs) {
    if (inChart.has(i.path)) continue;
    const at = i.path === '-' ? '' : enginePath(i.path);
    const placed = overlays.placed.get(at);
    if (placed) shown.add(at);
    if (overlays.covered.has(at)) {
      if (placed) results.push(placed);
      continue;
    }
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
    const severity = settingsOf(i.path).severity;
    const options: AnalyzeOptions = {
      ...baseFor(i.path),
      namespaces,
      file: i.path,
      chartTemplate: i.path !== '-' && isChartTemplate(i.path, DISK),
    };
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
        analysis: applySeverity(analyze(fixed.text, options), severity),
        fixed: fixed.applied,
      });
    } else {
      const analysis = analyze(i.text, options);
      if (placed) {
        analysis.findings.push(...placed.analysis.findings);
        analysis.errors.push(...placed.analysis.errors);
        analysis.notes.push(...placed.analysis.notes);
      }
      results.push({ path: i.path, text: i.text, analysis: applySeverity(analysis, severity) });
    }
  }
  for (const [at, r] of overlays.placed) if (!shown.has(at)) results.push(r);

  // The hardening checks look at every file of the run together (not yet at overlay builds: the
  // files those read, patches included, are no objects of their own).
  const placedResults = new Set<FileResult>(overlays.placed.values());
  addHardening(
    results.filter((r) => !placedResults.has(r)),
    o.hardening,
    base,
    { level, version },
  );
  // Problems of the .podsec.yaml files and admission configurations used are reported in them.
  results.push(...configs.results());
  if (configs.admissionNote) io.stderr(`podsec: ${configs.admissionNote}\n`);

  const policy = { level, version: `v1.${evaluatedMinor(version)}` };
  const ci = applyCiOptions(o, results, base, policy, io);
  if (ci !== null) return ci;
  const failOnSkipped = [...settings.values()].some((x) => x.failOnSkipped.value);
  const code = exitCode(results, failOnSkipped);
  // With --fix on standard input, the fixed YAML owns stdout; the report goes to stderr.
  const write = o.fix && inputs.some((i) => i.path === '-') ? io.stderr : io.stdout;
  const color = o.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
  let failedOutput = false;
  for (const out of o.outputs) {
    const text = renderFormat(out.format, results, {
      policy,
      version: packageVersion(),
      exitCode: code,
      color: out.file === null && color,
      root: io.env.GITHUB_WORKSPACE ?? io.cwd ?? process.cwd(),
      ...(o.baseline !== null ? { baseline: o.baseline } : {}),
    });
    if (out.file === null) write(text);
    else {
      try {
        writeFileSync(out.file, text);
      } catch (e) {
        io.stderr(
          `podsec: cannot write ${out.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`,
        );
        failedOutput = true;
      }
    }
  }
  return failedOutput ? 2 : code;
}

/** 2 on a read error; 1 when a new finding or a YAML error of error severity was found; else 0. */
function exitCode(results: readonly FileResult[], failOnSkipped: boolean): number {
  if (results.some((r) => r.readError)) return 2;
  const failed = results.some(
    (r) =>
      r.analysis.errors.length > 0 ||
      r.analysis.findings.some((f) => f.severity === 'error' && !r.existing?.has(f)),
  );
  return failed || (failOnSkipped && results.some(notEvaluated)) ? 1 : 0;
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
