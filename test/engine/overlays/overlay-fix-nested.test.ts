/**
 * "Fix in overlay <name>" beyond a base value in a root overlay: an item
 * appended to an existing block-style patch is written in block style at that
 * patch's indentation; a value set (or missing) in an overlay that another
 * overlay includes is fixed in the overlay whose build is evaluated (the root
 * the finding names), never in the included one, which keeps its own build.
 * Each fix is applied as `--fix` applies it and the overlay built again, by
 * the engine and, when it is installed, by `kubectl kustomize`: the finding
 * is gone there and only there.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze } from '@podsec/server/out/engine/index';
import type { Finding, Fix } from '@podsec/server/out/engine/index';
import { planFixes } from '@podsec/server/out/engine/fixes/edits';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/build';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import { DiskSourceFs } from '@podsec/server/out/cli/renderKustomize';
import { asData } from '../kustomize/support';
import { hasKubectl, kubectlKustomize } from '../kustomize/kubectl';

const SIDE_PATCH = [
  '# Sidecar tuning.',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: side # the log shipper',
  '          image: side:2.0',
  '',
].join('\n');

const TREE: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  // `app` sets no allowPrivilegeEscalation; `side` sets it false.
  'base/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  selector:',
    '    matchLabels:',
    '      app: web',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: web',
    '    spec:',
    '      securityContext:',
    '        runAsNonRoot: true',
    '        seccompProfile:',
    '          type: RuntimeDefault',
    '      containers:',
    '        - name: app',
    '          image: web:1.0',
    '          securityContext:',
    '            capabilities:',
    '              drop: [ALL]',
    '        - name: side',
    '          image: side:1.0',
    '          securityContext:',
    '            allowPrivilegeEscalation: false',
    '            capabilities:',
    '              drop: [ALL]',
    '',
  ].join('\n'),
  'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\npatches:\n  - path: side.yaml\n',
  'overlays/prod/side.yaml': SIDE_PATCH,
  // Included by top only: not a root. It renames the object and turns escalation on for `side`.
  'overlays/mid/kustomization.yaml':
    'resources:\n  - ../../base\nnamePrefix: mid-\nnamespace: midns\npatches:\n  - path: mid.yaml\n',
  'overlays/mid/mid.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: side',
    '          securityContext:',
    '            allowPrivilegeEscalation: true',
    '',
  ].join('\n'),
  'overlays/top/kustomization.yaml': 'resources:\n  - ../mid\nnamespace: top\n',
};

let root = '';
const at = (rel: string): string => join(root, rel);
const read = (rel: string): string => readFileSync(at(rel), 'utf8');

function findingsIn(rel: string, check: string): Finding[] {
  const fs = new DiskSourceFs('/');
  const ev = evaluateOverlays(fs, kustomizationGraph(fs, root), {
    nameOf: (d) => d.slice(root.length + 1),
  });
  return (ev.files.get(at(rel))?.findings ?? []).filter((f) => f.check === check);
}

function fixTitled(rel: string, check: string, title: string, container?: string): Fix {
  const f = findingsIn(rel, check).find(
    (x) => container === undefined || x.container === container,
  );
  assert.ok(f, `a ${check} finding in ${rel}`);
  const fix = f.fixes.find((x) => x.title === title);
  assert.ok(fix, `${title} among ${JSON.stringify(f.fixes.map((x) => x.title))}`);
  return fix;
}

/** Apply one fix (all its files) on disk through the planner --fix uses. */
function apply(fix: Fix, file: string): void {
  const readText = (p: string): string | null => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  };
  const finding = { fixes: [fix] } as unknown as Finding;
  const plan = planFixes([{ file, finding }], readText, { unsafe: !fix.safe });
  assert.equal(plan.count, 1, `${fix.title} applies`);
  for (const c of plan.changes) writeFileSync(c.path, c.text, c.create ? { flag: 'wx' } : {});
}

/** An overlay as built by the engine and, when present, kubectl (equal as data). */
function built(overlay: string): string {
  const b = buildKustomization(new DiskSourceFs('/'), at(overlay));
  assert.equal(b.error, null);
  if (hasKubectl()) {
    const k = kubectlKustomize(at(overlay));
    assert.ok(k.ok, k.ok ? '' : k.error);
    assert.deepEqual(asData(b.source.text), asData(k.output), 'the engine builds as kubectl');
    return k.output;
  }
  return b.source.text;
}

/** The containers the build's findings of `check` name. */
const flagged = (text: string, check: string): string[] =>
  analyze(text)
    .findings.filter((f) => f.check === check)
    .map((f) => f.container ?? '')
    .sort();

describe('fix in overlay: block-style appends and included overlays', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'podsec-overlay-nested-'));
    for (const [rel, text] of Object.entries(TREE)) {
      mkdirSync(dirname(at(rel)), { recursive: true });
      writeFileSync(at(rel), text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is offered for each root that deploys the object: prod, and top (through mid)', () => {
    const f = findingsIn('base/deployment.yaml', 'allowPrivilegeEscalation');
    assert.deepEqual(
      f.map((x) => [x.container, x.overlays, x.fixes.map((y) => y.title)]),
      [
        [
          'app',
          ['overlays/prod', 'overlays/top'],
          [
            'Set allowPrivilegeEscalation: false in the base',
            'Set allowPrivilegeEscalation: false in overlay overlays/prod',
            'Set allowPrivilegeEscalation: false in overlay overlays/top',
          ],
        ],
      ],
    );
  });

  it('an item appended to a block-style patch is written in block style, in that patch’s columns', () => {
    assert.deepEqual(flagged(built('overlays/prod'), 'allowPrivilegeEscalation'), ['app']);
    apply(
      fixTitled(
        'base/deployment.yaml',
        'allowPrivilegeEscalation',
        'Set allowPrivilegeEscalation: false in overlay overlays/prod',
      ),
      at('base/deployment.yaml'),
    );
    assert.equal(
      read('overlays/prod/side.yaml'),
      `${SIDE_PATCH}        - name: app\n          securityContext:\n            allowPrivilegeEscalation: false\n`,
    );
    assert.equal(
      read('overlays/prod/kustomization.yaml'),
      TREE['overlays/prod/kustomization.yaml'],
    );
    assert.deepEqual(flagged(built('overlays/prod'), 'allowPrivilegeEscalation'), []);
    // top is another build: still flagged, for app (the base) and side (mid's patch).
    assert.deepEqual(flagged(built('overlays/top'), 'allowPrivilegeEscalation'), ['app', 'side']);
  });

  it('a value an included overlay sets: fixed in the root built, the included overlay untouched', () => {
    const fix = fixTitled(
      'overlays/mid/mid.yaml',
      'allowPrivilegeEscalation',
      'Set allowPrivilegeEscalation: false in overlay overlays/top',
    );
    // Its fix at the origin (mid's patch, for every overlay including mid) comes first.
    const f = findingsIn('overlays/mid/mid.yaml', 'allowPrivilegeEscalation')[0];
    assert.equal(f?.fixes[0]?.title, 'Set allowPrivilegeEscalation: false');
    assert.deepEqual(f?.overlays, ['overlays/top']);
    apply(fix, at('overlays/mid/mid.yaml'));
    assert.equal(read('overlays/mid/mid.yaml'), TREE['overlays/mid/mid.yaml']);
    assert.equal(
      read('overlays/top/kustomization.yaml'),
      `${TREE['overlays/top/kustomization.yaml']}patches:\n  - path: patch-deployment-web.yaml\n`,
    );
    // The patch names the object as its base does; kustomize matches it through mid's renaming.
    const out = built('overlays/top');
    assert.match(out, /name: mid-web/);
    assert.deepEqual(flagged(out, 'allowPrivilegeEscalation'), ['app']);
    assert.match(built('overlays/mid'), /allowPrivilegeEscalation: true/);
  });

  it('a value the base leaves out, fixed in that root: the patch made there gains a block item', () => {
    apply(
      fixTitled(
        'base/deployment.yaml',
        'allowPrivilegeEscalation',
        'Set allowPrivilegeEscalation: false in overlay overlays/top',
      ),
      at('base/deployment.yaml'),
    );
    assert.equal(
      read('overlays/top/patch-deployment-web.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: side',
        '          securityContext:',
        '            allowPrivilegeEscalation: false',
        '        - name: app',
        '          securityContext:',
        '            allowPrivilegeEscalation: false',
        '',
      ].join('\n'),
    );
    assert.deepEqual(flagged(built('overlays/top'), 'allowPrivilegeEscalation'), []);
    assert.deepEqual(findingsIn('base/deployment.yaml', 'allowPrivilegeEscalation'), []);
    assert.equal(read('base/deployment.yaml'), TREE['base/deployment.yaml']);
  });
});
