/**
 * Hostile documents through the real server: an alias flood, a billion
 * laughs in a pod, a 20 MB document, a NUL byte, control characters and
 * 10,000-deep nesting, open alongside a normal manifest. Each gets one clear
 * diagnostic; the normal document keeps getting diagnostics and code actions
 * (the server stays up); the limits are settings that take effect at once.
 * How fast the diagnostics come is measured in `npm run bench` (lsp/hostile).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { generate } from '../support/generate';
import { aliasFlood, DEEP_BLOCK, DEEP_FLOW, laughsPod, podHead } from '../support/hostile';
import { LspClient } from '../support/lspClient';

const POD_HEAD = podHead('hostile');
const MB = 1024 * 1024;

const NORMAL = `apiVersion: v1
kind: Pod
metadata:
  name: normal
x-sc: &sc {privileged: true}
spec:
  containers:
    - name: a
      image: a
      securityContext: *sc
    - name: b
      image: b
      securityContext: *sc
    - name: c
      image: c
      securityContext: *sc
`;

const message = (p: PublishDiagnosticsParams) =>
  p.diagnostics.map((d) => (typeof d.message === 'string' ? d.message : d.message.value));

/** These tests are about the Pod Security findings: the hardening checks are off (see hardening.test.ts). */
const PSS_ONLY = { severity: { hardening: 'off' } };

describe('hostile documents through the server', () => {
  let client: LspClient;
  const normalUri = 'file:///podsec-hostile/normal.yaml';

  before(async () => {
    process.env.PODSEC_TEST_HOOKS = '1';
    client = await LspClient.start({ settings: { ...PSS_ONLY } });
  });

  after(async () => {
    await client.stop();
  });

  it('each hostile document gets one clear diagnostic; the normal one keeps working', async (t) => {
    const start = await client.request<NodeJS.MemoryUsage>('podsec/debugMemory', null);
    await client.open(normalUri, NORMAL);
    const first = await client.diagnosticsForCurrent(normalUri);
    assert.ok(first.diagnostics.some((d) => d.code === 'privileged'));

    let big = generate({ seed: 3, lines: 2000 });
    while (big.length < 20 * MB) big += `---\n${big.slice(0, 2 * MB)}`;
    const hostile: Array<[string, string, RegExp, string]> = [
      [
        'flood',
        aliasFlood(POD_HEAD, 20_000),
        /^Document not evaluated: more than 10000 alias look-ups/,
        'limit',
      ],
      ['laughs', laughsPod(POD_HEAD), /^spec\.containers\[0\] must be an object$/, 'schema'],
      ['big', big, /^File not evaluated: \d+ characters is over the limit of 5242880/, 'limit'],
      ['nul', `${POD_HEAD}spec: {}\0\n`, /NUL byte/, 'limit'],
      ['control', `${POD_HEAD}spec: {}\u001b[31m\n`, /control character U\+001B/, 'limit'],
      ['deep-flow', DEEP_FLOW, /nesting deeper than 500 levels/, 'limit'],
      ['deep-block', DEEP_BLOCK, /nesting deeper than 500 levels/, 'limit'],
    ];
    for (const [name, text, pattern, code] of hostile) {
      const uri = `file:///podsec-hostile/${name}.yaml`;
      await client.open(uri, text);
      const p = await client.diagnosticsForCurrent(uri, name);
      // One diagnostic of the error's code (the billion laughs pod also gets its pod-level findings).
      const own = p.diagnostics.filter((d) => d.code === code);
      assert.equal(own.length, 1, `${name}: ${JSON.stringify(message(p))}`);
      if (code === 'limit')
        assert.equal(p.diagnostics.length, 1, `${name}: only the limit message`);
      const m = own[0]!.message;
      assert.match(typeof m === 'string' ? m : m.value, pattern);
      assert.equal(own[0]!.source, 'podsec');
      t.diagnostic(`${name} (${text.length} chars): ${JSON.stringify(message(p)[0])}`);
    }

    // The server is still up: the normal document gets new diagnostics and code actions.
    await client.replace(
      normalUri,
      'name: c\n',
      'name: c\n      ports: [{containerPort: 80, hostPort: 80}]\n',
    );
    const p = await client.diagnosticsForCurrent(normalUri);
    assert.ok(
      p.diagnostics.some((d) => d.code === 'hostPorts'),
      JSON.stringify(message(p)),
    );
    const priv = p.diagnostics.find((d) => d.code === 'privileged')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: normalUri },
      range: priv.range,
      context: { diagnostics: [priv] },
    });
    assert.ok(
      actions.some((a) => a.title.startsWith('Set privileged: false')),
      JSON.stringify(actions.map((a) => a.title)),
    );
    // Code actions on the hostile documents answer (nothing to fix) rather than fail.
    for (const [name] of hostile) {
      const r = await client.request<CodeAction[] | null>('textDocument/codeAction', {
        textDocument: { uri: `file:///podsec-hostile/${name}.yaml` },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } },
        context: { diagnostics: [] },
      });
      assert.ok(r === null || Array.isArray(r));
    }

    for (const [name] of hostile) await client.close(`file:///podsec-hostile/${name}.yaml`);
    const end = await client.request<NodeJS.MemoryUsage>('podsec/debugMemory', null);
    const grewMb = (end.heapUsed - start.heapUsed) / MB;
    t.diagnostic(
      `server heap ${(start.heapUsed / MB).toFixed(1)} MB before, ${(end.heapUsed / MB).toFixed(1)} MB after closing the hostile documents`,
    );
    assert.ok(grewMb < 20, `heap grew ${grewMb.toFixed(1)} MB`);
    assert.equal(client.stderr, '');
  });

  it('podsec.maxAliasCount and podsec.maxFileSize take effect at once, both ways', async () => {
    client.settings = { ...PSS_ONLY, maxAliasCount: 2 };
    await client.changeConfiguration();
    const low = await client.nextDiagnostics(normalUri, (p) =>
      message(p).some((m) => /more than 2 alias look-ups/.test(m)),
    );
    assert.equal(low.diagnostics.length, 1, JSON.stringify(message(low)));

    client.settings = { ...PSS_ONLY, maxFileSize: 100 };
    await client.changeConfiguration();
    const small = await client.nextDiagnostics(normalUri, (p) =>
      message(p).some((m) => /over the limit of 100 /.test(m)),
    );
    assert.equal(small.diagnostics.length, 1);

    client.settings = { ...PSS_ONLY };
    await client.changeConfiguration();
    const back = await client.nextDiagnostics(normalUri, (p) =>
      p.diagnostics.some((d) => d.code === 'privileged'),
    );
    assert.ok(!back.diagnostics.some((d) => d.code === 'limit'));
  });
});
