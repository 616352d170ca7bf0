/**
 * Go text/template semantics and Helm's error texts, on one-template charts;
 * limits (steps, output, recursion) stop runaway templates with a clear error
 * at the template line; --set syntax.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderChart } from '@podsec/server/out/engine/helm/render';
import type { RenderOptions } from '@podsec/server/out/engine/helm/render';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { parseInto } from '@podsec/server/out/engine/helm/strvals';
import { GoMap } from '@podsec/server/out/engine/helm/values';
import { formatValue } from '@podsec/server/out/engine/helm/gofmt';
import fc from 'fast-check';
import { repoRoot } from '../../support/paths';

function run(
  tpl: string,
  values = 'port: 8080\nname: web\n',
  o: RenderOptions = {},
  extra: Record<string, string> = {},
) {
  const fs = new MemoryFs({
    '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\n',
    '/c/values.yaml': values,
    '/c/templates/t.yaml': tpl,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`/c/${k}`, v])),
  });
  const r = renderChart(fs, '/c', o);
  const body = r.output.text.replace(/^---\n# Source: [^\n]*\n/, '').replace(/\n$/, '');
  return { out: body, err: r.errors[0]?.message ?? '', r };
}

describe('helm templates: Go semantics and messages', () => {
  it('a string function given a number: wrong type for value', () => {
    assert.equal(
      run('x: {{ upper .Values.port }}').err,
      'template: c/templates/t.yaml:1:12: executing "c/templates/t.yaml" at <.Values.port>: wrong type for value; expected string; got float64',
    );
  });
  it('a missing value piped into a string function: invalid value', () => {
    assert.equal(
      run('x: {{ .Values.nope | upper }}').err,
      'template: c/templates/t.yaml:1:21: executing "c/templates/t.yaml" at <upper>: invalid value; expected string',
    );
  });
  it('eq of a values number (float64) and an int literal', () => {
    assert.match(
      run('x: {{ eq .Values.port 8080 }}').err,
      /error calling eq: incompatible types for comparison: float64 and int$/,
    );
    assert.equal(run('x: {{ eq (int .Values.port) 8080 }}').out, 'x: true');
  });
  it('undefined variables and functions are parse errors', () => {
    assert.equal(
      run('x: {{ $nope }}').err,
      'parse error at (c/templates/t.yaml:1): undefined variable "$nope"',
    );
    assert.equal(
      run('a: 1\nx: {{ frobnicate 1 }}').err,
      'parse error at (c/templates/t.yaml:2): function "frobnicate" not defined',
    );
    assert.equal(
      run('x: {{ if true }}').err,
      'parse error at (c/templates/t.yaml:1): unexpected EOF',
    );
  });
  it('fail and required speak as Helm', () => {
    assert.equal(
      run('x: {{ fail "stop here" }}').err,
      'execution error at (c/templates/t.yaml:1:6): stop here',
    );
  });
  it('comments and trim markers', () => {
    assert.equal(
      run('a: "1 {{- /* gone */ -}}\n 2"\n{{/* also gone */}}b: 3').out,
      'a: "12"\nb: 3',
    );
  });
  it('missing keys render as nothing (Helm removes <no value>)', () => {
    assert.equal(run('x: "{{ .Values.nope }}"').out, 'x: ""');
  });
  it('int literals stay ints, --set numbers are int64, values numbers float64', () => {
    assert.equal(
      run('x: {{ typeOf 1 }} {{ typeOf .Values.port }} {{ typeOf .Values.s }}', 'port: 1\n', {
        set: ['s=5'],
      }).out,
      'x: int float64 int64',
    );
  });
  it('tpl renders values text as a template, with defines visible to include', () => {
    assert.equal(
      run(
        'x: {{ tpl .Values.t . }}',
        't: \'{{ define "d" }}D{{ end }}{{ include "d" . }}-{{ .Values.who }}\'\nwho: me\n',
      ).out,
      'x: D-me',
    );
  });
  it('the release name from --name-template', () => {
    assert.equal(
      run('x: {{ .Release.Name }}', '', { nameTemplate: 'foobar-{{ b64enc "abc" | lower }}-baz' })
        .out,
      'x: foobar-ywjj-baz',
    );
  });
  it('include of a template file by path gives its exact text: trim markers, final newline', () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const { r } = run(
      [
        'x: {{ include (print $.Template.BasePath "/cm.yaml") . | sha256sum }}',
        'y: {{ include (print $.Template.BasePath "/cm2.yaml") . | sha256sum }}',
        'z: {{ include (print $.Template.BasePath "/cm.yaml") . | b64enc }}',
      ].join('\n'),
      'hosts: [a.local]\n',
      {},
      {
        'templates/cm.yaml':
          'a: 1\nhosts:\n  {{- range .Values.hosts }}\n  - {{ . }}\n  {{- end -}}\n  {{- if .Values.no }}\nno: 1\n  {{- end -}}\n\n',
        'templates/cm2.yaml': 'a: 1\n',
      },
    );
    const text = r.output.text;
    const line = (k: string) => new RegExp(`^${k}: (\\S+)$`, 'm').exec(text)?.[1] ?? '';
    const cm = 'a: 1\nhosts:\n  - a.local';
    assert.equal(Buffer.from(line('z'), 'base64').toString('utf8'), cm);
    assert.equal(line('x'), sha(cm));
    assert.equal(line('y'), sha('a: 1\n'));
  });
  it('fmt formats as Go does', () => {
    const m = new GoMap([
      ['b', 1n],
      ['a', new GoMap([['x', null]])],
    ]);
    assert.equal(formatValue(m, 'v'), 'map[a:map[x:<nil>] b:1]');
    assert.equal(formatValue(123456789.0, 'v'), '1.23456789e+08');
    assert.equal(formatValue(0.1, 'v'), '0.1');
    assert.equal(formatValue(100000, 'v'), '100000');
  });
});

describe('helm templates: limits', () => {
  it('a loop too long stops at a step limit, at the template line', () => {
    const r = run('a: 1\nx: {{ range until 100000000 }}{{ end }}', '', {
      limits: { maxSteps: 100_000 },
    });
    assert.match(
      r.err,
      /^template: c\/templates\/t\.yaml:2:\d+: executing .*rendering stopped: more than 100000 steps/,
    );
    assert.equal(r.r.errors[0]?.kind, 'limit');
  });
  it('output that grows too large stops', () => {
    const r = run('x: {{ repeat 100000 "abcdefghij" }}', '', { limits: { maxOutput: 100_000 } });
    assert.match(r.err, /repeat: result of 1000000 characters is over the limit of 100000/);
  });
  it('a map shared by reference and written out (toJson, toYaml, toToml, printing, deepCopy) stops before it expands, at its call', () => {
    // 30 doublings: a billion leaves written out, from 30 maps held.
    const bomb = '{{ $x := dict }}{{ range until 30 }}{{ $x = dict "a" $x "b" $x }}{{ end }}';
    for (const [call, what] of [
      ['toJson $x', 'json'],
      ['mustToJson $x', 'json'],
      ['toPrettyJson $x', 'json'],
      ['toRawJson $x', 'json'],
      ['toYaml $x', 'yaml'],
      ['toToml $x', 'toml'],
      ['deepCopy $x | len', 'deepCopy'],
      ['printf "%v" $x', 'fmt'],
      ['print $x', 'fmt'],
      ['$x', 'fmt'],
    ] as const) {
      const r = run(`${bomb}x: {{ ${call} }}`, '');
      assert.match(
        r.err,
        new RegExp(`rendering stopped: ${what}: the value is over 67108864 characters written out`),
        call,
      );
      assert.equal(r.r.errors[0]?.kind, 'limit', call);
    }
    // Shared but small: written out in full, as Go writes it.
    const tree = (n: number): string =>
      n === 0 ? '{}' : `{"a":${tree(n - 1)},"b":${tree(n - 1)}}`;
    const small = run(
      '{{ $x := dict }}{{ range until 10 }}{{ $x = dict "a" $x "b" $x }}{{ end }}{{ toJson $x }}',
      '',
    );
    assert.equal(small.err, '');
    assert.equal(small.out, tree(10));
  });
  it('toDate reads a layout as Go’s time.Parse does: each field greedily, never given back, in time linear in the text', () => {
    const out = (tpl: string): string => run(`x: {{ ${tpl} }}`, '').out;
    assert.equal(out('toDate "2006-01-02" "2024-03-05"'), 'x: 2024-03-05 00:00:00 +0000 UTC');
    // Month "1" takes both digits of "10", so the literal 0 is missing: an error, which
    // toDate turns into Go's zero time.
    assert.equal(out('toDate "10" "10"'), 'x: 0001-01-01 00:00:00 +0000 UTC');
    // Years below 100 are those years.
    assert.equal(out('toDate "2006-01-02" "0050-02-28"'), 'x: 0050-02-28 00:00:00 +0000 UTC');
    // Thirty-four adjacent one-or-two-digit fields against fifty digits and an x: no match,
    // which a backtracking reader would take 2^34 tries to find.
    assert.equal(
      out(`toDate "${'1'.repeat(34)}" "${'1'.repeat(49)}x"`),
      'x: 0001-01-01 00:00:00 +0000 UTC',
    );
  });
  it('recursive include stops as Helm stops it', () => {
    const r = run(
      'x: {{ include "loop" . }}',
      '',
      {},
      { 'templates/_l.tpl': '{{ define "loop" }}{{ include "loop" . }}{{ end }}' },
    );
    assert.match(
      r.err,
      /rendering template has a nested reference name: loop: unable to execute template|exceeded maximum template depth/,
    );
  });
  it('recursive template stops at a depth', () => {
    const r = run(
      'x: {{ template "t" . }}',
      '',
      {},
      { 'templates/_l.tpl': '{{ define "t" }}{{ template "t" . }}{{ end }}' },
    );
    assert.match(r.err, /exceeded maximum template depth \(200\)/);
  });
});

describe('helm --set syntax (strvals)', () => {
  const set = (s: string, asString = false): string => {
    const m = new GoMap();
    parseInto(s, m, asString);
    return formatValue(m, 'v');
  };
  it('paths, lists, indexes, escapes, types', () => {
    assert.equal(set('a.b=c,d=1'), 'map[a:map[b:c] d:1]');
    assert.equal(set('l={x,y}'), 'map[l:[x y]]');
    assert.equal(set('l[1]=x'), 'map[l:[<nil> x]]');
    assert.equal(set('a\\.b=c'), 'map[a.b:c]');
    assert.equal(set('t=true,n=null,z=0,o=007'), 'map[n:<nil> o:007 t:true z:0]');
    assert.equal(set('t=true', true), 'map[t:true]');
    assert.equal(set('a[0].b=c'), 'map[a:[map[b:c]]]');
  });
  it('errors read as Helm', () => {
    assert.throws(() => set('a'), /key "a" has no value/);
    assert.throws(
      () => set('l[70000]=x'),
      /index of 70000 is greater than maximum supported index of 65536/,
    );
  });
});

describe('helm templates: bad input is normal input', () => {
  it('half-typed and mangled templates give errors, never a crash or a hang', () => {
    const base = readFileSync(
      join(repoRoot(), 'test', 'engine', 'helm', 'charts', 'lang', 'templates', 'cm.yaml'),
      'utf8',
    );
    const bits = [
      '{{',
      '}}',
      '{{-',
      '-}}',
      '|',
      '(',
      ')',
      '$x',
      ':=',
      '"',
      '`',
      '.Values',
      'range',
      'end',
      'else',
      'define',
      '/*',
      '\n',
      'include',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: base.length }),
        fc.integer({ min: 0, max: 40 }),
        fc.nat(bits.length - 1),
        (at, cut, bit) => {
          const text =
            base.slice(0, at) + (bits[bit] ?? '') + base.slice(Math.min(base.length, at + cut));
          const r = run(text, 'list: [a]\nmap: {a: 1}\n', { limits: { maxSteps: 50_000 } });
          for (const e of r.r.errors) assert.ok(e.message.length > 0);
          assert.equal(typeof r.r.output.text, 'string');
        },
      ),
      { seed: 20261201, numRuns: 300 },
    );
  });
});
