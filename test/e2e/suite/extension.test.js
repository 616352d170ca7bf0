'use strict';
// The extension inside the real VS Code: diagnostics on open, quick fixes, fix-all, settings,
// namespace labels, hover, status bar, restart.

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
  applyCodeAction,
  resetEditors,
  until,
} = require('./helpers');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);
const podsec = (ds) => ds.filter((d) => d.source === 'podsec');
const codes = (ds) => podsec(ds).map(codeOf).sort();
const has = (code) => (ds) => podsec(ds).some((d) => codeOf(d) === code);
const lacks = (code) => (ds) => !podsec(ds).some((d) => codeOf(d) === code);

/** Resolves once the status bar shows text matching re, on the extension's change event. */
function waitForStatus(api, re, timeoutMs = 30000) {
  return until(
    api.onDidChangeStatusBar,
    () => {
      const s = api.statusBar();
      return s.visible && re.test(s.text) ? s : undefined;
    },
    timeoutMs,
    () => `status bar is ${JSON.stringify(api.statusBar())}, expected ${re}`,
  );
}

suite('podsec extension', () => {
  let api;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    api = await ext.activate();
  });

  teardown(async () => {
    await setSetting('podsec', 'level', undefined);
    await setSetting('podsec', 'version', undefined);
    await setSetting('podsec', 'namespaceLabels', undefined);
    await setSetting('podsec', 'relatedInformation', undefined);
    await resetEditors();
  });

  test('hardening diagnostics use the short form too', async () => {
    // The workspace turns the hardening family off; on here, for this test only.
    await setSetting('podsec', 'severity', {});
    try {
      const doc = await openDoc('deploy.yaml');
      const diags = await waitForDiagnostics(doc.uri, has('resourceLimits'));
      const message = (code) => podsec(diags).find((d) => codeOf(d) === code)?.message;
      assert.strictEqual(
        message('resourceLimits'),
        'Deployment app, container app: set resources.limits.memory',
      );
      assert.strictEqual(
        message('networkPolicyIsolation'),
        'Deployment app: add a NetworkPolicy that selects its pods (none does)',
      );
      for (const d of podsec(diags)) assert.ok(d.message.length <= 110, d.message);
    } finally {
      await setSetting('podsec', 'severity', { hardening: 'off' });
    }
  });

  test('diagnostics on open: exact range, code, severity, source, link', async () => {
    const doc = await openDoc('deploy.yaml');
    const diags = await waitForDiagnostics(doc.uri, has('privileged'));
    const priv = podsec(diags).find((d) => codeOf(d) === 'privileged');
    const line = lineOf(doc, 'privileged: true');
    const text = doc.lineAt(line).text;
    // the offending pair `privileged: true`
    assert.deepStrictEqual(
      [
        priv.range.start.line,
        priv.range.start.character,
        priv.range.end.line,
        priv.range.end.character,
      ],
      [line, text.indexOf('privileged'), line, text.length],
    );
    assert.strictEqual(priv.severity, vscode.DiagnosticSeverity.Error);
    // the short form: workload, container, what to do
    assert.strictEqual(
      priv.message,
      'Deployment app, container app: set securityContext.privileged to false',
    );
    // the code links to the check's page the extension ships
    assert.match(String(priv.code.target), /^file:.*\/docs\/checks\/privileged\.md$/);
    // restricted (the default) also flags the restricted controls of the same container
    for (const c of [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'runAsNonRoot',
      'seccompProfile_restricted',
    ]) {
      assert.ok(codes(diags).includes(c), `${c} in ${codes(diags).join(', ')}`);
    }
  });

  test('quick fix through the code action provider removes the finding', async () => {
    const doc = await openDoc('deploy.yaml');
    const diags = await waitForDiagnostics(doc.uri, has('privileged'));
    const priv = podsec(diags).find((d) => codeOf(d) === 'privileged');
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      doc.uri,
      priv.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title.includes('privileged: false'));
    assert.ok(fix, `offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.strictEqual(fix.kind.value, 'quickfix');
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(doc.getText(), /privileged: false/);
    assert.match(doc.getText(), /^# An insecure Deployment/);
    const after = await waitForDiagnostics(doc.uri, lacks('privileged'));
    assert.ok(has('runAsNonRoot')(after), 'the other findings stay');
  });

  test('the safe quick fix is preferred; a suppression action writes the comment', async () => {
    const doc = await openDoc('deploy.yaml');
    const diags = await waitForDiagnostics(doc.uri, has('allowPrivilegeEscalation'));
    const ape = podsec(diags).find((d) => codeOf(d) === 'allowPrivilegeEscalation');
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      doc.uri,
      ape.range,
    );
    const preferred = actions.filter((a) => a.isPreferred);
    assert.ok(
      preferred.some((a) => /allowPrivilegeEscalation/.test(a.title)),
      `preferred: ${preferred.map((a) => a.title).join(' | ')}`,
    );
    await applyCodeAction(doc.uri, ape, /Suppress .*allowPrivilegeEscalation/);
    assert.match(doc.getText(), /# podsec-ignore allowPrivilegeEscalation --/);
    await waitForDiagnostics(doc.uri, lacks('allowPrivilegeEscalation'));
  });

  test('changing podsec.level re-evaluates at once', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('runAsNonRoot'));
    await setSetting('podsec', 'level', 'baseline');
    const baseline = await waitForDiagnostics(doc.uri, lacks('runAsNonRoot'));
    assert.deepStrictEqual(codes(baseline), ['privileged']);
    await setSetting('podsec', 'level', 'privileged');
    await waitForDiagnostics(doc.uri, (ds) => podsec(ds).length === 0);
    await setSetting('podsec', 'level', 'restricted');
    await waitForDiagnostics(doc.uri, has('runAsNonRoot'));
  });

  test('podsec.version selects the versioned checks', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('capabilities_restricted'));
    // capabilities_restricted applies from v1.22 on.
    await setSetting('podsec', 'version', 'v1.21');
    const old = await waitForDiagnostics(doc.uri, lacks('capabilities_restricted'));
    assert.ok(has('privileged')(old));
  });

  test('a Namespace label in another workspace file sets the level, and related information points to it', async () => {
    const doc = await openDoc('shop-deploy.yaml');
    // restricted by setting, but namespace "shop" enforces baseline: the Deployment passes.
    await waitForDiagnostics(doc.uri, (ds) => podsec(ds).length === 0);
    await waitForStatus(api, /baseline/);
    const policy = await api.policyFor(doc.uri);
    assert.strictEqual(policy.source, 'namespace');
    assert.strictEqual(policy.namespace, 'shop');
    assert.strictEqual(policy.level, 'baseline');
    // with namespace labels off, the setting applies again
    await setSetting('podsec', 'namespaceLabels', false);
    const diags = await waitForDiagnostics(doc.uri, has('runAsNonRoot'));
    assert.ok(
      podsec(diags).every((d) => !d.relatedInformation || d.relatedInformation.length === 0),
    );
  });

  test('a finding under a Namespace label: one row, and related information only when asked for', async () => {
    const doc = await openUntitled(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: debug',
        '  namespace: shop',
        'spec:',
        '  hostNetwork: true',
        '  containers:',
        '    - name: shell',
        '      image: busybox',
        '',
      ].join('\n'),
    );
    const diags = await waitForDiagnostics(doc.uri, has('hostNamespaces'));
    // baseline from the label: the restricted checks do not apply
    assert.deepStrictEqual(codes(diags), ['hostNamespaces']);
    const [d] = podsec(diags);
    assert.strictEqual(d.range.start.line, 6);
    assert.ok(!d.relatedInformation || d.relatedInformation.length === 0, 'one row per problem');
    await setSetting('podsec', 'relatedInformation', true);
    const withRelated = await waitForDiagnostics(doc.uri, (ds) =>
      podsec(ds).some((x) => x.relatedInformation && x.relatedInformation.length > 0),
    );
    const [r] = podsec(withRelated);
    assert.match(r.relatedInformation[0].location.uri.path, /namespace\.yaml$/);
    assert.match(r.relatedInformation[0].message, /shop/);
    await setSetting('podsec', 'relatedInformation', undefined);
  });

  test('one problem found by two checks under two modes is one row, at the most severe', async () => {
    const doc = await openUntitled(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: debug',
        '  namespace: lab',
        'spec:',
        '  volumes:',
        '    - name: logs',
        '      hostPath: {path: /var/log}',
        '  containers:',
        '    - name: shell',
        '      image: busybox',
        '',
      ].join('\n'),
    );
    const diags = await waitForDiagnostics(doc.uri, has('hostPathVolumes'));
    const onVolume = podsec(diags).filter((d) => d.range.start.line === 7);
    assert.deepStrictEqual(
      onVolume.map((d) => [codeOf(d), d.severity, d.message]),
      [
        [
          'hostPathVolumes',
          vscode.DiagnosticSeverity.Error,
          'Pod debug: remove hostPath volume logs',
        ],
      ],
    );
    assert.ok(
      podsec(diags).every((d) => !d.relatedInformation || d.relatedInformation.length === 0),
    );
    const hovers = await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      doc.uri,
      new vscode.Position(7, 10),
    );
    const md = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
      .join('\n');
    assert.match(
      md,
      /`hostPathVolumes` \(baseline, enforce\) and `restrictedVolumes` \(restricted, warn\)/,
    );
  });

  test('status bar shows the level and version of the active YAML file', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));
    const s = await waitForStatus(api, /restricted/);
    assert.match(s.text, /v1\.\d+/);
    await setSetting('podsec', 'level', 'baseline');
    await waitForStatus(api, /baseline/);
  });

  /** Resolves with the title of the extension's next quick pick, once it is shown. */
  function nextPicker(timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`no podsec quick pick shown within ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = api.onDidShowPicker((title) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(title);
      });
    });
  }

  /** Runs podsec.selectLevel, and `steps` (command IDs, or 'picker' to await the next pick). */
  async function pickLevel(steps) {
    let shown = nextPicker();
    const run = vscode.commands.executeCommand('podsec.selectLevel');
    const titles = [await shown];
    for (const step of steps) {
      if (step === 'picker') {
        titles.push(await shown);
        continue;
      }
      if (step === 'workbench.action.acceptSelectedQuickOpenItem') shown = nextPicker();
      await vscode.commands.executeCommand(step);
    }
    await run;
    shown.catch(() => undefined); // the last accept shows no further picker
    return titles;
  }

  const level = () => vscode.workspace.getConfiguration('podsec').get('level');
  const ACCEPT = 'workbench.action.acceptSelectedQuickOpenItem';
  const NEXT = 'workbench.action.quickOpenSelectNext';

  test('level picker: the current level is preselected, so Enter keeps it', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));
    const [title] = await pickLevel([ACCEPT]);
    assert.strictEqual(title, 'Pod Security level');
    assert.strictEqual(level(), 'restricted');
    assert.strictEqual(
      vscode.workspace.getConfiguration('podsec').inspect('level').workspaceValue,
      undefined,
    );
  });

  test('level picker: privileged is last and asks first; Enter there keeps checking on', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));
    // restricted → baseline → privileged, accept, then Enter on the preselected "Keep restricted"
    const titles = await pickLevel([NEXT, NEXT, ACCEPT, 'picker', ACCEPT]);
    assert.match(titles[1], /privileged checks nothing/);
    assert.strictEqual(level(), 'restricted');
    // confirmed: privileged
    await pickLevel([NEXT, NEXT, ACCEPT, 'picker', NEXT, ACCEPT]);
    await until(
      vscode.workspace.onDidChangeConfiguration,
      () => level() === 'privileged',
      30000,
      () => `podsec.level is ${level()}`,
    );
    await waitForDiagnostics(doc.uri, (ds) => podsec(ds).length === 0);
  });

  test('status bar tooltip names every mode of the Namespace that differs', async () => {
    const doc = await openDoc('shop-deploy.yaml');
    const s = await waitForStatus(api, /baseline/);
    assert.match(s.tooltip, /- enforce: \*\*baseline\*\* at latest/);
    assert.match(s.tooltip, /- audit: \*\*privileged\*\* at latest \(default\)/);
    assert.match(s.tooltip, /- warn: as enforce/);
    assert.ok(doc);
  });

  test('hover on a flagged field explains the check and the level', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));
    const line = lineOf(doc, 'privileged: true');
    const pos = new vscode.Position(line, doc.lineAt(line).text.indexOf('true') + 1);
    const hovers = await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      doc.uri,
      pos,
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /privileged/);
    assert.match(text, /restricted/);
  });

  test('podsec.fixAll applies the safe fixes of the file and keeps its comments', async () => {
    const doc = await openDoc('multi.yaml');
    const before = await waitForDiagnostics(doc.uri, has('capabilities_restricted'));
    assert.ok(has('seccompProfile_restricted')(before));
    const comments = doc
      .getText()
      .split('\n')
      .filter((l) => l.includes('#'));
    const version = doc.version;
    // Listening before the command: the edit may arrive before executeCommand resolves.
    const changed = until(
      vscode.workspace.onDidChangeTextDocument,
      () => doc.version > version,
      30000,
      () => `${doc.uri.fsPath} still at version ${version} after podsec.fixAll`,
    );
    await vscode.commands.executeCommand('podsec.fixAll');
    await changed;
    const after = await waitForDiagnostics(
      doc.uri,
      (ds) => lacks('seccompProfile_restricted')(ds) && lacks('allowPrivilegeEscalation')(ds),
    );
    // capabilities: the safe fix adds drop [ALL]; removing the added NET_ADMIN is unsafe, so it stays
    assert.ok(
      podsec(after).every((d) => codeOf(d) === 'capabilities_restricted'),
      codes(after).join(','),
    );
    const text = doc.getText();
    for (const c of comments) assert.ok(text.includes(c.trim()), `comment kept: ${c}`);
    assert.match(text, /securityContext: \{.*runAsNonRoot: true.*\}/);
  });

  test('source.fixAll.podsec is offered for editor.codeActionsOnSave', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      doc.uri,
      new vscode.Range(0, 0, 0, 0),
      'source.fixAll.podsec',
      10,
    );
    assert.ok(actions.some((a) => a.kind && a.kind.value === 'source.fixAll.podsec'));
  });

  test('restart server: diagnostics come back', async () => {
    const doc = await openDoc('deploy.yaml');
    await waitForDiagnostics(doc.uri, has('privileged'));
    await vscode.commands.executeCommand('podsec.restartServer');
    assert.strictEqual(api.client.isRunning(), true);
    // edit after the restart: the new server publishes for the new text
    const line = lineOf(doc, 'privileged: true');
    const edit = new vscode.WorkspaceEdit();
    const col = doc.lineAt(line).text.indexOf('true');
    edit.replace(doc.uri, new vscode.Range(line, col, line, col + 4), 'false');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(doc.uri, (ds) => lacks('privileged')(ds) && has('runAsNonRoot')(ds));
  });

  test('non-Kubernetes YAML gets no diagnostics and no status error', async () => {
    const doc = await openUntitled('on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n');
    const policy = await api.policyFor(doc.uri);
    assert.ok(policy, 'untitled YAML is checked');
    assert.deepStrictEqual(podsec(vscode.languages.getDiagnostics(doc.uri)), []);
  });
});
