/**
 * Language-server benchmarks for `npm run bench`, each a ratio against a
 * baseline measured in the same run, through the built server over stdio:
 *
 *  lsp/open 50k         didOpen → diagnostics, vs yaml parsing the text with source tokens (≤ 1.5×)
 *  lsp/1-char edit      a one-character edit in one document of a 2,000-workload file →
 *                       diagnostics, vs opening that file (≤ 0.1×)
 *  lsp/codeAction       code actions at a position in a 150,000-line file vs a 1,000-line file (≤ 2×)
 *
 * One row alone: `node scripts/bench.mjs --only lsp/codeAction` (or `lsp/open`, `lsp/1-char edit`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { medianAsync, middle, now, openToDiagnostics, positionAt } from '../support/bench';
import type { BenchRow, BenchTools } from '../support/bench';
import { fileUri, LspClient } from '../support/lspClient';

export async function run({
  median,
  generate,
  wants = () => true,
}: BenchTools): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const root = mkdtempSync(join(tmpdir(), 'podsec-bench-'));
  const client = await LspClient.start({ root, settings: { level: 'restricted' } });
  let n = 0;
  const openMs = (text: string): Promise<number> =>
    openToDiagnostics(client, fileUri(join(root, `doc${n++}.yaml`)), text, 120_000);
  try {
    // Open a 50k-line manifest.
    if (wants('lsp/open')) {
      const big = generate({ lines: 50_000, seed: 1 });
      const parse = median(() => parseAllDocuments(big, { keepSourceTokens: true }), 5, 1);
      await openMs(big); // warm the server
      rows.push({
        name: 'lsp/open 50k lines → diagnostics',
        ms: await medianAsync(() => openMs(big), 5),
        baseName: 'yaml parse',
        baseMs: parse,
        bound: 1.5,
      });
    }

    // A one-character edit in a 2,000-workload file.
    if (wants('lsp/1-char edit')) {
      const many = generate({ workloads: 2000, seed: 2 });
      const uri = fileUri(join(root, 'many.yaml'));
      await client.open(uri, many);
      await client.waitForDiagnostics(uri, (p) => p.version === 1, 'open', 120_000);
      const at = many.indexOf('replicas: ', Math.floor(many.length / 2));
      let flip = false;
      const editMs = async () => {
        flip = !flip;
        const doc = client.text(uri);
        const pos = positionAt(doc, at + 'replicas: '.length);
        client.forgetPublished();
        const t = now();
        const version = await client.edit(uri, [
          {
            range: { start: pos, end: { line: pos.line, character: pos.character + 1 } },
            newText: flip ? '7' : '3',
          },
        ]);
        await client.waitForDiagnostics(uri, (p) => p.version === version, 'edit', 60_000);
        return now() - t;
      };
      await editMs();
      // Opens of the same text (as another document) interleaved with the edits, so that a
      // machine slowing down or speeding up during the run moves both sides of the ratio alike.
      const opens: number[] = [];
      const edits: number[] = [];
      for (let round = 0; round < 5; round++) {
        opens.push(await openMs(many));
        for (let k = 0; k < 3; k++) edits.push(await editMs());
      }
      rows.push({
        name: 'lsp/1-char edit in 2,000 workloads → diagnostics',
        ms: middle(edits),
        baseName: 'open that file',
        baseMs: middle(opens),
        bound: 0.1,
      });
      await client.close(uri);
    }

    // Code actions at a position, small vs huge file.
    if (wants('lsp/codeAction')) {
      const actionsMs = async (text: string, name: string) => {
        const u = fileUri(join(root, name));
        await client.open(u, text);
        const pub = await client.waitForDiagnostics(u, (p) => p.version === 1, 'open', 120_000);
        const d = pub.diagnostics[Math.floor(pub.diagnostics.length / 2)];
        if (!d) throw new Error('no diagnostics to ask code actions for');
        const ask = async () => {
          const t = now();
          await client.request('textDocument/codeAction', {
            textDocument: { uri: u },
            range: d.range,
            context: { diagnostics: [d], only: ['quickfix'] },
          });
          return now() - t;
        };
        for (let i = 0; i < 5; i++) await ask();
        const ms = await medianAsync(ask, 21);
        await client.close(u);
        return ms;
      };
      const small = await actionsMs(generate({ lines: 1_000, seed: 3 }), 'small.yaml');
      const huge = await actionsMs(generate({ lines: 150_000, seed: 3 }), 'huge.yaml');
      rows.push({
        name: 'lsp/codeAction at a position, 150k-line file',
        ms: huge,
        baseName: '1k-line file',
        baseMs: small,
        bound: 2,
      });
    }
  } finally {
    await client.stop();
  }
  return rows;
}
