/**
 * The language service's pure parts, without a server: the minimal
 * replacement edit, overlap queries over findings, suppression edits and
 * settings normalisation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '@podsec/server';
import { AnalysisResult, minimalEdit, suppressionEdit } from '@podsec/server/out/lsp/features';
import { normalizeSettings } from '@podsec/server/out/lsp/settings';
import { privilegedPod } from '../support/manifests';

const POD = privilegedPod('p', { container: 'a', image: 'x' });

function apply(text: string, e: { start: number; end: number; newText: string }): string {
  return text.slice(0, e.start) + e.newText + text.slice(e.end);
}

describe('language service', () => {
  it('minimalEdit replaces only what changed, never splitting CRLF or surrogate pairs', () => {
    assert.equal(minimalEdit('same', 'same'), null);
    assert.deepEqual(minimalEdit('a: true\nb: 1\n', 'a: false\nb: 1\n'), {
      start: 3,
      end: 6,
      newText: 'fals',
    });
    const cases: Array<[string, string]> = [
      ['x\r\ny', 'x\ny'],
      ['x\ny', 'x\r\ny'],
      ['a😀b', 'a😁b'],
      ['aaaa', 'aa'],
      ['', 'new'],
      ['old', ''],
      ['k: v\r\n', 'k: v\r\n  n: 1\r\n'],
    ];
    for (const [a, b] of cases) {
      const e = minimalEdit(a, b)!;
      assert.equal(apply(a, e), b, JSON.stringify([a, b]));
      const high = (t: string, i: number) =>
        t.charCodeAt(i - 1) >= 0xd800 && t.charCodeAt(i - 1) <= 0xdbff;
      assert.ok(!high(a, e.start) && !high(a, e.end), `split pair in ${JSON.stringify(a)}`);
      assert.ok(!(a[e.start - 1] === '\r' && a[e.start] === '\n'), 'start splits CRLF');
    }
  });

  it('findingsAt finds exactly the findings touching a range', () => {
    const a = analyze(POD);
    const r = new AnalysisResult('file:///p.yaml', 1, POD, a);
    const at = POD.indexOf('privileged: true') + 3;
    const hits = r.findingsAt(at, at).map((i) => a.findings[i]!.check);
    assert.deepEqual(hits, ['privileged']);
    assert.deepEqual(r.findingsAt(0, 5), []);
    const all = r.findingsAt(0, POD.length).length;
    assert.equal(all, a.findings.length);
    // Brute force agrees at every offset.
    for (let o = 0; o <= POD.length; o++) {
      const brute = a.findings
        .map((f, i) => (f.span.start <= o && f.span.end >= o ? i : -1))
        .filter((i) => i >= 0)
        .sort((x, y) => x - y);
      assert.deepEqual(
        [...r.findingsAt(o, o)].sort((x, y) => x - y),
        brute,
        `offset ${o}`,
      );
    }
  });

  it('suppressionEdit keeps the line indentation and the line ending style', () => {
    const crlf = POD.replace(/\n/g, '\r\n');
    const r = new AnalysisResult('file:///p.yaml', 1, crlf, analyze(crlf));
    const e = suppressionEdit(r, 'privileged', crlf.indexOf('privileged: true'), false);
    assert.deepEqual(e, {
      range: { start: { line: 9, character: 0 }, end: { line: 9, character: 0 } },
      newText: '        # podsec-ignore privileged -- reason\r\n',
    });
  });

  it('normalizeSettings: defaults, invalid values fall back with one problem each', () => {
    const ok = normalizeSettings({
      level: 'baseline',
      version: 'v1.30',
      severity: { warn: 'hint' },
    });
    assert.equal(ok.settings.level, 'baseline');
    assert.equal(ok.settings.version, 'v1.30');
    assert.deepEqual(ok.settings.severity, { warn: 'hint' });
    assert.deepEqual(ok.problems, []);
    const bad = normalizeSettings({
      level: 'strict',
      version: 'v2',
      severity: { privileged: 'loud' },
    });
    assert.equal(bad.settings.level, 'restricted');
    assert.equal(bad.settings.version, 'latest');
    assert.deepEqual(bad.settings.severity, {});
    assert.equal(bad.problems.length, 3);
    assert.equal(normalizeSettings(null).settings.enable, true);
  });
});
