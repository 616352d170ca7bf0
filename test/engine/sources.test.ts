/** The generated-source map and the in-memory file tree that charts and overlays are read from. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GeneratedSource } from '@podsec/server/out/engine/sources/sourcemap';
import { originOf, segmentAt } from '@podsec/server/out/engine/sources/sourcemap';
import {
  isInside,
  joinPath,
  MemoryFs,
  normalizePath,
} from '@podsec/server/out/engine/sources/sourceFs';

// "a: " is template text at 10..13 of t.yaml; "true" came from values.yaml 40..44.
const src: GeneratedSource = {
  text: 'a: true\nb: x\n',
  segments: [
    { start: 0, end: 3, origin: { kind: 'text', file: 't.yaml', start: 10, end: 13 } },
    {
      start: 3,
      end: 7,
      origin: { kind: 'value', file: 'values.yaml', start: 40, end: 44, path: ['a'] },
    },
    { start: 7, end: 13, origin: { kind: 'text', file: 't.yaml', start: 20, end: 26 } },
  ],
  label: 'test',
};

describe('source map', () => {
  it('maps a span inside verbatim text exactly', () => {
    assert.deepEqual(
      { ...originOf(src, 8, 9), origin: undefined },
      { file: 't.yaml', start: 21, end: 22, origin: undefined },
    );
  });
  it('maps a pair whose value came from values to the values node', () => {
    const o = originOf(src, 0, 7);
    assert.equal(o?.file, 'values.yaml');
    assert.deepEqual([o?.start, o?.end], [40, 44]);
  });
  it('finds the segment at an offset, and none past the end', () => {
    assert.equal(segmentAt(src, 4)?.origin.kind, 'value');
    assert.equal(segmentAt(src, 13), undefined);
    assert.equal(originOf({ ...src, segments: [] }, 0, 1), null);
  });
});

describe('in-memory source tree', () => {
  it('normalises paths and never climbs above the root', () => {
    assert.equal(normalizePath('/a/./b//c/../d'), '/a/b/d');
    assert.equal(normalizePath('/../../etc'), '/etc');
    assert.equal(joinPath('/chart/templates', '../values.yaml'), '/chart/values.yaml');
    assert.ok(isInside('/chart', '/chart/templates/x.yaml'));
    assert.ok(!isInside('/chart', '/chartx/y'));
  });
  it('lists directories sorted and reads text without a BOM', () => {
    const fs = new MemoryFs({
      '/c/b.yaml': '\ufeffx: 1',
      '/c/a/z.yaml': '',
      '/c/bin': new Uint8Array([1]),
    });
    assert.deepEqual(fs.list('/c'), [
      { name: 'a', dir: true },
      { name: 'b.yaml', dir: false },
      { name: 'bin', dir: false },
    ]);
    assert.equal(fs.readText('/c/b.yaml'), 'x: 1');
    assert.deepEqual([...(fs.readBytes('/c/bin') ?? [])], [1]);
    assert.equal(fs.readText('/c/none'), null);
    assert.equal(fs.list('/nowhere'), null);
  });
});
