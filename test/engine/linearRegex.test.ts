/**
 * The linear-time matcher for the Go regular expressions of user files
 * (Kustomize patch targets, image names): the same answers as a regular
 * expression engine on ordinary patterns, syntax errors where RE2 has them,
 * and work bounded by input length × pattern size on patterns that make a
 * backtracking engine run for minutes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinearRegex, RegexSyntaxError } from '@podsec/server/out/engine/linearRegex';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { renderChart } from '@podsec/server/out/engine/helm/render';

const CASES: Array<[string, string[]]> = [
  ['^(?:web)$', ['web', 'web2', 'aweb', '']],
  ['^(?:web-.*)$', ['web-', 'web-api', 'web', 'xweb-a']],
  ['^(?:(api|web)-[a-z]+)$', ['api-x', 'web-prod', 'db-x', 'api-', 'web-PROD']],
  ['^(?:[^-]+-[0-9]{2,3})$', ['a-12', 'a-1', 'a-1234', 'ab-999', '-12']],
  ['^(?:a{3})$', ['aa', 'aaa', 'aaaa']],
  ['^(?:a{2,})$', ['a', 'aa', 'aaaaa']],
  ['^(?:colou?r)$', ['color', 'colour', 'colouur']],
  ['^(?:\\d+\\.\\d+)$', ['1.2', '12.34', '1.', 'a.1']],
  ['^(?:\\w+\\s\\S)$', ['ab c', 'ab  c', 'a_b x']],
  ['^(?:[[:alpha:]]+)$', ['abc', 'ab1', 'ABC']],
  ['(?i)^(?:web)$', ['WEB', 'Web', 'webs']],
  ['\\bapp\\b', ['my app here', 'myapp', 'app']],
  ['^(?:a.c)$', ['abc', 'a\nc', 'ac']],
  ['^(?:[a-c\\]-]+)$', ['a]-c', 'abd']],
  ['^(?:x*?y)$', ['y', 'xxy', 'xx']],
  ['nginx', ['docker.io/nginx:1', 'ngin']],
  ['^(?:)$', ['', 'a']],
];

describe('LinearRegex', () => {
  for (const [pattern, inputs] of CASES) {
    it(`${pattern}: the same answers as RegExp`, () => {
      const mine = new LinearRegex(pattern);
      const js = new RegExp(
        pattern.replace(/^\(\?i\)/, '').replace('[[:alpha:]]', '[A-Za-z]'),
        pattern.startsWith('(?i)') ? 'i' : '',
      );
      for (const s of inputs) assert.equal(mine.test(s), js.test(s), JSON.stringify(s));
    });
  }

  it('syntax errors where RE2 reports them', () => {
    for (const bad of ['(a', 'a)', '[a', 'a**', '*a', '\\', '(?=a)', 'a{2000}', '\\p{L}', '[z-a]'])
      assert.throws(() => new LinearRegex(bad), RegexSyntaxError, bad);
  });

  it('patterns that make a backtracking engine explode: work bounded by input × pattern', () => {
    for (const [pattern, input] of [
      ['^(?:(a+)+b)$', 'a'.repeat(5000)],
      ['^(?:(a|a)*b)$', 'a'.repeat(5000)],
      ['^(?:(a|aa)+c)$', 'a'.repeat(5000)],
      ['^(?:.*.*.*.*.*x)$', 'y'.repeat(5000)],
    ] as const) {
      const r = new LinearRegex(pattern);
      assert.equal(r.test(input), false, pattern);
      assert.ok(r.steps > 0);
      assert.ok(r.steps <= (input.length + 1) * r.size, `${pattern}: ${r.steps} steps`);
    }
  });
});

describe('Kustomize patterns go through it', () => {
  it('a patch target (a+)+b and an image name (a+)+b against long names: built, nothing matched', () => {
    const long = 'a'.repeat(3000);
    const fs = new MemoryFs({
      '/k/kustomization.yaml': `resources:
  - pod.yaml
images:
  - name: "(a+)+b"
    newTag: "2"
patches:
  - target:
      kind: Pod
      name: "(a+)+b"
    patch: |-
      - op: add
        path: /metadata/labels
        value: {patched: "yes"}
`,
      '/k/pod.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: ${long}
spec:
  containers:
    - name: c
      image: ${long}
`,
    });
    const b = buildKustomization(fs, '/k', { label: 'k' });
    assert.equal(b.error, null, b.error?.message);
    assert.ok(b.source.text.includes(`image: ${long}\n`), 'the image is unchanged');
    assert.ok(!b.source.text.includes('patched'), 'the patch selects nothing');
  });
});

describe('Helm templates and value schemas go through it', () => {
  it('regexMatch, regexFind, regexReplaceAll and a schema pattern (a+)+b against a long text: rendered', () => {
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      '/c/values.yaml': `name: ${'a'.repeat(3000)}\n`,
      '/c/values.schema.json': JSON.stringify({
        type: 'object',
        properties: { name: { type: 'string', pattern: '^(a+)+b$' } },
      }),
      '/c/templates/x.yaml': [
        'm: {{ regexMatch "^(a+)+b$" .Values.name }}',
        'f: "{{ regexFind "(a+)+b" .Values.name }}"',
        'r: {{ regexReplaceAll "(a+)+b" .Values.name "x" | len }}',
        'ok: {{ regexMatch "^a+$" .Values.name }}',
        's: {{ regexSplit "(a+)+b" .Values.name -1 | len }}',
        '',
      ].join('\n'),
    });
    const r = renderChart(fs, '/c', {});
    // The schema check fails (the name does not match), as Helm's does, without freezing.
    assert.match(r.errors[0]?.message ?? '', /does not match pattern/);
    const ok = renderChart(fs, '/c', { skipSchemaValidation: true });
    assert.deepEqual(ok.errors, []);
    assert.match(ok.output.text, /^m: false$/m);
    assert.match(ok.output.text, /^f: ""$/m);
    assert.match(ok.output.text, /^r: 3000$/m);
    assert.match(ok.output.text, /^ok: true$/m);
    assert.match(ok.output.text, /^s: 1$/m);
  });
});

describe('Helm globs go through it', () => {
  it('a .helmignore line and a .Files.Glob pattern *a*a*a*a*a*a*a*a*ab against a long name: rendered', () => {
    const name = 'a'.repeat(200);
    const stars = '*a*a*a*a*a*a*a*a*ab';
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      '/c/.helmignore': `${stars}\n`,
      [`/c/files/${name}`]: 'x',
      '/c/templates/x.yaml': `n: {{ len (.Files.Glob "files/${stars}") }}\nall: {{ len (.Files.Glob "files/*") }}\n`,
    });
    const r = renderChart(fs, '/c', {});
    assert.deepEqual(r.errors, []);
    assert.match(r.output.text, /^n: 0$/m);
    assert.match(
      r.output.text,
      /^all: 1$/m,
      'the file is not ignored (the line does not match it)',
    );
  });
});
