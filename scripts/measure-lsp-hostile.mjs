#!/usr/bin/env node
// Time and peak memory of the language server on hostile workspaces, each case
// in a fresh server process over stdio:
//
//   glob       podsec.exclude ["*a*a*a*a*a*ab"] and a document with a 10,000-character
//              name: time to its diagnostics, then to another document's
//   patterns   10,000 exclude patterns: time per edit (didChange → diagnostics), 5 edits
//   scan       20,000 Namespace files: the scan's own time (from its log line)
//   swapped    a scanned Namespace file swapped for a FIFO, a link to /dev/zero and a
//              link to /etc/passwd, each announced by a watch event: time until the
//              server answers again (diagnostics of an open document)
//   amplified  a 1 MB name aliased by 151 containers (hardening checks off): time to
//              its diagnostics, and their largest message
//
// Peak memory is the server's VmHWM (Linux). A case that does not answer within
// --timeout seconds (default 60) is reported as such and its server killed.
//
//   node scripts/measure-lsp-hostile.mjs [--server path/to/server/out/lsp/main.js]
//                                        [--timeout 60] [case...]
import { execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const server = path.resolve(
  opt('--server', path.join(here, '..', 'server', 'out', 'lsp', 'main.js')),
);
const timeoutMs = Number(opt('--timeout', '60')) * 1000;
const only = args;

const uri = (p) => pathToFileURL(p).href;
const ns = (name) =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n`;
const deployment = (name, namespace) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx\n          securityContext:\n            privileged: true\n`;

function peakMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

async function start(root, settings) {
  const proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const c = createProtocolConnection(
    new StreamMessageReader(proc.stdout),
    new StreamMessageWriter(proc.stdin),
  );
  const s = { proc, c, settings, logs: [], logWaiters: [], waiters: [], version: new Map() };
  c.onRequest('workspace/configuration', (p) => p.items.map(() => s.settings));
  c.onRequest('client/registerCapability', () => null);
  c.onRequest('window/workDoneProgress/create', () => null);
  c.onRequest('workspace/codeLens/refresh', () => null);
  c.onNotification('window/showMessage', () => undefined);
  c.onNotification('window/logMessage', (p) => {
    s.logs.push(p.message);
    for (const w of [...s.logWaiters]) if (w.test(p.message)) w.done(p.message);
  });
  c.onNotification('textDocument/publishDiagnostics', (p) => {
    for (const w of [...s.waiters]) if (w.test(p)) w.done(p);
  });
  c.onUnhandledNotification(() => undefined);
  c.listen();
  await c.sendRequest('initialize', {
    processId: process.pid,
    rootUri: root ? uri(root) : null,
    workspaceFolders: root ? [{ uri: uri(root), name: 'ws' }] : null,
    capabilities: {
      workspace: {
        configuration: true,
        workspaceFolders: true,
        didChangeWatchedFiles: { dynamicRegistration: true },
      },
      textDocument: { publishDiagnostics: { versionSupport: true } },
    },
  });
  await c.sendNotification('initialized', {});
  return s;
}

function waitFor(list, test, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer (${what})`)), timeoutMs);
    const w = {
      test,
      done: (v) => {
        clearTimeout(timer);
        list.splice(list.indexOf(w), 1);
        resolve(v);
      },
    };
    list.push(w);
  });
}

const diagnosticsOf = (s, u, version) =>
  waitFor(s.waiters, (p) => p.uri === u && p.version === version, u.slice(-40));

async function open(s, u, text) {
  const version = (s.version.get(u) ?? 0) + 1;
  s.version.set(u, version);
  const got = diagnosticsOf(s, u, version);
  await s.c.sendNotification('textDocument/didOpen', {
    textDocument: { uri: u, languageId: 'yaml', version, text },
  });
  return got;
}

async function change(s, u, text) {
  const version = s.version.get(u) + 1;
  s.version.set(u, version);
  const got = diagnosticsOf(s, u, version);
  await s.c.sendNotification('textDocument/didChange', {
    textDocument: { uri: u, version },
    contentChanges: [{ text }],
  });
  return got;
}

async function stop(s) {
  const peak = peakMb(s.proc.pid);
  s.proc.kill('SIGKILL');
  s.c.dispose();
  return peak;
}

const ms = (t) => `${(performance.now() - t).toFixed(0)} ms`;

const CASES = {
  async glob(root) {
    const s = await start(root, { exclude: ['*a*a*a*a*a*ab'] });
    const out = {};
    try {
      let t = performance.now();
      await open(s, uri(path.join(root, `${'a'.repeat(10_000)}.yaml`)), deployment('long'));
      out['long name diagnostics'] = ms(t);
      t = performance.now();
      await open(s, uri(path.join(root, 'other.yaml')), deployment('other'));
      out['next document'] = ms(t);
    } catch (e) {
      out.error = e.message;
    }
    out['peak memory'] = `${await stop(s)} MB`;
    return out;
  },

  async patterns(root) {
    const exclude = Array.from({ length: 10_000 }, (_, i) => `generated/${i}/**`);
    const s = await start(root, { exclude });
    const out = {};
    try {
      const u = uri(path.join(root, 'edit.yaml'));
      let t = performance.now();
      await open(s, u, deployment('e0'));
      out['open'] = ms(t);
      t = performance.now();
      for (let i = 1; i <= 5; i++) await change(s, u, deployment(`e${i}`));
      out['per edit'] = `${((performance.now() - t) / 5).toFixed(0)} ms`;
    } catch (e) {
      out.error = e.message;
    }
    out['peak memory'] = `${await stop(s)} MB`;
    return out;
  },

  async scan(root) {
    for (let d = 0; d < 20; d++) {
      mkdirSync(path.join(root, `d${d}`));
      for (let i = 0; i < 1000; i++)
        writeFileSync(path.join(root, `d${d}`, `ns${i}.yaml`), ns(`ns-${d}-${i}`));
    }
    const t = performance.now();
    const s = await start(root, {});
    const out = {};
    try {
      const log = await waitFor(s.logWaiters, (m) => m.startsWith('podsec: scanned'), 'the scan');
      out['scan (server log)'] = /in (\d+) ms/.exec(log)?.[1] + ' ms';
      out['scan (wall)'] = ms(t);
    } catch (e) {
      out.error = e.message;
    }
    out['peak memory'] = `${await stop(s)} MB`;
    return out;
  },

  async swapped(root) {
    const file = path.join(root, 'shop.yaml');
    writeFileSync(file, ns('shop'));
    const s = await start(root, {});
    const out = {};
    try {
      await waitFor(s.logWaiters, (m) => m.startsWith('podsec: scanned'), 'the scan');
      const doc = uri(path.join(root, 'web.yaml'));
      await open(s, doc, deployment('web', 'shop'));
      const swaps = [
        ['FIFO', () => execFileSync('mkfifo', [file])],
        ['link to /dev/zero', () => symlinkSync('/dev/zero', file)],
        ['link to /etc/passwd', () => symlinkSync('/etc/passwd', file)],
      ];
      for (const [what, swap] of swaps) {
        unlinkSync(file);
        swap();
        const t = performance.now();
        await s.c.sendNotification('workspace/didChangeWatchedFiles', {
          changes: [{ uri: uri(file), type: 2 }],
        });
        await change(s, doc, deployment(`web-${what.length}`, 'shop'));
        out[`${what}: answers after`] = ms(t);
      }
      const read = s.logs.filter((m) => m.includes('not read'));
      out['not read (log)'] = read.length;
    } catch (e) {
      out.error = e.message;
    }
    out['peak memory'] = `${await stop(s)} MB`;
    return out;
  },
};

CASES.amplified = async (root) => {
  const s = await start(root, { severity: { hardening: 'off' } });
  const out = {};
  try {
    let text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: amplified\nx-name: &n ${'n'.repeat(1024 * 1024)}\nspec:\n  containers:\n`;
    for (let i = 0; i < 151; i++) {
      text += `    - name: *n\n      image: a\n      securityContext: {privileged: true}\n`;
    }
    const t = performance.now();
    const p = await open(s, uri(path.join(root, 'amplified.yaml')), text);
    out['diagnostics'] = ms(t);
    out['count'] = p.diagnostics.length;
    out['longest message'] = Math.max(0, ...p.diagnostics.map((d) => d.message.length));
  } catch (e) {
    out.error = e.message;
  }
  out['peak memory'] = `${await stop(s)} MB`;
  return out;
};

console.log(`server: ${server}`);
for (const [name, run] of Object.entries(CASES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const root = mkdtempSync(path.join(tmpdir(), `podsec-measure-${name}-`));
  try {
    const r = await run(root);
    console.log(
      `${name.padEnd(9)} ${Object.entries(r)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
process.exit(0);
