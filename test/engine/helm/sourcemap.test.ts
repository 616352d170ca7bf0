/**
 * The source map of a rendered chart: chosen rendered scalars map to the file
 * and line that set them: literal template text, a values node (directly, via
 * toYaml, default, include, printf, a dependency's values), or the
 * expression that computed them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseRenderArgs, renderFromDisk } from '@podsec/server/out/cli/render';
import { renderChart } from '@podsec/server/out/engine/helm/render';
import { originOf } from '@podsec/server/out/engine/sources/sourcemap';
import type { GeneratedSource } from '@podsec/server/out/engine/sources/sourcemap';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { repoRoot } from '../../support/paths';

const CHART = join(repoRoot(), 'test', 'engine', 'helm', 'charts', 'sourcemap');

/** Where the `n`th occurrence of `needle` (after `after`) in the output came from: file, 1-based line, kind, text. */
function where(src: GeneratedSource, needle: string, after = '') {
  const from = after ? src.text.indexOf(after) : 0;
  assert.ok(from >= 0, `${after} is in the output`);
  const at = src.text.indexOf(needle, from);
  assert.ok(at >= 0, `${needle} is in the output`);
  const o = originOf(src, at, at + needle.length);
  assert.ok(o, `${needle} has an origin`);
  const text = readFileSync(o.file, 'utf8');
  const line = text.slice(0, o.start).split('\n').length;
  return {
    file: o.file.slice(o.file.lastIndexOf('/', o.file.lastIndexOf('/') - 1) + 1),
    line,
    kind: o.origin.kind,
    text: text.slice(o.start, o.end),
  };
}

describe('helm source map', () => {
  const r = renderFromDisk(CHART, parseRenderArgs([]));
  const out = r.output;
  it('renders without errors', () => assert.deepEqual(r.errors, []));

  it('literal template text maps to its template file, offset for offset', () => {
    assert.deepEqual(where(out, 'kind: Pod', 'sourcemap/templates/pod.yaml'), {
      file: 'templates/pod.yaml',
      line: 2,
      kind: 'text',
      text: 'kind: Pod',
    });
  });
  it('a scalar printed from values maps to its values.yaml node', () => {
    assert.deepEqual(where(out, '1.25'), {
      file: 'sourcemap/values.yaml',
      line: 3,
      kind: 'value',
      text: '"1.25"',
    });
    assert.deepEqual(where(out, '8080', 'containerPort'), {
      file: 'sourcemap/values.yaml',
      line: 7,
      kind: 'value',
      text: '8080',
    });
  });
  it('toYaml of a values map emits each scalar with its own node', () => {
    assert.deepEqual(where(out, 'true', 'privileged:'), {
      file: 'sourcemap/values.yaml',
      line: 5,
      kind: 'value',
      text: 'true',
    });
    assert.deepEqual(where(out, '0', 'privileged: true\n'), {
      file: 'sourcemap/values.yaml',
      line: 6,
      kind: 'value',
      text: '0',
    });
    const pair = out.text.indexOf('privileged: true');
    const o = originOf(out, pair, pair + 'privileged: true'.length);
    assert.equal(o?.origin.kind, 'value');
    assert.deepEqual(o?.origin.kind === 'value' ? o.origin.path : [], [
      'securityContext',
      'privileged',
    ]);
  });
  it('default: the fallback is the template literal that supplied it', () => {
    const w = where(out, 'IfNotPresent');
    assert.equal(w.file, 'templates/pod.yaml');
    assert.equal(w.line, 11);
  });
  it('include: text from a define maps into the helpers file', () => {
    assert.deepEqual(where(out, 'app:', 'labels:'), {
      file: 'templates/_helpers.tpl',
      line: 2,
      kind: 'text',
      text: 'app:',
    });
  });
  it('printf of a value, then quote: the value keeps its node', () => {
    assert.deepEqual(where(out, '8080', '--port='), {
      file: 'sourcemap/values.yaml',
      line: 7,
      kind: 'value',
      text: '8080',
    });
  });
  it("a dependency's value set by the parent maps to the parent's values.yaml", () => {
    assert.deepEqual(where(out, '1000', 'runAsUser'), {
      file: 'sourcemap/values.yaml',
      line: 10,
      kind: 'value',
      text: '1000',
    });
  });
  it('an expression that is no single value maps to the expression', () => {
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\n',
      '/c/values.yaml': 'count: 2\n',
      '/c/templates/x.yaml': 'kind: ConfigMap\ndata:\n  sum: "{{ add .Values.count 3 }}"\n',
    });
    const g = renderChart(fs, '/c').output;
    const at = g.text.indexOf('5');
    const o = originOf(g, at, at + 1);
    assert.equal(o?.origin.kind, 'computed');
    assert.equal(o?.file, '/c/templates/x.yaml');
    assert.equal(
      o?.origin.kind === 'computed' ? o.origin.expression : '',
      '{{ add .Values.count 3 }}',
    );
  });
  it('values reached through range, with, index and variables keep their nodes', () => {
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\n',
      '/c/values.yaml': 'caps:\n  - NET_ADMIN\n  - SYS_TIME\nsc:\n  user: 7\n',
      '/c/templates/x.yaml':
        'kind: ConfigMap\ndata:\n  r: "{{ range .Values.caps }}{{ . }} {{ end }}"\n  w: "{{ with .Values.sc }}{{ .user }}{{ end }}"\n  i: "{{ index .Values.caps 1 }}"\n  v: "{{ $c := .Values.sc }}{{ $c.user }}"\n',
    });
    const g = renderChart(fs, '/c').output;
    const line = (needle: string, after: string): number => {
      const at = g.text.indexOf(needle, g.text.indexOf(after));
      const o = originOf(g, at, at + needle.length);
      assert.equal(o?.origin.kind, 'value', needle);
      return (
        'values.yaml\n'.length &&
        (fs.readText('/c/values.yaml') ?? '').slice(0, o?.start ?? 0).split('\n').length
      );
    };
    assert.equal(line('SYS_TIME', 'r:'), 3);
    assert.equal(line('7', 'w:'), 5);
    assert.equal(line('SYS_TIME', 'i:'), 3);
    assert.equal(line('7', 'v:'), 5);
  });
});
