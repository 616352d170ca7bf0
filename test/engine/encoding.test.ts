/**
 * Positions in every encoding: CRLF line endings, a byte-order mark, tabs in
 * comments, and non-ASCII text before a finding on the same line. Each range
 * is checked against an independent count: UTF-16 units for LSP, Unicode
 * code points (1-based) for the command line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, fixAll, LineIndex } from '@podsec/server';

/** Where `needle` starts, by splitting lines the slow, obvious way. */
function oracle(text: string, needle: string): { line: number; utf16: number; codePoints: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} is in the text`);
  const before = text.slice(0, at);
  const lines = before.split(/\r\n|\r|\n/);
  const last = lines[lines.length - 1] ?? '';
  return { line: lines.length - 1, utf16: last.length, codePoints: Array.from(last).length };
}

function check(text: string, needle: string, underlined: string): void {
  const a = analyze(text, { level: 'baseline' });
  assert.deepEqual(a.errors, []);
  const f = a.findings.find((x) => text.slice(x.span.start, x.span.end) === underlined);
  assert.ok(
    f,
    `a finding underlines ${underlined}; got ${a.findings.map((x) => text.slice(x.span.start, x.span.end)).join(' | ')}`,
  );
  const expected = oracle(text, needle);
  const lines = new LineIndex(text);
  assert.deepEqual(lines.position(f.span.start), {
    line: expected.line,
    character: expected.utf16,
  });
  assert.deepEqual(lines.humanPosition(f.span.start), {
    line: expected.line + 1,
    column: expected.codePoints + 1,
  });
}

const POD = (line: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: "p"\nspec:\n  containers:\n    - name: app\n      image: app\n${line}\n`;

describe('positions in every encoding', () => {
  it('CRLF line endings', () => {
    const t = POD('      securityContext:\n        privileged: true').replace(/\n/g, '\r\n');
    check(t, 'privileged: true', 'privileged: true');
  });
  it('fixes write each text’s own line endings, one text after another', () => {
    const lf = POD('      securityContext:\n        privileged: true');
    const crlf = lf.replace(/\n/g, '\r\n');
    // The same fixes planned in a CRLF text, an LF one, and the CRLF one again.
    for (const t of [crlf, lf, crlf, lf]) {
      const fixed = fixAll(t, { level: 'restricted' }, { unsafe: true }).text;
      assert.ok(fixed.length > t.length, 'keys were added');
      if (t === crlf) assert.doesNotMatch(fixed, /[^\r]\n/, 'CRLF only');
      else assert.doesNotMatch(fixed, /\r/, 'LF only');
    }
  });
  it('old Mac CR line endings count as line breaks too', () => {
    const t = POD('      securityContext: {privileged: true}').replace(/\n/g, '\r');
    const lines = new LineIndex(t);
    assert.equal(lines.lineCount, t.split('\r').length);
  });
  it('a byte-order mark', () => {
    const t = `\ufeff${POD('      securityContext:\n        privileged: true')}`;
    check(t, 'privileged: true', 'privileged: true');
  });
  it('tabs in comments', () => {
    const t = POD('      securityContext:\t# \ttabs\there\n        privileged: true\t# \ttrailing');
    check(t, 'privileged: true', 'privileged: true');
  });
  for (const [name, text] of [
    ['accents', 'é à ü ñ'],
    ['CJK', '安全 コンテナ'],
    ['emoji outside the BMP', '🚀🔒👩‍💻'],
  ] as const) {
    it(`non-ASCII text before a finding on the same line: ${name}`, () => {
      const t = POD(
        `      securityContext: {seLinuxOptions: {level: "${text}"}, privileged: true}`,
      );
      check(t, 'privileged: true', 'privileged: true');
    });
  }
  it('non-ASCII on earlier lines and in keys does not shift later positions', () => {
    const t = `# ${'🚀'.repeat(50)}\n${POD('      securityContext:\n        "ünïcode": "値"\n        privileged: true')}`;
    check(t, 'privileged: true', 'privileged: true');
  });
});
