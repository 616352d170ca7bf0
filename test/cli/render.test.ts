/**
 * `podsec render <chart>`: the rendered documents on stdout as `helm template`
 * prints them, Helm's message and exit 1 on a render error, exit 2 on a usage
 * error; in-process through the CLI's entry point and once as a real process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/paths';
import { cli, podsecProcess } from '../support/cli';

const CHARTS = join(repoRoot(), 'test', 'engine', 'helm', 'charts');

describe('podsec render', () => {
  it('prints the chart as helm template does, with Helm option names', () => {
    const r = cli([
      'render',
      join(CHARTS, 'values'),
      '-f',
      join(CHARTS, 'values', 'prod.yaml'),
      '--set',
      'extra=5,str=true',
      '--set-string',
      'str=007',
      '--set',
      'list={a,b}',
    ]);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    assert.equal(r.out, readFileSync(join(CHARTS, 'values', 'expected.yaml'), 'utf8'));
  });
  it('helm template [NAME] [CHART]: a release name before the chart', () => {
    const r = cli(['render', 'rel', join(CHARTS, 'deps')]);
    assert.equal(r.code, 0);
    assert.equal(r.out, readFileSync(join(CHARTS, 'deps', 'expected.yaml'), 'utf8'));
  });
  it("a render error: Helm's message on stderr, exit 1, nothing on stdout", () => {
    const r = cli(['render', join(CHARTS, 'errors')]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(
      r.err,
      'Error: parse error at (errors/templates/parse.yaml:4): function "nosuchfunc" not defined\n',
    );
  });
  it('usage errors exit 2; --help prints the options', () => {
    assert.equal(cli(['render']).code, 2);
    assert.equal(cli(['render', join(CHARTS, 'lang'), '--frobnicate']).code, 2);
    const h = cli(['render', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /--set-string/);
    assert.match(h.out, /--include-crds/);
  });
  it('--set-file reads the file; a missing chart is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-render-'));
    writeFileSync(join(dir, 'v.txt'), 'from a file');
    const r = cli([
      'render',
      join(CHARTS, 'values'),
      '--set-file',
      `extra=${join(dir, 'v.txt')}`,
      '-s',
      'templates/cm.yaml',
    ]);
    assert.equal(r.code, 0);
    assert.match(r.out, /set: "from a file string/);
    const m = cli(['render', join(dir, 'nochart')]);
    assert.equal(m.code, 1);
    assert.match(m.err, /^Error: /);
  });
  it('never reads outside the chart: a link out of it is absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-render-'));
    const chart = join(dir, 'c');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 1.0.0\n');
    writeFileSync(join(dir, 'outside.txt'), 'secret');
    symlinkSync(join(dir, 'outside.txt'), join(chart, 'leak.txt'));
    writeFileSync(
      join(chart, 'templates', 'cm.yaml'),
      'kind: ConfigMap\ndata:\n  leak: "{{ .Files.Get "leak.txt" }}"\n',
    );
    const r = cli(['render', chart]);
    assert.doesNotMatch(r.out + r.err, /secret/);
  });
  it('runs as a real process', () => {
    const p = podsecProcess(['render', join(CHARTS, 'lang')]);
    assert.equal(p.code, 0);
    assert.equal(p.out, readFileSync(join(CHARTS, 'lang', 'expected.yaml'), 'utf8'));
  });
});
