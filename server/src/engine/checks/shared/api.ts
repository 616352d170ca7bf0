/**
 * What a Pod Security check is, and the wording helpers every check shares.
 *
 * A check evaluates one pod template and returns upstream's reason and
 * (aggregate) detail, plus the located problems behind them: one per
 * offending field or list item, each with the detail upstream would print
 * for that problem alone, and, where one exists, a fix as semantic ops.
 */
import type { CheckId, CheckLevel, Span } from '../../types';
import type { FixOp, FixValue } from '../../fixes/edits';
import { isSeq } from 'yaml';
import type { ContainerView, PodView } from '../../podView';
import type { Cursor } from '../../cursor';
import { quoteText } from '../../text';

export interface ProblemFix {
  title: string;
  safe: boolean;
  ops: FixOp[];
}

export interface Problem {
  /** Container name, or null for a pod-level problem. */
  container: string | null;
  span: Span;
  path: string;
  detail: string;
  fix?: ProblemFix;
  /** When the offending value is not in the text but set by the API server's defaulting: how. */
  defaulted?: string;
}

export interface Outcome {
  reason: string;
  /** The detail upstream prints for the whole pod. */
  detail: string;
  problems: Problem[];
}

export type Evaluate = (pod: PodView) => Outcome | null;

export interface CheckVariant {
  /**
   * The variant's name, `<check ID in camelCase>_1_<minVersion>`, as upstream names most of
   * its variants (`privileged_1_0`, `capabilitiesRestricted_1_25`).
   */
  name: string;
  /**
   * Upstream's own name for the function this variant mirrors, where it differs from `name`
   * (`sysctlsV1Dot27`, `runAsNonRoot1_35`, `procMount1_35baseline`).
   */
  upstream?: string;
  /** Minimum policy minor version (1.N) this variant applies from. */
  minVersion: number;
  /** Baseline checks this (restricted) variant replaces at the versions it applies. */
  overrides?: readonly CheckId[];
  evaluate: Evaluate;
}

export interface CheckDefinition {
  id: CheckId;
  level: CheckLevel;
  /** Short title, e.g. "Privileged containers". */
  title: string;
  /** What is allowed, for hovers and docs. */
  allowed: string;
  /** Fields inspected. */
  fields: readonly string[];
  variants: readonly CheckVariant[];
}

// ----- wording, as upstream renders it -----

/** A name or value as upstream quotes it; user text is cut to a short limit (see ../../text clip). */
export const quote = (s: string): string => quoteText(s);

/** Unique values sorted in byte order. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function quotedSet(values: Iterable<string>): string {
  return sortedSet(values).map(quote).join(', ');
}

export function pluralize(one: string, many: string, n: number): string {
  return n === 1 ? one : many;
}

/** `container "a"` or `containers "a", "b"`. */
export function containersPhrase(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${names.map(quote).join(', ')}`;
}

/** `pod`, `container "a"`, or `pod and containers "a", "b"`. */
export function settersPhrase(pod: boolean, names: readonly string[]): string {
  const parts: string[] = [];
  if (pod) parts.push('pod');
  if (names.length > 0) parts.push(containersPhrase(names));
  return parts.join(' and ');
}

// ----- fix helpers -----

/** Set `path` under the container's own map. */
export function setInContainer(c: ContainerView, path: string[], value: FixValue): FixOp[] {
  if (!c.map) return [];
  return [{ op: 'set', map: c.map, path, value }];
}

/** Append a value to the list at `path` under the container's own map. */
export function appendInContainer(c: ContainerView, path: string[], value: FixValue): FixOp[] {
  if (!c.map) return [];
  return [{ op: 'append', map: c.map, path, value }];
}

/** Set `path` under the pod spec. */
export function setInPod(pod: PodView, path: string[], value: FixValue): FixOp[] {
  const m = pod.spec.map;
  if (!m) return [];
  return [{ op: 'set', map: m, path, value }];
}

/** Remove item `index` of the list at `list`. */
export function removeItem(list: Cursor, index: number): FixOp[] {
  return isSeq(list.node) ? [{ op: 'remove', parent: list.node, key: index }] : [];
}

/** Set a field at the cursor's own map (the map the field belongs to). */
export function setAt(cur: Cursor, value: string | number | boolean): FixOp[] {
  if (!cur.parent || cur.key === null) return [];
  return [{ op: 'set', map: cur.parent, path: [cur.key], value }];
}

/** Remove the field the cursor points at from its map. */
export function removeAt(cur: Cursor): FixOp[] {
  if (!cur.parent || cur.key === null) return [];
  return [{ op: 'remove', parent: cur.parent, key: cur.key }];
}

/**
 * The capabilities in a container's `capabilities.add` list (`add`) that `allowed` rejects,
 * each with its located problem and the fix that removes it.
 */
export function forbiddenAddedCapabilities(
  container: string,
  add: Cursor,
  allowed: (cap: string) => boolean,
): Array<{ cap: string; problem: Problem }> {
  const out: Array<{ cap: string; problem: Problem }> = [];
  add.items().forEach((item, i) => {
    const cap = item.str();
    if (cap === undefined || allowed(cap)) return;
    out.push({
      cap,
      problem: {
        container,
        span: item.span,
        path: item.path,
        detail: `${containersPhrase([container])} must not include ${quotedSet([cap])} in securityContext.capabilities.add`,
        fix: { title: `Remove capability ${cap}`, safe: false, ops: removeItem(add, i) },
      },
    });
  });
  return out;
}
