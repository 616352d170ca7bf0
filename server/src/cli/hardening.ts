/**
 * The hardening checks over every file of a run together: a NetworkPolicy,
 * a quota or a ServiceAccount in one file changes the findings of workloads
 * in another. Each file's share joins its results (see
 * engine/hardening/findings.ts); the Pod Security findings stay as they are.
 */
import { hardeningEnabled, hardeningSource, mergeHardening, runHardening } from '../engine/index';
import type { AnalyzeOptions, HardeningOptions, HardeningRun, Policy } from '../engine/index';
import type { FileResult } from './report';

/** Add the hardening findings to `results` (in place); the run, or null when every check is off. */
export function addHardening(
  results: FileResult[],
  options: HardeningOptions,
  base: AnalyzeOptions,
  policy: Policy,
): HardeningRun | null {
  if (!hardeningEnabled(options)) return null;
  const readable = results.filter((r) => r.readError === undefined);
  const run = runHardening(
    readable.map((r) =>
      hardeningSource(r.path, r.text, {
        maxFileBytes: base.maxFileBytes,
        maxAliasCount: base.maxAliasCount,
        maxDepth: base.maxDepth,
      }),
    ),
    options,
  );
  for (const r of readable) r.analysis = mergeHardening(r.analysis, r.path, run, policy);
  return run;
}
