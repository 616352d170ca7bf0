'use strict';
// Kustomize overlays in the real VS Code: a base file shows what each overlay deploys, its lens
// gives each overlay's level, and "… in overlay kustomize/overlays/dev" writes a patch in that overlay
// only: the dev finding goes, prod's stays, the base is unchanged.

const assert = require('assert');
const path = require('path');
const { suite, test, suiteSetup, teardown } = require('mocha');
const vscode = require('vscode');
const { openDoc, waitForDiagnostics, applyCodeAction, resetEditors, uriOf } = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);
const ape = (ds) =>
  ds.filter((d) => d.source === 'podsec' && codeOf(d) === 'allowPrivilegeEscalation');

suite('podsec Kustomize overlays', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID).activate();
  });

  teardown(async () => {
    await vscode.workspace.saveAll(false);
    await resetEditors();
  });

  test('overlays: a base shows each overlay’s finding; the fix in one overlay makes its patch', async () => {
    const doc = await openDoc('kustomize/base/deployment.yaml');
    const baseText = doc.getText();
    // dev warns (its Namespace's warn label), prod rejects (enforce restricted).
    const diags = await waitForDiagnostics(
      doc.uri,
      (ds) =>
        ape(ds).some((d) => d.severity === vscode.DiagnosticSeverity.Warning) &&
        ape(ds).some((d) => d.severity === vscode.DiagnosticSeverity.Error),
    );
    const lenses = await vscode.commands.executeCommand(
      'vscode.executeCodeLensProvider',
      doc.uri,
      100,
    );
    const titles = (lenses || []).map((l) => (l.command ? l.command.title : ''));
    assert.ok(titles.includes('dev: baseline ✗, prod: restricted ✗'), JSON.stringify(titles));

    const dev = ape(diags).find((d) => d.severity === vscode.DiagnosticSeverity.Warning);
    await applyCodeAction(
      doc.uri,
      dev,
      // Overlays are named from the workspace folder.
      'Set allowPrivilegeEscalation: false in overlay kustomize/overlays/dev',
    );
    const left = await waitForDiagnostics(
      doc.uri,
      (ds) => ape(ds).length === 1 && ape(ds)[0].severity === vscode.DiagnosticSeverity.Error,
    );
    assert.strictEqual(ape(left).length, 1);
    assert.strictEqual(doc.getText(), baseText, 'the base is not edited');
    const k = await vscode.workspace.openTextDocument(
      uriOf('kustomize/overlays/dev/kustomization.yaml'),
    );
    assert.match(k.getText(), /patches:\n {2}- path: patch-deployment-web\.yaml\n$/);
    const patch = await vscode.workspace.openTextDocument(
      uriOf('kustomize/overlays/dev/patch-deployment-web.yaml'),
    );
    assert.match(patch.getText(), /allowPrivilegeEscalation: false/);
  });
});
