/**
 * ChunkParses: a text's documents parsed chunk by chunk and placed in the
 * whole text, the same as parsing the whole text, and kept across versions:
 * an edit parses the chunks it touched only, the others are moved.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { visit } from 'yaml';
import { ChunkParses } from '@podsec/server/out/engine/chunkParses';
import { unreadKind } from '@podsec/server/out/engine/kinds';
import { decodeDocs } from '@podsec/server/out/engine/parse';
import type { ParsedFile } from '@podsec/server/out/engine/parse';
import { generate } from '../support/generate';
import { privilegedPod, restrictedPod } from '../support/manifests';

/** Everything of a parse that has a place: each document's value, ranges, errors and flags. */
function shape(p: ParsedFile): unknown {
  return {
    docs: p.docs.map((d) => {
      const ranges: unknown[] = [d.range];
      visit(d, {
        Node: (_k, n) => {
          ranges.push((n as { range?: unknown }).range ?? null);
        },
      });
      return {
        value: d.toJS({ maxAliasCount: -1 }) as unknown,
        ranges,
        errors: d.errors.map((e) => e.pos),
      };
    }),
    // An error at a chunk's end ends there, as the analysis (which parses chunks too) has it.
    errors: p.errors.map((e) => [e.message, e.span.start]),
    notes: p.notes.map((e) => [e.message, e.span]),
    broken: [...p.broken],
    skimmed: [...(p.skimmed ?? [])],
  };
}

const DEPTH = 500;
const LIST = `apiVersion: v1
kind: List
items:
  - ${privilegedPod('in-list').replace(/\n/g, '\n    ').trimEnd()}
`;
const TEXT = [
  restrictedPod('a', 'shop'),
  `---\n${privilegedPod('b')}`,
  `--- # a comment after the marker\n${LIST}`,
  '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\n',
  '---\nkey: [unclosed\n',
  `---\n${privilegedPod('c')}`,
].join('');

describe('ChunkParses', () => {
  it('decodes a text as decodeDocs does, at the same places', () => {
    for (const unread of [undefined, unreadKind]) {
      const parses = new ChunkParses();
      const got = parses.decode(TEXT, DEPTH, unread);
      assert.deepEqual(shape(got), shape(decodeDocs(TEXT, DEPTH, unread)));
      assert.ok(got.broken.size === 1, 'the unclosed flow sequence');
      assert.equal(parses.lastParsed, 6);
    }
  });

  it('a new version parses the chunks it changed only; moved ones equal a fresh parse', () => {
    const parses = new ChunkParses();
    parses.decode(TEXT, DEPTH, unreadKind);
    // typing in the second document moves every later one
    const typed = TEXT.replace('name: b', 'name: bee');
    const got = parses.decode(typed, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 1);
    assert.equal(parses.lastMoved, 4);
    assert.deepEqual(shape(got), shape(decodeDocs(typed, DEPTH, unreadKind)));
    // a document taken out, another put in twice
    const cut = typed.replace(`---\n${privilegedPod('bee')}`, '');
    const twice = `${cut}---\n${privilegedPod('c')}`;
    const again = parses.decode(twice, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 1, 'the second copy of an equal document');
    assert.deepEqual(shape(again), shape(decodeDocs(twice, DEPTH, unreadKind)));
    // the same text again: nothing parsed, nothing moved
    parses.decode(twice, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 0);
    assert.equal(parses.lastMoved, 0);
  });

  it('other options parse everything again', () => {
    const parses = new ChunkParses();
    parses.decode(TEXT, DEPTH, unreadKind);
    const got = parses.decode(TEXT, DEPTH, undefined);
    assert.equal(parses.lastParsed, 6);
    assert.deepEqual(shape(got), shape(decodeDocs(TEXT, DEPTH, undefined)));
  });

  it('a large generated file: one edit, one chunk parsed, the same documents as a whole parse', () => {
    const big = generate({ workloads: 300, seed: 5 });
    const parses = new ChunkParses();
    const first = parses.decode(big, DEPTH, unreadKind);
    const chunks = parses.lastParsed;
    assert.ok(chunks > 100);
    assert.equal(first.docs.length, decodeDocs(big, DEPTH, unreadKind).docs.length);
    const at = big.indexOf('replicas: ', Math.floor(big.length / 3));
    const edited = `${big.slice(0, at)}replicas: 12${big.slice(at + 'replicas: 1'.length)}`;
    const got = parses.decode(edited, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 1);
    assert.ok(parses.lastMoved > 0 && parses.lastMoved < chunks);
    assert.deepEqual(shape(got), shape(decodeDocs(edited, DEPTH, unreadKind)));
  });
});
