/**
 * Helm charts in the language server, over a real stdio connection: opening
 * values.yaml, a template or _helpers.tpl of a chart (whatever language the
 * editor gives it) shows each file's findings from rendering the whole chart;
 * typing in one file (unsaved) updates the others; the document policy names
 * the chart, value set and release.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  Diagnostic,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import type { PolicyForDocumentResult } from '@podsec/server/out/lsp/protocol';
import { fileUri, LspClient } from '../support/lspClient';
import { repoRoot } from '../support/paths';

const WEB = path.join(repoRoot(), 'test', 'fixtures', 'charts', 'web');

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
