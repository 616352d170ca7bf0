/**
 * The one alias follower (`engine/aliases.ts`): every alias names what the
 * `yaml` package's `Alias.resolve` finds (the last anchor of its name before
 * it, also when a name is anchored again), dangling aliases name nothing,
 * the document is indexed once however many aliases it has (counted, not
 * timed), and a budget refuses look-ups past its limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAlias, parseDocument, visit } from 'yaml';
import type { Alias, Document } from 'yaml';
import {
  aliasBudget,
  aliasTarget,
  derefNode,
  followAlias,
} from '@podsec/server/out/engine/aliases';

function aliasesOf(doc: Document): Alias[] {
  const out: Alias[] = [];
  visit(doc, { Alias: (_k, a) => void out.push(a) });
  return out;
}

const TEXT = `a: &x 1
b: *x
c: &x {k: v}
d: *x
e: [*x, &y two, *y]
f: *nope
g: &x [1]
h: {n: *x, m: *y}
`;

describe('following aliases', () => {
  it('names what Alias.resolve finds, an anchor given again included', () => {
    const doc = parseDocument(TEXT);
    const aliases = aliasesOf(doc);
    assert.equal(aliases.length, 7);
    for (const a of aliases) assert.equal(aliasTarget(doc, a), a.resolve(doc), a.source);
    assert.equal(aliasTarget(doc, aliases[0]!), doc.get('a', true));
    assert.equal(aliasTarget(doc, aliases[1]!), doc.get('c', true));
    assert.equal(aliasTarget(doc, aliases[5]!), doc.get('g', true));
  });

  it('a dangling alias names nothing; a node that is no alias stands for itself', () => {
    const doc = parseDocument(TEXT);
    const nope = aliasesOf(doc).find((a) => a.source === 'nope')!;
    assert.equal(followAlias(doc, nope), undefined);
    assert.equal(derefNode(doc, nope), null);
    const map = doc.get('c', true);
    assert.equal(followAlias(doc, map), map);
    assert.equal(derefNode(doc, null), null);
  });

  it('indexes a document once: 2,000 aliases cost one walk, not one each', () => {
    const n = 2000;
    let text = 'base: &a {x: 1}\nlist:\n';
    for (let i = 0; i < n; i++) text += '  - *a\n';
    const doc = parseDocument(text);
    const aliases = aliasesOf(doc);
    assert.equal(aliases.length, n);
    // Count the nodes the index visits: once through the document, however many look-ups follow.
    let visited = 0;
    const counting = new Proxy(doc, {
      get(target, prop, receiver) {
        if (prop === 'contents') visited++;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const base = doc.get('base', true);
    for (const a of aliases) assert.equal(aliasTarget(counting, a), base);
    assert.equal(visited, 1, 'the document is walked once');
    assert.ok(aliases.every((a) => isAlias(a)));
  });

  it('a budget refuses look-ups past its limit and says so', () => {
    const doc = parseDocument(TEXT);
    const aliases = aliasesOf(doc);
    const budget = aliasBudget(3);
    const got = aliases.map((a) => followAlias(doc, a, budget));
    assert.deepEqual(
      got.map((g) => g === null),
      [false, false, false, true, true, true, true],
    );
    assert.equal(budget.over, true);
    assert.equal(budget.used, 7);
    // A node that is no alias costs nothing, even over the limit.
    const c = doc.get('c', true);
    assert.equal(followAlias(doc, c, budget), c);
    assert.equal(budget.used, 7);
  });
});
