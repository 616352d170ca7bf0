/** `podsec --format json`: the results as one JSON document. */
import { clip, findingSummary } from '../engine/index';
import type { Diagnostic, Finding, SuppressedFinding } from '../engine/index';
import { dottedPath } from '../engine/project/index';
import type { LocatedFinding } from '../engine/project/index';
import type { FileResult } from './fileResult';
import { baselineState, checked, linesOf, locate, skipReason, totals } from './fileResult';
import { fingerprintsOf } from './fingerprint';
import { jsonFixes } from './fixChanges';
import type { FixFiles } from './fixChanges';

/**
 * For a finding placed at its origin in a chart (or an overlay): the object it
 * was found in, what produced it, and the values key that would set a missing
 * field.
 */
function renderedFrom(f: Finding): Record<string, unknown> {
  const l = f as Partial<LocatedFinding>;
  if (!l.rendered) return {};
  return {
    rendered: {
      kind: l.rendered.kind,
      name: l.rendered.name,
      namespace: l.rendered.namespace,
      source: l.rendered.source,
      ...(l.valuesKey ? { valuesKey: dottedPath(l.valuesKey.path) } : {}),
    },
  };
}

export function toJson(
  results: readonly FileResult[],
  policy: { level: string; version: string },
  files?: FixFiles,
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
      findings: r.analysis.findings.map((f) => finding(r, f, files)),
      suppressed: (r.analysis.suppressed ?? []).map((f) => suppressed(r, f, files)),
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
      suppressed: t.suppressed,
      ...(results.some((r) => r.existing) ? { existing: t.existing } : {}),
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function finding(r: FileResult, f: Finding, files?: FixFiles) {
  const state = baselineState(r, f);
  return {
    check: f.check,
    ...(f.family ? { family: f.family } : {}),
    level: f.level,
    severity: f.severity,
    message: f.message,
    summary: findingSummary(f),
    ...locate(linesOf(r), f.span.start, f.span.end),
    object: {
      kind: f.object.kind,
      name: f.object.name === null ? null : clip(f.object.name),
      namespace: f.object.namespace,
      document: f.object.document,
    },
    container: f.container === null ? null : clip(f.container),
    path: f.path,
    policy: { level: f.policy.level, version: f.evaluatedVersion },
    fixable: f.fixes.length > 0,
    fingerprint: fingerprintsOf(r).finding(f),
    ...(state ? { baseline: state } : {}),
    ...(f.overlays ? { overlays: f.overlays } : {}),
    ...renderedFrom(f),
    ...jsonFixes(r, f, files),
  };
}

function suppressed(r: FileResult, f: SuppressedFinding, files?: FixFiles) {
  const at = linesOf(r).humanPosition(f.suppression.span.start);
  return {
    ...finding(r, f, files),
    suppression: {
      kind: f.suppression.kind,
      justification: f.suppression.justification,
      line: at.line,
      column: at.column,
    },
  };
}
