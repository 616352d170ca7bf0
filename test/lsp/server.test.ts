/**
 * The built language server, spoken to over a real stdio connection as an
 * editor does: initialize, didOpen, incremental didChange, configuration,
 * Namespace labels from disk, diagnostics, hover, code actions (quick fixes,
 * fix-all, suppressions), commands, didClose. Waits are on events only.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  CodeAction,
  Diagnostic,
  Hover,
  InitializeResult,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  TextEdit,
} from 'vscode-languageserver-protocol';
import { analyze } from '@podsec/server';
import { applyTextEdits, fileUri, LspClient } from '../support/lspClient';
import { deploymentYaml } from '../support/manifests';

/** A check's documentation page in the checkout (the server finds docs/checks from where it runs). */
const docsPage = (check: string): string =>
  pathToFileURL(path.join(__dirname, '..', '..', '..', 'docs', 'checks', `${check}.md`)).href;
/** These tests are about the Pod Security findings: the hardening checks are off (see hardening.test.ts). */
const PSS_ONLY = { severity: { hardening: 'off' } };

const DEPLOYMENT = `# Deployment "web": comments must survive fixes
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      # the only container
      containers:
        - name: app # the app
          image: nginx
          securityContext:
            privileged: true
            allowPrivilegeEscalation: true
`;

const TWO_WORKLOADS = `# two workloads
apiVersion: apps/v1
kind: Deployment
metadata:
  name: one
spec:
  template:
    spec:
      containers:
        - name: a # first
          image: nginx
          securityContext:
            allowPrivilegeEscalation: true
---
# second workload
apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
    - name: b # second
      image: nginx
      securityContext:
        allowPrivilegeEscalation: true
`;

const SHOP_DEPLOYMENT = deploymentYaml({
  name: 'cart',
  namespace: 'shop',
  container: 'cart',
  securityContext: { privileged: true },
});

function namespaceYaml(enforce: string, warn: string): string {
  return `# shop is enforced at ${enforce}
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: ${enforce}
    pod-security.kubernetes.io/warn: ${warn}
`;
}

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));
const has = (p: PublishDiagnosticsParams, code: string) => codes(p).includes(code);
const find = (p: PublishDiagnosticsParams, code: string): Diagnostic => {
  const d = p.diagnostics.find((x) => x.code === code);
  assert.ok(d, `no ${code} diagnostic in ${JSON.stringify(codes(p))}`);
  return d;
};
const text = (d: Diagnostic): string =>
  typeof d.message === 'string' ? d.message : d.message.value;
const commentLines = (text: string) => text.split('\n').filter((l) => l.includes('#'));

/** Every comment of `before` is still in `after` (whole lines or trailing comments). */
function assertCommentsKept(before: string, after: string): void {
  for (const line of commentLines(before)) {
    const comment = line.slice(line.indexOf('#'));
    assert.ok(after.includes(comment), `comment ${JSON.stringify(comment)} lost:\n${after}`);
  }
}

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in text`);
  return i;
}

function singleEdit(action: CodeAction): { version: number | null; edits: TextEdit[] } {
  const changes = action.edit?.documentChanges;
  assert.ok(
    changes && changes.length === 1,
    `expected one documentChange: ${JSON.stringify(action)}`,
  );
  const dc = changes[0] as TextDocumentEdit;
  return { version: dc.textDocument.version, edits: dc.edits as TextEdit[] };
}

describe('podsec language server over stdio', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-'));
    writeFileSync(path.join(root, 'namespace.yaml'), namespaceYaml('baseline', 'restricted'));
    mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
    // A Namespace inside node_modules must not count.
    writeFileSync(
      path.join(root, 'node_modules', 'dep', 'ns.yaml'),
      namespaceYaml('privileged', 'privileged').replace('shop', 'vendored'),
    );
    client = await LspClient.start({ root, settings: { ...PSS_ONLY } });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('initialize: incremental sync, hover, code actions with resolve, server-side commands only', () => {
    const caps = (client.initializeResult as InitializeResult).capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.equal(caps.hoverProvider, true);
    assert.deepEqual(caps.codeActionProvider, {
      codeActionKinds: ['quickfix', 'source.fixAll.podsec'],
      resolveProvider: true,
    });
    const commands = caps.executeCommandProvider?.commands ?? [];
    assert.ok(commands.includes('podsec.fixAllInFile'));
    for (const clientSide of ['podsec.restartServer', 'podsec.selectLevel', 'podsec.showOutput']) {
      assert.ok(!commands.includes(clientSide), `${clientSide} is the client's`);
    }
  });

  it('registers a watcher for YAML files and the Kustomize inputs that are not YAML', async () => {
    // Registration happens after `initialized`; a request round trip orders it before this check.
    await client.request('podsec/policyForDocument', { uri: 'file:///nowhere.yaml' });
    const reg = client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(reg, JSON.stringify(client.registrations));
    assert.deepEqual(reg.registerOptions, {
      watchers: [
        { globPattern: '**/*.{yaml,yml}' },
        { globPattern: '**/Kustomization' },
        { globPattern: '**/*.env' },
        { globPattern: '**/.env' },
      ],
    });
  });

  it('didOpen: exact ranges, severities, codes, links, source, messages, data', async () => {
    const uri = fileUri(path.join(root, 'open.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    const p = await client.diagnosticsForCurrent(uri);
    assert.equal(p.version, 1);
    assert.deepEqual(codes(p).sort(), [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'privileged',
      'runAsNonRoot',
      'seccompProfile_restricted',
    ]);
    const priv = find(p, 'privileged');
    const line = lineOf(DEPLOYMENT, 'privileged: true');
    assert.deepEqual(priv.range, {
      start: { line, character: 12 },
      end: { line, character: 12 + 'privileged: true'.length },
    });
    assert.equal(priv.severity, 1);
    assert.equal(priv.source, 'podsec');
    // The check's own page, shipped with the extension (docs/checks).
    assert.deepEqual(priv.codeDescription, { href: docsPage('privileged') });
    assert.ok(existsSync(fileURLToPath(docsPage('privileged'))));
    // The short form: workload, container, what to do (upstream's wording is in the hover).
    assert.match(
      text(priv),
      /^Deployment \S+, container app: set securityContext\.privileged to false$/,
    );
    assert.deepEqual(priv.data, { version: 1, index: 0, code: 'privileged' });
    const ape = find(p, 'allowPrivilegeEscalation');
    assert.deepEqual(ape.codeDescription, { href: docsPage('allowPrivilegeEscalation') });
    const apeLine = lineOf(DEPLOYMENT, 'allowPrivilegeEscalation: true');
    assert.deepEqual(ape.range.start, { line: apeLine, character: 12 });
    assert.equal(ape.relatedInformation, undefined, 'the setting chose the level, not a label');
    await client.close(uri);
  });

  it('didChange (incremental): a fixed field disappears; superseded versions are never published', async () => {
    const uri = fileUri(path.join(root, 'change.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    await client.diagnosticsForCurrent(uri);
    const mark = client.published.length;
    // Three changes back to back. The first after a pause is analysed at once (it may be
    // published); those that follow within the burst are coalesced: only the last is published.
    await client.replace(uri, 'privileged: true', 'privileged: false');
    const v3 = await client.replace(uri, 'image: nginx', 'image: nginx2');
    const v4 = await client.replace(
      uri,
      'allowPrivilegeEscalation: true',
      'allowPrivilegeEscalation: false',
    );
    const p = await client.waitForDiagnostics(uri, (x) => x.version === v4, 'version 4');
    assert.ok(!has(p, 'privileged'));
    assert.ok(!has(p, 'allowPrivilegeEscalation'));
    const expected = analyze(client.text(uri))
      .findings.map((f) => f.check)
      .sort();
    assert.deepEqual(codes(p).sort(), expected, 'the publish matches the final text');
    const since = client.published.slice(mark).filter((x) => x.uri === uri);
    assert.ok(!since.some((x) => x.version === v3), 'no publish for the superseded version 3');
    assert.equal(since.at(-1)?.version, v4, 'the last publish is for the last version');
    // Undo one: the finding comes back at the right place.
    const v5 = await client.replace(uri, 'privileged: false', 'privileged: true');
    const p5 = await client.waitForDiagnostics(uri, (x) => x.version === v5, 'version 5');
    assert.equal(find(p5, 'privileged').range.start.line, lineOf(DEPLOYMENT, 'privileged: true'));
    await client.close(uri);
  });

  it('configuration: level baseline drops restricted findings; an invalid version warns once', async () => {
    const uri = fileUri(path.join(root, 'config.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    const before = await client.diagnosticsForCurrent(uri);
    assert.ok(has(before, 'allowPrivilegeEscalation'));
    client.settings = { ...PSS_ONLY, level: 'baseline' };
    await client.changeConfiguration();
    const baseline = await client.nextDiagnostics(uri, (x) => !has(x, 'allowPrivilegeEscalation'));
    assert.deepEqual(codes(baseline), ['privileged']);
    assert.equal(baseline.version, 1);

    client.settings = {
      ...PSS_ONLY,
      level: 'restricted',
      version: 'v9',
      severity: { runAsNonRoot: 'off', privileged: 'warning', hardening: 'off' },
    };
    await client.changeConfiguration();
    const p = await client.nextDiagnostics(uri, (x) => has(x, 'allowPrivilegeEscalation'));
    assert.ok(!has(p, 'runAsNonRoot'), 'severity "off" hides a check');
    assert.equal(find(p, 'privileged').severity, 2, 'severity override');
    const warnings = () => client.messages.filter((m) => m.message.includes('podsec.version'));
    assert.equal(warnings().length, 1);
    assert.equal(warnings()[0]!.type, 2);
    await client.changeConfiguration();
    await client.nextDiagnostics(uri, () => true);
    assert.equal(warnings().length, 1, 'the warning is shown once');
    client.settings = { ...PSS_ONLY };
    await client.changeConfiguration();
    await client.nextDiagnostics(uri, (x) => has(x, 'runAsNonRoot'));
    await client.close(uri);
  });

  it('Namespace labels from a file on disk choose level and severity, with related information', async () => {
    const uri = fileUri(path.join(root, 'shop-deploy.yaml'));
    await client.open(uri, SHOP_DEPLOYMENT, 1);
    const plain = await client.waitForDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => d.code === 'privileged'),
      'namespace-labelled diagnostics',
    );
    assert.ok(
      plain.diagnostics.every((d) => d.relatedInformation === undefined),
      'one row per problem: no related information unless podsec.relatedInformation',
    );
    client.settings = { ...PSS_ONLY, relatedInformation: true };
    await client.changeConfiguration();
    const p = await client.waitForDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => d.relatedInformation !== undefined),
      'namespace-labelled diagnostics with related information',
    );
    client.settings = { ...PSS_ONLY };
    await client.changeConfiguration();
    assert.equal(find(p, 'privileged').severity, 1, 'enforce: baseline → error');
    assert.equal(find(p, 'allowPrivilegeEscalation').severity, 2, 'warn: restricted → warning');
    const related = find(p, 'privileged').relatedInformation?.[0];
    assert.ok(related);
    const nsText = namespaceYaml('baseline', 'restricted');
    assert.equal(related.location.uri, fileUri(path.join(root, 'namespace.yaml')));
    assert.equal(related.location.range.start.line, lineOf(nsText, 'enforce: baseline'));
    assert.match(related.message, /pod-security\.kubernetes\.io\/enforce=baseline/);
    assert.equal(
      find(p, 'allowPrivilegeEscalation').relatedInformation?.[0]?.location.range.start.line,
      lineOf(nsText, 'warn: restricted'),
    );

    const policy = await client.request<Record<string, unknown>>('podsec/policyForDocument', {
      uri,
    });
    assert.deepEqual(policy, {
      level: 'baseline',
      version: 'latest',
      evaluatedVersion: policy.evaluatedVersion,
      source: 'namespace',
      namespace: 'shop',
      label: 'pod-security.kubernetes.io/enforce',
      file: fileUri(path.join(root, 'namespace.yaml')),
      modes: [
        {
          mode: 'enforce',
          level: 'baseline',
          version: 'latest',
          label: 'pod-security.kubernetes.io/enforce',
        },
        {
          mode: 'warn',
          level: 'restricted',
          version: 'latest',
          label: 'pod-security.kubernetes.io/warn',
        },
        { mode: 'audit', level: 'privileged', version: 'latest', label: null },
      ],
    });
    assert.match(String(policy.evaluatedVersion), /^v1\.\d+$/);
    const pushed = await client.waitForNotification<{ uri: string; policy: { source: string } }>(
      'podsec/didChangePolicy',
      (n) => n.uri === uri && n.policy?.source === 'namespace',
    );
    assert.equal(pushed.policy.source, 'namespace');

    // Hover explains why.
    const line = lineOf(SHOP_DEPLOYMENT, 'privileged: true');
    const hover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: 14 },
    });
    const md = (hover.contents as { value: string }).value;
    assert.match(
      md,
      /namespace "shop" label `pod-security\.kubernetes\.io\/enforce=baseline` in namespace\.yaml/,
    );

    // The file changes on disk: the watcher event re-validates.
    writeFileSync(path.join(root, 'namespace.yaml'), namespaceYaml('restricted', 'restricted'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(path.join(root, 'namespace.yaml')), type: 2 }],
    });
    const q = await client.nextDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => d.code === 'allowPrivilegeEscalation' && d.severity === 1),
      'enforce: restricted after the file changed',
    );
    assert.equal(find(q, 'privileged').severity, 1);

    // An open Namespace document wins over the file on disk.
    const nsUri = fileUri(path.join(root, 'namespace.yaml'));
    await client.open(nsUri, namespaceYaml('privileged', 'privileged'), 1);
    const r = await client.nextDiagnostics(
      uri,
      (x) => x.diagnostics.length === 0,
      'privileged namespace',
    );
    assert.equal(r.diagnostics.length, 0);
    await client.close(nsUri);
    await client.nextDiagnostics(uri, (x) => has(x, 'privileged'), 'disk labels again');
    writeFileSync(path.join(root, 'namespace.yaml'), namespaceYaml('baseline', 'restricted'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: nsUri, type: 2 }],
    });
    await client.nextDiagnostics(uri, (x) =>
      x.diagnostics.some((d) => d.code === 'allowPrivilegeEscalation' && d.severity === 2),
    );
    await client.close(uri);
  });

  it('hover: check title, policy and why, what is allowed, upstream message, fixes', async () => {
    const uri = fileUri(path.join(root, 'hover.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    await client.diagnosticsForCurrent(uri);
    const line = lineOf(DEPLOYMENT, 'allowPrivilegeEscalation: true');
    const hover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: 20 },
    });
    assert.ok(hover);
    const md = (hover.contents as { kind: string; value: string }).value;
    assert.equal((hover.contents as { kind: string }).kind, 'markdown');
    assert.match(
      md,
      /^\*\*Privilege escalation\*\* · `allowPrivilegeEscalation` \(restricted, enforce\)\n/,
    );
    assert.match(
      md,
      /Deployment \S+, container app: \*\*set securityContext\.allowPrivilegeEscalation to false\*\*/,
    );
    assert.match(md, /Policy: \*\*restricted\*\* at latest \(v1\.\d+\)/);
    assert.match(md, /podsec\.level/);
    assert.match(md, /Allowed: /);
    assert.match(
      md,
      /Upstream: `allowPrivilegeEscalation != false \(container "app" must set securityContext\.allowPrivilegeEscalation=false\)`/,
    );
    assert.match(md, /Fix: Set allowPrivilegeEscalation: false \(Ctrl\+\.\)/);
    // upstream's wording once, the links last
    assert.equal(md.split('must set securityContext.allowPrivilegeEscalation').length, 2);
    assert.match(
      md,
      /\n\[Documentation: allowPrivilegeEscalation\]\(file:[^)]+\/docs\/checks\/allowPrivilegeEscalation\.md\) · \[Pod Security Standards: restricted\]\([^)]+\)$/,
    );
    assert.deepEqual(hover.range?.start, { line, character: 12 });
    const none = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 1, character: 2 },
    });
    assert.equal(none, null, 'no hover away from findings');
    await client.close(uri);
  });

  it('quick fix: preferred when safe, versioned, attached to its diagnostic; applying removes the finding and keeps comments', async () => {
    const uri = fileUri(path.join(root, 'quickfix.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    const p = await client.diagnosticsForCurrent(uri);
    const ape = find(p, 'allowPrivilegeEscalation');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: ape.range,
      context: { diagnostics: p.diagnostics.filter((d) => d === ape) },
    });
    const fix = actions.find((a) => a.title === 'Set allowPrivilegeEscalation: false');
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    assert.deepEqual(fix.diagnostics, [ape]);
    const { version, edits } = singleEdit(fix);
    assert.equal(version, 1);
    // Nothing about privileged at this range.
    assert.ok(!actions.some((a) => a.title.includes('privileged: false')));

    const privActions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: find(p, 'privileged').range,
      context: { diagnostics: [] },
    });
    const privFix = privActions.find(
      (a) => a.title === 'Set privileged: false (may change how the workload runs)',
    );
    assert.ok(privFix);
    assert.notEqual(privFix.isPreferred, true, 'a fix that may change behaviour is not preferred');

    const applied = client.applyEdit(fix.edit!);
    assert.equal(applied.applied, true);
    const after = await client.diagnosticsForCurrent(uri);
    assert.ok(!has(after, 'allowPrivilegeEscalation'));
    assert.ok(has(after, 'privileged'));
    assertCommentsKept(DEPLOYMENT, client.text(uri));
    assert.equal(client.text(uri), applyTextEdits(DEPLOYMENT, edits));

    // The same edit again is for version 1: refused, as an editor refuses a stale edit.
    assert.equal(client.applyEdit(fix.edit!).applied, false);
    await client.close(uri);
  });

  it('fix all in this workload and in this file (resolved lazily), and source.fixAll.podsec', async () => {
    const uri = fileUri(path.join(root, 'fixall.yaml'));
    await client.open(uri, TWO_WORKLOADS, 1);
    const p = await client.diagnosticsForCurrent(uri);
    const first = p.diagnostics.find(
      (d) => d.code === 'allowPrivilegeEscalation' && d.range.start.line < 14,
    )!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: first.range,
      context: { diagnostics: [first] },
    });
    const workload = actions.find(
      (a) => a.title === 'Fix all Pod Security findings in this workload',
    );
    const file = actions.find((a) => a.title === 'Fix all Pod Security findings in this file');
    assert.ok(workload && file, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(workload.edit, undefined, 'computed on resolve, not per request');

    const resolved = await client.request<CodeAction>('codeAction/resolve', workload);
    const { version, edits } = singleEdit(resolved);
    assert.equal(version, 1);
    assert.equal(edits.length, 1, 'one edit for the whole workload');
    assert.ok(edits[0]!.range.start.line > 0, 'the edit starts where the change does');
    assert.equal(client.applyEdit(resolved.edit!).applied, true);
    const afterWorkload = await client.diagnosticsForCurrent(uri);
    const text1 = client.text(uri);
    const secondStart = lineOf(text1, '# second workload');
    const apeLines = afterWorkload.diagnostics
      .filter((d) => d.code === 'allowPrivilegeEscalation')
      .map((d) => d.range.start.line);
    assert.ok(
      apeLines.length === 1 && apeLines[0]! > secondStart,
      `only the second remains: ${JSON.stringify(apeLines)}`,
    );
    assertCommentsKept(TWO_WORKLOADS, text1);
    assert.equal(
      text1.slice(text1.indexOf('---')),
      TWO_WORKLOADS.slice(TWO_WORKLOADS.indexOf('---')),
    );

    // Resolving an action offered for an older version gives no edit.
    const stale = await client.request<CodeAction>('codeAction/resolve', file);
    assert.equal(stale.edit, undefined, 'stale fix-all refused');

    // source.fixAll.podsec, as editor.codeActionsOnSave asks: computed at once.
    const onSave = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.equal(onSave.length, 1);
    assert.equal(onSave[0]!.kind, 'source.fixAll.podsec');
    assert.equal(singleEdit(onSave[0]!).edits.length, 1);
    assert.equal(client.applyEdit(onSave[0]!.edit!).applied, true);
    const final = await client.diagnosticsForCurrent(uri);
    const remaining = analyze(client.text(uri)).findings;
    assert.ok(
      remaining.every((f) => !f.fixes.some((x) => x.safe)),
      'no safe fix left after fix-all',
    );
    assert.ok(!has(final, 'allowPrivilegeEscalation'));
    assertCommentsKept(TWO_WORKLOADS, client.text(uri));
    await client.close(uri);
  });

  it('podsec.fixAllInFile applies the safe fixes through workspace/applyEdit', async () => {
    const uri = fileUri(path.join(root, 'command.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    await client.diagnosticsForCurrent(uri);
    await client.request('workspace/executeCommand', {
      command: 'podsec.fixAllInFile',
      arguments: [uri],
    });
    // The server's applyEdit was applied by the client (version 2) before the command returned.
    assert.equal(client.docs.get(uri)!.version, 2);
    const p = await client.diagnosticsForCurrent(uri);
    assert.ok(!has(p, 'allowPrivilegeEscalation'));
    assert.ok(has(p, 'privileged'), 'unsafe fixes are not applied');
    assertCommentsKept(DEPLOYMENT, client.text(uri));
    await client.close(uri);
  });

  it('suppress: writes the comment above at the line indentation; the finding disappears', async () => {
    const uri = fileUri(path.join(root, 'suppress.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    const p = await client.diagnosticsForCurrent(uri);
    const priv = find(p, 'privileged');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: priv.range,
      context: { diagnostics: [priv] },
    });
    const suppress = actions.find((a) => a.title === 'Suppress privileged here');
    assert.ok(suppress, JSON.stringify(actions.map((a) => a.title)));
    assert.deepEqual(suppress.diagnostics, [priv]);
    const { edits } = singleEdit(suppress);
    const line = lineOf(DEPLOYMENT, 'privileged: true');
    assert.deepEqual(edits, [
      {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        newText: '            # podsec-ignore privileged -- reason\n',
      },
    ]);
    assert.equal(client.applyEdit(suppress.edit!).applied, true);
    const after = await client.diagnosticsForCurrent(uri);
    assert.ok(!has(after, 'privileged'));
    assert.ok(!has(after, 'invalidSuppression'), JSON.stringify(codes(after)));
    assert.ok(has(after, 'allowPrivilegeEscalation'), 'only that check is silenced');
    await client.close(uri);
  });

  it('policyForDocument: the configured policy outside labelled namespaces; null for unknown documents', async () => {
    const uri = fileUri(path.join(root, 'policy.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    const policy = await client.request<Record<string, unknown>>('podsec/policyForDocument', {
      uri,
    });
    assert.equal(policy.level, 'restricted');
    assert.equal(policy.version, 'latest');
    assert.equal(policy.source, 'setting');
    assert.equal(policy.namespace, undefined);
    const none = await client.request('podsec/policyForDocument', { uri: `${uri}.missing` });
    assert.equal(none, null);
    await client.close(uri);
  });

  it('YAML errors become podsec diagnostics with code yaml', async () => {
    const uri = fileUri(path.join(root, 'broken.yaml'));
    await client.open(uri, 'apiVersion: v1\nkind: Pod\nspec: [\n', 1);
    const p = await client.diagnosticsForCurrent(uri);
    const yaml = p.diagnostics.find((d) => d.code === 'yaml');
    assert.ok(yaml, JSON.stringify(p.diagnostics));
    assert.equal(yaml.source, 'podsec');
    assert.equal(yaml.severity, 1);
    await client.close(uri);
  });

  it('exclude and enable: excluded or disabled documents get no diagnostics', async () => {
    const uri = fileUri(path.join(root, 'generated', 'x.yaml'));
    client.settings = { ...PSS_ONLY, exclude: ['generated/**'] };
    await client.changeConfiguration();
    await client.open(uri, DEPLOYMENT, 1);
    const p = await client.diagnosticsForCurrent(uri);
    assert.deepEqual(p.diagnostics, []);
    client.settings = { ...PSS_ONLY, exclude: [] };
    await client.changeConfiguration();
    await client.nextDiagnostics(uri, (x) => has(x, 'privileged'));
    client.settings = { ...PSS_ONLY, enable: false };
    await client.changeConfiguration();
    await client.nextDiagnostics(uri, (x) => x.diagnostics.length === 0);
    client.settings = { ...PSS_ONLY };
    await client.changeConfiguration();
    await client.nextDiagnostics(uri, (x) => has(x, 'privileged'));
    await client.close(uri);
  });

  it('didClose publishes empty diagnostics', async () => {
    const uri = fileUri(path.join(root, 'close.yaml'));
    await client.open(uri, DEPLOYMENT, 1);
    await client.diagnosticsForCurrent(uri);
    await client.close(uri);
    const p = await client.nextDiagnostics(uri, () => true, 'the clearing publish');
    assert.deepEqual(p.diagnostics, []);
    const hover = await client.request('textDocument/hover', {
      textDocument: { uri },
      position: { line: 13, character: 14 },
    });
    assert.equal(hover, null);
  });
});

describe('podsec language server: other clients', () => {
  it('without workspace/configuration: initializationOptions, plain suppression edits, fix-all by command', async () => {
    const client = await LspClient.start({
      configuration: false,
      resolve: false,
      initializationOptions: { podsec: { ...PSS_ONLY, level: 'baseline' } },
    });
    try {
      const uri = 'untitled:Untitled-1';
      await client.open(uri, DEPLOYMENT, 1);
      const p = await client.diagnosticsForCurrent(uri);
      assert.deepEqual(codes(p), ['privileged']);
      assert.equal(client.configurationRequests.length, 0);

      // Pushed settings (as Neovim sends them).
      client.settings = { ...PSS_ONLY, level: 'restricted' };
      await client.changeConfiguration();
      const q = await client.nextDiagnostics(uri, (x) => has(x, 'allowPrivilegeEscalation'));
      const ape = find(q, 'allowPrivilegeEscalation');
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: ape.range,
        context: { diagnostics: [ape] },
      });
      const file = actions.find((a) => a.title === 'Fix all Pod Security findings in this file');
      assert.ok(file?.command, 'without resolve support the fix-all runs as a command');
      assert.equal(file.command.command, 'podsec.applyFixAll');
      await client.request('workspace/executeCommand', file.command);
      const after = await client.diagnosticsForCurrent(uri);
      assert.ok(!has(after, 'allowPrivilegeEscalation'));
    } finally {
      await client.stop();
    }
  });

  it('with snippet support, the suppression reason is a placeholder', async () => {
    const client = await LspClient.start({ snippets: true, settings: { ...PSS_ONLY } });
    try {
      const uri = 'untitled:Untitled-2';
      await client.open(uri, DEPLOYMENT, 1);
      const p = await client.diagnosticsForCurrent(uri);
      const priv = find(p, 'privileged');
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: priv.range,
        context: { diagnostics: [priv] },
      });
      const suppress = actions.find((a) => a.title === 'Suppress privileged here')!;
      const dc = suppress.edit!.documentChanges![0] as TextDocumentEdit;
      const line = lineOf(DEPLOYMENT, 'privileged: true');
      assert.deepEqual(dc.edits[0], {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        snippet: {
          kind: 'snippet',
          value: '            # podsec-ignore privileged -- ${1:reason}\n',
        },
      });
    } finally {
      await client.stop();
    }
  });
});
