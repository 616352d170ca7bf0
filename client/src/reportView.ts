/**
 * The report's tab: one webview panel, reused by every report, that shows
 * the server's Markdown as HTML and follows the colour theme.
 *
 * - The HTML comes from VS Code's own Markdown renderer (the built-in
 *   `markdown.api.render` command), so the report reads as the Markdown
 *   preview would; without it (the built-in Markdown extension disabled) the
 *   Markdown is shown as escaped text.
 * - User text (names, values, paths) is escaped twice over: the server
 *   escapes it in the Markdown (`escapeMarkdown`, code spans), and the
 *   renderer escapes what reaches the HTML. The page's Content Security
 *   Policy allows no network, no frames, no plugins and only this module's
 *   own script and style (by nonce).
 * - Links to files (`file:` URIs with `#L<line>`, as the server writes them)
 *   become `#podsec-link-<n>` before rendering: the renderer never sees a
 *   file URI, and a click posts only the number. The extension opens entry
 *   n of the report's own table, so a page can open only files the report
 *   listed, at the line the report gives, beside the report.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** What the report tab shows (the command's result, for tests and callers). */
export interface ShownReport {
  title: string;
  /** The report as the server sent it. */
  markdown: string;
  /** The page's HTML body. */
  html: string;
  /** The places its links open, by link number. */
  links: ReadonlyArray<{ uri: vscode.Uri; line: number }>;
  /** The webview panel (one tab, reused). */
  panel: vscode.WebviewPanel;
}

const LINK = /\]\(((?:file|untitled):[^\s()<>]*?)#L(\d+)\)/g;
const LINK_PREFIX = '#podsec-link-';

/** The Markdown with its file links numbered, and the table of what they open. */
export function numberLinks(markdown: string): {
  markdown: string;
  links: Array<{ uri: vscode.Uri; line: number }>;
} {
  const links: Array<{ uri: vscode.Uri; line: number }> = [];
  const index = new Map<string, number>();
  const out = markdown.replace(LINK, (whole, target: string, line: string) => {
    const key = `${target}#L${line}`;
    let n = index.get(key);
    if (n === undefined) {
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(target, true);
      } catch {
        return whole;
      }
      n = links.length;
      links.push({ uri, line: Math.max(1, Number(line)) });
      index.set(key, n);
    }
    return `](${LINK_PREFIX}${n})`;
  });
  return { markdown: out, links };
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** The Markdown as HTML: VS Code's renderer, else the text itself, escaped. */
async function render(markdown: string): Promise<string> {
  try {
    const html = await vscode.commands.executeCommand<string>('markdown.api.render', markdown);
    if (typeof html === 'string' && html.length > 0) return html;
  } catch {
    // No Markdown renderer: fall through to the text.
  }
  return `<pre>${escapeHtml(markdown)}</pre>`;
}

// Theme colours come from the variables VS Code defines in every webview.
const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size);
  color: var(--vscode-foreground); background: var(--vscode-editor-background);
  line-height: 1.5; padding: 0 26px 26px; max-width: 980px; }
a { color: var(--vscode-textLink-foreground); text-decoration: none; cursor: pointer; }
a:hover, a:focus { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
a:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
code { font-family: var(--vscode-editor-font-family); font-size: 0.95em;
  background: var(--vscode-textCodeBlock-background); padding: 1px 4px; border-radius: 3px; }
pre { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35));
  padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--vscode-editorWidget-background); }
h1, h2, h3 { font-weight: 600; }
h2 { border-bottom: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35));
  padding-bottom: 4px; margin-top: 28px; }
`;

// The one script: a click (or Enter) on a numbered link posts its number.
const SCRIPT = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const a = event.target instanceof Element ? event.target.closest('a') : null;
  if (!a) return;
  const m = /^${LINK_PREFIX}(\\d+)$/.exec(a.getAttribute('href') || '');
  if (!m) return;
  event.preventDefault();
  vscode.postMessage({ type: 'open', link: Number(m[1]) });
});
`;

function page(webview: vscode.Webview, title: string, body: string): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "form-action 'none'",
    "frame-src 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
${body}
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}

/** The report's one tab. */
export class ReportPanel implements vscode.Disposable {
  static readonly viewType = 'podsec.report';
  private panel: vscode.WebviewPanel | undefined;
  private links: ReadonlyArray<{ uri: vscode.Uri; line: number }> = [];
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows a report (a new tab the first time, the same tab after). */
  async show(markdown: string, title: string): Promise<ShownReport> {
    const numbered = numberLinks(markdown);
    const html = await render(numbered.markdown);
    const panel = this.panel ?? this.create(title);
    panel.title = title;
    this.links = numbered.links;
    panel.webview.html = page(panel.webview, title, html);
    panel.reveal(undefined, false);
    return { title, markdown, html, links: numbered.links, panel };
  }

  private create(title: string): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(
      ReportPanel.viewType,
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      {
        enableScripts: true,
        enableCommandUris: false,
        enableForms: false,
        enableFindWidget: true,
        localResourceRoots: [],
      },
    );
    this.panel = panel;
    this.disposables.push(
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.links = [];
        }
      }),
      panel.webview.onDidReceiveMessage((m: unknown) => this.open(m)),
    );
    return panel;
  }

  /** A link's message: `{type: 'open', link: n}`, n an entry of the report's table. */
  private async open(message: unknown): Promise<void> {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { type?: unknown; link?: unknown };
    if (m.type !== 'open' || typeof m.link !== 'number' || !Number.isInteger(m.link)) return;
    const target = this.links[m.link];
    if (!target) return;
    try {
      const doc = await vscode.workspace.openTextDocument(target.uri);
      const line = Math.min(target.line - 1, Math.max(0, doc.lineCount - 1));
      const at = new vscode.Range(line, 0, line, 0);
      // Beside the report, which stays visible: in another group if there is one.
      const here = this.panel?.viewColumn;
      const other = vscode.window.tabGroups.all.find((g) => g.viewColumn !== here)?.viewColumn;
      await vscode.window.showTextDocument(doc, {
        viewColumn: other ?? vscode.ViewColumn.Beside,
        selection: at,
        preview: false,
      });
    } catch (e) {
      void vscode.window.showWarningMessage(
        `podsec: cannot open ${target.uri.scheme === 'file' ? target.uri.fsPath : target.uri.toString()}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
