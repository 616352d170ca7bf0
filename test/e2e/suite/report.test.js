'use strict';
// The level advisor inside the real VS Code: the code lens above a workload (through the
// extension's language client), podsec.codeLens turning it off, and podsec.showReport opening
// the report in one webview tab whose links open the file at the line (clicked in the page by
// the harness's Playwright).

const assert = require('assert');
const path = require('path');
const { suite, test, suiteSetup, teardown } = require('mocha');
const vscode = require('vscode');
const {
  openDoc,
  openUntitled,
  lineOf,
  waitForDiagnostics,
  setSetting,
  resetEditors,
  clickInWebview,
  until,
} = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);
const hasPrivileged = (ds) => ds.some((d) => d.source === 'podsec' && codeOf(d) === 'privileged');

/** Every tab of the window: [{ label, kind: 'webview:<viewType>' | 'text:<scheme>' | ... }]. */
function tabs() {
  return vscode.window.tabGroups.all.flatMap((g) =>
    g.tabs.map((t) => {
      const i = t.input;
      const kind =
        i instanceof vscode.TabInputWebview
          ? `webview:${i.viewType}`
          : i instanceof vscode.TabInputText
            ? `text:${i.uri.scheme}`
            : i && i.uri
              ? `other:${i.uri.scheme}`
              : 'other';
      return { label: t.label, kind };
    }),
  );
}
const reportTabs = () => tabs().filter((t) => t.kind.endsWith('podsec.report'));

/** Resolves once the report tabs' labels are `labels` (the tab model reaches the extension host a moment after the panel). */
function reportTabsAre(labels) {
  return until(
    vscode.window.tabGroups.onDidChangeTabs,
    () => JSON.stringify(reportTabs().map((t) => t.label)) === JSON.stringify(labels),
    30000,
    () => `report tabs are not ${JSON.stringify(labels)}: ${JSON.stringify(tabs())}`,
  );
}

/** Resolves with the active editor once it shows uri at 0-based line; rejects saying what is there. */
function activeEditorAt(uri, line) {
  const describe = () => {
    const e = vscode.window.activeTextEditor;
    return e
      ? `${e.document.uri.toString()} line ${e.selection.active.line}`
      : `no active editor (tabs: ${JSON.stringify(tabs())})`;
  };
  // The editor becomes active, then its selection moves: listen to both.
  const changed = (listener) => {
    const a = vscode.window.onDidChangeActiveTextEditor(listener);
    const b = vscode.window.onDidChangeTextEditorSelection(listener);
    return { dispose: () => (a.dispose(), b.dispose()) };
  };
  return until(
    changed,
    () => {
      const e = vscode.window.activeTextEditor;
      return (
        e && e.document.uri.toString() === uri.toString() && e.selection.active.line === line && e
      );
    },
    30000,
    () => `the link did not open ${uri.fsPath} at line ${line + 1}; active: ${describe()}`,
  );
}

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

  test('report: podsec.showReport opens the report in one tab; a link opens the file at the line', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, hasPrivileged);
    const report = await vscode.commands.executeCommand('podsec.showReport');
    assert.ok(report, 'the command resolves with the report shown');
    const text = report.markdown;
    assert.match(text, /^# Pod Security report/);
    assert.match(text, /## Namespace `default`/);
    const where = /\| Deployment `app` \| \[`(deploy\.yaml:(\d+))`\]\(file:/.exec(text);
    assert.ok(where, text.slice(0, 600));
    assert.match(text, /\*\*privileged\*\* \| 1 change to baseline \|/);
    // Rendered as links the page can click: numbered, no file: URI left in the HTML.
    assert.match(
      report.html,
      /<a [^>]*href="#podsec-link-\d+"[^>]*><code>deploy\.yaml:\d+<\/code><\/a>/,
    );
    assert.doesNotMatch(report.html, /href="file:/);
    assert.doesNotMatch(report.html, /\]\(/, 'no Markdown link is left as raw text');
    // One tab: the webview, no Markdown source or preview beside it.
    await reportTabsAre(['Pod Security report']);
    assert.ok(!tabs().some((t) => /markdown|podsec-report/.test(t.kind)), JSON.stringify(tabs()));
    assert.strictEqual(report.panel.active, true);

    // Click "deploy.yaml:N" in the page: deploy.yaml opens beside it at line N (the workload's
    // kind: line).
    const line = Number(where[2]) - 1;
    assert.strictEqual(line, lineOf(doc, 'kind: Deployment'));
    await vscode.commands.executeCommand('workbench.action.closeOtherEditors');
    const opened = activeEditorAt(doc.uri, line);
    clickInWebview(where[1]);
    await opened;
    assert.strictEqual(reportTabs().length, 1, JSON.stringify(tabs()));

    // A finding's "line N": the editor moves to that line.
    const finding = /`privileged` [^\n]* at \[line (\d+)\]\(file:/.exec(text);
    assert.ok(finding, text);
    const findingLine = Number(finding[1]) - 1;
    assert.strictEqual(findingLine, lineOf(doc, 'privileged: true'));
    // The file opened beside the report, which stays visible.
    assert.strictEqual(report.panel.visible, true);
    assert.notStrictEqual(vscode.window.activeTextEditor.viewColumn, report.panel.viewColumn);
    const moved = activeEditorAt(doc.uri, findingLine);
    clickInWebview(`line ${finding[1]}`);
    await moved;
  });

  test('report: names from the manifests are escaped in the page', async () => {
    const hostile = await openUntitled(
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "<img src=x onerror=alert(1)>"\nspec:\n  containers:\n    - name: "<b>c</b>"\n      image: x\n      securityContext: {privileged: true}\n',
    );
    await waitForDiagnostics(hostile.uri, hasPrivileged);
    const report = await vscode.commands.executeCommand('podsec.showReport');
    assert.ok(
      report.markdown.includes('<img src=x onerror=alert(1)>'),
      'the name is in the report',
    );
    assert.doesNotMatch(report.html, /<img|<b>c/);
    assert.match(report.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  test('report: podsec.compareVersions shows what changes between two versions', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, hasPrivileged);
    // A report shown before: the comparison replaces it in the same tab.
    const before = await vscode.commands.executeCommand('podsec.showReport');
    assert.ok(before, 'the first report resolves');
    // The versions come as arguments here; from the palette, two quick picks ask for them.
    const report = await vscode.commands.executeCommand('podsec.compareVersions', {
      from: 'v1.18',
      to: 'latest',
    });
    assert.ok(report, 'the command resolves with the report shown');
    const text = report.markdown;
    assert.ok(/## Version upgrade `v1\.18` → `latest`/.test(text), text.slice(0, 300));
    // seccompProfile_restricted exists from v1.19: new for the insecure Deployment
    assert.match(text, /seccompProfile_restricted/);
    assert.doesNotMatch(before.markdown, /## Version upgrade/);
    // The same tab shows the new report.
    assert.strictEqual(report.panel, before.panel);
    await reportTabsAre(['Pod Security report v1.18 to latest']);
  });
});
