/**
 * YAML as kubectl decodes it, and the API server's defaulting before
 * admission: `{{` as text outside a chart, integers in go-yaml v2's
 * spellings, merge keys in document order, aliases to undefined anchors,
 * `...` end markers, duplicate keys, null list items, complex keys, and
 * hostPort defaulted from containerPort under hostNetwork.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import type { YAMLMap } from 'yaml';
import { analyze, isChartTemplate } from '@podsec/server';
import { goScalarKind, jsonKey } from '@podsec/server/out/engine/decode/kubectl';
import { parseAdmissionConfig } from '@podsec/server/out/engine/config/index';
import type { Analysis, AnalyzeOptions, Finding } from '@podsec/server';
import { Rng } from '../support/generate';
import { iterations } from '../support/fast';

const under = (t: string, s: { start: number; end: number }): string => t.slice(s.start, s.end);
const checks = (a: Analysis): string[] => a.findings.map((f) => f.check);
const baseline = (t: string, o: AnalyzeOptions = {}): Analysis =>
  analyze(t, { level: 'baseline', ...o });

/** A Pod with one container whose spec part (under the container) is `extra`. */
function pod(containerExtra: string, podExtra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
${podExtra}  containers:
    - name: app
      image: app
${containerExtra}`;
}

const DASHBOARD = `apiVersion: v1
kind: ConfigMap
metadata:
  name: dashboards
data:
  node.json: |
    {"targets": [{"expr": "up", "legendFormat": "{{instance}}"}]}
`;
const RULE = `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: node-down
spec:
  groups:
    - name: node
      rules:
        - alert: NodeDown
          expr: up == 0
          annotations:
            summary: "{{ $labels.instance }} is down"
            description: {{ $labels.job }}
`;
const DAEMONSET = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  template:
    spec:
      containers:
        - name: agent
          image: agent
          securityContext:
            privileged: true
`;

describe('{{ … }} outside a Helm chart is text', () => {
  it('a Grafana dashboard ConfigMap and a quoted PrometheusRule summary beside a privileged DaemonSet: evaluated', () => {
    const rule = RULE.replace('            description: {{ $labels.job }}\n', '');
    const t = `${DASHBOARD}---\n${rule}---\n${DAEMONSET}`;
    const a = baseline(t);
    assert.deepEqual(checks(a), ['privileged']);
    assert.equal(under(t, a.findings[0]?.span ?? { start: 0, end: 0 }), 'privileged: true');
    assert.deepEqual([a.errors, a.notes], [[], []]);
    assert.equal(a.objects, 3);
  });

  it('an unquoted {{ … }} that YAML cannot decode: an error there, a note that it looks like a template, the other documents evaluated', () => {
    const t = `${RULE}---\n${DAEMONSET}`;
    const a = baseline(t);
    assert.deepEqual(checks(a), ['privileged']);
    assert.ok(a.errors.length > 0);
    assert.equal(a.notes.length, 1);
    assert.match(a.notes[0]?.message ?? '', /looks like a template/);
    assert.equal(under(t, a.notes[0]?.span ?? { start: 0, end: 0 }), '{{ $labels.job }}');
  });

  it('a YAML error away from any {{ … }} gets no template note', () => {
    const t = `${DASHBOARD}---\napiVersion: v1\nkind: Pod\nspec: [\n`;
    const a = baseline(t);
    assert.ok(a.errors.some((e) => e.code === 'yaml'));
    assert.deepEqual(a.notes, []);
  });

  it('a chart template (chartTemplate) with {{ … }} is one note, no findings', () => {
    const t = `${DAEMONSET}          runAsUser: {{ .Values.uid }}\n`;
    const a = baseline(t, { chartTemplate: true });
    assert.deepEqual([a.findings, a.errors], [[], []]);
    assert.equal(a.notes.length, 1);
    assert.match(a.notes[0]?.message ?? '', /Helm chart template/);
    // A chart template without actions is plain YAML.
    assert.deepEqual(checks(baseline(DAEMONSET, { chartTemplate: true })), ['privileged']);
  });

  it('isChartTemplate: a file under templates/ of a folder with Chart.yaml, at any depth', () => {
    const files = new Set(['/repo/charts/web/Chart.yaml', 'rel/Chart.yaml', 'C:\\c\\Chart.yaml']);
    const fs = { isFile: (p: string) => files.has(p) };
    assert.equal(isChartTemplate('/repo/charts/web/templates/deploy.yaml', fs), true);
    assert.equal(isChartTemplate('/repo/charts/web/templates/sub/x.yaml', fs), true);
    assert.equal(isChartTemplate('rel/templates/x.yaml', fs), true);
    assert.equal(isChartTemplate('C:\\c\\templates\\x.yaml', fs), true);
    assert.equal(isChartTemplate('/repo/charts/web/deploy.yaml', fs), false);
    assert.equal(isChartTemplate('/repo/other/templates/x.yaml', fs), false);
    assert.equal(isChartTemplate('/repo/charts/web/templates', fs), false);
  });
});

describe('integers as go-yaml v2 resolves them', () => {
  const spellings: Array<[string, number]> = [
    ['80', 80],
    ['0x50', 80],
    ['0X50', 80],
    ['0o120', 80],
    ['0120', 80],
    ['0b1010000', 80],
    ['+80', 80],
    ['8_0', 80],
    ['0x_50', 80],
    ['80.0', 80],
    ['8e1', 80],
    ['08', 8],
    ['1_000', 1000],
  ];
  for (const [s, v] of spellings) {
    it(`hostPort: ${s} is ${v}`, () => {
      const t = pod(`      ports:\n        - containerPort: 8080\n          hostPort: ${s}\n`);
      const a = baseline(t);
      assert.deepEqual(a.errors, []);
      assert.deepEqual(checks(a), ['hostPorts']);
      assert.match(a.findings[0]?.detail ?? '', new RegExp(`hostPort ${v}$`));
      assert.equal(under(t, a.findings[0]?.span ?? { start: 0, end: 0 }), `hostPort: ${s}`);
    });
  }
  it('runAsUser: 0x0 and -0b0 are root', () => {
    for (const s of ['0x0', '0o0', '00', '-0b0', '+0']) {
      const t = pod(`      securityContext:\n        runAsUser: ${s}\n`);
      const a = analyze(t, { level: 'restricted' });
      assert.ok(checks(a).includes('runAsUser'), `${s}: ${checks(a).join()}`);
    }
  });
  it('spellings go-yaml v2 reads as strings are "must be an integer", not a number', () => {
    // (`.inf` is not among them: go-yaml v2 reads it as +Inf, which JSON cannot hold; see below.)
    for (const s of ['190:20:30', '0x', '1.5', '0o8', '1e400']) {
      const t = pod(`      ports:\n        - containerPort: 8080\n          hostPort: ${s}\n`);
      const a = baseline(t);
      assert.deepEqual(checks(a), [], s);
      assert.ok(
        a.errors.some((e) => e.code === 'schema' && /must be an integer/.test(e.message)),
        `${s}: ${JSON.stringify(a.errors)}`,
      );
    }
  });
  it('property: any integer in any spelling reaches the check with its value', () => {
    const { n, note } = iterations(400);
    const rng = new Rng(10);
    for (let i = 0; i < n; i++) {
      const v = rng.int(1, 65535);
      const spelled = rng.pick([
        () => String(v),
        () => `0x${v.toString(16)}`,
        () => `0o${v.toString(8)}`,
        () => `0${v.toString(8)}`,
        () => `0b${v.toString(2)}`,
        () => `+${v}`,
        () => `${v}.0`,
        () =>
          String(v)
            .split('')
            .join(rng.chance(0.5) ? '_' : ''),
      ])();
      const t = pod(`      ports:\n        - containerPort: 1\n          hostPort: ${spelled}\n`);
      const a = baseline(t);
      assert.equal(a.findings[0]?.detail.endsWith(`hostPort ${v}`), true, `${spelled} (${note})`);
    }
  });
});

/**
 * The API server decodes the JSON kubectl sends into typed fields
 * (sigs.k8s.io/json, encoding/json's literalStore): strconv.ParseInt(text,
 * 10, 64) and the Go type's range. `hostPort` and `containerPort` are int32,
 * `runAsUser` int64 (k8s.io/api core/v1 ContainerPort, SecurityContext,
 * PodSecurityContext). go-yaml v2's floats reach it as encoding/json writes
 * a float64 (sigs.k8s.io/yaml leaves them floats): `1e3` is sent as `1000`.
 */
describe('integer ranges as the API server decodes them', () => {
  const port = (s: string, containerPort = '8080') =>
    pod(`      ports:\n        - containerPort: ${containerPort}\n          hostPort: ${s}\n`);
  const user = (s: string) =>
    pod(`      securityContext:\n        runAsUser: ${s}\n        privileged: true\n`);
  const schemaAt = (t: string, a: Analysis) =>
    a.errors.filter((e) => e.code === 'schema').map((e) => `${e.message} @ ${under(t, e.span)}`);

  it('a hostPort outside int32 is a schema error at the value, and no hostPorts finding', () => {
    for (const [s, sent] of [
      ['1e10', '10000000000'],
      ['4294967296', '4294967296'],
      ['2147483648', '2147483648'],
      ['-2147483649', '-2147483649'],
      ['0x80000000', '2147483648'],
      ['2.5e9', '2500000000'],
      ['9223372036854775808', '9223372036854775808'],
      ['!!int 4294967296', '4294967296'],
    ] as const) {
      const t = port(s);
      const a = baseline(t);
      assert.deepEqual(checks(a), [], s);
      const shown =
        s.replace('!!int ', '') === sent ? sent : `${s.replace('!!int ', '')} as ${sent}`;
      assert.deepEqual(
        schemaAt(t, a),
        [
          `spec.containers[0].ports[0].hostPort must be an integer from -2147483648 to 2147483647 (int32): kubectl sends ${shown}, which the API server cannot decode into an int32 @ ${s.replace('!!int ', '')}`,
        ],
        s,
      );
    }
  });

  it('the int32 bounds themselves, and whole floats inside them, are decoded', () => {
    for (const [s, v] of [
      ['2147483647', '2147483647'],
      ['-2147483648', '-2147483648'],
      ['2.147483647e9', '2147483647'],
      ['1e3', '1000'],
      ['0x7fffffff', '2147483647'],
    ] as const) {
      const a = baseline(port(s));
      assert.deepEqual(a.errors, [], s);
      assert.deepEqual(checks(a), ['hostPorts'], s);
      assert.match(a.findings[0]?.detail ?? '', new RegExp(`hostPort ${v}$`), s);
    }
  });

  it('a number with a fraction (80.5, 1e-7) is not an integer for the decoder, at any size', () => {
    for (const [s, sent] of [
      ['80.5', '80.5'],
      ['8.05e1', '80.5'],
      ['1e-7', '1e-7'],
      ['-0.5', '-0.5'],
    ] as const) {
      const t = port(s);
      const a = baseline(t);
      assert.deepEqual(checks(a), [], s);
      const shown = s === sent ? sent : `${s} as ${sent}`;
      assert.deepEqual(schemaAt(t, a), [
        `spec.containers[0].ports[0].hostPort must be an integer: kubectl sends ${shown}, which the API server cannot decode into an int32 @ ${s}`,
      ]);
    }
  });

  it('runAsUser is an int64: 4294967296 decodes; 1e21 (sent as 1e+21) and 2^63 do not', () => {
    const r = (t: string) => analyze(t, { level: 'restricted' });
    for (const s of ['4294967296', '9223372036854775807', '-9223372036854775808', '1e18']) {
      const t = user(s);
      assert.deepEqual(schemaAt(t, r(t)), [], s);
    }
    for (const [s, msg] of [
      [
        '1e21',
        'must be an integer: kubectl sends 1e21 as 1e+21, which the API server cannot decode into an int64',
      ],
      [
        '9223372036854775808',
        'must be an integer from -9223372036854775808 to 9223372036854775807 (int64): kubectl sends 9223372036854775808, which the API server cannot decode into an int64',
      ],
      [
        '1e19',
        'must be an integer from -9223372036854775808 to 9223372036854775807 (int64): kubectl sends 1e19 as 10000000000000000000, which the API server cannot decode into an int64',
      ],
      [
        '0.0001',
        'must be an integer: kubectl sends 0.0001, which the API server cannot decode into an int64',
      ],
    ] as const) {
      const t = user(s);
      const a = r(t);
      assert.deepEqual(schemaAt(t, a), [
        `spec.containers[0].securityContext.runAsUser ${msg} @ ${s}`,
      ]);
      assert.ok(!checks(a).includes('runAsUser'), s);
      // The error hides no other violation in the document.
      assert.ok(checks(a).includes('privileged'), s);
    }
    // -0.0 is sent as -0, which ParseInt reads as 0: root.
    assert.ok(checks(r(user('-0.0'))).includes('runAsUser'));
  });

  it('a containerPort outside int32 under hostNetwork is an error, not a defaulted hostPort', () => {
    const t = pod('      ports:\n        - containerPort: 1e10\n', '  hostNetwork: true\n');
    const a = baseline(t);
    assert.deepEqual(checks(a), ['hostNamespaces']);
    assert.deepEqual(schemaAt(t, a), [
      'spec.containers[0].ports[0].containerPort must be an integer from -2147483648 to 2147483647 (int32): kubectl sends 1e10 as 10000000000, which the API server cannot decode into an int32 @ 1e10',
    ]);
  });

  it('decoded whatever the level: at privileged, and the integers no check reads (runAsGroup, fsGroup, containerPort)', () => {
    const t = pod(
      '      ports:\n        - containerPort: 1e10\n          hostPort: 4294967296\n' +
        '      securityContext:\n        runAsGroup: 1.5\n',
      '  securityContext:\n    fsGroup: 9223372036854775808\n    runAsUser: 1e21\n',
    );
    const a = analyze(t, { level: 'privileged' });
    assert.deepEqual(checks(a), []);
    assert.deepEqual(
      schemaAt(t, a)
        .map((m) => m.replace(/ must be .* @ /, ' @ '))
        .sort(),
      [
        'spec.containers[0].ports[0].containerPort @ 1e10',
        'spec.containers[0].ports[0].hostPort @ 4294967296',
        'spec.containers[0].securityContext.runAsGroup @ 1.5',
        'spec.securityContext.fsGroup @ 9223372036854775808',
        'spec.securityContext.runAsUser @ 1e21',
      ],
    );
    // Each value once, whatever reads it: at restricted the checks read some of them too.
    assert.equal(
      analyze(t, { level: 'restricted' }).errors.filter((e) => e.code === 'schema').length,
      5,
    );
    // In range, nothing to say.
    const ok = pod(
      '      ports: [{containerPort: 80}]\n      securityContext: {runAsGroup: 1000}\n',
      '  securityContext: {fsGroup: 2000}\n',
    );
    assert.deepEqual(schemaAt(ok, analyze(ok, { level: 'privileged' })), []);
  });

  it('an exempt workload is still decoded: the API server decodes it before admission exempts it', () => {
    const t = pod('      ports: [{containerPort: 80, hostPort: 1e10}]\n').replace(
      'name: p\n',
      'name: p\n  namespace: kube-system\n',
    );
    const psa = parseAdmissionConfig(
      'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\nexemptions:\n  namespaces: [kube-system]\n',
      '/psa.yaml',
    );
    const a = analyze(t, { level: 'baseline', admission: psa });
    assert.ok(a.notes.some((n) => /Exempt from Pod Security/.test(n.message)));
    assert.deepEqual(checks(a), []);
    assert.match(schemaAt(t, a).join(), /hostPort must be an integer from -2147483648/);
  });

  it('property: an integer in any spelling is a hostPort finding inside int32 and a schema error outside', () => {
    const { n, note } = iterations(300);
    const rng = new Rng(32);
    for (let i = 0; i < n; i++) {
      const big = rng.chance(0.5);
      const mag = big ? rng.int(2 ** 31, 2 ** 40) : rng.int(1, 2 ** 31 - 1);
      const v = rng.chance(0.2) ? -mag : mag;
      const abs = Math.abs(v);
      const sign = v < 0 ? '-' : rng.pick(['', '+']);
      // Each spelling, and the value go-yaml v2 reads from it.
      const [spelled, read] = rng.pick([
        () => [`${sign}${abs}`, v],
        () => [`${sign}0x${abs.toString(16)}`, v],
        () => [`${sign}0o${abs.toString(8)}`, v],
        () => [`${sign}${abs}.0`, v],
        () => [`${sign}${abs}e0`, v],
        () => [`${sign}${abs / 1000}e3`, Number(`${v < 0 ? '-' : ''}${abs / 1000}e3`)],
      ] satisfies Array<() => [string, number]>)();
      const decodes = Number.isInteger(read) && read >= -(2 ** 31) && read <= 2 ** 31 - 1;
      const a = baseline(port(spelled));
      if (decodes) {
        assert.deepEqual(a.errors, [], `${spelled} (${note})`);
        assert.equal(
          a.findings[0]?.detail.endsWith(`hostPort ${read}`),
          true,
          `${spelled} (${note})`,
        );
      } else {
        assert.deepEqual(checks(a), [], `${spelled} (${note})`);
        assert.equal(a.errors.length, 1, `${spelled} (${note})`);
        assert.match(
          a.errors[0]?.message ?? '',
          /hostPort must be an integer/,
          `${spelled} (${note})`,
        );
      }
    }
  });
});

describe('merge keys in document order, as go-yaml v2 applies them', () => {
  const withSc = (mapping: string): string =>
    `x-base: &base {privileged: true}\nx-off: &off {privileged: false}\n${pod(`      securityContext:\n${mapping}`)}`;
  it('a merge after an explicit key overrides it; one before it does not', () => {
    const after = withSc('        privileged: false\n        <<: *base\n');
    assert.deepEqual(checks(baseline(after)), ['privileged']);
    const f = baseline(after).findings[0];
    assert.equal(under(after, f?.span ?? { start: 0, end: 0 }), '<<: *base');
    const before = withSc('        <<: *base\n        privileged: false\n');
    assert.deepEqual(checks(baseline(before)), []);
  });
  it('a list of merges: the first map in the list wins', () => {
    assert.deepEqual(checks(baseline(withSc('        <<: [*base, *off]\n'))), ['privileged']);
    assert.deepEqual(checks(baseline(withSc('        <<: [*off, *base]\n'))), []);
  });
  it('two merge keys: the later one wins', () => {
    const t = withSc('        <<: *off\n        <<: *base\n');
    assert.deepEqual(checks(baseline(t)), ['privileged']);
  });
  it('a merge of something that is not a map is an error, the document not evaluated', () => {
    const t = `x: &s hello\n${pod('      securityContext:\n        <<: *s\n', '  hostPID: true\n')}`;
    const a = baseline(t);
    assert.deepEqual(a.findings, []);
    assert.ok(a.errors.some((e) => /map merge requires map/.test(e.message)));
  });
  it('property: the decoded value equals a model of go-yaml v2 merging', () => {
    const { n, note } = iterations(300);
    const rng = new Rng(7);
    for (let i = 0; i < n; i++) {
      // Entries in order: explicit values and merges of anchors holding a value.
      let expected: boolean | undefined;
      const lines: string[] = [];
      const count = rng.int(1, 5);
      for (let j = 0; j < count; j++) {
        const form = rng.int(0, 3);
        if (form < 2) {
          const v = rng.chance(0.5);
          lines.push(`        privileged: ${v}`);
          expected = v;
        } else if (form === 2) {
          const v = rng.chance(0.5);
          lines.push(`        <<: *${v ? 'base' : 'off'}`);
          expected = v;
        } else {
          const list = [rng.chance(0.5), rng.chance(0.5)];
          lines.push(`        <<: [${list.map((v) => (v ? '*base' : '*off')).join(', ')}]`);
          expected = list[0];
        }
      }
      const t = withSc(`${lines.join('\n')}\n`);
      const a = baseline(t);
      const fired = checks(a).includes('privileged');
      assert.equal(fired, expected === true, `${note}\n${lines.join('\n')}`);
      assert.ok(a.errors.every((e) => /duplicate key/.test(e.message)));
    }
  });
});

describe('aliases, end markers, duplicates, complex keys', () => {
  it('an alias to an anchor not defined before it: an error at the alias, the document not evaluated', () => {
    for (const t of [
      pod('      securityContext: *later\n', '  hostPID: true\n') +
        'x: &later {privileged: true}\n',
      pod('      securityContext: *nowhere\n', '  hostPID: true\n'),
    ]) {
      const a = baseline(t);
      assert.deepEqual(a.findings, []);
      const e = a.errors.find((d) => /unknown anchor/.test(d.message));
      assert.ok(e, JSON.stringify(a.errors));
      assert.match(under(t, e.span), /^\*(later|nowhere)$/);
    }
  });
  it('after "...", the rest of a ---part is not read by kubectl: a note there (not an error), not evaluated', () => {
    const first = pod('', '  hostPID: true\n');
    const second = pod('      securityContext: {privileged: true}\n');
    const t = `${first}...\n${second}---\n${DAEMONSET}`;
    const a = baseline(t);
    assert.deepEqual(checks(a), ['hostNamespaces', 'privileged']);
    assert.equal(a.findings[1]?.object.name, 'agent');
    assert.deepEqual(a.errors, []);
    const w = a.notes.find((e) => /kubectl splits a stream/.test(e.message));
    assert.ok(w, JSON.stringify(a.notes));
    assert.equal(w.severity, 'information');
    assert.match(w.message, /^Document not evaluated: /);
    assert.equal(w.span.start, t.indexOf('apiVersion', first.length));
    // "...\n---" is an ordinary separator.
    assert.deepEqual(checks(baseline(`${first}...\n---\n${second}`)), [
      'hostNamespaces',
      'privileged',
    ]);
  });
  it('a map as a key (what an unquoted {{ }} is) is an error: kubectl cannot decode it', () => {
    const t = pod('      securityContext: {privileged: true}\n', '  {a: 1}: x\n');
    const a = baseline(t);
    assert.deepEqual(a.findings, []);
    assert.ok(a.errors.some((e) => /invalid map key/.test(e.message)));
  });
  it('duplicate keys in a merged map and in flow style: the last is read', () => {
    const t = pod('      securityContext: {privileged: false, privileged: true}\n');
    const a = baseline(t);
    assert.deepEqual(checks(a), ['privileged']);
    assert.equal(a.errors.length, 1);
    assert.match(a.errors[0]?.message ?? '', /duplicate key/);
  });
});

describe('null items decode as the API server decodes them', () => {
  it('capabilities.add: [~] and an empty "-" item are "" (baseline fails on "")', () => {
    for (const add of ['[~]', '[null]', '\n            -\n']) {
      const t = pod(`      securityContext:\n        capabilities:\n          add: ${add}\n`);
      const a = baseline(t);
      assert.deepEqual(checks(a), ['capabilities_baseline'], add);
      assert.match(a.findings[0]?.detail ?? '', /must not include "" in/);
    }
  });
  it('restricted: a null in drop is not ALL, a null in add is not NET_BIND_SERVICE', () => {
    const t = pod(
      '      securityContext:\n        allowPrivilegeEscalation: false\n        capabilities: {drop: [~], add: [~]}\n',
    );
    const ids = checks(analyze(t, { level: 'restricted' }));
    assert.ok(ids.includes('capabilities_restricted'), ids.join());
  });
  it('a null sysctl is a sysctl named "" (not allowed)', () => {
    const t = pod('', '  securityContext:\n    sysctls: [~]\n');
    assert.deepEqual(checks(baseline(t)), ['sysctls']);
  });
});

describe('defaulting before admission: hostNetwork sets hostPort = containerPort', () => {
  const hostNet = (ports: string): string => pod(`      ports:\n${ports}`, '  hostNetwork: true\n');
  it('a port without hostPort fails hostPorts, on the port, saying it comes from defaulting', () => {
    const t = hostNet('        - containerPort: 8080\n');
    const a = baseline(t);
    assert.deepEqual(checks(a), ['hostNamespaces', 'hostPorts']);
    const f = a.findings.find((x) => x.check === 'hostPorts') as Finding;
    assert.equal(under(t, f.span), 'containerPort: 8080');
    assert.match(f.detail, /hostPort 8080$/);
    assert.match(f.message, /defaulting/);
    assert.match(f.defaulted ?? '', /hostNetwork: true/);
    assert.deepEqual(f.fixes, []);
  });
  it('hostPort: 0 is defaulted too; init containers too; ephemeral containers and other hostNetwork values not', () => {
    const zero = hostNet('        - containerPort: 53\n          hostPort: 0\n');
    const f = baseline(zero).findings.find((x) => x.check === 'hostPorts');
    assert.equal(under(zero, f?.span ?? { start: 0, end: 0 }), 'hostPort: 0');
    const init = `${pod('', '  hostNetwork: true\n  initContainers:\n    - name: i\n      image: i\n      ports: [{containerPort: 9}]\n')}`;
    assert.ok(checks(baseline(init)).includes('hostPorts'));
    const eph = pod(
      '',
      '  hostNetwork: true\n  ephemeralContainers:\n    - name: e\n      image: e\n      ports: [{containerPort: 9}]\n',
    );
    assert.deepEqual(checks(baseline(eph)), ['hostNamespaces']);
    const off = pod('      ports: [{containerPort: 9}]\n', '  hostNetwork: false\n');
    assert.deepEqual(checks(baseline(off)), []);
  });
  it('a Deployment template is defaulted as its Pods will be', () => {
    const t = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: a, image: a, ports: [{containerPort: 0x50}]}]\n`;
    const a = baseline(t);
    assert.match(a.findings.find((x) => x.check === 'hostPorts')?.detail ?? '', /hostPort 80$/);
  });
});

/**
 * Each rule below names the go-yaml v2 (gopkg.in/yaml.v2, branch v2) or
 * sigs.k8s.io/yaml behaviour it follows: kubectl decodes YAML with the first
 * and turns it into JSON with the second.
 */
describe('scalars, keys and anchors as go-yaml v2 and sigs.k8s.io/yaml read them', () => {
  const privileged = (v: string) => pod(`      securityContext:\n        privileged: ${v}\n`);
  const procMount = (v: string) => pod(`      securityContext:\n        procMount: ${v}\n`);
  const schema = (a: Analysis) => a.errors.filter((e) => e.code === 'schema').map((e) => e.message);
  const yamlErrors = (a: Analysis) =>
    a.errors.filter((e) => e.code === 'yaml').map((e) => e.message);

  it('resolve.go resolveMap: booleans are exactly y/Y/yes/Yes/YES/true/True/TRUE/on/On/ON (and the false words)', () => {
    for (const w of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) {
      const a = baseline(privileged(w));
      assert.deepEqual([checks(a), schema(a)], [['privileged'], []], w);
    }
    for (const w of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) {
      const a = baseline(privileged(w));
      assert.deepEqual([checks(a), schema(a)], [[], []], w);
    }
    // Other spellings are strings: a bool field refuses them (read as meant, so nothing hides).
    for (const w of ['yES', 'tRUE', 'oN']) {
      const a = baseline(privileged(w));
      assert.match(schema(a).join(), /privileged must be a boolean/, w);
    }
  });

  it('resolve.go resolveMap: null is "", ~, null, Null, NULL; other spellings are strings', () => {
    for (const w of ['', '~', 'null', 'Null', 'NULL']) {
      const a = analyze(pod(`      securityContext:\n        runAsUser: ${w}\n`), {
        level: 'restricted',
      });
      assert.ok(!checks(a).includes('runAsUser'), w);
      assert.deepEqual(schema(a), [], w);
    }
    const a = analyze(pod('      securityContext:\n        runAsUser: nULL\n'), {
      level: 'restricted',
    });
    assert.match(schema(a).join(), /runAsUser must be an integer/);
  });

  it('resolve.go: an integer past 2^53 is still an int64 (runAsUser 9007199254740993 is not root)', () => {
    const a = analyze(pod('      securityContext:\n        runAsUser: 9007199254740993\n'), {
      level: 'restricted',
    });
    assert.deepEqual(schema(a), []);
    assert.ok(!checks(a).includes('runAsUser'));
  });

  it('resolve.go: strconv.ParseFloat out of range (1e400) fails, so the scalar stays a string', () => {
    const a = baseline(
      pod('      ports:\n        - containerPort: 1\n          hostPort: 1e400\n'),
    );
    assert.match(
      schema(a).join(),
      /hostPort must be an integer \(kubectl reads this as a string\)/,
    );
  });

  it('resolve.go + encoding/json: .nan, .inf, -.inf are floats JSON cannot hold, so kubectl refuses the document', () => {
    for (const [w, shown] of [
      ['.nan', 'NaN'],
      ['.Inf', '+Inf'],
      ['-.INF', '-Inf'],
      ['!!float .nan', 'NaN'],
    ] as const) {
      const t = `${pod('      securityContext: {privileged: true}\n', `  priority: ${w}\n`)}---\n${DAEMONSET}`;
      const a = baseline(t);
      // The first document is not evaluated; the next one is.
      assert.deepEqual(
        a.findings.map((f) => f.object.name),
        ['agent'],
        w,
      );
      const e = yamlErrors(a).find((m) => m.includes('json: unsupported value'));
      assert.ok(e, `${w}: ${JSON.stringify(a.errors)}`);
      assert.ok(e.includes(`unsupported value: ${shown}`), e);
    }
    // Quoted, or as a key (keys become text), it is fine.
    for (const t of [
      pod('      securityContext: {privileged: true}\n', '  priority: ".nan"\n'),
      pod('      securityContext: {privileged: true}\n').replace(
        'metadata:\n',
        'metadata:\n  annotations: {.inf: x}\n',
      ),
    ]) {
      const a = baseline(t);
      assert.deepEqual(yamlErrors(a), []);
      assert.ok(checks(a).includes('privileged'));
    }
  });

  it('resolve.go parseTimestamp + decoder.scalar: a timestamp decoded into an interface stays its text', () => {
    const a = baseline(procMount('2001-12-14'));
    assert.deepEqual(checks(a), ['procMount']);
    assert.match(a.findings[0]?.detail ?? '', /2001-12-14/);
    assert.doesNotMatch(a.findings[0]?.detail ?? '', /T00:00/);
    assert.deepEqual(schema(a), []);
    const ts = '2001-12-14t21:59:43.10-05:00';
    const b = baseline(procMount(ts));
    assert.ok((b.findings[0]?.detail ?? '').includes(ts), b.findings[0]?.detail);
  });

  it('resolve.go: base 60 (1:20) is not supported, so it is the string "1:20", never 80', () => {
    const a = baseline(procMount('1:20'));
    assert.match(a.findings[0]?.detail ?? '', /1:20/);
    assert.deepEqual(schema(a), []);
    const b = analyze(pod('      securityContext:\n        runAsUser: 0:0\n'), {
      level: 'restricted',
    });
    assert.ok(!checks(b).includes('runAsUser'), 'a "0:0" string is not root 0');
    assert.match(schema(b).join(), /runAsUser must be an integer/);
  });

  it('decoder.scalar: !!binary is its base64-decoded text', () => {
    // "Unmasked" and "RuntimeDefault".
    const a = baseline(procMount('!!binary VW5tYXNrZWQ='));
    assert.deepEqual(checks(a), ['procMount']);
    assert.match(a.findings[0]?.detail ?? '', /Unmasked/);
    const seccomp = `      securityContext:\n        seccompProfile: {type: !!binary UnVudGltZURlZmF1bHQ=}\n        runAsNonRoot: true\n        allowPrivilegeEscalation: false\n        capabilities: {drop: [ALL]}\n`;
    const r = analyze(pod(seccomp), { level: 'restricted' });
    assert.deepEqual(checks(r), []);
  });

  it('sigs.k8s.io/yaml: a number or boolean in a string field reaches the API server as JSON that it refuses', () => {
    for (const w of ['0x1F', '12', '1.5', 'yes', '0o17']) {
      const a = baseline(procMount(w));
      assert.match(
        schema(a).join(),
        new RegExp(`procMount must be a string: kubectl sends ${w.replace('.', '\\.')} as a`),
        w,
      );
      // Read as its text, so the violation still shows.
      assert.deepEqual(checks(a), ['procMount'], w);
    }
    // Quoted, it is a string; 1:20 and timestamps are strings unquoted too.
    for (const w of ['"12"', '1:20', '2001-12-14', 'Unmasked'])
      assert.deepEqual(schema(baseline(procMount(w))), [], w);
  });

  it('decode.go isMerge: a quoted "<<" is an ordinary key, not a merge', () => {
    const t = `x-base: &base {privileged: true}\n${pod('      securityContext:\n        "<<": *base\n')}`;
    assert.deepEqual(checks(baseline(t)), []);
    const plain = `x-base: &base {privileged: true}\n${pod('      securityContext:\n        <<: *base\n')}`;
    assert.deepEqual(checks(baseline(plain)), ['privileged']);
    const tagged = `x-base: &base {privileged: true}\n${pod('      securityContext:\n        !!merge "<<": *base\n')}`;
    assert.deepEqual(checks(baseline(tagged)), ['privileged']);
  });

  it('decode.go merge: an alias must name a map; only a list written in place may hold maps', () => {
    const t = `x-list: &list [{privileged: true}]\n${pod('      securityContext:\n        <<: *list\n', '  hostPID: true\n')}`;
    const a = baseline(t);
    assert.deepEqual(a.findings, []);
    assert.ok(yamlErrors(a).some((m) => /map merge requires map or sequence of maps/.test(m)));
    const inPlace = `x-base: &base {privileged: true}\n${pod('      securityContext:\n        <<: [*base]\n')}`;
    assert.deepEqual(checks(baseline(inPlace)), ['privileged']);
  });

  it('decode.go decoder.alias: an alias inside the node its anchor names is an error', () => {
    const t = pod(
      '      securityContext: &sc\n        privileged: true\n        self: *sc\n',
      '  hostPID: true\n',
    );
    const a = baseline(t);
    assert.deepEqual(a.findings, []);
    assert.ok(
      yamlErrors(a).some((m) => m === "anchor 'sc' value contains itself"),
      JSON.stringify(a.errors),
    );
  });

  it('sigs.k8s.io/yaml convertToJSONableObject: a null key is refused; bool, int and float keys become text (floats as FormatFloat(f, g, -1, 32))', () => {
    const t = pod('      securityContext: {privileged: true}\n').replace(
      'metadata:\n',
      'metadata:\n  labels: {~: x}\n',
    );
    const a = baseline(t);
    assert.deepEqual(a.findings, []);
    assert.ok(yamlErrors(a).some((m) => /unsupported map key of type: <nil>/.test(m)));
    const key = (src: string) => {
      const d = parseDocument(`${src}: v\n`, { version: '1.1' });
      return jsonKey((d.contents as YAMLMap).items[0]?.key);
    };
    assert.deepEqual(
      [
        'yes',
        'Off',
        '0x10',
        '0o17',
        '017',
        '1_000',
        '+5',
        'yES',
        '"yes"',
        '1:20',
        '1.50',
        '1e6',
        '3.14159265',
        '.inf',
      ].map(key),
      [
        'true',
        'false',
        '16',
        '15',
        '15',
        '1000',
        '5',
        'yES',
        'yes',
        '1:20',
        '1.5',
        '1e+06',
        '3.1415927',
        '.inf',
      ],
    );
  });

  it('property: go-yaml v2 booleans and nulls in random spellings decode exactly as its table says', () => {
    const { n, note } = iterations(300);
    const rng = new Rng(31);
    const words = ['y', 'yes', 'true', 'on', 'n', 'no', 'false', 'off'];
    for (let i = 0; i < n; i++) {
      const base = rng.pick(words);
      // One of the three spellings the table has (lower, Title, UPPER), or a mixed one it lacks.
      const form = rng.int(0, 3);
      const spelled =
        form === 0
          ? base
          : form === 1
            ? base[0]!.toUpperCase() + base.slice(1)
            : form === 2
              ? base.toUpperCase()
              : base
                  .split('')
                  .map((c, j) => (j % 2 === 1 ? c.toUpperCase() : c))
                  .join('');
      const inTable = goScalarKind(spelled).kind === 'bool';
      assert.equal(inTable, form < 3 || spelled === base, `${spelled} (${note})`);
      const a = baseline(privileged(spelled));
      const isTrue = ['y', 'yes', 'true', 'on'].includes(base);
      if (inTable) {
        assert.deepEqual(schema(a), [], spelled);
        assert.equal(checks(a).includes('privileged'), isTrue, spelled);
      } else assert.ok(schema(a).length > 0, spelled);
    }
  });
});

describe('the seccomp annotation-to-field version skew (gone since v1.27)', () => {
  it('a Pod with only the runtime/default annotation is not given the field: restricted still asks for it', () => {
    const t = pod(
      '      securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n',
    ).replace(
      'metadata:\n',
      'metadata:\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n',
    );
    const a = analyze(t, { level: 'restricted' });
    assert.deepEqual(checks(a), ['seccompProfile_restricted']);
    // The same Pod with the field meets restricted.
    const withField = t.replace(
      'runAsNonRoot: true,',
      'runAsNonRoot: true, seccompProfile: {type: RuntimeDefault},',
    );
    assert.deepEqual(checks(analyze(withField, { level: 'restricted' })), []);
  });
});
