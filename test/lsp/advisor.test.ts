/**
 * The level advisor through the built language server over stdio: code
 * lenses per workload, the "Fix to <level>" command (one versioned edit
 * through workspace/applyEdit, refused when stale), lens refresh on settings
 * changes, the podsec/report request, and the PodSecurityPolicy warning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  ApplyWorkspaceEditResult,
  CodeLens,
  InitializeResult,
  TextDocumentEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';
import {
  namespaceYaml,
  podYaml,
  privilegedPod,
  RESTRICTED_CONTAINER_SC,
  restrictedPod,
} from '../support/manifests';

const PLAIN = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: plain
spec:
  template:
    spec:
      containers:
        - name: app # keep me
          image: nginx
`;

const HARDENED = restrictedPod('hardened');

const PRIVILEGED = privilegedPod('priv');

/** Restricted but for seccomp, which is required from v1.19 on. */
const NO_SECCOMP = podYaml({
  name: 'old',
  podSecurityContext: { runAsNonRoot: true },
  securityContext: RESTRICTED_CONTAINER_SC,
});

const NAMESPACE = namespaceYaml('shop', { 'pod-security.kubernetes.io/enforce': 'baseline' });

const PSP = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: legacy
spec:
  hostNetwork: true
`;

const MULTI = `${PLAIN}---\n${HARDENED}---\n${PRIVILEGED}`;

function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i]!.includes(needle)) return i;
  throw new Error(`${needle} not in text`);
}

const titles = (lenses: CodeLens[]) => lenses.map((l) => l.command?.title ?? '');

describe('level advisor over stdio', () => {
  let root: string;
  let client: LspClient;
  const applied: WorkspaceEdit[] = [];

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-advisor-'));
    writeFileSync(path.join(root, 'namespace.yaml'), NAMESPACE);
    writeFileSync(
      path.join(root, 'shop.yaml'),
      PLAIN.replace('name: plain', 'name: cart\n  namespace: shop'),
    );
    client = await LspClient.start({ root, settings: {} });
    const apply = client.applyEdit.bind(client);
    client.applyEdit = (edit: WorkspaceEdit): ApplyWorkspaceEditResult => {
      applied.push(edit);
      return apply(edit);
    };
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const lensesOf = (uri: string) =>
    client.request<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri } });

  it('advertises code lenses and the fix-to-level command', () => {
    const caps = (client.initializeResult as InitializeResult).capabilities;
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.ok(caps.executeCommandProvider?.commands.includes('podsec.fixToLevel'));
  });

  it('lenses on the first line of each workload, against the level that applies, and a Fix lens only where safe fixes apply', async () => {
    const uri = fileUri(path.join(root, 'multi.yaml'));
    await client.open(uri, MULTI);
    await client.diagnosticsForCurrent(uri);
    const lenses = (await lensesOf(uri)) ?? [];
    assert.deepEqual(titles(lenses), [
      'restricted: 4 changes',
      'meets baseline',
      'Fix to restricted (1 left)',
      'restricted: compliant',
      'restricted: 5 changes',
      'meets privileged',
    ]);
    // above apiVersion: (each document's first line), not between apiVersion: and kind:
    const first = lineOf(MULTI, 'apiVersion: apps/v1');
    const second = lineOf(MULTI, 'apiVersion: v1');
    const third = lineOf(MULTI, 'apiVersion: v1', second + 1);
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.range.start.character, l.range.end.character]),
      [first, first, first, second, third, third].map((line) => [line, 0, 0]),
    );
    // each part has a tooltip
    assert.match(
      String(lenses[0]!.command?.tooltip),
      /level that applies to it: restricted at latest/,
    );
    assert.match(String(lenses[1]!.command?.tooltip), /highest Pod Security level it meets/);
    assert.match(String(lenses[2]!.command?.tooltip), /safe fixes for restricted as one edit/);
    // the level lenses are labels; the fix lens runs the server's command with the version
    assert.equal(lenses[0]!.command?.command, '');
    assert.equal(lenses[2]!.command?.command, 'podsec.fixToLevel');
    assert.deepEqual(lenses[2]!.command?.arguments, [
      { uri, version: 1, offset: 0, level: 'restricted', policyVersion: 'latest' },
    ]);
    await client.close(uri);
  });

  it('Fix to restricted: one versioned edit of that workload only; then the lenses follow', async () => {
    const uri = fileUri(path.join(root, 'fix.yaml'));
    await client.open(uri, MULTI);
    await client.diagnosticsForCurrent(uri);
    const lens = ((await lensesOf(uri)) ?? []).find((l) => l.command?.title.startsWith('Fix to'));
    assert.ok(lens?.command);
    const before = applied.length;
    await client.request('workspace/executeCommand', {
      command: lens.command.command,
      arguments: lens.command.arguments,
    });
    assert.equal(applied.length, before + 1, 'exactly one applyEdit');
    const edit = applied[before]!;
    const changes = edit.documentChanges as TextDocumentEdit[];
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0]!.textDocument, { uri, version: 1 });
    assert.equal(changes[0]!.edits.length, 1, 'one edit: one undo step');
    const text = client.text(uri);
    assert.match(text, /allowPrivilegeEscalation: false/);
    assert.match(text, /- name: app # keep me/);
    assert.ok(text.endsWith(`---\n${HARDENED}---\n${PRIVILEGED}`), 'other workloads untouched');
    await client.diagnosticsForCurrent(uri);
    assert.deepEqual(titles((await lensesOf(uri)) ?? []), [
      'restricted: 1 change',
      'meets baseline',
      'restricted: compliant',
      'restricted: 5 changes',
      'meets privileged',
    ]);
    await client.close(uri);
  });

  it('a stale Fix lens (older document version) changes nothing', async () => {
    const uri = fileUri(path.join(root, 'stale.yaml'));
    await client.open(uri, PLAIN);
    await client.diagnosticsForCurrent(uri);
    const lens = ((await lensesOf(uri)) ?? []).find((l) => l.command?.title.startsWith('Fix to'));
    assert.ok(lens?.command);
    await client.replace(uri, 'image: nginx', 'image: nginx:1.27');
    await client.diagnosticsForCurrent(uri);
    const before = applied.length;
    const textBefore = client.text(uri);
    await client.request('workspace/executeCommand', {
      command: lens.command.command,
      arguments: lens.command.arguments,
    });
    assert.equal(applied.length, before, 'no applyEdit for a stale version');
    assert.equal(client.text(uri), textBefore);
    await client.close(uri);
  });

  it('settings changes refresh the lenses, which follow podsec.version', async () => {
    const uri = fileUri(path.join(root, 'old.yaml'));
    await client.open(uri, NO_SECCOMP);
    await client.diagnosticsForCurrent(uri);
    assert.deepEqual(titles((await lensesOf(uri)) ?? []), [
      'restricted: 1 change',
      'meets baseline',
      'Fix to restricted',
    ]);
    const refreshed = client.nextCodeLensRefresh();
    client.settings = { version: 'v1.18' };
    await client.changeConfiguration();
    await refreshed;
    assert.deepEqual(titles((await lensesOf(uri)) ?? []), ['restricted: compliant']);
    const back = client.nextCodeLensRefresh();
    client.settings = {};
    await client.changeConfiguration();
    await back;
    await client.close(uri);
  });

  it('a PodSecurityPolicy gets a warning on its kind value', async () => {
    const uri = fileUri(path.join(root, 'psp.yaml'));
    await client.open(uri, PSP);
    const p = await client.waitForDiagnostics(uri, (d) =>
      d.diagnostics.some((x) => x.code === 'podSecurityPolicy'),
    );
    const d = p.diagnostics.find((x) => x.code === 'podSecurityPolicy')!;
    assert.equal(d.severity, 2);
    assert.deepEqual(d.range, {
      start: { line: 1, character: 6 },
      end: { line: 1, character: 6 + 'PodSecurityPolicy'.length },
    });
    assert.match(
      typeof d.message === 'string' ? d.message : d.message.value,
      /^PodSecurityPolicy was removed in Kubernetes v1\.25; the closest Pod Security level is privileged; hostNetwork, seLinux\.rule keep it from baseline \(see `podsec report`\)$/,
    );
    await client.close(uri);
  });

  it('podsec/report: files on disk and open documents (their unsaved text), by namespace, with links', async () => {
    const uri = fileUri(path.join(root, 'shop.yaml'));
    // open with unsaved content: the report must use it, not the file on disk
    await client.open(uri, HARDENED.replace('name: hardened', 'name: cart\n  namespace: shop'));
    const r = await client.request<{
      markdown: string;
      files: number;
      workloads: number;
      namespaces: number;
    }>('podsec/report', {});
    assert.equal(r.files, 2, r.markdown);
    assert.equal(r.workloads, 1);
    assert.equal(r.namespaces, 1);
    assert.match(r.markdown, /^# Pod Security report\n/);
    assert.match(r.markdown, /## Namespace `shop`/);
    assert.match(r.markdown, /Labels: enforce \*\*baseline\*\* \(latest\)/);
    assert.match(r.markdown, /Declared in `namespace\.yaml`/);
    assert.match(
      r.markdown,
      new RegExp(
        `\\| Pod \`cart\` \\| \\[\`shop\\.yaml:2\`\\]\\(${uri.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}#L2\\) \\| \\*\\*restricted\\*\\* \\|`,
      ),
    );
    // with a version comparison
    const u = await client.request<{ markdown: string }>('podsec/report', {
      from: 'v1.18',
      to: 'latest',
    });
    assert.match(u.markdown, /## Version upgrade `v1\.18` → `latest`/);
    await client.close(uri);
    // closed: the file on disk counts again
    const disk = await client.request<{ markdown: string }>('podsec/report', {});
    assert.match(
      disk.markdown,
      /\| Deployment `cart` \|.*\| \*\*baseline\*\* \| 4 changes to restricted \|/,
    );
    // the file named once per workload; its findings link to their lines
    const file = fileUri(path.join(root, 'shop.yaml')).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    assert.match(
      disk.markdown,
      new RegExp(
        `\nDeployment \`cart\` in \\[\`shop\\.yaml:\\d+\`\\]\\(${file}#L\\d+\\) \\(baseline → restricted\\):`,
      ),
    );
    const blockers = disk.markdown.split('\n').filter((l) => l.startsWith('- `runAsNonRoot`'));
    assert.ok(blockers.length > 0, disk.markdown);
    for (const b of blockers) {
      assert.match(b, new RegExp(` at \\[line (\\d+)\\]\\(${file}#L\\1\\) `));
    }
    assert.doesNotMatch(disk.markdown, /The editor checks these workloads/, 'shop is labelled');
  });

  it('podsec/report: an unlabelled namespace states the level the editor uses and the cluster default', async () => {
    const uri = fileUri(path.join(root, 'unlabelled.yaml'));
    await client.open(uri, PRIVILEGED);
    const r = await client.request<{ markdown: string }>('podsec/report', {});
    assert.match(
      r.markdown,
      /## Namespace `default`\n\nLabels: enforce \*\*privileged\*\* \(latest\) _default_.*\n\nThe editor checks these workloads at \*\*restricted\*\* \(latest\), from the `podsec\.level` setting; a cluster admits them at its default, \*\*privileged\*\* \(latest\), until the namespace is labelled\./,
    );
    await client.close(uri);
  });

  it('podsec/report: a file name with parentheses and spaces is one link target', async () => {
    const uri = fileUri(path.join(root, 'web (copy).yaml'));
    await client.open(uri, PRIVILEGED);
    const r = await client.request<{ markdown: string }>('podsec/report', {});
    const link = /\[`web \(copy\)\.yaml:(\d+)`\]\(([^)\s]*)\)/.exec(r.markdown);
    assert.ok(link, r.markdown);
    assert.match(link[2]!, /^file:\/\/.*\/web%20%28copy%29\.yaml#L\d+$/);
    assert.equal(decodeURIComponent(link[2]!.replace(/#L\d+$/, '')), decodeURIComponent(uri));
    await client.close(uri);
  });
});
