/**
 * Object-level suppressions, `podsec.io/ignore: "<checkId>[,…] -- <reason>"`
 * on a workload or its pod template: they silence those checks in the whole
 * object, keep the silenced findings in `suppressed` with the reason, follow
 * the comment form's rules (a reason, known checks, silencing something),
 * and, unlike comments, survive a Kustomize build.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '@podsec/server/out/engine/index';
import { cli } from '../support/cli';

const deployment = (annotations: string, templateAnnotations = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
${annotations ? `  annotations:\n    podsec.io/ignore: ${annotations}\n` : ''}spec:
  template:
${templateAnnotations ? `    metadata:\n      annotations:\n        podsec.io/ignore: ${templateAnnotations}\n` : ''}    spec:
      containers:
        - name: a
          image: a
          securityContext:
            privileged: true
        - name: b
          image: b
          securityContext:
            privileged: true
`;

const baseline = { level: 'baseline' as const };

describe('podsec.io/ignore annotations', () => {
  it('on the workload: silences the check in every container, kept as suppressed with the reason', () => {
    const text = deployment('"privileged -- node agent, reviewed in SEC-1"');
    const a = analyze(text, baseline);
    assert.deepEqual(a.findings, []);
    assert.deepEqual(
      a.suppressed?.map((f) => [
        f.check,
        f.container,
        f.suppression.kind,
        f.suppression.justification,
      ]),
      [
        ['privileged', 'a', 'annotation', 'node agent, reviewed in SEC-1'],
        ['privileged', 'b', 'annotation', 'node agent, reviewed in SEC-1'],
      ],
    );
    const at = a.suppressed?.[0]?.suppression.span;
    assert.ok(at && text.slice(at.start, at.end).includes('node agent'));
  });

  it('on the pod template, and several checks at once', () => {
    const text = deployment('', "'privileged, hostPorts -- reviewed'").replace(
      '            privileged: true\n        - name: b',
      '            privileged: true\n          ports: [{containerPort: 1, hostPort: 1}]\n        - name: b',
    );
    const a = analyze(text, baseline);
    assert.deepEqual(a.findings, []);
    assert.deepEqual(a.suppressed?.map((f) => f.check).sort(), [
      'hostPorts',
      'privileged',
      'privileged',
    ]);
  });

  it('applies to its own object only', () => {
    const text = `${deployment('"privileged -- reviewed"')}---\n${deployment('').replace('name: agent', 'name: other')}`;
    const a = analyze(text, baseline);
    assert.deepEqual(
      a.findings.map((f) => [f.object.name, f.check]),
      [
        ['other', 'privileged'],
        ['other', 'privileged'],
      ],
    );
  });

  it('same rules as comments: a reason, known checks, silencing something (invalidSuppression)', () => {
    const cases: Array<[string, RegExp]> = [
      ['"privileged"', /no reason given after "--"/],
      ['"privilegd -- typo"', /unknown check "privilegd"/],
      ['"hostPorts -- nothing to silence"', /it silences nothing here/],
      ['"-- a reason only"', /no check named/],
    ];
    for (const [value, message] of cases) {
      const text = deployment(value);
      const a = analyze(text, baseline);
      const bad = a.findings.filter((f) => f.check === 'invalidSuppression');
      assert.equal(bad.length, 1, value);
      assert.match(bad[0]?.message ?? '', message);
      assert.match(bad[0]?.message ?? '', /Use: podsec\.io\/ignore: "<checkId>/);
      assert.equal(bad[0]?.object.name, 'agent');
      const line = text.slice(0, bad[0]?.span.start).split('\n').length;
      assert.equal(text.split('\n')[line - 1]?.trim().startsWith('podsec.io/ignore'), true, value);
    }
    // As with a comment, a suppression without a reason still silences, and says it is invalid.
    const comment = `# podsec-ignore privileged\n${deployment('')}`;
    const checks = (t: string) => analyze(t, baseline).findings.map((f) => f.check);
    assert.deepEqual(checks(deployment('"privileged"')), checks(comment));
  });

  it('survives a Kustomize build, where comments do not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-annotation-'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [deploy.yaml]\nnamePrefix: prod-\n');
    writeFileSync(
      join(dir, 'deploy.yaml'),
      deployment('"privileged -- node agent"').replace(
        '        - name: b',
        '        # podsec-ignore privileged -- lost in the build\n        - name: b',
      ),
    );
    const { code, out: built } = cli(['render', dir]);
    assert.equal(code, 0);
    assert.ok(!built.includes('podsec-ignore'), 'the build drops comments');
    const a = analyze(built, baseline);
    assert.deepEqual(a.findings, []);
    assert.equal(a.suppressed?.length, 2);
    assert.ok(a.suppressed?.every((f) => f.object.name === 'prod-agent'));
  });
});
