/**
 * The per-file bound on findings: whatever places findings in one file (its
 * own evaluation, the hardening checks, overlay builds, chart value sets),
 * at most `maxFindingsPerFile` are listed, then one note counts the rest.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, boundFileFindings, DEFAULT_LIMITS } from '@podsec/server';

const pods = (n: number): string =>
  Array.from(
    { length: n },
    (_, i) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: c\n      image: x\n      securityContext:\n        privileged: true\n`,
  ).join('---\n');

describe('findings bounded per file', () => {
  it('over the limit: the first findings in order, and one note with the count left out', () => {
    const a = analyze(pods(12), { level: 'restricted', version: 'latest' });
    assert.ok(a.findings.length > 20, `${a.findings.length} findings`);
    const b = boundFileFindings(a, 20);
    assert.equal(b.findings.length, 20);
    assert.deepEqual(b.findings, a.findings.slice(0, 20));
    const notes = b.notes.filter((n) => n.code === 'limit');
    assert.equal(notes.length, 1);
    assert.equal(
      notes[0]?.message,
      `File not fully reported: ${a.findings.length - 20} more findings are not listed (at most 20 per file)`,
    );
    assert.equal(notes[0]?.span.start, b.findings[19]?.span.start);
  });

  it('at or under the limit: the analysis unchanged', () => {
    const a = analyze(pods(2), { level: 'restricted', version: 'latest' });
    assert.equal(boundFileFindings(a, a.findings.length), a);
    assert.equal(boundFileFindings(a), a);
    assert.ok(DEFAULT_LIMITS.maxFindingsPerFile >= DEFAULT_LIMITS.maxFindings);
  });
});
