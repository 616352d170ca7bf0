/**
 * Output that user text cannot amplify or hijack: a 1 MB string aliased by
 * 151 container names gives bounded output in every format; a document with
 * more findings than the budget says so; control characters in names and
 * paths reach the terminal only in a visible form, and colours come only
 * from podsec.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, clip, DEFAULT_LIMITS, MAX_QUOTED, visible } from '@podsec/server';
import { cli, podsecProcess } from '../support/cli';

const MB = 1024 * 1024;
const ESC = String.fromCharCode(0x1b);
/** The control characters of `s` other than the newline that ends a line. */
const controls = (s: string): string[] =>
  [...s].filter((c) => c !== '\n' && (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f));

/** 151 containers whose `name: *n` aliases one 1 MB string. */
function aliasedNames(): string {
  let y = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nn: &n "${'x'.repeat(MB)}"\nspec:\n  containers:\n`;
  for (let i = 0; i < 151; i++) y += '    - name: *n\n      image: a\n';
  return y;
}

describe('amplification and terminal safety', () => {
  it('clip cuts long text with an ellipsis and never splits a surrogate pair', () => {
    assert.equal(clip('short'), 'short');
    const long = clip('y'.repeat(10_000));
    assert.equal(long.length, MAX_QUOTED);
    assert.ok(long.endsWith('…'));
    const emoji = clip(`${'a'.repeat(MAX_QUOTED - 2)}🚀🚀`);
    assert.ok(!/[\ud800-\udbff]…$/.test(emoji), 'no lone high surrogate before the ellipsis');
  });

  it(
    'a 1 MB name aliased by 151 containers: every format bounded, no crash',
    { timeout: 120_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'podsec-amp-'));
      const file = join(dir, 'alias.yaml');
      writeFileSync(file, aliasedNames());
      for (const args of [
        [],
        ['--format', 'json'],
        ['--format', 'sarif'],
        ['report'],
        ['report', '--format', 'json'],
        ['report', '--format', 'markdown'],
      ]) {
        const a = args[0] === 'report' ? [...args, file] : [...args, file];
        const r = podsecProcess(a, { nodeArgs: ['--max-old-space-size=256'], maxBuffer: 64 * MB });
        assert.ok(
          r.code === 0 || r.code === 1,
          `${a.join(' ')}: exit ${r.code}: ${r.err.slice(0, 500)}`,
        );
        assert.ok(r.out.length > 0, `${a.join(' ')}: output`);
        // 151 names of 1 MB each would be 151 MB per finding kind; the quoted names are cut.
        // (SARIF carries fixes, fingerprints and rule help per result: about 2.2 MB for 908 results.)
        assert.ok(r.out.length < 4 * MB, `${a.join(' ')}: ${r.out.length} bytes`);
      }
      const text = cli([file]).out;
      // Text output uses the short summaries (`Pod big, container <name cut at 24>: set …`).
      assert.match(text, /container x{23}…: set /);
      assert.match(text, /✖ \d+ findings \(604 errors/);
    },
  );

  it('a document over the findings budget gets one message saying it was not fully evaluated', () => {
    let y = 'apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec:\n  containers:\n';
    for (let i = 0; i < 300; i++) y += `    - {name: c${i}, image: a}\n`;
    const a = analyze(y);
    assert.equal(a.findings.length, DEFAULT_LIMITS.maxFindingsPerDocument);
    const limit = a.errors.filter((e) => e.code === 'limit');
    assert.equal(limit.length, 1);
    assert.match(
      limit[0]?.message ?? '',
      /^Document not fully evaluated: 1200 findings, over the limit of 1000/,
    );
  });

  it('control characters from names and paths are shown, never sent; colours only from podsec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-tty-'));
    const hostile = 'x\u001b]0;PWNED\u0007\r\u001b[2K';
    const yaml = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: "x\\e]0;PWNED\\a\\r\\e[2K"\n      image: a\n`;
    const file = join(dir, 'evil\nname\u001b[31m.yaml');
    writeFileSync(file, yaml);
    assert.equal(analyze(yaml).findings[0]?.container, hostile, 'the engine keeps the real name');
    for (const color of [false, true]) {
      const r = cli([color ? '--color' : '--no-color', dir]);
      const withoutOurColours = r.out
        .split(`${ESC}[`)
        .map((part, i) =>
          i === 0 ? part : part.replace(/^(?:1|2|22|31|33|34|39)m/, (m) => m.replace('m', '')),
        );
      // Every escape sequence left is one of podsec's colours; nothing else is raw.
      for (const [i, part] of withoutOurColours.entries()) {
        if (i > 0)
          assert.match(
            r.out.split(`${ESC}[`)[i] ?? '',
            /^(?:1|2|22|31|33|34|39)m/,
            'only SGR colours',
          );
        assert.deepEqual(controls(part), [], 'no raw control character');
      }
      if (color) assert.ok(withoutOurColours.length > 1, 'colours are on');
      // Text output uses the short summaries (`Pod p, container <name>: set …`).
      assert.match(r.out, /container x\\x1b\]0;PWNED\\x07\\r\\x1b\[2K: set /);
      assert.match(r.out, /evil\\nname\\x1b\[31m\.yaml:6:7 /);
      const lines = r.out.split('\n').filter((l) => l.includes('PWNED'));
      const findings = (
        JSON.parse(cli(['--format', 'json', dir]).out) as { files: Array<{ findings: unknown[] }> }
      ).files[0]?.findings.length;
      assert.ok(lines.length >= 4, 'each finding quoting the name');
      const rows = r.out.split('\n').filter((l) => /evil\\nname\\x1b\[31m\.yaml:\d+:\d+ /.test(l));
      assert.equal(rows.length, findings, 'one line per finding');
      for (const l of lines) assert.match(l, /^\S*evil\\nname/);
    }
    assert.equal(visible('a\u2028b\u0085c\td'), 'a\\u2028b\\x85c\\td');
    // JSON and SARIF carry the text escaped by JSON itself.
    const json = cli(['--format', 'json', dir]).out;
    assert.deepEqual(controls(json), []);
  });
});
