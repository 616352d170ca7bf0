/**
 * The cluster's PodSecurity admission configuration, read as the API server
 * and the webhook read it. Expected wording follows upstream's sources:
 * kubernetes/pod-security-admission admission/api/validation/validation.go
 * and api/helpers.go (level and version errors), kubernetes/apimachinery
 * pkg/util/validation/validation.go (DNS-1123 names) and
 * pkg/util/validation/field/errors.go ("Invalid value", "Duplicate value"),
 * kubernetes/apiserver pkg/admission/config.go (plugin path resolution).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  builtInAdmissionConfig,
  isAdmissionConfigValid,
  loadAdmissionConfig,
  parseAdmissionConfig,
} from '@podsec/server/out/engine/config/index';
import type { AdmissionConfig } from '@podsec/server/out/engine/config/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const PSC = (apiVersion: string, body: string) =>
  `apiVersion: ${apiVersion}\nkind: PodSecurityConfiguration\n${body}`;

const BODY = `defaults:
  enforce: baseline
  enforce-version: v1.30
  warn: restricted
exemptions:
  usernames: [admin]
  namespaces: [kube-system]
  runtimeClasses: [kata]
`;

function levels(c: AdmissionConfig): string[] {
  return (['enforce', 'warn', 'audit'] as const).map(
    (m) => `${m}=${c.defaults[m].level}:${c.defaults[m].version}`,
  );
}

function messages(c: AdmissionConfig): string[] {
  return c.diagnostics.map((d) => d.message);
}

describe('PodSecurityConfiguration versions', () => {
  for (const v of ['v1', 'v1beta1', 'v1alpha1']) {
    it(`pod-security.admission.config.k8s.io/${v}`, () => {
      const c = parseAdmissionConfig(
        PSC(`pod-security.admission.config.k8s.io/${v}`, BODY),
        '/etc/psa.yaml',
      );
      assert.deepEqual(c.diagnostics, []);
      assert.equal(c.source, 'bare');
      assert.equal(c.apiVersion, `pod-security.admission.config.k8s.io/${v}`);
      assert.deepEqual(levels(c), [
        'enforce=baseline:v1.30',
        'warn=restricted:latest',
        'audit=privileged:latest',
      ]);
      assert.deepEqual(
        c.exemptions.namespaces.map((e) => e.value),
        ['kube-system'],
      );
      assert.deepEqual(
        c.exemptions.usernames.map((e) => e.value),
        ['admin'],
      );
      assert.deepEqual(
        c.exemptions.runtimeClasses.map((e) => e.value),
        ['kata'],
      );
    });
  }

  it('an unknown version or group is an error naming it', () => {
    for (const apiVersion of [
      'pod-security.admission.config.k8s.io/v99',
      'apps/v1alpha1',
      'pod-security.admission.config.k8s.io',
    ]) {
      const c = parseAdmissionConfig(PSC(apiVersion, BODY), '/etc/psa.yaml');
      assert.equal(isAdmissionConfigValid(c), false, apiVersion);
      assert.ok(
        messages(c).some((m) =>
          m.startsWith(
            `no kind "PodSecurityConfiguration" is registered for version "${apiVersion}"`,
          ),
        ),
        messages(c).join('\n'),
      );
      // nothing of it is used
      assert.deepEqual(c.exemptions.namespaces, []);
    }
  });

  it('kind is checked before apiVersion, as the decoder does', () => {
    assert.match(
      messages(parseAdmissionConfig('apiVersion: x/v1\ndefaults: {}\n', '/a.yaml'))[0] ?? '',
      /^Object 'Kind' is missing/,
    );
    assert.match(
      messages(parseAdmissionConfig('kind: PodSecurityConfiguration\n', '/a.yaml'))[0] ?? '',
      /^Object 'apiVersion' is missing/,
    );
    const other = parseAdmissionConfig('apiVersion: v1\nkind: ConfigMap\n', '/a.yaml');
    assert.match(messages(other)[0] ?? '', /^no kind "ConfigMap" is registered for version "v1"/);
  });
});

describe('AdmissionConfiguration', () => {
  const inline = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: AdmissionConfiguration
plugins:
  - name: EventRateLimit
    path: eventconfig.yaml
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults:
        enforce: restricted
      exemptions:
        namespaces: [kube-system]
`;

  for (const v of ['apiserver.config.k8s.io/v1', 'apiserver.k8s.io/v1alpha1']) {
    it(`${v}: the PodSecurity plugin's inline configuration`, () => {
      const c = parseAdmissionConfig(inline(v), '/etc/kubernetes/admission.yaml');
      assert.deepEqual(c.diagnostics, []);
      assert.equal(c.source, 'inline');
      assert.equal(c.podSecurityFile, '/etc/kubernetes/admission.yaml');
      assert.deepEqual(levels(c), [
        'enforce=restricted:latest',
        'warn=privileged:latest',
        'audit=privileged:latest',
      ]);
      const ns = c.exemptions.namespaces[0];
      assert.ok(ns);
      const text = inline(v);
      assert.equal(text.slice(ns.span.start, ns.span.end), 'kube-system');
      assert.equal(ns.file, '/etc/kubernetes/admission.yaml');
    });
  }

  it('apiserver.config.k8s.io/v1alpha1 has no AdmissionConfiguration (it is apiserver.k8s.io/v1alpha1)', () => {
    const c = parseAdmissionConfig(inline('apiserver.config.k8s.io/v1alpha1'), '/a.yaml');
    assert.equal(isAdmissionConfigValid(c), false);
    assert.match(
      messages(c)[0] ?? '',
      /no kind "AdmissionConfiguration" is registered for version "apiserver\.config\.k8s\.io\/v1alpha1".*apiserver\.k8s\.io\/v1alpha1/,
    );
  });

  const byPath = (p: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    path: ${p}
`;

  it('path: relative to the admission configuration file, read through the reader', () => {
    const fs = new MemoryFs({
      '/etc/kubernetes/admission.yaml': byPath('psa/podsecurity.yaml'),
      '/etc/kubernetes/psa/podsecurity.yaml': PSC(
        'pod-security.admission.config.k8s.io/v1beta1',
        BODY,
      ),
    });
    const c = loadAdmissionConfig('/etc/kubernetes/admission.yaml', fs);
    assert.deepEqual(c.diagnostics, []);
    assert.equal(c.source, 'path');
    assert.equal(c.podSecurityFile, '/etc/kubernetes/psa/podsecurity.yaml');
    assert.deepEqual(c.files, [
      '/etc/kubernetes/admission.yaml',
      '/etc/kubernetes/psa/podsecurity.yaml',
    ]);
    assert.equal(c.defaults.enforce.level, 'baseline');
    const origin = c.defaults.enforce.levelOrigin;
    assert.equal(
      origin.kind === 'config' ? origin.file : null,
      '/etc/kubernetes/psa/podsecurity.yaml',
    );
    assert.equal(c.exemptions.usernames[0]?.file, '/etc/kubernetes/psa/podsecurity.yaml');
  });

  it('path: absolute, and ../ relative', () => {
    const fs = new MemoryFs({
      '/cluster/a/admission.yaml': byPath('../shared/psa.yaml'),
      '/cluster/shared/psa.yaml': PSC(
        'pod-security.admission.config.k8s.io/v1',
        'defaults: { warn: baseline }\n',
      ),
      '/cluster/b/admission.yaml': byPath('/cluster/shared/psa.yaml'),
    });
    for (const f of ['/cluster/a/admission.yaml', '/cluster/b/admission.yaml']) {
      const c = loadAdmissionConfig(f, fs);
      assert.equal(c.podSecurityFile, '/cluster/shared/psa.yaml', f);
      assert.equal(c.defaults.warn.level, 'baseline', f);
    }
  });

  it('path: a file that cannot be read is an error at the path, never the defaults in silence', () => {
    const text = byPath('missing.yaml');
    const c = parseAdmissionConfig(text, '/etc/admission.yaml', new MemoryFs({}));
    assert.equal(isAdmissionConfigValid(c), false);
    const d = c.diagnostics[0];
    assert.ok(d);
    assert.equal(text.slice(d.span.start, d.span.end), 'missing.yaml');
    assert.match(d.message, /Couldn't open admission plugin configuration \/etc\/missing\.yaml/);
  });

  it('path: an empty target file is the defaults (LoadFromData with no data)', () => {
    const fs = new MemoryFs({ '/e/admission.yaml': byPath('psa.yaml'), '/e/psa.yaml': '' });
    const c = loadAdmissionConfig('/e/admission.yaml', fs);
    assert.deepEqual(c.diagnostics, []);
    assert.deepEqual(levels(c), levels(builtInAdmissionConfig()));
  });

  it('path: the target must be a PodSecurityConfiguration', () => {
    const fs = new MemoryFs({
      '/e/admission.yaml': byPath('psa.yaml'),
      '/e/psa.yaml': byPath('psa.yaml'),
    });
    const c = loadAdmissionConfig('/e/admission.yaml', fs);
    assert.equal(c.diagnostics[0]?.file, '/e/psa.yaml');
    assert.match(
      c.diagnostics[0]?.message ?? '',
      /expected PodSecurityConfiguration, got AdmissionConfiguration/,
    );
  });

  it('the inline configuration wins over path (with a warning that path is not read)', () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    path: other.yaml
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults: { audit: restricted }
`;
    let read = 0;
    const c = parseAdmissionConfig(text, '/e/a.yaml', { readText: () => (read++, null) });
    assert.equal(read, 0);
    assert.equal(c.source, 'inline');
    assert.equal(c.defaults.audit.level, 'restricted');
    assert.deepEqual(
      c.diagnostics.map((d) => [d.severity, text.slice(d.span.start, d.span.end)]),
      [['warning', 'other.yaml']],
    );
  });

  it('only the first PodSecurity entry is used', () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration: { apiVersion: pod-security.admission.config.k8s.io/v1, kind: PodSecurityConfiguration, defaults: { enforce: baseline } }
  - name: PodSecurity
    configuration: { apiVersion: pod-security.admission.config.k8s.io/v1, kind: PodSecurityConfiguration, defaults: { enforce: restricted } }
`;
    const c = parseAdmissionConfig(text, '/a.yaml');
    assert.equal(c.defaults.enforce.level, 'baseline');
    assert.deepEqual(
      c.diagnostics.map((d) => d.severity),
      ['warning'],
    );
  });

  it('no PodSecurity entry, or one with neither configuration nor path: the built-in defaults', () => {
    const none = parseAdmissionConfig(
      'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: EventRateLimit\n    path: x.yaml\n',
      '/a.yaml',
    );
    assert.equal(none.source, 'noPlugin');
    assert.deepEqual(
      none.diagnostics.map((d) => d.severity),
      ['information'],
    );
    const empty = parseAdmissionConfig(
      'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: PodSecurity\n',
      '/a.yaml',
    );
    assert.deepEqual(levels(empty), levels(builtInAdmissionConfig()));
    assert.deepEqual(empty.diagnostics, []);
  });

  it('strict decoding: unknown and duplicate fields are errors at the key', () => {
    const text = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugin: []
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      deflaults: { enforce: baseline }
      defaults:
        enforce: baseline
        enforce: restricted
`;
    const c = parseAdmissionConfig(text, '/a.yaml');
    assert.deepEqual(
      c.diagnostics.map((d) => [d.message, text.slice(d.span.start, d.span.end)]),
      [
        ['strict decoding error: unknown field "plugin"', 'plugin'],
        ['strict decoding error: unknown field "deflaults"', 'deflaults'],
        ['strict decoding error: duplicate field "defaults.enforce"', 'enforce'],
      ],
    );
    assert.equal(c.diagnostics[1]?.path, 'plugins[0].configuration.deflaults');
  });
});

describe('defaults', () => {
  it('an empty or absent level is privileged, an empty or absent version latest (upstream SetDefaults)', () => {
    const c = parseAdmissionConfig(
      PSC(
        'pod-security.admission.config.k8s.io/v1',
        'defaults:\n  enforce: ""\n  warn: ~\n  audit-version: v1.25\n',
      ),
      '/a.yaml',
    );
    assert.deepEqual(c.diagnostics, []);
    assert.deepEqual(levels(c), [
      'enforce=privileged:latest',
      'warn=privileged:latest',
      'audit=privileged:v1.25',
    ]);
    assert.equal(c.defaults.enforce.levelOrigin.kind, 'builtIn');
    assert.equal(c.defaults.audit.versionOrigin.kind, 'config');
  });

  it('an empty file is the defaults, with a warning', () => {
    const c = parseAdmissionConfig('', '/a.yaml');
    assert.deepEqual(levels(c), levels(builtInAdmissionConfig()));
    assert.deepEqual(
      c.diagnostics.map((d) => d.severity),
      ['warning'],
    );
  });

  it("invalid levels and versions: upstream's messages at the value; evaluated as restricted and latest", () => {
    const text = PSC(
      'pod-security.admission.config.k8s.io/v1',
      'defaults:\n  enforce: baslein\n  enforce-version: v.122\n  audit: lorum\n  audit-version: ipsum\n',
    );
    const c = parseAdmissionConfig(text, '/a.yaml');
    assert.deepEqual(
      c.diagnostics.map((d) => [d.message, text.slice(d.span.start, d.span.end)]),
      [
        [
          'defaults.enforce: Invalid value: "baslein": must be one of privileged, baseline, restricted',
          'baslein',
        ],
        ['defaults.enforce-version: Invalid value: "v.122": must be "latest" or "v1.x"', 'v.122'],
        [
          'defaults.audit: Invalid value: "lorum": must be one of privileged, baseline, restricted',
          'lorum',
        ],
        ['defaults.audit-version: Invalid value: "ipsum": must be "latest" or "v1.x"', 'ipsum'],
      ],
    );
    assert.deepEqual(levels(c), [
      'enforce=restricted:latest',
      'warn=privileged:latest',
      'audit=restricted:latest',
    ]);
  });

  it('scalars as sigs.k8s.io/yaml types them: numbers and YAML 1.1 booleans are not strings', () => {
    const text = PSC(
      'pod-security.admission.config.k8s.io/v1',
      'defaults:\n  enforce-version: 1.25\nexemptions:\n  namespaces: [on, "on", 0o17]\n',
    );
    const c = parseAdmissionConfig(text, '/a.yaml');
    assert.deepEqual(
      c.diagnostics.map((d) => text.slice(d.span.start, d.span.end)),
      ['1.25', 'on', '0o17'],
    );
    assert.match(
      c.diagnostics[0]?.message ?? '',
      /^json: cannot unmarshal number into Go struct field PodSecurityDefaults\.defaults\.EnforceVersion of type string/,
    );
    assert.match(c.diagnostics[1]?.message ?? '', /cannot unmarshal bool/);
    assert.deepEqual(
      c.exemptions.namespaces.map((e) => e.value),
      ['on'],
    );
  });
});

describe('exemption validation (upstream validation.go)', () => {
  // The cases of upstream's TestValidatePodSecurityConfiguration.
  const tooLong = 'testtesttesttesttesttesttesttesttesttesttesttesttesttesttesttest';
  const text = PSC(
    'pod-security.admission.config.k8s.io/v1',
    `exemptions:
  namespaces: ["", "_&$%#", "TEST", "${tooLong}", testing, testing]
  runtimeClasses: ["", "_&$%#", "TEST", testing, testing]
  usernames: ["", testing, testing]
`,
  );
  const c = parseAdmissionConfig(text, '/a.yaml');
  const LABEL =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  const SUBDOMAIN =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

  it('reports each invalid or duplicate entry with upstream wording, in upstream order', () => {
    assert.deepEqual(messages(c), [
      `exemptions.namespaces[0]: Invalid value: "": ${LABEL}`,
      `exemptions.namespaces[1]: Invalid value: "_&$%#": ${LABEL}`,
      `exemptions.namespaces[2]: Invalid value: "TEST": ${LABEL}`,
      `exemptions.namespaces[3]: Invalid value: "${tooLong}": must be no more than 63 characters`,
      'exemptions.namespaces[5]: Duplicate value: "testing"',
      `exemptions.runtimeClasses[0]: Invalid value: "": ${SUBDOMAIN}`,
      `exemptions.runtimeClasses[1]: Invalid value: "_&$%#": ${SUBDOMAIN}`,
      `exemptions.runtimeClasses[2]: Invalid value: "TEST": ${SUBDOMAIN}`,
      'exemptions.runtimeClasses[4]: Duplicate value: "testing"',
      'exemptions.usernames[0]: Invalid value: "": username must not be empty',
      'exemptions.usernames[2]: Duplicate value: "testing"',
    ]);
  });

  it('each message sits on its entry', () => {
    const d = c.diagnostics[4];
    assert.ok(d);
    assert.equal(
      d.span.start,
      text.lastIndexOf('testing, testing]', text.indexOf('runtimeClasses')) + 'testing, '.length,
    );
    assert.equal(text.slice(d.span.start, d.span.end), 'testing');
    assert.equal(d.path, 'exemptions.namespaces[5]');
  });

  it('a namespace with dots: "must not contain dots"; lengths count UTF-8 bytes', () => {
    const dots = parseAdmissionConfig(
      PSC('pod-security.admission.config.k8s.io/v1', 'exemptions:\n  namespaces: [a.b]\n'),
      '/a.yaml',
    );
    assert.deepEqual(messages(dots), [
      'exemptions.namespaces[0]: Invalid value: "a.b": must not contain dots',
    ]);
    const long = 'é'.repeat(32); // 64 bytes
    const bytes = parseAdmissionConfig(
      PSC('pod-security.admission.config.k8s.io/v1', `exemptions:\n  namespaces: ["${long}"]\n`),
      '/a.yaml',
    );
    assert.match(
      messages(bytes)[0] ?? '',
      /must be no more than 63 characters, a lowercase RFC 1123 label/,
    );
  });

  it('a list that is not a list, and null lists', () => {
    const bad = parseAdmissionConfig(
      PSC(
        'pod-security.admission.config.k8s.io/v1',
        'exemptions:\n  namespaces: kube-system\n  usernames: ~\n',
      ),
      '/a.yaml',
    );
    assert.deepEqual(messages(bad), [
      'json: cannot unmarshal string into Go struct field PodSecurityExemptions.exemptions.Namespaces of type []string',
    ]);
  });
});

describe('bad input', () => {
  it('YAML errors, extra documents, a root that is not a map: reported, never a throw', () => {
    const broken = parseAdmissionConfig('apiVersion: [\n', '/a.yaml');
    assert.ok(broken.diagnostics.some((d) => d.code === 'yaml'));
    const two = parseAdmissionConfig(
      `${PSC('pod-security.admission.config.k8s.io/v1', 'defaults: { enforce: baseline }\n')}---\nkind: Other\n`,
      '/a.yaml',
    );
    assert.equal(two.defaults.enforce.level, 'baseline');
    assert.deepEqual(
      two.diagnostics.map((d) => d.severity),
      ['warning'],
    );
    assert.match(messages(parseAdmissionConfig('- a\n', '/a.yaml'))[0] ?? '', /must be a map/);
  });

  it('a file the reader cannot read is an error', () => {
    const c = loadAdmissionConfig('/nowhere.yaml', new MemoryFs({}));
    assert.equal(isAdmissionConfigValid(c), false);
    assert.match(messages(c)[0] ?? '', /could not be read/);
  });
});
