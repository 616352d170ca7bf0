#!/usr/bin/env node
// npm run bench: speed as ratios against baselines measured in the same run.
//
//  engine/50k      analyze() of a 50,000-line generated manifest vs yaml's
//                  parseAllDocuments(keepSourceTokens) of the same text  (≤ 1.3×)
//  engine/corpus   the same on the largest file of ../shared/corpus/real, when present
//  Further rows come from benchmarks registered in out/test/bench/*.js
//  (the language server's open, edit and code-action timings).
//
// Each timing is the median of several runs after warm-up. Exit 1 when a
// ratio is over its bound.
//
//   node scripts/bench.mjs [--only NAME]...
//     --only engine           the engine rows only
//     --only lsp              the rows of out/test/bench/lsp.bench.js only (any file by its name)
//     --only lsp/codeAction   the rows whose name starts so (a file's rows start with its name)
//   Build first (npx tsc -b): the rows run from out/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { parseAllDocuments } = require('yaml');
const { analyze } = require('@podsec/server');
const { generate } = require('../out/test/support/generate.js');

export function median(fn, runs = 7, warm = 2) {
  for (let i = 0; i < warm; i++) fn();
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  const head = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
  console.log(
    head
      .slice(
        1,
        head.findIndex((l, i) => i > 0 && !l.startsWith('//')),
      )
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n'),
  );
  process.exit(0);
}
const only = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--only' && argv[i + 1] !== undefined) only.push(argv[++i]);
  else if (a.startsWith('--only=')) only.push(a.slice('--only='.length));
  else {
    console.error(`bench: unknown argument ${a} (see --help)`);
    process.exit(2);
  }
}
/** Whether any row of a bench file (or the engine rows) is asked for. */
const wanted = (file) =>
  only.length === 0 || only.some((o) => o === file || o.startsWith(`${file}/`));
/** Whether a row is asked for, by its file or the start of its name. */
const wants = (rowName) =>
  only.length === 0 ||
  only.some((o) => rowName === o || rowName.startsWith(o.includes('/') ? o : `${o}/`));

const rows = [];
function row(name, ms, baseName, baseMs, bound) {
  const ratio = ms / baseMs;
  rows.push({ name, ms, baseName, baseMs, ratio, bound, ok: ratio <= bound });
}

/** Medians of two functions timed in alternation, so load on the machine hits both alike. */
export function paired(a, b, runs = 9, warm = 2) {
  for (let i = 0; i < warm; i++) {
    a();
    b();
  }
  const xs = [];
  const ys = [];
  for (let i = 0; i < runs; i++) {
    let t = process.hrtime.bigint();
    a();
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
    t = process.hrtime.bigint();
    b();
    ys.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const mid = (v) => v.sort((p, q) => p - q)[Math.floor(v.length / 2)];
  return [mid(xs), mid(ys)];
}

function engineRow(name, text) {
  if (!wants(name)) return;
  const [engine, parse] = paired(
    () => analyze(text),
    () => parseAllDocuments(text, { keepSourceTokens: true }),
  );
  const lines = text.split('\n').length;
  row(`${name} (${lines} lines)`, engine, 'yaml parse', parse, 1.3);
}

if (wanted('engine')) engineRow('engine/50k generated', generate({ lines: 50_000, seed: 1 }));
const corpus = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'real');
if (wanted('engine') && existsSync(corpus)) {
  const files = readdirSync(corpus)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(corpus, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files[0])
    engineRow(`engine/corpus ${files[0].split('/').pop()}`, readFileSync(files[0], 'utf8'));
}

const extraDir = join(import.meta.dirname, '..', 'out', 'test', 'bench');
if (existsSync(extraDir)) {
  for (const f of readdirSync(extraDir)
    .filter((x) => x.endsWith('.bench.js') && wanted(x.slice(0, -'.bench.js'.length)))
    .sort()) {
    const mod = require(join(extraDir, f));
    for (const r of await mod.run({ median, paired, generate, wants }))
      if (wants(r.name)) row(r.name, r.ms, r.baseName, r.baseMs, r.bound);
  }
}

const w = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) {
  console.log(
    `${r.name.padEnd(w)}  ${r.ms.toFixed(1).padStart(9)} ms  vs ${r.baseName} ${r.baseMs.toFixed(1).padStart(9)} ms  = ${r.ratio.toFixed(3)}×  (bound ${r.bound}×)  ${r.ok ? 'ok' : 'OVER'}`,
  );
}
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
