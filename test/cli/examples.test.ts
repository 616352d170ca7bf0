/**
 * The bundled examples, as the README's quick start runs them: `examples/insecure/` fails the
 * default level and exits 1; `examples/fixed/` has no finding of either family and exits 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'server', 'bin', 'podsec.js');

function podsec(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, '--format', 'json', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout };
}

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
