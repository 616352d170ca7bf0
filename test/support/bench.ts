/**
 * What the `npm run bench` rows share: a row, the tools scripts/bench.mjs
 * hands each bench file, a clock, medians, a position, an open timed to its
 * diagnostics.
 */
import type { LspClient } from './lspClient';

/** One row: a timing against a baseline measured in the same run, and the bound of their ratio. */
export interface BenchRow {
  name: string;
  ms: number;
  baseName: string;
  baseMs: number;
  bound: number;
}

/** What scripts/bench.mjs passes to each bench file's `run`. */
export interface BenchTools {
  /** Median of `runs` timings of `fn` after `warm` untimed calls. */
  median: (fn: () => unknown, runs?: number, warm?: number) => number;
  /** Medians of two functions timed in alternation. */
  paired: (a: () => unknown, b: () => unknown, runs?: number, warm?: number) => [number, number];
  generate: (o: { lines?: number; workloads?: number; seed?: number }) => string;
  /** Whether a row is asked for (`--only`); absent: every row is. */
  wants?: (rowName: string) => boolean;
}

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export const middle = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Median of `runs` awaited timings. */
export async function medianAsync(fn: () => Promise<number>, runs: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await fn());
  return middle(xs);
}

/** The 0-based line and character of an offset. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Opens `text` as `uri` and times it to the first diagnostics of that version; closes it again. */
export async function openToDiagnostics(
  client: LspClient,
  uri: string,
  text: string,
  timeoutMs = 300_000,
): Promise<number> {
  // Measure the server, not the harness: it keeps no publishes but the latest.
  client.forgetPublished();
  const t = now();
  await client.open(uri, text);
  await client.waitForDiagnostics(uri, (p) => p.version === 1, 'open', timeoutMs);
  const ms = now() - t;
  await client.close(uri);
  return ms;
}
