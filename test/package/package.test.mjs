// The .vsix as users install it: `npm run package` builds it, the listing holds
// the bundles, the manifest, the grammar and the docs and nothing else, it is
// small, and the bundles run without node_modules. The unpacked copy is left in
// $TMPDIR/podsec-vsix/extension (outside the repository, so nothing can be
// resolved from its node_modules), where the end-to-end phase loads it from.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(tmpdir(), 'podsec-vsix');
const vsix = join(outDir, 'podsec.vsix');
const unpacked = join(outDir, 'extension');

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('npm run package builds a small .vsix with only what the extension needs', (t) => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  sh('npm', ['run', '--silent', 'package', '--', '--out', vsix]);
  const size = statSync(vsix).size;
  assert.ok(size < 1024 * 1024, `vsix is ${size} bytes`);

  // python3's zipfile module lists and extracts without extra packages.
  const listing = sh('python3', [
    '-c',
    'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
    vsix,
  ]);
  const files = listing
    .split('\n')
    .map((l) => l.trim())
    .filter((f) => f.startsWith('extension/'))
    .map((f) => f.slice('extension/'.length))
    .sort();
  for (const f of [
    'package.json',
    'readme.md',
    'changelog.md',
    'LICENSE.txt',
    'dist/client.js',
    'dist/server.js',
    'syntaxes/podsec.injection.tmLanguage.json',
    // the per-check pages diagnostics link to
    'docs/checks/README.md',
    'docs/checks/privileged.md',
    'docs/checks/networkPolicyIsolation.md',
  ]) {
    assert.ok(files.includes(f), `${f} in the vsix: ${files.join(', ')}`);
  }
  const unwanted = files.filter(
    (f) =>
      f.endsWith('.ts') ||
      f.endsWith('.map') ||
      /^(node_modules|test|server|client|scripts|examples|out)\//.test(f) ||
      (f.startsWith('docs/') && !/^docs\/checks\/[A-Za-z_]+\.md$/.test(f)),
  );
  assert.deepEqual(unwanted, []);
  t.diagnostic(`vsix: ${files.length} files, ${size} bytes`);

  sh('python3', ['-m', 'zipfile', '-e', vsix, outDir]);
  assert.ok(existsSync(join(unpacked, 'dist', 'server.js')));
  const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
  assert.equal(manifest.main, './dist/client.js');
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
});

test('the bundled server answers initialize over stdio without node_modules', async () => {
  const server = join(unpacked, 'dist', 'server.js');
  assert.ok(existsSync(server), 'run after the packaging test');
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { processId: null, rootUri: null, capabilities: {} },
  });
  // Unpacked outside the repository with NODE_PATH empty: only the bundle's own code loads.
  const child = spawn(process.execPath, [server, '--stdio'], {
    cwd: outDir,
    env: { ...process.env, NODE_PATH: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const answered = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += String(d);
      if (stdout.includes('"id":1')) resolve(stdout);
    });
    child.on('exit', (code) =>
      reject(new Error(`server exited (${code}) before answering:\n${stderr}`)),
    );
  });
  // stdin stays open until the answer: an LSP server ends when its input does.
  child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  try {
    const out = await answered;
    assert.match(out, /"textDocumentSync"/);
    assert.match(out, /"codeActionProvider"/);
  } finally {
    child.kill();
  }
});

test("the client bundle holds the extension and the protocol module, none of the server's runtime", async (t) => {
  const { metafile } = await build({
    ...bundleOptions('client'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(metafile.inputs);
  const own = inputs.filter((f) => !f.includes('node_modules/')).sort();
  const fromServer = own.filter((f) => f.startsWith('server/'));
  // The typed protocol comes from source (not from compiled out/), with the one engine file it
  // reads at run time: the hardening ID list, which imports nothing.
  assert.deepEqual(fromServer, [
    'server/src/engine/hardening/ids.ts',
    'server/src/lsp/protocol.ts',
  ]);
  assert.ok(
    own.every((f) => f.startsWith('client/src/') || fromServer.includes(f)),
    own.join(', '),
  );
  const packages = new Set(
    inputs
      .filter((f) => f.includes('node_modules/'))
      .map((f) => f.slice(f.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/')[0]),
  );
  for (const serverOnly of ['yaml', 'vscode-languageserver']) {
    assert.ok(!packages.has(serverOnly), `${serverOnly} in the client bundle`);
  }
  // One copy of the LSP protocol package, shared by the client library and the protocol module.
  const protocolCopies = new Set(
    inputs
      .filter((f) => /node_modules\/vscode-languageserver-protocol\//.test(f))
      .map((f) => f.slice(0, f.lastIndexOf('node_modules/vscode-languageserver-protocol/'))),
  );
  assert.equal(protocolCopies.size, 1, [...protocolCopies].join(', '));
  t.diagnostic(`client bundle: ${inputs.length} inputs from ${packages.size} packages`);
});
