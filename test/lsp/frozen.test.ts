/**
 * A language server that cannot be frozen, through the real server over
 * stdio: an exclude glob that makes a backtracking matcher explode, 10,000
 * exclude patterns compiled once, a workspace of 20,000 Namespace files
 * scanned in linear work, and files a scan or a watch event must not read (a
 * FIFO, a link to /dev/zero, a link to /etc/passwd outside the workspace, a
 * file swapped for a FIFO after the listing, a file over the size limit).
 * Work is counted through the server's test-only stats request
 * (PODSEC_TEST_HOOKS=1), never timed; how long each takes, and the server's
 * peak memory, is what scripts/measure-lsp-hostile.mjs reports.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { readWorkspaceFile, yamlFiles } from '@podsec/server/out/lsp/scan';
import type { ScanSkips } from '@podsec/server/out/lsp/scan';
import { fileUri, LspClient } from '../support/lspClient';
import { deploymentYaml, namespaceYaml } from '../support/manifests';

interface Stats {
  reads: { scans: number; scanned: number; watched: number; skipped: Record<string, number> };
  index: { parses: number; recomputed: number; snapshots: number };
  glob: { compiled: number; steps: number };
}

const stats = (c: LspClient) => c.request<Stats>('podsec/debugStats', null);
/** The hardening checks off: these tests read Pod Security findings and Namespace labels. */
const PSS_ONLY = { severity: { hardening: 'off' } };
const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));
const PRIVILEGED = deploymentYaml({ name: 'web', securityContext: { privileged: true } });
const inNamespace = (ns: string) =>
  deploymentYaml({ name: 'web', namespace: ns, securityContext: { privileged: true } });
const PRIVILEGED_NS = (name: string) =>
  namespaceYaml(name, { 'pod-security.kubernetes.io/enforce': 'privileged' });
const fifo = (p: string) => execFileSync('mkfifo', [p]);

before(() => {
  process.env.PODSEC_TEST_HOOKS = '1';
});

describe('exclude globs through the server', () => {
  let client: LspClient;
  let root: string;
  // Documents in the workspace folder (not on disk): patterns apply to their relative paths.
  const doc = (name: string) => fileUri(path.join(root, name));
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-globs-'));
    client = await LspClient.start({ root, settings: { ...PSS_ONLY, exclude: ['*a*a*a*a*a*ab'] } });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('`*a*a*a*a*a*ab` against a 10,000-character name answers in linear work', async () => {
    const before = await stats(client);
    const long = doc(`${'a'.repeat(10_000)}.yaml`);
    await client.open(long, PRIVILEGED);
    const p = await client.diagnosticsForCurrent(long, 'the long name');
    assert.ok(codes(p).includes('privileged'), 'not excluded, and checked');
    // Another document still gets its diagnostics (the server is not frozen).
    const other = doc('other.yaml');
    await client.open(other, PRIVILEGED);
    await client.diagnosticsForCurrent(other);
    const after = await stats(client);
    const steps = after.glob.steps - before.glob.steps;
    // Each exclusion test matches the relative and the absolute path: about 10,030
    // characters × 13 states each, a few times per document version.
    assert.ok(steps > 10_000, `${steps} steps`);
    assert.ok(steps < 10 * 2 * 10_040 * 13, `${steps} steps is more than linear`);
    await client.close(long);
    await client.close(other);
  });

  it('10,000 patterns are compiled once per settings change, not per request', async () => {
    const patterns = Array.from({ length: 10_000 }, (_, i) => `generated/${i}/**`);
    client.settings = { ...PSS_ONLY, exclude: [...patterns, 'skip/**'] };
    const before = await stats(client);
    await client.changeConfiguration();
    const kept = doc('kept.yaml');
    const skipped = doc('skip/me.yaml');
    await client.open(kept, PRIVILEGED);
    await client.open(skipped, PRIVILEGED);
    await client.diagnosticsForCurrent(kept);
    const s = await client.diagnosticsForCurrent(skipped);
    assert.deepEqual(s.diagnostics, [], 'excluded');
    for (let i = 0; i < 5; i++) {
      await client.replace(kept, 'name: web', `name: web${i}`);
      await client.diagnosticsForCurrent(kept, `edit ${i}`);
    }
    const after = await stats(client);
    assert.equal(
      after.glob.compiled - before.glob.compiled,
      10_001,
      JSON.stringify([before, after]),
    );
    await client.close(kept);
    await client.close(skipped);
  });

  it('every invalid setting is named in one warning, each falling back on its own', async () => {
    const uri = doc('settings.yaml');
    client.settings = {
      level: 'strict',
      enable: 'yes',
      maxFileSize: '5MB',
      maxAliasCount: -1,
      namespaceLabels: 1,
      severity: 'loud',
      exclude: ['ok/**', 42, '!neg', '{a,b}'.repeat(9)],
      version: 'v1.30',
    };
    const shown = client.messages.length;
    await client.changeConfiguration();
    await client.open(uri, PRIVILEGED);
    const p = await client.diagnosticsForCurrent(uri);
    // The valid key (version) applies; the invalid ones fall back (checked, at restricted).
    assert.ok(codes(p).includes('privileged') && codes(p).includes('runAsNonRoot'));
    const messages = client.messages.slice(shown);
    assert.equal(messages.length, 1, JSON.stringify(messages));
    const m = messages[0]!.message;
    assert.equal(messages[0]!.type, 2);
    for (const named of [
      'podsec.level "strict"',
      'podsec.enable "yes"',
      'podsec.maxFileSize "5MB"',
      'podsec.maxAliasCount -1',
      'podsec.namespaceLabels 1',
      'podsec.severity "loud"',
      'podsec.exclude[1] 42',
      'podsec.exclude: "!neg"',
      'more than 256 patterns',
    ]) {
      assert.ok(m.includes(named), `${named} in ${m}`);
    }
    assert.ok(!m.includes('version'), m);
    const policy = await client.request<{ version: string }>('podsec/policyForDocument', { uri });
    assert.equal(policy.version, 'v1.30');
    await client.close(uri);
  });
});

describe('the Namespace scan at 20,000 files', () => {
  let root: string;
  let client: LspClient;
  const FILES = 20_000;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-scan-'));
    for (let d = 0; d < FILES / 1000; d++) {
      const dir = path.join(root, `d${d}`);
      mkdirSync(dir);
      for (let i = 0; i < 1000; i++) {
        writeFileSync(path.join(dir, `ns${i}.yaml`), PRIVILEGED_NS(`ns-${d}-${i}`));
      }
    }
    client = await LspClient.start({ root, settings: PSS_ONLY });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('parses each file once and recomputes each Namespace once', async () => {
    await client.waitForLog((m) => m.startsWith(`podsec: scanned ${FILES} YAML files`), 120_000);
    const s = await stats(client);
    assert.equal(s.reads.scanned, FILES);
    assert.equal(s.index.parses, FILES);
    assert.equal(s.index.recomputed, FILES, 'one recomputation per Namespace');
    assert.ok(s.index.snapshots <= 2, `${s.index.snapshots} copies of the map`);
    // The labels apply: privileged is allowed in ns-19-999, not elsewhere.
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, inNamespace('ns-19-999'));
    const p = await client.diagnosticsForCurrent(uri);
    assert.deepEqual(codes(p), []);
    await client.close(uri);
  });

  it('a watch event recomputes only the Namespaces of that file', async () => {
    const before = await stats(client);
    const file = path.join(root, 'd7', 'ns7.yaml');
    writeFileSync(file, PRIVILEGED_NS('renamed'));
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, inNamespace('renamed'), 2);
    await client.filesChanged([{ uri: fileUri(file), type: 2 }]);
    await client.waitForDiagnostics(
      uri,
      (p) => p.version === 2 && p.diagnostics.length === 0,
      'labels of renamed',
    );
    const after = await stats(client);
    assert.equal(after.index.parses - before.index.parses, 1, client.logs.slice(-5).join('\n'));
    // ns-7-7 is gone and renamed is new: two names, not 20,000.
    assert.equal(after.index.recomputed - before.index.recomputed, 2);
    await client.close(uri);
  });
});

describe('files the server must not read', () => {
  let root: string;
  let outside: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-traps-'));
    outside = mkdtempSync(path.join(tmpdir(), 'podsec-outside-'));
    writeFileSync(path.join(outside, 'ns.yaml'), PRIVILEGED_NS('outside'));
    writeFileSync(path.join(root, 'shop.yaml'), PRIVILEGED_NS('shop'));
    writeFileSync(path.join(root, 'real.yaml'), PRIVILEGED_NS('linked'));
    symlinkSync(path.join(root, 'real.yaml'), path.join(root, 'inside-link.yaml'));
    fifo(path.join(root, 'fifo.yaml'));
    symlinkSync('/dev/zero', path.join(root, 'zero.yaml'));
    symlinkSync('/etc/passwd', path.join(root, 'passwd.yaml'));
    symlinkSync(path.join(outside, 'ns.yaml'), path.join(root, 'outside.yaml'));
    writeFileSync(path.join(root, 'big.yaml'), PRIVILEGED_NS('big') + `# ${'x'.repeat(3000)}\n`);
    client = await LspClient.start({ root, settings: { ...PSS_ONLY, maxFileSize: 2000 } });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const uri = () => fileUri(path.join(root, 'web.yaml'));

  it('the scan reads regular files inside the workspace within the size limit', async () => {
    const log = await client.waitForLog((m) => m.startsWith('podsec: scanned '));
    assert.match(log, /^podsec: scanned 3 YAML files/, 'shop, real and the link to real');
    const s = await stats(client);
    assert.deepEqual(s.reads.skipped, {
      'not a regular file': 1,
      'outside the workspace': 3,
      'over the size limit': 1,
    });
    let version = 1;
    for (const [ns, allowed] of [
      ['shop', true],
      ['linked', true],
      ['outside', false],
      ['big', false],
    ] as const) {
      await client.open(uri(), inNamespace(ns), version++);
      const p = await client.diagnosticsForCurrent(uri(), ns);
      assert.equal(codes(p).length === 0, allowed, `${ns}: ${JSON.stringify(codes(p))}`);
      await client.close(uri());
    }
  });

  it('watch events go through the same checks: a file swapped for a FIFO, /dev/zero, /etc/passwd', async () => {
    await client.open(uri(), inNamespace('shop'), 10);
    await client.waitForDiagnostics(uri(), (p) => p.diagnostics.length === 0, 'shop labels');
    const shop = path.join(root, 'shop.yaml');
    const swaps: Array<[string, () => void, string]> = [
      ['a FIFO', () => fifo(shop), 'not a regular file'],
      ['a link to /dev/zero', () => symlinkSync('/dev/zero', shop), 'outside the workspace'],
      ['a link to /etc/passwd', () => symlinkSync('/etc/passwd', shop), 'outside the workspace'],
    ];
    for (const [what, swap, reason] of swaps) {
      writeFileSync(shop, PRIVILEGED_NS('shop'));
      await client.filesChanged([{ uri: fileUri(shop), type: 2 }]);
      await client.waitForDiagnostics(uri(), (p) => p.diagnostics.length === 0, `${what}: before`);
      const logs = client.logs.length;
      unlinkSync(shop);
      swap();
      await client.filesChanged([{ uri: fileUri(shop), type: 2 }]);
      // The Namespace is gone (the file is not read): the default level applies again.
      const p = await client.nextDiagnostics(uri(), (x) => codes(x).includes('privileged'), what);
      assert.ok(codes(p).includes('privileged'));
      const said = await client.waitForLog((m) => m === `podsec: ${shop} not read: ${reason}`);
      assert.ok(client.logs.indexOf(said, logs) >= logs, what);
      unlinkSync(shop);
    }
    await client.close(uri());
    assert.equal(client.stderr, '');
  });
  it('a larger podsec.maxFileSize scans the folder again', async () => {
    const before = await stats(client);
    const logs = client.logs.length;
    client.settings = { ...PSS_ONLY, maxFileSize: 100_000 };
    await client.changeConfiguration();
    // shop.yaml is gone (the test above); real.yaml, its link and now big.yaml are read.
    const log = await client.waitForLog(
      (m) => m.startsWith('podsec: scanned ') && client.logs.lastIndexOf(m) >= logs,
    );
    assert.match(log, /^podsec: scanned 3 YAML files/);
    const after = await stats(client);
    assert.equal(after.reads.scans - before.reads.scans, 1);
    await client.open(uri(), inNamespace('big'), 20);
    const p = await client.diagnosticsForCurrent(uri(), 'big');
    assert.deepEqual(codes(p), [], 'big.yaml is read now');
    await client.close(uri());
  });
});

describe('readWorkspaceFile and the scan, directly', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-read-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a file swapped for a FIFO or a link to /dev/zero after the listing is not read', async () => {
    // Twenty files before b and c: the scan reads a few at a time, so b and c are
    // listed, not yet read, when the first file comes out.
    const names = Array.from({ length: 20 }, (_, i) => `a${String(i).padStart(2, '0')}.yaml`);
    for (const name of [...names, 'b.yaml', 'c.yaml']) {
      writeFileSync(path.join(root, name), PRIVILEGED_NS(name));
    }
    const skips: ScanSkips = new Map();
    const read: string[] = [];
    for await (const { file } of yamlFiles(
      root,
      { maxFileSize: 1000, maxFiles: 100 },
      () => false,
      skips,
    )) {
      read.push(path.basename(file));
      if (read.length === 1) {
        // The directory is listed; swap b and c before they are read.
        unlinkSync(path.join(root, 'b.yaml'));
        fifo(path.join(root, 'b.yaml'));
        unlinkSync(path.join(root, 'c.yaml'));
        symlinkSync('/dev/zero', path.join(root, 'c.yaml'));
      }
    }
    assert.deepEqual(read, names);
    assert.deepEqual(Object.fromEntries(skips), {
      'not a regular file': 1,
      'outside the workspace': 1,
    });
    for (const name of ['b.yaml', 'c.yaml']) unlinkSync(path.join(root, name));
  });

  it('the limit is checked on the handle and while reading', async () => {
    const file = path.join(root, 'sized.yaml');
    writeFileSync(file, 'x'.repeat(100));
    assert.deepEqual(await readWorkspaceFile(file, [root], 100), { text: 'x'.repeat(100) });
    assert.deepEqual(await readWorkspaceFile(file, [root], 99), {
      skipped: 'over the size limit',
    });
    // Characters, not bytes: 100 three-byte characters fit a limit of 100.
    writeFileSync(file, '€'.repeat(100));
    assert.deepEqual(await readWorkspaceFile(file, [root], 100), { text: '€'.repeat(100) });
    assert.deepEqual(await readWorkspaceFile('/etc/passwd', [root], 100), {
      skipped: 'outside the workspace',
    });
  });
});

describe('an amplified document', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start({ settings: PSS_ONLY });
  });
  after(async () => {
    await client.stop();
  });

  it('a 1 MB name aliased by 151 containers still gets diagnostics, with bounded messages', async () => {
    const name = 'n'.repeat(1024 * 1024);
    let text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: amplified\nx-name: &n ${name}\nspec:\n  containers:\n`;
    for (let i = 0; i < 151; i++) {
      text += `    - name: *n\n      image: a\n      securityContext: {privileged: true}\n`;
    }
    const uri = 'file:///podsec-frozen/amplified.yaml';
    await client.open(uri, text);
    const p = await client.diagnosticsForCurrent(uri, 'the amplified document');
    const privileged = p.diagnostics.filter((d) => d.code === 'privileged');
    assert.equal(privileged.length, 151);
    const msg = (d: (typeof p.diagnostics)[number]) =>
      typeof d.message === 'string' ? d.message : d.message.value;
    const longest = Math.max(...p.diagnostics.map((d) => msg(d).length));
    assert.ok(longest < 400, `a message of ${longest} characters`);
    // The name is cut with an ellipsis (24 characters in the short form), once per message.
    const m = msg(privileged[0]!);
    assert.match(m, /container n{23}…: /);
    assert.equal(m.split('n'.repeat(24)).length, 1, m);
    await client.close(uri);
    assert.equal(client.stderr, '');
  });
});
