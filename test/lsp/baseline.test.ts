/**
 * Baselines in the editor, over stdio: the `.podsec.yaml` beside the files
 * names a baseline written by `podsec --write-baseline`; the findings it
 * holds are published as hints and their hover says so, while a finding
 * added since is published at its own severity.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { cli } from '../support/cli';
import { fileUri, LspClient } from '../support/lspClient';
import { privilegedPod } from '../support/manifests';

const POD = privilegedPod('priv');

describe('baselines in the editor', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-baseline-'));
    writeFileSync(path.join(root, '.podsec.yaml'), 'level: baseline\nbaseline: accepted.json\n');
    writeFileSync(path.join(root, 'pod.yaml'), POD);
    const { code, err } = cli(
      [
        '--level',
        'baseline',
        '--write-baseline',
        path.join(root, 'accepted.json'),
        path.join(root, 'pod.yaml'),
      ],
      { cwd: root },
    );
    assert.equal(code, 0, err);
    client = await LspClient.start({ root, settings: { level: 'baseline' } });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('existing findings are hints and the hover says so; a new one keeps its severity', async () => {
    const uri = fileUri(path.join(root, 'pod.yaml'));
    const text = `${POD.trimEnd()}\n      ports: [{containerPort: 80, hostPort: 80}]\n`;
    await client.open(uri, text);
    const { diagnostics } = await client.diagnosticsForCurrent(uri);
    const priv = diagnostics.find((d) => d.code === 'privileged');
    const port = diagnostics.find((d) => d.code === 'hostPorts');
    assert.equal(priv?.severity, 4, JSON.stringify(diagnostics));
    assert.equal(port?.severity, 1);
    const hover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: priv.range.start,
    });
    assert.match(
      (hover.contents as MarkupContent).value,
      /Existing: in the baseline .*accepted\.json/,
    );
    const portHover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: port.range.start,
    });
    assert.doesNotMatch((portHover.contents as MarkupContent).value, /Existing/);
    await client.close(uri);
  });

  it('outside the folder of that .podsec.yaml, nothing is existing', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'podsec-nobaseline-'));
    const uri = fileUri(path.join(other, 'pod.yaml'));
    await client.open(uri, POD);
    const { diagnostics } = await client.diagnosticsForCurrent(uri);
    assert.equal(diagnostics.find((d) => d.code === 'privileged')?.severity, 1);
    await client.close(uri);
    rmSync(other, { recursive: true, force: true });
  });
});
