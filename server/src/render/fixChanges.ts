/**
 * A fix as the machine-readable outputs carry it: its edits by file, the
 * finding's own file first, then each other file it edits (`Fix.files`: a
 * patch an overlay gains and the kustomization that lists it, the
 * ServiceAccount that decides a token mount), each with the line table of
 * that file's own text. A fix whose other file cannot be read (or no longer
 * holds the text its edits count) cannot be shown: it is left out, with why.
 */
import { LineIndex } from '../engine/index';
import type { Finding, Fix, TextEdit } from '../engine/index';
import { editsOtherFiles, fixEdits } from '../engine/fixes/edits';
import type { FileResult } from './fileResult';
import { linesOf } from './fileResult';

/** A file a fix edits: as the output names it, and its text (or why there is none). */
export type FixFileText = { shown: string; text: string } | { shown: string; problem: string };

/**
 * The files fixes edit, as the run sees them (the command line: paths of the
 * working folder, texts as read).
 */
export interface FixFiles {
  /** The one name of a file, whether a result's path or a fix's: absolute, `/`-separated. */
  key(path: string): string;
  /** The file named `key`: how the output names it, and its text. */
  read(key: string): FixFileText;
  /** How the output names a file a fix creates. */
  shown(key: string): string;
}

/** One file's part of a fix, ready to print. */
export interface FixChange {
  /** The path as the output names it. */
  path: string;
  /** The fix creates the file (its edits count from the empty text). */
  create: boolean;
  /** The line table of the text the edits count. */
  lines: LineIndex;
  edits: readonly TextEdit[];
}

export type ShownFix = { fix: Fix; changes: FixChange[] } | { fix: Fix; leftOut: string };

const EMPTY = new LineIndex('');

/**
 * The parts of `fix` of the finding reported in `r`, one per file; when it
 * edits other files and `files` is absent, or one of them cannot be read, the
 * reason it is left out.
 */
export function showFix(r: FileResult, fix: Fix, files?: FixFiles): ShownFix {
  if (!editsOtherFiles(fix)) {
    return { fix, changes: [{ path: r.path, create: false, lines: linesOf(r), edits: fix.edits }] };
  }
  if (!files) return { fix, leftOut: 'it edits another file' };
  const own = r.path === '-' ? '-' : files.key(r.path);
  const normal: Fix = {
    ...fix,
    ...(fix.files ? { files: fix.files.map((f) => ({ ...f, path: files.key(f.path) })) } : {}),
  };
  const changes: FixChange[] = [];
  for (const part of fixEdits(normal, own)) {
    const create = part.create === true;
    if (part.path === own && !create) {
      changes.push({ path: r.path, create, lines: linesOf(r), edits: part.edits });
      continue;
    }
    if (part.path === '-') return { fix, leftOut: 'it edits standard input' };
    if (create) {
      changes.push({ path: files.shown(part.path), create, lines: EMPTY, edits: part.edits });
      continue;
    }
    const t = files.read(part.path);
    if ('problem' in t) return { fix, leftOut: `${t.shown} ${t.problem}` };
    if (part.edits.some((e) => e.start < 0 || e.start > e.end || e.end > t.text.length))
      return { fix, leftOut: `${t.shown} no longer holds the text the fix was made on` };
    changes.push({ path: t.shown, create, lines: new LineIndex(t.text), edits: part.edits });
  }
  return { fix, changes };
}

/** A SARIF notification of the run (`invocations[0].toolExecutionNotifications`). */
export interface SarifNotification {
  level: 'warning';
  message: { text: string };
  locations: unknown[];
}

export interface SarifFixContext {
  /** The finding's file as the log names it. */
  uri: string;
  /** A path as the log names it. */
  toUri: (path: string) => string;
  files?: FixFiles;
  notify: (n: SarifNotification) => void;
}

function sarifRegion(lines: LineIndex, start: number, end: number) {
  const s = lines.humanPosition(start);
  const e = lines.humanPosition(end);
  return { startLine: s.line, startColumn: s.column, endLine: e.line, endColumn: e.column };
}

/**
 * A result's `fixes`: one per fix that can be shown, its `artifactChanges`
 * one per file (the finding's own first). A fix left out is told in a
 * notification at the finding, with why; no `fixes` when none is left.
 */
export function sarifFixes(r: FileResult, f: Finding, ctx: SarifFixContext): { fixes?: unknown[] } {
  const fixes: unknown[] = [];
  for (const fx of f.fixes) {
    const shown = showFix(r, fx, ctx.files);
    if ('leftOut' in shown) {
      // Without the other files' texts (a caller that has none) nothing is told: as before.
      if (!ctx.files) continue;
      ctx.notify({
        level: 'warning',
        message: {
          text: `The fix "${fx.title}" of ${f.check} in ${r.path} is left out: ${shown.leftOut}.`,
        },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: ctx.uri },
              region: sarifRegion(linesOf(r), f.span.start, f.span.end),
            },
          },
        ],
      });
      continue;
    }
    fixes.push({
      description: {
        text: fx.safe
          ? fx.title
          : `${fx.title} (may change how the workload runs: podsec --fix-unsafe)`,
      },
      artifactChanges: shown.changes.map((c) => ({
        artifactLocation: { uri: c.path === r.path ? ctx.uri : ctx.toUri(c.path) },
        replacements: c.edits.map((e) => ({
          deletedRegion: sarifRegion(c.lines, e.start, e.end),
          insertedContent: { text: e.newText },
        })),
        ...(c.create ? { properties: { create: true } } : {}),
      })),
      properties: { safe: fx.safe },
    });
  }
  return fixes.length > 0 ? { fixes } : {};
}

/** A fix as `--format json` lists it: its edits by file, 1-based lines and columns in code points. */
export function jsonFix(r: FileResult, fx: Fix, files?: FixFiles): Record<string, unknown> {
  const shown = showFix(r, fx, files);
  if ('leftOut' in shown) return { title: fx.title, safe: fx.safe, leftOut: shown.leftOut };
  return {
    title: fx.title,
    safe: fx.safe,
    changes: shown.changes.map((c) => ({
      path: c.path,
      ...(c.create ? { create: true } : {}),
      edits: c.edits.map((e) => {
        const s = c.lines.humanPosition(e.start);
        const end = c.lines.humanPosition(e.end);
        return {
          line: s.line,
          column: s.column,
          endLine: end.line,
          endColumn: end.column,
          text: e.newText,
        };
      }),
    })),
  };
}

/**
 * A JSON finding's `fixes`: given when one of its fixes edits another file
 * (the others' edits of the finding's own file are --fix's and SARIF's), each
 * fix with its changes by file, or `leftOut` and why.
 */
export function jsonFixes(r: FileResult, f: Finding, files?: FixFiles): { fixes?: unknown[] } {
  if (!f.fixes.some(editsOtherFiles)) return {};
  return { fixes: f.fixes.map((fx) => jsonFix(r, fx, files)) };
}
