/**
 * Wrong types and wrong values. Upstream decodes into typed Go structs, so a
 * string where a boolean belongs (`runAsNonRoot: "true"`) fails decoding and
 * the API server rejects the object. We report a schema error at the value,
 * read it as meant where that is unambiguous, and still evaluate the rest of
 * the pod: a wrong type never hides a real violation elsewhere (no false pass).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '@podsec/server';
import type { Analysis, Level } from '@podsec/server';

/** A pod whose only other problem is `hostNetwork: true` (a baseline violation). */
function pod(containerSc: string, podExtra = '', containerExtra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  hostNetwork: true
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
${podExtra}  containers:
    - name: app
      image: app
${containerExtra}      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
${containerSc}`;
}

function run(text: string, level: Level = 'restricted'): Analysis {
  return analyze(text, { level });
}

/** The schema errors, as "message @ underlined text". */
function schema(text: string, a: Analysis): string[] {
  return a.errors
    .filter((e) => e.code === 'schema')
    .map((e) => `${e.message} @ ${text.slice(e.span.start, e.span.end)}`);
}

function checks(a: Analysis): string[] {
  return [...new Set(a.findings.map((f) => f.check))].sort();
}

/** The real violation elsewhere in the pod is still reported. */
function stillChecked(a: Analysis): void {
  assert.ok(
    a.findings.some((f) => f.check === 'hostNamespaces'),
    `hostNetwork still reported: ${JSON.stringify(checks(a))}`,
  );
}

describe('wrong types and wrong values', () => {
  it('the control pod has only the hostNetwork violation', () => {
    const a = run(pod(''));
    assert.deepEqual(a.errors, []);
    assert.deepEqual(checks(a), ['hostNamespaces']);
  });

  it('runAsNonRoot: "true" (a string): schema error, read as meant, no runAsNonRoot finding', () => {
    const t = pod('').replace('runAsNonRoot: true', 'runAsNonRoot: "true"');
    const a = run(t);
    assert.deepEqual(schema(t, a), [
      'spec.securityContext.runAsNonRoot must be a boolean (true or false), not a string @ "true"',
    ]);
    assert.deepEqual(checks(a), ['hostNamespaces']);
  });

  it('runAsNonRoot: "false" or 1: schema error and the runAsNonRoot finding', () => {
    for (const v of ['"false"', '1', '[true]']) {
      const t = pod('').replace('runAsNonRoot: true', `runAsNonRoot: ${v}`);
      const a = run(t);
      assert.equal(schema(t, a).length, 1, `${v}: ${JSON.stringify(schema(t, a))}`);
      assert.match(schema(t, a)[0]!, /^spec\.securityContext\.runAsNonRoot must be a boolean/);
      assert.ok(checks(a).includes('runAsNonRoot'), `${v}: ${JSON.stringify(checks(a))}`);
      stillChecked(a);
    }
  });

  it('privileged: "yes" / "true" / "on" (strings): schema error and the privileged finding', () => {
    for (const v of ['"yes"', '"true"', '"on"', '"TRUE"']) {
      const t = pod(`        privileged: ${v}\n`);
      const a = run(t, 'baseline');
      assert.deepEqual(schema(t, a), [
        `spec.containers[0].securityContext.privileged must be a boolean (true or false), not a string @ ${v}`,
      ]);
      assert.deepEqual(checks(a), ['hostNamespaces', 'privileged'], v);
    }
  });

  it('privileged: yes (unquoted, a YAML 1.1 boolean as Kubernetes reads it): the finding, no schema error', () => {
    const t = pod('        privileged: yes\n');
    const a = run(t, 'baseline');
    assert.deepEqual(schema(t, a), []);
    assert.deepEqual(checks(a), ['hostNamespaces', 'privileged']);
  });

  it('privileged: [true] or {}: schema error, the rest still checked', () => {
    for (const v of ['[true]', '{}', '"maybe"']) {
      const t = pod(`        privileged: ${v}\n`);
      const a = run(t, 'baseline');
      assert.equal(schema(t, a).length, 1, v);
      stillChecked(a);
    }
  });

  it('capabilities.drop: ALL (a scalar): schema error and the restricted finding', () => {
    const t = pod('').replace('drop: [ALL]', 'drop: ALL');
    const a = run(t);
    assert.deepEqual(schema(t, a), [
      'spec.containers[0].securityContext.capabilities.drop must be a list @ ALL',
    ]);
    assert.deepEqual(checks(a), ['capabilities_restricted', 'hostNamespaces']);
  });

  it('capabilities.add: SYS_ADMIN (a scalar): schema error, the rest still checked', () => {
    const t = pod('').replace('drop: [ALL]', 'drop: [ALL], add: SYS_ADMIN');
    const a = run(t, 'baseline');
    assert.deepEqual(schema(t, a), [
      'spec.containers[0].securityContext.capabilities.add must be a list @ SYS_ADMIN',
    ]);
    stillChecked(a);
  });

  it('hostPort: "80" (a string): schema error and the hostPorts finding; "0" is read as 0', () => {
    const ports = (v: string) =>
      `      ports:\n        - containerPort: 80\n          hostPort: ${v}\n`;
    const t = pod('', '', ports('"80"'));
    const a = run(t, 'baseline');
    assert.deepEqual(schema(t, a), [
      'spec.containers[0].ports[0].hostPort must be an integer, not a string @ "80"',
    ]);
    assert.deepEqual(checks(a), ['hostNamespaces', 'hostPorts']);
    // 0 under this pod's hostNetwork: true is defaulted to the containerPort (80).
    const zero = pod('', '', ports('"0"'));
    const z = run(zero, 'baseline');
    assert.deepEqual(checks(z), ['hostNamespaces', 'hostPorts']);
    assert.ok(z.findings.some((f) => f.defaulted !== undefined));
    assert.equal(schema(zero, z).length, 1);
  });

  it('runAsUser: "0" (a string): schema error and the runAsUser finding', () => {
    const t = pod('        runAsUser: "0"\n');
    const a = run(t);
    assert.deepEqual(schema(t, a), [
      'spec.containers[0].securityContext.runAsUser must be an integer, not a string @ "0"',
    ]);
    assert.deepEqual(checks(a), ['hostNamespaces', 'runAsUser']);
  });

  it('allowPrivilegeEscalation: "false" (a string): schema error, read as meant', () => {
    const t = pod('').replace(
      'allowPrivilegeEscalation: false',
      'allowPrivilegeEscalation: "false"',
    );
    const a = run(t);
    assert.equal(schema(t, a).length, 1);
    assert.deepEqual(checks(a), ['hostNamespaces']);
  });

  it('hostNetwork: "true" (a string): schema error and the finding', () => {
    const t = pod('').replace('hostNetwork: true', 'hostNetwork: "true"');
    const a = run(t, 'baseline');
    assert.deepEqual(schema(t, a), [
      'spec.hostNetwork must be a boolean (true or false), not a string @ "true"',
    ]);
    stillChecked(a);
  });

  it('containers: {} (a map): schema error at it; pod-level violations still reported', () => {
    const t = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers: {}\n  initContainers:\n    - {name: i, image: i, securityContext: {privileged: true}}\n`;
    const a = run(t, 'baseline');
    assert.deepEqual(schema(t, a), ['spec.containers must be a list @ {}']);
    assert.deepEqual(checks(a), ['hostNamespaces', 'privileged']);
  });

  it('securityContext, ports, volumes, sysctls of the wrong shape: schema errors, the rest still checked', () => {
    const cases: Array<[string, RegExp]> = [
      [
        pod('').replace(/ {6}securityContext:\n[\s\S]*$/, '      securityContext: [privileged]\n'),
        /securityContext must be an object/,
      ],
      [pod('', '', '      ports: {hostPort: 80}\n'), /ports must be a list/],
      [pod('', '  volumes: {hostPath: {path: /}}\n'), /spec\.volumes must be a list/],
      [
        pod('').replace(
          'runAsNonRoot: true',
          'runAsNonRoot: true\n    sysctls: {name: kernel.msgmax}',
        ),
        /sysctls must be a list/,
      ],
    ];
    for (const [t, pattern] of cases) {
      const a = run(t, 'baseline');
      assert.ok(
        schema(t, a).some((m) => pattern.test(m)),
        `${pattern}: ${JSON.stringify(a.errors)}`,
      );
      stillChecked(a);
    }
  });

  it('a spec that is a list: schema error at it, nothing passes silently', () => {
    for (const [kind, api] of [
      ['Pod', 'v1'],
      ['Deployment', 'apps/v1'],
    ]) {
      const t = `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: p\nspec:\n  - hostNetwork: true\n`;
      const a = run(t, 'baseline');
      assert.deepEqual(schema(t, a), ['spec must be an object @ - hostNetwork: true\n'], kind);
      assert.deepEqual(a.findings, []);
    }
  });

  it('a template that is a scalar or a list: schema error', () => {
    const t = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: p\nspec:\n  template: [x]\n`;
    assert.deepEqual(schema(t, run(t)), ['spec.template must be an object @ [x]']);
  });

  it('unknown kinds: a misspelt workload kind or the wrong built-in group gets a schema error; custom resources and other kinds are left alone', () => {
    const obj = (api: string, kind: string) =>
      `apiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers: [{name: a, image: a}]\n`;
    const cases: Array<[string, string, string | null]> = [
      ['v1', 'pod', 'Unknown kind "pod" (did you mean Pod?): not evaluated'],
      ['v1', 'Podd', 'Unknown kind "Podd" (did you mean Pod?): not evaluated'],
      [
        'apps/v1',
        'Deployments',
        'Unknown kind "Deployments" (did you mean Deployment?): not evaluated',
      ],
      [
        'v1',
        'Deployment',
        'Deployment is not served by apiVersion v1 (use apps/v1): not evaluated',
      ],
      [
        'apps/v1',
        'CronJob',
        'CronJob is not served by apiVersion apps/v1 (use batch/v1): not evaluated',
      ],
      ['example.com/v1', 'Pod', null],
      ['example.com/v1', 'Podd', null],
      ['v1', 'Service', null],
      ['v1', 'Node', null],
      ['apps/v1', 'ControllerRevision', null],
    ];
    for (const [api, kind, message] of cases) {
      const t = obj(api, kind);
      const a = run(t, 'baseline');
      assert.deepEqual(a.findings, [], `${api} ${kind} is not evaluated`);
      assert.deepEqual(
        schema(t, a),
        message === null ? [] : [`${message} @ kind: ${kind}`],
        `${api} ${kind}`,
      );
    }
  });

  it('a kind or apiVersion that is not a string is not a workload', () => {
    const t = `apiVersion: v1\nkind: [Pod]\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n`;
    const a = run(t, 'baseline');
    assert.deepEqual(a.findings, []);
    assert.deepEqual(schema(t, a), ['kind must be a string @ [Pod]']);
  });

  it('nested merge keys are followed as Kubernetes does: no false pass', () => {
    const t = `apiVersion: v1
kind: Pod
metadata:
  name: p
x-base: &base {privileged: true}
x-mid: &mid {<<: *base, procMount: Default}
spec:
  containers:
    - name: app
      image: app
      securityContext:
        <<: *mid
`;
    const a = run(t, 'baseline');
    assert.deepEqual(a.errors, []);
    const priv = a.findings.find((f) => f.check === 'privileged');
    assert.ok(priv, JSON.stringify(checks(a)));
    assert.equal(
      t.slice(priv.span.start, priv.span.end),
      '<<: *mid',
      'underlined where the pod takes it',
    );
    // A key of the map itself wins over merged ones, at any depth.
    const own = t.replace('        <<: *mid\n', '        <<: *mid\n        privileged: false\n');
    assert.deepEqual(checks(run(own, 'baseline')), []);
    const mid = t.replace('{<<: *base, procMount: Default}', '{<<: *base, privileged: false}');
    assert.deepEqual(checks(run(mid, 'baseline')), []);
  });

  it('duplicate keys: an error at the duplicate, and the last value (what Kubernetes reads) evaluated', () => {
    const t = pod('        privileged: false\n        privileged: true\n');
    const a = run(t, 'baseline');
    const dup = a.errors.find((e) => e.code === 'yaml');
    assert.ok(dup, JSON.stringify(a.errors));
    assert.match(dup.message, /duplicate key "privileged"/);
    assert.equal(t.slice(dup.span.start, dup.span.end), 'privileged');
    assert.equal(dup.span.start, t.lastIndexOf('privileged'));
    assert.deepEqual(
      a.findings.map((f) => t.slice(f.span.start, f.span.end)),
      ['hostNetwork: true', 'privileged: true'],
    );
    // And the other way round: the last value passes.
    const ok = pod('        privileged: true\n        privileged: false\n');
    assert.deepEqual(checks(run(ok, 'baseline')), ['hostNamespaces']);
  });
});
