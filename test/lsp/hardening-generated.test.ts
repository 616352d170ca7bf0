/**
 * The hardening checks over Helm charts and Kustomize overlays in the
 * language server, over a real stdio connection: an open template shows the
 * findings of what its chart renders to, and a NetworkPolicy typed into a
 * plain file changes them; an open base shows what each overlay deploys,
 * naming the overlay.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { fileUri, LspClient } from '../support/lspClient';
import {
  hardenedDeployment,
  kzOverlays,
  networkPolicyYaml,
  NO_TOKEN,
  requestsAndLimits,
  valuesResources,
  WEB_CHART_YAML,
  webChartTemplate,
} from '../support/manifests';

const TEMPLATE = webChartTemplate({ podFields: NO_TOKEN });

const VALUES = `image: nginx\n${valuesResources('64Mi')}`;

const netpol = (ns: string, app: string) => networkPolicyYaml('in', ns, app);

const BASE = hardenedDeployment('api', {
  selector: { app: 'api' },
  podFields: NO_TOKEN,
  resources: requestsAndLimits('64Mi'),
  resourcesFirst: true,
});

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => String(d.code));
const text = (d: Diagnostic | undefined): string =>
  d === undefined ? '' : typeof d.message === 'string' ? d.message : d.message.value;
const lineOf = (text: string, s: string) => text.slice(0, text.indexOf(s)).split('\n').length - 1;

function write(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
}

describe('language server: hardening checks on charts and overlays', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-hardening-gen-'));
    write(root, {
      'chart/Chart.yaml': WEB_CHART_YAML,
      'chart/values.yaml': VALUES,
      'chart/templates/deployment.yaml': TEMPLATE,
      'policies/netpol.yaml': netpol('default', 'other'),
      ...kzOverlays(BASE, netpol('prod', 'api')),
    });
    client = await LspClient.start({ root });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a chart no open document belongs to counts as it renders: a plain policy selecting its pods is judged', async () => {
    const polUri = fileUri(path.join(root, 'policies/netpol.yaml'));
    await client.open(polUri, netpol('default', 'web'), 1);
    // without the chart's workload, namespace "default" would have none: a note, not a judgement
    const judged = (x: PublishDiagnosticsParams) =>
      !x.diagnostics.some((d) => text(d).includes('none of whose workloads'));
    const p = await client.waitForDiagnostics(polUri, judged, 'the policy judged');
    assert.ok(!codes(p).includes('networkPolicyUnmatched'));
    await client.replace(polUri, 'app: web', 'app: nothing');
    await client.waitForDiagnostics(
      polUri,
      (x) => codes(x).includes('networkPolicyUnmatched'),
      'a selector that matches none of the chart’s pods is unmatched',
    );
    await client.close(polUri);
  });

  it('an open template shows its rendered workload’s isolation; typing the label into a plain policy isolates it', async () => {
    const uri = fileUri(path.join(root, 'chart/templates/deployment.yaml'));
    const polUri = fileUri(path.join(root, 'policies/netpol.yaml'));
    await client.open(uri, TEMPLATE, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => codes(x).includes('networkPolicyIsolation'),
      'the chart’s workload is not isolated',
    );
    const iso = p.diagnostics.find((d) => d.code === 'networkPolicyIsolation');
    assert.equal(iso?.range.start.line, lineOf(TEMPLATE, 'labels:'));
    assert.match(text(iso), /release-name-web/);
    // the values set requests and limits, the template the token: no other hardening finding
    assert.deepEqual(
      codes(p).filter((c) => c !== 'networkPolicyIsolation'),
      [],
    );
    await client.open(polUri, netpol('default', 'other'), 1);
    await client.waitForDiagnostics(
      polUri,
      (x) => codes(x).includes('networkPolicyUnmatched'),
      'the policy selects nothing',
    );
    await client.replace(polUri, 'app: other', 'app: web');
    await client.waitForDiagnostics(
      uri,
      (x) => !codes(x).includes('networkPolicyIsolation'),
      'the chart’s workload is isolated once the policy selects it',
    );
    await client.waitForDiagnostics(
      polUri,
      (x) => !codes(x).includes('networkPolicyUnmatched'),
      'the policy selects the chart’s pods',
    );
    await client.close(polUri);
    await client.close(uri);
  });

  it('podsec/report has a hardening section counting what charts render and overlays build', async () => {
    const tpl = fileUri(path.join(root, 'chart/templates/deployment.yaml'));
    const base = fileUri(path.join(root, 'kz/base/deploy.yaml'));
    await client.open(tpl, TEMPLATE, 1);
    await client.waitForDiagnostics(tpl, (x) => codes(x).includes('networkPolicyIsolation'), 'tpl');
    await client.open(base, BASE, 1);
    await client.waitForDiagnostics(
      base,
      (x) => codes(x).includes('networkPolicyIsolation'),
      'base',
    );
    const r = await client.request<{ markdown: string }>('podsec/report', {});
    const md = r.markdown;
    assert.match(md, /^## Hardening checks$/m);
    // the chart's workload (in default) and the base's in dev: two findings, none from the files alone
    assert.match(md, /^\| `networkPolicyIsolation` \| information \| 2 \|$/m);
    assert.match(md, /^\| `dev` \| 0 of 1 \|/m);
    assert.match(md, /^\| `prod` \| 1 of 1 \| 1 \| 0 \|/m);
    assert.match(md, /^\| `default` \| 0 of 1 \|/m);
    await client.close(base);
    await client.close(tpl);
  });

  it('an open base shows what each overlay deploys, naming the overlay', async () => {
    const uri = fileUri(path.join(root, 'kz/base/deploy.yaml'));
    await client.open(uri, BASE, 1);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => codes(x).includes('networkPolicyIsolation'),
      'the base’s workload is not isolated in one overlay',
    );
    const iso = p.diagnostics.filter((d) => d.code === 'networkPolicyIsolation');
    assert.equal(iso.length, 1);
    assert.match(text(iso[0]), /overlays\/dev/);
    assert.doesNotMatch(text(iso[0]), /overlays\/prod/);
    assert.equal(iso[0]?.range.start.line, lineOf(BASE, 'labels:'));
    await client.close(uri);
  });

  it('a chart’s unsaved edit counts while open; once its last file closes, the chart counts as on disk', async () => {
    const tpl = fileUri(path.join(root, 'chart/templates/deployment.yaml'));
    const polUri = fileUri(path.join(root, 'policies/netpol.yaml'));
    const edited = TEMPLATE.replace('        app: web', '        app: web2');
    assert.notEqual(edited, TEMPLATE);
    await client.open(tpl, edited, 1);
    await client.open(polUri, netpol('default', 'web2'), 1);
    await client.waitForDiagnostics(
      polUri,
      (x) =>
        !codes(x).includes('networkPolicyUnmatched') &&
        !x.diagnostics.some((d) => text(d).includes('none of whose')),
      'the policy selects the edited chart’s pods',
    );
    await client.close(tpl);
    await client.waitForDiagnostics(
      polUri,
      (x) => codes(x).includes('networkPolicyUnmatched'),
      'the chart on disk labels its pods app: web',
    );
    await client.close(polUri);
  });
});
