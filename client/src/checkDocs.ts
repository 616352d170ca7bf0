/**
 * "podsec: Show Check Documentation…" and the code action "Show documentation
 * for <check>": opens the check's page the extension ships
 * (docs/checks/<check>.md, written from the check registry) in the Markdown
 * preview. Without a check ID, a picker lists the pages.
 */
import * as vscode from 'vscode';

const CHECK_ID = /^[A-Za-z][A-Za-z0-9_]*$/;

function docsFolder(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.extensionUri, 'docs', 'checks');
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function pickCheck(folder: vscode.Uri): Promise<string | undefined> {
  let entries: Array<[string, vscode.FileType]> = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch {
    // no pages: the picker says so
  }
  const ids = entries
    .map(([name]) => name)
    .filter((n) => n.endsWith('.md') && n !== 'README.md')
    .map((n) => n.slice(0, -3))
    .sort();
  if (ids.length === 0) {
    void vscode.window.showWarningMessage('podsec: this installation has no check documentation.');
    return undefined;
  }
  return vscode.window.showQuickPick(ids, { title: 'podsec: show the documentation of a check' });
}

/** Opens the page of `arg` (a check ID), or asks for one. Resolves with the page's URI. */
export async function showCheckDocs(
  context: vscode.ExtensionContext,
  arg?: unknown,
): Promise<vscode.Uri | undefined> {
  const folder = docsFolder(context);
  const id = typeof arg === 'string' ? arg : await pickCheck(folder);
  if (id === undefined) return undefined;
  const page = vscode.Uri.joinPath(folder, `${id}.md`);
  if (!CHECK_ID.test(id) || !(await exists(page))) {
    void vscode.window.showWarningMessage(`podsec: no documentation for "${id}".`);
    return undefined;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', page);
  } catch {
    // No Markdown preview (the built-in extension disabled): the page as text.
    await vscode.window.showTextDocument(page, { preview: true });
  }
  return page;
}
