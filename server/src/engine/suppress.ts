/**
 * In-file suppressions:
 *
 *   # podsec-ignore <checkId>[,<checkId>…] -- <reason>
 *
 * on its own line silences those checks in the YAML node that starts on the
 * next line (a field, a container, or, above a document's first line, the
 * whole document); at the end of a line it silences them on that line's node.
 *
 * Comments do not survive tools that re-serialise YAML (kustomize build,
 * helm template), so an object may carry the same directive as an annotation,
 * on the workload or on its pod template, silencing those checks in the
 * whole object:
 *
 *   metadata:
 *     annotations:
 *       podsec.io/ignore: "<checkId>[,<checkId>…] -- <reason>"
 */
import { HARDENING_CHECK_IDS } from './hardening/results';
import type { HardeningCheckId } from './hardening/results';
import type { LineIndex } from './lines';
import type { CheckId, Span } from './types';
import { CHECK_IDS } from './types';

export interface Suppression {
  /** Span of the comment itself. */
  span: Span;
  /** Pod Security and hardening check IDs named. */
  checks: Array<CheckId | HardeningCheckId>;
  unknown: string[];
  reason: string;
  /** Offsets silenced: [start, end). */
  covers: Span;
  used: boolean;
  /** A `# podsec-ignore` comment (the default) or a `podsec.io/ignore` annotation. */
  form?: 'comment' | 'annotation';
}

/** The annotation key of object-level suppressions. */
export const IGNORE_ANNOTATION = 'podsec.io/ignore';

/** The parts of a directive's body: `<checkId>[,<checkId>…] -- <reason>`. */
export function parseDirective(body: string): {
  checks: Array<CheckId | HardeningCheckId>;
  unknown: string[];
  reason: string;
} {
  const b = body.trim();
  const sep = b.indexOf('--');
  const idsPart = (sep >= 0 ? b.slice(0, sep) : b).trim();
  const reason = sep >= 0 ? b.slice(sep + 2).trim() : '';
  const ids = idsPart.split(/[\s,]+/).filter((x) => x.length > 0);
  return {
    checks: ids.filter((x): x is CheckId | HardeningCheckId => KNOWN.has(x)),
    unknown: ids.filter((x) => !KNOWN.has(x)),
    reason,
  };
}

const DIRECTIVE = /(^|[ \t])#[ \t]*podsec-ignore\b(.*)$/;
const KNOWN = new Set<string>([...CHECK_IDS, ...HARDENING_CHECK_IDS]);

function indentOf(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  return i === end ? -1 : i - start;
}

function isCommentOrBlank(text: string, start: number, end: number): boolean {
  const ind = indentOf(text, start, end);
  return ind < 0 || text[start + ind] === '#';
}

/**
 * Find the suppressions in a text. `docRanges` are the spans of each
 * document's content: a suppression right above its first line covers it all.
 */
export function findSuppressions(
  text: string,
  lines: LineIndex,
  docRanges: readonly Span[],
): Suppression[] {
  if (!text.includes('podsec-ignore')) return [];
  const out: Suppression[] = [];
  for (let line = 0; line < lines.lineCount; line++) {
    const ls = lines.lineStart(line);
    const le = lines.lineEnd(line);
    const lineText = text.slice(ls, le);
    if (!lineText.includes('podsec-ignore')) continue;
    const m = DIRECTIVE.exec(lineText);
    if (!m) continue;
    const hashAt = ls + (m.index ?? 0) + (m[1]?.length ?? 0);
    const { checks, unknown, reason } = parseDirective(m[2] ?? '');
    // Target: this line when the comment trails content, else the next line with content.
    let target = line;
    const standalone = indentOf(text, ls, le) >= 0 && text[ls + indentOf(text, ls, le)] === '#';
    if (standalone) {
      target = line + 1;
      while (
        target < lines.lineCount &&
        isCommentOrBlank(text, lines.lineStart(target), lines.lineEnd(target))
      ) {
        target++;
      }
    }
    let covers: Span = { start: 0, end: 0 };
    if (target < lines.lineCount) {
      const ts = lines.lineStart(target);
      const te = lines.lineEnd(target);
      const doc = docRanges.find((r) => lines.lineOf(r.start) === target);
      if (doc) {
        covers = { start: ls, end: doc.end };
      } else {
        const ind = indentOf(text, ts, te);
        let end = te;
        for (let l = target + 1; l < lines.lineCount; l++) {
          const s = lines.lineStart(l);
          const e = lines.lineEnd(l);
          const li = indentOf(text, s, e);
          if (li < 0 || text[s + li] === '#') continue;
          if (li <= ind || text.startsWith('---', s) || text.startsWith('...', s)) break;
          end = e;
        }
        covers = { start: ts, end };
      }
    }
    out.push({ span: { start: hashAt, end: le }, checks, unknown, reason, covers, used: false });
  }
  return out;
}

/** The suppression silencing `check` at `offset`, if any (and marks it used). */
export function suppressedBy(
  sups: readonly Suppression[],
  check: string,
  offset: number,
): Suppression | null {
  for (const s of sups) {
    if (
      offset >= s.covers.start &&
      offset <= s.covers.end &&
      (s.checks as string[]).includes(check)
    ) {
      s.used = true;
      return s;
    }
  }
  return null;
}
