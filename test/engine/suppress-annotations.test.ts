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
import {
  analyze,
  annotationSuppressionEdits,
  applyEdits,
  splitDocuments,
} from '@podsec/server/out/engine/index';
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

describe('the edits that write podsec.io/ignore (Suppress <check> for this workload)', () => {
  /**
   * Documents after a `---`, a chunk holding two documents (after `...` with no marker, which
   * kubectl never reads), and a List.
   */
  const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: in-list}
    spec:
      containers:
        - {name: c, image: c, securityContext: {privileged: true}}
`;
  const text = [
    deployment(''),
    `---\n${deployment('"hostPorts, privileged -- the first two"').replace('name: agent', 'name: second')}`.replace(
      '            privileged: true\n        - name: b',
      '            privileged: true\n          ports: [{containerPort: 1, hostPort: 1}]\n        - name: b',
    ),
    `---\n${deployment('').replace('name: agent', 'name: third')}...\n${deployment('').replace('name: agent', 'name: fourth')}`,
    `---\n${list}`,
  ].join('');

  it('each finding: the edit silences its check in its own object, and nothing else changes', () => {
    const a = analyze(text, baseline);
    const names = [...new Set(a.findings.map((f) => f.object.name))];
    assert.deepEqual(names, ['agent', 'third', 'in-list']);
    for (const f of a.findings) {
      const edits = annotationSuppressionEdits(text, f, 'reviewed');
      assert.ok(edits && edits.length > 0, `${f.object.name} ${f.check}`);
      const after = analyze(applyEdits(text, edits), baseline);
      const left = (x: typeof a) =>
        x.findings.map((g) => `${g.object.name}:${g.check}:${g.container ?? ''}`);
      assert.deepEqual(
        left(after),
        left(a).filter((k) => !k.startsWith(`${f.object.name}:${f.check}:`)),
        `${f.object.name} ${f.check}`,
      );
      assert.ok(
        after.suppressed?.some(
          (g) => g.object.name === f.object.name && g.suppression.justification === 'reviewed',
        ),
      );
      // the same edits whether the caller gives the chunks or not
      assert.deepEqual(
        annotationSuppressionEdits(text, f, 'reviewed', splitDocuments(text)),
        edits,
      );
    }
  });

  it('a check joins an annotation the object has; one it already names gives no edit', () => {
    const joined = deployment('"hostPorts -- reviewed"').replace(
      '            privileged: true\n        - name: b',
      '            privileged: true\n          ports: [{containerPort: 1, hostPort: 1}]\n        - name: b',
    );
    const a = analyze(joined, baseline);
    const f = a.findings.find((x) => x.check === 'privileged');
    assert.ok(f);
    const edits = annotationSuppressionEdits(joined, f);
    assert.ok(edits);
    assert.match(
      applyEdits(joined, edits),
      /podsec\.io\/ignore: "?hostPorts,privileged -- reviewed"?\n/,
    );
    const done = applyEdits(joined, edits);
    assert.equal(annotationSuppressionEdits(done, f), null);
  });

  it('reads the finding’s own document only: another one past the nesting limit does not stop it', () => {
    const deep = `---\nkey: ${'['.repeat(600)}${']'.repeat(600)}\n`;
    const withDeep = `${deep}---\n${deployment('')}`;
    const a = analyze(withDeep, baseline);
    assert.ok(a.errors.some((e) => /nesting deeper/.test(e.message)));
    const f = a.findings.find((x) => x.check === 'privileged');
    assert.ok(f);
    const edits = annotationSuppressionEdits(withDeep, f);
    assert.ok(edits && edits.length > 0);
    const after = applyEdits(withDeep, edits);
    assert.ok(after.startsWith(deep), 'the other document is untouched');
    assert.deepEqual(
      analyze(after, baseline).findings.filter((x) => x.check === 'privileged'),
      [],
    );
  });
});
