/**
 * JSON written to standard output one file at a time: the pieces join to
 * exactly the document `JSON.stringify(…, null, 2)` gives (the same bytes as
 * the one-string rendering and as `--output`), on a tree that mixes findings,
 * clean files, YAML errors, files over the size limit and FIFOs; and a closed
 * standard output in the middle of the stream ends the run quietly with its
 * exit status.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PODSEC_BIN, podsecProcess, tempTree } from '../support/cli';

const MB = 1024 * 1024;

const pod = (name: string, extra = ''): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers:\n    - name: c\n      image: i\n${extra}`;

function mixedTree(): string {
  const files: Record<string, string> = {
    'a/findings.yaml': pod('bad', '      securityContext: {privileged: true}\n'),
    'a/clean.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\n`,
    'a/broken.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n',
    'b/large.yaml': `# ${'x'.repeat(4000)}\n${pod('large')}`,
    'b/empty.yaml': '',
    'b/suppressed.yaml': `# podsec-disable-file\n${pod('quiet')}`,
    'b/unicode "quoted"\\.yaml': pod('ünïcode', '      env: [{name: A, value: "tab\\there"}]\n'),
  };
  for (let i = 0; i < 30; i++) files[`c/many-${i}.yaml`] = pod(`p${i}`);
  const dir = tempTree(files, 'podsec-stream-');
  execFileSync('mkfifo', [join(dir, 'b', 'fifo.yaml')]);
  return dir;
}

describe('streamed JSON output', () => {
  it('standard output and --output hold the same bytes, exactly JSON.stringify(doc, null, 2)', () => {
    const dir = mixedTree();
    const file = join(dir, 'out.json');
    const args = ['--max-file-size', '2000', dir];
    const streamed = podsecProcess(['--format', 'json', ...args], { maxBuffer: 64 * MB });
    const whole = podsecProcess(['--format', 'json', '--output', file, ...args]);
    assert.equal(streamed.code, whole.code);
    assert.equal(streamed.code, 1, streamed.err);
    const out = streamed.out;
    const doc = JSON.parse(out) as {
      files: Array<{ path: string; findings: unknown[]; errors: unknown[] }>;
      skipped: Array<{ path: string }>;
    };
    assert.equal(out, `${JSON.stringify(doc, null, 2)}\n`, 'the pieces join to one document');
    assert.equal(readFileSync(file, 'utf8'), out, 'the same bytes as the file written whole');
    // The tree's variety made it into the document.
    assert.ok(doc.files.length >= 35, `${doc.files.length} files`);
    assert.ok(doc.files.some((f) => f.findings.length > 0));
    assert.ok(doc.files.some((f) => f.errors.length > 0));
    assert.ok(doc.skipped.some((s) => s.path.endsWith('fifo.yaml')));
    assert.ok(doc.skipped.some((s) => s.path.endsWith('large.yaml')));
  });

  it('no input: the same document shape ("files": [])', () => {
    const dir = tempTree({ 'README.md': 'x' }, 'podsec-stream-');
    const r = podsecProcess(['--format', 'json', dir]);
    assert.equal(r.out, `${JSON.stringify(JSON.parse(r.out), null, 2)}\n`);
    assert.match(r.out, /"files": \[\],\n/);
  });

  it("standard output closed mid-stream (| head -c 100): quiet, the run's exit status", () => {
    const files: Record<string, string> = {};
    // Far more JSON than a pipe holds, in many pieces.
    for (let i = 0; i < 200; i++)
      files[`f${i}.yaml`] = pod(`p${i}`, '      securityContext: {privileged: true}\n');
    const dir = tempTree(files, 'podsec-stream-');
    for (const format of ['json', 'sarif', 'text']) {
      const r = spawnSync(
        'bash',
        [
          '-c',
          '"$1" "$2" --format "$3" "$4" | head -c 100 >/dev/null; echo "status=${PIPESTATUS[0]}" >&2',
          '_',
          process.execPath,
          PODSEC_BIN,
          format,
          dir,
        ],
        { encoding: 'utf8' },
      );
      assert.match(r.stderr, /status=1\n$/, format);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|at /, format);
    }
  });
});
