'use strict';
// The project configuration and the cluster's admission configuration inside the real VS Code:
// a .podsec.yaml changes the level of the documents below it (a diagnostic the setting gives is
// not there, and the status bar says the file chose the level); an admission configuration
// exempting a namespace, opened in the workspace, removes the diagnostic, and the hover, the
// status bar and the report say which exemption applies; a .podsec.yaml and an admission
// configuration written on disk by another program (fs, not the editor) are seen as they change.
// Each test removes what it wrote.

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { suite, test, suiteSetup, teardown } = require('mocha');
const vscode = require('vscode');
const { openDoc, lineOf, waitForDiagnostics, resetEditors, until, uriOf } = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);
const podsec = (ds) => ds.filter((d) => d.source === 'podsec');
const has = (code) => (ds) => podsec(ds).some((d) => codeOf(d) === code);
const lacks = (code) => (ds) => !podsec(ds).some((d) => codeOf(d) === code);
const exemptNote = (ds) => podsec(ds).find((d) => /Exempt from Pod Security/.test(d.message));

/** A Pod in `ns` that fails restricted only (baseline allows it). */
const webPod = (ns) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  containers:\n    - name: app\n      image: app\n`;
/** A privileged Pod in `ns`. */
const privilegedPod = (ns) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent\n  namespace: ${ns}\nspec:\n  containers:\n    - name: a\n      image: a\n      securityContext:\n        privileged: true\n`;
const PSA =
  'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n' +
  'exemptions:\n  namespaces: [kube-system]\n';

function waitForStatus(api, predicate, what, timeoutMs = 30000) {
  return until(
    api.onDidChangeStatusBar,
    () => {
      const s = api.statusBar();
      return s.visible && predicate(s) ? s : undefined;
    },
    timeoutMs,
    () => `status bar is ${JSON.stringify(api.statusBar())}, expected ${what}`,
  );
}

function hoverText(hovers) {
  return (hovers || [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

suite('podsec project configuration and the cluster', () => {
  let api;
  const written = [];
  const write = (rel, text) => {
    const file = uriOf(rel).fsPath;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    written.push(file);
  };

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension(EXTENSION_ID).activate();
  });

  /**
   * A document stays open in the extension host after its editor closes (its close may come
   * late), and the server reads an open admission configuration as the editor has it: so one a
   * test opened is emptied and saved, and nothing of it applies to the other suites.
   */
  async function emptyOpenAdmissionConfigs() {
    for (const d of vscode.workspace.textDocuments) {
      if (d.isClosed || !written.includes(d.uri.fsPath)) continue;
      if (!d.getText().includes('PodSecurityConfiguration')) continue;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(
        d.uri,
        new vscode.Range(0, 0, d.lineCount, 0),
        '# not an admission configuration\n',
      );
      if (await vscode.workspace.applyEdit(edit)) await d.save();
    }
  }

  teardown(async () => {
    await emptyOpenAdmissionConfigs();
    await resetEditors();
    for (const f of written.splice(0)) fs.rmSync(f, { force: true });
  });

  test('config: a .podsec.yaml sets the level of the documents below it; the setting applies elsewhere', async () => {
    write('team/.podsec.yaml', 'level: baseline\n');
    write('team/web.yaml', webPod('team'));
    write('other/web.yaml', webPod('team'));
    // Outside the file's folder: the workspace's podsec.level (restricted) asks for runAsNonRoot.
    const other = await openDoc('other/web.yaml');
    await waitForDiagnostics(other.uri, has('runAsNonRoot'));
    await waitForStatus(
      api,
      (s) => /PSS restricted/.test(s.text) && /podsec\.level/.test(s.tooltip),
      'restricted from the setting',
    );
    // Below it: baseline, which the Pod meets, so that diagnostic is gone.
    const doc = await openDoc('team/web.yaml');
    await waitForDiagnostics(doc.uri, (ds) => lacks('runAsNonRoot')(ds));
    const status = await waitForStatus(
      api,
      (s) => /PSS baseline/.test(s.text) && /From \.podsec\.yaml/.test(s.tooltip),
      'baseline from .podsec.yaml',
    );
    assert.match(status.tooltip, /`level` in team\/\.podsec\.yaml/);
    assert.deepStrictEqual(podsec(vscode.languages.getDiagnostics(doc.uri)), []);
  });

  /**
   * What VS Code's own file watcher reports for the workspace while `run` runs, so that a wait
   * that times out says whether the editor saw the write at all.
   */
  async function watching(run) {
    const seen = [];
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const rel = (u) => vscode.workspace.asRelativePath(u);
    watcher.onDidCreate((u) => seen.push(`created ${rel(u)}`));
    watcher.onDidChange((u) => seen.push(`changed ${rel(u)}`));
    watcher.onDidDelete((u) => seen.push(`deleted ${rel(u)}`));
    try {
      return await run();
    } catch (e) {
      e.message += `\nVS Code's watcher saw: ${seen.join(', ') || 'nothing'}`;
      throw e;
    } finally {
      watcher.dispose();
    }
  }

  test('config: a .podsec.yaml written, changed and deleted on disk by another program applies as it changes', async () => {
    write('disk/web.yaml', webPod('disk'));
    const doc = await openDoc('disk/web.yaml');
    await waitForDiagnostics(doc.uri, has('runAsNonRoot'));
    const config = uriOf('disk/.podsec.yaml').fsPath;
    written.push(config);
    await watching(async () => {
      // Created outside the editor: baseline, which the Pod meets.
      fs.writeFileSync(config, 'level: baseline\n');
      await waitForDiagnostics(doc.uri, lacks('runAsNonRoot'));
      // Changed: restricted again.
      fs.writeFileSync(config, 'level: restricted\n');
      await waitForDiagnostics(doc.uri, has('runAsNonRoot'));
      fs.writeFileSync(config, 'level: baseline\n');
      await waitForDiagnostics(doc.uri, lacks('runAsNonRoot'));
      // Deleted: the setting's restricted applies.
      fs.rmSync(config);
      await waitForDiagnostics(doc.uri, has('runAsNonRoot'));
    });
  });

  test('config: an admission configuration written in a new folder and deleted by another program applies as it changes', async () => {
    write('ops/agent.yaml', privilegedPod('kube-system'));
    const doc = await openDoc('ops/agent.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));
    // A folder made just before the file: VS Code's watcher reports the folder, not the file.
    const folder = uriOf('cluster-on-disk').fsPath;
    const psa = path.join(folder, 'psa.yaml');
    written.push(psa);
    await watching(async () => {
      // Never opened in the editor: the workspace's only admission configuration, from the disk.
      fs.mkdirSync(folder);
      fs.writeFileSync(psa, PSA);
      await waitForDiagnostics(
        doc.uri,
        (d) => lacks('privileged')(d) && exemptNote(d) !== undefined,
      );
      fs.rmSync(psa);
      await waitForDiagnostics(doc.uri, (d) => has('privileged')(d) && exemptNote(d) === undefined);
    });
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('config: an admission configuration exempting a namespace removes the diagnostic; hover and report say why', async () => {
    write('ops/agent.yaml', privilegedPod('kube-system'));
    const doc = await openDoc('ops/agent.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));

    // The workspace's only admission configuration applies by itself, as the editor has it.
    write('cluster/psa.yaml', PSA);
    await vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument(uriOf('cluster/psa.yaml')),
      {
        preview: false,
        preserveFocus: true,
        viewColumn: vscode.ViewColumn.Beside,
      },
    );
    await vscode.window.showTextDocument(doc);
    const ds = await waitForDiagnostics(
      doc.uri,
      (d) => lacks('privileged')(d) && exemptNote(d) !== undefined,
    );
    const note = exemptNote(ds);
    assert.match(note.message, /namespace "kube-system" is listed in exemptions\.namespaces of/);
    assert.strictEqual(note.severity, vscode.DiagnosticSeverity.Information);

    const kindLine = lineOf(doc, 'kind: Pod');
    const hovers = await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(kindLine, 2),
    );
    const hover = hoverText(hovers);
    assert.match(hover, /Not evaluated by Pod Security admission/, hover);
    assert.match(hover, /namespace "kube-system"/);
    await waitForStatus(api, (s) => /PSS exempt/.test(s.text), 'exempt');

    const report = await vscode.commands.executeCommand('podsec.showReport');
    assert.ok(report, 'the report is shown');
    assert.match(report.markdown, /## Namespace `kube-system`/);
    assert.match(
      report.markdown,
      /\*\*Exempt from Pod Security: namespace "kube-system" is listed in/,
    );
    assert.match(report.markdown, /\| Pod `agent` \|[^\n]*\*\*privileged\*\* · _exempt_ \|/);

    // Gone again (emptied as the teardown does): the finding is back.
    await emptyOpenAdmissionConfigs();
    await waitForDiagnostics(doc.uri, (d) => has('privileged')(d) && exemptNote(d) === undefined);
  });
});
