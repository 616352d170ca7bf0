/**
 * What admission decides per workload: the policy per mode from labels and
 * the configured defaults, and the exemptions, in upstream's order. Rules
 * from kubernetes/pod-security-admission api/helpers.go (PolicyToEvaluate)
 * and admission/admission.go (ValidatePod, ValidatePodController,
 * EvaluatePod, exemptNamespaceWarning); the warning wording is upstream's
 * admission_test.go ("create restricted exempt").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { namespacePolicies } from '@podsec/server';
import type { Mode } from '@podsec/server';
import {
  admitNamespace,
  admitWorkload,
  builtInAdmissionConfig,
  parseAdmissionConfig,
  policyToEvaluate,
} from '@podsec/server/out/engine/config/index';
import type { AdmissionConfig, WorkloadAdmission } from '@podsec/server/out/engine/config/index';

const L = 'pod-security.kubernetes.io/';
const MODES: Mode[] = ['enforce', 'warn', 'audit'];

function config(body: string): AdmissionConfig {
  const c = parseAdmissionConfig(
    `apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\n${body}`,
    '/etc/psa.yaml',
  );
  assert.deepEqual(
    c.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return c;
}

function lv(p: { modes: Record<Mode, { level: string; version: string }> }): string[] {
  return MODES.map((m) => `${m}=${p.modes[m].level}:${p.modes[m].version}`);
}

describe('policyToEvaluate', () => {
  const defaults = config(
    'defaults: { enforce: baseline, enforce-version: v1.29, warn: restricted, audit: baseline }\n',
  );

  it('no labels (or none at all): the configured defaults, each saying so', () => {
    for (const labels of [null, {}]) {
      const p = policyToEvaluate(labels, defaults, 'shop');
      assert.deepEqual(lv(p), [
        'enforce=baseline:v1.29',
        'warn=restricted:latest',
        'audit=baseline:latest',
      ]);
      assert.equal(p.modes.enforce.levelOrigin.kind, 'configDefault');
      assert.equal(p.modes.warn.versionOrigin.kind, 'builtInDefault');
      assert.deepEqual(p.errors, []);
    }
  });

  it('a label sets only its mode; unlabelled modes keep the configured default', () => {
    const p = policyToEvaluate({ [`${L}audit`]: 'restricted' }, defaults, 'shop');
    assert.deepEqual(lv(p), [
      'enforce=baseline:v1.29',
      'warn=restricted:latest',
      'audit=restricted:latest',
    ]);
    assert.deepEqual(p.modes.audit.levelOrigin, {
      kind: 'label',
      label: `${L}audit`,
      namespace: 'shop',
    });
  });

  it('labels unrelated to pod security leave the defaults', () => {
    const p = policyToEvaluate({ team: 'a' }, defaults, 'shop');
    assert.deepEqual(lv(p), lv(policyToEvaluate(null, defaults, 'shop')));
  });

  it('an invalid enforce level fails closed (restricted); warn and audit fail open (privileged)', () => {
    const p = policyToEvaluate(
      { [`${L}enforce`]: 'strict', [`${L}warn`]: 'loud', [`${L}audit`]: '' },
      defaults,
      'shop',
    );
    assert.deepEqual(
      MODES.map((m) => p.modes[m].level),
      ['restricted', 'privileged', 'privileged'],
    );
    assert.deepEqual(
      p.errors.map((e) => e.message),
      [
        `metadata.labels[${L}enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`,
        `metadata.labels[${L}audit]: Invalid value: "": must be one of privileged, baseline, restricted`,
        `metadata.labels[${L}warn]: Invalid value: "loud": must be one of privileged, baseline, restricted`,
      ],
    );
  });

  it('an invalid version evaluates as latest', () => {
    const p = policyToEvaluate({ [`${L}enforce-version`]: 'v1.x' }, defaults, 'shop');
    assert.equal(p.modes.enforce.version, 'latest');
    assert.equal(p.modes.enforce.level, 'baseline');
    assert.deepEqual(
      p.errors.map((e) => e.message),
      [`metadata.labels[${L}enforce-version]: Invalid value: "v1.x": must be "latest" or "v1.x"`],
    );
  });

  it('warn follows a labelled enforce level stricter than the warn default, with its version', () => {
    const d = config('defaults: { warn: baseline, warn-version: v1.20 }\n');
    const p = policyToEvaluate(
      { [`${L}enforce`]: 'restricted', [`${L}enforce-version`]: 'v1.30' },
      d,
      'shop',
    );
    assert.equal(p.modes.warn.level, 'restricted');
    assert.equal(p.modes.warn.version, 'v1.30');
    assert.deepEqual(p.modes.warn.levelOrigin, {
      kind: 'followsEnforce',
      label: `${L}enforce`,
      namespace: 'shop',
    });
    assert.deepEqual(p.modes.warn.versionOrigin, {
      kind: 'label',
      label: `${L}enforce-version`,
      namespace: 'shop',
    });
  });

  it('warn follows enforce but keeps a labelled warn-version', () => {
    const p = policyToEvaluate(
      {
        [`${L}enforce`]: 'baseline',
        [`${L}enforce-version`]: 'v1.30',
        [`${L}warn-version`]: 'v1.25',
      },
      builtInAdmissionConfig(),
      'shop',
    );
    assert.deepEqual([p.modes.warn.level, p.modes.warn.version], ['baseline', 'v1.25']);
  });

  it('warn does not follow: when labelled, when enforce is invalid, unlabelled, or not stricter', () => {
    const d = config('defaults: { enforce: restricted, warn: baseline }\n');
    const cases: Array<[Record<string, string>, string]> = [
      [{ [`${L}enforce`]: 'restricted', [`${L}warn`]: 'privileged' }, 'privileged'],
      [{ [`${L}enforce`]: 'nonsense' }, 'baseline'],
      [{ [`${L}enforce-version`]: 'v1.30' }, 'baseline'], // enforce level from the default: no following
      [{ [`${L}enforce`]: 'baseline' }, 'baseline'],
      [{ [`${L}enforce`]: 'privileged' }, 'baseline'],
    ];
    for (const [labels, warn] of cases) {
      assert.equal(policyToEvaluate(labels, d, 'x').modes.warn.level, warn, JSON.stringify(labels));
    }
  });

  it("with the built-in defaults, agrees with the engine's namespacePolicies on any labels", () => {
    const value = fc.constantFrom(
      'privileged',
      'baseline',
      'restricted',
      'latest',
      'v1.0',
      'v1.30',
      'v1.x',
      '',
      'Restricted',
    );
    const key = fc.constantFrom(...MODES.flatMap((m) => [`${L}${m}`, `${L}${m}-version`]), 'other');
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 7 }), (labels) => {
        const mine = policyToEvaluate(labels, builtInAdmissionConfig(), 'ns');
        const engine = namespacePolicies(labels);
        for (const m of engine.modes) {
          assert.deepEqual(
            [mine.modes[m.mode].level, mine.modes[m.mode].version],
            [m.policy.level, m.policy.version],
            `${m.mode} ${JSON.stringify(labels)}`,
          );
        }
        assert.equal(mine.errors.length, engine.problems.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('exemptions', () => {
  const c = config(`defaults: { enforce: restricted, warn: restricted, audit: restricted }
exemptions:
  namespaces: [kube-system]
  usernames: [alice, "system:serviceaccount:kube-system:job-controller"]
  runtimeClasses: [kata]
`);
  const input = {
    namespace: 'shop',
    namespaceLabels: null,
    runtimeClassName: null,
    asUser: null,
  };
  const exempt = (a: WorkloadAdmission) => MODES.map((m) => a.modes[m].exemption?.kind ?? null);

  it('an exempt namespace exempts every mode, and its labels are ignored', () => {
    const a = admitWorkload(c, {
      ...input,
      kind: 'Deployment',
      namespace: 'kube-system',
      namespaceLabels: { [`${L}enforce`]: 'baseline' },
    });
    assert.equal(a.exemption?.kind, 'namespace');
    assert.equal(a.exemption?.annotation, 'namespace');
    assert.deepEqual(exempt(a), ['namespace', 'namespace', 'namespace']);
    assert.match(
      a.exemption?.message ?? '',
      /namespace "kube-system" is listed in exemptions\.namespaces of \/etc\/psa\.yaml/,
    );
    const e = a.exemption?.entry;
    assert.equal(e?.file, '/etc/psa.yaml');
  });

  it('an exempt runtime class (spec.runtimeClassName) exempts every mode', () => {
    for (const kind of ['Pod', 'Deployment', 'StatefulSet']) {
      const a = admitWorkload(c, { ...input, kind, runtimeClassName: 'kata' });
      assert.equal(a.exemption?.kind, 'runtimeClass', kind);
      assert.equal(a.exemption?.annotation, 'runtimeClass');
    }
    assert.equal(
      admitWorkload(c, { ...input, kind: 'Pod', runtimeClassName: 'gvisor' }).exemption,
      null,
    );
  });

  it('an exempt user exempts a Pod they create', () => {
    const a = admitWorkload(c, { ...input, kind: 'Pod', asUser: 'alice' });
    assert.equal(a.exemption?.kind, 'username');
    assert.equal(a.exemption?.annotation, 'user');
    assert.deepEqual(exempt(a), ['username', 'username', 'username']);
  });

  it("an exempt user never exempts a Deployment's pods: they are created by the controller's service account", () => {
    const a = admitWorkload(c, { ...input, kind: 'Deployment', asUser: 'alice' });
    assert.equal(a.exemption, null);
    // alice sees no warnings; her pods are still enforced and audited
    assert.deepEqual(exempt(a), [null, 'username', null]);
    assert.deepEqual(
      a.requests.map((r) => [r.kind, r.username, r.outcome.kind]),
      [
        ['Deployment', 'alice', 'exempt'],
        ['ReplicaSet', 'system:serviceaccount:kube-system:deployment-controller', 'evaluated'],
        ['Pod', 'system:serviceaccount:kube-system:replicaset-controller', 'evaluated'],
      ],
    );
    assert.deepEqual(a.requests[0]?.modes, ['warn', 'audit']);
    assert.deepEqual(a.requests[2]?.modes, ['enforce', 'warn', 'audit']);
  });

  it("exempting a controller's service account exempts the pods it creates (a Job's, a CronJob's)", () => {
    const job = admitWorkload(c, { ...input, kind: 'Job' });
    assert.equal(
      job.modes.enforce.exemption?.value,
      'system:serviceaccount:kube-system:job-controller',
    );
    assert.equal(job.modes.warn.exemption, null);
    const cron = admitWorkload(c, { ...input, kind: 'CronJob' });
    assert.deepEqual(
      cron.requests.map((r) => r.kind),
      ['CronJob', 'Job', 'Pod'],
    );
    assert.equal(cron.modes.enforce.exemption?.kind, 'username');
    // audit: the CronJob and Job requests are still audited
    assert.equal(cron.modes.audit.exemption, null);
    // a Deployment's pods are not the job controller's
    assert.equal(admitWorkload(c, { ...input, kind: 'Deployment' }).modes.enforce.exemption, null);
  });

  it('with one shared controller identity, usernames match system:kube-controller-manager', () => {
    const shared = config(
      'exemptions:\n  usernames: ["system:kube-controller-manager"]\ndefaults: { enforce: baseline }\n',
    );
    const a = admitWorkload(shared, {
      ...input,
      kind: 'StatefulSet',
      controllerCredentials: 'shared',
    });
    assert.equal(a.modes.enforce.exemption?.value, 'system:kube-controller-manager');
    const b = admitWorkload(shared, { ...input, kind: 'StatefulSet' });
    assert.equal(b.modes.enforce.exemption, null);
  });

  it('a PodTemplate creates no pods: enforce does not apply to it', () => {
    const a = admitWorkload(c, { ...input, kind: 'PodTemplate' });
    assert.equal(a.modes.enforce.applies, false);
    assert.equal(a.modes.warn.applies, true);
    assert.deepEqual(
      a.requests.map((r) => r.kind),
      ['PodTemplate'],
    );
  });

  it('empty names match nothing (upstream: len(x) == 0 is never exempt)', () => {
    const withEmpty = parseAdmissionConfig(
      'apiVersion: pod-security.admission.config.k8s.io/v1\nkind: PodSecurityConfiguration\nexemptions:\n  usernames: [""]\n  runtimeClasses: [""]\n  namespaces: [""]\n',
      '/e.yaml',
    );
    const a = admitWorkload(withEmpty, {
      kind: 'Pod',
      namespace: '',
      namespaceLabels: null,
      runtimeClassName: '',
      asUser: '',
    });
    assert.equal(a.exemption, null);
  });
});

describe('the order of exemptions and labels', () => {
  const c = config(`exemptions:
  namespaces: [ops]
  usernames: [alice]
  runtimeClasses: [kata]
`);

  it('namespace, then username, then runtime class', () => {
    const all = admitWorkload(c, {
      kind: 'Pod',
      namespace: 'ops',
      namespaceLabels: { [`${L}enforce`]: 'restricted' },
      runtimeClassName: 'kata',
      asUser: 'alice',
    });
    assert.equal(all.exemption?.kind, 'namespace');
    const userAndClass = admitWorkload(c, {
      kind: 'Pod',
      namespace: 'shop',
      namespaceLabels: { [`${L}enforce`]: 'restricted' },
      runtimeClassName: 'kata',
      asUser: 'alice',
    });
    assert.equal(userAndClass.exemption?.kind, 'username');
  });

  it('a fully privileged namespace is allowed before the runtime class is looked at (nothing exempt recorded)', () => {
    const pod = admitWorkload(c, {
      kind: 'Pod',
      namespace: 'shop',
      namespaceLabels: null,
      runtimeClassName: 'kata',
    });
    assert.equal(pod.exemption, null);
    assert.equal(pod.requests[0]?.outcome.kind, 'privileged');
    // invalid labels turn the shortcut off: then the runtime class exempts
    const invalid = admitWorkload(c, {
      kind: 'Pod',
      namespace: 'shop',
      namespaceLabels: { [`${L}warn`]: 'x' },
      runtimeClassName: 'kata',
    });
    assert.equal(invalid.exemption?.kind, 'runtimeClass');
    assert.equal(invalid.labelErrors.length, 1);
  });

  it('a controller: warn and audit privileged is the shortcut (enforce is not its to check)', () => {
    const a = admitWorkload(c, {
      kind: 'Deployment',
      namespace: 'shop',
      namespaceLabels: { [`${L}enforce`]: 'restricted', [`${L}warn`]: 'privileged' },
      runtimeClassName: 'kata',
    });
    assert.equal(a.requests[0]?.outcome.kind, 'privileged');
    // its pods: enforce restricted, so the runtime class exemption is what applies to them
    assert.equal(a.modes.enforce.exemption?.kind, 'runtimeClass');
    assert.equal(a.modes.enforce.policy.level, 'restricted');
  });

  it('labels choose the policy for every non-exempt mode', () => {
    const a = admitWorkload(c, {
      kind: 'Pod',
      namespace: 'shop',
      namespaceLabels: { [`${L}enforce`]: 'baseline', [`${L}audit`]: 'restricted' },
      runtimeClassName: null,
    });
    assert.deepEqual(
      MODES.map((m) => `${a.modes[m].policy.level}:${a.modes[m].exemption === null}`),
      ['baseline:true', 'baseline:true', 'restricted:true'],
    );
  });
});

describe('Namespace objects', () => {
  const c = config('exemptions:\n  namespaces: [test]\n');

  it("labels on an exempt namespace: upstream's warning", () => {
    const n = admitNamespace(c, 'test', { [`${L}enforce`]: 'restricted' });
    assert.equal(
      n.warning,
      'namespace "test" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored',
    );
    const three = admitNamespace(c, 'test', {
      [`${L}enforce`]: 'restricted',
      [`${L}enforce-version`]: 'v1.0',
      [`${L}audit`]: 'restricted',
      [`${L}warn`]: 'baseline',
    });
    assert.equal(
      three.warning,
      'namespace "test" is exempt from Pod Security, and the policy (enforce=restricted:v1.0, audit=restricted:latest, warn=baseline:latest) will be ignored',
    );
  });

  it('no warning when the labels are privileged, equal the defaults, or the namespace is not exempt', () => {
    assert.equal(admitNamespace(c, 'test', { [`${L}enforce`]: 'privileged' }).warning, null);
    const d = config(
      'defaults: { enforce: baseline, warn: baseline }\nexemptions:\n  namespaces: [test]\n',
    );
    assert.equal(admitNamespace(d, 'test', { [`${L}enforce`]: 'baseline' }).warning, null);
    // equal to the defaults in enforce only: warn follows the label, so the policy differs
    const e = config('defaults: { enforce: baseline }\nexemptions:\n  namespaces: [test]\n');
    assert.match(
      admitNamespace(e, 'test', { [`${L}enforce`]: 'baseline' }).warning ?? '',
      /enforce=baseline:latest/,
    );
    assert.equal(admitNamespace(c, 'other', { [`${L}enforce`]: 'restricted' }).warning, null);
  });

  it('invalid labels reject the Namespace (before any exemption warning)', () => {
    const n = admitNamespace(c, 'test', { [`${L}enforce`]: 'unknown' });
    assert.equal(n.warning, null);
    assert.equal(
      n.rejection,
      `Namespace "test" is invalid: metadata.labels[${L}enforce]: Invalid value: "unknown": must be one of privileged, baseline, restricted`,
    );
    const two = admitNamespace(c, 'x', {
      [`${L}enforce`]: 'unknown',
      [`${L}enforce-version`]: 'unknown',
    });
    assert.match(two.rejection ?? '', /^Namespace "x" is invalid: \[.*, .*\]$/);
  });
});
