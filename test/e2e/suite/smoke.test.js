'use strict';
// Proves the harness: these run inside the real VS Code extension host with the workspace open
// and the extension under development loaded.

const assert = require('assert');
const path = require('path');
const { suite, test } = require('mocha');
const vscode = require('vscode');
const { workspaceFolder, uriOf, openDoc, lineOf, setSetting, resetEditors } = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

suite('e2e harness smoke', () => {
  test('runs inside a real VS Code extension host', () => {
    assert.strictEqual(typeof vscode.version, 'string');
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    console.log(
      `    VS Code ${vscode.version}, appHost ${vscode.env.appHost}, remote ${vscode.env.remoteName}`,
    );
  });

  test('the e2e workspace folder is open', async () => {
    const folder = workspaceFolder();
    assert.strictEqual(vscode.workspace.workspaceFolders.length, 1);
    for (const file of ['deploy.yaml', 'namespace.yaml', 'shop-deploy.yaml']) {
      const stat = await vscode.workspace.fs.stat(uriOf(file));
      assert.strictEqual(stat.type, vscode.FileType.File, `${file} in ${folder.uri.fsPath}`);
    }
  });

  test('helpers: openDoc shows a workspace file, setSetting round-trips', async () => {
    const doc = await openDoc('namespace.yaml');
    assert.strictEqual(vscode.window.activeTextEditor.document, doc);
    assert.strictEqual(doc.languageId, 'yaml');
    assert.ok(lineOf(doc, 'pod-security.kubernetes.io/enforce') > 0);
    await setSetting('files', 'insertFinalNewline', true);
    assert.strictEqual(vscode.workspace.getConfiguration('files').get('insertFinalNewline'), true);
    await setSetting('files', 'insertFinalNewline', undefined);
    const inspected = vscode.workspace.getConfiguration('files').inspect('insertFinalNewline');
    assert.strictEqual(inspected.workspaceValue, undefined);
    await resetEditors();
  });

  test(`the extension ${EXTENSION_ID} is present and activates`, async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `vscode.extensions.getExtension('${EXTENSION_ID}') is undefined`);
    await ext.activate();
    assert.ok(ext.isActive);
  });
});
