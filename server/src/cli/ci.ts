/**
 * The command line's pipeline options: output formats (several per run, to
 * files or standard output), baselines (`--baseline`, `--write-baseline`,
 * or `baseline:` in the `.podsec.yaml` of the working folder) and the
 * GitHub step summary (`--summary`).
 */
import { appendFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigResolver } from '../engine/config/index';
import { DEFAULT_LIMITS, visibleLines } from '../engine/index';
import { withCharts } from './chartReport';
import { reportOf } from './reportCommand';
import { hardeningSection } from './hardening';
import type { AnalyzeOptions, Finding, HardeningRun } from '../engine/index';
import {
  applyBaseline,
  BaselineError,
  parseBaseline,
  reportMarkdown,
  toGithub,
  jsonChunks,
  toJson,
  toJunit,
  sarifChunks,
  toSarif,
  textChunks,
  toText,
} from '../render/index';
import type { FileResult, FixFiles } from '../render/index';
import type { CliOptions, Format } from './args';
import { DiskFs } from './render';
import { MAX_BASELINE_BYTES, readTextFile, writeProblem, writeWhole } from '../io/index';
import type { FsSeam, TargetState } from '../io/index';

export interface RenderContext {
  policy: { level: string; version: string };
  version: string;
  exitCode: number;
  color: boolean;
  baseline?: string;
  /** The files fixes edit besides their finding's (SARIF and JSON show those fixes). */
  files?: FixFiles;
  /** The folder `--format github` paths are relative to: the repository's (GITHUB_WORKSPACE) or the working folder. */
  root?: string;
}

/**
 * `renderFormat`'s text in pieces, written as they are made: JSON and text
 * one file at a time (the output is never held whole), SARIF one file's
 * results at a time; the other formats in one piece.
 */
export function* renderChunks(
  format: Format,
  results: readonly FileResult[],
  ctx: RenderContext,
): Generator<string> {
  if (format === 'json') yield* jsonChunks(results, ctx.policy, ctx.files);
  else if (format === 'sarif')
    yield* sarifChunks(results, {
      version: ctx.version,
      policy: ctx.policy,
      exitCode: ctx.exitCode,
      ...(ctx.baseline !== undefined ? { baseline: ctx.baseline } : {}),
      ...(ctx.files ? { files: ctx.files } : {}),
    });
  else if (format === 'text') yield* textChunks(results, ctx.color);
  else yield renderFormat(format, results, ctx);
}

export function renderFormat(
  format: Format,
  results: readonly FileResult[],
  ctx: RenderContext,
): string {
  switch (format) {
    case 'json':
      return toJson(results, ctx.policy, ctx.files);
    case 'sarif':
      return toSarif(results, {
        version: ctx.version,
        policy: ctx.policy,
        exitCode: ctx.exitCode,
        ...(ctx.baseline !== undefined ? { baseline: ctx.baseline } : {}),
        ...(ctx.files ? { files: ctx.files } : {}),
      });
    case 'github': {
      // GitHub places annotations by the path from the repository's root.
      const root = ctx.root;
      return toGithub(
        root === undefined
          ? results
          : results.map((r) => ({ ...r, path: workingPath(root, r.path) })),
      );
    }
    case 'junit':
      return toJunit(results);
    case 'text':
      return toText(results, ctx.color);
  }
}

interface CiIo {
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  fs?: FsSeam;
  /** What the files podsec writes held when the run began (a change meanwhile is not overwritten). */
  targets?: ReadonlyMap<string, TargetState>;
  /** The run's hardening checks (null when off): the summary's hardening section counts the results' findings. */
  hardening?: HardeningRun | null;
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/**
 * A path (as read: relative to the process's folder) as fingerprints and
 * annotations know it: relative to `root` when inside it, else absolute;
 * `/`-separated.
 */
export function workingPath(root: string, path: string): string {
  if (path === '-') return path;
  const abs = resolve(path);
  const rel = relative(root, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  return (inside ? rel : abs).split(sep).join('/');
}

/** The baseline a run uses: `--baseline`, else `baseline:` of the working folder's `.podsec.yaml`. */
export function baselineFile(o: CliOptions, cwd: string): string | null {
  if (o.baseline !== null) return o.baseline;
  const config = new ConfigResolver(new DiskFs('/')).forDir(cwd);
  return config?.settings.baseline ?? null;
}

/**
 * Applies the baseline and writes `--write-baseline` and `--summary`.
 * Returns an exit status to stop with (2: the baseline cannot be used or
 * written), or null to go on and print the results.
 */
export function applyCiOptions(
  o: CliOptions,
  results: FileResult[],
  analyzeOptions: AnalyzeOptions,
  policy: { level: string; version: string },
  io: CiIo,
): number | null {
  const cwd = io.cwd ?? process.cwd();
  // Fingerprints know files by their path from the working folder, however they were named.
  for (const r of results) r.id = workingPath(cwd, r.path);
  // Writing a baseline accepts every finding: the one named before is not read.
  const file = o.writeBaseline === null ? baselineFile(o, cwd) : null;
  if (file !== null) {
    const read = readTextFile(file, MAX_BASELINE_BYTES, io.fs);
    if (read.kind !== 'ok') {
      const why = read.code ?? read.reason.replace(/^not read: /, '');
      io.stderr(`podsec: ${visibleLines(`cannot read the baseline ${file}: ${why}`)}\n`);
      return 2;
    }
    const text = read.text;
    try {
      applyBaseline(results, parseBaseline(text));
    } catch (e) {
      if (!(e instanceof BaselineError)) throw e;
      io.stderr(`podsec: ${visibleLines(`the baseline ${file} cannot be used: ${e.message}`)}\n`);
      return 2;
    }
    if (o.baseline === null) o.baseline = file;
  }
  if (o.writeBaseline !== null) {
    const plain = results.map((r) => {
      const { existing: _existing, ...rest } = r;
      return rest;
    });
    const expected = io.targets?.get(o.writeBaseline);
    const w = writeWhole(o.writeBaseline, jsonChunks(plain, policy), {
      ...(expected ? { expected } : {}),
      ...(io.fs ? { fs: io.fs } : {}),
    });
    if (w.kind !== 'written') {
      io.stderr(`podsec: ${visibleLines(writeProblem(`the baseline ${o.writeBaseline}`, w))}\n`);
      return 2;
    }
    // What was just written is the baseline: every finding is now an existing one.
    for (const r of results) r.existing = new Set<Finding>(r.analysis.findings);
  }
  if (o.summary) {
    const target = io.env.GITHUB_STEP_SUMMARY;
    if (!target) {
      io.stderr('podsec: --summary: GITHUB_STEP_SUMMARY is not set; no summary written\n');
    } else {
      const limits = {
        maxFileBytes: analyzeOptions.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
        maxAliasCount: analyzeOptions.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
      };
      // The files of a Helm chart are reported as the chart renders, as `podsec report` does.
      const charts = withCharts(
        results.filter((r) => !r.readError).map((r) => ({ path: r.path, text: r.text })),
        o.helm,
        limits,
      );
      const report = reportOf(charts.inputs, {
        version: o.version,
        level: o.level,
        namespaceLabels: o.namespaceLabels,
        ...limits,
        hardening: hardeningSection(io.hardening ?? null, results, o),
      });
      report.errors.push(...charts.errors);
      try {
        appendFileSync(target, `${summaryHeading(results)}\n\n${reportMarkdown(report)}\n`);
      } catch (e) {
        io.stderr(`podsec: cannot write the step summary ${target}: ${errno(e)}\n`);
        return 2;
      }
    }
  }
  return null;
}

/** The summary's first line: how many findings are new, existing and suppressed. */
function summaryHeading(results: readonly FileResult[]): string {
  let fresh = 0;
  let existing = 0;
  let suppressed = 0;
  for (const r of results) {
    suppressed += r.analysis.suppressed?.length ?? 0;
    for (const f of r.analysis.findings) {
      if (r.existing?.has(f)) existing++;
      else fresh++;
    }
  }
  return `### podsec: ${fresh} new finding${fresh === 1 ? '' : 's'}, ${existing} existing, ${suppressed} suppressed`;
}
