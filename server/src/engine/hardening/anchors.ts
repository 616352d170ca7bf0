/**
 * Alias targets of a parsed document, indexed in one walk per document:
 * `Alias.resolve` walks the whole document on every call, which makes a
 * file of many aliases quadratic. The target is what `resolve` finds: the
 * last node anchored with the alias's name before it, in document order.
 */
import { isAlias, visit } from 'yaml';
import type { Alias, Document } from 'yaml';

const TARGETS = new WeakMap<Document, Map<Alias, unknown>>();

export function aliasTarget(doc: Document, alias: Alias): unknown {
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
  return targets.has(alias) ? targets.get(alias) : alias.resolve(doc);
}
