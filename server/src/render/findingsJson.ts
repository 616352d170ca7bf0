/** `podsec --format json`: the results as one JSON document. */
import { clip } from '../engine/index';
import type { Diagnostic } from '../engine/index';
import type { FileResult } from './fileResult';
import { checked, linesOf, locate, skipReason, totals } from './fileResult';

export function toJson(
  results: readonly FileResult[],
  policy: { level: string; version: string },
): string {
  const t = totals(results);
  const diag = (r: FileResult, d: Diagnostic) => {
    const p = linesOf(r).humanPosition(d.span.start);
    return { message: d.message, line: p.line, column: p.column };
  };
  const doc = {
    policy,
    files: results.filter(checked).map((r) => ({
      path: r.path,
      ...(r.link ? { link: r.link } : {}),
      ...(r.fixError !== undefined ? { notWritten: r.fixError } : {}),
      findings: r.analysis.findings.map((f) => ({
        check: f.check,
        ...(f.family ? { family: f.family } : {}),
        level: f.level,
        severity: f.severity,
        message: f.message,
        ...locate(linesOf(r), f.span.start, f.span.end),
        object: {
          kind: f.object.kind,
          name: f.object.name === null ? null : clip(f.object.name),
          namespace: f.object.namespace,
          document: f.object.document,
        },
        container: f.container === null ? null : clip(f.container),
        policy: { level: f.policy.level, version: f.evaluatedVersion },
        fixable: f.fixes.length > 0,
      })),
      errors: [
        ...(r.readError
          ? [
              {
                message: r.readError,
                line: r.readErrorAt?.line ?? 1,
                column: r.readErrorAt?.column ?? 1,
              },
            ]
          : []),
        ...r.analysis.errors.map((d) => diag(r, d)),
      ],
      notes: r.analysis.notes.map((d) => diag(r, d)),
    })),
    // Every file not read or not evaluated, and (counted: false) the loops and second links named only.
    skipped: results.flatMap((r) => {
      if (r.revisit !== undefined) return [{ path: r.path, reason: r.revisit, counted: false }];
      const reason = skipReason(r);
      return reason === null ? [] : [{ path: r.path, reason, counted: true }];
    }),
    summary: {
      files: t.files,
      objects: t.objects,
      findings: t.findings,
      errors: t.errors,
      skipped: t.skipped,
      notWritten: t.notWritten,
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
