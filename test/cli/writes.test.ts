/**
 * Every file the command line writes goes through the atomic writer with the
 * changed-on-disk check (chart and overlay `--fix`, `--output`, baselines,
 * `podsec init`); the files it reads besides its inputs (values files,
 * `.podsec.yaml`, admission configurations, baselines) are read as regular
 * files within a bound; an overlay never reads through a link out of its tree.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInit } from '@podsec/server/out/cli/init';
import { nodeFs, outsideOf } from '@podsec/server/out/io/index';
import type { FsSeam } from '@podsec/server/out/io/index';
import { repoRoot } from '../support/paths';
import { cli as runCli } from '../support/cli';
import type { Ran } from '../support/cli';

/** `podsec <args>` in this process, writing through `fs` when given. */
const cli = (args: string[], fs?: FsSeam): Ran => runCli(args, fs ? { fs } : {});

/** The real file system, with `before` run ahead of every call (to edit a file mid-run or fail it). */
function hooked(before: (call: keyof FsSeam, arg: unknown) => string | null): FsSeam {
  const seam = { ...nodeFs } as Record<string, unknown>;
  for (const key of Object.keys(nodeFs) as Array<keyof FsSeam>) {
    const real = nodeFs[key] as (...a: unknown[]) => unknown;
    seam[key] = (...args: unknown[]) => {
      const code = before(key, args[0]);
      if (code) throw Object.assign(new Error(code), { code });
      return real(...args);
    };
  }
  return seam as unknown as FsSeam;
}

/** Fail `call` with `code` on the temporary file of `name` (by path, then by its handle). */
function failTemp(name: string, call: keyof FsSeam, code: string): FsSeam {
  const handles = new Set<number>();
  const seam = hooked((c, arg) => {
    if (c === call && typeof arg === 'string' && arg.includes(`.${name}.podsec-`)) return code;
    if (c === call && typeof arg === 'number' && handles.has(arg)) return code;
    return null;
  });
  const open = seam.openSync;
  seam.openSync = (p, flags, mode) => {
    const fd = open(p, flags, mode);
    if (p.includes(`.${name}.podsec-`)) handles.add(fd);
    return fd;
  };
  return seam;
}

const temps = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

const WEB = join(repoRoot(), 'test', 'fixtures', 'charts', 'web');
const OVERLAYS = join(repoRoot(), 'test', 'fixtures', 'overlays');

function webCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'podsec-writes-chart-')), 'web');
  cpSync(WEB, dir, { recursive: true });
  return dir;
}

function overlayCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'podsec-writes-overlays-'));
  cpSync(OVERLAYS, dir, { recursive: true });
  return dir;
}

const PRIVILEGED = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: app
      securityContext:
        privileged: true
`;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'podsec-writes-'));
}

describe('chart --fix writes through the atomic writer', () => {
  it('values.yaml is replaced by a new inode, its mode kept, nothing left behind', () => {
    const dir = webCopy();
    const values = join(dir, 'values.yaml');
    chmodSync(values, 0o640);
    const before = statSync(values);
    const r = cli([dir, '--fix']);
    assert.match(r.out, /values\.yaml {2}fixed \d+ finding/);
    const after = statSync(values);
    assert.notEqual(after.ino, before.ino);
    assert.equal(after.mode & 0o7777, 0o640);
    assert.match(readFileSync(values, 'utf8'), /allowPrivilegeEscalation: false/);
    assert.deepEqual(temps(dir), []);
  });

  it('values.yaml edited after the chart was evaluated is not written: the edit wins, exit 2', () => {
    const dir = webCopy();
    const values = join(dir, 'values.yaml');
    const original = readFileSync(values, 'utf8');
    const edit = '# typed meanwhile\n';
    let edited = false;
    // The first read of values.yaml through the writer's seam is the read before the write.
    const fs = hooked((call, arg) => {
      if (call === 'openSync' && arg === values && !edited) {
        edited = true;
        appendFileSync(values, edit);
      }
      return null;
    });
    const r = cli([dir, '--fix'], fs);
    assert.ok(edited, 'the writer read values.yaml through the seam');
    assert.equal(readFileSync(values, 'utf8'), original + edit);
    assert.match(r.out, /values\.yaml[^\n]*\n?[^\n]*changed on disk since podsec read it/);
    assert.equal(r.code, 2);
  });

  it('ENOSPC while writing values.yaml: intact, no temporary file, reported with its path, exit 2', () => {
    const dir = webCopy();
    const values = join(dir, 'values.yaml');
    const original = readFileSync(values, 'utf8');
    const r = cli([dir, '--fix'], failTemp('values.yaml', 'writeSync', 'ENOSPC'));
    assert.equal(readFileSync(values, 'utf8'), original);
    assert.deepEqual(temps(dir), []);
    assert.match(r.out, /values\.yaml[\s\S]*no space left on the device \(ENOSPC\)/);
    assert.equal(r.code, 2);
  });
});

describe('overlay --fix writes through the atomic writer', () => {
  it('the base is replaced by a new inode, mode kept', () => {
    const dir = overlayCopy();
    const base = join(dir, 'base', 'deployment.yaml');
    chmodSync(base, 0o600);
    const before = statSync(base);
    cli(['--fix', dir]);
    const after = statSync(base);
    assert.notEqual(after.ino, before.ino);
    assert.equal(after.mode & 0o7777, 0o600);
    assert.match(readFileSync(base, 'utf8'), /allowPrivilegeEscalation: false/);
    assert.deepEqual(temps(join(dir, 'base')), []);
  });

  it('a base edited after the overlays were built is not written: the edit wins, exit 2', () => {
    const dir = overlayCopy();
    const base = join(dir, 'base', 'deployment.yaml');
    const original = readFileSync(base, 'utf8');
    const edit = '# typed meanwhile\n';
    let edited = false;
    const fs = hooked((call, arg) => {
      if (call === 'openSync' && arg === base && !edited) {
        edited = true;
        appendFileSync(base, edit);
      }
      return null;
    });
    const r = cli(['--fix', dir], fs);
    assert.ok(edited);
    assert.equal(readFileSync(base, 'utf8'), original + edit);
    assert.match(r.out, /deployment\.yaml[\s\S]*changed on disk since podsec read it/);
    assert.equal(r.code, 2);
  });

  it('EROFS at the rename of the base: intact, no temporary file, exit 2', () => {
    const dir = overlayCopy();
    const base = join(dir, 'base', 'deployment.yaml');
    const original = readFileSync(base, 'utf8');
    const r = cli(['--fix', dir], failTemp('deployment.yaml', 'renameSync', 'EROFS'));
    assert.equal(readFileSync(base, 'utf8'), original);
    assert.deepEqual(temps(join(dir, 'base')), []);
    assert.match(r.out, /read-only file system \(EROFS\)/);
    assert.equal(r.code, 2);
  });
});

describe('overlays read nothing through a link out of their tree', () => {
  const setup = (): { dir: string; secret: string } => {
    const outside = scratch();
    const secret = join(outside, 'secret.yaml');
    writeFileSync(secret, PRIVILEGED.replace('name: p', 'name: secret-pod'));
    const dir = scratch();
    // Not a .yaml name: the walk does not read it as an input of its own (it would, marked as outside).
    symlinkSync(secret, join(dir, 'link.txt'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - link.txt\n');
    return { dir, secret };
  };

  it('podsec <dir>: an error at the kustomization line naming the link, the target unread', () => {
    const { dir, secret } = setup();
    const r = cli(['--format', 'json', dir]);
    const report = JSON.parse(r.out) as {
      files: Array<{ path: string; errors: Array<{ message: string; line: number }> }>;
    };
    const k = report.files.find((f) => f.path === join(dir, 'kustomization.yaml'));
    assert.ok(k, r.out);
    assert.equal(k.errors[0]?.line, 2);
    assert.match(k.errors[0]?.message ?? '', /is a link to .*secret\.yaml', outside .*: not read/);
    assert.ok(!r.out.includes('secret-pod'), 'nothing of the target was read');
    assert.ok(secret.length > 0);
  });

  it('podsec render <dir>: exit 1 with the same message, nothing printed', () => {
    const { dir } = setup();
    const r = cli(['render', dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /security; .*link\.txt' is a link to .*outside/);
    assert.equal(r.out, '');
  });

  it('a link that stays inside the tree is read', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'pod.yaml'), PRIVILEGED);
    symlinkSync(join(dir, 'real', 'pod.yaml'), join(dir, 'link.yaml'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - link.yaml\n');
    const r = cli(['render', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /privileged: true/);
  });
});

describe('--output and --write-baseline are written atomically, never over a change', () => {
  it('--output replaces an existing report by rename, keeping its mode', () => {
    const dir = scratch();
    const pod = join(dir, 'p.yaml');
    writeFileSync(pod, PRIVILEGED);
    const out = join(dir, 'out.json');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o600);
    const before = statSync(out);
    const r = cli(['--format', 'json', '--output', out, pod]);
    assert.equal(r.code, 1);
    const after = statSync(out);
    assert.notEqual(after.ino, before.ino);
    assert.equal(after.mode & 0o7777, 0o600);
    assert.ok((JSON.parse(readFileSync(out, 'utf8')) as { files: unknown[] }).files.length > 0);
    assert.deepEqual(temps(dir), []);
  });

  it('a report file created by someone else while podsec ran is left as they wrote it', () => {
    const dir = scratch();
    const pod = join(dir, 'p.yaml');
    writeFileSync(pod, PRIVILEGED);
    const out = join(dir, 'out.json');
    const fs = hooked((call, arg) => {
      // Just before podsec creates its temporary file, another program writes the report.
      if (call === 'openSync' && typeof arg === 'string' && arg.includes('.out.json.podsec-'))
        writeFileSync(out, 'theirs\n');
      return null;
    });
    const r = cli(['--format', 'json', '--output', out, pod], fs);
    assert.equal(readFileSync(out, 'utf8'), 'theirs\n');
    assert.match(r.err, /out\.json: changed on disk while podsec ran: not written/);
    assert.equal(r.code, 2);
    assert.deepEqual(temps(dir), []);
  });

  it('ENOSPC on the report: the old report intact, no temporary file, exit 2', () => {
    const dir = scratch();
    const pod = join(dir, 'p.yaml');
    writeFileSync(pod, PRIVILEGED);
    const out = join(dir, 'out.json');
    writeFileSync(out, 'old\n');
    const r = cli(
      ['--format', 'json', '--output', out, pod],
      failTemp('out.json', 'writeSync', 'ENOSPC'),
    );
    assert.equal(readFileSync(out, 'utf8'), 'old\n');
    assert.match(r.err, /cannot write .*out\.json: ENOSPC/);
    assert.equal(r.code, 2);
    assert.deepEqual(temps(dir), []);
  });

  it('ENOSPC on a later piece of a streamed text report: the old report intact, no temporary file, exit 2', () => {
    const dir = scratch();
    const pods = [1, 2, 3, 4].map((i) => {
      const p = join(dir, `p${i}.yaml`);
      writeFileSync(p, PRIVILEGED);
      return p;
    });
    const out = join(dir, 'out.txt');
    writeFileSync(out, 'old\n');
    // The report is written one file's block at a time: the third piece fails.
    const handles = new Set<number>();
    let writes = 0;
    const seam = hooked((c, arg) =>
      c === 'writeSync' && typeof arg === 'number' && handles.has(arg) && ++writes === 3
        ? 'ENOSPC'
        : null,
    );
    const open = seam.openSync;
    seam.openSync = (p, flags, mode) => {
      const fd = open(p, flags, mode);
      if (p.includes('.out.txt.podsec-')) handles.add(fd);
      return fd;
    };
    const r = cli(['--format', 'text', '--output', out, ...pods], seam);
    assert.equal(writes, 3, 'two pieces were written before the failing one');
    assert.equal(readFileSync(out, 'utf8'), 'old\n');
    assert.match(r.err, /cannot write .*out\.txt: ENOSPC/);
    assert.equal(r.code, 2);
    assert.deepEqual(temps(dir), []);
  });

  it('--output /dev/null is written to, not replaced', () => {
    const dir = scratch();
    const pod = join(dir, 'p.yaml');
    writeFileSync(pod, PRIVILEGED);
    const r = cli(['--format', 'json', '--output', '/dev/null', pod]);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, '');
    assert.ok(statSync('/dev/null').isCharacterDevice());
  });

  it('--write-baseline: atomic, and ENOSPC leaves the old baseline whole', () => {
    const dir = scratch();
    const pod = join(dir, 'p.yaml');
    writeFileSync(pod, PRIVILEGED);
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, '{"old": true}\n');
    const failed = cli(
      ['--write-baseline', baseline, pod],
      failTemp('baseline.json', 'fsyncSync', 'ENOSPC'),
    );
    assert.equal(failed.code, 2);
    assert.match(failed.err, /cannot write the baseline .*baseline\.json: ENOSPC/);
    assert.equal(readFileSync(baseline, 'utf8'), '{"old": true}\n');
    assert.deepEqual(temps(dir), []);
    const before = statSync(baseline);
    const ok = cli(['--write-baseline', baseline, pod]);
    assert.equal(ok.code, 0, ok.err);
    assert.notEqual(statSync(baseline).ino, before.ino);
    assert.equal(cli(['--baseline', baseline, pod]).code, 0);
  });
});

describe('files read besides the inputs: regular files only, bounded', () => {
  it('a FIFO as --baseline, --config or --admission-config is refused at once (exit 2)', () => {
    const dir = scratch();
    const pod = join(dir, 'p.yaml');
    writeFileSync(pod, PRIVILEGED);
    const fifo = join(dir, 'fifo');
    mkfifo(fifo);
    const b = cli(['--baseline', fifo, pod]);
    assert.equal(b.code, 2);
    assert.match(
      b.err,
      /cannot read the baseline .*fifo: a FIFO \(named pipe\), not a regular file/,
    );
    const c = cli(['--config', fifo, pod]);
    assert.equal(c.code, 2);
    assert.match(c.err, /cannot read --config/);
    const a = cli(['--format', 'json', '--admission-config', fifo, pod]);
    assert.notEqual(a.code, 0);
    assert.match(a.out + a.err, /fifo/);
  });

  it('a baseline or values file over the bound is not read (a sparse 1 TiB file, refused by its size)', () => {
    const dir = scratch();
    const pod = join(dir, 'p.yaml');
    writeFileSync(pod, PRIVILEGED);
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, '');
    truncateSync(huge, 2 ** 40);
    const b = cli(['--baseline', huge, pod]);
    assert.equal(b.code, 2);
    assert.match(b.err, /cannot read the baseline .*huge\.yaml: .*over the limit/);
    const chart = webCopy();
    const v = cli(['--format', 'json', chart, '-f', huge]);
    assert.equal(v.code, 2);
    assert.match(v.out, /cannot read values file/);
    const r = cli(['render', chart, '-f', huge]);
    assert.equal(r.code, 1);
    assert.match(r.err, /huge\.yaml: not read: \d+ bytes is over the limit/);
  });

  it('a values file that is a FIFO or a link to /dev/zero is refused at once', () => {
    const dir = scratch();
    const fifo = join(dir, 'values-fifo.yaml');
    mkfifo(fifo);
    const zero = join(dir, 'values-zero.yaml');
    symlinkSync('/dev/zero', zero);
    const chart = webCopy();
    for (const f of [fifo, zero]) {
      assert.equal(cli(['--format', 'json', chart, '-f', f]).code, 2);
      const r = cli(['render', chart, '-f', f]);
      assert.equal(r.code, 1);
      assert.match(r.err, /not a regular file/);
    }
  });
});

describe('podsec init writes atomically, never over a file that appeared meanwhile', () => {
  it('a .podsec.yaml created while init wrote is kept; no temporary file is left', () => {
    const dir = scratch();
    const target = join(dir, '.podsec.yaml');
    const err: string[] = [];
    const fs = hooked((call, arg) => {
      if (call === 'openSync' && typeof arg === 'string' && arg.includes('.podsec.yaml.podsec-'))
        writeFileSync(target, 'level: baseline\n');
      return null;
    });
    const code = runInit([], { stdout: () => undefined, stderr: (s) => err.push(s), cwd: dir, fs });
    assert.equal(code, 2);
    assert.equal(readFileSync(target, 'utf8'), 'level: baseline\n');
    assert.match(err.join(''), /changed on disk while podsec ran: not written/);
    assert.deepEqual(readdirSync(dir), ['.podsec.yaml']);
  });

  it('--force replaces by rename and keeps the mode', () => {
    const dir = scratch();
    const target = join(dir, '.podsec.yaml');
    writeFileSync(target, 'level: baseline\n');
    chmodSync(target, 0o600);
    const before = statSync(target);
    const code = runInit(['--force'], {
      stdout: () => undefined,
      stderr: () => undefined,
      cwd: dir,
    });
    assert.equal(code, 0);
    const after = statSync(target);
    assert.notEqual(after.ino, before.ino);
    assert.equal(after.mode & 0o7777, 0o600);
    assert.match(readFileSync(target, 'utf8'), /level: restricted/);
  });
});

describe('what lies outside the paths given (fixes are not written there)', () => {
  it('a file, or a file to be created, through a link out of the tree is outside', () => {
    const elsewhere = scratch();
    writeFileSync(join(elsewhere, 'there.yaml'), 'x: 1\n');
    const dir = scratch();
    writeFileSync(join(dir, 'here.yaml'), 'x: 1\n');
    symlinkSync(elsewhere, join(dir, 'out'));
    const outside = outsideOf([dir]);
    assert.equal(outside(join(dir, 'here.yaml')), false);
    assert.equal(outside(join(dir, 'new.yaml')), false, 'created inside');
    assert.equal(outside(join(dir, 'out', 'there.yaml')), true);
    assert.equal(outside(join(dir, 'out', 'new-patch.yaml')), true, 'created through the link');
  });
});
