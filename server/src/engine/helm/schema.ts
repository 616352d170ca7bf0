/** values.schema.json validation (placeholder until the validator lands). */
import type { Chart } from './chart';
import type { GoMap } from './values';

export function validateValues(
  _c: Chart,
  _values: GoMap,
): { message: string; file?: string } | null {
  return null;
}
