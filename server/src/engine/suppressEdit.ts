/**
 * The quick fix "Suppress <check> for this workload": the edits that add
 * the check to the `podsec.io/ignore` annotation of the workload a finding
 * belongs to, creating `metadata.annotations` or the annotation as needed
 * (the same minimal edits as the checks' fixes: nothing else moves).
 */
import { isMap, isSeq } from 'yaml';
import type { YAMLMap } from 'yaml';
import { planEdits } from './fixes/edits';
import { DEFAULT_LIMITS } from './limits';
import { decodeDocs, splitDocuments } from './parse';
import { IGNORE_ANNOTATION, parseDirective } from './suppress';
import type { Finding, TextEdit } from './types';

/** A text's document chunks (`splitDocuments`), in order. */
export type DocumentChunks = ReadonlyArray<{ start: number; end: number }>;

/** The chunk holding `offset`: the last one starting at or before it. */
function chunkAt(chunks: DocumentChunks, offset: number): { start: number; end: number } | null {
  let lo = 0;
  let hi = chunks.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return chunks[lo] ?? null;
}

/**
 * The edits, or null when the finding's object cannot be found again in
 * `text` (a YAML error since, say) or already suppresses the check.
 * `reason` is written after `--` (an editor puts a placeholder there).
 *
 * Only the YAML document the finding is in is read, as the analysis reads
 * it (its chunk of `splitDocuments`), so the cost does not grow with the
 * file; `chunks` are the text's chunks when the caller keeps them.
 */
export function annotationSuppressionEdits(
  text: string,
  f: Pick<Finding, 'check' | 'object' | 'span'>,
  reason = 'reason',
  chunks: DocumentChunks = splitDocuments(text),
): TextEdit[] | null {
  const chunk = chunkAt(chunks, f.span.start);
  if (!chunk) return null;
  const slice = text.slice(chunk.start, chunk.end);
  const parsed = decodeDocs(slice, DEFAULT_LIMITS.maxDepth);
  const at = f.span.start - chunk.start;
  const index = parsed.docs.findIndex((d) => d.range[0] <= at && at <= d.range[2]);
  const doc = parsed.docs[index];
  if (!doc || parsed.broken.has(index)) return null;
  let obj: unknown = doc.contents;
  if (f.object.item !== null) {
    const items = isMap(obj) ? obj.get('items', true) : null;
    obj = isSeq(items) ? items.items[f.object.item] : null;
  }
  if (!isMap(obj)) return null;
  const map: YAMLMap = obj;
  const meta = map.get('metadata', true);
  const annotations = isMap(meta) ? meta.get('annotations', true) : null;
  const current = isMap(annotations) ? annotations.get(IGNORE_ANNOTATION) : undefined;
  let value = `${f.check} -- ${reason}`;
  if (typeof current === 'string') {
    const d = parseDirective(current);
    if ((d.checks as string[]).includes(f.check)) return null;
    const ids = [...d.checks, ...d.unknown, f.check].join(',');
    value = `${ids} -- ${d.reason || reason}`;
  }
  const edits = planEdits(slice, doc, [
    { op: 'set', map, path: ['metadata', 'annotations', IGNORE_ANNOTATION], value },
  ]);
  if (!edits) return null;
  return edits.map((e) => ({ ...e, start: e.start + chunk.start, end: e.end + chunk.start }));
}
