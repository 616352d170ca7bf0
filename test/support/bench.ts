/** What the `npm run bench` rows share: a row, a clock, a median, an open timed to its diagnostics. */
import type { LspClient } from './lspClient';

/** One row: a timing against a baseline measured in the same run, and the bound of their ratio. */
export interface BenchRow {
  name: string;
  ms: number;
  baseName: string;
  baseMs: number;
  bound: number;
}

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export const middle = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

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
