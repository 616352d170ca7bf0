/**
 * Kustomize overlays in the language server, over stdio: a base opened with
 * two overlays shows the findings of each (naming it) at the base's lines, a
 * shared finding once; a patch opened shows what it sets; editing a patch in
 * an editor, or a file on disk, updates the base's diagnostics; a fix in one
 * overlay is one WorkspaceEdit creating its patch; `Kustomization`, `.env`
 * and other generator inputs changed on disk rebuild the overlay.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  Diagnostic,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';
import { repoRoot } from '../support/paths';

const TREE = path.join(repoRoot(), 'test', 'fixtures', 'overlays');

function lineWith(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i;
}

const msg = (d: Diagnostic | undefined): string =>
  d === undefined ? '' : typeof d.message === 'string' ? d.message : d.message.value;

const byCode = (p: PublishDiagnosticsParams, code: string): Diagnostic[] =>
  p.diagnostics.filter((d) => d.code === code);

describe('language server: Kustomize overlays', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-overlays-'));
    cpSync(TREE, root, { recursive: true });
    client = await LspClient.start({ root, settings: {} });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a base opened shows each overlay’s findings at its lines, naming the overlay', async () => {
    const file = path.join(root, 'base', 'deployment.yaml');
    const text = readFileSync(file, 'utf8');
    const uri = fileUri(file);
    await client.open(uri, text);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => byCode(x, 'allowPrivilegeEscalation').length === 2,
      'findings of both overlays',
    );
    // dev (enforce baseline, warn restricted) warns; prod (enforce restricted) rejects.
    const ape = byCode(p, 'allowPrivilegeEscalation').sort(
      (a, b) => (a.severity ?? 0) - (b.severity ?? 0),
    );
    assert.deepEqual(
      ape.map((d) => [d.severity, /\(in overlay ([^)\s]+)\)$/.exec(msg(d))?.[1]]),
      [
        [1, 'overlays/prod'],
        [2, 'overlays/dev'],
      ],
    );
    for (const d of ape) assert.equal(d.range.start.line, lineWith(text, 'securityContext:'));
    // Shared by both overlays: once, naming both.
    const host = byCode(p, 'hostPorts');
    assert.equal(host.length, 1);
    assert.match(msg(host[0]), /\(in overlays overlays\/dev, overlays\/prod\)$/);
    assert.equal(host[0]?.range.start.line, lineWith(text, 'hostPort: 8080'));
    // What prod's patches set is not the base's: not shown here.
    assert.equal(byCode(p, 'privileged').length, 0);
    assert.equal(byCode(p, 'seccompProfile_restricted').length, 0, 'suppressed in the base');
  });

  it('a patch opened shows what it sets, as the overlay builds it; editing it updates the base', async () => {
    const patchFile = path.join(root, 'overlays', 'prod', 'debug.yaml');
    const patchUri = fileUri(patchFile);
    const patch = readFileSync(patchFile, 'utf8');
    await client.open(patchUri, patch);
    const p = await client.waitForDiagnostics(
      patchUri,
      (x) => byCode(x, 'privileged').length === 1,
      'the patch’s finding',
    );
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      ['privileged'],
      'a patch is never evaluated as a whole object',
    );
    assert.equal(p.diagnostics[0]?.range.start.line, lineWith(patch, 'privileged: true'));
    assert.match(msg(p.diagnostics[0]), /\(in overlay overlays\/prod\)$/);

    // The patch now also sets allowPrivilegeEscalation: prod's finding leaves the base.
    const baseUri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    await client.replace(
      patchUri,
      '            privileged: true\n',
      '            privileged: true\n            allowPrivilegeEscalation: false\n',
    );
    const q = await client.nextDiagnostics(
      baseUri,
      (x) => byCode(x, 'allowPrivilegeEscalation').length === 1,
      'the base after the patch changed',
    );
    assert.match(msg(byCode(q, 'allowPrivilegeEscalation')[0]), /\(in overlay overlays\/dev\)$/);
    await client.close(patchUri);
  });

  it('a kustomization changed on disk: the base shows the new build', async () => {
    const baseUri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    await client.waitForDiagnostics(baseUri, (x) => byCode(x, 'hostPorts').length === 1);
    // dev stops deploying the base: only prod's findings remain.
    const k = path.join(root, 'overlays', 'dev', 'kustomization.yaml');
    writeFileSync(k, 'resources: []\nnamespace: dev\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(k), type: 2 }],
    });
    const q = await client.nextDiagnostics(
      baseUri,
      (x) =>
        x.diagnostics.length > 0 && x.diagnostics.every((d) => !msg(d).includes('overlays/dev')),
      'the base with prod only',
    );
    assert.match(msg(byCode(q, 'hostPorts')[0]), /\(in overlay overlays\/prod\)$/);
  });

  it('files outside any kustomization are checked on their own', async () => {
    const file = path.join(root, 'plain', 'pod.yaml');
    const uri = fileUri(file);
    await client.open(uri, readFileSync(file, 'utf8'));
    const p = await client.waitForDiagnostics(uri, (x) => byCode(x, 'privileged').length === 1);
    assert.ok(p.diagnostics.every((d) => !/in overlays? /.test(msg(d))));
    await client.close(uri);
  });

  it('quick fixes and fix-all edit the origin; a patch is never fixed as an object of its own', async () => {
    const patchFile = path.join(root, 'overlays', 'prod', 'debug.yaml');
    const patchUri = fileUri(patchFile);
    const patch = readFileSync(patchFile, 'utf8');
    await client.open(patchUri, patch);
    await client.waitForDiagnostics(patchUri, (x) => byCode(x, 'privileged').length === 1);
    await client.request('workspace/executeCommand', {
      command: 'podsec.fixAllInFile',
      arguments: [patchUri],
    });
    assert.equal(
      client.text(patchUri),
      patch,
      'privileged: false is not safe; nothing else is added',
    );

    const baseUri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    const p = await client.waitForDiagnostics(
      baseUri,
      (x) => byCode(x, 'allowPrivilegeEscalation').length === 1,
    );
    const diag = byCode(p, 'allowPrivilegeEscalation')[0] as Diagnostic;
    const actions = await client.request<Array<{ title: string }>>('textDocument/codeAction', {
      textDocument: { uri: baseUri },
      range: diag.range,
      context: { diagnostics: [diag], only: ['quickfix'] },
    });
    assert.ok(
      actions.some((a) => a.title.startsWith('Set allowPrivilegeEscalation: false in the base')),
      JSON.stringify(actions.map((a) => a.title)),
    );
    const before = client.text(baseUri);
    await client.request('workspace/executeCommand', {
      command: 'podsec.fixAllInFile',
      arguments: [baseUri],
    });
    const after = client.text(baseUri);
    assert.equal(
      after,
      before.replace(
        '              drop: [ALL]\n',
        '              drop: [ALL]\n            allowPrivilegeEscalation: false\n',
      ),
    );
    const q = await client.diagnosticsForCurrent(baseUri);
    assert.equal(byCode(q, 'allowPrivilegeEscalation').length, 0);
    await client.close(patchUri);
  });
});

describe('language server: a fix in one overlay', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-overlay-fix-'));
    cpSync(TREE, root, { recursive: true });
    client = await LspClient.start({ root, settings: {}, createFiles: true });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is one WorkspaceEdit: the new patch created, the overlay’s kustomization at its version', async () => {
    const baseUri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    const kFile = path.join(root, 'overlays', 'dev', 'kustomization.yaml');
    const kUri = fileUri(kFile);
    const kText = readFileSync(kFile, 'utf8');
    // The overlay's kustomization is open (unsaved text counts): its version goes in the edit.
    await client.open(kUri, kText);
    await client.open(baseUri, readFileSync(path.join(root, 'base', 'deployment.yaml'), 'utf8'));
    const p = await client.waitForDiagnostics(
      baseUri,
      (x) => byCode(x, 'allowPrivilegeEscalation').length === 2,
    );
    const dev = byCode(p, 'allowPrivilegeEscalation').find((d) => msg(d).includes('overlays/dev'));
    assert.ok(dev);
    const actions = await client.request<Array<{ title: string; edit?: WorkspaceEdit }>>(
      'textDocument/codeAction',
      {
        textDocument: { uri: baseUri },
        range: dev.range,
        context: { diagnostics: [dev], only: ['quickfix'] },
      },
    );
    const titles = actions.map((a) => a.title);
    assert.ok(
      titles.includes('Set allowPrivilegeEscalation: false in the base'),
      titles.join(', '),
    );
    const inDev = actions.find(
      (a) => a.title === 'Set allowPrivilegeEscalation: false in overlay overlays/dev',
    );
    assert.ok(inDev?.edit, titles.join(', '));
    const patchUri = fileUri(path.join(root, 'overlays', 'dev', 'patch-deployment-web.yaml'));
    const changes = inDev.edit.documentChanges ?? [];
    assert.deepEqual(
      changes.map((c) =>
        'kind' in c
          ? [c.kind, c.kind === 'rename' ? c.oldUri : c.uri]
          : [c.textDocument.uri, c.textDocument.version],
      ),
      [
        [kUri, 1],
        ['create', patchUri],
        [patchUri, null],
      ],
    );
    // Made as the editor makes it: the kustomization edited, the patch written; the base goes clean for dev.
    const kEdit = changes[0] as TextDocumentEdit;
    await client.edit(kUri, kEdit.edits as TextEdit[]);
    const patchEdit = changes[2] as TextDocumentEdit;
    writeFileSync(
      path.join(root, 'overlays', 'dev', 'patch-deployment-web.yaml'),
      (patchEdit.edits[0] as TextEdit).newText,
    );
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: patchUri, type: 1 }],
    });
    assert.match(client.text(kUri), /patches:\n {2}- path: patch-deployment-web\.yaml\n$/);
    const q = await client.nextDiagnostics(
      baseUri,
      (x) => byCode(x, 'allowPrivilegeEscalation').length === 1,
      'only prod’s finding left',
    );
    assert.match(msg(byCode(q, 'allowPrivilegeEscalation')[0]), /\(in overlay overlays\/prod\)$/);
  });
});

describe('language server: Kustomize inputs that are not YAML, changed on disk', () => {
  let root: string;
  let client: LspClient;
  const DEPLOYMENT = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: web:1.0',
    '',
  ].join('\n');
  const KUSTOMIZATION = [
    'resources:',
    '  - ../../base',
    'configMapGenerator:',
    '  - name: settings',
    '    envs: [app.env]',
    '    files: [app.properties]',
    '',
  ].join('\n');

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-overlay-inputs-'));
    const files: Record<string, string> = {
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'base/deployment.yaml': DEPLOYMENT,
      'overlays/dev/Kustomization': KUSTOMIZATION,
      'overlays/dev/app.env': 'MODE=dev\n',
      'overlays/dev/app.properties': 'a=1\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    client = await LspClient.start({ root, settings: {} });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const inOverlay = (p: PublishDiagnosticsParams): boolean =>
    byCode(p, 'allowPrivilegeEscalation').some((d) => msg(d).endsWith('(in overlay overlays/dev)'));

  async function changeOnDisk(rel: string, text: string): Promise<void> {
    writeFileSync(path.join(root, rel), text);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(path.join(root, rel)), type: 2 }],
    });
  }

  it('a generator’s input file is watched by name once a build read it', async () => {
    const baseUri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    await client.open(baseUri, DEPLOYMENT);
    await client.waitForDiagnostics(baseUri, inOverlay, 'the overlay’s finding in the base');
    await client.request('podsec/policyForDocument', { uri: baseUri });
    const globs = client.registrations
      .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
      .flatMap((r) => (r.registerOptions as { watchers: Array<{ globPattern: string }> }).watchers)
      .map((w) => w.globPattern);
    assert.ok(globs.includes('**/app.properties'), globs.join(', '));
    assert.ok(globs.includes('**/Kustomization') && globs.includes('**/*.env'));
  });

  it('an .env file changed on disk rebuilds the overlay', async () => {
    const baseUri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    await client.waitForDiagnostics(baseUri, inOverlay);
    // An invalid key: the overlay no longer builds, so the base is checked on its own.
    await changeOnDisk('overlays/dev/app.env', 'bad key=1\n');
    await client.nextDiagnostics(
      baseUri,
      (p) => byCode(p, 'allowPrivilegeEscalation').length === 1 && !inOverlay(p),
      'the base on its own',
    );
    await changeOnDisk('overlays/dev/app.env', 'MODE=dev\n');
    await client.nextDiagnostics(baseUri, inOverlay, 'the overlay built again');
  });

  it('a file named Kustomization changed on disk rebuilds the overlay', async () => {
    const baseUri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    await client.waitForDiagnostics(baseUri, inOverlay);
    await changeOnDisk('overlays/dev/Kustomization', 'resources: []\n');
    await client.nextDiagnostics(
      baseUri,
      (p) => byCode(p, 'allowPrivilegeEscalation').length === 1 && !inOverlay(p),
      'the base read by no overlay',
    );
    await changeOnDisk('overlays/dev/Kustomization', KUSTOMIZATION);
    await client.nextDiagnostics(baseUri, inOverlay, 'the overlay built again');
  });
});

describe('language server: levels per overlay (report and lens)', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-overlay-levels-'));
    cpSync(TREE, root, { recursive: true });
    // Without the hostPort, dev (enforce baseline by its Namespace) admits the base; prod does not.
    const base = path.join(root, 'base', 'deployment.yaml');
    writeFileSync(base, readFileSync(base, 'utf8').replace('              hostPort: 8080\n', ''));
    client = await LspClient.start({ root, settings: { level: 'restricted' } });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the base’s lens: each overlay’s level (its Namespace’s) and whether it admits the workload', async () => {
    const file = path.join(root, 'base', 'deployment.yaml');
    const uri = fileUri(file);
    await client.open(uri, readFileSync(file, 'utf8'));
    // Once the workspace's Namespaces are known: dev warns (its warn label), prod rejects.
    await client.waitForDiagnostics(
      uri,
      (x) =>
        byCode(x, 'allowPrivilegeEscalation').some(
          (d) => d.severity === 2 && msg(d).endsWith('(in overlay overlays/dev)'),
        ),
      'dev at its Namespace’s labels',
    );
    const lenses = await client.request<Array<{
      range: { start: { line: number } };
      command?: { title: string; tooltip?: string };
    }> | null>('textDocument/codeLens', { textDocument: { uri } });
    const titles = (lenses ?? []).map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('dev: baseline ✓, prod: restricted ✗'), titles.join(' | '));
    const lens = lenses?.find((l) => l.command?.title === 'dev: baseline ✓, prod: restricted ✗');
    assert.equal(lens?.range.start.line, 0);
    assert.match(
      lens?.command?.tooltip ?? '',
      /overlays\/dev \(namespace dev\): baseline \(latest\) from the pod-security\.kubernetes\.io\/enforce label of Namespace dev; admitted/,
    );
  });

  it('the report: a section per overlay, dev at its Namespace’s level, not the setting’s', async () => {
    const uri = fileUri(path.join(root, 'base', 'deployment.yaml'));
    await client.waitForDiagnostics(uri, (x) =>
      byCode(x, 'allowPrivilegeEscalation').some((d) => d.severity === 2),
    );
    const r = await client.request<{ markdown: string }>('podsec/report', {});
    const dev = r.markdown.slice(r.markdown.indexOf('## Overlay `overlays/dev`'));
    assert.ok(dev.length < r.markdown.length, r.markdown);
    const row = dev.split('\n').find((l) => l.startsWith('| Deployment `web`'));
    assert.ok(row, dev);
    assert.match(
      row,
      /\| `dev` \| \*\*baseline\*\* \(latest, from the pod-security\.kubernetes\.io\/enforce label of Namespace dev\) \| ✓/,
    );
    assert.match(row, /\]\(file:\/\/[^)]*base\/deployment\.yaml#L1\)/, 'links to the base');
    const prod = r.markdown.slice(r.markdown.indexOf('## Overlay `overlays/prod`'));
    assert.match(prod, /\| Deployment `prod-web` \|.*\| `prod` \| \*\*restricted\*\*.*\| ✗/);
    // The base and the patch are not workloads of their own.
    assert.ok(
      !/\| Deployment `web` \|[^\n]*\| \*\*(restricted|baseline|privileged)\*\* \| /.test(
        r.markdown.slice(0, r.markdown.indexOf('## Overlay')),
      ),
    );
  });
});
