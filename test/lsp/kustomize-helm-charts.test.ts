/**
 * Kustomize `helmCharts` in the language server, over stdio: the overlay's
 * findings in a chart object are shown on the kustomization's `valuesInline`
 * line and on the chart's template line, naming the overlay; the chart's
 * files are inputs of the overlay: `values.yaml` changed on disk, or edited
 * in an editor, a template edited, and a template added on disk each
 * re-evaluate it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';
import { HELM_CHART_KUSTOMIZATION } from '../support/manifests';

const msg = (d: Diagnostic): string =>
  typeof d.message === 'string' ? d.message : d.message.value;

/** The overlay's diagnostics of `code` in a publish (the chart's own, rendered with its defaults, are not). */
const inOverlay = (p: PublishDiagnosticsParams, code: string): Diagnostic[] =>
  p.diagnostics.filter((d) => d.code === code && /[(;] ?in overlay hk\)$/.test(msg(d)));

function lineWith(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i;
}

describe('language server: Kustomize helmCharts', () => {
  let root: string;
  let client: LspClient;
  const file = (p: string): string => path.join(root, p);
  const TEMPLATE = 'hk/charts/web/templates/deployment.yaml';
  const VALUES = 'hk/charts/web/values.yaml';

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-khelm-'));
    for (const [p, text] of Object.entries(HELM_CHART_KUSTOMIZATION)) {
      mkdirSync(path.dirname(file(p)), { recursive: true });
      writeFileSync(file(p), text);
    }
    client = await LspClient.start({ root, settings: {} });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows valuesInline’s value on its line in kustomization.yaml, naming the overlay', async () => {
    const k = HELM_CHART_KUSTOMIZATION['hk/kustomization.yaml'] as string;
    const uri = fileUri(file('hk/kustomization.yaml'));
    await client.open(uri, k);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => inOverlay(x, 'privileged').length === 1,
      'privileged from valuesInline',
    );
    assert.equal(inOverlay(p, 'privileged')[0]?.range.start.line, lineWith(k, 'privileged: true'));
    await client.close(uri);
  });

  it('re-evaluates the overlay when the chart’s values.yaml changes on disk or in an editor', async () => {
    const tpl = HELM_CHART_KUSTOMIZATION[TEMPLATE] as string;
    const tplUri = fileUri(file(TEMPLATE));
    await client.open(tplUri, tpl);
    const p = await client.waitForDiagnostics(
      tplUri,
      (x) => inOverlay(x, 'allowPrivilegeEscalation').length === 1,
      'the overlay’s finding in the template',
    );
    assert.equal(
      inOverlay(p, 'allowPrivilegeEscalation')[0]?.range.start.line,
      lineWith(tpl, 'securityContext:'),
    );

    // On disk: values.yaml now sets it.
    const fixed =
      'image: nginx\nsecurityContext:\n  runAsNonRoot: true\n  allowPrivilegeEscalation: false\n';
    writeFileSync(file(VALUES), fixed);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(file(VALUES)), type: 2 }],
    });
    await client.nextDiagnostics(
      tplUri,
      (x) =>
        inOverlay(x, 'capabilities_restricted').length === 1 &&
        inOverlay(x, 'allowPrivilegeEscalation').length === 0,
      'the template after values.yaml changed on disk',
    );

    // In an editor: the key taken out again, unsaved.
    const valuesUri = fileUri(file(VALUES));
    await client.open(valuesUri, fixed);
    await client.replace(valuesUri, '  allowPrivilegeEscalation: false\n', '');
    await client.nextDiagnostics(
      tplUri,
      (x) => inOverlay(x, 'allowPrivilegeEscalation').length === 1,
      'the template after values.yaml was edited',
    );
    await client.close(valuesUri);
  });

  it('re-evaluates the overlay when a template is edited', async () => {
    const tplUri = fileUri(file(TEMPLATE));
    await client.waitForDiagnostics(
      tplUri,
      (x) => inOverlay(x, 'capabilities_restricted').length === 1,
    );
    await client.replace(
      tplUri,
      '          {{- toYaml .Values.securityContext | nindent 10 }}\n',
      '          capabilities:\n            drop: [ALL]\n',
    );
    await client.nextDiagnostics(
      tplUri,
      (x) =>
        inOverlay(x, 'capabilities_restricted').length === 0 &&
        inOverlay(x, 'allowPrivilegeEscalation').length >= 1,
      'the template after its edit',
    );
    await client.replace(
      tplUri,
      '          capabilities:\n            drop: [ALL]\n',
      '          {{- toYaml .Values.securityContext | nindent 10 }}\n',
    );
  });

  it('re-evaluates the overlay when a template is added to the chart on disk', async () => {
    const uri = fileUri(file('hk/kustomization.yaml'));
    await client.open(uri, HELM_CHART_KUSTOMIZATION['hk/kustomization.yaml'] as string);
    await client.waitForDiagnostics(uri, (x) => inOverlay(x, 'privileged').length === 1);
    const added = file('hk/charts/web/templates/job.yaml');
    writeFileSync(
      added,
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: job\nspec:\n  containers:\n  - name: job\n    image: job\n    securityContext:\n      {{- toYaml .Values.securityContext | nindent 6 }}\n',
    );
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(added), type: 1 }],
    });
    await client.nextDiagnostics(
      uri,
      (x) => inOverlay(x, 'privileged').length === 2,
      'both objects’ privileged from valuesInline',
    );
  });
});
