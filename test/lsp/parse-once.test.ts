/**
 * The editor's analysis of an open document parses it once: its analysis
 * and the hardening checks read the same chunk parses, so an open parses
 * every character of the text once and an edit parses the chunk it changed
 * only, counted by the engine's parse counter (no clock). The results are
 * those of the engine reading the text afresh.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, hardeningSource, mergeHardening, runHardening } from '@podsec/server';
import type { Analysis } from '@podsec/server';
import { decodeCount, splitDocuments } from '@podsec/server/out/engine/parse';
import { Analyses } from '@podsec/server/out/lsp/handlers/analyses';
import { HardeningIndex } from '@podsec/server/out/lsp/handlers/hardening';
import { normalizeSettings } from '@podsec/server/out/lsp/settings';
import { generate } from '../support/generate';

const URI = 'file:///podsec-parse-once/many.yaml';
const FILE = '/podsec-parse-once/many.yaml';
const settings = normalizeSettings({ level: 'restricted' }).settings;

/** The editor's analyses and hardening index over one open document, without a connection. */
function editor() {
  let doc = TextDocument.create(URI, 'yaml', 1, '');
  const errors: string[] = [];
  const connection = {
    console: { error: (m: string) => errors.push(m), warn: () => undefined },
  } as unknown as Connection;
  const hardening = new HardeningIndex(connection);
  const analyses = new Analyses(
    connection,
    { get: () => doc, all: () => [doc] },
    {
      for: () => Promise.resolve(settings),
      defaults: () => settings,
      onDidChange: () => undefined,
    },
    { namespaces: () => ({ map: new Map(), epoch: 0 }), excluded: () => false },
    hardening,
  );
  /** The document's text as of a new version: its analysis, and what parsing it cost. */
  const version = (text: string) => {
    doc = TextDocument.create(URI, 'yaml', doc.version + 1, text);
    const before = { ...decodeCount };
    const result = analyses.resultFor(doc, settings);
    return {
      analysis: result.analysis,
      texts: decodeCount.texts - before.texts,
      chars: decodeCount.chars - before.chars,
    };
  };
  return { version, errors };
}

/** The engine on its own: the analysis and the hardening checks, each parsing the text whole. */
function afresh(text: string): Analysis {
  const analysis = analyze(text, { file: FILE, level: 'restricted' });
  const run = runHardening([hardeningSource(FILE, text)]);
  return mergeHardening(analysis, FILE, run, { level: 'restricted', version: 'latest' });
}

const plain = (a: Analysis) => ({
  findings: a.findings.map((f) => [f.check, f.span, f.message, f.object, f.fixes]).sort(),
  errors: a.errors,
  notes: a.notes,
});

describe('one parse per version of an open document', () => {
  const text = generate({ workloads: 150, seed: 4 });
  const chunks = splitDocuments(text);

  it('an open parses each chunk once, for the analysis and the hardening checks', () => {
    assert.ok(chunks.length > 100);
    const e = editor();
    const open = e.version(text);
    assert.equal(open.chars, text.length, 'every character once');
    assert.equal(open.texts, new Set(chunks.map((c) => text.slice(c.start, c.end))).size);
    assert.deepEqual(plain(open.analysis), plain(afresh(text)));
    assert.ok(open.analysis.findings.some((f) => f.family === 'hardening'));
    assert.deepEqual(e.errors, []);
  });

  it('an edit parses the chunk it changed only, and gives what a fresh read gives', () => {
    const e = editor();
    e.version(text);
    let now = text;
    for (const from of [0.25, 0.5, 0.75]) {
      const at = now.indexOf('replicas: ', Math.floor(now.length * from)) + 'replicas: '.length;
      now = `${now.slice(0, at)}${now[at] === '7' ? '3' : '7'}${now.slice(at + 1)}`;
      const chunk = splitDocuments(now).find((c) => c.start <= at && at < c.end);
      assert.ok(chunk);
      const edit = e.version(now);
      assert.equal(edit.texts, 1);
      assert.equal(edit.chars, chunk.end - chunk.start);
      assert.deepEqual(plain(edit.analysis), plain(afresh(now)));
    }
    // a document put in front moves every chunk: still only the new one is parsed
    const head = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: first}\n---\n';
    const moved = e.version(`${head}${now}`);
    assert.equal(moved.texts, 2, 'the new document, and the first one, which now starts with ---');
    assert.deepEqual(plain(moved.analysis), plain(afresh(`${head}${now}`)));
  });
});
