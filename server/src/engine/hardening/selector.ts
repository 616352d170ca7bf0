/**
 * Label selectors (`metav1.LabelSelector`) as Kubernetes reads and matches
 * them (k8s.io/apimachinery: `metav1.LabelSelectorAsSelector`,
 * `labels.Requirement.Matches`, `ValidateLabelSelector`):
 *
 * - `matchLabels` and `matchExpressions` are ANDed; a selector with neither
 *   (`{}`) selects everything; an absent selector, where the field is a
 *   pointer, selects nothing.
 * - `In`: the label exists and its value is one of `values`. `NotIn`: the
 *   label is absent, or its value is none of `values` (a missing label
 *   matches). `Exists` / `DoesNotExist`: the key is present / absent.
 * - Invalid: `In`/`NotIn` with empty `values`, `Exists`/`DoesNotExist` with
 *   values, another operator, an invalid key or value. The API server
 *   rejects an object with an invalid selector, so such a selector is
 *   reported and never matched.
 */
import type { JsonValue } from './model';
import { isObject } from './model';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: readonly string[];
}

export interface Selector {
  /** Every requirement, matchLabels first (as `key In [value]`). */
  requirements: readonly Requirement[];
  /** True for `{}` (no matchLabels, no matchExpressions): selects everything. */
  everything: boolean;
}

export interface SelectorProblem {
  /** Path relative to the selector, e.g. ["matchExpressions", 0, "values"]. */
  path: (string | number)[];
  message: string;
}

export type SelectorResult =
  { ok: true; selector: Selector } | { ok: false; problems: SelectorProblem[] };

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid (a qualified name: optional DNS subdomain prefix and '/', then a name), or null. */
export function labelKeyProblem(key: string): string | null {
  const parts = key.split('/');
  let name = key;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253 || !SUBDOMAIN.test(prefix))
      return 'prefix part must be a lowercase RFC 1123 subdomain';
  } else if (parts.length > 2) {
    return "a qualified name must have at most one '/'";
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return null;
}

/** Why a label value is invalid, or null. */
export function labelValueProblem(value: string): string | null {
  if (value.length > 63) return 'must be no more than 63 characters';
  if (!VALUE.test(value))
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return null;
}

/**
 * Read a `LabelSelector` JSON value. `undefined` or null (the field absent)
 * reads as `{}` here; callers for which an absent selector selects nothing
 * check that themselves.
 */
export function readSelector(v: JsonValue | undefined): SelectorResult {
  const problems: SelectorProblem[] = [];
  const requirements: Requirement[] = [];
  if (v === undefined || v === null)
    return { ok: true, selector: { requirements, everything: true } };
  if (!isObject(v))
    return { ok: false, problems: [{ path: [], message: 'a label selector must be an object' }] };
  const ml = v['matchLabels'];
  const me = v['matchExpressions'];
  let count = 0;
  if (ml !== undefined && ml !== null) {
    if (!isObject(ml))
      problems.push({ path: ['matchLabels'], message: 'matchLabels must be an object' });
    else {
      for (const [key, value] of Object.entries(ml)) {
        count++;
        const kp = labelKeyProblem(key);
        if (kp)
          problems.push({ path: ['matchLabels', key], message: `invalid key "${key}": ${kp}` });
        if (typeof value !== 'string') {
          problems.push({ path: ['matchLabels', key], message: 'a label value must be a string' });
          continue;
        }
        const vp = labelValueProblem(value);
        if (vp) problems.push({ path: ['matchLabels', key], message: `invalid value: ${vp}` });
        requirements.push({ key, operator: 'In', values: [value] });
      }
    }
  }
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me))
      problems.push({ path: ['matchExpressions'], message: 'matchExpressions must be a list' });
    else {
      me.forEach((expr, i) => {
        count++;
        const at = ['matchExpressions', i];
        if (!isObject(expr)) {
          problems.push({ path: at, message: 'a selector requirement must be an object' });
          return;
        }
        const key = expr['key'];
        const op = expr['operator'];
        const rawValues = expr['values'];
        const values: string[] = [];
        if (Array.isArray(rawValues)) {
          rawValues.forEach((x, j) => {
            if (typeof x === 'string') values.push(x);
            else problems.push({ path: [...at, 'values', j], message: 'a value must be a string' });
          });
        } else if (rawValues !== undefined && rawValues !== null) {
          problems.push({ path: [...at, 'values'], message: 'values must be a list' });
        }
        if (typeof key !== 'string') {
          problems.push({ path: [...at, 'key'], message: 'key is required' });
          return;
        }
        const kp = labelKeyProblem(key);
        if (kp) problems.push({ path: [...at, 'key'], message: `invalid key "${key}": ${kp}` });
        if (op === 'In' || op === 'NotIn') {
          if (values.length === 0)
            problems.push({
              path: [...at, 'values'],
              message: "values must be specified when `operator` is 'In' or 'NotIn'",
            });
        } else if (op === 'Exists' || op === 'DoesNotExist') {
          if (values.length > 0)
            problems.push({
              path: [...at, 'values'],
              message: "values may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            });
        } else {
          problems.push({
            path: [...at, 'operator'],
            message: `${JSON.stringify(op ?? null)} is not a valid selector operator (In, NotIn, Exists, DoesNotExist)`,
          });
          return;
        }
        values.forEach((x, j) => {
          const vp = labelValueProblem(x);
          if (vp) problems.push({ path: [...at, 'values', j], message: `invalid value: ${vp}` });
        });
        requirements.push({ key, operator: op, values });
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, selector: { requirements, everything: count === 0 } };
}

/** Whether one requirement matches a label set. */
export function requirementMatches(
  r: Requirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key] as string);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key] as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Whether a selector matches a label set (every requirement holds). */
export function selectorMatches(s: Selector, labels: Readonly<Record<string, string>>): boolean {
  return s.requirements.every((r) => requirementMatches(r, labels));
}

/** Labels of a JSON `labels` map: string values only (others are not labels the API server accepts). */
export function labelsOf(v: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}
