/**
 * Speed on bad input, for `npm run bench` (the tests bound memory and count
 * work; how long things take is measured here), each a ratio against a
 * baseline measured in the same run, interleaved with it:
 *
 *  hostile/<input>      analyze() of each hostile input of test/engine/hostile.test.ts vs
 *                       analyze() of a normal 3,000-line manifest, scaled to the input's
 *                       length when it is longer, but for the inputs rejected before they
 *                       are parsed (over the size limit, binary) (≤ 10×)
 *  hostile/podsec       the podsec process on a folder of those files (a 20 MB one included)
 *                       vs podsec on the normal manifest alone (≤ 10×, plus 2 s to read 20 MB)
 *  lsp/hostile          didOpen → diagnostics for the slowest hostile document vs the normal
 *                       manifest, through the built server (≤ 10×, scaled to the length)
 *  engine/fuzz          analyze() over 100 random mutations of realistic manifests vs
 *                       yaml's parse of the same texts (≤ 2×)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyze, DEFAULT_LIMITS } from '@podsec/server';
import type { AnalyzeOptions } from '@podsec/server';
import { Rng } from '../support/generate';
import { aliasFlood, DEEP_BLOCK, DEEP_FLOW, laughs, laughsPod, podHead } from '../support/hostile';
import { fileUri, LspClient } from '../support/lspClient';
import { mutate, realisticTexts } from '../support/mutations';
import { middle, now } from '../support/bench';
import type { BenchRow, BenchTools } from '../support/bench';

const MB = 1024 * 1024;
const FACTOR = 10;
const HEAD = podHead('bomb');

/**
 * The hostile inputs, the options they are analysed with, and whether their
 * cost may grow with their length (a file over the size limit, or binary, is
 * rejected before it is read).
 */
function hostileInputs(normal: string): Array<[string, () => string, AnalyzeOptions, boolean]> {
  const rng = new Rng(99);
  const bytes = Buffer.alloc(100_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(0, 255);
  return [
    [
      'billion laughs in a ConfigMap',
      () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n${laughs('  ')}`,
      {},
      true,
    ],
    ['billion laughs as a pod field', () => `${laughsPod(HEAD)}  hostNetwork: true\n`, {}, true],
    [
      `alias flood (${DEFAULT_LIMITS.maxAliasCount + 1000} aliases)`,
      () =>
        aliasFlood(
          HEAD,
          DEFAULT_LIMITS.maxAliasCount + 1000,
          '{name: app, image: app, securityContext: {privileged: true}}',
        ),
      { level: 'baseline' },
      true,
    ],
    ['10,000-deep flow sequences', () => `${DEEP_FLOW}${']'.repeat(10_000)}`, {}, true],
    ['10,000-deep flow mappings', () => '{a: '.repeat(10_000) + '}'.repeat(10_000), {}, true],
    ['10,000-deep block sequences', () => DEEP_BLOCK, {}, true],
    [
      '10,000-deep block mappings',
      () => Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
      { maxFileBytes: 64 * MB },
      true,
    ],
    [
      '20 MB file at the default size limit',
      () => {
        let big = normal;
        while (big.length < 20 * MB) big += `---\n${normal}`;
        return big;
      },
      {},
      false,
    ],
    ['random binary bytes', () => bytes.toString('utf8'), {}, false],
  ];
}

export async function run({ paired, generate }: BenchTools): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const normal = generate({ seed: 11, lines: 3000 });
  const base = { name: 'normal 3,000-line manifest', text: normal };

  // Engine: each hostile input against the normal manifest, interleaved.
  for (const [name, make, options, scaled] of hostileInputs(normal)) {
    const text = make();
    const scale = scaled ? Math.max(1, text.length / normal.length) : 1;
    const heavy = text.length > 4 * MB;
    const [ms, baseMs] = paired(
      () => analyze(text, options),
      () => analyze(normal),
      heavy ? 3 : 9,
      heavy ? 1 : 2,
    );
    rows.push({
      name: `hostile/${name}`,
      ms,
      baseName: scale > 1 ? `${base.name} ×${scale.toFixed(0)}` : base.name,
      baseMs: baseMs * scale,
      bound: FACTOR,
    });
  }
  const six = generate({ seed: 12, lines: 200_000 });
  const [sixMs, normalMs] = paired(
    () => analyze(six, { maxFileBytes: 8 * MB }),
    () => analyze(normal),
    3,
    1,
  );
  const sixScale = six.length / normal.length;
  rows.push({
    name: `hostile/${(six.length / MB).toFixed(1)} MB evaluated (size limit raised)`,
    ms: sixMs,
    baseName: `${base.name} ×${sixScale.toFixed(0)}`,
    baseMs: normalMs * sixScale,
    bound: FACTOR,
  });

  // The podsec process on a folder of hostile files.
  const dir = mkdtempSync(join(tmpdir(), 'podsec-bench-hostile-'));
  try {
    const files: Record<string, string> = { 'normal.yaml': normal };
    for (const [name, make] of hostileInputs(normal)) {
      if (name.startsWith('10,000-deep block mappings')) continue; // 50 MB: over the size limit anyway
      files[`${name.replace(/[^a-z0-9]+/gi, '-')}.yaml`] = make();
    }
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const bin = require.resolve('@podsec/server/bin/podsec.js');
    const podsec = (target: string) => () =>
      spawnSync(process.execPath, ['--max-old-space-size=256', bin, target], { encoding: 'utf8' });
    const [all, one] = paired(podsec(dir), podsec(join(dir, 'normal.yaml')), 3, 1);
    rows.push({
      name: `hostile/podsec on ${Object.keys(files).length} files (20 MB included)`,
      ms: all,
      baseName: 'podsec normal file',
      baseMs: one,
      bound: Math.round((FACTOR + 2000 / one) * 10) / 10,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The language server: open → diagnostics.
  const root = mkdtempSync(join(tmpdir(), 'podsec-bench-lsp-hostile-'));
  const client = await LspClient.start({ root, settings: {} });
  try {
    let n = 0;
    const openMs = async (text: string): Promise<number> => {
      const uri = fileUri(join(root, `doc${n++}.yaml`));
      client.forgetPublished();
      const t = now();
      await client.open(uri, text);
      await client.waitForDiagnostics(uri, (p) => p.version === 1, 'open', 120_000);
      const ms = now() - t;
      await client.close(uri);
      return ms;
    };
    await openMs(normal); // warm the server
    let worst = { name: '', ms: 0, baseMs: 1, ratio: 0 };
    for (const [name, make, , scaled] of hostileInputs(normal)) {
      if (name.startsWith('10,000-deep block mappings')) continue;
      const text = make();
      const scale = scaled ? Math.max(1, text.length / normal.length) : 1;
      const hostile: number[] = [];
      const normals: number[] = [];
      for (let i = 0; i < 3; i++) {
        hostile.push(await openMs(text));
        normals.push(await openMs(normal));
      }
      const ms = middle(hostile);
      const baseMs = middle(normals) * scale;
      if (ms / baseMs > worst.ratio) worst = { name, ms, baseMs, ratio: ms / baseMs };
    }
    rows.push({
      name: `lsp/hostile open → diagnostics, slowest: ${worst.name}`,
      ms: worst.ms,
      baseName: 'normal manifest (scaled)',
      baseMs: worst.baseMs,
      bound: FACTOR,
    });
  } finally {
    await client.stop();
    rmSync(root, { recursive: true, force: true });
  }

  // Random mutations of realistic manifests, as in test/engine/fuzz.test.ts.
  const texts = realisticTexts();
  const rng = new Rng(20261122);
  const mutated = Array.from({ length: 100 }, () => mutate(texts, rng));
  const all = () => {
    for (const t of mutated) analyze(t);
  };
  const parse = () => {
    for (const t of mutated) parseAllDocuments(t, { keepSourceTokens: true });
  };
  const [fuzzMs, parseMs] = paired(all, parse, 3, 1);
  rows.push({
    name: `engine/fuzz ${mutated.length} mutated manifests`,
    ms: fuzzMs,
    baseName: 'yaml parse',
    baseMs: parseMs,
    bound: 2,
  });
  return rows;
}
