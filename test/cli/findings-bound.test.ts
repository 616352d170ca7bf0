/**
 * The bound on one file's findings, through the command line: a file of many
 * documents, each with findings, reports the first 100,000, says how many
 * more were left out, exits 1, and its JSON and SARIF hold exactly the
 * findings the text lists.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '@podsec/server';
import { podsecProcess, tempTree } from '../support/cli';

const MB = 1024 * 1024;

/** `docs` Pods with host networking and `containers` privileged root containers each. */
function pods(docs: number, containers: number): string {
  let s = '';
  for (let d = 0; d < docs; d++) {
    s += `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${d}\nspec:\n  hostNetwork: true\n  containers:\n`;
    for (let c = 0; c < containers; c++)
      s += `    - name: c${c}\n      image: i\n      securityContext: {privileged: true, runAsUser: 0}\n`;
  }
  return s;
}

const findingLines = (out: string): string[] =>
  out.split('\n').filter((l) => /^\S+:\d+:\d+ {2}(error|warning|info) {2}/.test(l));

describe('the per-file findings bound through the CLI', () => {
  it('a file of many documents past the bound: the rest counted, exit 1, JSON and SARIF agree', () => {
    const limit = DEFAULT_LIMITS.maxFindingsPerFile;
    const containers = 40;
    const dir = tempTree({ 'one.yaml': pods(1, containers) });
    // What one document reports, measured, not assumed.
    const one = podsecProcess(['--hardening', 'off', join(dir, 'one.yaml')]);
    assert.equal(one.code, 1, one.err);
    const perDoc = findingLines(one.out).length;
    assert.ok(perDoc > 0 && perDoc < DEFAULT_LIMITS.maxFindingsPerDocument);
    const docs = Math.ceil((limit + 1000) / perDoc);
    const total = docs * perDoc;
    assert.ok(total > limit);

    const big = tempTree({ 'many.yaml': pods(docs, containers) });
    const path = join(big, 'many.yaml');
    const json = join(big, 'out.json');
    const sarif = join(big, 'out.sarif');
    const r = podsecProcess(
      [
        '--hardening',
        'off',
        '--format',
        'json',
        '--output',
        json,
        '--format',
        'sarif',
        '--output',
        sarif,
        '--format',
        'text',
        path,
      ],
      { maxBuffer: 256 * MB },
    );
    assert.equal(r.code, 1, r.err.slice(0, 500));
    const lines = findingLines(r.out);
    assert.equal(lines.length, limit, 'the text lists exactly the bound');
    assert.match(
      r.out,
      new RegExp(
        `File not fully reported: ${total - limit} more findings are not listed \\(at most ${limit} per file\\)`,
      ),
    );
    assert.match(r.out, new RegExp(`✖ ${limit} findings`));

    const j = JSON.parse(readFileSync(json, 'utf8')) as {
      summary: { findings: number };
      files: Array<{ findings: unknown[]; notes: Array<{ message: string }> }>;
    };
    assert.equal(j.summary.findings, limit);
    assert.equal(j.files.length, 1);
    assert.equal(j.files[0]?.findings.length, limit);
    assert.ok(
      j.files[0]?.notes.some((n) =>
        n.message.includes(`${total - limit} more findings are not listed`),
      ),
      'the JSON names the count left out',
    );

    const s = JSON.parse(readFileSync(sarif, 'utf8')) as {
      runs: Array<{ results: Array<{ level: string }> }>;
    };
    const results = s.runs[0]?.results ?? [];
    assert.equal(
      results.filter((x) => x.level === 'error').length,
      limit,
      'SARIF: the same errors',
    );
  });
});
