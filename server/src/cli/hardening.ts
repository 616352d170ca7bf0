/**
 * The hardening checks over every file of a run together: a NetworkPolicy,
 * a quota or a ServiceAccount in one file changes the findings of workloads
 * in another. Each file's share joins its results (see
 * engine/hardening/findings.ts); the Pod Security findings stay as they are.
 *
 * Helm charts and Kustomize overlays take part as deployed: the objects a
 * chart renders to and an overlay builds join the others (a chart's files and
 * the files an overlay reads are not read as objects of their own), and what
 * the checks find in them is placed in the file that set it (a template, a
 * values key, a base, a patch), as their Pod Security findings are.
 */
import { readTextOrNull } from '../io/index';
import { MAX_VALUES_BYTES } from './charts';
import { isAbsolute, relative } from 'node:path';
import {
  hardeningEnabled,
  hardeningOptionsOf,
  hardeningReport,
  hardeningSource,
  isHardeningFinding,
  mergeHardening,
  runHardening,
} from '../engine/index';
import type {
  AnalyzeOptions,
  HardeningOptions,
  HardeningReport,
  HardeningRun,
  HardeningSource,
  Policy,
} from '../engine/index';
import {
  generatedDisplayName,
  generatedHardeningSource,
  overlayHardeningInputs,
  placeGeneratedHardening,
} from '../engine/project/index';
import type { GeneratedHardeningInput, PlacedHardening } from '../engine/project/index';
import type { EffectiveSettings } from '../engine/config/index';
import type { OverlayRun } from './overlays';
import { enginePath } from './overlays';
import type { FileResult } from './report';

/** An origin file's text: a regular file within the values files' bound (never a FIFO or a device), else null. */
function readText(path: string): string | null {
  return readTextOrNull(path, MAX_VALUES_BYTES);
}

/** An origin file no result names yet, as the report shows it: relative to the working folder when inside. */
function display(file: string, cwd: string): string {
  const rel = relative(cwd, file).replace(/\\/g, '/');
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The generated inputs of a run: each chart's renders (once per chart), each overlay's build. */
export function generatedInputs(
  results: readonly FileResult[],
  overlays?: Pick<OverlayRun, 'evaluations'>,
): GeneratedHardeningInput[] {
  const out: GeneratedHardeningInput[] = [];
  const seen = new Set<readonly GeneratedHardeningInput[]>();
  for (const r of results) {
    if (!r.generated || seen.has(r.generated)) continue;
    seen.add(r.generated);
    out.push(...r.generated);
  }
  for (const ev of overlays?.evaluations ?? []) out.push(...overlayHardeningInputs(ev));
  return out;
}

/** What the run knows of each file's `.podsec.yaml` (CliConfigs). */
export interface HardeningConfigs {
  settingsFor(path: string): EffectiveSettings;
}

/**
 * A file's hardening options: its `.podsec.yaml` (the `severity` entries,
 * then the `hardening` key, which wins), then the command line's
 * `--hardening` and `--require-cpu-limit`, which win over both (`--hardening
 * on` turns back on what the file turns off).
 */
export function fileHardeningOptions(
  settings: EffectiveSettings | null,
  cli: HardeningOptions,
): HardeningOptions {
  if (!settings) return cli;
  const severity: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings.severity)) severity[k] = v.value;
  const file = hardeningOptionsOf(severity, settings.config?.settings.hardening);
  const requireCpuLimit = cli.requireCpuLimit === true || file.requireCpuLimit === true;
  const fileChecks = { ...(file.checks ?? {}) };
  // `--hardening on`: what the file turns off runs again, at its severity entry or its default.
  if (cli.familyOn === true)
    for (const [id, v] of Object.entries(fileChecks) as Array<[keyof typeof fileChecks, string]>)
      if (v === 'off') {
        const own = hardeningOptionsOf({ [id]: severity[id] ?? '' }).checks?.[id];
        if (own === undefined || own === 'off') delete fileChecks[id];
        else fileChecks[id] = own;
      }
  return {
    checks: { ...fileChecks, ...(cli.checks ?? {}) },
    ...(requireCpuLimit ? { requireCpuLimit } : {}),
  };
}

function addPlaced(r: FileResult, p: PlacedHardening): void {
  const a = r.analysis;
  r.analysis = {
    ...a,
    findings: [...a.findings, ...p.findings],
    notes: [...a.notes, ...p.notes].sort((x, y) => x.span.start - y.span.start),
    ...(p.suppressed.length > 0 ? { suppressed: [...(a.suppressed ?? []), ...p.suppressed] } : {}),
  };
}

/**
 * Add the hardening findings to `results` (in place; a file that only
 * generated objects' findings land in is added); the run of the first file's
 * options, or null when every check is off for every file. `overlays` are
 * the run's overlay builds, whose placed results are among `results`.
 * `configs` gives each file its `.podsec.yaml` options: the checks run once
 * per distinct set of options over all files, and each file takes its share
 * from the run under its own.
 */
export function addHardening(
  results: FileResult[],
  options: HardeningOptions,
  base: AnalyzeOptions,
  policy: Policy,
  overlays?: Pick<OverlayRun, 'evaluations' | 'placed'>,
  configs?: HardeningConfigs,
  cwd = process.cwd(),
): HardeningRun | null {
  const optionsOf = new Map<string, { options: HardeningOptions; key: string }>();
  const of = (path: string): { options: HardeningOptions; key: string } => {
    let o = optionsOf.get(path);
    if (!o) {
      const opts = fileHardeningOptions(configs ? configs.settingsFor(path) : null, options);
      o = { options: opts, key: JSON.stringify(opts) };
      optionsOf.set(path, o);
    }
    return o;
  };
  const generated = generatedInputs(results, overlays);
  const placedResults = new Set<FileResult>(overlays?.placed.values() ?? []);
  const plain = results.filter(
    (r) => r.readError === undefined && r.generated === undefined && !placedResults.has(r),
  );
  // The distinct options of the run's files (generated findings land in the files that set them).
  const runs = new Map<string, HardeningOptions>();
  for (const r of plain) runs.set(of(r.path).key, of(r.path).options);
  for (const r of results)
    if (r.generated !== undefined || placedResults.has(r))
      runs.set(of(r.path).key, of(r.path).options);
  if (runs.size === 0) runs.set(of('-').key, of('-').options);
  for (const [key, o] of runs) if (!hardeningEnabled(o)) runs.delete(key);
  if (runs.size === 0) {
    base.share?.clear();
    return null;
  }

  const limits = {
    maxFileBytes: base.maxFileBytes,
    maxAliasCount: base.maxAliasCount,
    maxDepth: base.maxDepth,
  };
  // A file the analysis parsed whole is not parsed again (`base.share`, filled by the analysis).
  const share = base.share ? { share: base.share } : {};
  const sources: HardeningSource[] = plain.map((r) =>
    hardeningSource(r.path, r.text, { ...limits, ...share }),
  );
  base.share?.clear();
  generated.forEach((g, i) => sources.push(generatedHardeningSource(g, i, limits)));
  const byFile = new Map<string, FileResult>();
  for (const r of results) if (r.path !== '-') byFile.set(enginePath(r.path, cwd), r);
  let first: HardeningRun | null = null;
  // A generated finding may land in a file of other options (a base under another .podsec.yaml):
  // those options get their run too.
  const queue = [...runs];
  const done = new Set<string>();
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [key, o] = next;
    if (done.has(key)) continue;
    done.add(key);
    const run = runHardening(sources, o);
    first ??= run;
    for (const r of plain)
      if (of(r.path).key === key) r.analysis = mergeHardening(r.analysis, r.path, run, policy);
    if (generated.length === 0) continue;
    for (const [file, p] of placeGeneratedHardening(run, generated, policy, readText)) {
      if (p.findings.length === 0 && p.notes.length === 0 && p.suppressed.length === 0) continue;
      let r = byFile.get(file);
      const own = of(r?.path ?? file);
      if (own.key !== key) {
        if (!done.has(own.key) && hardeningEnabled(own.options)) queue.push([own.key, own.options]);
        continue;
      }
      if (!r) {
        // A file an overlay read that has nothing of its own to report (its text was just read).
        const text = readText(file);
        if (text === null) continue;
        r = {
          path: display(file, cwd),
          text,
          analysis: { findings: [], errors: [], notes: [], workloads: [], objects: 0 },
        };
        results.push(r);
        byFile.set(file, r);
      }
      addPlaced(r, p);
    }
  }
  return first;
}

/**
 * The report's hardening section of a run addHardening made over `results`:
 * each check's findings counted as the files list them (those of generated
 * objects in the files that set them, each file under its own options, with
 * its suppressions), and the run's namespaces and audit policies. Null when
 * the checks were off.
 */
export function hardeningSection(
  run: HardeningRun | null,
  results: readonly FileResult[],
  policy: Policy,
): HardeningReport | null {
  if (run === null) return null;
  return hardeningReport(run, policy, {
    placed: results.map((r) => r.analysis.findings.filter(isHardeningFinding)),
    generated: () => true,
    displayName: generatedDisplayName,
  });
}

/**
 * The hardening section of `podsec report`, read as the check command reads
 * the same paths: `plain` are the files reported on their own, `charts` the
 * results of the charts among them (their renders), `overlays` the overlay
 * builds; `configs` gives each file its `.podsec.yaml` options.
 */
export function reportHardening(
  plain: ReadonlyArray<{ path: string; text: string }>,
  charts: readonly FileResult[],
  options: HardeningOptions,
  base: AnalyzeOptions,
  policy: Policy,
  overlays: Pick<OverlayRun, 'evaluations' | 'placed'>,
  configs: HardeningConfigs,
): HardeningReport | null {
  const empty = () => ({ findings: [], errors: [], notes: [], workloads: [], objects: 0 });
  const results: FileResult[] = [
    ...plain.map((p) => ({ path: p.path, text: p.text, analysis: empty() })),
    ...charts,
    ...overlays.placed.values(),
  ];
  const run = addHardening(results, options, base, policy, overlays, configs);
  return hardeningSection(run, results, policy);
}
