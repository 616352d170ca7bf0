/**
 * What the hardening checks report: findings of their own family (never
 * Pod Security findings), notes for what the workspace cannot judge, and
 * fix proposals as data (JSON-path operations, turned into minimal text
 * edits by fixes.ts).
 */
import type { ObjectRef, Severity, Span } from '../types';
import type { JsonValue, Path } from './model';

import { HARDENING_CHECK_IDS } from './ids';
import type { HardeningCheckId } from './ids';

export { HARDENING_CHECK_IDS };
export type { HardeningCheckId };

export function isHardeningCheckId(s: unknown): s is HardeningCheckId {
  return typeof s === 'string' && (HARDENING_CHECK_IDS as readonly string[]).includes(s);
}

/**
 * One fix operation, on the object the fix belongs to (paths are relative
 * to the object, as the locator's).
 */
export type HardeningFixOp =
  /** Set the field at `path` to `value`, creating missing parent maps. */
  | { op: 'set'; path: Path; value: JsonValue }
  /** Append `value` to the list at `path`, creating the list. */
  | { op: 'append'; path: Path; value: JsonValue }
  /** Insert `value` into the list at `path` before index `index` (index = length appends). */
  | { op: 'insert'; path: Path; index: number; value: JsonValue }
  /** Remove the field (or list item) at `path`. */
  | { op: 'remove'; path: Path }
  /** Add a new YAML document (its text, without a `---` marker) at the end of the file. */
  | { op: 'addDocument'; text: string };

export interface HardeningFix {
  title: string;
  /** Hardening fixes can change how a workload runs or connects: never preferred. */
  preferred: false;
  /** The object the operations apply to (file, document, item). */
  file: string;
  document: number;
  item: number | null;
  ops: HardeningFixOp[];
}

export interface HardeningFinding {
  check: HardeningCheckId;
  family: 'hardening';
  severity: Severity;
  /** The message: never repeats a secret value; user text is shortened. */
  message: string;
  /**
   * What to do, in a few words, for the short form the editor and the text
   * output show after the subject (`Deployment web, container app: <action>`);
   * the message keeps the whole story for the hover, JSON and SARIF.
   */
  action?: string;
  /** Field path of the located field, relative to the object (spec.template.spec.containers[0].resources). */
  path: string;
  file: string;
  span: Span;
  object: ObjectRef;
  /** Container name for container-level findings. */
  container: string | null;
  fixes: HardeningFix[];
}

export interface HardeningNote {
  /** The check the note is about, or null for a note about the input. */
  check: HardeningCheckId | null;
  message: string;
  file: string;
  span: Span;
  object: ObjectRef | null;
}
