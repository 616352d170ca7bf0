/**
 * The server under edits: the built server over stdio, four documents, and
 * thousands of random incremental edits from a seeded generator (characters
 * and lines inserted and deleted, a container pasted, YAML broken and
 * repaired), interleaved with configuration changes and code action
 * requests. At each quiet moment the published diagnostics of every document
 * must equal what the engine computes for the client's final text with the
 * same settings. After every document is closed, the server's heap returns
 * close to where it started.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  CodeAction,
  Diagnostic,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { analyze } from '@podsec/server';
import { AnalysisResult, toDiagnostics } from '@podsec/server/out/lsp/features';
import type { NamespaceResolver } from '@podsec/server/out/lsp/features';
import { normalizeSettings } from '@podsec/server/out/lsp/settings';
import { generate, Rng } from '../support/generate';
import { LspClient } from '../support/lspClient';

const SEED = Number(process.env.PODSEC_SOAK_SEED ?? 4242);
const EDITS = Number(process.env.PODSEC_SOAK_EDITS ?? 5000);
const QUIET_EVERY = 100;
const DOCS = 4;

const noNamespaces: NamespaceResolver = {
  locate: () => null,
  lookup: () => undefined,
  display: (f) => f,
};

/** What the server must publish for `text` under `raw` settings: the engine, converted as the server does. */
function expected(uri: string, version: number, text: string, raw: Record<string, unknown>) {
  const { settings } = normalizeSettings(raw);
  const analysis = analyze(text, {
    level: settings.level,
    version: settings.version,
    namespaceLabels: settings.namespaceLabels,
    file: new URL(uri).pathname,
    maxFileBytes: settings.maxFileSize,
    maxAliasCount: settings.maxAliasCount,
  });
  return comparable(
    toDiagnostics(new AnalysisResult(uri, version, text, analysis), settings, noNamespaces),
  );
}

function comparable(ds: readonly Diagnostic[]): string[] {
  return ds
    .map((d) => {
      const m = typeof d.message === 'string' ? d.message : d.message.value;
      const r = d.range;
      return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.severity} ${String(d.code)} ${m}`;
    })
    .sort();
}

const CONTAINER = `        - name: pasted
          image: nginx
          securityContext:
            privileged: true
            capabilities: {add: [SYS_ADMIN]}
`;

/** The soak compares with the Pod Security engine alone: the hardening checks are off. */
const PSS_ONLY = { severity: { hardening: 'off' } };
const SETTINGS: Array<Record<string, unknown>> = [
  { ...PSS_ONLY },
  { ...PSS_ONLY, level: 'baseline' },
  { ...PSS_ONLY, level: 'restricted', version: 'v1.24' },
  { ...PSS_ONLY, level: 'privileged' },
  { level: 'baseline', version: 'v1.30', severity: { privileged: 'warning', hardening: 'off' } },
  { ...PSS_ONLY, level: 'restricted', maxAliasCount: 3 },
];

describe('the server under thousands of random edits', () => {
  let client: LspClient;
  const uris = Array.from({ length: DOCS }, (_, i) => `file:///podsec-soak/doc${i}.yaml`);
  const counts = { edits: 0, configurations: 0, codeActions: 0, quiet: 0, compared: 0 };

  before(async () => {
    process.env.PODSEC_TEST_HOOKS = '1';
    client = await LspClient.start({ settings: { ...PSS_ONLY } });
  });

  after(async () => {
    await client.stop();
  });

  /** Wait until every document's latest publish is for its current version and equals the engine's answer. */
  async function quiet(): Promise<void> {
    counts.quiet++;
    for (const uri of uris) {
      const doc = client.docs.get(uri)!;
      const want = expected(uri, doc.version, doc.getText(), client.settings);
      let last: string[] = [];
      const matches = (p: PublishDiagnosticsParams) => {
        if (p.version !== doc.version) return false;
        last = comparable(p.diagnostics);
        return JSON.stringify(last) === JSON.stringify(want);
      };
      try {
        await client.waitForDiagnostics(uri, matches, `diagnostics of ${uri} v${doc.version}`);
      } catch (e) {
        // The latest publish for this version, against the expectation, as the failure.
        assert.deepEqual(last, want, `${uri} v${doc.version} (${String(e).slice(0, 200)})`);
        throw e;
      }
      counts.compared++;
    }
  }

  it('published diagnostics equal the engine on the final text at every quiet moment; memory is freed after close', async (t) => {
    const rng = new Rng(SEED);
    const start = await client.request<NodeJS.MemoryUsage>('podsec/debugMemory', null);
    for (let i = 0; i < DOCS; i++)
      await client.open(uris[i]!, generate({ seed: SEED + i, workloads: 6 }));
    await quiet();

    for (let n = 1; n <= EDITS; n++) {
      const uri = rng.pick(uris);
      const doc = client.docs.get(uri)!;
      const text = doc.getText();
      const at = rng.int(0, text.length);
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at) + 1;
      const pos = (o: number) => doc.positionAt(o);
      const replace = async (s: number, e: number, newText: string) => {
        await client.edit(uri, [{ range: { start: pos(s), end: pos(e) }, newText }]);
      };
      switch (rng.int(0, 9)) {
        case 0:
        case 1: // type a few characters
          await replace(
            at,
            at,
            rng.pick(['a', ' ', ':', '-', 'true', '\n', '  ', '#', '"', 'é🚀']),
          );
          break;
        case 2: // delete a few characters
          await replace(at, Math.min(text.length, at + rng.int(1, 8)), '');
          break;
        case 3: // delete a line
          await replace(lineStart, lineEnd, '');
          break;
        case 4: // duplicate a line
          await replace(lineStart, lineStart, text.slice(lineStart, lineEnd));
          break;
        case 5: {
          // paste a container under the first `containers:` after the cursor
          const c = text.indexOf('containers:\n', at);
          const where = c < 0 ? text.length : c + 'containers:\n'.length;
          await replace(where, where, CONTAINER);
          break;
        }
        case 6: {
          // break the YAML, then repair it
          const broken = rng.pick(['{', '[', ': :', '\t', '"', '&', '*nope ']);
          await replace(at, at, broken);
          const now = client.docs.get(uri)!;
          await client.edit(uri, [
            {
              range: { start: now.positionAt(at), end: now.positionAt(at + broken.length) },
              newText: '',
            },
          ]);
          break;
        }
        case 7: // flip a value that matters
          {
            const v = text.indexOf('true', at);
            if (v >= 0) await replace(v, v + 4, 'false');
            else await replace(at, at, ' ');
          }
          break;
        case 8: {
          // several changes in one didChange, as a multi-cursor edit
          const a = rng.int(0, Math.floor(text.length / 2));
          const b = rng.int(Math.floor(text.length / 2) + 1, text.length);
          await client.edit(uri, [
            { range: { start: pos(a), end: pos(a) }, newText: 'x' },
            { range: { start: pos(b), end: pos(Math.min(text.length, b + 2)) }, newText: '' },
          ]);
          break;
        }
        default: // type a whole line
          await replace(lineStart, lineStart, `${' '.repeat(rng.int(0, 12))}privileged: true\n`);
      }
      counts.edits++;

      if (n % 37 === 0) {
        client.settings = { ...rng.pick(SETTINGS) };
        await client.changeConfiguration();
        counts.configurations++;
      }
      if (n % 7 === 0) {
        const target = rng.pick(uris);
        const d = client.docs.get(target)!;
        const o = rng.int(0, d.getText().length);
        const range = {
          start: d.positionAt(o),
          end: d.positionAt(Math.min(d.getText().length, o + rng.int(0, 40))),
        };
        const diagnostics = client.latest(target)?.diagnostics ?? [];
        const actions = await client.request<CodeAction[] | null>('textDocument/codeAction', {
          textDocument: { uri: target },
          range,
          context: rng.chance(0.2) ? { diagnostics: [], only: ['source.fixAll'] } : { diagnostics },
        });
        assert.ok(actions === null || Array.isArray(actions));
        counts.codeActions++;
      }
      if (n % QUIET_EVERY === 0) await quiet();
    }
    await quiet();

    for (const uri of uris) await client.close(uri);
    for (const uri of uris) await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    const end = await client.request<NodeJS.MemoryUsage>('podsec/debugMemory', null);
    const grewMb = (end.heapUsed - start.heapUsed) / 2 ** 20;
    t.diagnostic(
      `soak: ${counts.edits} edits over ${DOCS} documents (seed ${SEED}), ${counts.configurations} configuration changes, ${counts.codeActions} code action requests, ${counts.compared} document comparisons at ${counts.quiet} quiet moments; server heap ${(start.heapUsed / 2 ** 20).toFixed(1)} MB at start, ${(end.heapUsed / 2 ** 20).toFixed(1)} MB after closing (${grewMb >= 0 ? '+' : ''}${grewMb.toFixed(1)} MB)`,
    );
    assert.ok(grewMb < 10, `server heap grew ${grewMb.toFixed(1)} MB after closing every document`);
    assert.equal(client.stderr, '', 'nothing on the server stderr');
    assert.ok(
      !client.logs.some((l) => /failed|exception|rejection/i.test(l)),
      client.logs.join('\n'),
    );
  });
});
