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
import { parseFile } from './parse';
import { IGNORE_ANNOTATION, parseDirective } from './suppress';
import type { Finding, TextEdit } from './types';

/**
 * The edits, or null when the finding's object cannot be found again in
 * `text` (a YAML error since, say) or already suppresses the check.
 * `reason` is written after `--` (an editor puts a placeholder there).
 */
export function annotationSuppressionEdits(
  text: string,
  f: Pick<Finding, 'check' | 'object'>,
  reason = 'reason',
): TextEdit[] | null {
  const parsed = parseFile(text, DEFAULT_LIMITS);
  const doc = parsed.docs[f.object.document];
  if (!doc || parsed.broken.has(f.object.document)) return null;
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
  return planEdits(text, doc, [
    { op: 'set', map, path: ['metadata', 'annotations', IGNORE_ANNOTATION], value },
  ]);
}
