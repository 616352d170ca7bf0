'use strict';
/* global document, window -- functions passed to page.evaluate/waitForFunction run in the browser */
// UI test of the real VS Code workbench in headless chromium (Playwright): open FILE from the
// Explorer and the Problems panel, which lists the short message PROBLEM_TEXT; see the level
// advisor's code lens (LENS_TEXT) above the workload and a squiggle on the line containing
// LINE_TEXT, Ctrl+. offers a fix whose title contains FIX_TITLE, Enter applies it, the line
// becomes FIXED_LINE_TEXT without a squiggle. Saves a screenshot of the open Quick Fix menu
// above the Problems panel (docs/images/quickfix.png, used by README). Then opens the report
// from the command palette and clicks its link to FILE: the editor goes to that line.
//
//   node test/e2e/ui.js            (run.js runs it after the extension-host tests)
//
// Env: PODSEC_E2E_EXTENSION_PATH (extension to load, default: the repo root),
//      PODSEC_E2E_SCREENSHOT (where to save the image; default docs/images/quickfix.png, or a temp
//      file when PODSEC_E2E_EXTENSION_PATH points elsewhere, so README never shows another build).
//
// DOM selectors are VS Code internals (pinned: code-server 4.139.1 = VS Code 1.139.1); keep most
// assertions in the extension-host suite and this test small.

// ---- Expectations: what the extension must show --------------------------------------------
const FILE = 'deploy.yaml'; // in test/e2e/workspace
const LINE_TEXT = 'privileged: true'; // the squiggle must be on the line containing this
// the Problems panel's row for it: the short message (workload, container, what to do)
const PROBLEM_TEXT = 'Deployment app, container app: set securityContext.privileged to false';
const FIX_TITLE = 'privileged: false'; // substring of the quick fix to pick in the Ctrl+. menu
const FIXED_LINE_TEXT = 'privileged: false'; // that line's text after the fix
const REPORT_COMMAND = 'podsec: Show Pod Security Report'; // then a link to FILE is clicked
const SQUIGGLE = '.squiggly-error, .squiggly-warning';
const SQUIGGLE_TIMEOUT_MS = 60000; // from the file being shown (includes server start)
const STEP_TIMEOUT_MS = 20000;
// restricted applies (five problems); privileged: true is the one baseline finding and its fix
// changes behaviour, so no "Fix to" lens.
const LENS_TEXT = 'restricted: 5 changes | meets privileged';
// ----------------------------------------------------------------------------------------------

const fs = require('fs');
const os = require('os');
const path = require('path');
const { openWorkbench } = require('./codeServer');

const ROOT = path.resolve(__dirname, '..', '..');
const WORKSPACE = path.join(__dirname, 'workspace');

function copyWorkspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'podsec-e2e-ws-'));
  fs.cpSync(WORKSPACE, dir, { recursive: true });
  return dir;
}

function extensionPath() {
  return path.resolve(process.env.PODSEC_E2E_EXTENSION_PATH || ROOT);
}

function screenshotPath() {
  if (process.env.PODSEC_E2E_SCREENSHOT) return path.resolve(process.env.PODSEC_E2E_SCREENSHOT);
  if (extensionPath() !== ROOT) return path.join(os.tmpdir(), 'podsec-e2e-quickfix.png');
  return path.join(ROOT, 'docs', 'images', 'quickfix.png');
}

// Runs in the page: the lines of the editor that carry a squiggle, by geometry (a squiggle is an
// overlay div at the same height as its .view-line).
function squiggledLines(selector) {
  const editor = document.querySelector('.editor-instance .monaco-editor');
  if (!editor) return [];
  const lines = [...editor.querySelectorAll('.view-lines .view-line')].map((el) => ({
    text: el.textContent.replace(/\u00a0/g, ' '),
    rect: el.getBoundingClientRect(),
  }));
  const found = [];
  for (const squiggle of editor.querySelectorAll(selector)) {
    const r = squiggle.getBoundingClientRect();
    const y = r.top + r.height / 2;
    const line = lines.find((l) => y >= l.rect.top && y < l.rect.bottom);
    if (line) {
      found.push({ text: line.text, className: squiggle.className, x: r.left + r.width / 2, y });
    }
  }
  return found;
}

async function runUiTest(opts = {}) {
  const t0 = Date.now();
  const log =
    opts.log || ((m) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`));
  const title = `UI: squiggle on "${LINE_TEXT}" in ${FILE}, Ctrl+. Enter applies "${FIX_TITLE}"`;
  const folder = copyWorkspace();
  let session;
  let step = 'starting code-server and chromium';
  try {
    session = await openWorkbench({
      folder,
      extensionDevelopmentPath: extensionPath(),
      viewport: { width: 1280, height: 900 }, // also the size of the README image
      browserConsole: Boolean(process.env.PODSEC_E2E_VERBOSE),
      log,
    });
    const { page } = session;
    const guard = (promise) => Promise.race([promise, session.failed]);

    step = `opening ${FILE} from the Explorer`;
    const row = page.locator('.explorer-folders-view .monaco-list-row').filter({
      has: page.locator('.label-name', {
        hasText: new RegExp(`^${FILE.replace(/\./g, '\\.')}$`),
      }),
    });
    await guard(row.click({ timeout: 60000 }));
    await guard(
      page.waitForFunction(
        (text) =>
          [...document.querySelectorAll('.editor-instance .monaco-editor .view-line')].some((l) =>
            l.textContent.replace(/\u00a0/g, ' ').includes(text),
          ),
        LINE_TEXT,
        { timeout: STEP_TIMEOUT_MS },
      ),
    );
    log(`${FILE} is open`);

    step = 'hiding the side bar (Ctrl+B) and opening the Problems panel (Ctrl+Shift+M)';
    // Without the Explorer the Problems panel has the width to show whole messages.
    await page.keyboard.press('Control+B');
    await guard(
      page.waitForSelector('.part.sidebar', { state: 'hidden', timeout: STEP_TIMEOUT_MS }),
    );
    await page.keyboard.press('Control+Shift+M');
    const problem = await guard(
      page.waitForFunction(
        (text) =>
          [...document.querySelectorAll('.markers-panel .monaco-list-row')]
            .map((r) => r.textContent.replace(/\u00a0/g, ' '))
            .find((t) => t.includes(text)),
        PROBLEM_TEXT,
        { timeout: SQUIGGLE_TIMEOUT_MS },
      ),
    ).then(
      (handle) => handle.jsonValue(),
      async (e) => {
        if (e.name !== 'TimeoutError') throw e;
        const rows = await page.evaluate(() =>
          [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) =>
            r.textContent.trim(),
          ),
        );
        throw new Error(
          `the Problems panel has no row "${PROBLEM_TEXT}" (rows: ${JSON.stringify(rows)})`,
        );
      },
    );
    log(`Problems panel: ${problem.trim()}`);

    // The lens adds a line above `kind:`; waiting for it first keeps the squiggle where it is found.
    step = 'waiting for the level advisor code lens above the Deployment';
    const lens = await guard(
      page.waitForFunction(
        () =>
          [...document.querySelectorAll('.editor-instance .monaco-editor .codelens-decoration')]
            .map((e) => e.textContent.replace(/\u00a0/g, ' ').trim())
            .find((t) => t.includes('meets ')),
        null,
        { timeout: SQUIGGLE_TIMEOUT_MS, polling: 'raf' },
      ),
    ).then((handle) => handle.jsonValue());
    log(`code lens: ${lens}`);
    if (lens !== LENS_TEXT) throw new Error(`code lens reads "${lens}", expected "${LENS_TEXT}"`);

    step = `waiting for a squiggle on the line containing "${LINE_TEXT}"`;
    await page.evaluate(`window.podsecSquiggledLines = ${squiggledLines.toString()}`);
    const onLine = await guard(
      page.waitForFunction(
        ([selector, text]) =>
          window.podsecSquiggledLines(selector).find((s) => s.text.includes(text)),
        [SQUIGGLE, LINE_TEXT],
        { timeout: SQUIGGLE_TIMEOUT_MS, polling: 'raf' },
      ),
    ).then(
      (handle) => handle.jsonValue(),
      async (e) => {
        if (e.name !== 'TimeoutError') throw e;
        const seen = await page.evaluate((sel) => window.podsecSquiggledLines(sel), SQUIGGLE);
        const where = seen.map((s) => `"${s.text.trim()}"`).join(', ') || 'none at all';
        throw new Error(
          `no squiggle on the line containing "${LINE_TEXT}" within ${SQUIGGLE_TIMEOUT_MS / 1000} s (squiggles: ${where})`,
        );
      },
    );
    log(`squiggle (${onLine.className}) on: ${onLine.text.trim()}`);

    step = 'opening the Quick Fix menu with Ctrl+.';
    await page.mouse.click(onLine.x, onLine.y); // puts the cursor inside the squiggled range
    // Ctrl+. is only reliable once the editor has focus and has the code actions for the cursor
    // (the light bulb shows); pressed earlier it is sometimes lost.
    await guard(
      page.waitForSelector('.editor-instance .monaco-editor.focused', { timeout: STEP_TIMEOUT_MS }),
    );
    await guard(
      page.waitForSelector('.lightBulbWidget', { state: 'visible', timeout: STEP_TIMEOUT_MS }),
    );
    const rows = page.locator('.action-widget .monaco-list-row.action');
    const wanted = rows.filter({ hasText: FIX_TITLE }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      const shown = await guard(wanted.waitFor({ timeout: 5000 })).then(
        () => true,
        (e) => {
          if (e.name !== 'TimeoutError' || attempt === 3) throw e;
          return false;
        },
      );
      if (shown) break;
      log('Quick Fix menu not shown yet; pressing Ctrl+. again');
      await page.keyboard.press('Escape');
    }
    const offered = (await rows.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    log(`Quick Fix menu offers: ${offered.join(' | ')}`);

    step = `selecting the fix containing "${FIX_TITLE}"`;
    const focused = page.locator('.action-widget .monaco-list-row.action.focused');
    for (let i = 0; ; i++) {
      const text = await focused.innerText({ timeout: STEP_TIMEOUT_MS }).catch(() => '');
      if (text.includes(FIX_TITLE)) break;
      if (i > offered.length) throw new Error(`could not focus "${FIX_TITLE}" in the menu`);
      await page.keyboard.press('ArrowDown');
    }
    const shot = screenshotPath();
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    log(`screenshot: ${shot}`);

    step = 'applying the fix with Enter';
    await page.keyboard.press('Enter');
    await guard(
      page.waitForFunction(
        ([selector, fixed, stale]) => {
          const lines = [
            ...document.querySelectorAll('.editor-instance .monaco-editor .view-line'),
          ];
          const texts = lines.map((l) => l.textContent.replace(/\u00a0/g, ' '));
          if (!texts.some((t) => t.includes(fixed)) || texts.some((t) => t.includes(stale))) {
            return false;
          }
          return !window.podsecSquiggledLines(selector).some((s) => s.text.includes(fixed));
        },
        [SQUIGGLE, FIXED_LINE_TEXT, LINE_TEXT],
        { timeout: STEP_TIMEOUT_MS, polling: 'raf' },
      ),
    );
    log(`fixed: the line reads "${FIXED_LINE_TEXT}" and has no squiggle`);

    step = 'opening the report from the command palette';
    await page.keyboard.press('F1');
    await guard(page.waitForSelector('.quick-input-widget input', { timeout: STEP_TIMEOUT_MS }));
    await page.keyboard.type(REPORT_COMMAND);
    await guard(
      page
        .locator('.quick-input-list .monaco-list-row', { hasText: REPORT_COMMAND })
        .first()
        .waitFor({ timeout: STEP_TIMEOUT_MS }),
    );
    await page.keyboard.press('Enter');
    const link = page
      .frameLocator('iframe.webview.ready')
      .frameLocator('iframe#active-frame')
      .locator('a', { hasText: `${FILE}:` })
      .first();
    await guard(link.waitFor({ timeout: SQUIGGLE_TIMEOUT_MS }));
    const reportShot = path.join(os.tmpdir(), 'podsec-e2e-report.png');
    await page.screenshot({ path: reportShot });
    log(`report screenshot: ${reportShot}`);
    step = `clicking the report's link ${await link.innerText()}`;
    const where = /:(\d+)$/.exec((await link.innerText()).trim());
    if (!where) throw new Error(`the link reads "${await link.innerText()}"`);
    await link.click();
    // The file opens beside the report with the cursor on that line (the status bar says so).
    await guard(
      page.waitForFunction(
        (line) =>
          [...document.querySelectorAll('.statusbar-item')].some((e) =>
            e.textContent.includes(`Ln ${line},`),
          ),
        where[1],
        { timeout: STEP_TIMEOUT_MS },
      ),
    );
    log(`the link opened ${FILE} at line ${where[1]}`);

    console.log(`  ✔ ${title}`);
    return { passed: 1, failed: 0 };
  } catch (e) {
    console.error(`  ✘ ${title}\n    failed while ${step}: ${e.message.split('\n')[0]}`);
    if (session) {
      const shot = path.join(os.tmpdir(), `podsec-e2e-ui-failure-${Date.now()}.png`);
      await session.page.screenshot({ path: shot }).catch(() => {});
      console.error(`    screenshot: ${shot}\n    code-server log: ${session.cs.logFile}`);
    }
    await session?.close({ keep: true });
    return { passed: 0, failed: 1 };
  } finally {
    if (session) await session.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

module.exports = { runUiTest };

if (require.main === module) {
  runUiTest().then(
    ({ passed, failed }) => {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed > 0 ? 1 : 0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
