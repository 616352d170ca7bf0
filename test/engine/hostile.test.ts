/**
 * Hostile YAML, through the engine and through the real `podsec` process: an
 * alias bomb, 10,000-deep nesting (flow and block), a 20 MB file, random
 * binary bytes, a NUL byte, control characters and invalid UTF-8. Each gets
 * one clear message at a position, with bounded memory and, for aliases,
 * bounded work (alias look-ups are counted: the engine's alias limit set low
 * is never reached); the limits are options that take effect both ways.
 * How fast each is, against a normal file analysed in the same run, is
 * measured in `npm run bench` (the hostile/* rows).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { analyze, DEFAULT_LIMITS } from '@podsec/server';
import type { Analysis, AnalyzeOptions } from '@podsec/server';
import { generate, Rng } from '../support/generate';
import { aliasFlood, DEEP_BLOCK, DEEP_FLOW, laughs, laughsPod, podHead } from '../support/hostile';

const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Analyse, measuring the heap the analysis keeps (after a full collection, result included). */
function measured(
  text: string,
  options: AnalyzeOptions = {},
): { a: Analysis; heapMb: number; peakMb: number } {
  gc();
  const heap = process.memoryUsage().heapUsed;
  const a = analyze(text, options);
  gc();
  const heapMb = (process.memoryUsage().heapUsed - heap) / MB;
  return { a, heapMb, peakMb: process.resourceUsage().maxRSS / 1024 };
}

const POD_HEAD = podHead('bomb');

/** Where a message is, as line:column (1-based), for assertion messages. */
function at(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function only(a: Analysis, pattern: RegExp): Analysis['errors'][number] {
  const hits = a.errors.filter((e) => pattern.test(e.message));
  assert.equal(
    hits.length,
    1,
    `one message matching ${pattern}: ${JSON.stringify(a.errors.map((e) => e.message))}`,
  );
  return hits[0]!;
}

describe('hostile input: engine', () => {
  /** A normal manifest of ~100 KB. */
  let normal: string;

  before(() => {
    normal = generate({ seed: 11, lines: 3000 });
  });

  it('a billion laughs outside any workload costs nothing: no expansion, no message', (t) => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n${laughs('  ')}`;
    const r = measured(text);
    assert.deepEqual(r.a.errors, []);
    assert.deepEqual(r.a.findings, []);
    assert.deepEqual(analyze(text, { maxAliasCount: 1 }).errors, [], 'not one alias followed');
    assert.ok(r.heapMb < 50, `heap grew ${r.heapMb} MB`);
    t.diagnostic(
      `billion laughs (9^9 if expanded): heap +${r.heapMb.toFixed(1)} MB, peak RSS ${r.peakMb.toFixed(0)} MB`,
    );
  });

  it('a billion laughs as a pod field: schema errors at the offending nodes, the rest still checked', () => {
    const text = `${POD_HEAD}${laughs()}spec:\n  containers: *l9\n  hostNetwork: true\n`;
    const r = measured(text, { level: 'baseline' });
    const schema = r.a.errors.filter((e) => e.code === 'schema');
    assert.ok(schema.length > 0 && schema.length <= 10, JSON.stringify(r.a.errors));
    for (const e of schema) {
      assert.match(e.message, /spec\.containers\[\d\] must be an object/);
      assert.ok(e.span.start >= text.indexOf('l8: &l8'), `at ${at(text, e.span.start)}`);
    }
    assert.deepEqual(
      r.a.findings.map((f) => f.check),
      ['hostNamespaces'],
    );
    // 9^9 leaves if expanded: the whole evaluation follows at most 100 aliases.
    const counted = analyze(text, { level: 'baseline', maxAliasCount: 100 });
    assert.deepEqual(counted.errors, r.a.errors, 'no alias limit reached at 100 look-ups');
    assert.deepEqual(counted.findings, r.a.findings);
  });

  it('an alias flood in a workload stops at maxAliasCount with one message at the document', (t) => {
    const n = DEFAULT_LIMITS.maxAliasCount + 1000;
    const text = aliasFlood(
      POD_HEAD,
      n,
      '{name: app, image: app, securityContext: {privileged: true}}',
    );
    const r = measured(text, { level: 'baseline' });
    const e = only(r.a, /more than 10000 alias look-ups/);
    assert.equal(e.code, 'limit');
    assert.match(e.message, /podsec\.maxAliasCount/);
    assert.equal(e.span.start, 0, 'at the start of the document');
    assert.deepEqual(r.a.findings, [], 'no partial results past the limit');
    t.diagnostic(
      `${n} aliases: heap +${r.heapMb.toFixed(1)} MB, peak RSS ${r.peakMb.toFixed(0)} MB`,
    );
  });

  it('maxAliasCount takes effect lower and higher', () => {
    const text = `${POD_HEAD}sc: &sc {privileged: true}\nspec:\n  containers:\n${[0, 1, 2, 3]
      .map((i) => `  - {name: c${i}, image: app, securityContext: *sc}\n`)
      .join('')}`;
    const normalRun = analyze(text, { level: 'baseline' });
    assert.equal(normalRun.findings.filter((f) => f.check === 'privileged').length, 4);
    const low = analyze(text, { level: 'baseline', maxAliasCount: 2 });
    only(low, /more than 2 alias look-ups/);
    assert.deepEqual(low.findings, []);
    const flood = aliasFlood(POD_HEAD, 20_000, '{name: app, image: app}');
    only(analyze(flood), /alias look-ups/);
    const high = analyze(flood, { maxAliasCount: 1_000_000 });
    assert.ok(!high.errors.some((e) => /alias/.test(e.message)), JSON.stringify(high.errors[0]));
    // Every aliased container is checked (80,000 findings); the report per document is bounded.
    only(
      high,
      /^Document not fully evaluated: 80000 findings, over the limit of 1000 per document/,
    );
    assert.equal(high.findings.length, DEFAULT_LIMITS.maxFindingsPerDocument);
  });

  // [name, text, offset of the message, options]: one-space block indentation 10,000 deep is
  // 50 MB, so that case raises the size limit to reach the depth check.
  const deep: Array<[string, () => string, number, AnalyzeOptions]> = [
    ['flow sequences', () => '['.repeat(10_000) + ']'.repeat(10_000), 499, {}],
    ['flow mappings', () => '{a: '.repeat(10_000) + '}'.repeat(10_000), 4 * 499, {}],
    ['block sequences', () => DEEP_BLOCK, 1000, {}],
    [
      'block mappings',
      () => Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
      // line 500 (0-based) has 500 spaces: lines before it take i + 3 characters each
      (499 * 500) / 2 + 3 * 500 + 500,
      { maxFileBytes: 64 * MB },
    ],
  ];
  for (const [name, make, offset, options] of deep) {
    it(`10,000-deep ${name}: "nesting deeper than" at the first level too deep`, (t) => {
      const text = make();
      const r = measured(text, options);
      const e = only(r.a, /^Not evaluated: nesting deeper than 500 levels$/);
      assert.equal(e.code, 'limit');
      assert.equal(e.span.start, offset, `at ${at(text, e.span.start)}`);
      t.diagnostic(
        `10,000-deep ${name} (${text.length} chars): heap +${r.heapMb.toFixed(1)} MB, peak RSS ${r.peakMb.toFixed(0)} MB`,
      );
    });
  }

  it('maxDepth is honoured below the library’s own breaking point, never above it', () => {
    const text = `${'- '.repeat(600)}x\n`;
    only(analyze(text), /nesting deeper than 500/);
    assert.deepEqual(analyze(text, { maxDepth: 700 }).errors, []);
    // The YAML library aborts the process near 1,000 levels: the engine caps any request.
    only(analyze(DEEP_BLOCK, { maxDepth: 1_000_000 }), /nesting deeper than 800/);
  });

  it('a 20 MB file: one size message at once, bounded memory; evaluated when the limit allows', (t) => {
    let big = normal;
    while (big.length < 20 * MB) big += `---\n${normal}`;
    const r = measured(big);
    const e = only(r.a, /File not evaluated: \d+ characters is over the limit of 5242880/);
    assert.deepEqual(e.span, { start: 0, end: 0 });
    assert.match(e.message, /podsec\.maxFileSize/);
    assert.deepEqual(r.a.findings, [], 'not evaluated');
    assert.ok(r.heapMb < 200, `heap grew ${r.heapMb} MB`);
    t.diagnostic(
      `20 MB file (${big.length} chars) at the default limit: heap +${r.heapMb.toFixed(1)} MB, peak RSS ${r.peakMb.toFixed(0)} MB`,
    );
    // A lower limit rejects the normal file; a higher one evaluates a file over the default
    // (generated, not repeated: the engine parses a repeated document once).
    only(analyze(normal, { maxFileBytes: 1000 }), /over the limit of 1000/);
    const six = generate({ seed: 12, lines: 200_000 });
    assert.ok(six.length > DEFAULT_LIMITS.maxFileBytes);
    const sr = measured(six, { maxFileBytes: 8 * MB });
    assert.deepEqual(sr.a.errors, []);
    assert.ok(sr.a.workloads.length > 1000);
    t.diagnostic(
      `${(six.length / MB).toFixed(1)} MB evaluated (limit raised): heap +${sr.heapMb.toFixed(0)} MB, peak RSS ${sr.peakMb.toFixed(0)} MB, ${sr.a.findings.length} findings`,
    );
    if (process.env.PODSEC_HOSTILE_FULL === '1') {
      const distinct = generate({ seed: 13, lines: 750_000 });
      const full = measured(distinct, { maxFileBytes: 32 * MB });
      t.diagnostic(
        `${(distinct.length / MB).toFixed(1)} MB evaluated (limit raised): heap +${full.heapMb.toFixed(0)} MB, peak RSS ${full.peakMb.toFixed(0)} MB, ${full.a.findings.length} findings`,
      );
    }
  });

  it('random binary bytes, a NUL byte, control characters: "not evaluated" at the first bad character', () => {
    const rng = new Rng(99);
    const bytes = Buffer.alloc(100_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(0, 255);
    for (const text of [bytes.toString('utf8'), bytes.toString('latin1')]) {
      const r = measured(text);
      const e = only(
        r.a,
        /^File not evaluated: it contains (a NUL byte|the control character U\+00[0-9A-F]{2})/,
      );
      assert.equal(e.code, 'limit');
      assert.ok(e.span.end === e.span.start + 1);
      const ch = text.charCodeAt(e.span.start);
      assert.ok(ch < 0x20 || (ch >= 0x7f && ch < 0xa0), `U+${ch.toString(16)}`);
      assert.deepEqual(r.a.findings, [], 'not evaluated');
    }
    // Binary without a NUL byte still is not YAML.
    const noNul = Buffer.from(bytes.filter((b) => b !== 0)).toString('utf8');
    only(analyze(noNul), /control character/);

    const withNul = normal.slice(0, 5000) + '\0' + normal.slice(5000);
    const nul = only(analyze(withNul), /NUL byte/);
    assert.deepEqual(nul.span, { start: 5000, end: 5001 });
    const bell = only(analyze(`${POD_HEAD}spec: {}\u0007\n`), /control character U\+0007/);
    assert.equal(bell.span.start, POD_HEAD.length + 'spec: {}'.length);
    // Tab, LF, CR, NEL, BOM and non-ASCII text are allowed.
    assert.deepEqual(
      analyze(`\ufeff${POD_HEAD}\t# tab\r\n# NEL \u0085 é 🚀\nspec: {}\n`).errors,
      [],
    );
  });

  it('text decoded from invalid UTF-8 (replacement characters) is checked as text', () => {
    const text = normal.slice(0, 2000).replace('registry', 're\ufffd\ufffdgistry');
    const a = analyze(text);
    assert.ok(!a.errors.some((e) => e.code === 'limit'));
  });
});

describe('hostile input: the podsec process', () => {
  let dir: string;
  const bin = require.resolve('@podsec/server/bin/podsec.js');
  /** Run the CLI with a heap bound: going over it aborts the process and fails the test. */
  const podsec = (args: string[]) =>
    spawnSync(process.execPath, ['--max-old-space-size=256', bin, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * MB,
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'podsec-hostile-'));
    const normal = generate({ seed: 11, lines: 3000 });
    let big = normal;
    while (big.length < 20 * MB) big += `---\n${normal}`;
    const rng = new Rng(5);
    const binary = Buffer.alloc(64 * 1024);
    for (let i = 0; i < binary.length; i++) binary[i] = rng.int(0, 255);
    const files: Record<string, string | Buffer> = {
      'normal.yaml': normal,
      'bomb.yaml': laughsPod(POD_HEAD),
      'flood.yaml': aliasFlood(POD_HEAD, 20_000),
      'deep.yaml': DEEP_FLOW,
      'deep-block.yaml': DEEP_BLOCK,
      'big.yaml': big,
      'binary.yaml': binary,
      'nul.yaml': `${POD_HEAD}spec: {}\0\n`,
      'latin1.yaml': Buffer.concat([
        Buffer.from(`${POD_HEAD}  annotations: {note: "caf`),
        Buffer.from([0xe9]),
        Buffer.from('"}\nspec: {}\n'),
      ]),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('each hostile file gets its message; the normal file is still checked; memory bounded', () => {
    const base = podsec([join(dir, 'normal.yaml')]);
    assert.equal(base.status, 1, base.stderr);
    const r = podsec([dir]);
    assert.equal(r.status, 2, `exit 2 (file errors); stderr: ${r.stderr}`);
    const out = r.stdout;
    const line = (file: string, pattern: RegExp) => {
      const l = out.split('\n').find((x) => x.startsWith(`${join(dir, file)}:`) && pattern.test(x));
      assert.ok(l, `${file}: ${pattern} in\n${out.slice(0, 3000)}`);
      return l;
    };
    line('bomb.yaml', /:\d+:\d+ +error +spec\.containers\[0\] must be an object/);
    line('flood.yaml', /:1:1 +error +Document not evaluated: more than 10000 alias look-ups/);
    line('deep.yaml', /:1:500 +error +Not evaluated: nesting deeper than 500 levels/);
    line('deep-block.yaml', /:1:1001 +error +Not evaluated: nesting deeper than 500 levels/);
    line('big.yaml', /:1:1 +error +File not evaluated: \d+ (characters|bytes) is over the limit/);
    line('binary.yaml', /error +(not valid UTF-8|File not evaluated: it contains)/);
    line('nul.yaml', /:5:9 +error +File not evaluated: it contains a NUL byte/);
    // at the bad byte: line 5, after `  annotations: {note: "caf`
    line(
      'latin1.yaml',
      /:5:27 +error +not valid UTF-8 \(byte 0xe9 at offset 74\): YAML files must be UTF-8 text/,
    );
    line('normal.yaml', /error +.*\[(privileged|runAsNonRoot)\]/);
    assert.ok(!out.includes('\ufffd'), 'no garbage from binary input');
  });

  it('--max-file-size and --max-alias-count take effect', () => {
    const small = podsec(['--max-file-size', '100', join(dir, 'normal.yaml')]);
    assert.match(small.stdout, /over the limit of 100 /);
    const aliases = podsec(['--max-alias-count', '100000', join(dir, 'flood.yaml')]);
    assert.doesNotMatch(aliases.stdout, /alias look-ups/);
    assert.match(aliases.stdout, /runAsNonRoot|allowPrivilegeEscalation/);
  });
});
