/**
 * The cluster's view in the language server, over a real stdio connection:
 * the hover and the status data say when `.podsec.yaml` or the admission
 * configuration chose the level (not the setting), and an exempt workload
 * shows its exemption in the hover, the status data and the code lens.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeLens, Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';

const pod = (name: string, ns: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  hostPID: true\n  containers: [{name: a, image: a}]\n`;
const PSA =
  'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n' +
  'defaults:\n  enforce: baseline\nexemptions:\n  namespaces: [kube-system]\n';
const hoverText = (h: Hover | null): string =>
  h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
const finding = (p: PublishDiagnosticsParams, code: string) =>
  p.diagnostics.find((d) => d.code === code);

interface Policy {
  level: string;
  source: string;
  file?: string;
  key?: string;
  configFile?: string;
  configKeys?: string[];
  exemption?: string;
}

describe('the level chosen by .podsec.yaml or the admission configuration, and exemptions', () => {
  let root: string;
  let client: LspClient;
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-cluster-'));
    mkdirSync(path.join(root, '.git'));
    mkdirSync(path.join(root, 'team'));
    writeFileSync(path.join(root, 'team', '.podsec.yaml'), 'level: baseline\n');
    mkdirSync(path.join(root, 'ops'));
    mkdirSync(path.join(root, 'cluster'));
    writeFileSync(path.join(root, 'cluster', 'psa.yaml'), PSA);
    writeFileSync(
      path.join(root, 'ops', '.podsec.yaml'),
      'admissionConfiguration: ../cluster/psa.yaml\n',
    );
    client = await LspClient.start({
      root,
      settings: { level: 'restricted', hardening: { enable: false } },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('hover and status data: "from .podsec.yaml" where the file sets the level, the setting elsewhere', async () => {
    const team = fileUri(path.join(root, 'team', 'web.yaml'));
    const plain = fileUri(path.join(root, 'web.yaml'));
    for (const uri of [team, plain]) await client.open(uri, pod('web', 'shop'), 1);
    const d = finding(await client.diagnosticsForCurrent(team), 'hostNamespaces');
    assert.ok(d);
    const h = hoverText(
      await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri: team },
        position: d.range.start,
      }),
    );
    assert.match(
      h,
      /Policy: \*\*baseline\*\* at latest.*from \.podsec\.yaml \(`level` in team\/\.podsec\.yaml\)/,
    );
    const p = finding(await client.diagnosticsForCurrent(plain), 'hostNamespaces');
    assert.ok(p);
    const h2 = hoverText(
      await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri: plain },
        position: p.range.start,
      }),
    );
    assert.match(h2, /from the `podsec\.level` \/ `podsec\.version` settings/);
    assert.doesNotMatch(h2, /podsec\.yaml/);
    const status = await client.request<Policy>('podsec/policyForDocument', { uri: team });
    assert.deepEqual(
      [status.source, status.level, status.configKeys],
      ['setting', 'baseline', ['level']],
    );
    for (const uri of [team, plain]) await client.close(uri);
  });

  it('a default of the admission configuration: the hover and the status data name it', async () => {
    const uri = fileUri(path.join(root, 'ops', 'shop.yaml'));
    await client.open(uri, pod('web', 'shop'), 1);
    const d = finding(await client.diagnosticsForCurrent(uri), 'hostNamespaces');
    assert.ok(d);
    const h = hoverText(
      await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: d.range.start,
      }),
    );
    assert.match(h, /from `defaults\.enforce` of the admission configuration cluster\/psa\.yaml/);
    const status = await client.request<Policy>('podsec/policyForDocument', { uri });
    assert.equal(status.source, 'admission');
    assert.equal(status.level, 'baseline');
    assert.equal(status.file, fileUri(path.join(root, 'cluster', 'psa.yaml')));
    assert.equal(status.key, 'defaults.enforce');
    await client.close(uri);
  });

  it('an exempt workload: no finding; its exemption in the hover, the status data and the lens', async () => {
    const uri = fileUri(path.join(root, 'ops', 'system.yaml'));
    const text = pod('agent', 'kube-system');
    await client.open(uri, text, 1);
    const p = await client.diagnosticsForCurrent(uri);
    assert.equal(finding(p, 'hostNamespaces'), undefined);
    const note = p.diagnostics.find((x) =>
      /Exempt from Pod Security/.test(typeof x.message === 'string' ? x.message : ''),
    );
    assert.ok(note, JSON.stringify(p.diagnostics));
    const h = hoverText(
      await client.request<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line: 1, character: 2 },
      }),
    );
    assert.match(h, /Not evaluated by Pod Security admission/);
    assert.match(h, /namespace "kube-system" is listed in exemptions\.namespaces/);
    // Elsewhere in the workload the hover says nothing of it.
    const away = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 5, character: 20 },
    });
    assert.doesNotMatch(hoverText(away), /Not evaluated/);
    const status = await client.request<Policy>('podsec/policyForDocument', { uri });
    assert.match(status.exemption ?? '', /namespace "kube-system"/);
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', {
      textDocument: { uri },
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('exempt from Pod Security'), titles.join());
    assert.ok(titles.includes('meets privileged'), titles.join());
    const exemptLens = lenses.find((l) => l.command?.title === 'exempt from Pod Security');
    assert.match(String(exemptLens?.command?.tooltip ?? ''), /namespace "kube-system"/);
    await client.close(uri);
  });
});
