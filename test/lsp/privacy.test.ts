/**
 * Privacy: no network access, no telemetry, no execution of anything from
 * the workspace. At run time, the server over stdio, after a realistic
 * session in a workspace, holds no socket (its stdio are pipes). In the
 * source, nothing under server/src imports a network or process module or
 * evaluates code.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { repoRoot } from '../support/paths';
import { fileUri, LspClient } from '../support/lspClient';
import { namespaceYaml } from '../support/manifests';

const NAMESPACE = namespaceYaml('shop', { 'pod-security.kubernetes.io/enforce': 'baseline' });

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx # https://example.com/not-fetched
          securityContext:
            privileged: true
`;

/** The process's open descriptors: fd number → what it is (`pipe:[…]`, `socket:[inode]`, a path). */
function descriptors(pid: number): Map<number, string> {
  const dir = `/proc/${pid}/fd`;
  const out = new Map<number, string>();
  for (const fd of readdirSync(dir)) {
    try {
      out.set(Number(fd), readlinkSync(join(dir, fd)));
    } catch {
      // closed between readdir and readlink
    }
  }
  return out;
}

/** Socket inodes listed in one of /proc/<pid>/net/{unix,tcp,tcp6,udp,udp6}. */
function socketInodes(pid: number, table: string): Set<string> {
  const lines = readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1);
  const column = table === 'unix' ? 6 : 9;
  return new Set(lines.map((l) => l.trim().split(/\s+/)[column] ?? '').filter((x) => x !== ''));
}

describe('privacy', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'podsec-privacy-'));
    writeFileSync(join(root, 'namespace.yaml'), NAMESPACE);
    writeFileSync(join(root, 'deploy.yaml'), DEPLOYMENT);
    // Something a careless tool might run: it must never be.
    writeFileSync(join(root, 'postinstall.sh'), '#!/bin/sh\ntouch "$(dirname "$0")/ran"\n', {
      mode: 0o755,
    });
    client = await LspClient.start({ root, settings: { relatedInformation: true } });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'the server opens no socket beyond its own stdio connection during a realistic session',
    { skip: !existsSync('/proc/self/fd') },
    async (t) => {
      const uri = fileUri(join(root, 'deploy.yaml'));
      await client.open(uri, DEPLOYMENT);
      const p = await client.waitForDiagnostics(uri, (x) =>
        x.diagnostics.some((d) => d.relatedInformation !== undefined),
      );
      const priv = p.diagnostics.find((d) => d.code === 'privileged')!;
      await client.request<Hover>('textDocument/hover', {
        textDocument: { uri },
        position: priv.range.start,
      });
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: priv.range,
        context: { diagnostics: [priv] },
      });
      const fixAll = actions.find((a) => a.data !== undefined);
      if (fixAll) await client.request('codeAction/resolve', fixAll);
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [{ uri: fileUri(join(root, 'namespace.yaml')), type: 2 }],
      });
      client.settings = { level: 'restricted', relatedInformation: true };
      await client.changeConfiguration();
      await client.nextDiagnostics(uri, () => true);
      await client.request('podsec/policyForDocument', { uri });

      const pid = client.proc.pid!;
      const fds = descriptors(pid);
      t.diagnostic(`server descriptors: ${[...fds].map(([fd, l]) => `${fd}=${l}`).join(', ')}`);
      // Node gives a child's stdio as Unix socket pairs (libuv), so fds 0-2 may be sockets:
      // its own connection. Any other socket, or any network socket at all, is a failure.
      const sockets = [...fds].filter(([, l]) => l.startsWith('socket:'));
      assert.deepEqual(
        sockets.filter(([fd]) => fd > 2),
        [],
        'no socket beyond stdio',
      );
      const network = new Set(
        ['tcp', 'tcp6', 'udp', 'udp6'].flatMap((table) => [...socketInodes(pid, table)]),
      );
      const unix = socketInodes(pid, 'unix');
      for (const [fd, l] of sockets) {
        const inode = /^socket:\[(\d+)\]$/.exec(l)?.[1] ?? '';
        assert.ok(!network.has(inode), `fd ${fd} is a network socket`);
        assert.ok(unix.has(inode), `fd ${fd} is a Unix socket pair (stdio)`);
      }
      assert.ok(!existsSync(join(root, 'ran')), 'nothing from the workspace was executed');
    },
  );

  it('nothing under server/src imports a network or process module, or evaluates code', () => {
    const forbidden =
      /(?:from\s+|require\(\s*|import\(\s*)['"](?:node:)?(?:net|http|https|http2|dgram|tls|dns|child_process|cluster|worker_threads|inspector)['"]/;
    const evaluates = /\beval\s*\(|\bnew\s+Function\s*\(|\bFunction\s*\(\s*['"`]/;
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.name.endsWith('.ts')) files.push(full);
      }
    };
    walk(join(repoRoot(), 'server', 'src'));
    assert.ok(files.length > 20, `found ${files.length} sources`);
    const problems: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (forbidden.test(line) || evaluates.test(line))
            problems.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(problems, []);
  });

  it('the extension declares what it supports in untrusted and virtual workspaces', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
      capabilities: {
        untrustedWorkspaces: { supported: boolean | string };
        virtualWorkspaces: { supported: boolean | string; description?: string };
      };
    };
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    // Virtual workspaces: open documents are checked (the client selects vscode-vfs documents),
    // but no files are scanned for Namespace labels, so support is declared limited, with why.
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, 'limited');
    assert.match(pkg.capabilities.virtualWorkspaces.description ?? '', /open documents/);
    const client = readFileSync(join(repoRoot(), 'client', 'src', 'extension.ts'), 'utf8');
    assert.match(client, /\{ language: 'yaml', scheme: 'vscode-vfs' \}/);
  });
});
