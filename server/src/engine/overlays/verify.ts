/**
 * Whether a fix made in an overlay's files clears its finding in that
 * overlay's build: the overlay is built again over the files as the fix
 * leaves them (nothing is written) and the build analysed as before; the
 * fix clears the finding when that object no longer fails the same check at
 * the same field. Used where an edit can expose what lies under it (taking a
 * JSON 6902 operation out leaves the base's own value in place).
 */
import { analyze } from '../index';
import { applyEdits, fixEdits } from '../fixes/edits';
import { buildKustomization } from '../kustomize/build';
import type { BuildOptions } from '../kustomize/build';
import { normalizePath, TextsOverFs } from '../sources/sourceFs';
import type { SourceFs } from '../sources/sourceFs';
import type { AnalyzeOptions, FileEdits, Finding, Fix } from '../types';

export interface VerifyContext {
  fs: SourceFs;
  /** The overlay built. */
  dir: string;
  build: BuildOptions;
  analyze: AnalyzeOptions;
  /**
   * The findings of each edited build made so far, by its edits (null: it
   * failed), shared by the fixes of one overlay: an operation that many
   * objects share is taken out in one build. At most `MAX_REBUILDS` builds.
   */
  rebuilt: Map<string, Finding[] | null>;
}

/** Most edited builds of one overlay's evaluation; past them, a fix that needs one is not offered. */
export const MAX_REBUILDS = 64;

/** Whether `a` is the finding `f` again: the same check on the same object and field. */
function sameFinding(a: Finding, f: Finding): boolean {
  return (
    a.check === f.check &&
    a.path === f.path &&
    a.object.kind === f.object.kind &&
    a.object.name === f.object.name &&
    (a.object.namespace ?? '') === (f.object.namespace ?? '')
  );
}

/**
 * Whether `fix` (its edits of `file` and of the files it names) leaves the
 * overlay building without any of `findings` (the findings of its build
 * placed where the fix's finding is: every object an operation reaches). A
 * fix whose files cannot be read, or after which the overlay does not
 * build, does not.
 */
export function fixClears(
  ctx: VerifyContext,
  findings: readonly Finding[],
  fix: Fix,
  file: string,
): boolean {
  const parts = fixEdits(fix, file);
  const key = JSON.stringify(parts);
  let found = ctx.rebuilt.get(key);
  if (found === undefined) {
    if (ctx.rebuilt.size >= MAX_REBUILDS) return false;
    found = rebuild(ctx, parts);
    ctx.rebuilt.set(key, found);
  }
  const after = found;
  return after !== null && !findings.some((f) => after.some((x) => sameFinding(x, f)));
}

function rebuild(ctx: VerifyContext, parts: readonly FileEdits[]): Finding[] | null {
  const texts = new Map<string, string>();
  for (const part of parts) {
    const before = part.create ? '' : ctx.fs.readText(part.path);
    if (before === null) return null;
    texts.set(normalizePath(part.path), applyEdits(before, part.edits));
  }
  const b = buildKustomization(new TextsOverFs(ctx.fs, texts), ctx.dir, ctx.build);
  return b.error ? null : analyze(b.source.text, ctx.analyze).findings;
}
