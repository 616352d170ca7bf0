/**
 * `.podsec.yaml`'s `hardening` key in the language server, over a real stdio
 * connection: a check the file turns off is not shown, one it sets to error
 * is an error, and a bad value is a diagnostic in the file at its place.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';
import { hardenedDeployment } from '../support/manifests';

const WEB = hardenedDeployment('web', { flowLabels: true });

const CONFIG = `hardening:
  serviceAccountToken: off
  resourceLimits: error
  resourceRequests: loud
`;

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));
const text = (d: Diagnostic): string =>
  typeof d.message === 'string' ? d.message : d.message.value;

describe('language server: .podsec.yaml hardening', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-hardening-config-'));
    writeFileSync(path.join(root, '.podsec.yaml'), CONFIG);
    client = await LspClient.start({ root });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a check turned off is not shown; one set to error is an error; the others keep their default', async () => {
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, WEB, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => codes(x).includes('resourceLimits'),
      'the hardening findings',
    );
    assert.ok(!codes(p).includes('serviceAccountToken'));
    assert.equal(p.diagnostics.find((d) => d.code === 'resourceLimits')?.severity, 1);
    // the bad value leaves resourceRequests at its default (warning)
    assert.equal(p.diagnostics.find((d) => d.code === 'resourceRequests')?.severity, 2);
    assert.equal(p.diagnostics.find((d) => d.code === 'networkPolicyIsolation')?.severity, 3);
    await client.close(uri);
  });

  it('the bad value is a diagnostic of .podsec.yaml at its line', async () => {
    const uri = fileUri(path.join(root, '.podsec.yaml'));
    await client.open(uri, CONFIG, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => text(d).includes('hardening.resourceRequests')),
      'the bad value reported',
    );
    const d = p.diagnostics.find((x) => text(x).includes('hardening.resourceRequests'));
    assert.equal(d?.range.start.line, 3);
    await client.close(uri);
  });
});
