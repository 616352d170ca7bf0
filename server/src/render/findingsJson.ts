/** `podsec --format json`: the results as one JSON document. */
import type { Diagnostic } from '../engine/index';
import type { FileResult } from './fileResult';
import { linesOf, locate, totals } from './fileResult';

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
    files: results.map((r) => ({
      path: r.path,
      findings: r.analysis.findings.map((f) => ({
        check: f.check,
        ...(f.family ? { family: f.family } : {}),
        level: f.level,
        severity: f.severity,
        message: f.message,
        ...locate(linesOf(r), f.span.start, f.span.end),
        object: {
          kind: f.object.kind,
          name: f.object.name,
          namespace: f.object.namespace,
          document: f.object.document,
        },
        container: f.container,
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
    summary: { files: t.files, objects: t.objects, findings: t.findings, errors: t.errors },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
