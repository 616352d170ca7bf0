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
    for (const bad of [
      '(a',
      'a)',
      '[a',
      'a**',
      '*a',
      '\\',
      '(?=a)',
      'a{2000}',
      '\\p{Foo}',
      '[z-a]',
    ])
      assert.throws(() => new LinearRegex(bad), RegexSyntaxError, bad);
  });

  it('each syntax error quotes the piece of the pattern Go’s parser quotes', () => {
    // Go's regexp/syntax Error: `<code>: \`<expr>\``; expr as Go's parser slices it.
    for (const [bad, message] of [
      ['a**', 'invalid nested repetition operator: `**`'],
      ['a*+', 'invalid nested repetition operator: `*+`'],
      ['a**?', 'invalid nested repetition operator: `**?`'],
      ['x{2}{3}', 'invalid nested repetition operator: `{2}{3}`'],
      ['*?', 'missing argument to repetition operator: `*?`'],
      ['{2}', 'missing argument to repetition operator: `{2}`'],
      ['a|+', 'missing argument to repetition operator: `+`'],
      ['(?i){2}', 'missing argument to repetition operator: `{2}`'],
      ['x{1001}', 'invalid repeat count: `{1001}`'],
      ['a{2,1}?', 'invalid repeat count: `{2,1}`'],
      ['(a{100}){100}', 'invalid repeat count: `{100}`'],
      ['(a{2}){501}?', 'invalid repeat count: `{501}?`'],
      ['(?z)', 'invalid or unsupported Perl syntax: `(?z`'],
      ['(?i-)', 'invalid or unsupported Perl syntax: `(?i-)`'],
      ['(?i-m-s)', 'invalid or unsupported Perl syntax: `(?i-m-`'],
      ['(?<', 'invalid or unsupported Perl syntax: `(?<`'],
      ['(?P=n)', 'invalid or unsupported Perl syntax: `(?P`'],
      ['(?<x y>a)', 'invalid named capture: `(?<x y>`'],
      ['(?P<n', 'invalid named capture: `(?P<n`'],
      ['abc)', 'unexpected ): `abc)`'],
      ['x[a-z', 'missing closing ]: `[a-z`'],
      ['[[:foo:]]', 'invalid character class range: `[:foo:]`'],
      ['\\8', 'invalid escape sequence: `\\8`'],
    ] as const)
      assert.throws(() => new LinearRegex(bad), { name: 'Error', message }, bad);
  });

  it('what Go’s parser accepts: an operator on an anchor or after a flag group, a name used twice, braces that are not a count', () => {
    const find = (p: string, s: string): string => new LinearRegex(p).find(s);
    assert.equal(find('^*a', 'ba'), 'a');
    assert.equal(find('\\b*x', 'x'), 'x');
    assert.equal(find('ab(?i)*c', 'abbbc'), 'abbbc', 'the star repeats b, before the flag group');
    assert.equal(find('(?)x', 'x'), 'x');
    assert.equal(find('x{01}', 'x{01}'), 'x{01}', 'a leading zero: a literal brace');
    assert.equal(find('x{2,05}', 'x{2,05}'), 'x{2,05}');
    assert.equal(find('a{,3}', 'a{,3}'), 'a{,3}');
    assert.equal(find('(a{10}){100}', 'a'.repeat(1000)), 'a'.repeat(1000), '10 × 100 copies fit');
    const twice = new LinearRegex('(?P<n>a)(?P<n>b)');
    assert.deepEqual(twice.names, ['', 'n', 'n']);
    assert.equal(twice.replaceAll('ab', '${n}'), 'a', 'a reference by name is the first group');
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

describe('a schema pattern Go does not read', () => {
  it('a lookahead (?=(a+)+b) is never run by a backtracking engine: not checked, rendered', () => {
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      '/c/values.yaml': `name: ${'a'.repeat(40)}\n`,
      '/c/values.schema.json': JSON.stringify({
        type: 'object',
        properties: { name: { type: 'string', pattern: '^(?=(a+)+b)' } },
        patternProperties: { '^(?=(a+)+b)': { type: 'number' } },
      }),
      '/c/templates/x.yaml': 'n: {{ .Values.name | len }}\n',
    });
    const r = renderChart(fs, '/c', {});
    assert.deepEqual(r.errors, []);
    assert.match(r.output.text, /^n: 40$/m);
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

/** Go's documented outputs of package regexp (its examples), and the same functions through Helm's templates. */
describe("Go's regexp operations on the linear matcher", () => {
  const R = (p: string): LinearRegex => new LinearRegex(p);

  it('FindString and FindAllString: leftmost-first, the n limit, Go’s empty-match rules', () => {
    assert.equal(R('foo.?').find('seafood fool'), 'food');
    assert.equal(R('foo.?').find('meat'), '');
    assert.equal(R('a|ab').find('ab'), 'a', 'the first alternative wins, not the longest');
    assert.equal(R('a+?').find('aaa'), 'a');
    assert.equal(R('(?U)a+').find('aaa'), 'a');
    assert.equal(R('(?U)a+?').find('aaa'), 'aaa');
    assert.deepEqual(R('a.').findAll('paranormal', -1), ['ar', 'an', 'al']);
    assert.deepEqual(R('a.').findAll('paranormal', 2), ['ar', 'an']);
    assert.deepEqual(R('a.').findAll('graal', -1), ['aa']);
    assert.deepEqual(R('a.').findAll('none', -1), []);
    // An empty match right after a match is dropped: "", "aaa", "" (not a fourth one before "c").
    assert.deepEqual(R('a*').findAll('baaac', -1), ['', 'aaa', '']);
    assert.deepEqual(R('').findAll('abc', -1), ['', '', '', '']);
    assert.deepEqual(R('\\b').findAll('ab cd', -1), ['', '', '', '']);
  });

  it('ReplaceAllString with $1, ${1}, ${name}, $$; ReplaceAllLiteralString', () => {
    assert.equal(R('a*').replaceAll('baaac', 'X'), 'XbXcX');
    const re = R('a(x*)b');
    assert.equal(re.replaceAll('-ab-axxb-', 'T'), '-T-T-');
    assert.equal(re.replaceAll('-ab-axxb-', '$1'), '--xx-');
    assert.equal(re.replaceAll('-ab-axxb-', '$1W'), '---', '$1W is the group named 1W: empty');
    assert.equal(re.replaceAll('-ab-axxb-', '${1}W'), '-W-xxW-');
    assert.equal(re.replaceAll('-ab-axxb-', '$$1'), '-$1-$1-');
    assert.equal(re.replaceAll('-ab-axxb-', '$'), '-$-$-', 'a malformed $ is text');
    assert.equal(re.replaceAll('-ab-axxb-', '$1', true), '-$1-$1-');
    assert.equal(R('a(?P<x>x*)b').replaceAll('-ab-axxb-', '${x}W'), '-W-xxW-');
    assert.equal(
      R('(?P<first>\\w+)\\s(?P<last>\\w+)').replaceAll('Jane Doe', '$last, $first'),
      'Doe, Jane',
    );
    assert.equal(
      R('(a|b)*c').replaceAll('xababc', '<$1>'),
      'x<b>',
      'a group repeated: its last iteration',
    );
    assert.equal(R('é+').replaceAll('héééllo', '_'), 'h_llo');
  });

  it('Split: the n limit and empty matches', () => {
    assert.deepEqual(R('a*').split('abaabaccadaaae', 5), ['', 'b', 'b', 'c', 'cadaaae']);
    assert.deepEqual(R('z+').split('pizza', -1), ['pi', 'a']);
    assert.deepEqual(R('z+').split('pizza', 0), []);
    assert.deepEqual(R('z+').split('pizza', 1), ['pizza']);
    assert.deepEqual(R('z+').split('pizza', 2), ['pi', 'a']);
    assert.deepEqual(R('').split('abc', -1), ['a', 'b', 'c']);
    assert.deepEqual(R(',').split('', -1), ['']);
  });

  it('the rest of RE2’s syntax: flags anywhere, multi-line anchors, Unicode classes, \\Q…\\E, octal', () => {
    assert.equal(R('x(?i:ab)c').find('xABC xABc'), 'xABc');
    assert.equal(R('(?m)^b$').find('a\nb\nc'), 'b');
    assert.equal(R('^b$').find('a\nb\nc'), '');
    assert.equal(R('\\pL+').find('12héllo3'), 'héllo');
    assert.equal(R('\\p{Greek}+').find('abc αβγ'), 'αβγ');
    assert.equal(R('[^\\PL]+').find('1ab2'), 'ab');
    assert.equal(R('\\Q.*\\E').find('a.*b'), '.*');
    assert.equal(R('\\101\\x42\\x{43}').find('xABC'), 'ABC');
    assert.equal(R('[[:punct:]]+').find('ab_-c'), '_-');
  });

  it('finding and replacing with (a+)+b and (x+x+)+y: work counted, linear in the input', () => {
    for (const [pattern, unit] of [
      ['(a+)+b', 'a'],
      ['(x+x+)+y', 'x'],
      ['(a|aa)*c', 'a'],
    ] as const) {
      const re = R(pattern);
      const work = (n: number): number => {
        const s = unit.repeat(n);
        assert.equal(re.find(s), '', pattern);
        assert.deepEqual(re.findAll(s, -1), [], pattern);
        assert.equal(re.replaceAll(s, 'X'), s, pattern);
        assert.ok(re.steps <= (n + 1) * re.size, `${pattern}: ${re.steps} steps for ${n}`);
        return re.steps;
      };
      const small = work(2000);
      const large = work(4000);
      assert.ok(small > 0);
      // Twice the input, about twice the work (a backtracking engine's grows exponentially).
      assert.ok(large <= 2.1 * small, `${pattern}: ${small} → ${large} steps`);
    }
  });

  it('through Helm: regexFind, regexFindAll, regexReplaceAll(Literal), regexSplit and the must forms', () => {
    const tpl = [
      'f: {{ regexFind "foo.?" "seafood fool" | quote }}',
      'all: {{ regexFindAll "a." "paranormal" -1 }}',
      'two: {{ regexFindAll "a." "paranormal" 2 }}',
      'star: {{ regexReplaceAll "a*" "baaac" "X" }}',
      'grp: {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}',
      'lit: {{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}',
      'split: {{ regexSplit "a*" "abaabaccadaaae" 5 }}',
      'm: {{ regexMatch "(" "x" }}',
      'long: {{ regexReplaceAll "(a+)+b" (repeat 3000 "a") "X" | len }}',
      '',
    ].join('\n');
    const fs = new MemoryFs({
      '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      '/c/templates/x.yaml': tpl,
    });
    const r = renderChart(fs, '/c', {});
    assert.deepEqual(r.errors, []);
    const text = r.output.text;
    assert.match(text, /^f: "food"$/m);
    assert.match(text, /^all: \[ar an al\]$/m);
    assert.match(text, /^two: \[ar an\]$/m);
    assert.match(text, /^star: XbXcX$/m);
    assert.match(text, /^grp: -W-xxW-$/m);
    assert.match(text, /^lit: -\$\{1\}-\$\{1\}-$/m);
    assert.match(text, /^split: \[ b b c cadaaae\]$/m);
    assert.match(text, /^m: false$/m, 'sprig’s regexMatch ignores the syntax error');
    assert.match(text, /^long: 3000$/m);
    for (const [fn, args] of [
      ['mustRegexFind', '"(" "x"'],
      ['regexFind', '"(" "x"'],
      ['mustRegexMatch', '"a)" "x"'],
    ]) {
      const bad = renderChart(
        new MemoryFs({
          '/c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
          '/c/templates/x.yaml': `x: {{ ${fn} ${args} }}\n`,
        }),
        '/c',
        {},
      );
      assert.match(
        bad.errors[0]?.message ?? '',
        /error parsing regexp: (missing closing \)|unexpected \))/,
        fn,
      );
    }
  });
});
