/**
 * The quick fix "Suppress <check> for this workload" over stdio: it writes
 * the `podsec.io/ignore` annotation on the workload (creating
 * `metadata.annotations`), the finding disappears in every container, and
 * a second check joins the same annotation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent # keep me
spec:
  template:
    spec:
      containers:
        - name: a
          image: a
          securityContext:
            privileged: true
          ports: [{containerPort: 80, hostPort: 80}]
        - name: b
          image: b
          securityContext:
            privileged: true
`;

describe('Suppress <check> for this workload', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-annotation-'));
    // The hardening checks are off: the test follows the Pod Security findings.
    client = await LspClient.start({
      root,
      settings: { level: 'baseline', severity: { hardening: 'off' } },
    });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const actionFor = async (uri: string, d: Diagnostic, title: string): Promise<CodeAction> => {
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const a = actions.find((x) => x.title === title);
    assert.ok(a, JSON.stringify(actions.map((x) => x.title)));
    return a;
  };

  it('writes the annotation; the check is silenced in the whole workload; a second check joins it', async () => {
    const uri = fileUri(path.join(root, 'agent.yaml'));
    await client.open(uri, DEPLOYMENT);
    const first = await client.diagnosticsForCurrent(uri);
    assert.equal(first.diagnostics.filter((d) => d.code === 'privileged').length, 2);
    const priv = first.diagnostics.find((d) => d.code === 'privileged')!;
    const action = await actionFor(uri, priv, 'Suppress privileged for this workload');
    const change = action.edit?.documentChanges?.[0] as TextDocumentEdit;
    assert.equal(change.textDocument.version, 1);
    assert.equal(client.applyEdit(action.edit!).applied, true);
    const text = client.text(uri);
    assert.equal(
      text,
      DEPLOYMENT.replace(
        '  name: agent # keep me\n',
        '  name: agent # keep me\n  annotations:\n    podsec.io/ignore: "privileged -- reason"\n',
      ),
    );
    const second = await client.diagnosticsForCurrent(uri);
    assert.deepEqual(
      second.diagnostics.map((d) => d.code),
      ['hostPorts'],
    );
    const port = second.diagnostics[0]!;
    const join = await actionFor(uri, port, 'Suppress hostPorts for this workload');
    assert.equal(client.applyEdit(join.edit!).applied, true);
    assert.match(client.text(uri), /podsec\.io\/ignore: "privileged,hostPorts -- reason"\n/);
    const third = await client.diagnosticsForCurrent(uri);
    assert.deepEqual(third.diagnostics, []);
    await client.close(uri);
  });
});
