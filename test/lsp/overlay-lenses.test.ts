/**
 * The level advisor's lenses on a base file Kustomize overlays deploy, over
 * stdio: "meets" and "Fix to" say what the overlays build, not the base
 * alone. Here the base alone meets restricted's neighbour only through what
 * each overlay does to it: `prod` adds `privileged: true` (its build meets
 * privileged), `dev` keeps the base (its build meets baseline). "Fix to"
 * applies, in the base, the safe fixes of what the overlays find in the
 * workload, as one versioned edit; afterwards the lenses follow the builds.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  ApplyWorkspaceEditResult,
  TextDocumentEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';
import { repoRoot } from '../support/paths';

const TREE = path.join(repoRoot(), 'test', 'fixtures', 'overlays');

interface Lens {
  range: { start: { line: number } };
  command?: { title: string; tooltip?: string; command: string; arguments?: unknown[] };
}

describe('language server: the advisor’s lenses on a base, as the overlays build it', () => {
  let root: string;
  let client: LspClient;
  const applied: WorkspaceEdit[] = [];
  let file = '';
  let uri = '';

  const lenses = async (): Promise<Lens[]> =>
    (await client.request<Lens[] | null>('textDocument/codeLens', { textDocument: { uri } })) ?? [];

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-overlay-lenses-'));
    cpSync(TREE, root, { recursive: true });
    file = path.join(root, 'base', 'deployment.yaml');
    // Without the hostPort the base meets baseline; prod's patch and JSON patch still break it.
    // Nor the suppression: admission counts a suppressed finding, and so does the advisor.
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('              hostPort: 8080\n', '')
        .replace(/ *# podsec-ignore .*\n/, '          # the app container\n'),
    );
    uri = fileUri(file);
    client = await LspClient.start({ root, settings: { level: 'restricted' } });
    const apply = client.applyEdit.bind(client);
    client.applyEdit = (edit: WorkspaceEdit): ApplyWorkspaceEditResult => {
      applied.push(edit);
      return apply(edit);
    };
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('"meets" names each overlay’s level, and there is no lens of the base alone', async () => {
    await client.open(uri, readFileSync(file, 'utf8'));
    await client.waitForDiagnostics(
      uri,
      (x) =>
        x.diagnostics.some(
          (d) => typeof d.message === 'string' && d.message.endsWith('(in overlay overlays/dev)'),
        ),
      'the overlays’ findings',
    );
    const titles = (await lenses()).map((l) => l.command?.title ?? '');
    assert.ok(
      titles.includes('meets baseline in overlays/dev; privileged in overlays/prod'),
      titles.join(' | '),
    );
    // The base alone meets baseline too, but says nothing of prod: no lens reads it.
    assert.ok(!titles.includes('meets baseline'), titles.join(' | '));
    assert.ok(!titles.some((t) => /^restricted: /.test(t)), titles.join(' | '));
    const meets = (await lenses()).find((l) => l.command?.title.startsWith('meets '));
    assert.match(meets?.command?.tooltip ?? '', /overlays\/prod: its build meets privileged/);
    // The editor's report says the same per overlay, with the what-if of dev's enforce moving up.
    const r = await client.request<{ markdown: string }>('podsec/report', {});
    const dev = r.markdown.slice(r.markdown.indexOf('## Overlay `overlays/dev`'));
    assert.match(
      dev,
      /\| Deployment `web` \|.*\| \*\*baseline\*\* \(\d+ changes? to restricted\) \|/,
    );
    assert.match(dev, /- if enforce moved to restricted: 1 of 1 workload rejected/);
  });

  it('"Fix to" applies the base’s safe fixes of what the overlays find, as one edit', async () => {
    // prod meets privileged: the next level up is baseline, whose findings (privileged, hostNetwork)
    // are set in prod's files and have no safe fix in the base. Without them, prod meets baseline.
    // Edited in the editor (unsaved): the builds read the open editors' text.
    const patch = fileUri(path.join(root, 'overlays', 'prod', 'debug.yaml'));
    const k = fileUri(path.join(root, 'overlays', 'prod', 'kustomization.yaml'));
    const kText = readFileSync(path.join(root, 'overlays', 'prod', 'kustomization.yaml'), 'utf8');
    await client.open(
      patch,
      readFileSync(path.join(root, 'overlays', 'prod', 'debug.yaml'), 'utf8'),
    );
    await client.open(k, kText);
    await client.replace(patch, 'privileged: true', 'privileged: false');
    await client.replace(k, kText.slice(kText.indexOf('  - target:')), '');
    await client.waitForDiagnostics(
      k,
      (x) => !x.diagnostics.some((d) => d.code === 'hostNamespaces'),
      'prod built again',
    );
    await client.diagnosticsForCurrent(uri);
    const fix = (await lenses()).find((l) => l.command?.title.startsWith('Fix to'));
    assert.ok(fix?.command, 'a Fix to lens');
    const titles = (await lenses()).map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('meets baseline in overlays/dev, overlays/prod'), titles.join(' | '));
    assert.equal(fix.command.title, 'Fix to restricted');
    assert.match(fix.command.tooltip ?? '', /overlays\/dev, overlays\/prod/);
    const before = applied.length;
    await client.request('workspace/executeCommand', {
      command: fix.command.command,
      arguments: fix.command.arguments,
    });
    assert.equal(applied.length, before + 1, 'exactly one applyEdit');
    const changes = applied[before]?.documentChanges as TextDocumentEdit[];
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.textDocument.uri, uri);
    const text = client.text(uri);
    assert.match(text, /allowPrivilegeEscalation: false/);
    assert.match(text, /seccompProfile:/);
    assert.match(text, /# the app container/, 'comments kept');
    await client.waitForDiagnostics(
      uri,
      (x) =>
        !x.diagnostics.some(
          (d) => d.code === 'allowPrivilegeEscalation' || d.code === 'seccompProfile_restricted',
        ),
      'the fixed base built again',
    );
    const after = (await lenses()).map((l) => l.command?.title ?? '');
    assert.ok(after.includes('meets restricted in overlays/dev, overlays/prod'), after.join(' | '));
    assert.ok(!after.some((t) => t.startsWith('Fix to')), after.join(' | '));
  });
});
