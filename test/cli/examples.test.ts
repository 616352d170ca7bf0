/**
 * The bundled examples, as the README's quick start runs them: `examples/insecure/` fails the
 * default level and exits 1; `examples/fixed/` has no finding of either family and exits 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podsecProcess } from '../support/cli';
import { repoRoot } from '../support/paths';

const podsec = (...args: string[]) =>
  podsecProcess(['--format', 'json', ...args], { cwd: repoRoot() });

interface JsonFinding {
  check: string;
  severity: string;
}

function findings(out: string): JsonFinding[] {
  const parsed = JSON.parse(out) as { files: { findings: JsonFinding[] }[] };
  return parsed.files.flatMap((f) => f.findings);
}

describe('the bundled examples', () => {
  it('examples/fixed/ has no finding at all, hardening included, and exits 0', () => {
    const r = podsec('examples/fixed/');
    assert.equal(r.code, 0);
    assert.deepEqual(findings(r.out), []);
  });

  it('examples/insecure/ fails the default level with errors and exits 1', () => {
    const r = podsec('examples/insecure/');
    assert.equal(r.code, 1);
    const errors = findings(r.out).filter((f) => f.severity === 'error');
    assert.ok(errors.some((f) => f.check === 'privileged'));
    assert.ok(errors.some((f) => f.check === 'hostNamespaces'));
  });
});
