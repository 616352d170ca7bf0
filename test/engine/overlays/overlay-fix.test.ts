/**
 * "Fix in overlay <name>": a finding whose value the base sets and an
 * overlay keeps gets, besides the fix in the base, one fix per overlay that
 * writes a strategic merge patch in that overlay only. Without a patch for
 * the object, a new patch file and a `patches:` entry in the overlay's own
 * list style; with one, that patch is extended in place. The base is never
 * touched, comments stay, the other overlay keeps its finding, and the
 * overlay then builds (by the engine, and by `kubectl kustomize` when it is
 * installed) to an object without the finding.
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
import type { OverlayEvaluation } from '@podsec/server/out/engine/overlays/index';
import { DiskSourceFs } from '@podsec/server/out/cli/renderKustomize';
import { asData } from '../kustomize/support';
import { hasKubectl, kubectlKustomize } from '../kustomize/kubectl';

const TREE: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'base/deployment.yaml': [
    '# The web tier.',
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
    '      # pods are found by this label',
    '        app: web',
    '    spec:',
    '      securityContext:',
    '        runAsNonRoot: true',
    '        seccompProfile:',
    '          type: RuntimeDefault',
    '      containers:',
    '        - name: app',
    '          image: web:1.0',
    '          ports:',
    '            - containerPort: 8080',
    '              hostPort: 8080 # the node port',
    '          securityContext:',
    '            capabilities:',
    '              drop: [ALL]',
    '',
  ].join('\n'),
  // Lists at the key's column, a comment: the new entry follows both.
  'overlays/dev/kustomization.yaml':
    '# Development.\nresources:\n- ../../base\nnamespace: dev # the shared namespace\n',
  'overlays/prod/kustomization.yaml':
    'resources:\n  - ../../base\nnamePrefix: prod-\npatches:\n  - path: tune.yaml # resources\n',
  'overlays/prod/tune.yaml': [
    '# Prod sizing.',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 3',
    '',
  ].join('\n'),
};

let root = '';
const at = (rel: string): string => join(root, rel);
const read = (rel: string): string => readFileSync(at(rel), 'utf8');

function evaluate(): OverlayEvaluation {
  const fs = new DiskSourceFs('/');
  return evaluateOverlays(fs, kustomizationGraph(fs, root), {
    nameOf: (d) => d.slice(root.length + 1),
  });
}

function findings(check: string): Finding[] {
  return (evaluate().files.get(at('base/deployment.yaml'))?.findings ?? []).filter(
    (f) => f.check === check,
  );
}

/** Apply one fix (all its files) on disk, as --fix (--fix-unsafe for an unsafe one) would. */
function apply(fix: Fix): void {
  const readText = (p: string): string | null => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  };
  const plan = planFixes([{ file: at('base/deployment.yaml'), finding: withFix(fix) }], readText, {
    unsafe: !fix.safe,
  });
  assert.equal(plan.count, 1, `${fix.title} applies`);
  for (const c of plan.changes) writeFileSync(c.path, c.text, c.create ? { flag: 'wx' } : {});
}
/** planFixes reads a finding's fixes only. */
const withFix = (fix: Fix): Finding => ({ fixes: [fix] }) as unknown as Finding;

function fixTitled(check: string, title: string): Fix {
  const f = findings(check)[0];
  assert.ok(f, `a ${check} finding`);
  const fix = f.fixes.find((x) => x.title === title);
  assert.ok(fix, `${title} among ${JSON.stringify(f.fixes.map((x) => x.title))}`);
  return fix;
}

/** The overlay's Deployment as built: by the engine, and by kubectl when present (equal as data). */
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

const checksOf = (text: string): string[] => analyze(text).findings.map((f) => f.check);

describe('fix in one overlay', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'podsec-overlay-fix-'));
    for (const [rel, text] of Object.entries(TREE)) {
      mkdirSync(dirname(at(rel)), { recursive: true });
      writeFileSync(at(rel), text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is offered per overlay, after the fix in the base', () => {
    const f = findings('allowPrivilegeEscalation');
    assert.equal(f.length, 1);
    assert.deepEqual(
      f[0]?.fixes.map((x) => [x.title, x.safe, x.edits.length > 0]),
      [
        ['Set allowPrivilegeEscalation: false in the base', true, true],
        ['Set allowPrivilegeEscalation: false in overlay overlays/dev', true, false],
        ['Set allowPrivilegeEscalation: false in overlay overlays/prod', true, false],
      ],
    );
  });

  it('without a patch: a new patch file, listed in the overlay’s style; the base untouched', () => {
    assert.ok(checksOf(built('overlays/dev')).includes('allowPrivilegeEscalation'));
    apply(
      fixTitled(
        'allowPrivilegeEscalation',
        'Set allowPrivilegeEscalation: false in overlay overlays/dev',
      ),
    );
    assert.equal(read('base/deployment.yaml'), TREE['base/deployment.yaml']);
    assert.equal(
      read('overlays/dev/kustomization.yaml'),
      `${TREE['overlays/dev/kustomization.yaml']}patches:\n- path: patch-deployment-web.yaml\n`,
    );
    assert.equal(
      read('overlays/dev/patch-deployment-web.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '      - name: app',
        '        securityContext:',
        '          allowPrivilegeEscalation: false',
        '',
      ].join('\n'),
    );
    assert.ok(!checksOf(built('overlays/dev')).includes('allowPrivilegeEscalation'));
    // The other overlay still has it, and says so.
    assert.deepEqual(findings('allowPrivilegeEscalation')[0]?.overlays, ['overlays/prod']);
  });

  it('a second fix in the same overlay extends the patch it made', () => {
    apply(fixTitled('hostPorts', 'Remove hostPort: 8080 in overlay overlays/dev'));
    assert.equal(read('overlays/dev/kustomization.yaml').match(/patch-/g)?.length, 1);
    const patch = read('overlays/dev/patch-deployment-web.yaml');
    assert.match(patch, /hostPort: null/);
    const out = built('overlays/dev');
    assert.ok(!out.includes('hostPort'), out);
    assert.ok(!checksOf(out).includes('hostPorts'));
    assert.deepEqual(findings('hostPorts')[0]?.overlays, ['overlays/prod']);
  });

  it('with a patch of the object: that patch extended in place, its comment kept', () => {
    apply(
      fixTitled(
        'allowPrivilegeEscalation',
        'Set allowPrivilegeEscalation: false in overlay overlays/prod',
      ),
    );
    assert.equal(
      read('overlays/prod/kustomization.yaml'),
      TREE['overlays/prod/kustomization.yaml'],
    );
    const patch = read('overlays/prod/tune.yaml');
    assert.ok(patch.startsWith(TREE['overlays/prod/tune.yaml'] as string), patch);
    assert.match(patch, /allowPrivilegeEscalation: false/);
    const out = built('overlays/prod');
    assert.match(out, /name: prod-web/);
    assert.match(out, /replicas: 3/);
    assert.ok(!checksOf(out).includes('allowPrivilegeEscalation'));
    assert.deepEqual(findings('allowPrivilegeEscalation'), []);
    assert.equal(read('base/deployment.yaml'), TREE['base/deployment.yaml']);
  });

  it('a fix in the base is still one fix for every overlay', () => {
    const f = findings('hostPorts')[0];
    assert.ok(f);
    const fix = f.fixes[0];
    assert.equal(fix?.title, 'Remove hostPort: 8080 in the base');
    assert.equal(fix?.files, undefined);
  });
});
