/**
 * User text in messages is cut short, and a text's findings are bounded: a
 * 1 MB container name aliased into 151 containers gives short messages, and
 * a pod with thousands of failing containers gives at most
 * DEFAULT_LIMITS.maxFindings findings and a note that evaluation stopped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, clip, DEFAULT_LIMITS, quoteText } from '@podsec/server';

describe('user text in messages', () => {
  it('is cut to 64 characters with an ellipsis, never inside a surrogate pair', () => {
    assert.equal(clip('app'), 'app');
    assert.equal(clip('a'.repeat(64)), 'a'.repeat(64));
    assert.equal(clip('a'.repeat(65)), `${'a'.repeat(63)}…`);
    assert.equal(quoteText('b'.repeat(100), 10), `"${'b'.repeat(9)}…"`);
    const emoji = `${'a'.repeat(62)}😀tail`;
    const cut = clip(emoji);
    assert.equal(cut, `${'a'.repeat(62)}…`);
    assert.ok(!/[\ud800-\udbff]…$/.test(cut));
  });

  it('a 1 MB name aliased by 151 containers gives bounded messages', () => {
    let text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: amp\nx: &n ${'n'.repeat(1024 * 1024)}\nspec:\n  containers:\n`;
    for (let i = 0; i < 151; i++) {
      text += `  - name: *n\n    image: a\n    securityContext: {privileged: true}\n`;
    }
    const a = analyze(text);
    const privileged = a.findings.filter((f) => f.check === 'privileged');
    assert.equal(privileged.length, 151);
    for (const f of a.findings) {
      assert.ok(f.message.length < 400, `${f.check}: ${f.message.length} characters`);
      assert.ok((f.container ?? '').length <= 64);
    }
    assert.match(privileged[0]!.message, /container "n{63}…" must not set/);
  });

  it('stops at maxFindings findings with a note', () => {
    assert.equal(DEFAULT_LIMITS.maxFindings, 100_000);
    let text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\nspec:\n  containers:\n`;
    for (let i = 0; i < 30; i++) {
      text += `  - {name: c${i}, image: a, securityContext: {privileged: true}}\n`;
    }
    const all = analyze(text, { level: 'restricted' });
    assert.ok(all.findings.length > 50, `${all.findings.length} findings`);
    assert.ok(!all.notes.some((d) => /Not fully evaluated/.test(d.message)));
    const cut = analyze(text, { level: 'restricted', maxFindings: 50 });
    assert.deepEqual(cut.findings, all.findings.slice(0, 50));
    const notes = cut.notes.filter((d) =>
      /^Not fully evaluated: more than 50 findings; the first 50 are shown/.test(d.message),
    );
    assert.equal(notes.length, 1, JSON.stringify(cut.notes));
    assert.equal(notes[0]!.code, 'limit');
  });
});
