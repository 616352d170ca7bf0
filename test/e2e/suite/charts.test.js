'use strict';
// Helm charts inside the real VS Code: a chart's values.yaml shows the squiggle on the values
// key that set the offending value, and its quick fix removes it; a template's missing field is
// fixed in values.yaml from the template's own squiggle; _helpers.tpl (a file VS Code gives no
// language) is checked too; the status bar names the chart, value set and release.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { suite, test, suiteSetup, suiteTeardown, teardown } = require('mocha');
const vscode = require('vscode');
const {
  openDoc,
  lineOf,
  waitForDiagnostics,
  applyCodeAction,
  resetEditors,
  until,
  workspaceFolder,
} = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
// The project's own test chart, copied into the workspace for this suite only.
const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'charts', 'web');

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);
const podsec = (ds) => ds.filter((d) => d.source === 'podsec');
const has = (code) => (ds) => podsec(ds).some((d) => codeOf(d) === code);
const lacks = (code) => (ds) => !podsec(ds).some((d) => codeOf(d) === code);

suite('podsec: Helm charts', () => {
  let api;
  let chartDir;

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension(EXTENSION_ID).activate();
    chartDir = path.join(workspaceFolder().uri.fsPath, 'charts', 'web');
    fs.cpSync(FIXTURE, chartDir, { recursive: true });
  });

  teardown(async () => {
    await resetEditors();
  });

  suiteTeardown(() => {
    // The other suites count the workspace's workloads without it.
    fs.rmSync(path.join(workspaceFolder().uri.fsPath, 'charts'), { recursive: true, force: true });
  });

  test("values.yaml: the squiggle is on the key's value, the quick fix removes it, the comment stays", async () => {
    const doc = await openDoc('charts/web/values.yaml');
    const diags = await waitForDiagnostics(doc.uri, has('allowPrivilegeEscalation'));
    const ape = podsec(diags).find((d) => codeOf(d) === 'allowPrivilegeEscalation');
    const line = lineOf(doc, 'allowPrivilegeEscalation: true');
    const text = doc.lineAt(line).text;
    assert.deepStrictEqual(
      [ape.range.start.line, ape.range.start.character, ape.range.end.character],
      [line, text.indexOf('true'), text.indexOf('true') + 4],
    );
    assert.match(ape.message, /^Deployment release-name-web, container app: /);
    const status = await until(
      api.onDidChangeStatusBar,
      () => {
        const s = api.statusBar();
        return s.visible && /web: default · release-name/.test(s.text) ? s : undefined;
      },
      30000,
      () => `status bar is ${JSON.stringify(api.statusBar())}`,
    );
    assert.match(status.tooltip, /release `release-name` in namespace `default`/);

    await applyCodeAction(doc.uri, ape, 'Set allowPrivilegeEscalation: false');
    assert.match(doc.getText(), /^ {2}allowPrivilegeEscalation: false$/m);
    assert.match(doc.getText(), /privileged: true # needs the GPU/);
    const after = await waitForDiagnostics(doc.uri, lacks('allowPrivilegeEscalation'));
    assert.ok(has('privileged')(after), 'the other finding stays');
  });

  test('a template: the missing field is fixed in values.yaml from its own squiggle', async () => {
    const doc = await openDoc('charts/web/templates/deployment.yaml');
    const isApp = (d) => codeOf(d) === 'capabilities_restricted' && /container app/.test(d.message);
    const diags = await waitForDiagnostics(doc.uri, (ds) => podsec(ds).some(isApp));
    const run = podsec(diags).find(isApp);
    // The container's securityContext: line of the template.
    assert.strictEqual(run.range.start.line, lineOf(doc, '          securityContext:'));
    await applyCodeAction(doc.uri, run, /values\.yaml: securityContext\.capabilities\.drop/);
    const values = vscode.workspace.textDocuments.find(
      (d) => d.uri.fsPath === path.join(chartDir, 'values.yaml'),
    );
    assert.ok(values, 'values.yaml was edited');
    assert.match(values.getText(), /^ {2}capabilities:\n {4}drop:/m);
    assert.strictEqual(doc.isDirty, false, 'the template itself is unchanged');
    await waitForDiagnostics(doc.uri, (ds) => !podsec(ds).some(isApp));
  });

  test('_helpers.tpl is checked: the finding of the workload it renders into', async () => {
    const doc = await openDoc('charts/web/templates/_helpers.tpl');
    const diags = await waitForDiagnostics(doc.uri, has('runAsUser'));
    const root = podsec(diags).find((d) => codeOf(d) === 'runAsUser');
    assert.strictEqual(root.range.start.line, lineOf(doc, 'runAsUser: 0'));
    assert.match(root.message, /^Deployment release-name-web, container sidecar: /);
  });
});
