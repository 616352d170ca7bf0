'use strict';
// The hardening checks in the real VS Code: a Deployment no NetworkPolicy of the workspace
// selects gets the networkPolicyIsolation information diagnostic on its pod template's labels;
// the hover explains the check and lists the policies per direction; the quick fix "Add a
// default-deny NetworkPolicy for namespace …" (never preferred) adds the policy as a new YAML
// document of the file, and the diagnostic goes.

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
  setSetting,
  uriOf,
} = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);
const isolation = (ds) =>
  ds.filter((d) => d.source === 'podsec' && codeOf(d) === 'networkPolicyIsolation');

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: lab-hardening
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: nginx
`;

function hoverText(hovers) {
  return (hovers || [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

suite('podsec hardening checks', () => {
  const rel = 'hardening/web.yaml';

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID).activate();
    const file = uriOf(rel).fsPath;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, WEB);
    // The workspace turns the hardening family off; on for this suite.
    await setSetting('podsec', 'severity', {});
  });

  teardown(async () => {
    await resetEditors();
  });

  suiteTeardown(async () => {
    await setSetting('podsec', 'severity', { hardening: 'off' });
    // The other suites count the workspace's workloads without it.
    fs.rmSync(path.dirname(uriOf(rel).fsPath), { recursive: true, force: true });
  });

  test('a Deployment no NetworkPolicy selects: the information diagnostic, its hover, the default-deny fix', async () => {
    const doc = await openDoc(rel);
    const diags = await waitForDiagnostics(doc.uri, (ds) => isolation(ds).length === 1);
    const iso = isolation(diags)[0];
    assert.strictEqual(iso.severity, vscode.DiagnosticSeverity.Information);
    assert.strictEqual(iso.range.start.line, lineOf(doc, '      labels:'));
    assert.match(iso.message, /Deployment web/);

    const hover = hoverText(
      await vscode.commands.executeCommand(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(iso.range.start.line, iso.range.start.character + 1),
      ),
    );
    assert.match(hover, /Pods isolated by a NetworkPolicy/, hover);
    assert.match(hover, /networkPolicyIsolation/);
    assert.match(hover, /Why: /);

    const kindHover = hoverText(
      await vscode.commands.executeCommand(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(lineOf(doc, 'kind: Deployment'), 2),
      ),
    );
    assert.match(kindHover, /Ingress: not isolated/, kindHover);
    assert.match(kindHover, /Egress: not isolated/);

    const action = await applyCodeAction(
      doc.uri,
      iso,
      'Add a default-deny NetworkPolicy for namespace "lab-hardening"',
    );
    assert.notStrictEqual(action.isPreferred, true);
    await waitForDiagnostics(doc.uri, (ds) => isolation(ds).length === 0);
    const text = doc.getText();
    assert.ok(text.startsWith(WEB), 'the Deployment is as it was');
    assert.match(
      text.slice(WEB.length),
      /^---\napiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n {2}name: default-deny\n {2}namespace: lab-hardening\n/,
    );
  });
});
