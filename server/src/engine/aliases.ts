/**
 * Following YAML aliases, the one way every reader of a parsed document
 * does it (the checks' cursor, the configuration reader, the hardening
 * adapter and fixes, the fix planner, Helm's values and Kustomize's tree).
 *
 * An alias names the last node anchored with its name before it, in
 * document order: what the `yaml` package's `Alias.resolve` finds. But
 * `resolve` walks the whole document on every call, which makes a file of
 * many aliases quadratic; here every alias of a document is indexed in one
 * walk, on first use, and kept as long as the document is.
 *
 * Aliases are followed, never expanded, and a reader may count them against
 * a budget (`maxAliasCount`): an alias bomb costs its look-ups, bounded.
 */
import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Alias, Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';

const TARGETS = new WeakMap<Document, Map<Alias, unknown>>();

/**
 * The node each alias of a document names (the last node anchored with its
 * name before it, as `yaml` resolves it), found in one walk of the document
 * and kept for it, rather than one walk per alias resolved.
 */
export function aliasTargets(doc: Document): ReadonlyMap<Alias, unknown> {
  let targets = TARGETS.get(doc);
  if (!targets) {
    const found = new Map<Alias, unknown>();
    const anchored = new Map<string, unknown>();
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) found.set(node, anchored.get(node.source));
        else if (node.anchor) anchored.set(node.anchor, node);
      },
    });
    targets = found;
    TARGETS.set(doc, targets);
  }
  return targets;
}

/** The node `alias` names in `doc`; undefined when no anchor of its name comes before it. */
export function aliasTarget(doc: Document, alias: Alias): unknown {
  const targets = aliasTargets(doc);
  // An alias added to the document after it was indexed: look it up the slow way.
  return targets.has(alias) ? targets.get(alias) : alias.resolve(doc);
}

/** Most aliases followed in one chain before giving up. */
export const MAX_ALIAS_CHAIN = 32;

/** Alias look-ups counted across a document, and whether the limit was passed. */
export interface AliasBudget {
  used: number;
  readonly max: number;
  /** Set once a look-up was refused: what was read is incomplete. */
  over: boolean;
}

export const aliasBudget = (max: number): AliasBudget => ({ used: 0, max, over: false });

/**
 * What `node` stands for: itself when it is not an alias, else the node its
 * alias names. undefined for a dangling alias; null for a chain longer than
 * MAX_ALIAS_CHAIN, or when `budget` is spent (then `budget.over` is set).
 */
export function followAlias(doc: Document, node: unknown, budget?: AliasBudget): unknown {
  let n = node;
  let hops = 0;
  while (isAlias(n)) {
    if (++hops > MAX_ALIAS_CHAIN) return null;
    if (budget && ++budget.used > budget.max) {
      budget.over = true;
      return null;
    }
    n = aliasTarget(doc, n);
  }
  return n;
}

export type YamlNode = Scalar | YAMLMap | YAMLSeq;

/** `followAlias`, kept to the nodes readers walk: a scalar, a map or a sequence, else null. */
export function derefNode(doc: Document, node: unknown, budget?: AliasBudget): YamlNode | null {
  const n = followAlias(doc, node, budget);
  return isScalar(n) || isMap(n) || isSeq(n) ? n : null;
}
