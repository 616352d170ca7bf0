/**
 * What the Problems panel and the hover show, over a real stdio connection:
 * one row per problem (a hostPath volume found by hostPathVolumes under
 * `enforce: baseline` and by restrictedVolumes under `warn: restricted` is one
 * error naming both checks in the hover), short messages, a compact hover for
 * several problems on one node, and the code lenses on the workload's first
 * line, against the level that applies.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  CodeLens,
  Diagnostic,
  Hover,
  TextDocumentEdit,
  TextEdit,
} from 'vscode-languageserver-protocol';
import { applyTextEdits, fileUri, LspClient } from '../support/lspClient';
import { deploymentYaml, namespaceYaml } from '../support/manifests';

const LAB_POD = `apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: lab
spec:
  volumes:
    - name: host
      hostPath: {path: /var/log}
  containers:
    - name: shell
      image: busybox
      securityContext:
        runAsNonRoot: true
        allowPrivilegeEscalation: false
        seccompProfile: {type: RuntimeDefault}
        capabilities: {drop: [ALL]}
`;

const text = (d: Diagnostic): string =>
  typeof d.message === 'string' ? d.message : d.message.value;

const lineOf = (text: string, needle: string): number =>
  text.split('\n').findIndex((l) => l.includes(needle));

describe('one row per problem, short messages, compact hovers, lenses (stdio)', () => {
  let root: string;
  let client: LspClient;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'podsec-lsp-problems-'));
    writeFileSync(
      path.join(root, 'lab.yaml'),
      namespaceYaml('lab', {
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
      }),
    );
    // Pod Security findings only: the hardening checks have tests of their own.
    client = await LspClient.start({ root, settings: { severity: { hardening: 'off' } } });
  });

  after(async () => {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('merges a baseline check and the restricted check that overrides it into one error', async () => {
    const uri = fileUri(path.join(root, 'pod.yaml'));
    await client.open(uri, LAB_POD);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => d.code === 'hostPathVolumes'),
      'the hostPath volume',
    );
    const line = lineOf(LAB_POD, '- name: host');
    const here = p.diagnostics.filter((d) => d.range.start.line === line);
    assert.equal(here.length, 1, JSON.stringify(p.diagnostics));
    const [d] = here;
    assert.ok(d);
    assert.equal(d.code, 'hostPathVolumes');
    assert.equal(d.severity, 1, 'at the most severe mode: enforce → error');
    assert.equal(d.message, 'Pod debug: remove hostPath volume host');
    assert.equal(d.relatedInformation, undefined);
    const data = d.data as { index: number; also?: number[] };
    assert.equal(data.also?.length, 1, 'stands for the restrictedVolumes finding too');
    assert.equal(p.diagnostics.length, 1, 'nothing else in this pod');

    const hover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: 8 },
    });
    const md = (hover.contents as { value: string }).value;
    assert.match(
      md,
      /`hostPathVolumes` \(baseline, enforce\) and `restrictedVolumes` \(restricted, warn\)/,
    );
    assert.match(md, /namespace "lab" label `pod-security\.kubernetes\.io\/enforce=baseline`/);

    // The code actions of the merged diagnostic are attached to it.
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const suppress = actions.filter((a) => a.title.startsWith('Suppress'));
    assert.ok(suppress.length > 0, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(suppress.every((a) => a.diagnostics?.length === 1));
    await client.close(uri);
  });

  it('lists several problems on one node as short lines, upstream once each, links last', async () => {
    const yaml = deploymentYaml({ name: 'web', securityContext: { readOnlyRootFilesystem: true } });
    const uri = fileUri(path.join(root, 'web.yaml'));
    await client.open(uri, yaml);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => d.code === 'runAsNonRoot'),
      'restricted findings',
    );
    for (const d of p.diagnostics) {
      assert.match(text(d), /^Deployment web, container app: (set|remove) /);
      assert.ok(text(d).length <= 110, text(d)); // "about 100"
    }
    const line = lineOf(yaml, 'securityContext:');
    const hover = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line, character: (yaml.split('\n')[line] ?? '').indexOf('securityContext') },
    });
    const md = (hover.contents as { value: string }).value;
    const bullets = md.split('\n').filter((l) => l.startsWith('- '));
    assert.match(md, /^\*\*4 Pod Security problems\*\* · Deployment web, container app\n/);
    assert.equal(bullets.length, 8, md); // four short lines, then four upstream texts
    assert.equal(md.split('Policy: ').length, 2, 'one shared policy line');
    assert.match(md, /\[Pod Security Standards: restricted\]\([^)]+\)$/);
    await client.close(uri);
  });

  it('puts the lenses on the first line and measures against the level that applies', async () => {
    const yaml = `# a comment first\n${deploymentYaml({ name: 'web', securityContext: { privileged: true } })}`;
    const uri = fileUri(path.join(root, 'lens.yaml'));
    await client.open(uri, yaml);
    await client.waitForDiagnostics(uri, (x) => x.diagnostics.length > 0, 'findings');
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', {
      textDocument: { uri },
    });
    const apiLine = lineOf(yaml, 'apiVersion:');
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title]),
      [
        [apiLine, 'restricted: 5 changes'],
        [apiLine, 'meets privileged'],
      ],
    );
    for (const l of lenses) assert.ok(l.command?.tooltip, `tooltip on ${l.command?.title}`);
    await client.close(uri);
  });

  it('code actions: fixes first, an unsafe one says so, then suppress here and for the workload, then the documentation', async () => {
    const yaml = `# web\n${deploymentYaml({ name: 'web', securityContext: { privileged: true } })}`;
    const uri = fileUri(path.join(root, 'actions.yaml'));
    await client.open(uri, yaml);
    const p = await client.waitForDiagnostics(
      uri,
      (x) => x.diagnostics.some((d) => d.code === 'privileged'),
      'privileged',
    );
    const priv = p.diagnostics.find((d) => d.code === 'privileged')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: priv.range,
      context: { diagnostics: [priv] },
    });
    const titles = actions.map((a) => a.title);
    const fix = titles.indexOf('Set privileged: false (may change how the workload runs)');
    const here = titles.indexOf('Suppress privileged here');
    const workload = titles.indexOf('Suppress privileged for this workload');
    assert.ok(fix >= 0 && here > fix && workload > here, JSON.stringify(titles));
    // Last among the quick fixes: the check's documentation, through the extension's command.
    const quickfixes = actions.filter((a) => a.kind === 'quickfix');
    const docs = quickfixes[quickfixes.length - 1]!;
    assert.equal(docs.title, 'Show documentation for privileged');
    assert.deepEqual(docs.command, {
      title: 'Show documentation for privileged',
      command: 'podsec.showCheckDocs',
      arguments: ['privileged'],
    });
    assert.equal(titles.filter((t) => t.startsWith('Show documentation')).length, 1);
    const edit = actions[workload]!.edit!.documentChanges![0] as TextDocumentEdit;
    const after = applyTextEdits(yaml, edit.edits as TextEdit[]);
    // the workload's podsec.io/ignore annotation, which also survives rendering
    assert.match(
      after,
      /\n {2}name: web\n {2}annotations:\n {4}podsec\.io\/ignore: "privileged -- reason"\n/,
    );
    await client.replace(uri, yaml, after);
    await client.waitForDiagnostics(
      uri,
      (x) => x.version === 2 && !x.diagnostics.some((d) => d.code === 'privileged'),
      'privileged suppressed for the workload',
    );
    await client.close(uri);
  });
});
