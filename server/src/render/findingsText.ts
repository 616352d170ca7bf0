/** `podsec` text output: one line per finding, grouped by file, and a summary line. */
import { findingSummary, plural, visible } from '../engine/index';
import type { Severity } from '../engine/index';
import type { FileResult } from './fileResult';
import { linesOf, totals } from './fileResult';

interface Style {
  red: (s: string) => string;
  yellow: (s: string) => string;
  blue: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

function style(color: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) =>
    color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    blue: wrap(34, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

export function toText(results: readonly FileResult[], color: boolean): string {
  let out = '';
  for (const piece of textChunks(results, color)) out += piece;
  return out;
}

/**
 * The text of `toText`, one piece per file as it is rendered, then the
 * summary line: the output is never built whole.
 */
export function* textChunks(results: readonly FileResult[], color: boolean): Generator<string> {
  const s = style(color);
  const sev = (v: Severity | 'note') =>
    v === 'error'
      ? s.red('error')
      : v === 'warning'
        ? s.yellow('warning')
        : s.blue(v === 'note' ? 'note' : 'info');
  // Blocks are separated by a blank line.
  let sep = '';
  // Paths and messages carry user text: control characters are shown, never sent.
  for (const r of results) {
    const rows: Array<{ at: number; line: string }> = [];
    const path = visible(r.path);
    const where = (offset: number) => {
      const p = linesOf(r).humanPosition(offset);
      return `${path}:${p.line}:${p.column}`;
    };
    if (r.skipped !== undefined) {
      rows.push({ at: -1, line: `${path}  ${s.yellow('skipped')}  ${visible(r.skipped)}` });
    }
    if (r.revisit !== undefined) {
      rows.push({ at: -1, line: `${path}  ${sev('note')}  ${visible(r.revisit)}` });
    }
    if (r.link?.outside) {
      rows.push({
        at: -1,
        line: `${path}  ${sev('note')}  read through a symbolic link to ${visible(r.link.target)}, outside the paths given (--fix does not write it)`,
      });
    }
    if (r.readError) {
      const at = r.readErrorAt ?? { line: 1, column: 1 };
      rows.push({
        at: -1,
        line: `${path}:${at.line}:${at.column}  ${sev('error')}  ${visible(r.readError)}`,
      });
    }
    for (const d of r.analysis.errors) {
      rows.push({
        at: d.span.start,
        line: `${where(d.span.start)}  ${sev('error')}  ${visible(d.message)}  ${s.dim(`[${d.code}]`)}`,
      });
    }
    for (const d of r.analysis.notes) {
      rows.push({
        at: d.span.start,
        line: `${where(d.span.start)}  ${sev('note')}  ${visible(d.message)}`,
      });
    }
    for (const f of r.analysis.findings) {
      const existing = r.existing?.has(f) === true;
      rows.push({
        at: f.span.start,
        line: `${where(f.span.start)}  ${sev(existing ? 'note' : f.severity)}  ${visible(findingSummary(f))}  ${s.dim(`[${f.check}]${existing ? ' (existing, in the baseline)' : ''}`)}`,
      });
    }
    if (r.fixed)
      rows.push({
        at: Number.MAX_SAFE_INTEGER,
        line: `${path}  ${s.dim(`fixed ${plural(r.fixed, 'finding')}`)}`,
      });
    if (r.fixError !== undefined)
      rows.push({
        at: Number.MAX_SAFE_INTEGER,
        line: `${path}  ${sev('error')}  --fix: ${visible(r.fixError)}`,
      });
    if (rows.length === 0) continue;
    rows.sort((a, b) => a.at - b.at);
    yield sep + rows.map((x) => x.line).join('\n');
    sep = '\n\n';
  }
  const t = totals(results);
  const parts = [
    plural(t.bySeverity.error, 'error'),
    plural(t.bySeverity.warning, 'warning'),
    ...(t.bySeverity.information > 0 ? [plural(t.bySeverity.information, 'info', 'info')] : []),
    ...(results.some((r) => r.existing) ? [`${t.existing} existing`] : []),
  ];
  const fixed = results.reduce((n, r) => n + (r.fixed ?? 0), 0);
  const clean = t.findings - t.existing === 0 && t.errors === 0 && t.notWritten === 0;
  const summary =
    `${clean ? (t.skipped === 0 ? '✓' : '!') : '✖'} ${plural(t.findings, 'finding')} (${parts.join(', ')})` +
    `${t.errors > 0 ? `, ${plural(t.errors, 'file error')}` : ''}` +
    `${t.suppressed > 0 ? `, ${t.suppressed} suppressed` : ''}` +
    ` in ${plural(t.objects, 'object')}, ${plural(t.files, 'file')}` +
    `${t.skipped > 0 ? `; ${t.skipped} skipped (not read or not evaluated)` : ''}` +
    `${fixed > 0 ? `; ${plural(fixed, 'fix', 'fixes')} applied` : ''}` +
    `${t.notWritten > 0 ? `; ${plural(t.notWritten, 'fixed file')} not written` : ''}`;
  const bold = t.bySeverity.error > 0 || t.errors > 0 || t.notWritten > 0;
  yield `${sep}${bold ? s.bold(summary) : summary}\n`;
}
