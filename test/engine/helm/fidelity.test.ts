/**
 * Fidelity against the real Helm: each case of ../shared/helm/cases.json
 * rendered with its args and compared with Helm's output as data (the
 * comparison and its quirks are in fidelityCases.ts). Absent folder: skipped.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderCase, SHARED, STALE } from './fidelityCases';
import type { Case } from './fidelityCases';

/**
 * Cases that do not agree yet, with what is known: reported as TODO (neither
 * pass nor fail), still rendered and compared so their state shows.
 */
const KNOWN: Record<string, string> = {};

describe('fidelity: charts rendered by the real Helm (../shared/helm)', () => {
  if (!existsSync(join(SHARED, 'cases.json'))) {
    it('skipped: ../shared/helm is absent', (t) => {
      t.skip('../shared/helm is absent: no fidelity cases were compared');
    });
    return;
  }
  const { cases } = JSON.parse(readFileSync(join(SHARED, 'cases.json'), 'utf8')) as {
    cases: Case[];
  };
  let agree = 0;
  for (const c of cases) {
    const name = `${c.set} ${c.case}`;
    const known = Object.prototype.hasOwnProperty.call(KNOWN, name) ? KNOWN[name] : undefined;
    it(name, known ? { todo: known } : {}, () => {
      const r = renderCase(c);
      if (r.ok) agree++;
      assert.equal(r.message, '', 'renders without an error');
      const missing = r.theirs.filter((d) => !r.ours.includes(d));
      const extra = r.ours.filter((d) => !r.theirs.includes(d));
      assert.deepEqual(
        { missing: missing.slice(0, 2), extra: extra.slice(0, 2) },
        { missing: [], extra: [] },
      );
    });
  }
  it('a stale snapshot key: the chart as it was when the entry was written agrees, that key included', () => {
    const name = 'helm-unittest-basic deployment-test-yaml--should-pass-all-kinds-of-assertion';
    const c = cases.find((x) => `${x.set} ${x.case}` === name);
    assert.ok(c && STALE[name], 'the case is in cases.json and its key is marked stale');
    // configmap.yaml before helm-unittest 432e617: hosts listed at the key's indentation,
    // no file.json block after them.
    const dir = mkdtempSync(join(tmpdir(), 'podsec-fidelity-'));
    try {
      cpSync(join(SHARED, c.chart), dir, { recursive: true });
      const file = join(dir, 'templates', 'configmap.yaml');
      const now = readFileSync(file, 'utf8');
      const host = '\n    - {{ $host }}\n';
      const json = now.indexOf('  {{- if .Values.configJsonTests }}');
      assert.ok(now.includes(host) && json > 0, 'configmap.yaml is the one this case knows');
      writeFileSync(file, now.slice(0, json).replace(host, '\n  - {{ $host }}\n') + '\n');
      const then = renderCase(c, dir);
      assert.equal(then.message, '', 'renders without an error');
      assert.deepEqual(then.ours, then.theirs);
      // and the key is stale: the chart as it is, every key compared, does not agree
      assert.notDeepEqual(renderCase(c, join(SHARED, c.chart)).ours, then.theirs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('reports how many cases agree', (t) => {
    t.diagnostic(`${agree} of ${cases.length} cases agree with Helm`);
    assert.ok(cases.length > 0);
  });
});
