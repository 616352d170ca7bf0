/**
 * One parse per text: whichever of the analysis and the hardening checks
 * reads a text of one chunk first leaves its parse in a ParseShare, and the
 * other reads that parse instead of parsing the text again, with the same
 * objects, findings and fixes. The editor's share is bounded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, hardeningSource, mergeHardening, ParseShare, runHardening } from '@podsec/server';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
x-image: &img nginx
spec:
  containers:
    - name: app
      image: *img
      env: [{name: DB_PASSWORD, value: hunter2hunter2}]
`;

const policy = { level: 'restricted' as const, version: 'latest' };

/** The analysis and the hardening checks over one text, with or without a share. */
function checked(text: string, share?: ParseShare) {
  const analysis = analyze(text, { file: 'p.yaml', ...(share ? { share } : {}) });
  const source = hardeningSource('p.yaml', text, share ? { share } : {});
  const merged = mergeHardening(analysis, 'p.yaml', runHardening([source]), policy);
  return { source, merged };
}

const plain = (x: ReturnType<typeof checked>) => ({
  objects: x.source.objects.map((o) => o.value),
  findings: x.merged.findings.map((f) => [f.check, f.span, f.message, f.fixes]),
});

describe('one parse for the analysis and the hardening checks', () => {
  it('a one-document text: the parse is taken, and the results are the same', () => {
    const share = new ParseShare();
    const shared = checked(POD, share);
    assert.equal(share.taken, 1);
    assert.deepEqual(plain(shared), plain(checked(POD)));
    assert.ok(shared.merged.findings.some((f) => f.check === 'secretInEnv'));
    // taken once: a second reader parses for itself
    hardeningSource('p.yaml', POD, { share });
    assert.equal(share.taken, 1);
  });

  it('a text of several chunks is parsed whole by the hardening checks, with the same results', () => {
    const text = `${POD}---\n${POD.replace('name: web', 'name: api')}`;
    const share = new ParseShare();
    const shared = checked(text, share);
    assert.equal(share.taken, 0);
    assert.deepEqual(plain(shared), plain(checked(text)));
    assert.equal(shared.source.objects.length, 2);
  });

  it('another depth or skim, or another text, is not taken', () => {
    const share = new ParseShare();
    analyze(POD, { share });
    hardeningSource('p.yaml', POD, { share, maxDepth: 10 });
    hardeningSource('p.yaml', POD, { share, skim: false });
    hardeningSource('p.yaml', `${POD}# edited\n`, { share });
    assert.equal(share.taken, 0);
    share.clear();
    hardeningSource('p.yaml', POD, { share });
    assert.equal(share.taken, 0);
  });

  it('the hardening checks first (as the editor reads a document): the analysis takes their parse', () => {
    const share = new ParseShare();
    const source = hardeningSource('p.yaml', POD, { share });
    assert.equal(share.size, 1);
    const analysis = analyze(POD, { file: 'p.yaml', share });
    assert.equal(share.taken, 1);
    assert.equal(share.size, 0);
    const alone = checked(POD);
    assert.deepEqual(
      analysis.findings.map((f) => [f.check, f.span]),
      analyze(POD, { file: 'p.yaml' }).findings.map((f) => [f.check, f.span]),
    );
    assert.deepEqual(
      source.objects.map((o) => o.value),
      alone.source.objects.map((o) => o.value),
    );
  });

  it('a bounded share keeps the newest parses only', () => {
    const share = new ParseShare(2);
    const texts = ['a', 'b', 'c'].map((n) => POD.replace('name: web', `name: ${n}`));
    for (const t of texts) hardeningSource('p.yaml', t, { share });
    assert.equal(share.size, 2);
    analyze(texts[0] ?? '', { share });
    assert.equal(share.taken, 0, 'the oldest went first');
    analyze(texts[2] ?? '', { share });
    assert.equal(share.taken, 1);
  });
});
