'use strict';
// The per-check documentation in the real VS Code: a diagnostic's code links to the check's page
// the extension ships (docs/checks/<check>.md), and the last quick fix, "Show documentation for
// <check>", opens that page in the Markdown preview.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { suite, test, suiteSetup, teardown } = require('mocha');
const vscode = require('vscode');
const { openDoc, waitForDiagnostics, applyCodeAction, resetEditors, until } = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);

function tabs() {
  return vscode.window.tabGroups.all.flatMap((g) =>
    g.tabs.map((t) => ({
      label: t.label,
      kind: t.input instanceof vscode.TabInputWebview ? `webview:${t.input.viewType}` : 'other',
    })),
  );
}

suite('podsec check documentation', () => {
  let extension;
  suiteSetup(async () => {
    extension = vscode.extensions.getExtension(EXTENSION_ID);
    await extension.activate();
  });

  teardown(async () => {
    await resetEditors();
  });

  test('docs: the diagnostic links to the shipped page; "Show documentation" opens it', async () => {
    const doc = await openDoc('deploy.yaml');
    const diags = await waitForDiagnostics(doc.uri, (ds) =>
      ds.some((d) => codeOf(d) === 'privileged'),
    );
    const priv = diags.find((d) => codeOf(d) === 'privileged');
    // The code's link: the page in the extension, a file that is there.
    const target = priv.code.target;
    assert.ok(target instanceof vscode.Uri, JSON.stringify(priv.code));
    const page = vscode.Uri.joinPath(extension.extensionUri, 'docs', 'checks', 'privileged.md');
    assert.strictEqual(target.fsPath, page.fsPath);
    assert.match(fs.readFileSync(page.fsPath, 'utf8'), /^# privileged: Privileged containers\n/);

    // In the Ctrl+. menu after the fixes and suppressions, last of the quick fixes.
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      doc.uri,
      priv.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const titles = actions.map((a) => a.title);
    assert.strictEqual(
      titles[titles.length - 1],
      'Show documentation for privileged',
      titles.join(' | '),
    );
    assert.ok(
      titles.indexOf('Suppress privileged here') < titles.length - 1 &&
        titles.indexOf('Suppress privileged here') > 0,
      titles.join(' | '),
    );

    await applyCodeAction(doc.uri, priv, 'Show documentation for privileged');
    const preview = await until(
      vscode.window.tabGroups.onDidChangeTabs,
      () =>
        tabs().find((t) => t.kind.includes('markdown.preview') && /privileged\.md/.test(t.label)),
      30000,
      () => `no Markdown preview of privileged.md: ${JSON.stringify(tabs())}`,
    );
    assert.ok(preview);
  });

  test("docs: the command opens a check's page by its ID and refuses anything else", async () => {
    const none = await vscode.commands.executeCommand('podsec.showCheckDocs', '../../package');
    assert.strictEqual(none, undefined);
    const page = await vscode.commands.executeCommand('podsec.showCheckDocs', 'resourceLimits');
    assert.ok(page && page.path.endsWith('/docs/checks/resourceLimits.md'), String(page));
  });
});
