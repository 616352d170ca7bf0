/**
 * Fixes that edit more than one file: a fix's edits of its own file (the
 * file its finding is reported in) and of other files (`Fix.files`: a patch
 * an overlay gains, the kustomization that lists it), and the choice of the
 * fixes a run applies together. A fix is applied whole or not at all: every
 * file it edits must read as it did (or, for a file it creates, not exist),
 * and none of its edits may touch an edit already chosen in the same file;
 * a fix left out is made by a later round, on the texts as they are then.
 *
 * The CLI's `--fix` writes the texts this returns through its writer; the
 * language server turns the same edits into one WorkspaceEdit.
 */
import type { FileEdits, Finding, Fix, TextEdit } from '../types';
import { applyEdits } from './planner';

/** The edits of `fix` by file: its own file (`file`) first, when it edits it, then the others. */
export function fixEdits(fix: Fix, file: string): FileEdits[] {
  const out: FileEdits[] = [];
  if (fix.edits.length > 0) out.push({ path: file, edits: fix.edits });
  for (const f of fix.files ?? []) {
    if (f.edits.length === 0 && f.create !== true) continue;
    const same = out.find((o) => o.path === f.path && (o.create ?? false) === (f.create ?? false));
    if (same) same.edits = [...same.edits, ...f.edits];
    else out.push(f);
  }
  return out;
}

/** Whether the fix changes anything, in its own file or another. */
export function fixHasEdits(fix: Fix): boolean {
  return fix.edits.length > 0 || (fix.files ?? []).some((f) => f.edits.length > 0 || f.create);
}

/** Whether the fix edits a file other than its finding's. */
export function editsOtherFiles(fix: Fix): boolean {
  return (fix.files ?? []).some((f) => f.edits.length > 0 || f.create);
}

/** A finding and the file it is reported in. */
export interface PlacedFinding {
  file: string;
  finding: Finding;
}

export interface FixChoice {
  /** Only the findings it accepts. */
  filter?: (f: Finding) => boolean;
  /** Unsafe fixes too (each finding's first fix, safe or not). */
  unsafe?: boolean;
  /** Fixes that edit other files too (default true); without, only fixes of the finding's own file. */
  otherFiles?: boolean;
  /**
   * The files a fix may edit or create (by default all): a fix that edits
   * another is passed over for the finding's next fix (a fix in the overlay
   * given, when its base lies outside the paths given).
   */
  writable?: (path: string) => boolean;
}

/** The new text of one file after a plan's edits. */
export interface FileChange {
  path: string;
  /** The text the edits were made on (empty for a file created). */
  before: string;
  text: string;
  create: boolean;
}

export interface FixPlan {
  /** Each file the chosen fixes change, in the order first reached. */
  changes: FileChange[];
  /** Fixes chosen, counted in the file of their finding. */
  applied: Map<string, number>;
  /** Fixes chosen in all. */
  count: number;
}

function touches(a: TextEdit, b: TextEdit): boolean {
  return a.start <= b.end && b.start <= a.end;
}

function inside(edits: readonly TextEdit[], length: number): boolean {
  return edits.every((e) => 0 <= e.start && e.start <= e.end && e.end <= length);
}

/**
 * Choose the fixes to apply together and make their texts. For each finding
 * in order, its first safe fix (its first fix with `unsafe`) that edits
 * something; each distinct fix once. `read` gives a file's text as the
 * fixes' offsets count it, or null when it does not exist or cannot be read.
 */
export function planFixes(
  findings: Iterable<PlacedFinding>,
  read: (path: string) => string | null,
  choice: FixChoice = {},
): FixPlan {
  const texts = new Map<string, string | null>();
  const textOf = (p: string): string | null => {
    if (!texts.has(p)) texts.set(p, read(p));
    return texts.get(p) ?? null;
  };
  const chosen = new Map<string, { create: boolean; edits: TextEdit[] }>();
  const order: string[] = [];
  const seen = new Set<string>();
  const applied = new Map<string, number>();
  let count = 0;
  for (const { file, finding } of findings) {
    if (choice.filter && !choice.filter(finding)) continue;
    const writable = choice.writable;
    const fix = finding.fixes.find(
      (x) =>
        (x.safe || choice.unsafe === true) &&
        fixHasEdits(x) &&
        (choice.otherFiles !== false || !editsOtherFiles(x)) &&
        (!writable || fixEdits(x, file).every((p) => writable(p.path))),
    );
    if (!fix) continue;
    const parts = fixEdits(fix, file);
    const key = JSON.stringify(parts);
    if (seen.has(key)) continue;
    seen.add(key);
    const fits = parts.every((p) => {
      const create = p.create === true;
      const text = textOf(p.path);
      if (create ? text !== null : text === null) return false;
      if (!inside(p.edits, create ? 0 : (text as string).length)) return false;
      const c = chosen.get(p.path);
      if (!c) return true;
      // A file created by one fix is not created or edited by another in the same round.
      if (c.create || create) return false;
      return !p.edits.some((e) => c.edits.some((t) => touches(e, t)));
    });
    if (!fits) continue;
    for (const p of parts) {
      let c = chosen.get(p.path);
      if (!c) {
        c = { create: p.create === true, edits: [] };
        chosen.set(p.path, c);
        order.push(p.path);
      }
      c.edits.push(...p.edits);
    }
    applied.set(file, (applied.get(file) ?? 0) + 1);
    count++;
  }
  const changes: FileChange[] = order.map((path) => {
    const c = chosen.get(path) as { create: boolean; edits: TextEdit[] };
    const before = c.create ? '' : (textOf(path) as string);
    return { path, before, text: applyEdits(before, c.edits), create: c.create };
  });
  return { changes, applied, count };
}
