/**
 * The editor's baseline, named by `.podsec.yaml`, read as the command line
 * reads it: a FIFO or a link to /dev/zero named as the baseline is refused at
 * once (never blocking the server or filling its memory), and said so.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { analyze } from '@podsec/server';
import { Baselines } from '@podsec/server/out/lsp/baselines';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: x
      securityContext:
        privileged: true
`;

function workspace(baseline: (dir: string) => void): { uri: string } {
  const dir = mkdtempSync(join(tmpdir(), 'podsec-lsp-baseline-'));
  writeFileSync(join(dir, '.podsec.yaml'), 'baseline: baseline.json\n');
  baseline(join(dir, 'baseline.json'));
  const file = join(dir, 'p.yaml');
  writeFileSync(file, POD);
  return { uri: pathToFileURL(file).toString() };
}

describe('the editor reads a baseline only as a bounded regular file', () => {
  for (const [name, make, reason] of [
    [
      'a FIFO',
      (p: string) => execFileSync('mkfifo', [p]),
      /FIFO \(named pipe\), not a regular file/,
    ],
    [
      'a link to /dev/zero',
      (p: string) => symlinkSync('/dev/zero', p),
      /character device, not a regular file/,
    ],
  ] as const) {
    it(`${name}: refused at once, with the reason; nothing counts as existing`, () => {
      const { uri } = workspace(make);
      const m = new Baselines().match(uri, POD, analyze(POD));
      assert.ok(m, 'the baseline applies');
      assert.match(m.problem ?? '', reason);
      assert.equal(m.existing.size, 0);
    });
  }

  it('a real baseline still applies', () => {
    const { uri } = workspace((p) => writeFileSync(p, '{"files": []}\n'));
    const m = new Baselines().match(uri, POD, analyze(POD));
    assert.ok(m);
    assert.equal(m.problem, null);
  });
});
