/**
 * Hardening quick fixes of generated YAML in the language server, over a
 * real stdio connection: on a chart template, the pod spec's
 * `automountServiceAccountToken: false` added after the template's
 * `toYaml` line, at the template's indentation; on an overlay's base, "Add a
 * default-deny NetworkPolicy" as one WorkspaceEdit that creates the
 * overlay's new file and lists it in the overlay's kustomization. Once
 * applied, the finding goes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  CreateFile,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  TextEdit,
} from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';
import { hardenedDeployment, WEB_CHART_YAML, webChartTemplate } from '../support/manifests';

const TEMPLATE = webChartTemplate();

const BASE = hardenedDeployment('api');

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

async function quickFixes(
  client: LspClient,
  uri: string,
  p: PublishDiagnosticsParams,
  code: string,
): Promise<CodeAction[]> {
  const d = p.diagnostics.find((x) => x.code === code);
  assert.ok(d, `${code} in ${codes(p).join(', ')}`);
  return client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: [d], only: ['quickfix'] },
  });
}

describe('language server: hardening fixes of charts and overlays', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-hardening-gen-fixes-'));
    write(root, {
      'chart/Chart.yaml': WEB_CHART_YAML,
      'chart/values.yaml': 'image: nginx\nresources: {}\n',
      'chart/templates/deployment.yaml': TEMPLATE,
      'kz/base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
      'kz/base/deploy.yaml': BASE,
      'kz/prod/kustomization.yaml': 'namespace: prod\nresources:\n  - ../base\n',
    });
    client = await LspClient.start({ root, createFiles: true });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a chart template: the pod-spec token fix edits the template after its toYaml line', async () => {
    const uri = fileUri(path.join(root, 'chart', 'templates', 'deployment.yaml'));
    await client.open(uri, TEMPLATE, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => codes(x).includes('serviceAccountToken'),
      'the rendered pods mount the token',
    );
    const actions = await quickFixes(client, uri, p, 'serviceAccountToken');
    const fix = actions.find((a) => /in the pod spec/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join('; '));
    assert.notEqual(fix.isPreferred, true);
    const changes = (fix.edit?.documentChanges ?? []) as TextDocumentEdit[];
    assert.deepEqual(
      changes.map((c) => [c.textDocument.uri, c.textDocument.version]),
      [[uri, 1]],
    );
    await client.edit(uri, changes[0]?.edits as TextEdit[]);
    assert.equal(client.text(uri), `${TEMPLATE}      automountServiceAccountToken: false\n`);
    await client.waitForDiagnostics(
      uri,
      (x) => x.version === 2 && !codes(x).includes('serviceAccountToken'),
      'the chart renders the field',
    );
    await client.close(uri);
  });

  it('an overlay: the default-deny fix creates the overlay file and lists it in its kustomization', async () => {
    const uri = fileUri(path.join(root, 'kz', 'base', 'deploy.yaml'));
    const kFile = path.join(root, 'kz', 'prod', 'kustomization.yaml');
    const kUri = fileUri(kFile);
    const newFile = path.join(root, 'kz', 'prod', 'default-deny.yaml');
    const newUri = fileUri(newFile);
    await client.open(uri, BASE, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => codes(x).includes('networkPolicyIsolation'),
      'the overlay deploys the workload unisolated',
    );
    const actions = await quickFixes(client, uri, p, 'networkPolicyIsolation');
    const fix = actions.find((a) =>
      /default-deny NetworkPolicy for namespace "prod"/.test(a.title),
    );
    assert.ok(fix, actions.map((a) => a.title).join('; '));
    assert.notEqual(fix.isPreferred, true);
    const changes = fix.edit?.documentChanges ?? [];
    assert.deepEqual(
      changes.map((c) =>
        'kind' in c
          ? [c.kind, (c as CreateFile).uri]
          : [c.textDocument.uri, c.textDocument.version],
      ),
      [
        ['create', newUri],
        [newUri, null],
        [kUri, null],
      ],
    );
    // As the editor applies it: the new file written, the kustomization edited on disk.
    const created = (changes[1] as TextDocumentEdit).edits[0] as TextEdit;
    writeFileSync(newFile, created.newText);
    const kText = readFileSync(kFile, 'utf8');
    const kEdits = (changes[2] as TextDocumentEdit).edits as TextEdit[];
    assert.equal(kEdits.length, 1);
    await client.open(kUri, kText, 1);
    await client.edit(kUri, kEdits);
    assert.equal(
      client.text(kUri),
      'namespace: prod\nresources:\n  - ../base\n  - default-deny.yaml\n',
    );
    await client.filesChanged([{ uri: newUri, type: 1 }]);
    await client.waitForDiagnostics(
      uri,
      (x) => !codes(x).includes('networkPolicyIsolation'),
      'the overlay builds the policy',
    );
    assert.match(created.newText, /^kind: NetworkPolicy$/m);
    await client.close(kUri);
    await client.close(uri);
  });
});
