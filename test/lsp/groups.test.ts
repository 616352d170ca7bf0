/**
 * One problem, one row, with keys whose size does not follow user text: a
 * 1 MB container name aliased into every container of a Pod makes keys of
 * bounded length, and the findings still group by container.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '@podsec/server';
import { groupFindings, problemKey } from '@podsec/server/out/lsp/features/groups';

describe('problem groups', () => {
  it('a 1 MB container name in every container: bounded keys, one group per container and check', () => {
    const name = 'n'.repeat(1024 * 1024);
    let text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: amplified\nx-name: &n ${name}\nspec:\n  containers:\n`;
    for (let i = 0; i < 20; i++)
      text += `    - name: *n\n      image: a\n      securityContext: {privileged: true}\n`;
    const findings = analyze(text, { maxFileBytes: 4_000_000 }).findings;
    const privileged = findings.filter((f) => f.check === 'privileged');
    assert.equal(privileged.length, 20);
    for (const f of findings) assert.ok(problemKey(f).length < 1000, `${problemKey(f).length}`);
    const groups = groupFindings(findings).filter((g) =>
      g.every((i) => findings[i]?.check === 'privileged'),
    );
    assert.equal(groups.length, 20, 'each container its own row');
  });

  it('short container names are keyed as they are', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: x, securityContext: {privileged: true}}
    - {name: b, image: x, securityContext: {privileged: true}}
`;
    const findings = analyze(text).findings.filter((f) => f.check === 'privileged');
    assert.deepEqual(
      findings.map((f) => problemKey(f).split(':')[2]),
      ['a', 'b'],
    );
  });
});
