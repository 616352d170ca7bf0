/**
 * The engine's own cases: what upstream's fixtures do not cover (other
 * workload kinds, ephemeral containers, Windows and user-namespace
 * exemptions, AppArmor fields, newer SELinux types and volume kinds),
 * positions, aliases, namespace labels, suppressions and bad input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyze,
  CHECKS,
  LineIndex,
  MAX_MINOR,
  selectChecks,
  validateChecks,
} from '@podsec/server';
import type { AnalyzeOptions, Finding, NamespaceLabels } from '@podsec/server';

const RESTRICTED_OK = `
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: app
      image: app
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}`;

/** A Pod whose spec is the given YAML block (indented by two spaces under spec). */
function pod(spec: string, extra = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${extra}\nspec:${spec}\n`;
}

function checks(text: string, o: AnalyzeOptions = {}): string[] {
  const a = analyze(text, { namespaceLabels: false, ...o });
  assert.deepEqual(a.errors, [], 'no errors expected');
  return [...new Set(a.findings.map((f) => f.check))].sort();
}

/** The text a finding underlines. */
function underlined(text: string, f: Finding): string {
  return text.slice(f.span.start, f.span.end);
}

describe('registry', () => {
  it('is valid: unique IDs, increasing versions, overrides only from restricted to baseline, upstream order', () => {
    assert.deepEqual(validateChecks(CHECKS), []);
  });
  it('reports an invalid list', () => {
    const [first] = CHECKS;
    assert.ok(first);
    assert.notDeepEqual(validateChecks([first, first]), []);
  });
  it('knows v1.37 as the newest version', () => {
    assert.equal(MAX_MINOR, 37);
  });
  it('selects the documented check counts per version', () => {
    const count = (lvl: 'baseline' | 'restricted', v: number) => selectChecks(lvl, v).length;
    assert.deepEqual(
      [0, 8, 19, 22, 23, 34, 35].map((v) => [count('baseline', v), count('restricted', v)]),
      [
        [11, 12],
        [11, 13],
        [11, 13],
        [11, 13],
        [11, 14],
        [12, 15],
        [12, 15],
      ],
    );
    assert.equal(selectChecks('privileged', 37).length, 0);
  });
});

describe('versions', () => {
  const text = pod(
    `\n  containers:\n    - name: a\n      image: a\n      securityContext: {runAsUser: 0}`,
  );
  it('runs runAsUser only from v1.23', () => {
    assert.ok(!checks(text, { version: 'v1.22' }).includes('runAsUser'));
    assert.ok(checks(text, { version: 'v1.23' }).includes('runAsUser'));
  });
  it('clamps newer versions and latest to the newest known', () => {
    assert.deepEqual(checks(text, { version: 'v1.99' }), checks(text, { version: 'v1.37' }));
    assert.deepEqual(checks(text, { version: 'latest' }), checks(text, { version: 'v1.37' }));
    const a = analyze(text, { version: 'v1.99' });
    assert.equal(a.findings[0]?.evaluatedVersion, 'v1.37');
  });
  it('rejects an invalid version with a clear error', () => {
    for (const v of ['v1.05', '1.25', 'v2.0', 'v1.x']) {
      assert.throws(() => analyze(text, { version: v }), /invalid policy version/);
    }
  });
});

describe('what the upstream fixtures do not cover', () => {
  it('AppArmor fields at pod and container level', () => {
    const t = pod(
      `\n  securityContext:\n    appArmorProfile: {type: Unconfined}\n  containers:\n    - name: a\n      image: a\n      securityContext:\n        appArmorProfile: {type: Localhost, localhostProfile: x}\n    - name: b\n      image: b\n      securityContext:\n        appArmorProfile: {}`,
    );
    const a = analyze(t, { level: 'baseline' });
    const f = a.findings.filter((x) => x.check === 'appArmorProfile');
    assert.deepEqual(
      f.map((x) => x.container),
      [null, 'b'],
    );
    assert.equal(f[0]?.reason, 'forbidden AppArmor profiles');
  });
  it('SELinux container_engine_t is allowed from v1.31 only', () => {
    const t = pod(
      `\n  containers:\n    - name: a\n      image: a\n      securityContext:\n        seLinuxOptions: {type: container_engine_t}`,
    );
    assert.deepEqual(checks(t, { level: 'baseline', version: 'v1.30' }), ['seLinuxOptions']);
    assert.deepEqual(checks(t, { level: 'baseline', version: 'v1.31' }), []);
  });
  it('Windows pods skip the Linux-only restricted checks from v1.25', () => {
    const t = pod(
      `\n  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers:\n    - name: a\n      image: a`,
    );
    assert.deepEqual(checks(t, { version: 'v1.24' }), [
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
    assert.deepEqual(checks(t, { version: 'v1.25' }), []);
    assert.deepEqual(checks(t, { version: 'v1.28' }), []);
  });
  it('user namespaces relax runAsNonRoot and runAsUser from v1.35, not procMount_restricted', () => {
    const t = pod(
      `\n  hostUsers: false\n  securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n  containers:\n    - name: a\n      image: a\n      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, procMount: Unmasked}`,
    );
    assert.deepEqual(checks(t, { version: 'v1.34' }), ['procMount', 'runAsNonRoot', 'runAsUser']);
    assert.deepEqual(checks(t, { version: 'v1.35' }), ['procMount_restricted']);
    assert.deepEqual(checks(t, { level: 'baseline', version: 'v1.35' }), []);
  });
  it('ephemeral containers are checked like the others', () => {
    const t = pod(
      `${RESTRICTED_OK}\n  ephemeralContainers:\n    - name: debug\n      image: busybox\n      securityContext: {privileged: true}`,
    );
    const a = analyze(t);
    assert.deepEqual([...new Set(a.findings.map((f) => `${f.check}:${f.container}`))].sort(), [
      'allowPrivilegeEscalation:debug',
      'capabilities_restricted:debug',
      'privileged:debug',
    ]);
  });
  it('csi, ephemeral and image volumes are allowed; a source-less volume is emptyDir', () => {
    const t = pod(
      `${RESTRICTED_OK}\n  volumes:\n    - {name: a, csi: {driver: x}}\n    - {name: b, ephemeral: {volumeClaimTemplate: {spec: {}}}}\n    - {name: c, image: {reference: x}}\n    - {name: d}\n    - {name: e, nfs: {server: x, path: /}}`,
    );
    const a = analyze(t);
    assert.deepEqual(
      a.findings.map((f) => f.detail),
      ['volume "e" uses restricted volume type "nfs"'],
    );
  });
  it('startupProbe and preStop hosts count; empty hosts do not', () => {
    const t = pod(
      `\n  containers:\n    - name: a\n      image: a\n      startupProbe: {httpGet: {host: 10.0.0.1, port: 80}}\n      lifecycle:\n        preStop: {tcpSocket: {host: example.com, port: 80}}\n        postStart: {httpGet: {host: "", port: 80}}`,
    );
    const a = analyze(t, { level: 'baseline' });
    assert.deepEqual(
      a.findings.map((f) => underlined(t, f)),
      ['host: 10.0.0.1', 'host: example.com'],
    );
    assert.deepEqual(checks(t, { level: 'baseline', version: 'v1.33' }), []);
  });
  it('explicit hostProcess: false is allowed', () => {
    const t = pod(
      `\n  securityContext:\n    windowsOptions: {hostProcess: false}\n  containers:\n    - name: a\n      image: a`,
    );
    assert.deepEqual(checks(t, { level: 'baseline' }), []);
  });
});

describe('workload kinds', () => {
  const template = `
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      containers:
        - name: app
          image: app
          securityContext: {privileged: true}`;
  const indent = (s: string, n: number) => s.replace(/\n/g, `\n${' '.repeat(n)}`);
  const kinds: Array<[string, string, string]> = [
    ['v1', 'PodTemplate', `template:${template}`],
    ['v1', 'ReplicationController', `spec:\n  template:${template}`],
    ['apps/v1', 'ReplicaSet', `spec:\n  template:${template}`],
    ['apps/v1', 'Deployment', `spec:\n  template:${template}`],
    ['extensions/v1beta1', 'Deployment', `spec:\n  template:${template}`],
    ['apps/v1', 'StatefulSet', `spec:\n  template:${template}`],
    ['apps/v1', 'DaemonSet', `spec:\n  template:${template}`],
    ['batch/v1', 'Job', `spec:\n  template:${template}`],
    [
      'batch/v1',
      'CronJob',
      `spec:\n  jobTemplate:\n    spec:\n      template:${indent(template, 4)}`,
    ],
    [
      'batch/v1beta1',
      'CronJob',
      `spec:\n  jobTemplate:\n    spec:\n      template:${indent(template, 4)}`,
    ],
  ];
  for (const [apiVersion, kind, body] of kinds) {
    it(`${apiVersion} ${kind}: finds the pod template, its containers and its own annotations`, () => {
      const t = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: w\n${body}\n`;
      const a = analyze(t, { level: 'baseline' });
      assert.deepEqual(a.errors, []);
      assert.deepEqual(
        a.findings.map((f) => [f.check, f.container, f.object.kind]),
        [
          ['appArmorProfile', 'app', kind],
          ['privileged', 'app', kind],
        ],
      );
      assert.equal(underlined(t, a.findings[1] as Finding), 'privileged: true');
    });
  }
  it('items of a kind: List, each with its own object reference', () => {
    const t = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: one}\n  spec:\n    hostPID: true\n    containers: [{name: a, image: a}]\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: two}\n  spec:\n    hostIPC: true\n    containers: [{name: a, image: a}]\n`;
    const a = analyze(t, { level: 'baseline' });
    assert.deepEqual(
      a.findings.map((f) => [f.object.name, f.object.item, underlined(t, f)]),
      [
        ['one', 0, 'hostPID: true'],
        ['two', 2, 'hostIPC: true'],
      ],
    );
    assert.equal(a.objects, 3);
  });
  it('the same kind name in another API group (a custom resource) is not evaluated', () => {
    const t = `apiVersion: example.com/v1\nkind: Deployment\nspec:\n  template:${template}\n`;
    assert.deepEqual(analyze(t).findings, []);
  });
  it('a ReplicationController without a template has nothing to check', () => {
    assert.deepEqual(
      analyze('apiVersion: v1\nkind: ReplicationController\nspec: {replicas: 1}\n').findings,
      [],
    );
  });
});

describe('positions', () => {
  it('points at the offending value, list item, or the smallest enclosing node of a missing field', () => {
    const t = pod(
      `\n  containers:\n    - name: app\n      image: app\n      ports:\n        - containerPort: 80\n          hostPort: 8080\n      securityContext:\n        privileged: true\n        capabilities:\n          add: [NET_ADMIN]\n    - name: sidecar\n      image: s`,
    );
    const a = analyze(t);
    const at = (check: string, container: string) =>
      a.findings
        .filter((f) => f.check === check && f.container === container)
        .map((f) => underlined(t, f));
    assert.deepEqual(at('privileged', 'app'), ['privileged: true']);
    assert.deepEqual(at('hostPorts', 'app'), ['hostPort: 8080']);
    assert.deepEqual(at('capabilities_restricted', 'app').sort(), ['NET_ADMIN', 'capabilities']);
    assert.deepEqual(at('allowPrivilegeEscalation', 'app'), ['securityContext']);
    assert.deepEqual(at('allowPrivilegeEscalation', 'sidecar'), ['name: sidecar']);
    assert.deepEqual(at('runAsNonRoot', 'sidecar'), ['name: sidecar']);
  });
  it('locates every document of a many-document file', () => {
    const one = pod(`\n  hostNetwork: true\n  containers: [{name: a, image: a}]`);
    const t = `# leading comment\n${one}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n${one}...\n---\n${one}`;
    const a = analyze(t, { level: 'baseline' });
    const lines = new LineIndex(t);
    assert.deepEqual(
      a.findings.map((f) => [
        f.object.document,
        lines.position(f.span.start).line,
        underlined(t, f),
      ]),
      [
        [0, 6, 'hostNetwork: true'],
        [2, 18, 'hostNetwork: true'],
        [3, 27, 'hostNetwork: true'],
      ],
    );
  });
  it('JSON-style flow YAML', () => {
    const t =
      '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": [{"name": "a", "image": "a", "securityContext": {"privileged": true}}]}}';
    const a = analyze(t, { level: 'baseline' });
    assert.deepEqual(
      a.findings.map((f) => underlined(t, f)),
      ['"privileged": true'],
    );
  });
});

describe('anchors, aliases and merge keys', () => {
  it('a finding reached through an alias names the container it applies to and points at the alias', () => {
    const t = pod(
      `\n  containers:\n    - name: a\n      image: a\n      securityContext: &sc {privileged: true}\n    - name: b\n      image: b\n      securityContext: *sc`,
    );
    const a = analyze(t, { level: 'baseline' });
    assert.deepEqual(
      a.findings.map((f) => [f.container, underlined(t, f)]),
      [
        ['a', 'privileged: true'],
        ['b', 'securityContext: *sc'],
      ],
    );
  });
  it('merge keys are followed, and a local key overrides the merged one', () => {
    const t = pod(
      `\n  containers:\n    - &base\n      name: a\n      image: a\n      securityContext: {privileged: true}\n    - <<: *base\n      name: b\n    - <<: *base\n      name: c\n      securityContext: {privileged: false}`,
    );
    const a = analyze(t, { level: 'baseline' });
    assert.deepEqual(
      a.findings.map((f) => f.container),
      ['a', 'b'],
    );
  });
  it('YAML 1.1 booleans are booleans, as in Kubernetes', () => {
    const t = pod(`\n  hostNetwork: yes\n  containers: [{name: a, image: a}]`);
    assert.deepEqual(checks(t, { level: 'baseline' }), ['hostNamespaces']);
  });
});

describe('namespace labels', () => {
  const ns = (labels: string) =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n${labels}\n`;
  const workload = pod(
    `\n  containers:\n    - name: a\n      image: a\n      securityContext: {privileged: true}`,
    '\n  namespace: shop',
  );
  it('enforce, warn and audit set the severities; a violation is reported once at the most severe', () => {
    const t = `${ns('    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/warn: restricted\n    pod-security.kubernetes.io/audit: restricted')}---\n${workload}`;
    const a = analyze(t);
    const bySeverity = (s: string) =>
      a.findings.filter((f) => f.severity === s).map((f) => f.check);
    assert.deepEqual(bySeverity('error'), ['privileged']);
    assert.ok(bySeverity('warning').includes('runAsNonRoot'));
    assert.deepEqual(bySeverity('information'), []);
    const f = a.findings.find((x) => x.check === 'privileged');
    assert.ok(f);
    assert.equal(f.policySource.kind, 'namespace');
    assert.equal(f.policySource.namespace, 'shop');
    assert.equal(
      underlined(t, { ...f, span: f.policySource.span ?? { start: 0, end: 0 } }),
      'pod-security.kubernetes.io/enforce: baseline',
    );
  });
  it('warn follows a stricter enforce level and its version', () => {
    const t = `${ns('    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.30')}---\n${workload}`;
    const modes = analyze(t).findings.map((f) => [f.mode, f.policy.level, f.policy.version]);
    assert.deepEqual(modes, [['enforce', 'baseline', 'v1.30']]);
  });
  it('an invalid enforce level fails closed and is reported at the label', () => {
    const t = `${ns('    pod-security.kubernetes.io/enforce: strict')}---\n${workload}`;
    const a = analyze(t);
    assert.ok(
      a.findings.some((f) => f.check === 'runAsNonRoot' && f.policy.level === 'restricted'),
    );
    assert.equal(a.errors.length, 1);
    assert.match(a.errors[0]?.message ?? '', /invalid level "strict"/);
  });
  it('labels from another file apply; --ignore-namespace-labels turns them off', () => {
    const labels: NamespaceLabels = {
      name: 'shop',
      file: 'namespace.yaml',
      labels: { 'pod-security.kubernetes.io/enforce': 'privileged' },
      spans: {},
    };
    const namespaces = new Map([['shop', labels]]);
    assert.deepEqual(analyze(workload, { namespaces }).findings, []);
    assert.ok(analyze(workload, { namespaces, namespaceLabels: false }).findings.length > 0);
  });
});

describe('suppressions', () => {
  it('silence the named checks in the node below, and report themselves when invalid', () => {
    const t = pod(
      `\n  containers:\n    # podsec-ignore privileged -- needs the GPU driver\n    - name: a\n      image: a\n      securityContext:\n        # podsec-ignore hostPorts\n        privileged: true\n    - name: b\n      image: b\n      securityContext:\n        # podsec-ignore privileged,bogusCheck -- typo\n        privileged: true`,
    );
    const a = analyze(t, { level: 'baseline' });
    const summary = a.findings.map((f) => [f.check, f.container, f.severity]);
    assert.deepEqual(summary, [
      ['invalidSuppression', null, 'warning'],
      ['invalidSuppression', null, 'warning'],
    ]);
    assert.match(a.findings[0]?.message ?? '', /no reason.*silences nothing/);
    assert.match(a.findings[1]?.message ?? '', /unknown check "bogusCheck"/);
  });
  it('above a document first line, silence the whole document', () => {
    const t = `# podsec-ignore hostNamespaces -- node exporter\n${pod('\n  hostNetwork: true\n  containers: [{name: a, image: a}]')}`;
    assert.deepEqual(analyze(t, { level: 'baseline' }).findings, []);
  });
});

describe('not Kubernetes, or not YAML yet', () => {
  it('YAML that is not a Kubernetes object gives nothing', () => {
    const a = analyze('on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n');
    assert.deepEqual([a.findings, a.errors, a.notes], [[], [], []]);
  });
  it('a Helm template gives one note and no findings', () => {
    const a = analyze(
      'apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: {{ .Values.hostNetwork }}\n',
    );
    assert.deepEqual(a.findings, []);
    assert.equal(a.notes.length, 1);
    assert.match(a.notes[0]?.message ?? '', /template/);
  });
  it('a syntax error is reported at its position; the other documents are still evaluated', () => {
    const bad = 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n';
    const good = pod('\n  hostPID: true\n  containers: [{name: a, image: a}]');
    const t = `${bad}---\n${good}`;
    const a = analyze(t, { level: 'baseline' });
    assert.ok(a.errors.length > 0);
    assert.ok(
      a.errors.every(
        (e) => e.code === 'yaml' && e.span.start >= 0 && e.span.start <= bad.length + 4,
      ),
    );
    assert.deepEqual(
      a.findings.map((f) => underlined(t, f)),
      ['hostPID: true'],
    );
  });
  it('wrong types get a schema error and are still read as meant', () => {
    const t = pod(
      `\n  containers:\n    - name: a\n      image: a\n      securityContext: {privileged: "true"}\n      ports: [{containerPort: 80, hostPort: "80"}]`,
    );
    const a = analyze(t, { level: 'baseline' });
    assert.deepEqual(
      a.errors.map((e) => [e.code, t.slice(e.span.start, e.span.end)]),
      [
        ['schema', '"true"'],
        ['schema', '"80"'],
      ],
    );
    assert.deepEqual(
      a.findings.map((f) => f.check),
      ['hostPorts', 'privileged'],
    );
  });
  it('containers that are not a list are a schema error, not a silent pass', () => {
    const a = analyze(pod('\n  containers: {}'));
    assert.equal(a.errors[0]?.code, 'schema');
    assert.match(a.errors[0]?.message ?? '', /must be a list/);
  });
  it('a scalar where a list belongs never hides a violation', () => {
    const t = pod(
      `${RESTRICTED_OK.replace('capabilities: {drop: [ALL]}', 'capabilities: {drop: ALL}')}`,
    );
    const a = analyze(t);
    assert.match(a.errors[0]?.message ?? '', /capabilities\.drop must be a list/);
    assert.deepEqual(
      a.findings.map((f) => f.check),
      ['capabilities_restricted'],
    );
  });
  it('a spec that is a list, and unknown kinds, get a schema error or nothing, never a crash', () => {
    const a = analyze('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: [a, b]\n');
    assert.match(a.errors[0]?.message ?? '', /^spec must be an object/);
    assert.deepEqual(
      analyze('apiVersion: example.com/v1\nkind: Widget\nspec: {hostNetwork: true}\n').findings,
      [],
    );
  });
  it('an alias bomb is not expanded', () => {
    let t = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 30; i++)
      t += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    t += 'apiVersion: v1\nkind: Pod\nspec:\n  containers: *a29\n';
    const a = analyze(t);
    assert.ok(a.errors.length > 0, 'containers of the wrong shape are reported');
    // 10^29 leaves if expanded; the whole evaluation follows at most 100 aliases.
    const counted = analyze(t, { maxAliasCount: 100 });
    assert.deepEqual(counted.errors, a.errors, 'no alias limit reached at 100 look-ups');
  });
  it('past the alias look-up limit, a document is reported, not half-evaluated', () => {
    const t = pod(
      `\n  containers:\n    - &c {name: a, image: a, securityContext: {privileged: true}}\n${'    - *c\n'.repeat(50)}`,
    );
    const a = analyze(t, { level: 'baseline', maxAliasCount: 20 });
    assert.deepEqual(a.findings, []);
    assert.match(a.errors[0]?.message ?? '', /more than 20 alias look-ups/);
    assert.equal(analyze(t, { level: 'baseline' }).findings.length, 51);
  });
  it('very deep nesting and oversized files get a clear message', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    assert.match(analyze(deep).errors[0]?.message ?? '', /nesting deeper/);
    const big = analyze('a: b\n'.repeat(100), { maxFileBytes: 100 });
    assert.match(big.errors[0]?.message ?? '', /over the limit/);
  });
});
