/**
 * `.podsec.yaml` in the language server, over a real stdio connection: the
 * file's level over the editor's setting, the status data saying the file
 * chose it, a watched change applied, an invalid key reported in the file at
 * the key, and `{{` as text in a plain file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { CHECK_IDS } from '@podsec/server';
import { fileUri, LspClient } from '../support/lspClient';

/** Fails restricted only. */
const WEB = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: app
      image: app
`;
/** Pod Security diagnostics (the hardening checks' are left out) and engine notes. */
const pss = (p: PublishDiagnosticsParams) =>
  p.diagnostics.filter(
    (d) => (CHECK_IDS as readonly unknown[]).includes(d.code) || d.code === 'policy',
  );
const codes = (p: PublishDiagnosticsParams): string[] => pss(p).map((d) => String(d.code));

describe('.podsec.yaml in the language server', () => {
  let root: string;
  let client: LspClient;
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-config-'));
    mkdirSync(path.join(root, '.git'));
    mkdirSync(path.join(root, 'apps'));
    writeFileSync(path.join(root, 'apps', '.podsec.yaml'), 'level: baseline\n');
    client = await LspClient.start({ root, settings: { level: 'restricted' } });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the file chooses the level where it applies; the editor setting elsewhere; a change is watched', async () => {
    const inApps = fileUri(path.join(root, 'apps', 'web.yaml'));
    const outside = fileUri(path.join(root, 'web.yaml'));
    await client.open(inApps, WEB, 1);
    await client.open(outside, WEB, 1);
    const a = await client.diagnosticsForCurrent(inApps);
    assert.deepEqual(pss(a), []);
    const b = await client.diagnosticsForCurrent(outside);
    assert.ok(codes(b).includes('runAsNonRoot'), codes(b).join());
    const policy = await client.request<{
      level: string;
      source: string;
      configFile?: string;
      configKeys?: string[];
    }>('podsec/policyForDocument', { uri: inApps });
    assert.equal(policy.level, 'baseline');
    assert.equal(policy.configFile, fileUri(path.join(root, 'apps', '.podsec.yaml')));
    assert.deepEqual(policy.configKeys, ['level']);
    const other = await client.request<{ configFile?: string }>('podsec/policyForDocument', {
      uri: outside,
    });
    assert.equal(other.configFile, undefined);

    // The file changes on disk: the watcher event applies it.
    writeFileSync(path.join(root, 'apps', '.podsec.yaml'), 'level: restricted\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(path.join(root, 'apps', '.podsec.yaml')), type: 2 }],
    });
    await client.waitForDiagnostics(
      inApps,
      (p) => codes(p).includes('runAsNonRoot'),
      'restricted after the change',
    );
    await client.close(inApps);
    await client.close(outside);
  });

  it('an invalid key is a diagnostic in the file, at the key', async () => {
    const uri = fileUri(path.join(root, 'other', '.podsec.yaml'));
    const text = 'level: baseline\nlevle: restricted\n';
    await client.open(uri, text, 1);
    const p = await client.waitForDiagnostics(uri, (x) => x.diagnostics.length > 0);
    const d = p.diagnostics.find((x) => typeof x.message === 'string' && /levle/.test(x.message));
    assert.ok(d, JSON.stringify(p.diagnostics));
    assert.equal(d.range.start.line, 1);
    assert.equal(d.range.start.character, 0);
    await client.close(uri);
  });

  it('admissionConfiguration: its defaults apply and an exempt namespace gets one information note', async () => {
    mkdirSync(path.join(root, 'cluster'));
    writeFileSync(
      path.join(root, 'cluster', 'psa.yaml'),
      'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\ndefaults:\n  enforce: baseline\nexemptions:\n  namespaces: [kube-system]\n',
    );
    mkdirSync(path.join(root, 'ops'));
    writeFileSync(
      path.join(root, 'ops', '.podsec.yaml'),
      'admissionConfiguration: ../cluster/psa.yaml\n',
    );
    const hostPid = (ns: string) =>
      WEB.replace('{name: web}', `{name: web, namespace: ${ns}}`).replace(
        'spec:\n',
        'spec:\n  hostPID: true\n',
      );
    const exempt = fileUri(path.join(root, 'ops', 'system.yaml'));
    await client.open(exempt, hostPid('kube-system'), 1);
    const e = pss(await client.diagnosticsForCurrent(exempt));
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.equal(e[0]?.severity, 3);
    assert.match(
      typeof e[0]?.message === 'string' ? e[0].message : '',
      /Exempt from Pod Security: namespace "kube-system"/,
    );
    const shop = fileUri(path.join(root, 'ops', 'shop.yaml'));
    await client.open(shop, hostPid('shop'), 1);
    const d = await client.diagnosticsForCurrent(shop);
    // enforce baseline from the cluster's defaults (not the editor's restricted).
    assert.deepEqual(codes(d), ['hostNamespaces']);
    await client.close(exempt);
    await client.close(shop);
  });

  it('{{ … }} in a plain file is text: the workload beside it is checked', async () => {
    const uri = fileUri(path.join(root, 'rules.yaml'));
    const text = `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups: [{name: g, rules: [{alert: A, annotations: {summary: "{{ $labels.instance }} is down"}}]}]\n---\n${WEB}`;
    await client.open(uri, text, 1);
    const p = await client.diagnosticsForCurrent(uri);
    assert.ok(codes(p).includes('runAsNonRoot'), codes(p).join());
    await client.close(uri);
  });
});
