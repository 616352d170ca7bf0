/**
 * The pieces under the build: scalar resolution and Go's number formats,
 * the YAML writer's key order and quoting (a property: whatever string is
 * written reads back as the same string), SHA-256 and Go's JSON encoding for
 * the name hash, JSON patch operations, label selectors.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { emitDocuments, yamlKeyLess } from '@podsec/server/out/engine/kustomize/emit';
import { configMapHash, goJson, sha256Hex } from '@podsec/server/out/engine/kustomize/hash';
import {
  applyJsonPatch,
  decodeOps,
  JsonPatchError,
} from '@podsec/server/out/engine/kustomize/jsonpatch';
import {
  matchesSelector,
  SelectorSyntaxError,
} from '@podsec/server/out/engine/kustomize/labelSelector';
import {
  goJsonFloat,
  goYamlFloat,
  mustQuote11,
  parseGoInt,
  parseTimestamp,
  resolvePlain,
} from '@podsec/server/out/engine/kustomize/scalars';
import { readYamlDocuments } from '@podsec/server/out/engine/kustomize/yamlfiles';
import { kmap, str, toPlain } from '@podsec/server/out/engine/kustomize/tree';
import type { KMap, KNode } from '@podsec/server/out/engine/kustomize/tree';
import { encodeBase64 } from '@podsec/server/out/engine/kustomize/generators';
import { splitImage } from '@podsec/server/out/engine/kustomize/transformers';

const read = (text: string, yaml11 = false): KNode =>
  readYamlDocuments(
    text,
    { file: '/t.yaml' },
    { yaml11, uniqueKeys: true, maxNodes: 100_000, maxDepth: 200 },
  )[0] as KNode;

describe('scalars as kustomize reads them', () => {
  it('resolves plain scalars as its resource reader (YAML 1.2 words, Go integers) and its kustomization reader (YAML 1.1)', () => {
    assert.equal(resolvePlain('yes', false), 'str');
    assert.equal(resolvePlain('yes', true), 'bool');
    assert.equal(resolvePlain('True', false), 'bool');
    assert.equal(resolvePlain('0644', false), 'int');
    assert.equal(resolvePlain('1_000', false), 'int');
    assert.equal(resolvePlain('1.5e3', false), 'float');
    assert.equal(resolvePlain('.5', false), 'float');
    assert.equal(resolvePlain('1.2.3', false), 'str');
    assert.equal(resolvePlain('~', false), 'null');
    assert.equal(resolvePlain('', false), 'null');
    assert.equal(resolvePlain('2001-12-14', false), 'timestamp');
    assert.equal(resolvePlain('2001-12-14', true), 'str');
    assert.equal(resolvePlain('2001-02-30', false), 'str');
  });
  it('reads integers as Go does with base prefixes and octal zeros', () => {
    assert.equal(parseGoInt('0644'), 420n);
    assert.equal(parseGoInt('0x1F'), 31n);
    assert.equal(parseGoInt('-0b101'), -5n);
    assert.equal(parseGoInt('0o17'), 15n);
    assert.equal(parseGoInt('089'), null);
    assert.equal(parseGoInt('18446744073709551615'), 18446744073709551615n);
    assert.equal(parseGoInt('18446744073709551616'), null);
    assert.equal(parseGoInt('+9223372036854775808'), null);
  });
  it('formats floats as Go’s JSON and YAML writers do', () => {
    assert.equal(goJsonFloat(1.5), '1.5');
    assert.equal(goJsonFloat(1e21), '1e+21');
    assert.equal(goJsonFloat(1e-7), '1e-7');
    assert.equal(goJsonFloat(100), '100');
    assert.equal(goJsonFloat(Infinity), null);
    assert.equal(goYamlFloat(1234567.5), '1.2345675e+06');
    assert.equal(goYamlFloat(123456.5), '123456.5');
    assert.equal(goYamlFloat(1e-5), '1e-05');
    assert.equal(goYamlFloat(Infinity), '.inf');
  });
  it('prints timestamps as Go prints times in JSON', () => {
    assert.equal(parseTimestamp('2001-12-14'), '2001-12-14T00:00:00Z');
    assert.equal(parseTimestamp('2001-12-14t21:59:43.10-05:00'), '2001-12-14T21:59:43.1-05:00');
    assert.equal(parseTimestamp('2001-12-14 21:59:43.10'), '2001-12-14T21:59:43.1Z');
    assert.equal(parseTimestamp('2001-12-14T21:59:43'), null);
  });
});

describe('the YAML writer', () => {
  it('orders keys as yaml.v2 does: letters by code point, digit runs by value (the order kubectl prints)', () => {
    const keys = ['a10', 'a9', 'b', 'A', '80', '9', 'a09', '_x', 'é'];
    const sorted = [...keys].sort((p, q) => (yamlKeyLess(p, q) ? -1 : yamlKeyLess(q, p) ? 1 : 0));
    assert.deepEqual(sorted, ['_x', '9', '80', 'A', 'a9', 'a09', 'a10', 'b', 'é']);
  });
  it('quotes exactly the strings a YAML 1.1 reader would take for something else', () => {
    for (const s of ['yes', 'on', 'y', 'null', '~', '1:20', '0x10', '2001-12-14', '1e3', '', '<<'])
      assert.ok(mustQuote11(s), s);
    for (const s of ['web', 'a b', 'nginx:1.25', 'v1', '1.2.3', 'yesno'])
      assert.ok(!mustQuote11(s), s);
  });
  it('writes any string so that it reads back the same, as a string (property)', () => {
    // Read back with the YAML library's 1.2 core schema: what the writer leaves plain, a 1.2
    // reader reads as a string too (its 1.1 schema takes `E0` for a float, which Go's does not).
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 120 }),
        fc.string({ maxLength: 20 }),
        (value, key) => {
          const m: KMap = kmap(null, [
            { key: key || 'k', keyOrigin: null, value: str(value, null) },
          ]);
          const text = emitDocuments([m], 't').text;
          const back = parseAllDocuments(text, { version: '1.2' })[0]?.toJS() as Record<
            string,
            unknown
          >;
          assert.deepEqual(back, { [key || 'k']: value }, text);
        },
      ),
      { numRuns: 400, seed: 20261201 },
    );
  });
  it('folds long plain values at 80 columns and maps the whole value to its origin', () => {
    const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const o = { kind: 'value' as const, file: '/f', start: 3, end: 9, path: ['k'] };
    const text = emitDocuments(
      [kmap(null, [{ key: 'k', keyOrigin: null, value: str(long, o) }])],
      't',
    );
    assert.ok(text.text.split('\n').length > 2, text.text);
    const seg = text.segments.find((s) => s.origin === o);
    assert.ok(seg);
    assert.equal(text.text.slice(seg.start, seg.end).replace(/\n\s+/g, ' '), long);
  });
});

describe('name hash', () => {
  it('SHA-256 agrees with Node’s (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });
  it('encodes JSON as Go does: sorted keys, HTML characters escaped', () => {
    assert.equal(
      goJson({ b: 1, a: ['<&>', null, true] }),
      '{"a":["\\u003c\\u0026\\u003e",null,true],"b":1}',
    );
    assert.equal(goJson({ s: 'line\nbreak\u2028' }), '{"s":"line\\nbreak\\u2028"}');
  });
  it('hashes a ConfigMap’s data, not its name, and maps digits and vowels as kustomize does', () => {
    const h = configMapHash({ A: '1' }, undefined);
    assert.match(h, /^[0-9a-z]{10}$/);
    assert.doesNotMatch(h, /[013ae]/);
    assert.notEqual(configMapHash({ A: '2' }, undefined), h);
  });
  it('breaks base64 into 70-character lines once it is longer', () => {
    assert.equal(encodeBase64(new TextEncoder().encode('abc')), 'YWJj');
    const long = encodeBase64(new Uint8Array(60));
    assert.deepEqual(
      long.split('\n').map((l) => l.length),
      [70, 10, 0],
    );
  });
});

describe('JSON patch', () => {
  const doc = (): KMap => read('a:\n  list: [x, y, z]\n  m: {k: v}\nb: 1\n') as KMap;
  const ops = (text: string) => decodeOps(read(text, true));
  it('adds, removes, replaces, moves, copies and tests with JSON Pointer paths', () => {
    const out = applyJsonPatch(
      doc(),
      ops(`
- {op: add, path: /a/list/-, value: w}
- {op: add, path: /a/list/0, value: first}
- {op: remove, path: /a/list/-1}
- {op: replace, path: /a/m/k, value: changed}
- {op: replace, path: /a/m/new, value: added}
- {op: move, from: /b, path: /a/b}
- {op: copy, from: /a/m, path: /c~1d}
- {op: test, path: /a/list/1, value: x}
`),
    );
    assert.deepEqual(toPlain(out), {
      a: { list: ['first', 'x', 'y', 'z'], m: { k: 'changed', new: 'added' }, b: 1 },
      'c/d': { k: 'changed', new: 'added' },
    });
  });
  it('fails with the library’s messages', () => {
    const fails = (text: string, message: string) =>
      assert.throws(
        () => applyJsonPatch(doc(), ops(text)),
        (e: unknown) => e instanceof JsonPatchError && e.message === message,
      );
    fails(
      '- {op: remove, path: /a/nope}',
      "error in remove for path: '/a/nope': Unable to remove nonexistent key: nope: missing value",
    );
    fails(
      '- {op: add, path: /x/y, value: 1}',
      'add operation does not apply: doc is missing path: "/x/y": missing value',
    );
    fails('- {op: test, path: /b, value: 2}', 'testing value /b failed: test failed');
    fails(
      '- {op: add, path: /a/list/9, value: 1}',
      "error in add for path: '/a/list/9': Unable to access invalid index: 9: invalid index referenced",
    );
    fails('- {op: frobnicate, path: /a}', 'Unexpected kind: frobnicate');
  });
  it('reads YAML operations as YAML 1.1 (yes is true)', () => {
    const out = applyJsonPatch(doc(), ops('- {op: add, path: /t, value: yes}'));
    assert.equal((toPlain(out) as Record<string, unknown>).t, true);
  });
});

describe('label selectors', () => {
  const labels = new Map([
    ['app', 'web'],
    ['tier', 'front'],
    ['n', '5'],
  ]);
  it('match equality, set and existence requirements', () => {
    assert.ok(matchesSelector('app=web,tier!=db', labels));
    assert.ok(matchesSelector('app in (web, api), !canary', labels));
    assert.ok(matchesSelector('tier notin (db)', labels));
    assert.ok(matchesSelector('n>3', labels));
    assert.ok(!matchesSelector('app==api', labels));
    assert.ok(!matchesSelector('canary', labels));
    assert.ok(matchesSelector('', labels));
  });
  it('reject bad syntax', () => {
    assert.throws(() => matchesSelector('app in web', labels), SelectorSyntaxError);
    assert.throws(() => matchesSelector('app=web tier=x', labels), SelectorSyntaxError);
  });
});

describe('images', () => {
  it('splits references as kustomize does (a port in the registry is not a tag)', () => {
    assert.deepEqual(splitImage('nginx'), { name: 'nginx', tag: '', digest: '' });
    assert.deepEqual(splitImage('reg:5000/team/app:1.2@sha256:ab'), {
      name: 'reg:5000/team/app',
      tag: '1.2',
      digest: 'sha256:ab',
    });
    assert.deepEqual(splitImage('app@sha256:ab'), { name: 'app', tag: '', digest: 'sha256:ab' });
  });
});
