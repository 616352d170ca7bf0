/**
 * The hardening checks in the language server, over a real stdio
 * connection: diagnostics of open documents computed against the
 * workspace's objects (a NetworkPolicy in a second file, on disk or open,
 * changes a workload's finding as you type), their severity from
 * podsec.severity, hovers, quick fixes (never preferred), and the Pod
 * Security diagnostics left as they were.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  Hover,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  TextEdit,
} from 'vscode-languageserver-protocol';
import { HARDENING_CHECK_IDS } from '@podsec/server';
import { applyTextEdits, fileUri, LspClient } from '../support/lspClient';
import {
  deploymentYaml,
  networkPolicyYaml,
  NO_TOKEN,
  requestsAndLimits,
} from '../support/manifests';

const WEB = deploymentYaml({
  name: 'web',
  namespace: 'shop',
  labels: { app: 'web' },
  blockLabels: true,
  podFields: NO_TOKEN,
  resources: requestsAndLimits('128Mi'),
  resourcesFirst: true,
  securityContext: { privileged: true },
});

const netpol = (app: string) => networkPolicyYaml('web-in', 'shop', app);

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));
const isolated = (p: PublishDiagnosticsParams) => !codes(p).includes('networkPolicyIsolation');
const lineOf = (text: string, s: string) => text.slice(0, text.indexOf(s)).split('\n').length - 1;

describe('language server: hardening checks', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-hardening-'));
    writeFileSync(path.join(root, 'netpol.yaml'), netpol('other'));
    client = await LspClient.start({ root });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a workload no policy selects gets networkPolicyIsolation (information); Pod Security stays an error', async () => {
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, WEB, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => codes(x).includes('networkPolicyIsolation'),
      'networkPolicyIsolation',
    );
    const iso = p.diagnostics.find((d) => d.code === 'networkPolicyIsolation');
    assert.ok(iso);
    assert.equal(iso.severity, 3);
    assert.equal(iso.range.start.line, lineOf(WEB, 'labels:'));
    assert.match(
      iso.codeDescription?.href ?? '',
      /^file:.*\/docs\/checks\/networkPolicyIsolation\.md$/,
    );
    const priv = p.diagnostics.find((d) => d.code === 'privileged');
    assert.equal(priv?.severity, 1);
    await client.close(uri);
  });

  it('a NetworkPolicy in a second file selects the workload as you type in it', async () => {
    const uri = fileUri(path.join(root, 'web.yaml'));
    const polUri = fileUri(path.join(root, 'netpol.yaml'));
    await client.open(uri, WEB, 1);
    await client.waitForDiagnostics(uri, (x) => !isolated(x), 'not isolated at first');
    await client.open(polUri, netpol('other'), 1);
    const pol = await client.waitForDiagnostics(
      polUri,
      (x) => codes(x).includes('networkPolicyUnmatched'),
      'the policy selects nothing',
    );
    assert.equal(pol.diagnostics.find((d) => d.code === 'networkPolicyUnmatched')?.severity, 3);
    // Type the right label into the policy: the workload's finding goes.
    await client.replace(polUri, 'app: other', 'app: web');
    await client.nextDiagnostics(uri, isolated, 'isolated once the policy selects it');
    await client.waitForDiagnostics(
      polUri,
      (x) => !codes(x).includes('networkPolicyUnmatched'),
      'the policy now matches',
    );
    // Hover over the workload's kind line lists the policy per direction.
    const hover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line: lineOf(WEB, 'kind: Deployment'), character: 2 },
    });
    const md = (hover.contents as { value: string }).value;
    assert.match(md, /Ingress: isolated by `web-in` \(denies all\)/);
    assert.match(md, /Egress: not isolated/);
    // Closing the policy: the file on disk (selecting nothing) counts again.
    await client.close(polUri);
    await client.nextDiagnostics(uri, (x) => !isolated(x), 'the disk version selects nothing');
    await client.close(uri);
  });

  it('a policy written to disk (watcher event) isolates an open workload', async () => {
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, WEB, 1);
    await client.waitForDiagnostics(uri, (x) => !isolated(x), 'not isolated');
    writeFileSync(path.join(root, 'netpol.yaml'), netpol('web'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(path.join(root, 'netpol.yaml')), type: 2 }],
    });
    await client.nextDiagnostics(uri, isolated, 'isolated after the file changed');
    writeFileSync(path.join(root, 'netpol.yaml'), netpol('other'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(path.join(root, 'netpol.yaml')), type: 2 }],
    });
    await client.nextDiagnostics(uri, (x) => !isolated(x), 'not isolated again');
    await client.close(uri);
  });

  it('hover explains the check; the quick fix is offered, never preferred, and isolates', async () => {
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, WEB, 1);
    const p = await client.waitForDiagnostics(uri, (x) => !isolated(x), 'not isolated');
    const iso = p.diagnostics.find((d) => d.code === 'networkPolicyIsolation');
    assert.ok(iso);
    const hover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line: iso.range.start.line, character: iso.range.start.character + 1 },
    });
    const md = (hover.contents as { value: string }).value;
    assert.match(
      md,
      /\*\*Pods isolated by a NetworkPolicy\*\* \(`networkPolicyIsolation`, hardening check/,
    );
    assert.match(md, /Why: /);
    assert.doesNotMatch(md, /Policy: \*\*restricted\*\*/, 'no Pod Security policy line');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: iso.range,
      context: { diagnostics: [iso], only: ['quickfix'] },
    });
    const fix = actions.find((a) => /default-deny NetworkPolicy/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join('; '));
    assert.notEqual(fix.isPreferred, true);
    const docEdit = fix.edit?.documentChanges?.[0] as TextDocumentEdit;
    const edits = docEdit.edits as TextEdit[];
    const after = applyTextEdits(WEB, edits);
    assert.ok(after.startsWith(WEB));
    assert.ok(actions.some((a) => /Suppress networkPolicyIsolation/i.test(a.title)));
    await client.edit(uri, edits);
    await client.nextDiagnostics(uri, isolated, 'isolated by the new document');
    await client.close(uri);
  });

  it('podsec.severity: a hardening check to error or off, the family off, and a mode does not touch them', async () => {
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, WEB, 1);
    await client.waitForDiagnostics(uri, (x) => !isolated(x), 'not isolated');
    client.settings = {
      severity: { networkPolicyIsolation: 'error', audit: 'off', warn: 'error' },
    };
    await client.changeConfiguration();
    await client.nextDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => d.code === 'networkPolicyIsolation' && d.severity === 1),
      'networkPolicyIsolation as error',
    );
    client.settings = { severity: { hardening: 'off' } };
    await client.changeConfiguration();
    const off = await client.nextDiagnostics(uri, (x) => isolated(x), 'every hardening check off');
    const hardening = new Set<string>(HARDENING_CHECK_IDS);
    assert.ok(codes(off).includes('privileged'));
    assert.deepEqual(
      codes(off).filter((c) => hardening.has(c)),
      [],
    );
    client.settings = {};
    await client.changeConfiguration();
    await client.nextDiagnostics(uri, (x) => !isolated(x), 'on again');
    await client.close(uri);
  });
});
