/**
 * The analysis session: one parse of a text, evaluations at any policy equal
 * to analyzing afresh, suppressions as an option (the text untouched), and the
 * level advisor's fix outlooks kept per YAML document across edits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  adviseText,
  analyze,
  AnalysisSession,
  fixWorkloadToLevel,
  OutlookMemo,
  splitDocuments,
} from '@podsec/server';
import type { Level } from '@podsec/server';
import { generate } from '../support/generate';
import { deploymentYaml, podYaml } from '../support/manifests';

const TEXT = generate({ workloads: 12, seed: 7 });

const POLICIES: Array<{
  level: Level;
  version: string;
  namespaceLabels: boolean;
  suppressions: boolean;
}> = [];
for (const level of ['privileged', 'baseline', 'restricted'] as const)
  for (const version of ['v1.18', 'v1.25', 'latest'])
    for (const namespaceLabels of [true, false])
      for (const suppressions of [true, false])
        POLICIES.push({ level, version, namespaceLabels, suppressions });

describe('analysis session', () => {
  it('parses each YAML document once, whatever the policies asked', () => {
    const s = new AnalysisSession(TEXT, { file: 'gen.yaml' });
    for (const p of POLICIES) s.analyze(p);
    for (const p of POLICIES) s.analyze(p); // asked again: kept
    assert.equal(s.parsedChunks, splitDocuments(TEXT).length);
    assert.equal(s.evaluations, POLICIES.length / 2, 'without suppression comments, on = off');
  });

  it('gives at each policy what a fresh analysis gives', () => {
    const s = new AnalysisSession(TEXT, { file: 'gen.yaml' });
    for (const p of POLICIES) {
      assert.deepEqual(s.analyze(p), analyze(TEXT, { ...p, file: 'gen.yaml' }), JSON.stringify(p));
    }
  });

  it('evaluates with and without suppressions without rewriting the text', () => {
    const text = deploymentYaml({
      name: 'web',
      securityContext: { privileged: true },
    }).replace('privileged: true', 'privileged: true # podsec-ignore privileged -- lab only');
    const s = new AnalysisSession(text);
    const on = s.analyze({ level: 'baseline' });
    const off = s.analyze({ level: 'baseline', suppressions: false });
    assert.equal(s.text, text);
    assert.deepEqual(
      on.findings.map((f) => f.check),
      [],
    );
    assert.deepEqual(
      off.findings.map((f) => f.check),
      ['privileged'],
    );
    assert.equal(s.parsedChunks, 1);
  });

  it('finds the Namespaces the text declares from the same parse', () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n---\n${podYaml({ name: 'p', namespace: 'shop' })}`;
    const s = new AnalysisSession(text, { file: 'ns.yaml' });
    const ns = s.namespaces();
    assert.deepEqual(
      ns.map((n) => [n.name, n.file, n.labels]),
      [['shop', 'ns.yaml', { 'pod-security.kubernetes.io/enforce': 'baseline' }]],
    );
    s.analyze({ level: 'restricted' });
    assert.equal(s.parsedChunks, 2);
  });
});

describe('level advice from a session', () => {
  it('is the same with a session given and without', () => {
    const s = new AnalysisSession(TEXT);
    assert.deepEqual(adviseText(TEXT, {}, s), adviseText(TEXT));
    assert.deepEqual(
      adviseText(TEXT, { version: 'v1.22' }, s),
      adviseText(TEXT, { version: 'v1.22' }),
    );
  });

  it('"Fix to" leaves what the outlook said, for every workload', () => {
    const advice = adviseText(TEXT);
    let compared = 0;
    for (const a of advice) {
      if (!a.next || !a.fix || a.fix.fixable === 0) continue;
      const fixed = fixWorkloadToLevel(TEXT, a.object, a.next);
      assert.equal(fixed.left, a.fix.left, `${a.object.kind} ${a.object.name}`);
      compared++;
    }
    assert.ok(compared >= 3, `only ${compared} workloads had a safe fix`);
  });

  it('keeps fix outlooks of unchanged documents across an edit', () => {
    const memo = new OutlookMemo();
    const first = adviseText(TEXT, { outlookMemo: memo });
    const computedFirst = memo.lastComputed;
    assert.ok(computedFirst >= 3);
    // Edit one document: only its outlooks are worked out again.
    const at = TEXT.indexOf('image: ', Math.floor(TEXT.length / 2));
    const edited = `${TEXT.slice(0, at)}image: edited/${TEXT.slice(at + 'image: '.length)}`;
    const second = adviseText(edited, { outlookMemo: memo });
    assert.ok(memo.lastComputed <= 2, `recomputed ${memo.lastComputed} of ${computedFirst}`);
    assert.deepEqual(second, adviseText(edited));
    // And the same text again: nothing.
    adviseText(edited, { outlookMemo: memo });
    assert.equal(memo.lastComputed, 0);
    assert.equal(first.length, second.length);
  });
});
