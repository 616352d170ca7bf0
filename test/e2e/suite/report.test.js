'use strict';
// The level advisor inside the real VS Code: the code lens above a workload (through the
// extension's language client), podsec.codeLens turning it off, and podsec.showReport opening
// the Markdown report.

const assert = require('assert');
const path = require('path');
const { suite, test, suiteSetup, teardown } = require('mocha');
const vscode = require('vscode');
const { openDoc, lineOf, waitForDiagnostics, setSetting, resetEditors } = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);
const hasPrivileged = (ds) => ds.some((d) => d.source === 'podsec' && codeOf(d) === 'privileged');

/** Code lens titles VS Code gets from the providers for uri (commands resolved). */
async function lensTitles(uri) {
  const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri, 100);
  return (lenses || []).map((l) => ({
    line: l.range.start.line,
    title: l.command ? l.command.title : '',
  }));
}

suite('podsec level advisor report', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID).activate();
  });

  teardown(async () => {
    await setSetting('podsec', 'codeLens', undefined);
    await resetEditors();
  });

  test('report: a code lens above the workload says where it stands', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, hasPrivileged);
    const lenses = await lensTitles(doc.uri);
    // on the document's first line (above apiVersion:), against the level that applies
    const line = lineOf(doc, 'apiVersion:');
    assert.deepStrictEqual(
      lenses.filter((l) => /^(restricted:|meets )/.test(l.title)),
      [
        { line, title: 'restricted: 5 changes' },
        { line, title: 'meets privileged' },
      ],
      JSON.stringify(lenses),
    );
  });

  test('report: podsec.codeLens false hides the lens', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, hasPrivileged);
    await setSetting('podsec', 'codeLens', false);
    const lenses = await lensTitles(doc.uri);
    assert.deepStrictEqual(
      lenses.filter((l) => /^(restricted:|meets )/.test(l.title)),
      [],
    );
  });

  test('report: podsec.showReport opens the Markdown report of the workspace', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, hasPrivileged);
    const report = await vscode.commands.executeCommand('podsec.showReport');
    assert.ok(report, 'the command resolves with the report document');
    assert.strictEqual(report.languageId, 'markdown');
    const text = report.getText();
    assert.match(text, /^# Pod Security report/);
    assert.match(text, /## Namespace `default`/);
    assert.match(text, /\| Deployment `app` \| \[`deploy\.yaml:\d+`\]\(file:/);
    assert.match(text, /\*\*privileged\*\* \| 1 change to baseline \|/);
    // A read-only virtual document, shown only in the Markdown preview (teardown closes it).
    assert.strictEqual(report.uri.scheme, 'podsec-report');
    assert.match(report.uri.path, /\.md$/);
    assert.ok(
      !vscode.window.visibleTextEditors.some(
        (e) => e.document.uri.toString() === report.uri.toString(),
      ),
      'the Markdown source is not opened as an editor of its own',
    );
  });

  test('report: podsec.compareVersions shows what changes between two versions', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, hasPrivileged);
    // A report shown before: the comparison must not get its text (each report has its own URI).
    const before = await vscode.commands.executeCommand('podsec.showReport');
    assert.ok(before, 'the first report resolves');
    // The versions come as arguments here; from the palette, two quick picks ask for them.
    const report = await vscode.commands.executeCommand('podsec.compareVersions', {
      from: 'v1.18',
      to: 'latest',
    });
    assert.ok(report, 'the command resolves with the report document');
    const text = report.getText();
    assert.ok(
      /## Version upgrade `v1\.18` → `latest`/.test(text),
      `no upgrade section in ${report.uri.toString()} (open: ${vscode.workspace.textDocuments
        .map((d) => d.uri.toString())
        .join(', ')}):\n${text.slice(0, 300)}`,
    );
    // seccompProfile_restricted exists from v1.19: new for the insecure Deployment
    assert.match(text, /seccompProfile_restricted/);
    assert.notStrictEqual(report.uri.toString(), before.uri.toString());
    assert.doesNotMatch(before.getText(), /## Version upgrade/);
  });
});
