/**
 * JSON, SARIF and text written to standard output one file at a time (and
 * into the temporary file of `--output`'s atomic write): the JSON pieces join
 * to exactly the document `JSON.stringify(…, null, 2)` gives, and standard
 * output and `--output` hold the same bytes, on a tree that mixes findings,
 * clean files, YAML errors, files over the size limit and FIFOs; and a closed
 * standard output in the middle of the stream ends the run quietly with its
 * exit status.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  for (const format of ['json', 'sarif']) {
    it(`${format}: standard output and --output hold the same bytes, exactly JSON.stringify(doc, null, 2)`, () => {
      const dir = mixedTree();
      const file = join(dir, `out.${format}`);
      const args = ['--max-file-size', '2000', dir];
      const streamed = podsecProcess(['--format', format, ...args], { maxBuffer: 64 * MB });
      const whole = podsecProcess(['--format', format, '--output', file, ...args]);
      assert.equal(streamed.code, whole.code);
      assert.equal(streamed.code, 1, streamed.err);
      const out = streamed.out;
      const doc = JSON.parse(out) as unknown;
      assert.equal(out, `${JSON.stringify(doc, null, 2)}\n`, 'the pieces join to one document');
      assert.equal(readFileSync(file, 'utf8'), out, 'the same bytes as the file written whole');
      if (format === 'json') {
        const j = doc as {
          files: Array<{ path: string; findings: unknown[]; errors: unknown[] }>;
          skipped: Array<{ path: string }>;
        };
        // The tree's variety made it into the document.
        assert.ok(j.files.length >= 35, `${j.files.length} files`);
        assert.ok(j.files.some((f) => f.findings.length > 0));
        assert.ok(j.files.some((f) => f.errors.length > 0));
        assert.ok(j.skipped.some((s) => s.path.endsWith('fifo.yaml')));
        assert.ok(j.skipped.some((s) => s.path.endsWith('large.yaml')));
      } else {
        const results =
          (doc as { runs: Array<{ results: Array<{ ruleId: string }> }> }).runs[0]?.results ?? [];
        for (const rule of ['privileged', 'yaml', 'skipped', 'limit'])
          assert.ok(
            results.some((x) => x.ruleId === rule),
            rule,
          );
      }
    });
  }

  it('text: standard output and --output hold the same bytes, one block per file and the summary', () => {
    const dir = mixedTree();
    const file = join(dir, 'out.txt');
    const args = ['--max-file-size', '2000', dir];
    const streamed = podsecProcess(['--format', 'text', ...args], { maxBuffer: 64 * MB });
    const whole = podsecProcess(['--format', 'text', '--output', file, ...args]);
    assert.equal(streamed.code, 1, streamed.err);
    assert.equal(whole.code, streamed.code);
    const out = streamed.out;
    assert.equal(readFileSync(file, 'utf8'), out, 'the same bytes as standard output');
    const blocks = out.split('\n\n');
    const summary = blocks[blocks.length - 1] ?? '';
    assert.match(summary, /^✖ \d+ findings? .* in \d+ objects?, \d+ files?; \d+ skipped .*\n$/);
    assert.equal(summary.split('\n').length, 2, 'the summary is one line, then the final newline');
    // Each block is one file's rows: every row of a block names the same file.
    for (const b of blocks.slice(0, -1)) {
      const paths = new Set(b.split('\n').map((line) => line.split(/:\d+:\d+ {2}| {2}/)[0]));
      assert.equal(paths.size, 1, b);
    }
    for (const name of ['findings.yaml', 'broken.yaml', 'fifo.yaml', 'large.yaml'])
      assert.ok(
        blocks.some((b) => b.includes(name)),
        name,
      );
  });

  it('SARIF with no result: "results": [] as before', () => {
    const dir = tempTree({ 'README.md': 'x' }, 'podsec-stream-');
    const r = podsecProcess(['--format', 'sarif', dir]);
    assert.equal(r.out, `${JSON.stringify(JSON.parse(r.out), null, 2)}\n`);
    assert.match(r.out, /"results": \[\]\n/);
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

  it('--output to a FIFO nobody reads: exit 2 at once with ENXIO; to a directory: EISDIR, nothing in it', () => {
    const dir = tempTree({ 'p.yaml': pod('p') }, 'podsec-stream-');
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = podsecProcess(['--format', 'json', '--output', fifo, join(dir, 'p.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot write .*out\.fifo: ENXIO/);
    const sub = join(dir, 'sub');
    execFileSync('mkdir', [sub]);
    const d = podsecProcess(['--format', 'sarif', '--output', sub, join(dir, 'p.yaml')]);
    assert.equal(d.code, 2);
    assert.match(d.err, /cannot write .*sub: EISDIR/);
    assert.deepEqual(readdirSync(sub), [], 'nothing written into the directory');
  });

  it('--output to a FIFO with a reader: the reader gets the whole document', async () => {
    const dir = tempTree(
      { 'p.yaml': pod('p', '      securityContext: {privileged: true}\n') },
      'podsec-stream-',
    );
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    reader.stdout.setEncoding('utf8').on('data', (c: string) => (got += c));
    const readerDone = new Promise<number | null>((res) => reader.on('close', res));
    // The reader must hold the FIFO open before podsec opens it (O_NONBLOCK fails without one).
    await new Promise<void>((res) => reader.on('spawn', () => res()));
    let code: number | null = null;
    for (let attempt = 0; attempt < 50; attempt++) {
      const r = podsecProcess(['--format', 'json', '--output', fifo, join(dir, 'p.yaml')]);
      code = r.code;
      if (code !== 2) break; // 2: cat had not opened it yet; try again
      await new Promise((res) => setImmediate(res));
    }
    assert.equal(code, 1);
    assert.equal(await readerDone, 0);
    const doc = JSON.parse(got) as { summary: { findings: number } };
    assert.ok(doc.summary.findings > 0);
    assert.equal(got, `${JSON.stringify(doc, null, 2)}\n`);
  });

  it('a slow reader on the stdout pipe: complete output, and podsec never buffers more than a piece', async () => {
    const files: Record<string, string> = {};
    const many = Array.from(
      { length: 10 },
      (_, i) => `    - {name: c${i}, image: i, securityContext: {privileged: true}}`,
    ).join('\n');
    for (let i = 0; i < 150; i++)
      files[`f${i}.yaml`] =
        `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers:\n${many}\n`;
    const dir = tempTree(files, 'podsec-stream-');
    // Counts what Node holds unwritten for standard output after each write through its stream
    // (a synchronous write to the descriptor holds nothing back).
    const probe = join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      `let max = 0;
const d = Object.getOwnPropertyDescriptor(process, 'stdout');
let wrapped = false;
Object.defineProperty(process, 'stdout', {
  configurable: true,
  enumerable: d.enumerable,
  get() {
    const s = d.get.call(process);
    if (!wrapped) {
      wrapped = true;
      const write = s.write.bind(s);
      s.write = (...a) => { const r = write(...a); max = Math.max(max, s.writableLength); return r; };
    }
    return s;
  },
});
process.on('exit', () => process.stderr.write('maxBuffered=' + max + '\\n'));
`,
    );
    const fast = podsecProcess(['--format', 'json', dir], { maxBuffer: 64 * MB });
    const child = spawn(
      process.execPath,
      ['--require', probe, PODSEC_BIN, '--format', 'json', dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const chunks: Buffer[] = [];
    // Read 4 KiB at a time, one read per turn of the event loop: far slower than podsec writes.
    const slow = new Promise<void>((res) => {
      const pull = (): void => {
        const c = child.stdout.read(4096) as Buffer | null;
        if (c) {
          chunks.push(c);
          setImmediate(pull);
        } else child.stdout.once('readable', pull);
      };
      child.stdout.once('readable', pull);
      child.stdout.on('end', () => res());
    });
    const code = await new Promise<number | null>((res) => child.on('close', res));
    await slow;
    const out = Buffer.concat(chunks).toString('utf8');
    assert.equal(code, 1, err);
    assert.equal(out, fast.out, 'the same output as to a fast reader');
    const max = Number(/maxBuffered=(\d+)/.exec(err)?.[1] ?? NaN);
    assert.ok(Number.isFinite(max), err);
    assert.ok(out.length > 1024 * 1024, `${out.length} bytes of output`);
    assert.ok(max < out.length / 8, `at most ${max} bytes held back of ${out.length}`);
  });
});
