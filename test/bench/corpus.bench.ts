/**
 * The language server on the largest real-world manifest, for `npm run
 * bench`, against a baseline measured in the same run:
 *
 *  lsp/open argo-cd install   open-to-diagnostics of ../shared/corpus/real/argo-cd__install.yaml
 *                             (34k lines, mostly CustomResourceDefinitions, which no check reads:
 *                             they are skimmed, not composed), through the built server over
 *                             stdio, vs the `yaml` package's parseAllDocuments of the same text
 *                             (≤ 3.5×: about 2.4× here, about 3.3× before documents nothing
 *                             reads were skimmed; the analysis, the hardening checks and the
 *                             Namespace index each still run the parser over the text)
 *  engine/skim argo-cd install `analyze` of that text vs `analyze` with `skim: false` (every
 *                             document composed), in the same process, in alternation (≤ 0.9×:
 *                             about 0.75×); this row fails if the skim stops skimming
 *
 * Each pair is timed in alternation, so load on the machine hits both alike.
 * Without ../shared the rows are left out.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyze } from '@podsec/server';
import { middle, now, openToDiagnostics } from '../support/bench';
import type { BenchRow, BenchTools } from '../support/bench';
import { fileUri, LspClient } from '../support/lspClient';
import { sharedDir } from '../support/paths';

export async function run({ paired }: BenchTools): Promise<BenchRow[]> {
  const file = join(sharedDir(), 'corpus', 'real', 'argo-cd__install.yaml');
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const [skimmed, composed] = paired(
    () => analyze(text),
    () => analyze(text, { skim: false }),
    5,
    1,
  );
  const root = mkdtempSync(join(tmpdir(), 'podsec-bench-corpus-'));
  const client = await LspClient.start({ root });
  let n = 0;
  const openMs = (): Promise<number> =>
    openToDiagnostics(client, fileUri(join(root, `argo${n++}.yaml`)), text);
  const parseMs = (): number => {
    const t = now();
    parseAllDocuments(text, { version: '1.1' });
    return now() - t;
  };
  try {
    await openMs(); // warm the server
    parseMs();
    const opens: number[] = [];
    const parses: number[] = [];
    for (let round = 0; round < 5; round++) {
      parses.push(parseMs());
      opens.push(await openMs());
    }
    return [
      {
        name: `lsp/open argo-cd install (${text.split('\n').length} lines) → diagnostics`,
        ms: middle(opens),
        baseName: 'yaml parse',
        baseMs: middle(parses),
        bound: 3.5,
      },
      {
        name: 'engine/skim argo-cd install',
        ms: skimmed,
        baseName: 'analyze, every document composed',
        baseMs: composed,
        bound: 0.9,
      },
    ];
  } finally {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
