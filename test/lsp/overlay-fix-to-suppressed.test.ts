/**
 * The overlay "Fix to" lens counts what a suppression silences among the
 * findings it leaves, as the overlays' "meets" does: admission reads no
 * comments, so the builds still fail a suppressed finding. The engine keeps
 * such a finding as suppressed (named by its overlays), not as a finding.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { AnalysisResult } from '@podsec/server/out/lsp/features';
import { overlayFixTo, standingsOf } from '@podsec/server/out/lsp/features/overlayLenses';

const POD = (suppressed: boolean): string =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: p',
    'spec:',
    '  securityContext:',
    '    runAsNonRoot: true',
    '    seccompProfile:',
    '      type: RuntimeDefault',
    '  containers:',
    '    - name: app',
    '      image: app:1',
    '      securityContext:',
    ...(suppressed ? ['        # podsec-ignore allowPrivilegeEscalation -- reviewed'] : []),
    '        allowPrivilegeEscalation: true',
    '',
  ].join('\n');

function lens(suppressed: boolean) {
  const fs = new MemoryFs({
    '/r/base/kustomization.yaml': 'resources:\n- pod.yaml\n',
    '/r/base/pod.yaml': POD(suppressed),
    '/r/prod/kustomization.yaml': 'resources:\n- ../base\n',
  });
  const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/r'), {
    level: 'restricted',
    advise: true,
    roots: ['/r/prod'],
  });
  const a = ev.files.get('/r/base/pod.yaml');
  assert.ok(a);
  const r = new AnalysisResult('file:///r/base/pod.yaml', 1, POD(suppressed), a);
  const w = a.workloads[0];
  assert.ok(w);
  const standings = standingsOf(r, w);
  assert.deepEqual(
    standings.map((s) => [s.overlay, s.met]),
    [['/r/prod', 'baseline']],
  );
  return { a, fx: overlayFixTo(r, w, standings) };
}

describe('overlay "Fix to": suppressed findings', () => {
  it('a suppressed finding is kept as suppressed, named by its overlays', () => {
    const { a } = lens(true);
    assert.ok(!a.findings.some((f) => f.check === 'allowPrivilegeEscalation'));
    assert.deepEqual(
      (a.suppressed ?? []).map((f) => [f.check, f.overlays, f.suppression.kind]),
      [['allowPrivilegeEscalation', ['/r/prod'], 'comment']],
    );
  });

  it('"(N left)" counts it, as "meets" does, and says how many are suppressed', () => {
    const plain = lens(false).fx;
    const silenced = lens(true).fx;
    assert.ok(plain && silenced);
    assert.equal(silenced.level, 'restricted');
    // Unsuppressed, its fix is made here; suppressed, it is left (and the build still fails it).
    assert.equal(silenced.fixable, plain.fixable - 1);
    assert.equal(silenced.left, plain.left + 1);
    assert.equal(silenced.suppressed, 1);
    assert.equal(plain.suppressed, 0);
  });
});
