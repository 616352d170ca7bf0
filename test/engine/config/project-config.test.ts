/**
 * `.podsec.yaml`: every key read with its default kept only where the value
 * is invalid, each message placed at the offending text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProjectConfig } from '@podsec/server/out/engine/config/index';
import type { ConfigDiagnostic, ProjectConfig } from '@podsec/server/out/engine/config/index';

const FILE = '/repo/app/.podsec.yaml';

function parse(text: string): ProjectConfig {
  return parseProjectConfig(text, FILE);
}

/** Each diagnostic as [severity, the text it underlines, message]. */
function placed(text: string, c: ProjectConfig): Array<[string, string, string]> {
  return c.diagnostics.map((d: ConfigDiagnostic) => [
    d.severity,
    text.slice(d.span.start, d.span.end),
    d.message,
  ]);
}

describe('.podsec.yaml: valid settings', () => {
  it('reads every active key', () => {
    const text = `level: baseline
version: v1.30
namespaceLabels: false
severity:
  runAsNonRoot: warning
  audit: hint
  yaml: "off"
exclude:
  - charts/**
  - "**/*.generated.yaml"
admissionConfiguration: ../cluster/admission.yaml
failOnSkipped: true
`;
    const c = parse(text);
    assert.deepEqual(c.diagnostics, []);
    assert.deepEqual(c.settings, {
      level: 'baseline',
      version: 'v1.30',
      namespaceLabels: false,
      severity: { runAsNonRoot: 'warning', audit: 'hint', yaml: 'off' },
      exclude: ['charts/**', '**/*.generated.yaml'],
      admissionConfiguration: '/repo/cluster/admission.yaml',
      failOnSkipped: true,
    });
  });

  it('records where each key and severity entry was written', () => {
    const text = 'version: latest\nlevel: privileged\nseverity: { runAsUser: error }\n';
    const c = parse(text);
    const loc = c.locations.level;
    assert.ok(loc);
    assert.equal(text.slice(loc.keySpan.start, loc.keySpan.end), 'level');
    assert.equal(text.slice(loc.valueSpan.start, loc.valueSpan.end), 'privileged');
    assert.equal(loc.file, FILE);
    const sev = c.severityLocations.runAsUser;
    assert.ok(sev);
    assert.equal(text.slice(sev.keySpan.start, sev.keySpan.end), 'runAsUser');
    assert.equal(c.locations.exclude, undefined);
  });

  it('reads off as a severity word; Off is not one', () => {
    const c = parse('severity:\n  note: off\n  yaml: Off\n');
    assert.deepEqual(c.settings.severity, { note: 'off' });
    // Severity words are lowercase, as the schema says: `Off` is not one.
    assert.deepEqual(
      c.diagnostics.map((d) => d.path),
      ['severity.yaml'],
    );
  });

  it('an empty file, or one of comments only, sets nothing and says nothing', () => {
    for (const text of ['', '# nothing yet\n', '---\n', '~\n']) {
      const c = parse(text);
      assert.deepEqual(c.settings, {}, JSON.stringify(text));
      assert.deepEqual(c.diagnostics, [], JSON.stringify(text));
    }
  });

  it('follows aliases', () => {
    const c = parse('x-globs: &g ["a/**"]\nexclude: *g\n');
    assert.deepEqual(c.settings.exclude, ['a/**']);
    // the anchor holder is an unknown key: warned, nothing else
    assert.deepEqual(
      c.diagnostics.map((d) => d.severity),
      ['warning'],
    );
  });

  it('accepts a newer minor than the newest known, with a note', () => {
    const text = 'version: v1.99\n';
    const c = parse(text);
    assert.equal(c.settings.version, 'v1.99');
    assert.deepEqual(
      placed(text, c).map(([s, t]) => [s, t]),
      [['information', 'v1.99']],
    );
  });
});

describe('.podsec.yaml: invalid values fall back for that key only', () => {
  it('an invalid level keeps the default, the other keys apply', () => {
    const text = 'level: strict\nversion: v1.25\n';
    const c = parse(text);
    assert.deepEqual(c.settings, { version: 'v1.25' });
    const [d] = placed(text, c);
    assert.deepEqual(d?.slice(0, 2), ['error', 'strict']);
    assert.match(d?.[2] ?? '', /not a Pod Security level.*privileged, baseline or restricted/);
    assert.equal(c.diagnostics[0]?.path, 'level');
    const ks = c.diagnostics[0]?.keySpan;
    assert.ok(ks);
    assert.equal(text.slice(ks.start, ks.end), 'level');
  });

  it('suggests the level meant', () => {
    const c = parse('level: restricetd\n');
    assert.match(c.diagnostics[0]?.message ?? '', /did you mean "restricted"\?/);
  });

  it('a version written as a number says how to write it', () => {
    const text = 'version: 1.30\n';
    const c = parse(text);
    assert.equal(c.settings.version, undefined);
    assert.deepEqual(placed(text, c)[0]?.slice(0, 2), ['error', '1.30']);
    assert.match(c.diagnostics[0]?.message ?? '', /write "v1\.30"/);
  });

  it('a malformed version string is an error at the value', () => {
    for (const v of ['v1.x', 'v2.0', '1.30', 'v1.030', 'Latest']) {
      const text = `version: "${v}"\n`;
      const c = parse(text);
      assert.equal(c.settings.version, undefined, v);
      assert.equal(c.diagnostics.length, 1, v);
      assert.equal(text.slice(c.diagnostics[0]?.span.start, c.diagnostics[0]?.span.end), `"${v}"`);
    }
  });

  it('booleans must be true or false', () => {
    const text = 'namespaceLabels: "false"\nfailOnSkipped: 1\n';
    const c = parse(text);
    assert.deepEqual(c.settings, {});
    assert.deepEqual(
      placed(text, c).map(([s, t]) => [s, t]),
      [
        ['error', '"false"'],
        ['error', '1'],
      ],
    );
    assert.match(c.diagnostics[0]?.message ?? '', /without quotes/);
  });

  it('the file is YAML 1.2 (as editors validate it): yes/on are not booleans', () => {
    const c = parse('namespaceLabels: yes\nfailOnSkipped: on\n');
    assert.deepEqual(c.settings, {});
    assert.equal(c.diagnostics.length, 2);
    assert.match(c.diagnostics[0]?.message ?? '', /write true or false/);
  });

  it('severity: a bad entry is dropped, the good ones kept', () => {
    const text =
      'severity:\n  runAsNonRoot: off\n  runAsNonRot: warning\n  audit: loud\n  warn: [x]\n';
    const c = parse(text);
    assert.deepEqual(c.settings.severity, { runAsNonRoot: 'off' });
    assert.deepEqual(
      placed(text, c).map(([s, t]) => [s, t]),
      [
        ['warning', 'runAsNonRot'],
        ['error', 'loud'],
        ['error', '[x]'],
      ],
    );
    assert.match(c.diagnostics[0]?.message ?? '', /did you mean "runAsNonRoot"/);
    assert.match(c.diagnostics[1]?.message ?? '', /error, warning, information, hint or off/);
  });

  it('severity must be a map', () => {
    const text = 'severity: [runAsNonRoot]\n';
    const c = parse(text);
    assert.equal(c.settings.severity, undefined);
    assert.deepEqual(placed(text, c)[0]?.slice(0, 2), ['error', '[runAsNonRoot]']);
  });

  it('exclude: bad items are dropped, the list kept', () => {
    const text = 'exclude:\n  - charts/**\n  - 3\n  - ""\n  - "!keep/**"\n';
    const c = parse(text);
    assert.deepEqual(c.settings.exclude, ['charts/**']);
    assert.deepEqual(
      placed(text, c).map(([s, t]) => [s, t]),
      [
        ['error', '3'],
        ['error', '""'],
        ['error', '"!keep/**"'],
      ],
    );
    assert.deepEqual(
      c.diagnostics.map((d) => d.path),
      ['exclude[1]', 'exclude[2]', 'exclude[3]'],
    );
  });

  it('exclude as a single string is an error (a list is expected)', () => {
    const text = 'exclude: charts/**\n';
    const c = parse(text);
    assert.equal(c.settings.exclude, undefined);
    assert.match(c.diagnostics[0]?.message ?? '', /must be a list of glob patterns/);
  });

  it('admissionConfiguration: relative to the file, absolute kept, empty refused', () => {
    assert.equal(
      parse('admissionConfiguration: ./k8s/psa.yaml\n').settings.admissionConfiguration,
      '/repo/app/k8s/psa.yaml',
    );
    assert.equal(
      parse('admissionConfiguration: /etc/kubernetes/psa.yaml\n').settings.admissionConfiguration,
      '/etc/kubernetes/psa.yaml',
    );
    const c = parse('admissionConfiguration: ""\n');
    assert.equal(c.settings.admissionConfiguration, undefined);
    assert.equal(c.diagnostics[0]?.severity, 'error');
  });
});

describe('.podsec.yaml: keys', () => {
  it('an unknown key is a warning at the key, with a suggestion', () => {
    const text = 'levle: baseline\nversion: latest\n';
    const c = parse(text);
    assert.deepEqual(c.settings, { version: 'latest' });
    const [d] = placed(text, c);
    assert.deepEqual(d?.slice(0, 2), ['warning', 'levle']);
    assert.match(d?.[2] ?? '', /unknown key "levle" \(did you mean "level"\?\)/);
  });

  it('a duplicate key: the last applies and the duplicate is an error at it', () => {
    const text = 'level: baseline\nlevel: privileged\n';
    const c = parse(text);
    assert.equal(c.settings.level, 'privileged');
    assert.equal(c.diagnostics.length, 1);
    assert.equal(c.diagnostics[0]?.span.start, text.lastIndexOf('level'));
    const loc = c.locations.level;
    assert.equal(loc?.valueSpan.start, text.indexOf('privileged'));
  });

  it('a duplicate with an invalid value removes the earlier value (the last one is what is read)', () => {
    const c = parse('level: baseline\nlevel: nope\n');
    assert.equal(c.settings.level, undefined);
    assert.equal(c.locations.level, undefined);
  });

  it('the keys of later features are read and used: baseline, hardening, helm, kustomize (no note)', () => {
    const text = `baseline: .podsec-baseline.json
hardening:
  secretInEnv: true
helm:
  - name: prod
    values: [values-prod.yaml]
    set: { replicas: 3, image.tag: "1.2" }
    releaseName: shop
    namespace: shop
kustomize:
  roots: [overlays/prod]
`;
    const c = parse(text);
    assert.deepEqual(
      c.diagnostics.map((d) => [d.severity, text.slice(d.span.start, d.span.end)]),
      [],
    );
    assert.deepEqual(c.settings.hardening, { checks: { secretInEnv: 'on' } });
    assert.deepEqual(c.settings.helm, [
      {
        name: 'prod',
        values: ['/repo/app/values-prod.yaml'],
        set: { replicas: 3, 'image.tag': '1.2' },
        releaseName: 'shop',
        namespace: 'shop',
      },
    ]);
    assert.deepEqual(c.settings.kustomize, { roots: ['/repo/app/overlays/prod'] });
    assert.equal(c.settings.baseline, '/repo/app/.podsec-baseline.json');
  });

  it('helm value sets: a missing name and unknown keys are reported at their place', () => {
    const text = 'helm:\n  - values: [a.yaml]\n  - name: x\n    valuez: [b.yaml]\n';
    const c = parse(text);
    assert.deepEqual(
      c.diagnostics.map((d) => [d.severity, text.slice(d.span.start, d.span.end)]),
      [
        ['error', 'values: [a.yaml]\n'],
        ['warning', 'valuez'],
      ],
    );
    assert.deepEqual(
      c.settings.helm?.map((h) => h.name),
      ['x'],
    );
  });
});

describe('.podsec.yaml: hardening', () => {
  it('off, on, false and true switch the family', () => {
    assert.deepEqual(parse('hardening: off\n').settings.hardening, { enabled: false, checks: {} });
    assert.deepEqual(parse('hardening: false\n').settings.hardening, {
      enabled: false,
      checks: {},
    });
    assert.deepEqual(parse('hardening: on\n').settings.hardening, { enabled: true, checks: {} });
    assert.equal(parse('hardening: on\n').diagnostics.length, 0);
  });

  it('a map: each check on, off or a severity; enabled and requireCpuLimit', () => {
    const text = `hardening:
  enabled: false
  networkPolicyIsolation: off
  resourceLimits: error
  secretInEnv: hint
  auditPolicy: true
  requireCpuLimit: true
`;
    const c = parse(text);
    assert.deepEqual(c.diagnostics, []);
    assert.deepEqual(c.settings.hardening, {
      enabled: false,
      checks: {
        networkPolicyIsolation: 'off',
        resourceLimits: 'error',
        secretInEnv: 'hint',
        auditPolicy: 'on',
      },
      requireCpuLimit: true,
    });
  });

  it('bad entries are reported at their place and dropped; the good ones kept', () => {
    const text = `hardening:
  resourceLimts: error
  resourceRequests: loud
  secretInEnv: warnng
  serviceAccountToken: [off]
  requireCpuLimit: on
  enabled: maybe
  secretManifest: off
`;
    const c = parse(text);
    assert.deepEqual(placed(text, c), [
      [
        'warning',
        'resourceLimts',
        'unknown key "resourceLimts" in hardening (did you mean "resourceLimits"?); ignored',
      ],
      [
        'error',
        'loud',
        'hardening.resourceRequests must be on, off or a severity (error, warning, information, hint), not "loud"; the default applies',
      ],
      [
        'error',
        'warnng',
        'hardening.secretInEnv must be on, off or a severity (error, warning, information, hint), not "warnng" (did you mean "warning"?); the default applies',
      ],
      [
        'error',
        '[off]',
        'hardening.serviceAccountToken must be on, off or a severity (error, warning, information, hint), not a list; the default applies',
      ],
      [
        'error',
        'on',
        'hardening.requireCpuLimit must be true or false, not a string (write true or false: this file is YAML 1.2, where on is a string); the default applies',
      ],
      [
        'error',
        'maybe',
        'hardening.enabled must be on or off (or true, false), not a string; the default applies',
      ],
    ]);
    assert.deepEqual(c.settings.hardening, { checks: { secretManifest: 'off' } });
  });

  it('a list or a word that is no switch is an error at the value; nothing of it applies', () => {
    const list = 'hardening: [networkPolicyIsolation]\n';
    const l = parse(list);
    assert.equal(l.settings.hardening, undefined);
    assert.deepEqual(
      placed(list, l).map(([sev, at]) => [sev, at]),
      [['error', '[networkPolicyIsolation]']],
    );
    const word = 'hardening: disabled\n';
    const w = parse(word);
    assert.equal(w.settings.hardening, undefined);
    assert.deepEqual(
      placed(word, w).map(([sev, at]) => [sev, at]),
      [['error', 'disabled']],
    );
  });
});

describe('.podsec.yaml: bad input is normal input', () => {
  it('a YAML error is reported; the keys that parsed still apply', () => {
    const text = 'level: baseline\nversion: [v1.30\n';
    const c = parse(text);
    assert.equal(c.settings.level, 'baseline');
    assert.ok(c.diagnostics.some((d) => d.code === 'yaml' && d.severity === 'error'));
  });

  it('a root that is not a map: one error, nothing applies', () => {
    const text = '- level: baseline\n';
    const c = parse(text);
    assert.deepEqual(c.settings, {});
    assert.equal(c.diagnostics.length, 1);
    assert.match(c.diagnostics[0]?.message ?? '', /must be a map of settings/);
  });

  it('a second document is reported and ignored', () => {
    const text = 'level: baseline\n---\nlevel: privileged\n';
    const c = parse(text);
    assert.equal(c.settings.level, 'baseline');
    assert.equal(c.diagnostics.length, 1);
    assert.match(c.diagnostics[0]?.message ?? '', /one document/);
  });

  it('NUL bytes, huge texts and deep nesting: one clear error each, never a throw', () => {
    const cases = [
      'level: base\0line\n',
      `level: baseline\n# ${'x'.repeat(1024 * 1024)}\n`,
      `level: baseline\nx: ${'['.repeat(500)}${']'.repeat(500)}\n`,
      `level: baseline\nx:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`,
      `${'- '.repeat(2000)}a\n`,
    ];
    for (const text of cases) {
      const c = parse(text);
      assert.equal(c.diagnostics.length, 1, text.slice(0, 40));
      assert.equal(c.diagnostics[0]?.severity, 'error');
      assert.deepEqual(c.settings, {});
    }
  });

  it('many aliases are followed without expanding them', () => {
    const lines = ['a: &a ["x/**"]'];
    for (let i = 0; i < 2000; i++) lines.push(`k${i}: *a`);
    lines.push('exclude: *a');
    const c = parse(`${lines.join('\n')}\n`);
    assert.deepEqual(c.settings.exclude, ['x/**']);
  });

  it('an alias with no anchor is a YAML error, not a crash', () => {
    const text = 'exclude: *nothing\nlevel: baseline\n';
    const c = parse(text);
    assert.equal(c.settings.exclude, undefined);
    assert.equal(c.settings.level, 'baseline');
    assert.deepEqual(
      c.diagnostics.map((d) => [d.severity, text.slice(d.span.start, d.span.end)]),
      [['error', '*nothing']],
    );
  });

  it('CRLF line ends and a UTF-16 character before a key keep offsets exact', () => {
    const text = '# café ☕ 🚀\r\nlevel: strict\r\n';
    const c = parse(text);
    const d = c.diagnostics[0];
    assert.ok(d);
    assert.equal(text.slice(d.span.start, d.span.end), 'strict');
  });
});
