// Grammar tests for syntaxes/podsec.injection.tmLanguage.json, tokenized as
// VS Code does (vscode-textmate + Oniguruma) on top of a real YAML grammar.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { has, injection, loadYaml, scopesAt, tokenize } from './tokenize.mjs';

const require = createRequire(import.meta.url);

const DIRECTIVE = 'meta.directive.suppression.podsec';
const CHECK = 'constant.language.check-id.podsec';
const UNKNOWN = 'invalid.illegal.unknown-check-id.podsec';
const REASON = 'string.unquoted.reason.podsec';
const LABEL = 'meta.label.pod-security.podsec';

let yaml;
let plain;
before(async () => {
  yaml = await loadYaml();
  plain = await loadYaml({ inject: false });
});

function assertScope(tokens, line, needle, scope, nth = 0) {
  const scopes = scopesAt(tokens, line, needle, nth);
  assert.ok(has(scopes, scope), `"${needle}" on line ${line} lacks ${scope}: ${scopes.join(', ')}`);
}
function assertNoScope(tokens, line, needle, scope, nth = 0) {
  const scopes = scopesAt(tokens, line, needle, nth);
  assert.ok(!has(scopes, scope), `"${needle}" on line ${line} has ${scope}: ${scopes.join(', ')}`);
}

describe('the manifest', () => {
  it('is a valid injection into YAML, and package.json contributes it', () => {
    assert.equal(injection.scopeName, 'podsec.injection');
    assert.match(injection.injectionSelector, /^L:source\.yaml\b/);
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    const entry = manifest.contributes.grammars.find((g) => g.scopeName === 'podsec.injection');
    assert.ok(entry, 'package.json contributes the grammar');
    assert.deepEqual(entry.injectTo, ['source.yaml']);
    assert.equal(entry.path, './syntaxes/podsec.injection.tmLanguage.json');
  });

  it('knows exactly the check IDs of the engine', () => {
    const { CHECK_IDS } = require('../../server/out/engine/types.js');
    const line = `# podsec-ignore ${CHECK_IDS.join(',')} -- all of them`;
    const tokens = tokenize(yaml, line);
    const ids = tokens.filter((t) => has(t.scopes, CHECK)).map((t) => t.text);
    assert.deepEqual(ids, [...CHECK_IDS]);
    assert.equal(tokens.filter((t) => has(t.scopes, UNKNOWN)).length, 0);
  });
});

describe('suppression comments', () => {
  it('highlight the directive, the check IDs, the separators and the reason', () => {
    const t = tokenize(
      yaml,
      '# podsec-ignore runAsNonRoot,privileged -- legacy image, see JIRA-12',
    );
    assertScope(t, 0, '#', 'comment.line.number-sign.yaml');
    assertScope(t, 0, '#', 'punctuation.definition.comment.yaml');
    assertScope(t, 0, 'podsec-ignore', 'keyword.control.directive.podsec-ignore.podsec');
    assertScope(t, 0, 'runAsNonRoot', CHECK);
    assertScope(t, 0, ',', 'punctuation.separator.comma.podsec');
    assertScope(t, 0, 'privileged', CHECK);
    assertScope(t, 0, '--', 'punctuation.separator.reason.podsec');
    assertScope(t, 0, 'legacy image, see JIRA-12', REASON);
    // the whole line stays a comment, for themes that know only YAML
    for (const tok of t) assert.ok(has(tok.scopes, 'comment.line.number-sign.yaml'), tok.text);
  });

  it('work indented, after a value, and in a block sequence', () => {
    const text = [
      'spec:',
      '  containers:',
      '    # podsec-ignore capabilities_restricted -- needs NET_ADMIN',
      '    - name: app',
      '      securityContext: {privileged: true} # podsec-ignore privileged -- vendor',
      '      ports: [] #podsec-ignore hostPorts',
    ].join('\n');
    const t = tokenize(yaml, text);
    assertScope(t, 2, 'capabilities_restricted', CHECK);
    assertScope(t, 2, 'needs NET_ADMIN', REASON);
    assertScope(t, 4, 'privileged', CHECK, 1);
    assertScope(t, 4, 'vendor', REASON);
    assertNoScope(t, 4, 'privileged', DIRECTIVE, 0); // the key in the flow map is not part of it
    assertScope(t, 5, 'hostPorts', CHECK);
    // the YAML around them is still YAML
    assertScope(t, 3, 'name', 'entity.name.tag.yaml');
    assertScope(t, 4, 'securityContext', 'entity.name.tag.yaml');
  });

  it('mark unknown check IDs as invalid, known ones next to them as known', () => {
    const t = tokenize(yaml, '# podsec-ignore runAsNonroot, hostPorts bogus_check -- typo');
    assertScope(t, 0, 'runAsNonroot', UNKNOWN);
    assertScope(t, 0, 'hostPorts', CHECK);
    assertScope(t, 0, 'bogus_check', UNKNOWN);
    // a known ID as a prefix of a longer word is not the known ID
    const u = tokenize(yaml, '# podsec-ignore privilegedX,runAsUser2');
    assertScope(u, 0, 'privilegedX', UNKNOWN);
    assertScope(u, 0, 'runAsUser2', UNKNOWN);
  });

  it('without a reason: IDs still highlighted, nothing taken for a reason', () => {
    const t = tokenize(yaml, '# podsec-ignore sysctls');
    assertScope(t, 0, 'sysctls', CHECK);
    assert.equal(t.filter((x) => has(x.scopes, REASON)).length, 0);
    const u = tokenize(yaml, '# podsec-ignore sysctls --');
    assertScope(u, 0, '--', 'punctuation.separator.reason.podsec');
    assert.equal(u.filter((x) => has(x.scopes, REASON)).length, 0);
    const v = tokenize(yaml, '# podsec-ignore sysctls--reason');
    assertScope(v, 0, 'sysctls', CHECK);
    assertScope(v, 0, 'reason', REASON);
  });

  it('are only directives at the start of a comment', () => {
    const text = [
      '# note: podsec-ignore privileged -- not a directive',
      'key: "# podsec-ignore privileged -- inside a string"',
      'other: value#podsec-ignore privileged',
    ].join('\n');
    const t = tokenize(yaml, text);
    for (const line of [0, 1, 2]) assertNoScope(t, line, 'privileged', DIRECTIVE);
    assertScope(t, 0, 'privileged', 'comment.line.number-sign.yaml');
    assertScope(t, 1, 'privileged', 'string.quoted.double.yaml');
  });

  it('end at the end of their line', () => {
    const t = tokenize(yaml, '# podsec-ignore privileged -- x\nprivileged: true');
    assertNoScope(t, 1, 'privileged', DIRECTIVE);
    assertScope(t, 1, 'privileged', 'entity.name.tag.yaml');
    assertScope(t, 1, 'true', 'constant.language.boolean.yaml');
  });
});

describe('Pod Security Admission label keys', () => {
  const modes = ['enforce', 'warn', 'audit'];
  it('are highlighted as plain block keys, with and without -version', () => {
    const keys = modes.flatMap((m) => [m, `${m}-version`]);
    const text = [
      'metadata:',
      '  labels:',
      ...keys.map((k) => `    pod-security.kubernetes.io/${k}: x`),
    ].join('\n');
    const t = tokenize(yaml, text);
    keys.forEach((k, i) => {
      const line = i + 2;
      assertScope(t, line, `pod-security.kubernetes.io/${k}`, LABEL);
      assertScope(t, line, `pod-security.kubernetes.io/${k}`, 'entity.name.tag.yaml');
      assertScope(
        t,
        line,
        'pod-security.kubernetes.io',
        'entity.name.namespace.label-prefix.podsec',
      );
      assertScope(t, line, k.replace('-version', ''), 'keyword.other.mode.pod-security.podsec');
      if (k.endsWith('-version'))
        assertScope(t, line, '-version', 'keyword.other.version-suffix.pod-security.podsec');
      // the value after the key is still a YAML scalar
      assertScope(t, line, ':', 'punctuation.separator.key-value.mapping.yaml');
      assertScope(t, line, 'x', 'string.unquoted.plain.out.yaml');
    });
  });

  it('are highlighted quoted, in flow mappings and in JSON-style YAML', () => {
    const text = [
      `  "pod-security.kubernetes.io/enforce": restricted`,
      `  'pod-security.kubernetes.io/warn-version': latest`,
      `  labels: {pod-security.kubernetes.io/audit: baseline, app: web}`,
      `{"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}`,
      `- pod-security.kubernetes.io/enforce: privileged`,
    ].join('\n');
    const t = tokenize(yaml, text);
    assertScope(t, 0, '"pod-security.kubernetes.io/enforce"', LABEL);
    assertScope(t, 0, '"pod-security.kubernetes.io/enforce"', 'string.quoted.double.yaml');
    assertScope(t, 1, `'pod-security.kubernetes.io/warn-version'`, LABEL);
    assertScope(t, 1, `'pod-security.kubernetes.io/warn-version'`, 'string.quoted.single.yaml');
    assertScope(t, 2, 'pod-security.kubernetes.io/audit', LABEL);
    assertScope(t, 2, 'baseline', 'string.unquoted.plain.in.yaml');
    assertScope(t, 2, 'app', 'entity.name.tag.yaml');
    assertScope(t, 2, '}', 'punctuation.definition.mapping.end.yaml');
    assertScope(t, 3, '"pod-security.kubernetes.io/enforce"', LABEL);
    assertScope(t, 3, '"baseline"', 'string.quoted.double.yaml');
    assertScope(t, 4, 'pod-security.kubernetes.io/enforce', LABEL);
  });

  it('are not highlighted as values, in comments, with another prefix or another name', () => {
    const text = [
      'note: pod-security.kubernetes.io/enforce',
      '# pod-security.kubernetes.io/enforce: restricted',
      'example.pod-security.kubernetes.io/enforce: restricted',
      'pod-security.kubernetes.io/enforcement: restricted',
      'pod-security.kubernetes.io/enforce-versions: v1.30',
      'pod-security.kubernetes.io/enforce:restricted',
    ].join('\n');
    const t = tokenize(yaml, text);
    for (let line = 0; line < 6; line++)
      assert.equal(
        t.filter((x) => x.line === line && has(x.scopes, LABEL)).length,
        0,
        `line ${line}`,
      );
  });
});

describe('everything else', () => {
  it('tokenizes exactly as the YAML grammar alone does', () => {
    const dir = 'examples';
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => /\.ya?ml$/.test(f));
    assert.ok(files.length > 0);
    let lines = 0;
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => !l.includes('podsec-ignore') && !l.includes('pod-security.kubernetes.io'))
        .join('\n');
      assert.deepEqual(tokenize(yaml, text), tokenize(plain, text), f);
      lines += text.split('\n').length;
    }
    assert.ok(lines > 50, `compared ${lines} lines`);
  });
});
