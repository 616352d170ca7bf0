/**
 * What overlays add to the placing of generated findings (../project): the
 * phrase naming the overlays a finding is in, and fixes whose edits replace a
 * re-printed scalar (`privileged: true` built from a base or a patch): the
 * edit goes to the scalar as written in its origin file.
 */
import type { GeneratedSource } from '../sources/sourcemap';
import { segmentAt } from '../sources/sourcemap';
import type { Fix, TextEdit } from '../types';

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
