/**
 * ChunkParses: a text's documents parsed chunk by chunk, each chunk's ranges
 * counted from its start: placed at their chunks' starts, the same as parsing
 * the whole text. Kept across versions: an edit parses the chunks it touched
 * only, and a chunk that moved keeps its parse untouched. The analysis cache
 * takes the same parses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { visit } from 'yaml';
import { ChunkParses } from '@podsec/server/out/engine/chunkParses';
import type { TextChunk } from '@podsec/server/out/engine/chunkParses';
import { unreadKind } from '@podsec/server/out/engine/kinds';
import { decodeDocs } from '@podsec/server/out/engine/parse';
import type { ParsedFile } from '@podsec/server/out/engine/parse';
import { generate } from '../support/generate';
import { privilegedPod, restrictedPod } from '../support/manifests';

type Range = [number, number, number];

interface Shape {
  docs: Array<{ value: unknown; ranges: unknown[]; errors: unknown[] }>;
  errors: unknown[];
  notes: unknown[];
  broken: number[];
  skimmed: number[];
}

/**
 * Everything of a parse that has a place, `by` past its ranges (its documents
 * `docBase` past their indexes): each document's value, ranges, errors and flags.
 */
function shapeAt(p: ParsedFile, by: number, docBase = 0): Shape {
  const at = (r: Range | null | undefined) => (r ? r.map((x) => x + by) : null);
  return {
    docs: p.docs.map((d) => {
      const ranges: unknown[] = [at(d.range)];
      visit(d, {
        Node: (_k, n) => {
          ranges.push(at((n as { range?: Range | null }).range));
        },
      });
      return {
        value: d.toJS({ maxAliasCount: -1 }) as unknown,
        ranges,
        errors: d.errors.map((e) => [e.pos[0] + by, e.pos[1] + by]),
      };
    }),
    // An error at a chunk's end ends there, as the analysis (which parses chunks too) has it.
    errors: p.errors.map((e) => [e.message, e.span.start + by]),
    notes: p.notes.map((e) => [e.message, { start: e.span.start + by, end: e.span.end + by }]),
    broken: [...p.broken].map((i) => i + docBase),
    skimmed: [...(p.skimmed ?? [])].map((i) => i + docBase),
  };
}

const shape = (p: ParsedFile): Shape => shapeAt(p, 0);

/** The chunks placed in the whole text, as one shape. */
function placed(chunks: readonly TextChunk[]): Shape {
  const out: Shape = { docs: [], errors: [], notes: [], broken: [], skimmed: [] };
  for (const c of chunks) {
    const s = shapeAt(c.parsed, c.start, out.docs.length);
    out.docs.push(...s.docs);
    out.errors.push(...s.errors);
    out.notes.push(...s.notes);
    out.broken.push(...s.broken);
    out.skimmed.push(...s.skimmed);
  }
  return out;
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
  it('reads a text as decodeDocs does, at the same places', () => {
    for (const unread of [undefined, unreadKind]) {
      const parses = new ChunkParses();
      const got = parses.read(TEXT, DEPTH, unread);
      assert.deepEqual(placed(got), shape(decodeDocs(TEXT, DEPTH, unread)));
      assert.ok(placed(got).broken.length === 1, 'the unclosed flow sequence');
      assert.equal(parses.lastParsed, 6);
      for (const c of got) assert.equal(c.text, TEXT.slice(c.start, c.start + c.text.length));
    }
  });

  it('a new version parses the chunks it changed only; moved ones keep their parse', () => {
    const parses = new ChunkParses();
    const before = parses.read(TEXT, DEPTH, unreadKind);
    const kept = shape(before[5]?.parsed ?? decodeDocs('', DEPTH));
    // typing in the second document moves every later one
    const typed = TEXT.replace('name: b', 'name: bee');
    const got = parses.read(typed, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 1);
    assert.equal(got[5]?.parsed, before[5]?.parsed, 'the same parse, where the chunk now is');
    assert.deepEqual(shape(got[5]?.parsed ?? decodeDocs('', DEPTH)), kept, 'untouched');
    assert.deepEqual(placed(got), shape(decodeDocs(typed, DEPTH, unreadKind)));
    // a document taken out, another put in twice
    const cut = typed.replace(`---\n${privilegedPod('bee')}`, '');
    const twice = `${cut}---\n${privilegedPod('c')}`;
    const again = parses.read(twice, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 0, 'the second copy of an equal document shares its parse');
    assert.deepEqual(placed(again), shape(decodeDocs(twice, DEPTH, unreadKind)));
    // the same text again: nothing parsed
    parses.read(twice, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 0);
    assert.equal(parses.parsed, 7);
  });

  it('other options parse everything again', () => {
    const parses = new ChunkParses();
    parses.read(TEXT, DEPTH, unreadKind);
    const got = parses.read(TEXT, DEPTH, undefined);
    assert.equal(parses.lastParsed, 6);
    assert.deepEqual(placed(got), shape(decodeDocs(TEXT, DEPTH, undefined)));
  });

  it('take: a chunk of the last version read, with the same options, is not parsed again', () => {
    const parses = new ChunkParses();
    const chunks = parses.read(TEXT, DEPTH, unreadKind);
    const first = chunks[0];
    assert.ok(first);
    assert.equal(parses.take(first.text, DEPTH, unreadKind), first.parsed);
    // the chunks of the text last read, for the analysis of the same text: not split again
    assert.equal(parses.chunksOf(TEXT), chunks);
    assert.equal(parses.chunksOf(`${TEXT}# more\n`), null);
    assert.equal(parses.parsed, 6);
    // another depth, or a text the last version does not hold: parsed, and not kept
    assert.notEqual(parses.take(first.text, DEPTH - 1, unreadKind), first.parsed);
    const other = parses.take(`${first.text}# more\n`, DEPTH, unreadKind);
    assert.deepEqual(shape(other), shape(decodeDocs(`${first.text}# more\n`, DEPTH, unreadKind)));
    assert.equal(parses.parsed, 8);
    parses.take(`${first.text}# more\n`, DEPTH, unreadKind);
    assert.equal(parses.parsed, 9);
  });

  it('a large generated file: one edit, one chunk parsed, the same documents as a whole parse', () => {
    const big = generate({ workloads: 300, seed: 5 });
    const parses = new ChunkParses();
    const first = parses.read(big, DEPTH, unreadKind);
    const chunks = parses.lastParsed;
    assert.ok(chunks > 100);
    assert.deepEqual(placed(first), shape(decodeDocs(big, DEPTH, unreadKind)));
    const at = big.indexOf('replicas: ', Math.floor(big.length / 3));
    const edited = `${big.slice(0, at)}replicas: 12${big.slice(at + 'replicas: 1'.length)}`;
    const got = parses.read(edited, DEPTH, unreadKind);
    assert.equal(parses.lastParsed, 1);
    assert.ok(got.some((c, i) => c.start !== first[i]?.start && c.parsed === first[i]?.parsed));
    assert.deepEqual(placed(got), shape(decodeDocs(edited, DEPTH, unreadKind)));
  });
});
