/**
 * The command line on a hostile file system: FIFOs, device links, link
 * loops, dangling links, paths too long for the system, standard input that
 * is a directory or endless, and a closed standard output. Each is a real
 * object on disk; a test that blocked would hang until its timeout.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readBounded, readRegular, walk } from '@podsec/server/out/io/index';
import { DiskSourceFs } from '@podsec/server/out/cli/renderKustomize';
import { DiskFs } from '@podsec/server/out/cli/render';
import { findKustomizations } from '@podsec/server/out/engine/kustomize/index';
import { discoverProject } from '@podsec/server/out/engine/project/index';
import { loadChart } from '@podsec/server/out/engine/helm/chart';
import type { DirEntry, SourceFs } from '@podsec/server/out/engine/sources/sourceFs';
import { hasKubectl, kubectlKustomize } from '../engine/kustomize/kubectl';
import { cli, PODSEC_BIN, podsecProcess } from '../support/cli';

const POD = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec: {containers: [{name: a, image: a}]}\n`;

const TIMEOUT = { timeout: 30_000 };

function tree(): string {
  return mkdtempSync(join(tmpdir(), 'podsec-hostile-'));
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

interface JsonOut {
  files: Array<{ path: string; link?: { target: string; outside: boolean } }>;
  skipped: Array<{ path: string; reason: string; counted: boolean }>;
  summary: { files: number; skipped: number };
}

describe('podsec on a hostile file system', () => {
  it('names a FIFO found in a directory as not read, never opens it to block', TIMEOUT, () => {
    const dir = tree();
    writeFileSync(join(dir, 'ok.yaml'), POD('ok'));
    mkfifo(join(dir, 'x.yaml'));
    const r = cli([dir]);
    assert.match(
      r.out,
      /x\.yaml {2}skipped {2}not read: a FIFO \(named pipe\), not a regular file/,
    );
    assert.match(r.out, /in 1 object, 1 file; 1 skipped \(not read or not evaluated\)/);
    assert.equal(r.code, 1, 'ok.yaml has findings');
    const json = JSON.parse(cli(['--format', 'json', dir]).out) as JsonOut;
    assert.deepEqual(
      json.skipped.map((s) => [s.path, s.counted]),
      [[join(dir, 'x.yaml'), true]],
    );
    assert.equal(json.summary.skipped, 1);
    assert.deepEqual(
      json.files.map((f) => f.path),
      [join(dir, 'ok.yaml')],
    );
    const sarif = JSON.parse(cli(['--format', 'sarif', dir]).out) as {
      runs: Array<{ results: Array<{ ruleId: string; message: { text: string } }> }>;
    };
    const skipped = sarif.runs[0]?.results.filter((x) => x.ruleId === 'skipped') ?? [];
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]?.message.text ?? '', /FIFO/);
  });

  it(
    '--fail-on-skipped turns any skipped file into exit 1; without it a clean run exits 0',
    TIMEOUT,
    () => {
      const dir = tree();
      mkfifo(join(dir, 'x.yaml'));
      assert.equal(cli([dir]).code, 0);
      assert.equal(cli(['--fail-on-skipped', dir]).code, 1);
      // Part of a build not evaluated (a remote resource is never fetched): skipped too. (A
      // template outside a chart is now evaluated as text, and a chart's templates are rendered.)
      const tpl = tree();
      mkdirSync(join(tpl, 'k'));
      writeFileSync(
        join(tpl, 'k', 'kustomization.yaml'),
        'resources:\n- https://example.com/remote.yaml\n- pod.yaml\n',
      );
      writeFileSync(
        join(tpl, 'k', 'pod.yaml'),
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: a}]\n',
      );
      const plain = cli(['--level', 'baseline', '--hardening', 'off', tpl]);
      assert.equal(plain.code, 0);
      assert.match(plain.out, /1 skipped/);
      assert.equal(
        cli(['--level', 'baseline', '--hardening', 'off', '--fail-on-skipped', tpl]).code,
        1,
      );
      assert.equal(cli(['--fail-on-skipped=false', tpl]).code, 2, 'flags take no value');
    },
  );

  it(
    'a FIFO or a device link named on the command line is a read error with its kind',
    TIMEOUT,
    () => {
      const dir = tree();
      mkfifo(join(dir, 'p.yaml'));
      symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
      const fifo = cli([join(dir, 'p.yaml')]);
      assert.equal(fifo.code, 2);
      assert.match(fifo.out, /not read: a FIFO \(named pipe\), not a regular file/);
      const zero = cli([join(dir, 'zero.yaml')]);
      assert.equal(zero.code, 2);
      assert.match(zero.out, /not read: a link to a character device/);
    },
  );

  it('links to /dev/zero and /dev/urandom in a directory are not read', TIMEOUT, () => {
    const dir = tree();
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    symlinkSync('/dev/urandom', join(dir, 'random.yml'));
    const r = cli(['--format', 'json', dir]);
    const json = JSON.parse(r.out) as JsonOut;
    assert.deepEqual(
      json.skipped.map((s) => s.reason),
      [
        'not read: a link to a character device, not a regular file',
        'not read: a link to a character device, not a regular file',
      ],
    );
  });

  it(
    'two links to "." and a two-directory loop end, each file checked once, the links named',
    TIMEOUT,
    () => {
      const dir = tree();
      writeFileSync(join(dir, 'p.yaml'), POD('p'));
      symlinkSync('.', join(dir, 'l1'));
      symlinkSync('.', join(dir, 'l2'));
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      writeFileSync(join(dir, 'a', 'q.yaml'), POD('q'));
      symlinkSync('../b', join(dir, 'a', 'to-b'));
      symlinkSync('../a', join(dir, 'b', 'to-a'));
      const json = JSON.parse(cli(['--format', 'json', dir]).out) as JsonOut;
      assert.deepEqual(json.files.map((f) => f.path).sort(), [
        join(dir, 'a', 'q.yaml'),
        join(dir, 'p.yaml'),
      ]);
      const named = json.skipped.filter((s) => !s.counted).map((s) => s.path);
      assert.ok(named.includes(join(dir, 'l1')) && named.includes(join(dir, 'l2')), String(named));
      assert.ok(named.includes(join(dir, 'a', 'to-b', 'to-a')), String(named));
      assert.ok(named.includes(join(dir, 'b')), 'b was searched through a/to-b first');
      assert.equal(json.summary.skipped, 0, 'nothing was missed');
      const text = cli([dir]).out;
      assert.match(text, /l1 {2}note {2}not searched again: the same directory as/);
    },
  );

  it(
    'the searches for charts and kustomizations, and a chart’s own files, visit each real folder once through links to "."',
    TIMEOUT,
    () => {
      const dir = tree();
      mkdirSync(join(dir, 'app'));
      writeFileSync(join(dir, 'app', 'kustomization.yaml'), 'resources: [pod.yaml]\n');
      writeFileSync(join(dir, 'app', 'pod.yaml'), POD('p'));
      mkdirSync(join(dir, 'web', 'templates'), { recursive: true });
      writeFileSync(join(dir, 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
      writeFileSync(join(dir, 'web', 'templates', 'pod.yaml'), POD('w'));
      // Three links to "." at the top and two inside the chart: 3^n and 2^n paths without the check.
      for (const l of ['l1', 'l2', 'l3']) symlinkSync('.', join(dir, l));
      for (const l of ['m1', 'm2']) symlinkSync('.', join(dir, 'web', 'templates', l));
      /** Counts the folders listed. */
      const counting = (fs: SourceFs & { realPath(p: string): string | null }) => {
        const listed: string[] = [];
        const wrapped: SourceFs = {
          readText: (p) => fs.readText(p),
          readBytes: (p) => fs.readBytes(p),
          list: (p): DirEntry[] | null => {
            listed.push(p);
            return fs.list(p);
          },
          realPath: (p) => fs.realPath(p),
        };
        return { fs: wrapped, listed };
      };
      const k = counting(new DiskSourceFs('/', [dir]));
      assert.deepEqual(findKustomizations(k.fs, dir), [join(dir, 'app')]);
      // The top, app, web, web/templates: each once.
      assert.equal(k.listed.length, 4, k.listed.join('\n'));
      const p = counting(new DiskSourceFs('/', [dir]));
      assert.deepEqual(discoverProject(p.fs, dir).charts, [join(dir, 'web')]);
      // Three searches (charts, kustomizations, the chart enclosing the root): each folder at most thrice.
      const times = new Map<string, number>();
      for (const l of p.listed) times.set(l, (times.get(l) ?? 0) + 1);
      assert.ok(
        [...times.values()].every((n) => n <= 3),
        JSON.stringify([...times]),
      );
      assert.ok(
        p.listed.every((l) => !/\/(l1|l2|l3)(\/|$)/.test(l.slice(dir.length))),
        'no folder listed again through a link',
      );
      const c = counting(new DiskFs(dir));
      const chart = loadChart(c.fs, join(dir, 'web'));
      assert.deepEqual(chart.templates.map((t) => t.name).sort(), ['templates/pod.yaml']);
      assert.equal(c.listed.length, 2, c.listed.join('\n'));
    },
  );

  it(
    'a kustomization that includes a link to its own folder is a cycle, as kustomize says, not a descent until the path is too long',
    TIMEOUT,
    () => {
      const dir = tree();
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [l1]\n');
      symlinkSync('.', join(dir, 'l1'));
      const r = cli(['render', dir]);
      assert.equal(r.code, 1);
      const message = `accumulating resources: accumulation err='accumulating resources from 'l1': '${dir}/l1' must resolve to a file': cycle detected: candidate root '${dir}' contains visited root '${dir}'`;
      assert.equal(r.err.replace(/^Error: /, '').trim(), message);
      if (hasKubectl()) {
        const k = kubectlKustomize(dir);
        assert.deepEqual(k, { ok: false, error: message.split(dir).join('$CASE') });
      }
    },
  );

  it('names dangling links and self-loops, and a path too long for the system', TIMEOUT, () => {
    const dir = tree();
    symlinkSync(join(dir, 'missing.yaml'), join(dir, 'dangling.yaml'));
    symlinkSync('self.yaml', join(dir, 'self.yaml'));
    symlinkSync('missing', join(dir, 'not-yaml')); // no content would be missed: not named
    // 25 levels of 200-character names: deeper than PATH_MAX (4096) allows.
    const name = 'd'.repeat(200);
    execFileSync('bash', [
      '-c',
      `cd "$1" && for i in $(seq 25); do mkdir ${name} && cd ${name}; done && echo x > deep.yaml`,
      '_',
      dir,
    ]);
    const json = JSON.parse(cli(['--format', 'json', dir]).out) as JsonOut;
    const reasons = new Map(json.skipped.map((s) => [s.path.slice(dir.length + 1), s.reason]));
    assert.equal(
      reasons.get('dangling.yaml'),
      'not read: a dangling symbolic link (its target does not exist)',
    );
    assert.equal(reasons.get('self.yaml'), 'not read: too many levels of symbolic links (ELOOP)');
    assert.ok(!reasons.has('not-yaml'));
    const deep = [...reasons].find(([, r]) => /ENAMETOOLONG/.test(r));
    assert.ok(deep, JSON.stringify([...reasons.values()]));
    assert.equal(json.summary.skipped, 3);
    const given = cli([join(dir, 'dangling.yaml')]);
    assert.equal(given.code, 2);
    assert.match(given.out, /cannot read: a dangling symbolic link/);
  });

  it('follows a link out of the given paths only to a regular file, and says so', TIMEOUT, () => {
    const outside = tree();
    writeFileSync(join(outside, 'o.yaml'), POD('o'));
    mkdirSync(join(outside, 'sub'));
    writeFileSync(join(outside, 'sub', 's.yaml'), POD('s'));
    const dir = tree();
    symlinkSync(join(outside, 'o.yaml'), join(dir, 'link.yaml'));
    symlinkSync(join(outside, 'sub'), join(dir, 'subdir'));
    const json = JSON.parse(cli(['--format', 'json', dir]).out) as JsonOut;
    assert.deepEqual(json.files, [json.files.find((f) => f.path === join(dir, 'link.yaml'))]);
    assert.equal(json.files[0]?.link?.outside, true);
    assert.equal(json.skipped[0]?.path, join(dir, 'subdir'));
    assert.match(json.skipped[0]?.reason ?? '', /a link to a directory outside the given paths/);
    assert.match(
      cli([dir]).out,
      /link\.yaml {2}note {2}read through a symbolic link to .*outside the paths given/,
    );
    // Given together, the outside directory is inside the paths given.
    const both = JSON.parse(cli(['--format', 'json', dir, outside]).out) as JsonOut;
    assert.equal(both.summary.skipped, 0);
  });

  it('enforces the size limit while reading: a growing source stops at the limit', TIMEOUT, () => {
    const fd = openSync('/dev/zero', 'r');
    try {
      assert.equal(readBounded(fd, 100_000), null);
    } finally {
      closeSync(fd);
    }
    const dir = tree();
    writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(5000));
    const r = readRegular(join(dir, 'big.yaml'), 4999);
    assert.equal(r.kind, 'too-large');
    const exact = readRegular(join(dir, 'big.yaml'), 5000);
    assert.equal(exact.kind, 'ok');
    mkfifo(join(dir, 'p'));
    assert.equal(readRegular(join(dir, 'p'), 100).kind, 'special', 'checked on the open handle');
    const w = walk([dir]);
    assert.deepEqual(
      w.files.map((f) => f.path),
      [join(dir, 'big.yaml')],
    );
  });

  it(
    'standard input: endless input stops at the limit; a directory is a usage error',
    TIMEOUT,
    () => {
      const zero = openSync('/dev/zero', 'r');
      const endless = podsecProcess(['--max-file-size', '1000', '-'], { stdinFd: zero });
      closeSync(zero);
      assert.equal(endless.code, 1);
      assert.match(
        endless.out,
        /-:1:1 {2}error {2}File not evaluated: more than 3003 bytes is over the limit of 1000 characters/,
      );
      const dir = tree();
      const d = openSync(dir, 'r');
      const isDir = podsecProcess(['-'], { stdinFd: d });
      closeSync(d);
      assert.equal(isDir.code, 2);
      assert.match(isDir.err, /^podsec: standard input is a directory/);
      assert.doesNotMatch(isDir.err, /at .*\.js:\d+/, 'no stack trace');
    },
  );

  it(
    "a closed standard output (| head -1) ends quietly with the run's exit status",
    TIMEOUT,
    () => {
      const dir = tree();
      // Far more output than a pipe holds, so podsec writes after head has gone.
      const containers = Array.from(
        { length: 400 },
        (_, i) => `    - {name: c${i}, image: a}`,
      ).join('\n');
      writeFileSync(
        join(dir, 'many.yaml'),
        `apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec:\n  containers:\n${containers}\n`,
      );
      const r = spawnSync(
        'bash',
        [
          '-c',
          '"$1" "$2" "$3" | head -1; echo "status=${PIPESTATUS[0]}" >&2',
          '_',
          process.execPath,
          PODSEC_BIN,
          dir,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.stdout.split('\n').filter(Boolean).length, 1);
      assert.match(r.stderr, /status=1\n$/);
      assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
    },
  );
});
