/**
 * Audit policy evaluation as the API server's checker: rule order (first
 * match wins), users, groups, verbs, namespaces, resources with their
 * wildcard and subresource forms, resourceNames, non-resource URLs,
 * omitStages (the policy's added to each rule's), and the findings on the
 * deciding rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluatePolicy,
  logged,
  PROBES,
  ruleMatches,
} from '@podsec/server/out/engine/hardening/audit';
import type {
  AuditPolicy,
  AuditRequest,
  AuditRule,
} from '@podsec/server/out/engine/hardening/audit';
import { notesOf, of, run, spanText } from './helpers';

function rule(r: Partial<AuditRule>): AuditRule {
  return {
    level: 'Metadata',
    users: [],
    userGroups: [],
    verbs: [],
    namespaces: [],
    resources: [],
    nonResourceURLs: [],
    omitStages: [],
    omitManagedFields: null,
    ...r,
  };
}

const jane = { name: 'jane', groups: ['system:authenticated', 'dev'] };
function req(
  verb: string,
  group: string,
  resource: string,
  extra: Partial<NonNullable<AuditRequest['resource']>> = {},
): AuditRequest {
  return {
    user: jane,
    verb,
    resource: { group, resource, subresource: '', namespace: 'default', name: '', ...extra },
  };
}
const exec = req('create', '', 'pods', { subresource: 'exec', name: 'p' });

describe('rule matching (checker.go)', () => {
  it('an empty rule matches everything', () => {
    assert.equal(ruleMatches(rule({}), exec), true);
    assert.equal(ruleMatches(rule({}), { user: jane, verb: 'get', path: '/healthz' }), true);
  });

  it('users, userGroups and verbs', () => {
    assert.equal(ruleMatches(rule({ users: ['jane'] }), exec), true);
    assert.equal(ruleMatches(rule({ users: ['bob'] }), exec), false);
    assert.equal(ruleMatches(rule({ userGroups: ['dev'] }), exec), true);
    assert.equal(ruleMatches(rule({ userGroups: ['ops'] }), exec), false);
    assert.equal(ruleMatches(rule({ verbs: ['create', 'delete'] }), exec), true);
    assert.equal(ruleMatches(rule({ verbs: ['get'] }), exec), false);
  });

  it('namespaces: "" is cluster-scoped', () => {
    const cluster = req('create', 'rbac.authorization.k8s.io', 'clusterroles', { namespace: '' });
    assert.equal(ruleMatches(rule({ namespaces: ['default'] }), exec), true);
    assert.equal(ruleMatches(rule({ namespaces: ['kube-system'] }), exec), false);
    assert.equal(ruleMatches(rule({ namespaces: [''] }), cluster), true);
    assert.equal(ruleMatches(rule({ namespaces: ['default'] }), cluster), false);
  });

  it('resources: exact, *, resource/subresource, */subresource, resource/*', () => {
    const core = (resources: string[], resourceNames: string[] = []) =>
      rule({ resources: [{ group: '', resources, resourceNames }] });
    const pods = req('create', '', 'pods');
    assert.equal(ruleMatches(core(['pods']), pods), true);
    assert.equal(ruleMatches(core(['pods']), exec), false, 'a subresource needs its own form');
    assert.equal(ruleMatches(core(['pods/exec']), exec), true);
    assert.equal(ruleMatches(core(['pods/log']), exec), false);
    assert.equal(ruleMatches(core(['*/exec']), exec), true);
    assert.equal(ruleMatches(core(['*/exec']), pods), false);
    assert.equal(ruleMatches(core(['pods/*']), exec), true);
    assert.equal(ruleMatches(core(['pods/*']), pods), true);
    assert.equal(ruleMatches(core(['*']), exec), true);
    assert.equal(ruleMatches(core([]), exec), true, 'no resources: every resource of the group');
    assert.equal(ruleMatches(core(['pods/exec'], ['p']), exec), true);
    assert.equal(ruleMatches(core(['pods/exec'], ['q']), exec), false);
  });

  it('the group must match; "*" matches every group', () => {
    const apps = rule({
      resources: [{ group: 'apps', resources: ['deployments'], resourceNames: [] }],
    });
    assert.equal(ruleMatches(apps, req('create', 'apps', 'deployments')), true);
    assert.equal(ruleMatches(apps, req('create', '', 'deployments')), false);
    const any = rule({ resources: [{ group: '*', resources: ['secrets'], resourceNames: [] }] });
    assert.equal(ruleMatches(any, req('get', '', 'secrets')), true);
  });

  it('resource rules never match non-resource requests, and the other way round', () => {
    const healthz: AuditRequest = { user: jane, verb: 'get', path: '/healthz/ready' };
    assert.equal(
      ruleMatches(rule({ resources: [{ group: '', resources: [], resourceNames: [] }] }), healthz),
      false,
    );
    assert.equal(ruleMatches(rule({ namespaces: ['default'] }), healthz), false);
    assert.equal(ruleMatches(rule({ nonResourceURLs: ['/healthz*'] }), healthz), true);
    assert.equal(ruleMatches(rule({ nonResourceURLs: ['/healthz'] }), healthz), false);
    assert.equal(ruleMatches(rule({ nonResourceURLs: ['*'] }), healthz), true);
    assert.equal(ruleMatches(rule({ nonResourceURLs: ['*'] }), exec), false);
  });
});

describe('policy evaluation', () => {
  const policy = (rules: AuditRule[], omitStages: AuditPolicy['omitStages'] = []): AuditPolicy => ({
    rules,
    omitStages,
    omitManagedFields: false,
  });

  it('the first matching rule decides', () => {
    const p = policy([
      rule({ level: 'None', users: ['bob'] }),
      rule({ level: 'Request', verbs: ['create'] }),
      rule({ level: 'RequestResponse' }),
    ]);
    assert.deepEqual([evaluatePolicy(p, exec).level, evaluatePolicy(p, exec).rule], ['Request', 1]);
    const get = req('get', '', 'secrets');
    assert.deepEqual(
      [evaluatePolicy(p, get).level, evaluatePolicy(p, get).rule],
      ['RequestResponse', 2],
    );
  });

  it('no match: None, with the policy omitStages and omitManagedFields', () => {
    const p: AuditPolicy = {
      rules: [rule({ users: ['bob'] })],
      omitStages: ['RequestReceived'],
      omitManagedFields: true,
    };
    const d = evaluatePolicy(p, exec);
    assert.deepEqual(d, {
      level: 'None',
      rule: null,
      omitStages: ['RequestReceived'],
      omitManagedFields: true,
    });
  });

  it("the policy's omitStages join each rule's; a rule's omitManagedFields wins", () => {
    const p: AuditPolicy = {
      rules: [rule({ omitStages: ['ResponseStarted'], omitManagedFields: false })],
      omitStages: ['RequestReceived'],
      omitManagedFields: true,
    };
    const d = evaluatePolicy(p, exec);
    assert.deepEqual([...d.omitStages].sort(), ['RequestReceived', 'ResponseStarted']);
    assert.equal(d.omitManagedFields, false);
  });

  it('a request is logged unless None or every stage it produces is omitted', () => {
    const d = (
      level: 'None' | 'Metadata',
      omitStages: Array<'RequestReceived' | 'ResponseStarted' | 'ResponseComplete'>,
    ) => ({
      level,
      rule: 0,
      omitStages,
      omitManagedFields: false,
    });
    const short = ['RequestReceived', 'ResponseComplete'] as const;
    const long = ['RequestReceived', 'ResponseStarted', 'ResponseComplete'] as const;
    assert.equal(logged(d('None', []), short), false);
    assert.equal(logged(d('Metadata', ['RequestReceived']), short), true);
    assert.equal(logged(d('Metadata', ['RequestReceived', 'ResponseComplete']), short), false);
    assert.equal(logged(d('Metadata', ['RequestReceived', 'ResponseComplete']), long), true);
  });

  it('the probe set covers the documented requests', () => {
    const titles = PROBES.map((p) => p.title);
    for (const t of [
      'get secrets',
      'watch configmaps',
      'create tokenreviews',
      'create pods/exec',
      'get pods/portforward',
      'create pods',
      'create pods (by replicaset-controller)',
      'create deployments',
      'create cronjobs',
      'patch clusterrolebindings',
    ]) {
      assert.ok(titles.includes(t), t);
    }
  });
});

function policyText(rules: string, extra = ''): string {
  return `apiVersion: audit.k8s.io/v1\nkind: Policy\n${extra}rules:\n${rules}`;
}

describe('auditPolicy findings, on the deciding rule', () => {
  it('a catch-all RequestResponse rule logs secret bodies', () => {
    const r = run(policyText('  - level: RequestResponse\n'));
    const f = of(r, 'auditPolicy');
    assert.equal(f.length, 1);
    assert.equal(f[0]?.severity, 'warning');
    assert.match(
      f[0]?.message ?? '',
      /rule 1 \(the first that matches\) writes the bodies of Secrets, ConfigMaps or TokenReviews/,
    );
    assert.equal(spanText(r, f[0]), 'level: RequestResponse');
    assert.equal(f[0]?.path, 'rules[0]');
  });

  it('a Metadata rule for secrets first: only ConfigMaps and TokenReviews remain', () => {
    const r = run(
      policyText(
        '  - level: Metadata\n    resources: [{group: "", resources: [secrets]}]\n  - level: RequestResponse\n',
      ),
    );
    const f = of(r, 'auditPolicy');
    assert.equal(f.length, 1);
    assert.doesNotMatch(f[0]?.message ?? '', /\(secrets \(|; secrets \(/);
    assert.match(f[0]?.message ?? '', /configmaps/);
    assert.match(f[0]?.message ?? '', /tokenreviews/);
  });

  it('Request level leaks the bodies of writes only', () => {
    const r = run(
      policyText(
        '  - level: Request\n    resources: [{group: "", resources: [secrets]}]\n  - level: Metadata\n',
      ),
    );
    const m = of(r, 'auditPolicy')[0]?.message ?? '';
    assert.match(m, /\(secrets \(create, update, patch\)\)/);
    assert.doesNotMatch(m, /get/);
  });

  it('exec not logged, pod creation not logged, RBAC not logged', () => {
    const r = run(
      policyText(
        [
          '  # noisy',
          '  - level: None',
          '    resources: [{group: "", resources: ["pods/exec", "pods/attach", "pods/portforward"]}]',
          '  - level: None',
          '    verbs: [create]',
          '    resources: [{group: ""}, {group: apps}, {group: batch}]',
          '  - level: None',
          '    resources: [{group: rbac.authorization.k8s.io}]',
          '  - level: Metadata',
          '',
        ].join('\n'),
      ),
    );
    const f = of(r, 'auditPolicy');
    assert.equal(f.length, 3);
    assert.match(f[0]?.message ?? '', /rule 1 .* does not log exec, attach or port-forward/);
    assert.match(
      f[1]?.message ?? '',
      /rule 2 .* does not log the creation of pods or workloads, so Pod Security admission audit annotations/,
    );
    assert.match(f[1]?.message ?? '', /pods by replicaset-controller \(create\)/);
    assert.match(f[2]?.message ?? '', /rule 3 .* does not log changes to RBAC/);
  });

  it('a policy no rule of which matches: everything is None, reported on rules', () => {
    const r = run(policyText('  - level: Metadata\n    users: [system:kube-proxy]\n'));
    const f = of(r, 'auditPolicy');
    assert.deepEqual(
      f.map((x) => x.path),
      ['rules', 'rules', 'rules'],
    );
    assert.match(f[0]?.message ?? '', /no rule matches, so the level is None/);
    assert.equal(spanText(r, f[0]), 'rules');
  });

  it('omitStages can hide a request altogether', () => {
    const r = run(
      policyText(
        '  - level: Metadata\n',
        'omitStages: [RequestReceived, ResponseStarted, ResponseComplete]\n',
      ),
    );
    const concerns = of(r, 'auditPolicy').map((f) => f.message);
    assert.ok(concerns.some((m) => /does not log exec/.test(m)));
    assert.ok(concerns.some((m) => /does not log the creation/.test(m)));
    // no rule can bring back what the policy omits altogether: no fix
    assert.ok(of(r, 'auditPolicy').every((f) => f.fixes.length === 0));
    const partly = run(policyText('  - level: Metadata\n    omitStages: [RequestReceived]\n'));
    assert.equal(of(partly, 'auditPolicy').length, 0);
  });

  it('the probes decisions are reported for the report', () => {
    const r = run(
      policyText(
        '  - level: None\n    resources: [{group: "", resources: ["pods/exec"]}]\n  - level: Metadata\n',
      ),
    );
    const probes = r.audit[0]?.probes ?? [];
    assert.equal(probes.length, PROBES.length);
    const execCreate = probes.find((p) => p.title === 'create pods/exec');
    assert.deepEqual(
      [execCreate?.decision.level, execCreate?.decision.rule, execCreate?.logged],
      ['None', 0, false],
    );
  });
});

describe('policies the API server refuses: notes', () => {
  const bad: Array<[string, RegExp]> = [
    [policyText('  - resources: [{group: ""}]\n'), /rules\[0\]\.level: Required value/],
    [policyText('  - level: Everything\n'), /Unsupported value: "Everything"/],
    [policyText('  - level: None\n    omitStages: [Never]\n'), /allowed stages are/],
    [policyText('  - level: None\n    nonResourceURLs: [healthz]\n'), /must begin with a '\/'/],
    [policyText('  - level: None\n    nonResourceURLs: ["/a*b"]\n'), /must be the final character/],
    [
      policyText('  - level: None\n    nonResourceURLs: ["/a"]\n    namespaces: [x]\n'),
      /both regular resources and non-resource URLs/,
    ],
    [
      policyText('  - level: None\n    resources: [{group: "", resourceNames: [x]}]\n'),
      /requires at least one resource/,
    ],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n', /0 rules/],
  ];
  for (const [text, re] of bad) {
    it(re.source, () => {
      const r = run(text);
      assert.equal(of(r, 'auditPolicy').length, 0);
      assert.match(notesOf(r, 'auditPolicy')[0]?.message ?? '', re);
    });
  }
  it('audit.k8s.io/v1beta1 is not loaded', () => {
    const r = run('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]\n');
    assert.match(notesOf(r, 'auditPolicy')[0]?.message ?? '', /loads audit\.k8s\.io\/v1 only/);
  });
});
