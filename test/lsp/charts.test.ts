/**
 * Helm charts in the language server, over a real stdio connection: opening
 * values.yaml, a template or _helpers.tpl of a chart (whatever language the
 * editor gives it) shows each file's findings from rendering the whole chart;
 * typing in one file (unsaved) updates the others; the document policy names
 * the chart, value set and release.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  CodeLens,
  Diagnostic,
  PublishDiagnosticsParams,
  TextDocumentEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import type { PolicyForDocumentResult } from '@podsec/server/out/lsp/protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ChartAnalyses } from '@podsec/server/out/lsp/charts';
import { AnalysisResult } from '@podsec/server/out/lsp/features/analysisResult';
import { chartCodeLenses } from '@podsec/server/out/lsp/features/lenses';
import { documentPolicy } from '@podsec/server/out/lsp/features/policy';
import { DEFAULT_SETTINGS } from '@podsec/server/out/lsp/settings';
import { fileUri, LspClient } from '../support/lspClient';
import { repoRoot } from '../support/paths';

const WEB = path.join(repoRoot(), 'test', 'fixtures', 'charts', 'web');

/** What `inChartCopy` gives a test: the copy's folders, its open documents and the chart analyses over them. */
interface ChartCopy {
  root: string;
  chart: string;
  /** The URI of a file of the chart (`templates/deployment.yaml`). */
  uri: (rel: string) => string;
  open: TextDocument[];
  charts: ChartAnalyses;
}

/**
 * Runs `fn` on a copy of the web chart at `<tmp>/web`, with `files` (paths under
 * the temporary root) written beside it and `open` (chart paths, optionally with
 * a text of their own) open as documents; the copy is removed afterwards.
 */
function inChartCopy(
  prefix: string,
  files: Record<string, string>,
  open: Array<string | [string, string]>,
  fn: (c: ChartCopy) => void,
): void {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const chart = path.join(root, 'web');
  cpSync(WEB, chart, { recursive: true });
  try {
    for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(root, rel), text);
    const uri = (rel: string): string => fileUri(path.join(chart, rel));
    const docs = open.map((o) => {
      const [rel, text] = typeof o === 'string' ? [o, undefined] : o;
      return TextDocument.create(
        uri(rel),
        'yaml',
        1,
        text ?? readFileSync(path.join(chart, rel), 'utf8'),
      );
    });
    const charts = new ChartAnalyses({
      get: (u) => docs.find((d) => d.uri === u),
      all: () => docs,
    });
    fn({ root, chart, uri, open: docs, charts });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const codes = (p: PublishDiagnosticsParams): string[] =>
  p.diagnostics.map((d) => String(d.code)).sort();
const message = (d: Diagnostic): string =>
  typeof d.message === 'string' ? d.message : d.message.value;

describe('lsp: Helm charts', () => {
  let client: LspClient;
  let root: string;
  let chart: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-chart-'));
    chart = path.join(root, 'web');
    cpSync(WEB, chart, { recursive: true });
    process.env.PODSEC_TEST_HOOKS = '1';
    client = await LspClient.start({ root });
    delete process.env.PODSEC_TEST_HOOKS;
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('values.yaml and a template show the findings of the rendered chart, updated as values.yaml is edited', async () => {
    const valuesUri = fileUri(path.join(chart, 'values.yaml'));
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    const values = readFileSync(path.join(chart, 'values.yaml'), 'utf8');
    await client.open(valuesUri, values, 1);
    const v = await client.diagnosticsForCurrent(valuesUri);
    assert.deepEqual(codes(v), ['allowPrivilegeEscalation', 'privileged']);
    const priv = v.diagnostics.find((d) => d.code === 'privileged');
    assert.ok(priv);
    assert.deepEqual(priv.range, {
      start: { line: 7, character: 14 },
      end: { line: 7, character: 18 },
    });
    // The short message names the rendered workload the values key ends up in.
    assert.match(
      message(priv),
      /^Deployment release-name-web, container app: set securityContext\.privileged to false/,
    );

    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
      1,
    );
    const d = await client.diagnosticsForCurrent(deployUri);
    const run = d.diagnostics.find((x) => x.code === 'runAsNonRoot');
    assert.ok(run, JSON.stringify(d.diagnostics));
    assert.equal(run.range.start.line, 19, 'the securityContext line of the template');
    assert.match(message(run), /values key securityContext\.runAsNonRoot would set it/);
    // Templates are rendered, not checked as text: no "not evaluated" note.
    assert.ok(!d.diagnostics.some((x) => /Not evaluated/.test(message(x))));

    // Typing in values.yaml (unsaved): both files follow the render of the new text.
    const version = await client.replace(
      valuesUri,
      '  privileged: true # needs the GPU\n',
      '  privileged: false\n  runAsNonRoot: true\n',
    );
    const v2 = await client.waitForDiagnostics(
      valuesUri,
      (p) => p.version === version,
      'values.yaml after the edit',
    );
    assert.deepEqual(codes(v2), ['allowPrivilegeEscalation']);
    const d2 = await client.waitForDiagnostics(
      deployUri,
      (p) =>
        !p.diagnostics.some((x) => x.code === 'runAsNonRoot' && /container "app"/.test(message(x))),
      'deployment.yaml without the app container runAsNonRoot finding',
    );
    assert.ok(d2.diagnostics.some((x) => x.code === 'seccompProfile_restricted'));
    await client.close(deployUri);
    await client.close(valuesUri);
  });

  it('quick fix in values.yaml: applying it edits values.yaml and the re-render drops the finding', async () => {
    const valuesUri = fileUri(path.join(chart, 'values.yaml'));
    const values = readFileSync(path.join(chart, 'values.yaml'), 'utf8');
    await client.open(valuesUri, values, 3);
    const p = await client.diagnosticsForCurrent(valuesUri);
    const ape = p.diagnostics.find((d) => d.code === 'allowPrivilegeEscalation');
    assert.ok(ape, JSON.stringify(p.diagnostics));
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: valuesUri },
      range: ape.range,
      context: { diagnostics: [ape] },
    });
    const fix = actions.find((a) => a.title === 'Set allowPrivilegeEscalation: false');
    assert.ok(fix?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.equal(client.applyEdit(fix.edit).applied, true);
    assert.match(client.text(valuesUri), /^ {2}allowPrivilegeEscalation: false$/m);
    assert.match(client.text(valuesUri), /# needs the GPU/);
    const after = await client.diagnosticsForCurrent(valuesUri);
    assert.deepEqual(codes(after), ['privileged']);
    await client.close(valuesUri);
  });

  it("quick fix on a template's missing field: one edit of values.yaml, and the template's finding goes", async () => {
    const valuesUri = fileUri(path.join(chart, 'values.yaml'));
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    const isApp = (x: Diagnostic) =>
      x.code === 'capabilities_restricted' && /container app/.test(message(x));
    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
      60,
    );
    const d = await client.diagnosticsForCurrent(deployUri);
    const run = d.diagnostics.find(isApp);
    assert.ok(run, JSON.stringify(d.diagnostics.map(message)));
    const ask = () =>
      client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri: deployUri },
        range: run.range,
        context: { diagnostics: [run] },
      });
    // values.yaml closed: its edit is of the file on disk (no version).
    const closed = (await ask()).find((a) =>
      /values\.yaml: securityContext\.capabilities\.drop/.test(a.title),
    );
    assert.ok(closed?.edit, JSON.stringify((await ask()).map((a) => a.title)));
    assert.deepEqual(
      closed.edit.documentChanges?.map((c) =>
        'textDocument' in c ? [c.textDocument.uri, c.textDocument.version] : c.kind,
      ),
      [[valuesUri, null]],
    );
    // values.yaml open: the edit names its version, and applying it is one change of values.yaml.
    await client.open(valuesUri, readFileSync(path.join(chart, 'values.yaml'), 'utf8'), 60);
    await client.diagnosticsForCurrent(valuesUri);
    const fix = (await ask()).find((a) =>
      /values\.yaml: securityContext\.capabilities\.drop/.test(a.title),
    );
    assert.ok(fix?.edit);
    assert.equal(fix.isPreferred, true);
    const after = client.nextDiagnostics(
      deployUri,
      (p) => !p.diagnostics.some(isApp),
      'deployment.yaml after the fix',
    );
    assert.equal(client.applyEdit(fix.edit).applied, true);
    assert.match(client.text(valuesUri), /^ {2}capabilities:\n {4}drop:/m);
    assert.match(client.text(valuesUri), /privileged: true # needs the GPU/);
    assert.equal(client.docs.get(deployUri)?.version, 60, 'the template is not edited');
    await after;
    await client.close(valuesUri);
    await client.close(deployUri);
  });

  it('one edit of values.yaml renders the chart once for every open file of it', async () => {
    const valuesUri = fileUri(path.join(chart, 'values.yaml'));
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    await client.open(valuesUri, readFileSync(path.join(chart, 'values.yaml'), 'utf8'), 20);
    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
      20,
    );
    await client.diagnosticsForCurrent(valuesUri);
    await client.diagnosticsForCurrent(deployUri);
    const before = await client.request<number>('podsec/debugChartRenders', null);
    const mark = client.published.length;
    // The template is analysed again (the chart changed) without a render of its own.
    const deployAgain = client.nextDiagnostics(deployUri, () => true, 'deployment.yaml again');
    const version = await client.replace(valuesUri, 'replicaCount: 1', 'replicaCount: 2');
    await client.waitForDiagnostics(valuesUri, (p) => p.version === version, 'values.yaml');
    await deployAgain;
    const after = await client.request<number>('podsec/debugChartRenders', null);
    assert.equal(after - before, 1);
    assert.ok(client.published.slice(mark).some((p) => p.uri === deployUri));
    await client.close(deployUri);
    await client.close(valuesUri);
  });

  it('_helpers.tpl and a template in the helm language show their findings, follow unsaved edits, and name the chart, value set and release', async () => {
    const helpersUri = fileUri(path.join(chart, 'templates', '_helpers.tpl'));
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    // As VS Code sends them: a partial with no language of its own, a template in the `helm` language.
    await client.open(
      helpersUri,
      readFileSync(path.join(chart, 'templates', '_helpers.tpl'), 'utf8'),
      30,
      'plaintext',
    );
    const h = await client.diagnosticsForCurrent(helpersUri);
    const root = h.diagnostics.find((x) => x.code === 'runAsUser');
    assert.ok(root, JSON.stringify(h.diagnostics));
    assert.equal(root.range.start.line, 8, 'runAsUser: 0 in the helper');
    assert.match(message(root), /Deployment release-name-web, container sidecar/);
    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
      30,
      'helm',
    );
    const d = await client.diagnosticsForCurrent(deployUri);
    assert.ok(d.diagnostics.some((x) => x.code === 'runAsNonRoot'));

    const policy = await client.request<PolicyForDocumentResult | null>(
      'podsec/policyForDocument',
      { uri: helpersUri },
    );
    assert.deepEqual(policy?.chart, {
      name: 'web',
      dir: fileUri(chart),
      renders: [{ valueSet: 'default', releaseName: 'release-name', namespace: 'default' }],
    });

    // Typing in the partial (unsaved): the partial and the template that includes it follow.
    const deployAgain = client.nextDiagnostics(deployUri, () => true, 'deployment.yaml again');
    const version = await client.replace(helpersUri, 'runAsUser: 0', 'runAsUser: 1000');
    const h2 = await client.waitForDiagnostics(
      helpersUri,
      (p) => p.version === version,
      '_helpers.tpl after the edit',
    );
    assert.ok(!h2.diagnostics.some((x) => x.code === 'runAsUser'), JSON.stringify(h2.diagnostics));
    await deployAgain;
    await client.close(deployUri);
    await client.close(helpersUri);
  });

  it('a client without relative patterns is asked once to watch the files charts are made of', () => {
    const globs = client.registrations
      .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
      .flatMap((r) => (r.registerOptions as { watchers: Array<{ globPattern: unknown }> }).watchers)
      .map((w) => w.globPattern);
    assert.deepEqual(
      globs.filter((g) => g === '**/*.tpl' || g === '**/*.tgz'),
      ['**/*.tpl', '**/*.tgz'],
    );
    assert.ok(globs.every((g) => typeof g === 'string'));
  });

  it('a client without relative patterns: a file the render reads outside files/ is watched by its folder, and its change renders again', async () => {
    const dir = path.join(root, 'conf-chart');
    const conf = path.join(dir, 'conf', 'priv.txt');
    mkdirSync(path.join(dir, 'templates'), { recursive: true });
    mkdirSync(path.dirname(conf));
    writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: conf\nversion: 0.1.0\n');
    writeFileSync(conf, 'true\n');
    const template = path.join(dir, 'templates', 'pod.yaml');
    writeFileSync(
      template,
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx\n      securityContext:\n        privileged: {{ .Files.Get "conf/priv.txt" | trim }}\n',
    );
    const uri = fileUri(template);
    const mark = client.registrations.length;
    await client.open(uri, readFileSync(template, 'utf8'), 1);
    const first = await client.diagnosticsForCurrent(uri);
    assert.ok(
      first.diagnostics.some((d) => d.code === 'privileged'),
      JSON.stringify(first),
    );
    const globs = client.registrations
      .slice(mark)
      .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
      .flatMap((r) => (r.registerOptions as { watchers: Array<{ globPattern: unknown }> }).watchers)
      .map((w) => w.globPattern);
    // conf/ is neither templates/ nor files/: the fixed globs miss it, its own watcher does not.
    const confGlob = `${path.dirname(conf).replace(/\\/g, '/')}/*`;
    assert.ok(globs.includes(confGlob), JSON.stringify(globs));
    const before = await client.request<number>('podsec/debugChartRenders', null);
    writeFileSync(conf, 'false\n');
    const next = client.nextDiagnostics(
      uri,
      (p) => !p.diagnostics.some((d) => d.code === 'privileged'),
      'pod.yaml after conf/priv.txt changed',
    );
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(conf), type: 2 }],
    });
    await next;
    assert.equal((await client.request<number>('podsec/debugChartRenders', null)) - before, 1);
    await client.close(uri);
    // Not a chart of the other tests' workspace.
    rmSync(dir, { recursive: true, force: true });
  });

  it('podsec/report: chart workloads as rendered, by chart, value set and release, with links to their origin (unsaved text included)', async () => {
    const valuesUri = fileUri(path.join(chart, 'values.yaml'));
    await client.open(valuesUri, readFileSync(path.join(chart, 'values.yaml'), 'utf8'), 40);
    await client.diagnosticsForCurrent(valuesUri);
    const r = await client.request<{ markdown: string; workloads: number }>('podsec/report', {});
    assert.equal(r.workloads, 1, r.markdown);
    assert.match(
      r.markdown,
      /\| Deployment `release-name-web` \(chart `web`, values `default`, release `release-name`\) \| \[`web\/templates\/deployment\.yaml:2`\]\(file:[^)]*\/web\/templates\/deployment\.yaml#L2\) \| \*\*privileged\*\* \|/,
    );
    assert.match(r.markdown, /\[`web\/values\.yaml:8`\]\(file:[^)]*\/web\/values\.yaml#L8\)/);
    // The templates are not read as plain YAML.
    assert.doesNotMatch(r.markdown, /could not be evaluated|YAML error/i);
    // Unsaved: privileged off, so the workload meets baseline.
    const version = await client.replace(valuesUri, '  privileged: true # needs the GPU\n', '');
    await client.waitForDiagnostics(valuesUri, (p) => p.version === version, 'values.yaml');
    const again = await client.request<{ markdown: string }>('podsec/report', {});
    assert.match(again.markdown, /release `release-name`\) \| [^|]+ \| \*\*baseline\*\* \|/);
    await client.close(valuesUri);
  });

  it("code lenses: on the template's kind: line, where the rendered workload stands and the level it meets", async () => {
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    const helpersUri = fileUri(path.join(chart, 'templates', '_helpers.tpl'));
    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
      50,
    );
    await client.diagnosticsForCurrent(deployUri);
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', {
      textDocument: { uri: deployUri },
    });
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title]),
      [
        // privileged to restricted: the problems the diagnostics show, 5 per container
        [1, 'restricted: 10 changes'],
        [1, 'meets privileged'],
      ],
    );
    assert.match(
      lenses[0]?.command?.tooltip ?? '',
      /Deployment release-name-web as rendered from chart web with value set default, release release-name in namespace default/,
    );
    // An edit of values.yaml (unsaved): the template's lenses are asked for again, and follow.
    const valuesUri = fileUri(path.join(chart, 'values.yaml'));
    await client.open(valuesUri, readFileSync(path.join(chart, 'values.yaml'), 'utf8'), 50);
    await client.diagnosticsForCurrent(valuesUri);
    const refreshed = client.nextCodeLensRefresh();
    await client.replace(valuesUri, '  privileged: true # needs the GPU\n', '');
    await refreshed;
    const after = await client.request<CodeLens[]>('textDocument/codeLens', {
      textDocument: { uri: deployUri },
    });
    assert.deepEqual(
      after.map((l) => l.command?.title),
      // Privileged off: the safe fixes for restricted are offered; 5 problems have none.
      ['restricted: 9 changes', 'meets baseline', 'Fix to restricted (5 left)'],
    );
    await client.close(valuesUri);
    // A partial that writes no kind: line has none.
    await client.open(
      helpersUri,
      readFileSync(path.join(chart, 'templates', '_helpers.tpl'), 'utf8'),
      50,
      'helm',
    );
    await client.diagnosticsForCurrent(helpersUri);
    assert.deepEqual(
      await client.request('textDocument/codeLens', { textDocument: { uri: helpersUri } }),
      [],
    );
    await client.close(helpersUri);
    await client.close(deployUri);
  });

  it('"Fix to <level>" on a template and in values.yaml: one edit of the chart files, and the re-render meets the level', async () => {
    const valuesUri = fileUri(path.join(chart, 'values.yaml'));
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    // Not privileged, no sidecar, runAsNonRoot set: every restricted finding left has a safe fix.
    const values = readFileSync(path.join(chart, 'values.yaml'), 'utf8')
      .replace('  privileged: true # needs the GPU\n', '')
      .replace('podSecurityContext: {}', 'podSecurityContext:\n  runAsNonRoot: true # keep me')
      .replace('  enabled: true', '  enabled: false');
    await client.open(valuesUri, values, 80);
    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
      80,
    );
    await client.diagnosticsForCurrent(valuesUri);
    // The three restricted findings, each with a safe fix in values.yaml.
    const pss = [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ];
    const isPss = (d: Diagnostic) => pss.includes(String(d.code));
    const first = await client.diagnosticsForCurrent(deployUri);
    assert.deepEqual(
      [...first.diagnostics, ...(await client.diagnosticsForCurrent(valuesUri)).diagnostics]
        .filter(isPss)
        .map((d) => String(d.code))
        .sort(),
      pss,
    );
    const lensesOf = (uri: string) =>
      client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const onTemplate = await lensesOf(deployUri);
    assert.deepEqual(
      onTemplate.map((l) => [l.range.start.line, l.command?.title]),
      [
        [1, 'restricted: 3 changes'],
        [1, 'meets baseline'],
        [1, 'Fix to restricted'],
      ],
    );
    const target = {
      valueSet: 'default',
      kind: 'Deployment',
      name: 'release-name-web',
      namespace: null,
      source: 'web/templates/deployment.yaml',
    };
    assert.equal(onTemplate[2]?.command?.command, 'podsec.fixToLevel');
    assert.deepEqual(onTemplate[2]?.command?.arguments, [
      {
        uri: deployUri,
        version: 80,
        offset: readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8').indexOf(
          'kind: Deployment',
        ),
        level: 'restricted',
        policyVersion: 'latest',
        chart: target,
      },
    ]);
    // In values.yaml, where its fixes go: named by the workload.
    const inValues = await lensesOf(valuesUri);
    assert.deepEqual(
      inValues.map((l) => l.command?.title),
      ['Fix release-name-web to restricted'],
    );
    assert.match(
      inValues[0]?.command?.tooltip ?? '',
      /values file where a value comes from values/,
    );

    // Executing it: one workspace edit, of values.yaml alone (the template's text is never touched).
    const edits: WorkspaceEdit[] = [];
    const apply = client.applyEdit.bind(client);
    client.applyEdit = (edit: WorkspaceEdit) => {
      edits.push(edit);
      return apply(edit);
    };
    const lens = inValues[0]?.command;
    assert.ok(lens);
    const compliant = client.nextDiagnostics(
      deployUri,
      (p) => !p.diagnostics.some(isPss),
      'deployment.yaml after Fix to restricted',
    );
    try {
      await client.request('workspace/executeCommand', {
        command: lens.command,
        arguments: lens.arguments,
      });
      // The same lens again: computed for version 80, values.yaml is at 81 now; nothing is edited.
      await client.request('workspace/executeCommand', {
        command: lens.command,
        arguments: lens.arguments,
      });
    } finally {
      client.applyEdit = apply;
    }
    assert.equal(edits.length, 1, 'exactly one applyEdit, none for the stale lens');
    const changes = (edits[0]?.documentChanges ?? []) as TextDocumentEdit[];
    assert.deepEqual(
      changes.map((c) => [c.textDocument.uri, c.textDocument.version, c.edits.length]),
      [[valuesUri, 80, 1]],
    );
    const fixed = client.text(valuesUri);
    assert.match(fixed, /^ {2}allowPrivilegeEscalation: false$/m);
    assert.match(fixed, /^ {2}capabilities:\n {4}drop: \[ALL\]$/m);
    assert.match(fixed, /^ {2}seccompProfile:\n {4}type: RuntimeDefault$/m);
    assert.match(fixed, /runAsNonRoot: true # keep me/);
    assert.match(fixed, /^# Default values for web\.$/m);
    // The render of the fixed values meets restricted: no finding, the standing lens says so.
    await compliant;
    assert.deepEqual(
      (await lensesOf(deployUri)).map((l) => l.command?.title),
      ['restricted: compliant'],
    );
    assert.deepEqual(await lensesOf(valuesUri), []);
    await client.close(deployUri);
    await client.close(valuesUri);
  });

  it('a .tpl outside any chart is not checked', async () => {
    const loose = path.join(root, 'loose.tpl');
    writeFileSync(loose, '{{ define "x" }}kind: Pod\n{{ end }}\n');
    const uri = fileUri(loose);
    await client.open(uri, readFileSync(loose, 'utf8'), 1, 'plaintext');
    const p = await client.diagnosticsForCurrent(uri);
    assert.deepEqual(p.diagnostics, []);
    assert.equal(await client.request('podsec/policyForDocument', { uri }), null);
    await client.close(uri);
  });

  it('a render error appears at its template line', async () => {
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    const text = readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8');
    await client.open(
      deployUri,
      text.replace('{{ .Values.replicaCount }}', '{{ .Values.replicaCount | nosuch }}'),
      7, // not 1: the first test's publishes for version 1 are still the latest
    );
    const d = await client.diagnosticsForCurrent(deployUri);
    const err = d.diagnostics.find((x) => /nosuch/.test(message(x)));
    assert.ok(err, JSON.stringify(d.diagnostics));
    assert.equal(err.severity, 1);
    assert.equal(err.range.start.line, 5);
    await client.close(deployUri);
  });
});

describe('lsp: Helm chart files changed on disk', () => {
  let client: LspClient;
  let root: string;
  let chart: string;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-chart-disk-'));
    chart = path.join(root, 'web');
    cpSync(WEB, chart, { recursive: true });
    process.env.PODSEC_TEST_HOOKS = '1';
    client = await LspClient.start({ root, relativePatterns: true });
    delete process.env.PODSEC_TEST_HOOKS;
    // The Namespace scan's end analyses every open document again: let it pass first.
    await client.waitForLog((m) => /^podsec: scanned \d+ YAML files/.test(m));
  });
  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const changed = (...files: string[]) =>
    client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: files.map((f) => ({ uri: fileUri(f), type: 2 })),
    });

  it('the whole chart folder is watched while a document of it is open', async () => {
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    const mark = client.registrations.length;
    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
    );
    await client.diagnosticsForCurrent(deployUri);
    const watchers = client.registrations
      .slice(mark)
      .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
      .flatMap(
        (r) => (r.registerOptions as { watchers: Array<{ globPattern: unknown }> }).watchers,
      );
    // (The workspace's own YAML watcher is a plain glob.)
    assert.deepEqual(
      watchers.map((w) => w.globPattern).filter((g) => typeof g !== 'string'),
      [{ baseUri: fileUri(chart), pattern: '**/*' }],
    );
    await client.close(deployUri);
  });

  it('values.yaml and _helpers.tpl changed while closed: the open template renders again, once for the burst', async () => {
    const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
    await client.open(
      deployUri,
      readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
      5,
    );
    const first = await client.diagnosticsForCurrent(deployUri);
    assert.ok(
      first.diagnostics.some((x) => x.code === 'runAsNonRoot' && /container app/.test(message(x))),
      JSON.stringify(first.diagnostics.map(message)),
    );
    const before = await client.request<number>('podsec/debugChartRenders', null);

    const values = path.join(chart, 'values.yaml');
    writeFileSync(
      values,
      readFileSync(values, 'utf8').replace(
        '  allowPrivilegeEscalation: true\n',
        '  allowPrivilegeEscalation: true\n  runAsNonRoot: true\n',
      ),
    );
    const helpers = path.join(chart, 'templates', '_helpers.tpl');
    writeFileSync(helpers, readFileSync(helpers, 'utf8').replace('"%s-%s"', '"%s-%s-v2"'));
    const next = client.nextDiagnostics(
      deployUri,
      (p) => p.diagnostics.some((x) => /release-name-web-v2/.test(message(x))),
      'deployment.yaml after the disk change',
    );
    await changed(values, helpers);
    const d = await next;
    assert.ok(
      !d.diagnostics.some((x) => x.code === 'runAsNonRoot' && /container app/.test(message(x))),
      JSON.stringify(d.diagnostics.map(message)),
    );
    assert.equal((await client.request<number>('podsec/debugChartRenders', null)) - before, 1);
    await client.close(deployUri);
  });
});

describe('lsp: a chart is rendered again only when what it read changed', () => {
  it('values.yaml reported changed by two watchers, far apart: one render, for the one real change', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-chart-twice-'));
    const chart = path.join(root, 'web');
    cpSync(WEB, chart, { recursive: true });
    process.env.PODSEC_TEST_HOOKS = '1';
    const client = await LspClient.start({ root, relativePatterns: true });
    delete process.env.PODSEC_TEST_HOOKS;
    try {
      await client.waitForLog((m) => /^podsec: scanned \d+ YAML files/.test(m));
      const deployUri = fileUri(path.join(chart, 'templates', 'deployment.yaml'));
      await client.open(
        deployUri,
        readFileSync(path.join(chart, 'templates', 'deployment.yaml'), 'utf8'),
        3,
      );
      await client.diagnosticsForCurrent(deployUri);
      const before = await client.request<number>('podsec/debugChartRenders', null);
      const values = path.join(chart, 'values.yaml');
      writeFileSync(
        values,
        readFileSync(values, 'utf8').replace('replicaCount: 1', 'replicaCount: 3'),
      );
      const event = () =>
        client.connection.sendNotification('workspace/didChangeWatchedFiles', {
          changes: [{ uri: fileUri(values), type: 2 }],
        });
      // The YAML watcher's event: the chart renders again, once its analysis is due (30 ms on).
      const first = client.nextDiagnostics(deployUri, () => true, 'after the first event');
      await event();
      await first;
      assert.equal((await client.request<number>('podsec/debugChartRenders', null)) - before, 1);
      // The chart folder's watcher reports the same change later: analysed again, not rendered.
      const second = client.nextDiagnostics(deployUri, () => true, 'after the second event');
      await event();
      await second;
      assert.equal((await client.request<number>('podsec/debugChartRenders', null)) - before, 1);
      // A save of the same text changes nothing either; a real change renders.
      const third = client.nextDiagnostics(deployUri, () => true, 'after the third event');
      writeFileSync(
        values,
        readFileSync(values, 'utf8').replace('replicaCount: 3', 'replicaCount: 4'),
      );
      await event();
      await third;
      assert.equal((await client.request<number>('podsec/debugChartRenders', null)) - before, 2);
      await client.close(deployUri);
    } finally {
      await client.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the key follows the content the render read: the same text is the same key, a file outside the chart that a value set reads counts', () => {
    const files = {
      'values-shop.yaml': 'replicaCount: 2\n',
      '.podsec.yaml': 'helm:\n  - name: shop\n    values: [values-shop.yaml]\n',
    };
    inChartCopy('podsec-chart-content-', files, ['templates/deployment.yaml'], (c) => {
      const { root, chart, charts } = c;
      const outside = path.join(root, 'values-shop.yaml');
      const deployUri = c.uri('templates/deployment.yaml');
      const dir = charts.chartOf(deployUri);
      assert.ok(dir);
      charts.evaluation(dir, {}, 'k');
      const key = charts.stateKey(dir);
      assert.equal(charts.renders, 1);
      // Reported, unchanged: analysed again (the URIs), the same key, no render; a file that
      // comes and goes beside the chart is no input either.
      writeFileSync(path.join(root, 'unrelated.txt'), 'x');
      const values = path.join(chart, 'values.yaml');
      assert.deepEqual(charts.diskChanged(values), [deployUri]);
      assert.equal(charts.stateKey(dir), key);
      charts.evaluation(dir, {}, 'k');
      assert.equal(charts.renders, 1);
      // The value set's file outside the chart: read by the render, so its change counts.
      assert.deepEqual(charts.diskChanged(path.join(root, 'other.yaml')), []);
      writeFileSync(outside, 'replicaCount: 5\n');
      assert.deepEqual(charts.diskChanged(outside), [deployUri]);
      assert.notEqual(charts.stateKey(dir), key);
      charts.evaluation(dir, {}, 'k');
      assert.equal(charts.renders, 2);
      // Back to the first text: the first key again.
      writeFileSync(outside, 'replicaCount: 2\n');
      charts.diskChanged(outside);
      assert.equal(charts.stateKey(dir), key);
    });
  });
});

describe('lsp: which disk changes render a chart again', () => {
  it('a file of the chart that is not open does; the open file itself, or a file outside, does not', () => {
    inChartCopy('podsec-chart-epochs-', {}, [['values.yaml', 'replicaCount: 1\n']], (c) => {
      const { root, chart, charts } = c;
      const valuesUri = c.uri('values.yaml');
      const key = charts.stateKey(chart);
      assert.deepEqual(charts.diskChanged(path.join(chart, 'values.yaml')), []);
      assert.deepEqual(charts.diskChanged(path.join(root, 'notes.txt')), []);
      assert.equal(charts.stateKey(chart), key);
      // A dependency archive, a partial, a file `.Files` reads: any file of the chart folder.
      for (const f of ['charts/dep-0.1.0.tgz', 'templates/_helpers.tpl', 'files/app.conf']) {
        assert.deepEqual(charts.diskChanged(path.join(chart, f)), [valuesUri], f);
      }
      assert.notEqual(charts.stateKey(chart), key);
    });
  });
});

describe('lsp: code lenses of a chart rendered with several value sets', () => {
  it('one lens set per value set on the kind: line, each named by its set', () => {
    const files = {
      '.podsec.yaml':
        'helm:\n  - name: dev\n  - name: prod\n    values: [web/values-prod.yaml]\n    releaseName: shop\n',
    };
    inChartCopy('podsec-chart-lenses-', files, ['templates/deployment.yaml'], (c) => {
      const { charts } = c;
      const deployUri = c.uri('templates/deployment.yaml');
      const text = c.open[0]?.getText() ?? '';
      const dir = charts.chartOf(deployUri);
      assert.ok(dir);
      const ev = charts.evaluation(dir, {}, 'k');
      const r = new AnalysisResult(deployUri, 1, text, charts.analysisFor(ev, deployUri));
      const placed = charts.workloadsIn(deployUri, { maxFileBytes: 1 << 20, maxAliasCount: 1000 });
      assert.deepEqual(
        placed.map((p) => [p.release.valueSet, p.release.releaseName]),
        [
          ['dev', 'release-name'],
          ['prod', 'shop'],
        ],
      );
      const lenses = chartCodeLenses(r, placed);
      assert.deepEqual(
        lenses.map((l) => [l.range.start.line, l.command?.title]),
        [
          [1, 'dev: restricted: 10 changes'],
          [1, 'dev: meets privileged'],
          [1, 'prod: restricted: compliant'],
        ],
      );
      assert.match(
        lenses[2]?.command?.tooltip ?? '',
        /Deployment shop-web as rendered from chart web with value set prod, release shop/,
      );
    });
  });
});

describe('lsp: the policy a chart document shows', () => {
  it("a value set's release namespace, labelled by a Namespace the chart renders, named at its template", () => {
    const files = {
      '.podsec.yaml': 'helm:\n  - name: prod\n    releaseName: shop\n    namespace: shop\n',
      'web/templates/namespace.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n',
    };
    inChartCopy('podsec-chart-policy-', files, ['values.yaml'], (c) => {
      const { chart, charts, open } = c;
      const valuesUri = c.uri('values.yaml');
      const ev = charts.evaluation(charts.chartOf(valuesUri) ?? '', {}, 'k');
      const r = new AnalysisResult(
        valuesUri,
        1,
        open[0]!.getText(),
        charts.analysisFor(ev, valuesUri),
      );
      r.chart = charts.policyInfo(charts.chartOf(valuesUri) ?? '', ev);
      r.chartWorkload = charts.policyWorkload(ev, valuesUri);
      const policy = documentPolicy(r, DEFAULT_SETTINGS, { uriOf: (f) => fileUri(f) });
      assert.equal(policy.source, 'namespace');
      assert.equal(policy.level, 'baseline');
      assert.equal(policy.source === 'namespace' && policy.namespace, 'shop');
      assert.equal(
        policy.source === 'namespace' && policy.file,
        fileUri(path.join(chart, 'templates', 'namespace.yaml')),
      );
      assert.deepEqual(policy.chart?.renders, [
        { valueSet: 'prod', releaseName: 'shop', namespace: 'shop' },
      ]);
    });
  });
});
