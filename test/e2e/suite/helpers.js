'use strict';
// Helpers for extension tests that run inside the real extension host (see index.js).
// All waits are event-driven; each has a timeout only as a safety net, and its error says what
// was there instead.
//
//   const { openDoc, waitForDiagnostics, setSetting, applyCodeAction, until } = require('./helpers');
//   const doc = await openDoc('deploy.yaml');   // or openUntitled('apiVersion: v1\n...')
//   const diags = await waitForDiagnostics(doc.uri, (ds) => ds.some((d) => d.code === 'privileged'));
//   await applyCodeAction(doc.uri, diags[0], 'privileged: false');
//   await waitForDiagnostics(doc.uri, (ds) => !ds.some((d) => d.code === 'privileged'));
//   await setSetting('podsec', 'level', 'baseline');
//   await until(someEmitter.event, () => currentValue() || undefined, 30000, () => 'what was there');

const vscode = require('vscode');

const DEFAULT_TIMEOUT_MS = 30000;

/** The (single) workspace folder the run opened: a temp copy of test/e2e/workspace. */
function workspaceFolder() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder;
}

/** Uri of a file in the workspace folder, e.g. uriOf('deploy.yaml'). */
function uriOf(relPath) {
  return vscode.Uri.joinPath(workspaceFolder().uri, ...relPath.split('/'));
}

/** Opens relPath (relative to the workspace folder) in an editor; resolves with its TextDocument. */
async function openDoc(relPath) {
  const doc = await vscode.workspace.openTextDocument(uriOf(relPath));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

let untitledDocuments = 0;

/**
 * Opens a new untitled YAML document holding `content`, under a name no other document of the run
 * has had ("podsec-e2e-3.yaml", not VS Code's reusable "Untitled-1"), so that nothing a closed
 * document left behind (diagnostics on their way, the extension host's data) can be read as its
 * own. Resolves once it is shown with its content.
 */
async function openUntitled(content) {
  untitledDocuments++;
  const uri = vscode.Uri.from({ scheme: 'untitled', path: `podsec-e2e-${untitledDocuments}.yaml` });
  let doc = await vscode.workspace.openTextDocument(uri);
  if (doc.languageId !== 'yaml') doc = await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, new vscode.Position(0, 0), content);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not fill ${uri}`);
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** Zero-based number of the first line of doc containing text; throws if none does. */
function lineOf(doc, text) {
  for (let i = 0; i < doc.lineCount; i++) {
    if (doc.lineAt(i).text.includes(text)) return i;
  }
  throw new Error(`no line of ${doc.uri.fsPath} contains ${JSON.stringify(text)}`);
}

function describeDiagnostics(diags) {
  if (diags.length === 0) return '(none)';
  return diags
    .map((d) => {
      const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
      const sev = ['error', 'warning', 'info', 'hint'][d.severity];
      return `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${sev} [${d.source}/${code}] ${d.message}`;
    })
    .join('\n');
}

/**
 * Resolves with condition()'s value once it is truthy: at once if it already is, else on the
 * first `event` (a vscode.Event) after which it is. Rejects after timeoutMs with message().
 */
function until(event, condition, timeoutMs, message) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let subscription;
    let timer;
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      if (subscription) subscription.dispose();
      clearTimeout(timer);
      fn(value);
    };
    const check = () => {
      try {
        const value = condition();
        if (value) finish(resolve, value);
      } catch (e) {
        finish(reject, e);
      }
    };
    subscription = event(check);
    timer = setTimeout(() => finish(reject, new Error(message())), timeoutMs);
    check();
  });
}

/**
 * Resolves with uri's diagnostics (all sources) as soon as predicate(diagnostics) is true: at
 * once if it already is, else on the vscode.languages.onDidChangeDiagnostics event that makes
 * it true. Rejects after timeoutMs, listing the diagnostics there were.
 * After an edit the old diagnostics are still there until the server republishes, so make the
 * predicate describe the NEW state (e.g. "no privileged finding"), not just "some diagnostics".
 */
function waitForDiagnostics(
  uri,
  predicate = (ds) => ds.length > 0,
  timeoutMs = DEFAULT_TIMEOUT_MS,
) {
  return until(
    vscode.languages.onDidChangeDiagnostics,
    () => {
      const diags = vscode.languages.getDiagnostics(uri);
      return predicate(diags) && diags;
    },
    timeoutMs,
    () =>
      `timed out after ${timeoutMs} ms waiting for diagnostics on ${uri.fsPath}; there are:\n${describeDiagnostics(vscode.languages.getDiagnostics(uri))}`,
  );
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Sets section.key at workspace level (the folder's .vscode/settings.json; value undefined
 * removes it) and resolves once the extension host's configuration shows the new value, i.e. once
 * onDidChangeConfiguration has fired for it (which is what the language client listens to).
 * The server still needs a moment to republish: follow with waitForDiagnostics.
 */
async function setSetting(section, key, value, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const current = () => {
    const inspected = vscode.workspace.getConfiguration(section).inspect(key);
    return inspected && inspected.workspaceValue;
  };
  if (sameValue(current(), value)) return;
  // Listening before the update: the event may come before update() resolves.
  const changed = until(
    vscode.workspace.onDidChangeConfiguration,
    () => sameValue(current(), value),
    timeoutMs,
    () =>
      `setting ${section}.${key} did not become ${JSON.stringify(value)} within ${timeoutMs} ms`,
  );
  try {
    await vscode.workspace
      .getConfiguration(section)
      .update(key, value, vscode.ConfigurationTarget.Workspace);
  } catch (e) {
    changed.catch(() => undefined); // the update's own error is the one to report
    throw e;
  }
  await changed;
}

/**
 * Asks the code action providers for uri at range (a vscode.Range, or a Diagnostic: its range),
 * picks the first action whose title matches titlePredicate (a substring, a RegExp or a function
 * (title, action) => boolean), applies its edit with vscode.workspace.applyEdit and runs its
 * command, if any. Resolves with the action; rejects listing the offered titles if none matches.
 */
async function applyCodeAction(uri, range, titlePredicate) {
  const where = range instanceof vscode.Range ? range : range.range;
  const matches =
    typeof titlePredicate === 'function'
      ? titlePredicate
      : titlePredicate instanceof RegExp
        ? (title) => titlePredicate.test(title)
        : (title) => title.includes(titlePredicate);
  // The 4th argument resolves lazily computed edits (codeAction/resolve) of up to that many actions.
  const actions =
    (await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      uri,
      where,
      undefined,
      1000,
    )) || [];
  const action = actions.find((a) => matches(a.title, a));
  if (!action) {
    const offered = actions.map((a) => JSON.stringify(a.title)).join(', ') || '(none)';
    throw new Error(
      `no code action matching ${String(titlePredicate)} at line ${where.start.line + 1}; offered: ${offered}`,
    );
  }
  if (typeof action.command === 'string') {
    // A plain Command, not a CodeAction.
    await vscode.commands.executeCommand(action.command, ...(action.arguments || []));
    return action;
  }
  if (action.edit) {
    const applied = await vscode.workspace.applyEdit(action.edit);
    if (!applied) throw new Error(`the edit of ${JSON.stringify(action.title)} was not applied`);
  }
  if (action.command) {
    await vscode.commands.executeCommand(
      action.command.command,
      ...(action.command.arguments || []),
    );
  }
  return action;
}

/**
 * Asks the harness (codeServer.js, which drives the page with Playwright) to click the first link
 * in a webview whose text contains `text`. Returns at once: await what the click does, e.g.
 * until(vscode.window.onDidChangeActiveTextEditor, ...). If the click fails, the harness logs why.
 */
function clickInWebview(text) {
  console.log(`podsec-e2e:webview-click ${JSON.stringify({ text })}`);
}

/** A document a test made: a workspace file or an untitled one (not VS Code's own settings.json). */
function isTestDocument(doc) {
  if (doc.uri.scheme === 'untitled') return true;
  const root = workspaceFolder().uri.toString();
  return doc.uri.toString().startsWith(`${root}/`);
}

/**
 * Reverts the tests' dirty documents and closes all editors, then waits until the untitled ones
 * are gone from the extension host too, and their podsec diagnostics with them: a new untitled
 * document may reuse the name "Untitled-1", and must not meet the old one's data (openUntitled
 * gives each test's document a name of its own).
 */
async function resetEditors(timeoutMs = DEFAULT_TIMEOUT_MS) {
  for (const doc of vscode.workspace.textDocuments) {
    if (isTestDocument(doc) && doc.isDirty && !doc.isClosed) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  const untitled = () => vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'untitled');
  const closing = untitled().map((d) => d.uri);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await until(
    vscode.workspace.onDidCloseTextDocument,
    () => untitled().length === 0,
    timeoutMs,
    () =>
      `untitled documents still open: ${untitled()
        .map((d) => d.uri.toString())
        .join(', ')}`,
  );
  // The server clears a closed document's diagnostics: the next test starts without them.
  const left = () =>
    closing.filter((u) => vscode.languages.getDiagnostics(u).some((d) => d.source === 'podsec'));
  await until(
    vscode.languages.onDidChangeDiagnostics,
    () => left().length === 0,
    timeoutMs,
    () =>
      `diagnostics of closed untitled documents still there: ${left()
        .map((u) => u.toString())
        .join(', ')}`,
  );
}

module.exports = {
  until,
  workspaceFolder,
  uriOf,
  openDoc,
  openUntitled,
  lineOf,
  describeDiagnostics,
  waitForDiagnostics,
  setSetting,
  applyCodeAction,
  clickInWebview,
  resetEditors,
};
