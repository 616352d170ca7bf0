/**
 * The renderer on the project's own charts (test/engine/helm/charts/), one per
 * feature, each with the output `helm template` prints, written and checked
 * by hand: the Go template language, the functions, values merging,
 * dependencies (condition, tags, alias, import-values, a library chart), CRDs,
 * hooks and --show-only, render errors; and a .tgz dependency built here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'fflate';
import { parseRenderArgs, renderFromDisk } from '@podsec/server/out/cli/render';
import { renderChart } from '@podsec/server/out/engine/helm/render';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { repoRoot } from '../../support/paths';

const CHARTS = join(repoRoot(), 'test', 'engine', 'helm', 'charts');

function render(chart: string, args: string[] = []) {
  const a = parseRenderArgs(args);
  a.valuesFiles = a.valuesFiles.map((f) => join(CHARTS, chart, f));
  return renderFromDisk(join(CHARTS, chart), a);
}

function expected(chart: string, file = 'expected.yaml'): string {
  return readFileSync(join(CHARTS, chart, file), 'utf8');
}

describe('helm: the project charts render as helm template prints them', () => {
  for (const [chart, args, file] of [
    ['lang', [], 'expected.yaml'],
    ['funcs', [], 'expected.yaml'],
    [
      'values',
      [
        '-f',
        'prod.yaml',
        '--set',
        'extra=5,str=true',
        '--set-string',
        'str=007',
        '--set',
        'list={a,b}',
      ],
      'expected.yaml',
    ],
    ['deps', ['--release-name', 'rel'], 'expected.yaml'],
    ['hooks', ['--include-crds'], 'expected-crds.yaml'],
    ['hooks', ['--no-hooks'], 'expected-no-hooks.yaml'],
    ['hooks', ['-s', 'templates/all.yaml'], 'expected-show-only.yaml'],
  ] as const) {
    it(`${chart} ${args.join(' ')}`, () => {
      const r = render(chart, [...args]);
      assert.deepEqual(r.errors, []);
      assert.equal(r.output.text, expected(chart, file));
    });
  }

  it("values.schema.json: values that do not meet it are Helm's schema error", () => {
    const r = render('schema', ['--set', 'replicaCount=zero', '--set', 'image.pullPolicy=Never']);
    assert.equal(r.errors[0]?.kind, 'schema');
    assert.equal(
      r.errors[0]?.message,
      [
        "values don't meet the specifications of the schema(s) in the following chart(s):",
        'schema:',
        "- at '/image': missing property 'tag'",
        "- at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent'",
        "- at '/replicaCount': got string, want integer",
        '',
      ].join('\n'),
    );
    assert.ok(r.errors[0]?.file?.endsWith('values.schema.json'));
    assert.deepEqual(render('schema', ['--set', 'image.tag=1']).errors, []);
    assert.deepEqual(render('schema', ['--skip-schema-validation']).errors, []);
  });

  it('a library chart renders no documents of its own, only its defines are used', () => {
    const r = render('deps', ['--release-name', 'rel']);
    assert.ok(!r.output.text.includes('a-library-never-renders-this'));
    assert.match(r.output.text, /name: rel-deps/);
  });

  it("render errors: Helm's messages, each at its template line; the other templates still render", () => {
    const r = render('errors');
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.errors.map((e) => [e.kind, e.message]),
      [
        [
          'parse',
          'parse error at (errors/templates/parse.yaml:4): function "nosuchfunc" not defined',
        ],
        ['exec', 'execution error at (errors/templates/required.yaml:4:11): a name is required'],
        [
          'exec',
          'template: errors/templates/nil.yaml:6:8: executing "errors/templates/nil.yaml" at <.Values.missing.deeper>: nil pointer evaluating interface {}.deeper',
        ],
      ],
    );
    const nil = r.errors[2];
    assert.ok(nil?.file?.endsWith('templates/nil.yaml'));
    const text = readFileSync(nil?.file ?? '', 'utf8');
    assert.equal(text.slice(nil?.offset ?? 0).split('\n')[0], '.Values.missing.deeper }}');
    assert.match(r.output.text, /name: still-renders/);
  });
});

// ---------------------------------------------------------------- .tgz

function tar(files: Record<string, string>): Uint8Array {
  const enc = new TextEncoder();
  const blocks: Uint8Array[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = enc.encode(text);
    const h = new Uint8Array(512);
    h.set(enc.encode(name).slice(0, 100), 0);
    h.set(enc.encode('0000644\0'), 100);
    h.set(enc.encode('0000000\0'), 108);
    h.set(enc.encode('0000000\0'), 116);
    h.set(enc.encode(`${data.length.toString(8).padStart(11, '0')}\0`), 124);
    h.set(enc.encode('00000000000\0'), 136);
    h[156] = 48; // '0'
    h.set(enc.encode('ustar\0'), 257);
    h.set(enc.encode('00'), 263);
    h.fill(32, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.set(enc.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    blocks.push(h);
    const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
    body.set(data);
    blocks.push(body);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let off = 0;
  for (const b of blocks) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

describe('helm: a dependency packaged as a .tgz', () => {
  const tgz = gzipSync(
    tar({
      'common/Chart.yaml': 'apiVersion: v2\nname: common\nversion: 0.0.5\n',
      'common/values.yaml': 'greeting: hi\n',
      'common/templates/_x.tpl': '{{- define "common.greet" -}}{{ .Values.greeting }}{{- end -}}\n',
      'common/templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-archive\ndata:\n  g: {{ include "common.greet" . }}\n',
    }),
  );
  const fs = new MemoryFs({
    '/app/Chart.yaml':
      'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: common\n    version: 0.0.5\n',
    '/app/values.yaml': 'common:\n  greeting: hello\n',
    '/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
    '/app/charts/common-0.0.5.tgz': tgz,
  });
  it('unpacks it, names it by its Chart.yaml, and gives it its values', () => {
    const r = renderChart(fs, '/app');
    assert.deepEqual(r.errors, []);
    assert.equal(
      r.output.text,
      [
        '---',
        '# Source: app/charts/common/templates/cm.yaml',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: from-archive',
        'data:',
        '  g: hello',
        '',
        '---',
        '# Source: app/templates/cm.yaml',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: app',
        '',
      ].join('\n'),
    );
  });
  it('a corrupt archive is a load error, not a crash', () => {
    const bad = new MemoryFs({
      '/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
      '/app/charts/broken.tgz': new Uint8Array([1, 2, 3, 4]),
    });
    const r = renderChart(bad, '/app');
    assert.equal(r.ok, false);
    assert.match(r.errors[0]?.message ?? '', /error unpacking subchart broken\.tgz in app/);
  });
});

describe('helm: loading', () => {
  it('.helmignore and the default templates/.?* rule keep files out', () => {
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\n',
      '/c/.helmignore': '*.bak\nsecret/\n',
      '/c/templates/cm.yaml':
        'kind: ConfigMap\ndata:\n  files: "{{ range $k, $v := .Files }}{{ $k }} {{ end }}"\n',
      '/c/templates/old.yaml.bak': 'kind: Broken {{',
      '/c/templates/.hidden.yaml': 'kind: Broken {{',
      '/c/secret/key.txt': 'x',
      '/c/conf/app.txt': 'y',
    });
    const r = renderChart(fs, '/c');
    assert.deepEqual(r.errors, []);
    assert.match(r.output.text, /files: ".helmignore conf\/app.txt "/);
  });
  it('apiVersion v1 charts take dependencies from requirements.yaml', () => {
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v1\nname: c\nversion: 1.0.0\n',
      '/c/requirements.yaml':
        'dependencies:\n  - name: d\n    version: 1.0.0\n    condition: d.enabled\n',
      '/c/values.yaml': 'd:\n  enabled: false\n',
      '/c/charts/d/Chart.yaml': 'apiVersion: v1\nname: d\nversion: 1.0.0\n',
      '/c/charts/d/templates/x.yaml': 'kind: Disabled\n',
      '/c/templates/y.yaml': 'kind: Kept\n',
    });
    const r = renderChart(fs, '/c');
    assert.deepEqual(r.errors, []);
    assert.doesNotMatch(r.output.text, /Disabled/);
    assert.match(r.output.text, /kind: Kept/);
  });
  it("a missing Chart.yaml, bad values YAML, and a bad --set each give Helm's error", () => {
    assert.equal(
      renderChart(new MemoryFs({ '/c/values.yaml': 'a: 1\n' }), '/c').errors[0]?.message,
      'Chart.yaml file is missing',
    );
    const bad = renderChart(
      new MemoryFs({
        '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1\n',
        '/c/values.yaml': '- a\n- b\n',
      }),
      '/c',
    );
    assert.match(
      bad.errors[0]?.message ?? '',
      /^cannot load values\.yaml: .*cannot unmarshal array into Go value of type map\[string\]interface \{\}/,
    );
    const set = renderChart(
      new MemoryFs({ '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1\n' }),
      '/c',
      { set: ['a.b'] },
    );
    assert.equal(set.errors[0]?.message, 'failed parsing --set data: key "b" has no value');
  });
});
