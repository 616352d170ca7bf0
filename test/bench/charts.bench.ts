/**
 * Helm charts from ../shared/helm for `npm run bench` (no rows when that
 * folder is absent), each a ratio against a baseline measured in the same run:
 *
 *  charts/render <chart>        the engine's render of the largest chart there (its
 *                               own values), vs yaml parsing the rendered output with
 *                               source tokens
 *  charts/lsp values.yaml edit  in the language server over stdio, an edit of that
 *                               chart's values.yaml (open, unsaved) to the diagnostics
 *                               of that version (render, evaluate, place, publish), vs
 *                               the engine's evaluateChart of the chart in this process,
 *                               interleaved with the edits
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DiskFs } from '@podsec/server/out/cli/render';
import { renderChart } from '@podsec/server/out/engine/helm/render';
import { evaluateChart } from '@podsec/server/out/engine/project/index';
import { SHARED } from '../engine/helm/fidelityCases';
import type { BenchRow } from '../support/bench';
import { middle, now } from '../support/bench';
import { fileUri, LspClient } from '../support/lspClient';

interface Tools {
  paired: (a: () => unknown, b: () => unknown, runs?: number, warm?: number) => [number, number];
}

/** Bytes of every file under `dir`. */
function sizeOf(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += sizeOf(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/** The largest chart the shared render cases use, by the bytes of its files. */
function largestChart(): string | null {
  const casesFile = join(SHARED, 'cases.json');
  if (!existsSync(casesFile)) return null;
  const cases = (JSON.parse(readFileSync(casesFile, 'utf8')) as { cases: Array<{ chart: string }> })
    .cases;
  const charts = [...new Set(cases.map((c) => resolve(SHARED, c.chart)))].filter((c) =>
    existsSync(join(c, 'Chart.yaml')),
  );
  let best: { dir: string; size: number } | null = null;
  for (const dir of charts) {
    const size = sizeOf(dir);
    if (!best || size > best.size) best = { dir, size };
  }
  return best?.dir ?? null;
}

/** A scalar line of values.yaml to edit back and forth: `replicas: N` or else the first `key: N`. */
function editableLine(values: string): { at: number; text: string } | null {
  const m = /^( *replicas: )(\d+)$/m.exec(values) ?? /^( *[A-Za-z]\w*: )(\d+)$/m.exec(values);
  return m ? { at: m.index + (m[1]?.length ?? 0), text: m[2] ?? '' } : null;
}

export async function run({ paired }: Tools): Promise<BenchRow[]> {
  const source = largestChart();
  if (source === null) return [];
  const name = source.slice(SHARED.length + 1);
  const rows: BenchRow[] = [];

  const fs = new DiskFs(source);
  const first = renderChart(fs, source);
  if (first.output.text.trim() === '')
    throw new Error(`${name} renders nothing: ${first.errors[0]?.message ?? ''}`);
  const text = first.output.text;
  const [render, parse] = paired(
    () => renderChart(fs, source),
    () => parseAllDocuments(text, { keepSourceTokens: true }),
    9,
    2,
  );
  rows.push({
    name: `charts/render ${name} (${text.split('\n').length} lines out)`,
    ms: render,
    baseName: 'yaml parse of the output',
    baseMs: parse,
    bound: 12,
  });

  // The server reads the chart from disk: a copy in a workspace of its own.
  const root = mkdtempSync(join(tmpdir(), 'podsec-bench-charts-'));
  const chart = join(root, 'chart');
  cpSync(source, chart, { recursive: true });
  const client = await LspClient.start({ root, settings: { level: 'restricted' } });
  try {
    const valuesPath = join(chart, 'values.yaml');
    const values = readFileSync(valuesPath, 'utf8');
    const line = editableLine(values);
    if (!line) throw new Error(`${name}: no numeric value in values.yaml to edit`);
    const uri = fileUri(valuesPath);
    await client.open(uri, values, 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1, 'open', 300_000);
    const doc = () => client.docs.get(uri);
    let flip = false;
    const editMs = async (): Promise<number> => {
      const d = doc();
      if (!d) throw new Error('values.yaml is not open');
      flip = !flip;
      const pos = d.positionAt(line.at);
      const end = d.positionAt(line.at + (flip ? line.text.length : 1));
      client.forgetPublished();
      const t = now();
      const version = await client.edit(uri, [
        { range: { start: pos, end }, newText: flip ? '7' : line.text },
      ]);
      await client.waitForDiagnostics(uri, (p) => p.version === version, 'edit', 300_000);
      return now() - t;
    };
    const engineMs = (): number => {
      const t = now();
      evaluateChart(new DiskFs(chart), chart);
      return now() - t;
    };
    await editMs();
    engineMs();
    const edits: number[] = [];
    const engine: number[] = [];
    for (let round = 0; round < 7; round++) {
      engine.push(engineMs());
      edits.push(await editMs());
    }
    rows.push({
      name: `charts/lsp values.yaml edit ${name}`,
      ms: middle(edits),
      baseName: 'evaluateChart in-process',
      baseMs: middle(engine),
      bound: 3,
    });
    await client.close(uri);
  } finally {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
