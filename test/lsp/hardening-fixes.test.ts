/**
 * Hardening quick fixes that edit another file, in the language server over
 * a real stdio connection: the serviceAccountToken fix on a ServiceAccount in
 * another file is one WorkspaceEdit of that file, and once it is applied the
 * workload's finding goes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  TextEdit,
} from 'vscode-languageserver-protocol';
import { applyTextEdits, fileUri, LspClient } from '../support/lspClient';
import { deploymentYaml, serviceAccountYaml } from '../support/manifests';

const WEB = deploymentYaml({
  name: 'web',
  namespace: 'shop',
  labels: { app: 'web' },
  podFields: { serviceAccountName: 'api' },
});

const SA = `# the shop's API client\n${serviceAccountYaml('api', 'shop')}`;

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));

describe('language server: hardening fixes of another file', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-hardening-fixes-'));
    writeFileSync(path.join(root, 'web.yaml'), WEB);
    writeFileSync(path.join(root, 'sa.yaml'), SA);
    client = await LspClient.start({ root });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the ServiceAccount of another file: its automountServiceAccountToken: false as an edit of that file', async () => {
    const uri = fileUri(path.join(root, 'web.yaml'));
    const saUri = fileUri(path.join(root, 'sa.yaml'));
    // Both open: what the server sees of the ServiceAccount does not wait for the workspace scan.
    await client.open(saUri, SA, 1);
    await client.open(uri, WEB, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => codes(x).includes('serviceAccountToken'),
      'the token is mounted',
    );
    const token = p.diagnostics.find((d) => d.code === 'serviceAccountToken');
    assert.ok(token);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: token.range,
      context: { diagnostics: [token], only: ['quickfix'] },
    });
    const fix = actions.find((a) => /on ServiceAccount "api"/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join('; '));
    assert.notEqual(fix.isPreferred, true);
    const changes = (fix.edit?.documentChanges ?? []) as TextDocumentEdit[];
    assert.deepEqual(
      changes.map((c) => c.textDocument.uri),
      [saUri],
      'only the ServiceAccount file is edited',
    );
    const sa = applyTextEdits(SA, changes[0]?.edits as TextEdit[]);
    assert.match(sa, /^# the shop's API client\n/);
    assert.match(sa, /^automountServiceAccountToken: false$/m);
    // the pod-spec fix is offered too, in the workload's own file
    assert.ok(actions.some((a) => /in the pod spec/.test(a.title)));
    // applied (the open ServiceAccount at its version), the workload's finding goes
    assert.equal(changes[0]?.textDocument.version, 1);
    await client.edit(saUri, changes[0]?.edits as TextEdit[]);
    await client.waitForDiagnostics(
      uri,
      (x) => !codes(x).includes('serviceAccountToken'),
      'the ServiceAccount turns the token off',
    );
    assert.equal(readFileSync(path.join(root, 'web.yaml'), 'utf8'), WEB);
    await client.close(uri);
    await client.close(saUri);
  });
});
