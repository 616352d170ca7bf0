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
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { hardeningEnabled, hardeningSource, mergeHardening, runHardening } from '../engine/index';
import type {
  AnalyzeOptions,
  HardeningOptions,
  HardeningRun,
  HardeningSource,
  Policy,
} from '../engine/index';
import {
  generatedHardeningSource,
  overlayHardeningInputs,
  placeGeneratedHardening,
} from '../engine/project/index';
import type { GeneratedHardeningInput } from '../engine/project/index';
import type { OverlayRun } from './overlays';
import { enginePath } from './overlays';
import type { FileResult } from './report';

function readText(path: string): string | null {
  try {
    const t = readFileSync(path, 'utf8');
    return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
  } catch {
    return null;
  }
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

/**
 * Add the hardening findings to `results` (in place; a file that only
 * generated objects' findings land in is added); the run, or null when every
 * check is off. `overlays` are the run's overlay builds, whose placed results
 * are among `results`.
 */
export function addHardening(
  results: FileResult[],
  options: HardeningOptions,
  base: AnalyzeOptions,
  policy: Policy,
  overlays?: Pick<OverlayRun, 'evaluations' | 'placed'>,
  cwd = process.cwd(),
): HardeningRun | null {
  if (!hardeningEnabled(options)) return null;
  const limits = {
    maxFileBytes: base.maxFileBytes,
    maxAliasCount: base.maxAliasCount,
    maxDepth: base.maxDepth,
  };
  const generated = generatedInputs(results, overlays);
  const placedResults = new Set<FileResult>(overlays?.placed.values() ?? []);
  const plain = results.filter(
    (r) => r.readError === undefined && r.generated === undefined && !placedResults.has(r),
  );
  const sources: HardeningSource[] = plain.map((r) => hardeningSource(r.path, r.text, limits));
  generated.forEach((g, i) => sources.push(generatedHardeningSource(g, i, limits)));
  const run = runHardening(sources, options);
  for (const r of plain) r.analysis = mergeHardening(r.analysis, r.path, run, policy);
  if (generated.length === 0) return run;
  const placed = placeGeneratedHardening(run, generated, policy, readText);
  const byFile = new Map<string, FileResult>();
  for (const r of results) if (r.path !== '-') byFile.set(enginePath(r.path, cwd), r);
  for (const [file, p] of placed) {
    if (p.findings.length === 0 && p.notes.length === 0 && p.suppressed.length === 0) continue;
    let r = byFile.get(file);
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
    const a = r.analysis;
    r.analysis = {
      ...a,
      findings: [...a.findings, ...p.findings],
      notes: [...a.notes, ...p.notes].sort((x, y) => x.span.start - y.span.start),
      ...(p.suppressed.length > 0
        ? { suppressed: [...(a.suppressed ?? []), ...p.suppressed] }
        : {}),
    };
  }
  return run;
}
