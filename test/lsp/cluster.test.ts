/**
 * The cluster's view in the language server, over a real stdio connection:
 * the hover and the status data say when `.podsec.yaml` or the admission
 * configuration chose the level (not the setting), and an exempt workload
 * shows its exemption in the hover, the status data and the code lens; the
 * workspace's own admission configuration is found leaving out what the
 * workspace leaves out; the editor's report reads each file's configuration;
 * a folder created or deleted on disk brings or takes its files.
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
  let top: string;
  before(async () => {
    top = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-cluster-'));
    // The admission configuration sits outside the workspace folder: only the .podsec.yaml
    // naming it brings it in (the workspace holds none of its own).
    mkdirSync(path.join(top, 'cluster'));
    writeFileSync(path.join(top, 'cluster', 'psa.yaml'), PSA);
    root = path.join(top, 'ws');
    mkdirSync(path.join(root, '.git'), { recursive: true });
    mkdirSync(path.join(root, 'team'));
    writeFileSync(path.join(root, 'team', '.podsec.yaml'), 'level: baseline\n');
    mkdirSync(path.join(root, 'ops'));
    writeFileSync(
      path.join(root, 'ops', '.podsec.yaml'),
      'admissionConfiguration: ../../cluster/psa.yaml\n',
    );
    client = await LspClient.start({
      root,
      settings: { level: 'restricted', severity: { hardening: 'off' } },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(top, { recursive: true, force: true });
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
    assert.match(
      h,
      /from `defaults\.enforce` of the admission configuration \S*cluster\/psa\.yaml\./,
    );
    const status = await client.request<Policy>('podsec/policyForDocument', { uri });
    assert.equal(status.source, 'admission');
    assert.equal(status.level, 'baseline');
    assert.equal(status.file, fileUri(path.join(top, 'cluster', 'psa.yaml')));
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

const codesOf = (p: PublishDiagnosticsParams): string[] => p.diagnostics.map((d) => String(d.code));
const textOf = (d: { message: unknown }): string =>
  typeof d.message === 'string' ? d.message : '';
const messagesOf = (p: PublishDiagnosticsParams): string[] => p.diagnostics.map(textOf);

describe('the workspace’s own admission configuration, found by the server', () => {
  let root: string;
  let client: LspClient;
  const psa = () => path.join(root, 'cluster', 'psa.yaml');
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-found-'));
    mkdirSync(path.join(root, '.git'));
    mkdirSync(path.join(root, 'cluster'));
    writeFileSync(psa(), PSA);
    client = await LspClient.start({
      root,
      settings: { level: 'restricted', severity: { hardening: 'off' } },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the only one applies with no .podsec.yaml naming it: its defaults and exemptions, in the report too', async () => {
    const shop = fileUri(path.join(root, 'shop.yaml'));
    const system = fileUri(path.join(root, 'system.yaml'));
    await client.open(shop, pod('web', 'shop'), 1);
    await client.open(system, pod('agent', 'kube-system'), 1);
    // enforce baseline from the configuration (not the editor's restricted): hostPID only.
    const s = await client.waitForDiagnostics(
      shop,
      (p) => codesOf(p).join() === 'hostNamespaces',
      'the configuration’s defaults',
    );
    assert.equal(s.diagnostics[0]?.severity, 1);
    const e = await client.waitForDiagnostics(
      system,
      (p) => messagesOf(p).some((m) => /Exempt from Pod Security: namespace "kube-system"/.test(m)),
      'the exemption note',
    );
    assert.ok(!codesOf(e).includes('hostNamespaces'));
    const report = await client.request<{ markdown: string }>('podsec/report', {});
    assert.match(report.markdown, /\| Pod `web` \|[^\n]*\| \*\*privileged\*\* \|/);
    assert.match(
      report.markdown,
      /\*\*Exempt from Pod Security: namespace "kube-system" is listed in/,
    );
    assert.match(
      report.markdown,
      /enforce \*\*baseline\*\* \(latest\) _admission configuration default_/,
    );
  });

  it('the configuration file has its own diagnostics, at the entry; an edit to it re-evaluates the open documents', async () => {
    const uri = fileUri(psa());
    const shop = fileUri(path.join(root, 'shop.yaml'));
    const system = fileUri(path.join(root, 'system.yaml'));
    const bad = PSA.replace('enforce: baseline', 'enforce: strict').replace(
      'exemptions:',
      'bogus: 1\nexemptions:',
    );
    await client.open(uri, bad, 1);
    const p = await client.waitForDiagnostics(uri, (x) => x.diagnostics.length >= 2, 'validation');
    const level = p.diagnostics.find((d) => /Invalid value: "strict"/.test(textOf(d)));
    assert.ok(level, JSON.stringify(p.diagnostics));
    assert.equal(level.severity, 1);
    assert.deepEqual(level.range.start, { line: 3, character: 11 });
    const unknown = p.diagnostics.find((d) => /unknown field "bogus"/.test(textOf(d)));
    assert.ok(unknown, JSON.stringify(p.diagnostics));
    assert.equal(unknown.range.start.line, 4);
    // The open text applies before it is saved: no more exemption, enforce restricted.
    await client.replace(uri, 'namespaces: [kube-system]', 'namespaces: [other]');
    await client.replace(uri, 'enforce: strict', 'enforce: restricted');
    await client.waitForDiagnostics(
      system,
      (x) => codesOf(x).includes('hostNamespaces') && codesOf(x).includes('runAsNonRoot'),
      'the edited configuration',
    );
    await client.waitForDiagnostics(shop, (x) => codesOf(x).includes('runAsNonRoot'));
    // Closed unsaved: the disk's text counts again.
    await client.close(uri);
    await client.waitForDiagnostics(system, (x) =>
      messagesOf(x).some((m) => /Exempt from Pod Security/.test(m)),
    );
    await client.waitForDiagnostics(shop, (x) => codesOf(x).join() === 'hostNamespaces');
  });

  it('a second one on disk: none is used, a warning names both, in each of them and as a message', async () => {
    const shop = fileUri(path.join(root, 'shop.yaml'));
    const second = path.join(root, 'cluster', 'staging.yaml');
    writeFileSync(second, PSA.replace('enforce: baseline', 'enforce: privileged'));
    await client.filesChanged([{ uri: fileUri(second), type: 1 }]);
    // Back to the editor's restricted: every restricted finding.
    await client.waitForDiagnostics(shop, (x) => codesOf(x).includes('runAsNonRoot'));
    const uri = fileUri(psa());
    await client.open(uri, PSA, 1);
    const p = await client.waitForDiagnostics(uri, (x) =>
      messagesOf(x).some((m) => /2 admission configurations found/.test(m)),
    );
    const w = p.diagnostics.find((d) => /2 admission configurations found/.test(textOf(d)));
    assert.equal(w?.severity, 2);
    assert.match(
      w ? textOf(w) : '',
      /cluster\/psa\.yaml, .*cluster\/staging\.yaml\): none is used/,
    );
    assert.ok(
      client.messages.some(
        (m) => m.type === 2 && /2 admission configurations found/.test(m.message),
      ),
      JSON.stringify(client.messages),
    );
    await client.close(uri);
    // Deleted again: the one left applies.
    rmSync(second);
    await client.filesChanged([{ uri: fileUri(second), type: 3 }]);
    await client.waitForDiagnostics(shop, (x) => codesOf(x).join() === 'hostNamespaces');
  });
});

describe('admission configuration discovery leaves out what the workspace leaves out', () => {
  let root: string;
  let client: LspClient;
  const at = (...p: string[]) => path.join(root, ...p);
  const found = (m: { message: string }) => /admission configurations found/.test(m.message);
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-excluded-'));
    mkdirSync(at('.git'));
    mkdirSync(at('cluster'));
    mkdirSync(at('vendor'));
    mkdirSync(at('node_modules', 'pkg'), { recursive: true });
    writeFileSync(at('cluster', 'psa.yaml'), PSA);
    // Left out by podsec.exclude: not a second configuration of the workspace.
    writeFileSync(
      at('vendor', 'psa.yaml'),
      PSA.replace('enforce: baseline', 'enforce: privileged'),
    );
    client = await LspClient.start({
      root,
      settings: { level: 'restricted', exclude: ['vendor/**'], severity: { hardening: 'off' } },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('podsec.exclude: an excluded file is no candidate; when the setting changes it is asked again', async () => {
    const shop = fileUri(at('shop.yaml'));
    await client.open(shop, pod('web', 'shop'), 1);
    // The one in cluster/ applies (enforce baseline): hostPID only.
    await client.waitForDiagnostics(
      shop,
      (p) => codesOf(p).join() === 'hostNamespaces',
      'cluster/psa.yaml alone',
    );
    assert.equal(client.messages.filter(found).length, 0, JSON.stringify(client.messages));
    // No longer excluded: two are found, none is used (the editor's restricted), a warning names both.
    client.settings = { ...client.settings, exclude: [] };
    await client.changeConfiguration();
    await client.waitForDiagnostics(shop, (p) => codesOf(p).includes('runAsNonRoot'), 'both');
    await client.waitForMessage((m) => found(m) && m.message.includes('vendor/psa.yaml'));
    // Excluded again: the one in cluster/ applies again.
    client.settings = { ...client.settings, exclude: ['vendor/**'] };
    await client.changeConfiguration();
    await client.waitForDiagnostics(shop, (p) => codesOf(p).join() === 'hostNamespaces', 'again');
    await client.close(shop);
  });

  it('a folder the scan skips (node_modules): a watch event or an open document there is no candidate', async () => {
    const shop = fileUri(at('shop.yaml'));
    await client.open(shop, pod('web', 'shop'), 1);
    await client.waitForDiagnostics(shop, (p) => codesOf(p).join() === 'hostNamespaces');
    const before = client.messages.length;
    const skipped = at('node_modules', 'pkg', 'psa.yaml');
    writeFileSync(skipped, PSA);
    const open = fileUri(at('node_modules', 'pkg', 'open.yaml'));
    await client.open(open, PSA, 1);
    // In the same batch, after it: a second configuration the workspace does hold.
    const staging = at('cluster', 'staging.yaml');
    writeFileSync(staging, PSA.replace('enforce: baseline', 'enforce: privileged'));
    await client.filesChanged([
      { uri: fileUri(skipped), type: 1 },
      { uri: fileUri(staging), type: 1 },
    ]);
    const m = await client.waitForMessage((x) => found(x) && x.message.includes('staging.yaml'));
    assert.match(m.message, /^podsec: 2 admission configurations found/);
    // No warning ever named the files under node_modules.
    assert.ok(
      client.messages.slice(before).every((x) => !x.message.includes('node_modules')),
      JSON.stringify(client.messages.slice(before)),
    );
    await client.close(open);
    rmSync(staging);
    await client.filesChanged([{ uri: fileUri(staging), type: 3 }]);
    await client.waitForDiagnostics(shop, (p) => codesOf(p).join() === 'hostNamespaces');
  });
});

describe('the editor’s report: each file at its own .podsec.yaml and admission configuration', () => {
  let root: string;
  let client: LspClient;
  const at = (...p: string[]) => path.join(root, ...p);
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-report-'));
    mkdirSync(at('.git'));
    mkdirSync(at('team-a'));
    mkdirSync(at('team-b'));
    // team-a: v1.25, a cluster that exempts shop; team-b: a cluster that enforces restricted.
    writeFileSync(
      at('team-a', '.podsec.yaml'),
      'version: v1.25\nadmissionConfiguration: psa.yaml\n',
    );
    writeFileSync(at('team-a', 'psa.yaml'), PSA.replace('[kube-system]', '[shop]'));
    writeFileSync(at('team-a', 'pod.yaml'), pod('a', 'shop'));
    writeFileSync(at('team-b', '.podsec.yaml'), 'admissionConfiguration: psa.yaml\n');
    writeFileSync(
      at('team-b', 'psa.yaml'),
      PSA.replace('enforce: baseline', 'enforce: restricted').replace('[kube-system]', '[]'),
    );
    writeFileSync(at('team-b', 'pod.yaml'), pod('b', 'shop'));
    client = await LspClient.start({
      root,
      settings: { level: 'restricted', severity: { hardening: 'off' } },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a namespace per admission configuration, each naming its file; a workload at its own version says it', async () => {
    const { markdown } = await client.request<{ markdown: string }>('podsec/report', {});
    const sections = markdown.split('\n## ').filter((x) => x.startsWith('Namespace `shop`'));
    assert.equal(sections.length, 2, markdown);
    const ofA = sections.find((x) => /Admission configuration `[^`]*team-a\/psa\.yaml`/.test(x));
    const ofB = sections.find((x) => /Admission configuration `[^`]*team-b\/psa\.yaml`/.test(x));
    assert.ok(ofA && ofB, markdown);
    assert.match(ofA, /\*\*Exempt from Pod Security: namespace "shop" is listed in/);
    assert.match(ofA, /\| Pod `a` \|[^\n]*\*\*privileged\*\* \(`v1\.25`\) · _exempt_ \|/);
    assert.doesNotMatch(ofB, /Exempt/);
    assert.match(ofB, /enforce \*\*restricted\*\*/);
    assert.match(ofB, /\*\*Now\*\* \([^)]*\): rejected: Pod `b`/);
    // A version asked for in the request is the version of every file.
    const asked = await client.request<{ markdown: string }>('podsec/report', { version: 'v1.30' });
    assert.doesNotMatch(asked.markdown, /\(`v1\.25`\)/);
  });
});

describe('a folder created or deleted on disk: its files count as if each were reported', () => {
  let root: string;
  let client: LspClient;
  const at = (...p: string[]) => path.join(root, ...p);
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-newdir-'));
    mkdirSync(at('.git'));
    client = await LspClient.start({
      root,
      settings: { level: 'restricted', severity: { hardening: 'off' } },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('only the folder is reported: its admission configuration and .podsec.yaml apply; deleted, they no longer do', async () => {
    const shop = fileUri(at('shop.yaml'));
    await client.open(shop, pod('web', 'shop'), 1);
    await client.waitForDiagnostics(shop, (p) => codesOf(p).includes('runAsNonRoot'));
    // A document in a folder that does not exist yet; then the folder comes with its .podsec.yaml,
    // made by another program, files and all: the editor reports the folder only.
    const team = fileUri(at('team', 'web.yaml'));
    await client.open(team, pod('web', 'other').replace('  hostPID: true\n', ''), 1);
    await client.waitForDiagnostics(team, (p) => codesOf(p).includes('runAsNonRoot'));
    mkdirSync(at('team'));
    writeFileSync(at('team', '.podsec.yaml'), 'level: baseline\n');
    await client.filesChanged([{ uri: fileUri(at('team')), type: 1 }]);
    await client.waitForDiagnostics(team, (p) => !codesOf(p).includes('runAsNonRoot'), 'baseline');
    // The same for a folder with an admission configuration.
    mkdirSync(at('cluster', 'prod'), { recursive: true });
    writeFileSync(at('cluster', 'prod', 'psa.yaml'), PSA);
    await client.filesChanged([{ uri: fileUri(at('cluster')), type: 1 }]);
    await client.waitForDiagnostics(
      shop,
      (p) => codesOf(p).join() === 'hostNamespaces',
      'the new folder’s admission configuration',
    );
    // Moved away: only the folder is reported deleted.
    rmSync(at('cluster'), { recursive: true });
    rmSync(at('team'), { recursive: true });
    await client.filesChanged([
      { uri: fileUri(at('cluster')), type: 3 },
      { uri: fileUri(at('team')), type: 3 },
    ]);
    await client.waitForDiagnostics(shop, (p) => codesOf(p).includes('runAsNonRoot'), 'none');
    await client.waitForDiagnostics(team, (p) => codesOf(p).includes('runAsNonRoot'), 'restricted');
  });

  it('asks to hear of every path created or deleted, besides the YAML files', () => {
    const watchers = client.registrations
      .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
      .flatMap(
        (r) =>
          (r.registerOptions as { watchers: Array<{ globPattern: unknown; kind?: number }> })
            .watchers,
      );
    // Create (1) and Delete (4), not Change (2): a folder's own changes say nothing.
    assert.ok(
      watchers.some((w) => w.globPattern === '**/*' && w.kind === 5),
      JSON.stringify(watchers),
    );
  });
});

describe('workspace folders change: the .podsec.yaml search starts again from the new roots', () => {
  let top: string;
  let client: LspClient;
  before(async () => {
    top = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-folders-'));
    mkdirSync(path.join(top, 'team', 'apps'), { recursive: true });
    // Above the first workspace folder: not read while that folder is the root.
    writeFileSync(path.join(top, 'team', '.podsec.yaml'), 'level: baseline\n');
    client = await LspClient.start({
      root: path.join(top, 'team', 'apps'),
      settings: { level: 'restricted', severity: { hardening: 'off' } },
    });
  });
  after(async () => {
    await client.stop();
    rmSync(top, { recursive: true, force: true });
  });

  it('a folder above replaces the nested one: its .podsec.yaml now applies', async () => {
    const uri = fileUri(path.join(top, 'team', 'apps', 'web.yaml'));
    const text = pod('web', 'shop').replace('  hostPID: true\n', '');
    await client.open(uri, text, 1);
    const before = await client.diagnosticsForCurrent(uri);
    assert.ok(codesOf(before).includes('runAsNonRoot'), codesOf(before).join());
    await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
      event: {
        added: [{ uri: fileUri(path.join(top, 'team')), name: 'team' }],
        removed: [{ uri: fileUri(path.join(top, 'team', 'apps')), name: 'apps' }],
      },
    });
    // baseline from team/.podsec.yaml: the Pod meets it.
    await client.waitForDiagnostics(uri, (p) => !codesOf(p).includes('runAsNonRoot'), 'baseline');
    const policy = await client.request<Policy>('podsec/policyForDocument', { uri });
    assert.equal(policy.level, 'baseline');
    assert.equal(policy.configFile, fileUri(path.join(top, 'team', '.podsec.yaml')));
  });
});
