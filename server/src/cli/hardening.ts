/**
 * The hardening checks over every file of a run together: a NetworkPolicy,
 * a quota or a ServiceAccount in one file changes the findings of workloads
 * in another. Each file's share joins its results (see
 * engine/hardening/findings.ts); the Pod Security findings stay as they are.
 */
import { CompactHardening, hardeningEnabled } from '../engine/index';
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
  // Two passes, so that only one file's parsed YAML is held at a time: each file's objects as
  // plain values first, then each file parsed again to place and merge its findings.
  const hardening = new CompactHardening(options, {
    ...(base.maxFileBytes !== undefined ? { maxFileBytes: base.maxFileBytes } : {}),
    ...(base.maxAliasCount !== undefined ? { maxAliasCount: base.maxAliasCount } : {}),
    ...(base.maxDepth !== undefined ? { maxDepth: base.maxDepth } : {}),
  });
  for (const r of readable) hardening.add(r.path, r.text);
  for (const r of readable) r.analysis = hardening.merge(r.analysis, r.path, r.text, policy);
  return hardening.run();
}
