/**
 * `podsec --format github`: GitHub Actions workflow commands, one per
 * finding or error, which the runner turns into annotations on the pull
 * request's files:
 *
 *   ::error file=k8s/web.yaml,line=12,col=13,endLine=12,endColumn=29,title=podsec privileged::privileged (…)
 *
 * Severity error → `::error`, warning → `::warning`, information and
 * findings of the baseline → `::notice`. Suppressed findings are not
 * annotated. Values are escaped as the runner requires (`%`, CR and LF in
 * the message; also `:` and `,` in properties), so no text of a manifest can
 * end a command early or start another.
 */
import type { Severity } from '../engine/index';
import type { FileResult } from './fileResult';
import { linesOf, locate } from './fileResult';

const COMMAND: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'notice',
};

/** Escapes a command's message, as the runner reads it. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property's value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(
  name: string,
  props: Record<string, string | number | undefined>,
  message: string,
): string {
  const p = Object.entries(props)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name} ${p}::${escapeData(message)}`;
}

export function toGithub(results: readonly FileResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const file = r.path === '-' ? undefined : r.path.replace(/\\/g, '/');
    const at = (start: number, end: number) => {
      const l = locate(linesOf(r), start, end);
      return { line: l.line, col: l.column, endLine: l.endLine, endColumn: l.endColumn };
    };
    if (r.readError) {
      out.push(
        command(
          'error',
          {
            file,
            line: r.readErrorAt?.line ?? 1,
            col: r.readErrorAt?.column ?? 1,
            title: 'podsec',
          },
          r.readError,
        ),
      );
    }
    for (const d of r.analysis.errors) {
      out.push(
        command(
          'error',
          { file, ...at(d.span.start, d.span.end), title: `podsec ${d.code}` },
          d.message,
        ),
      );
    }
    for (const f of r.analysis.findings) {
      const existing = r.existing?.has(f) === true;
      out.push(
        command(
          existing ? 'notice' : COMMAND[f.severity],
          {
            file,
            ...at(f.span.start, f.span.end),
            title: `podsec ${f.check}${existing ? ' (existing)' : ''}`,
          },
          f.message,
        ),
      );
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
