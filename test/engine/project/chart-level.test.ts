/**
 * "Fix to <level>" for a workload a chart renders: its safe fixes for the
 * level applied at their origin (the values key the value came from, else the
 * template's literal text), round after round, until the chart renders the
 * workload without them; other workloads and comments are left alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateChart,
  evaluateChartAtLevel,
  findingOf,
  fixChartWorkloadToLevel,
} from '@podsec/server/out/engine/project/index';
import type { ChartWorkloadRef } from '@podsec/server/out/engine/project/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';

const VALUES = [
  '# the pod',
  'podSecurityContext:',
  '  runAsNonRoot: true # required by the platform',
  'securityContext:',
  '  allowPrivilegeEscalation: true',
  '',
].join('\n');

/** `app` prints its securityContext from values; `literal` writes its own in the template. */
const TEMPLATE = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: {{ .Release.Name }}-{{ .Values.name | default "web" }}',
  'spec:',
  '  template:',
  '    spec:',
  '      securityContext:',
  '        {{- toYaml .Values.podSecurityContext | nindent 8 }}',
  '      containers:',
  '        - name: app',
  '          image: nginx',
  '          securityContext:',
  '            {{- toYaml .Values.securityContext | nindent 12 }}',
  '        - name: literal',
  '          image: busybox',
  '          securityContext:',
  '            allowPrivilegeEscalation: true # as written',
  '            capabilities:',
  '              drop: [ALL]',
  '',
].join('\n');

const OTHER = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: other',
  'spec:',
  '  containers:',
  '    - name: c',
  '      image: nginx',
  '      securityContext:',
  '        allowPrivilegeEscalation: true',
  '',
].join('\n');

function chart(): MemoryFs {
  return new MemoryFs({
    '/c/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    '/c/web/values.yaml': VALUES,
    '/c/web/templates/deployment.yaml': TEMPLATE,
    '/c/web/templates/other.yaml': OTHER,
  });
}

const WEB: ChartWorkloadRef = {
  kind: 'Deployment',
  name: 'release-name-web',
  namespace: null,
  source: 'web/templates/deployment.yaml',
};

describe('chart: Fix to <level>', () => {
  it('fixes values.yaml where the value came from values and the template where it is literal; the re-render meets the level', () => {
    const fs = chart();
    const before = evaluateChartAtLevel(fs, '/c/web', {}, 'restricted', 'latest');
    const mine = before.findings.filter(findingOf(WEB));
    // Both containers' escalation, app's capabilities, the seccomp profile of each container.
    assert.deepEqual(
      mine.map((f) => [f.check, f.file]).sort(),
      [
        ['allowPrivilegeEscalation', '/c/web/templates/deployment.yaml'],
        ['allowPrivilegeEscalation', '/c/web/values.yaml'],
        ['capabilities_restricted', '/c/web/templates/deployment.yaml'],
        ['seccompProfile_restricted', '/c/web/templates/deployment.yaml'],
        ['seccompProfile_restricted', '/c/web/templates/deployment.yaml'],
      ].sort(),
    );
    const r = fixChartWorkloadToLevel(fs, '/c/web', {}, WEB, 'restricted', 'latest');
    assert.equal(r.left, 0);
    // One pod-level seccomp profile serves both containers: the second is not applied again.
    assert.equal(r.applied, 4);
    assert.ok(r.renders >= 2 && r.renders <= 17, String(r.renders));
    assert.deepEqual([...r.files.keys()].sort(), [
      '/c/web/templates/deployment.yaml',
      '/c/web/values.yaml',
    ]);
    const values = r.files.get('/c/web/values.yaml');
    const template = r.files.get('/c/web/templates/deployment.yaml');
    assert.ok(values && template);
    assert.equal(values.before, VALUES);
    assert.equal(template.before, TEMPLATE);
    // values.yaml: escalation off, capabilities and the seccomp profile set, comments kept.
    assert.match(values.after, /^ {2}allowPrivilegeEscalation: false$/m);
    assert.match(values.after, /^ {2}capabilities:\n {4}drop: \[ALL\]$/m);
    assert.match(values.after, /^ {2}seccompProfile:\n {4}type: RuntimeDefault$/m);
    assert.match(values.after, /^# the pod$/m);
    assert.match(values.after, /runAsNonRoot: true # required by the platform/);
    // The template: only the literal container's own value, its comment kept.
    assert.equal(
      template.after,
      TEMPLATE.replace(
        'allowPrivilegeEscalation: true # as written',
        'allowPrivilegeEscalation: false # as written',
      ),
    );
    // Rendered with the fixed files: the workload has no restricted finding; the other Pod keeps its.
    const fixed = new MemoryFs({
      '/c/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      '/c/web/values.yaml': values.after,
      '/c/web/templates/deployment.yaml': template.after,
      '/c/web/templates/other.yaml': OTHER,
    });
    const after = evaluateChart(fixed, '/c/web', { analyze: { level: 'restricted' } });
    assert.deepEqual(after.findings.filter(findingOf(WEB)), []);
    assert.ok(after.findings.some((f) => f.object.name === 'other'));
  });

  it('a value set given by its text is fixed in that text for the next round', () => {
    const prod = '/c/web/values-prod.yaml';
    const text = 'securityContext:\n  allowPrivilegeEscalation: true # prod\n';
    const r = fixChartWorkloadToLevel(
      new MemoryFs({
        '/c/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
        '/c/web/values.yaml': VALUES,
        '/c/web/templates/deployment.yaml': TEMPLATE,
        [prod]: text,
      }),
      '/c/web',
      { render: { values: [{ path: prod, text }] }, valueSet: 'prod' },
      WEB,
      'restricted',
      'latest',
    );
    assert.equal(r.left, 0);
    const p = r.files.get(prod);
    assert.ok(p, [...r.files.keys()].join(', '));
    assert.equal(p.after.split('\n')[1], '  allowPrivilegeEscalation: false # prod');
  });

  it('a workload with nothing safe to fix is left as it is, in one render', () => {
    const fs = new MemoryFs({
      '/c/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      '/c/web/templates/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: x\n',
    });
    const r = fixChartWorkloadToLevel(
      fs,
      '/c/web',
      {},
      { kind: 'Pod', name: 'p', namespace: null, source: 'web/templates/pod.yaml' },
      'baseline',
      'latest',
    );
    assert.deepEqual(
      { applied: r.applied, files: r.files.size, renders: r.renders, left: r.left },
      { applied: 0, files: 0, renders: 1, left: 1 },
    );
  });
});
