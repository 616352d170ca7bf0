/**
 * Findings of a generated source (a built overlay) carried to the files the
 * user edits: each finding's span goes through the source map to the base
 * resource, the patch or the transformer setting that wrote the offending
 * value, and its message names what was built (`in overlay overlays/prod`).
 *
 * A fix is carried along when every one of its edits replaces text that maps
 * exactly to its origin (a scalar such as `privileged: true`); other fixes are
 * placed by `./fixes.ts`, which knows where a new field belongs in a base or
 * a patch.
 */
import type { GeneratedSource, OriginSpan } from '../sources/sourcemap';
import { originOf, segmentAt } from '../sources/sourcemap';
import type { Diagnostic, Finding, Fix, Span, TextEdit } from '../types';

/** A finding of a generated source, placed in the file its offending value came from. */
export interface PlacedFinding {
  file: string;
  finding: Finding;
  /** Where the finding was in the generated text (before placing). */
  generated: Span;
}

export interface PlacedDiagnostic {
  file: string;
  diagnostic: Diagnostic;
}

/** The file and span a generated span came from, or null when no origin is known. */
export function placeSpan(src: GeneratedSource, span: Span): OriginSpan | null {
  return originOf(src, span.start, span.end);
}

/**
 * An edit of the generated text as an edit of its origin file, when the
 * replaced text maps exactly: inside one verbatim segment, or the whole of
 * one value segment (a scalar re-printed from its source).
 */
function placeEdit(src: GeneratedSource, e: TextEdit): { file: string; edit: TextEdit } | null {
  if (e.end <= e.start) return null;
  const seg = segmentAt(src, e.start);
  if (!seg || e.end > seg.end) return null;
  const o = seg.origin;
  if (o.kind === 'text') {
    const start = o.start + (e.start - seg.start);
    return { file: o.file, edit: { start, end: start + (e.end - e.start), newText: e.newText } };
  }
  if (o.kind === 'value' && e.start === seg.start && e.end === seg.end)
    return { file: o.file, edit: { start: o.start, end: o.end, newText: e.newText } };
  return null;
}

/** The fixes of a generated finding that map, edit for edit, into `file`. */
export function placeFixes(src: GeneratedSource, fixes: readonly Fix[], file: string): Fix[] {
  const out: Fix[] = [];
  for (const f of fixes) {
    const edits: TextEdit[] = [];
    let ok = f.edits.length > 0;
    for (const e of f.edits) {
      const p = placeEdit(src, e);
      if (!p || p.file !== file) {
        ok = false;
        break;
      }
      edits.push(p.edit);
    }
    if (ok) out.push({ ...f, edits });
  }
  return out;
}

/** `in overlay overlays/prod`, `in overlays overlays/dev, overlays/prod`. */
export function overlayPhrase(labels: readonly string[]): string {
  return labels.length === 1
    ? `in overlay ${labels[0] as string}`
    : `in overlays ${labels.join(', ')}`;
}

/**
 * Place the findings of `src` (analysed as generated text) in their origin
 * files. `fallback` is where a finding whose span has no known origin goes
 * (the kustomization file of the root built).
 */
export function placeFindings(
  src: GeneratedSource,
  findings: readonly Finding[],
  fallback: string,
): PlacedFinding[] {
  const out: PlacedFinding[] = [];
  for (const f of findings) {
    const o = placeSpan(src, f.span);
    const file = o?.file ?? fallback;
    const span = o ? { start: o.start, end: o.end } : { start: 0, end: 0 };
    const document =
      o?.origin.kind === 'value' && o.origin.document !== undefined
        ? o.origin.document
        : f.object.document;
    out.push({
      file,
      generated: f.span,
      finding: {
        ...f,
        span,
        object: { ...f.object, document },
        fixes: o ? placeFixes(src, f.fixes, file) : [],
      },
    });
  }
  return out;
}

/** Place diagnostics (schema errors, limits) of the generated text in their origin files. */
export function placeDiagnostics(
  src: GeneratedSource,
  diags: readonly Diagnostic[],
  fallback: string,
): PlacedDiagnostic[] {
  return diags.map((d) => {
    const o = placeSpan(src, d.span);
    return {
      file: o?.file ?? fallback,
      diagnostic: {
        ...d,
        span: o ? { start: o.start, end: o.end } : { start: 0, end: 0 },
      },
    };
  });
}
