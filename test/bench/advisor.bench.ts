/**
 * The level advisor's benchmarks for `npm run bench`, each against a baseline
 * measured in the same run:
 *
 *  advisor/report 2000      `podsec report` on a 2,000-workload generated file, vs
 *                           `podsec` (check only) on the same file, both as processes (≤ 1.5×)
 *  advisor/lenses 2000      code lenses of that file after a one-character edit, vs the
 *                           diagnostics of the same edit, through the built server (≤ 1.2×)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileUri, LspClient } from '../support/lspClient';
import { middle, now, positionAt } from '../support/bench';
import type { BenchRow, BenchTools } from '../support/bench';

export async function run({ paired, generate }: BenchTools): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const many = generate({ workloads: 2000, seed: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'podsec-bench-advisor-'));
  try {
    const file = join(dir, 'many.yaml');
    writeFileSync(file, many);
    const bin = require.resolve('@podsec/server/bin/podsec.js');
    const podsec =
      (...args: string[]) =>
      () => {
        const r = spawnSync(process.execPath, [bin, ...args], {
          encoding: 'utf8',
          maxBuffer: 1 << 30,
        });
        if (r.status !== 0 && r.status !== 1)
          throw new Error(`podsec ${args.join(' ')}: ${r.stderr}`);
      };
    const [report, check] = paired(podsec('report', file), podsec(file), 3, 1);
    rows.push({
      name: 'advisor/podsec report, 2,000 workloads',
      ms: report,
      baseName: 'podsec check',
      baseMs: check,
      bound: 1.5,
    });

    const client = await LspClient.start({ root: dir, settings: { level: 'restricted' } });
    try {
      const uri = fileUri(file);
      await client.open(uri, many);
      await client.waitForDiagnostics(uri, (p) => p.version === 1, 'open', 120_000);
      await client.request('textDocument/codeLens', { textDocument: { uri } });
      const at = many.indexOf('replicas: ', Math.floor(many.length / 2));
      let flip = false;
      const diagnostics: number[] = [];
      const lenses: number[] = [];
      for (let round = 0; round < 9; round++) {
        flip = !flip;
        const pos = positionAt(client.text(uri), at + 'replicas: '.length);
        client.forgetPublished();
        let t = now();
        const version = await client.edit(uri, [
          {
            range: { start: pos, end: { line: pos.line, character: pos.character + 1 } },
            newText: flip ? '7' : '3',
          },
        ]);
        await client.waitForDiagnostics(uri, (p) => p.version === version, 'edit', 60_000);
        const d = now() - t;
        t = now();
        const got = await client.request<unknown[]>('textDocument/codeLens', {
          textDocument: { uri },
        });
        const l = now() - t;
        if (got.length < 2000) throw new Error(`only ${got.length} code lenses`);
        if (round > 0) {
          diagnostics.push(d);
          lenses.push(l);
        }
      }
      rows.push({
        name: 'advisor/code lenses after an edit, 2,000 workloads',
        ms: middle(lenses),
        baseName: 'diagnostics of that edit',
        baseMs: middle(diagnostics),
        bound: 1.2,
      });
    } finally {
      await client.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
