/**
 * Resources, LimitRanges and ResourceQuotas, hand-checked against the API
 * server: requests default to limits, LimitRange defaulting (max → default
 * → defaultRequest, min → defaultRequest), the LimitRanger's min/max/ratio
 * checks per Container and per Pod (sidecars, init containers, pod-level
 * resources) with its messages, quota scopes and the quota's "must
 * specify" and "exceeded quota" rejections.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployment, FULL_RESOURCES, notesOf, of, run, spanText } from './helpers';

function limitRange(items: string, name = 'lr', namespace = 'prod'): string {
  return `apiVersion: v1
kind: LimitRange
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  limits:
${items
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}

function quota(spec: string, name = 'q', namespace = 'prod'): string {
  return `apiVersion: v1
kind: ResourceQuota
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}

/** A Deployment whose pod has the given containers (YAML list items under `containers:`), and more spec. */
function pods(containers: string, spec = '', kind = 'Deployment'): string {
  const indent = (s: string, n: number) =>
    s
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => `${' '.repeat(n)}${l}`)
      .join('\n');
  return `apiVersion: ${kind === 'Job' ? 'batch/v1' : 'apps/v1'}
kind: ${kind}
metadata: {name: web, namespace: prod}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
${spec ? `${indent(spec, 6)}\n` : ''}${indent(containers, 6)}
`;
}

const messages = (r: ReturnType<typeof run>, check: string) => of(r, check).map((f) => f.message);

describe('resourceRequests and resourceLimits', () => {
  it('a container without resources: no CPU and memory request, no memory limit', () => {
    const r = run(deployment({}));
    const req = of(r, 'resourceRequests');
    const lim = of(r, 'resourceLimits');
    assert.equal(req.length, 1);
    assert.equal(lim.length, 1);
    assert.equal(req[0]?.severity, 'warning');
    assert.match(
      req[0]?.message ?? '',
      /container "app" of Deployment "web" has no CPU and no memory request/,
    );
    assert.match(lim[0]?.message ?? '', /has no memory limit/);
    // on the container's name line when it has no resources
    assert.equal(spanText(r, req[0]), 'name: app');
    assert.equal(req[0]?.container, 'app');
  });

  it('full resources: nothing to report', () => {
    const r = run(deployment({ container: FULL_RESOURCES }));
    assert.equal(of(r, 'resourceRequests').length + of(r, 'resourceLimits').length, 0);
  });

  it('a limit alone sets the request (SetDefaults_Pod)', () => {
    const r = run(deployment({ container: 'resources:\n  limits: {cpu: 500m, memory: 256Mi}' }));
    assert.equal(of(r, 'resourceRequests').length, 0);
    assert.equal(of(r, 'resourceLimits').length, 0);
    assert.deepEqual(r.resources[0]?.containers[0]?.requests, { cpu: '500m', memory: '256Mi' });
    assert.equal(r.resources[0]?.containers[0]?.defaulted['requests.cpu'], 'its limit');
  });

  it('a CPU limit is required only when configured', () => {
    const r = run(deployment({ container: FULL_RESOURCES }), { requireCpuLimit: true });
    assert.match(of(r, 'resourceLimits')[0]?.message ?? '', /has no CPU limit/);
  });

  it('init containers are checked, by their own title', () => {
    const r = run(
      pods(`initContainers:
- name: setup
  image: busybox
containers:
- name: app
  image: nginx
  ${FULL_RESOURCES.replace(/\n/g, '\n  ')}`),
    );
    assert.deepEqual(
      of(r, 'resourceRequests').map((f) => f.container),
      ['setup'],
    );
    assert.match(of(r, 'resourceRequests')[0]?.message ?? '', /^init container "setup"/);
  });

  it('pod-level resources satisfy the containers (PodLevelResources)', () => {
    const r = run(
      pods(
        'containers:\n- {name: app, image: nginx}',
        'resources:\n  requests: {cpu: "1", memory: 1Gi}\n  limits: {memory: 1Gi}',
      ),
    );
    assert.equal(of(r, 'resourceRequests').length + of(r, 'resourceLimits').length, 0);
  });

  it('a bad quantity is a note (the API server rejects the object), never a crash', () => {
    const r = run(
      deployment({
        container: 'resources:\n  requests: {cpu: 1 core, memory: 1Gb}\n  limits: {memory: [1]}',
      }),
    );
    const notes = notesOf(r, 'resourceRequests').concat(notesOf(r, 'resourceLimits'));
    assert.equal(notes.length, 3);
    assert.ok(notes.every((n) => /the API server rejects this object/.test(n.message)));
    assert.match(notes[0]?.message ?? '', /quantities must match the regular expression/);
  });
});

describe('LimitRange defaulting, as the LimitRanger applies it', () => {
  it('default and defaultRequest fill what a container does not set', () => {
    const lr = limitRange(
      '- type: Container\n  default: {cpu: 500m, memory: 512Mi}\n  defaultRequest: {cpu: 100m, memory: 256Mi}',
    );
    const r = run({ 'a.yaml': deployment({}), 'lr.yaml': lr });
    assert.equal(of(r, 'resourceRequests').length + of(r, 'resourceLimits').length, 0);
    const c = r.resources[0]?.containers[0];
    assert.deepEqual(c?.requests, { cpu: '100m', memory: '256Mi' });
    assert.deepEqual(c?.limits, { cpu: '500m', memory: '512Mi' });
    assert.equal(c?.defaulted['limits.memory'], 'LimitRange "lr"');
    assert.deepEqual(r.resources[0]?.limitRanges, ['lr']);
  });

  it('max alone becomes the default limit, and the default the default request', () => {
    const r = run({
      'a.yaml': deployment({}),
      'lr.yaml': limitRange('- type: Container\n  max: {cpu: "2", memory: 1Gi}'),
    });
    const c = r.resources[0]?.containers[0];
    assert.deepEqual(c?.limits, { cpu: '2', memory: '1Gi' });
    assert.deepEqual(c?.requests, { cpu: '2', memory: '1Gi' });
    assert.equal(
      of(r, 'resourceRequests').length +
        of(r, 'resourceLimits').length +
        of(r, 'limitRangeRejects').length,
      0,
    );
  });

  it('min alone becomes the default request; the limit still misses', () => {
    const r = run({
      'a.yaml': deployment({}),
      'lr.yaml': limitRange('- type: Container\n  min: {cpu: 50m, memory: 64Mi}'),
    });
    assert.deepEqual(r.resources[0]?.containers[0]?.requests, { cpu: '50m', memory: '64Mi' });
    assert.equal(of(r, 'resourceRequests').length, 0);
    assert.match(
      of(r, 'resourceLimits')[0]?.message ?? '',
      /no memory limit after the defaults of LimitRange "lr"/,
    );
  });

  it("a container's own limit wins, and its request follows its limit, not the default request", () => {
    const lr = limitRange(
      '- type: Container\n  default: {memory: 512Mi}\n  defaultRequest: {memory: 256Mi}',
    );
    const r = run({
      'a.yaml': deployment({ container: 'resources: {limits: {memory: 1Gi}}' }),
      'lr.yaml': lr,
    });
    const c = r.resources[0]?.containers[0];
    assert.deepEqual(c?.limits, { memory: '1Gi' });
    assert.deepEqual(c?.requests, { memory: '1Gi' });
  });

  it('a LimitRange of another namespace does not apply', () => {
    const lr = limitRange('- type: Container\n  default: {cpu: 1, memory: 1Gi}', 'lr', 'dev');
    const r = run({ 'a.yaml': deployment({}), 'lr.yaml': lr });
    assert.equal(of(r, 'resourceRequests').length, 1);
  });

  it('two LimitRanges defaulting the same resource differently: a note', () => {
    const r = run({
      'a.yaml': deployment({}),
      'lr.yaml': `${limitRange('- type: Container\n  default: {memory: 1Gi}', 'a')}---\n${limitRange('- type: Container\n  default: {memory: 2Gi}', 'b')}`,
    });
    assert.match(
      notesOf(r, 'limitRangeRejects')[0]?.message ?? '',
      /"a" and "b" of namespace "prod" both set default memory/,
    );
    assert.deepEqual(r.resources[0]?.containers[0]?.limits, { memory: '1Gi' });
  });

  it('an invalid LimitRange is a note and is not applied', () => {
    const r = run({
      'a.yaml': deployment({}),
      'lr.yaml': limitRange('- type: Container\n  min: {cpu: "2"}\n  max: {cpu: "1"}'),
    });
    assert.match(
      notesOf(r, 'limitRangeRejects')[0]?.message ?? '',
      /min value 2 is greater than max value 1/,
    );
    assert.deepEqual(r.resources[0]?.limitRanges, []);
  });
});

describe('limitRangeRejects: the LimitRanger checks and messages', () => {
  it('Container min: request below', () => {
    const lr = limitRange('- type: Container\n  min: {cpu: 100m}');
    const r = run({
      'a.yaml': deployment({
        container: 'resources: {requests: {cpu: 50m, memory: 1Mi}, limits: {memory: 1Mi}}',
      }),
      'lr.yaml': lr,
    });
    assert.deepEqual(messages(r, 'limitRangeRejects'), [
      'pods of Deployment "web" will be rejected by LimitRange "lr" (minimum cpu usage per Container is 100m, but request is 50m) for container "app"',
    ]);
    assert.equal(spanText(r, of(r, 'limitRangeRejects')[0]), 'cpu: 50m');
  });

  it('Container max: limit above', () => {
    const lr = limitRange('- type: Container\n  max: {memory: 1Gi}');
    const r = run({
      'a.yaml': deployment({ container: 'resources:\n  limits:\n    memory: 2Gi' }),
      'lr.yaml': lr,
    });
    assert.deepEqual(messages(r, 'limitRangeRejects'), [
      'pods of Deployment "web" will be rejected by LimitRange "lr" (maximum memory usage per Container is 1Gi, but limit is 2Gi) for container "app"',
    ]);
    assert.equal(spanText(r, of(r, 'limitRangeRejects')[0]), 'memory: 2Gi');
  });

  it('maxLimitRequestRatio, with the ratio printed as Go prints it', () => {
    const lr = limitRange('- type: Container\n  maxLimitRequestRatio: {cpu: 2}');
    const r = run({
      'a.yaml': deployment({
        container: 'resources: {requests: {cpu: 100m}, limits: {cpu: 500m}}',
      }),
      'lr.yaml': lr,
    });
    assert.match(
      messages(r, 'limitRangeRejects')[0] ?? '',
      /\(cpu max limit to request ratio per Container is 2, but provided ratio is 5\.000000\)/,
    );
    const r2 = run({
      'a.yaml': deployment({
        container: 'resources: {requests: {cpu: 300m}, limits: {cpu: 700m}}',
      }),
      'lr.yaml': lr,
    });
    assert.match(messages(r2, 'limitRangeRejects')[0] ?? '', /provided ratio is 2\.333333\)/);
    const ok = run({
      'a.yaml': deployment({
        container: 'resources: {requests: {cpu: 250m}, limits: {cpu: 500m}}',
      }),
      'lr.yaml': lr,
    });
    assert.equal(of(ok, 'limitRangeRejects').length, 0);
  });

  it('ratio without a limit', () => {
    const lr = limitRange('- type: Container\n  maxLimitRequestRatio: {memory: 2}');
    const r = run({
      'a.yaml': deployment({ container: 'resources: {requests: {memory: 1Gi}}' }),
      'lr.yaml': lr,
    });
    assert.match(
      messages(r, 'limitRangeRejects')[0] ?? '',
      /memory max limit to request ratio per Container is 2, but no limit is specified or limit is 0/,
    );
  });

  it('comparison at milli precision, rounded up (100u counts as 1m)', () => {
    const lr = limitRange('- type: Container\n  min: {cpu: 1m}');
    const r = run({
      'a.yaml': deployment({ container: 'resources: {requests: {cpu: 100u}}' }),
      'lr.yaml': lr,
    });
    assert.equal(of(r, 'limitRangeRejects').length, 0);
    assert.equal(r.resources[0]?.containers[0]?.requests['cpu'], '1m');
  });

  it('exact comparison across spellings: 1Gi is not above 1024Mi, 1G is below 1Gi', () => {
    const lr = limitRange('- type: Container\n  max: {memory: 1024Mi}');
    assert.equal(
      of(
        run({
          'a.yaml': deployment({ container: 'resources: {limits: {memory: 1Gi}}' }),
          'lr.yaml': lr,
        }),
        'limitRangeRejects',
      ).length,
      0,
    );
    assert.equal(
      of(
        run({
          'a.yaml': deployment({ container: 'resources: {limits: {memory: 1073741825}}' }),
          'lr.yaml': lr,
        }),
        'limitRangeRejects',
      ).length,
      1,
    );
    const lr2 = limitRange('- type: Container\n  min: {memory: 1Gi}');
    assert.match(
      messages(
        run({
          'a.yaml': deployment({ container: 'resources: {requests: {memory: 1G}}' }),
          'lr.yaml': lr2,
        }),
        'limitRangeRejects',
      )[0] ?? '',
      /minimum memory usage per Container is 1Gi, but request is 1G/,
    );
  });

  it('Pod max against the pod total (containers summed)', () => {
    const lr = limitRange('- type: Pod\n  max: {memory: 1Gi}');
    const two = pods(`containers:
- {name: a, image: x, resources: {limits: {memory: 600Mi}}}
- {name: b, image: x, resources: {limits: {memory: 600Mi}}}`);
    assert.deepEqual(messages(run({ 'a.yaml': two, 'lr.yaml': lr }), 'limitRangeRejects'), [
      'pods of Deployment "web" will be rejected by LimitRange "lr" (maximum memory usage per Pod is 1Gi, but limit is 1200Mi)',
    ]);
  });

  it('Pod max with no container limit: "No limit is specified"', () => {
    const lr = limitRange('- type: Pod\n  max: {memory: 1Gi}');
    assert.match(
      messages(run({ 'a.yaml': deployment({}), 'lr.yaml': lr }), 'limitRangeRejects')[0] ?? '',
      /maximum memory usage per Pod is 1Gi\. {2}No limit is specified/,
    );
  });

  it('init containers count as a maximum, sidecars as a sum', () => {
    const lr = limitRange('- type: Pod\n  max: {cpu: "1"}');
    const init = pods(`initContainers:
- {name: setup, image: x, resources: {requests: {cpu: 800m}, limits: {cpu: 800m}}}
containers:
- {name: a, image: x, resources: {requests: {cpu: 500m}, limits: {cpu: 500m}}}`);
    assert.equal(of(run({ 'a.yaml': init, 'lr.yaml': lr }), 'limitRangeRejects').length, 0);
    const sidecar = pods(`initContainers:
- {name: proxy, image: x, restartPolicy: Always, resources: {requests: {cpu: 800m}, limits: {cpu: 800m}}}
containers:
- {name: a, image: x, resources: {requests: {cpu: 500m}, limits: {cpu: 500m}}}`);
    assert.deepEqual(messages(run({ 'a.yaml': sidecar, 'lr.yaml': lr }), 'limitRangeRejects'), [
      'pods of Deployment "web" will be rejected by LimitRange "lr" (maximum cpu usage per Pod is 1, but limit is 1300m)',
    ]);
    // an init container after a sidecar runs beside it
    const after = pods(`initContainers:
- {name: proxy, image: x, restartPolicy: Always, resources: {requests: {cpu: 300m}, limits: {cpu: 300m}}}
- {name: migrate, image: x, resources: {requests: {cpu: 800m}, limits: {cpu: 800m}}}
containers:
- {name: a, image: x, resources: {requests: {cpu: 100m}, limits: {cpu: 100m}}}`);
    assert.match(
      messages(run({ 'a.yaml': after, 'lr.yaml': lr }), 'limitRangeRejects')[0] ?? '',
      /but limit is 1100m/,
    );
  });

  it('pod-level resources override the totals for a Pod item', () => {
    const lr = limitRange('- type: Pod\n  max: {memory: 1Gi}');
    const bare = pods('containers:\n- {name: a, image: x}');
    const p = pods('containers:\n- {name: a, image: x}', 'resources: {limits: {memory: 512Mi}}');
    assert.equal(of(run({ 'a.yaml': bare, 'lr.yaml': lr }), 'limitRangeRejects').length, 1);
    assert.equal(of(run({ 'a.yaml': p, 'lr.yaml': lr }), 'limitRangeRejects').length, 0);
  });

  it('a defaulted limit below the request makes the pod invalid (pod validation wording)', () => {
    const lr = limitRange('- type: Container\n  default: {cpu: 500m}');
    const r = run({
      'a.yaml': deployment({
        container: 'resources: {requests: {cpu: "1", memory: 1Mi}, limits: {memory: 1Mi}}',
      }),
      'lr.yaml': lr,
    });
    assert.deepEqual(messages(r, 'limitRangeRejects'), [
      'pods of Deployment "web" will be rejected: spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m (after the defaults of LimitRange "lr") for container "app"',
    ]);
  });
});

describe('quotaRejects: must specify', () => {
  it('a quota tracking limits.memory requires it of every container', () => {
    const r = run({
      'a.yaml': deployment({ container: 'resources: {requests: {cpu: 100m, memory: 1Gi}}' }),
      'q.yaml': quota('hard: {limits.memory: 4Gi}', 'compute'),
    });
    assert.deepEqual(messages(r, 'quotaRejects'), [
      'pods of Deployment "web" will be rejected: failed quota: compute: must specify limits.memory for: app',
    ]);
    assert.equal(of(r, 'quotaRejects')[0]?.severity, 'warning');
  });

  it('resources and containers listed in order, init containers included', () => {
    const p = pods(`initContainers:
- {name: init, image: x}
containers:
- {name: zeta, image: x, resources: {limits: {memory: 1Gi}}}
- {name: alpha, image: x}`);
    const r = run({
      'a.yaml': p,
      'q.yaml': quota('hard: {requests.cpu: "4", limits.memory: 4Gi, pods: "10"}'),
    });
    assert.deepEqual(messages(r, 'quotaRejects'), [
      'pods of Deployment "web" will be rejected: failed quota: q: must specify limits.memory for: alpha,init; requests.cpu for: alpha,init,zeta',
    ]);
  });

  it('"cpu" and "memory" in hard mean the requests', () => {
    const r = run({
      'a.yaml': deployment({ container: 'resources: {limits: {memory: 1Gi}}' }),
      'q.yaml': quota('hard: {cpu: "4", memory: 8Gi}'),
    });
    assert.deepEqual(messages(r, 'quotaRejects'), [
      'pods of Deployment "web" will be rejected: failed quota: q: must specify cpu for: app',
    ]);
  });

  it('a quota that tracks neither cpu nor memory requires nothing', () => {
    const r = run({
      'a.yaml': deployment({}),
      'q.yaml': quota('hard: {pods: "10", requests.storage: 10Gi}'),
    });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });

  it('LimitRange defaults apply first', () => {
    const lr = limitRange('- type: Container\n  default: {memory: 512Mi}');
    const r = run({
      'a.yaml': deployment({}),
      'lr.yaml': lr,
      'q.yaml': quota('hard: {limits.memory: 4Gi, requests.memory: 4Gi}'),
    });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });

  it('pod-level resources lift the requirement', () => {
    const p = pods(
      'containers:\n- {name: a, image: x}',
      'resources: {requests: {cpu: "1"}, limits: {memory: 1Gi}}',
    );
    const r = run({
      'a.yaml': p,
      'q.yaml': quota('hard: {requests.cpu: "4", limits.memory: 4Gi}'),
    });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });

  it('a quota of another namespace does not apply', () => {
    const r = run({
      'a.yaml': deployment({}),
      'q.yaml': quota('hard: {limits.memory: 4Gi}', 'q', 'dev'),
    });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });
});

describe('quota scopes and scopeSelector', () => {
  const hard = 'hard: {requests.cpu: "4"}';
  const matched = (podText: string, q: string) =>
    run({ 'a.yaml': podText, 'q.yaml': quota(q) }).resources[0]?.quotas ?? [];

  it('BestEffort / NotBestEffort follow the QoS class after LimitRange defaults', () => {
    const bare = deployment({});
    const burstable = deployment({ container: 'resources: {requests: {memory: 64Mi}}' });
    assert.deepEqual(matched(bare, `${hard}\nscopes: [BestEffort]`), ['q']);
    assert.deepEqual(matched(bare, `${hard}\nscopes: [NotBestEffort]`), []);
    assert.deepEqual(matched(burstable, `${hard}\nscopes: [NotBestEffort]`), ['q']);
    // a zero request is still BestEffort
    assert.deepEqual(
      matched(
        deployment({ container: 'resources: {requests: {cpu: "0"}}' }),
        `${hard}\nscopes: [BestEffort]`,
      ),
      ['q'],
    );
    // LimitRange defaults make the pod Burstable
    const r = run({
      'a.yaml': bare,
      'lr.yaml': limitRange('- type: Container\n  defaultRequest: {cpu: 100m}'),
      'q.yaml': quota(`hard: {requests.memory: 1Gi}\nscopes: [NotBestEffort]`),
    });
    assert.deepEqual(r.resources[0]?.quotas, ['q']);
    assert.deepEqual(messages(r, 'quotaRejects'), [
      'pods of Deployment "web" will be rejected: failed quota: q: must specify requests.memory for: app',
    ]);
  });

  it('a BestEffort pod is not held to a NotBestEffort quota', () => {
    const r = run({
      'a.yaml': deployment({}),
      'q.yaml': quota(`hard: {requests.cpu: "4", requests.memory: 4Gi}\nscopes: [NotBestEffort]`),
    });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });

  it('Terminating / NotTerminating: activeDeadlineSeconds of the pod', () => {
    const job = pods(
      'containers:\n- {name: a, image: x}',
      'activeDeadlineSeconds: 30\nrestartPolicy: Never',
      'Job',
    );
    assert.deepEqual(matched(job, `${hard}\nscopes: [Terminating]`), ['q']);
    assert.deepEqual(matched(job, `${hard}\nscopes: [NotTerminating]`), []);
    assert.deepEqual(matched(deployment({}), `${hard}\nscopes: [NotTerminating]`), ['q']);
  });

  it('PriorityClass: Exists, In, NotIn (a pod without a class matches NotIn), DoesNotExist', () => {
    const high = pods('containers:\n- {name: a, image: x}', 'priorityClassName: high');
    const none = deployment({});
    const sel = (op: string, values = '') =>
      `${hard}\nscopeSelector:\n  matchExpressions:\n  - {scopeName: PriorityClass, operator: ${op}${values ? `, values: ${values}` : ''}}`;
    assert.deepEqual(matched(high, `${hard}\nscopes: [PriorityClass]`), ['q']);
    assert.deepEqual(matched(none, `${hard}\nscopes: [PriorityClass]`), []);
    assert.deepEqual(matched(high, sel('In', '[high]')), ['q']);
    assert.deepEqual(matched(high, sel('In', '[low]')), []);
    assert.deepEqual(matched(high, sel('NotIn', '[high]')), []);
    assert.deepEqual(matched(none, sel('NotIn', '[high]')), ['q']);
    assert.deepEqual(matched(none, sel('DoesNotExist')), ['q']);
    assert.deepEqual(matched(high, sel('Exists')), ['q']);
  });

  it('CrossNamespacePodAffinity: a term with namespaces or a namespaceSelector', () => {
    const affinity = (term: string) =>
      pods(
        'containers:\n- {name: a, image: x}',
        `affinity:\n  podAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n    - {topologyKey: zone, labelSelector: {}${term}}`,
      );
    const q = `${hard}\nscopes: [CrossNamespacePodAffinity]`;
    assert.deepEqual(matched(affinity(', namespaces: [other]'), q), ['q']);
    assert.deepEqual(matched(affinity(', namespaceSelector: {}'), q), ['q']);
    assert.deepEqual(matched(affinity(''), q), []);
  });

  it('several scopes must all match; an unknown scope matches nothing', () => {
    assert.deepEqual(matched(deployment({}), `${hard}\nscopes: [BestEffort, NotTerminating]`), [
      'q',
    ]);
    assert.deepEqual(matched(deployment({}), `${hard}\nscopes: [BestEffort, Terminating]`), []);
    assert.deepEqual(matched(deployment({}), `${hard}\nscopes: [Whatever]`), []);
  });

  it('an invalid scope selector is a note', () => {
    const r = run({
      'a.yaml': deployment({}),
      'q.yaml': quota(
        `${hard}\nscopeSelector:\n  matchExpressions:\n  - {scopeName: PriorityClass, operator: In}`,
      ),
    });
    assert.match(
      notesOf(r, 'quotaRejects')[0]?.message ?? '',
      /scope "PriorityClass" with operator "In" is invalid/,
    );
  });
});

describe('quotaRejects: exceeded quota', () => {
  it('one pod above the hard limit: every pod is rejected', () => {
    const r = run({
      'a.yaml': deployment({
        container: 'resources: {requests: {cpu: "2", memory: 1Gi}, limits: {memory: 1Gi}}',
      }),
      'q.yaml': quota('hard: {requests.cpu: "1"}'),
    });
    assert.deepEqual(messages(r, 'quotaRejects'), [
      'pods of Deployment "web" will be rejected: exceeded quota: q, requested: requests.cpu=2, used: requests.cpu=0, limited: requests.cpu=1 (one pod alone exceeds the quota)',
    ]);
  });

  it('replicas count one after another', () => {
    const r = run({
      'a.yaml': deployment({
        replicas: 3,
        container: 'resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 1Gi}}',
      }),
      'q.yaml': quota('hard: {requests.cpu: "1", pods: "10"}'),
    });
    assert.deepEqual(messages(r, 'quotaRejects'), [
      'only 2 of the 3 pods of Deployment "web" fit in ResourceQuota "q": the 3rd will be rejected (exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=1, limited: requests.cpu=1), counting only this workload\'s pods',
    ]);
    assert.equal(spanText(r, of(r, 'quotaRejects')[0]), 'replicas: 3');
  });

  it('exactly full is not exceeded (exact arithmetic: 10 × 100m = 1)', () => {
    const r = run({
      'a.yaml': deployment({
        replicas: 10,
        container: 'resources: {requests: {cpu: 0.1, memory: 1Gi}, limits: {memory: 1Gi}}',
      }),
      'q.yaml': quota('hard: {requests.cpu: "1"}'),
    });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });

  it('the pods count itself', () => {
    const r = run({
      'a.yaml': deployment({ replicas: 5, container: FULL_RESOURCES }),
      'q.yaml': quota('hard: {pods: "2"}'),
    });
    assert.match(
      messages(r, 'quotaRejects')[0] ?? '',
      /only 2 of the 5 pods .* \(exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2\)/,
    );
  });

  it('an init container counts as a maximum, not a sum', () => {
    const p = pods(`initContainers:
- {name: setup, image: x, resources: {requests: {cpu: 800m, memory: 1Mi}, limits: {memory: 1Mi}}}
containers:
- {name: a, image: x, resources: {requests: {cpu: 500m, memory: 1Mi}, limits: {memory: 1Mi}}}`);
    const r = run({ 'a.yaml': p, 'q.yaml': quota('hard: {requests.cpu: "1"}') });
    assert.equal(of(r, 'quotaRejects').length, 0);
  });
});
