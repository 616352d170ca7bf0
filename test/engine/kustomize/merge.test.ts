/**
 * Strategic merge on its own: as kustomize merges (merge keys from the API
 * types, patch elements first, directives), errors in its words, and the
 * Kubernetes directives kustomize leaves as fields (`$retainKeys`,
 * `$setElementOrder`, `$deleteFromPrimitiveList`) carried out when asked,
 * checked against `kubectl patch --local` (the API machinery's own strategic
 * merge) when kubectl is on the PATH.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { MergeError, strategicMerge } from '@podsec/server/out/engine/kustomize/merge';
import { rootType } from '@podsec/server/out/engine/kustomize/schema';
import { toPlain } from '@podsec/server/out/engine/kustomize/tree';
import type { KMap } from '@podsec/server/out/engine/kustomize/tree';
import { readYamlDocuments } from '@podsec/server/out/engine/kustomize/yamlfiles';
import { hasKubectl } from './kubectl';

const read = (text: string): KMap =>
  readYamlDocuments(
    text,
    { file: '/p.yaml' },
    { yaml11: false, uniqueKeys: true, maxNodes: 100_000, maxDepth: 200 },
  )[0] as KMap;

function merge(base: string, patch: string, directives?: 'kustomize' | 'kubernetes'): unknown {
  const b = read(base);
  const out = strategicMerge(
    b,
    read(patch),
    rootType('apps/v1', 'Deployment'),
    directives ? { directives } : {},
  );
  return out ? toPlain(out) : undefined;
}

const BASE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  finalizers: [f1, f2]
spec:
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
  template:
    spec:
      containers:
      - name: a
        image: a
      - name: b
        image: b
`;

const DIRECTIVES = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  $deleteFromPrimitiveList/finalizers: [f1]
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
  template:
    spec:
      $setElementOrder/containers:
      - name: b
      - name: a
      containers:
      - name: a
        image: a2
`;

describe('strategic merge', () => {
  it('merges containers by name with the patch’s first, and replaces lists without a merge key', () => {
    const out = merge(
      BASE,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: b, image: b2}\n      - {name: c, image: c}\n      tolerations: [{key: x}]\n',
    ) as {
      spec: { template: { spec: { containers: unknown[]; tolerations: unknown[] } } };
    };
    assert.deepEqual(out.spec.template.spec.containers, [
      { name: 'b', image: 'b2' },
      { name: 'c', image: 'c' },
      { name: 'a', image: 'a' },
    ]);
    assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'x' }]);
  });

  it('deletes with null and $patch: delete, replaces with $patch: replace', () => {
    const out = merge(
      BASE,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  strategy: {$patch: replace, type: Recreate}\n  template:\n    spec:\n      containers:\n      - {name: a, $patch: delete}\n',
    ) as { spec: { strategy: unknown; template: { spec: { containers: unknown[] } } } };
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'b', image: 'b' }]);
    const gone = merge(
      BASE,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  strategy: null\n',
    ) as { spec: Record<string, unknown> };
    assert.equal(gone.spec.strategy, undefined);
  });

  it('replaces every list of a custom resource (no schema)', () => {
    const b = read(
      'apiVersion: example.com/v1\nkind: W\nmetadata: {name: w}\nitems: [{name: a, v: 1}, {name: b, v: 1}]\n',
    );
    const out = strategicMerge(
      b,
      read('apiVersion: example.com/v1\nkind: W\nmetadata: {name: w}\nitems: [{name: b, v: 2}]\n'),
      rootType('example.com/v1', 'W'),
    );
    assert.deepEqual((toPlain(out as KMap) as { items: unknown }).items, [{ name: 'b', v: 2 }]);
  });

  it('reports a patch of the wrong node kind and an unknown strategy as kustomize does', () => {
    assert.throws(
      () =>
        merge(
          BASE,
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: {name: a}\n',
        ),
      (e: unknown) =>
        e instanceof MergeError &&
        e.message ===
          'wrong node kind: expected SequenceNode but got MappingNode: node contents:\nname: a\n',
    );
    assert.throws(
      () =>
        merge(
          BASE,
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  strategy: {$patch: frob}\n',
        ),
      (e: unknown) => e instanceof MergeError && e.message === "unknown patch strategy 'frob'",
    );
  });

  it('keeps $retainKeys, $setElementOrder and $deleteFromPrimitiveList as fields, as kustomize does', () => {
    const out = merge(BASE, DIRECTIVES) as {
      metadata: Record<string, unknown>;
      spec: { strategy: Record<string, unknown> };
    };
    assert.deepEqual(out.metadata['$deleteFromPrimitiveList/finalizers'], ['f1']);
    assert.deepEqual(out.metadata.finalizers, ['f1', 'f2']);
    assert.deepEqual(out.spec.strategy.$retainKeys, ['type']);
    assert.deepEqual(out.spec.strategy.rollingUpdate, { maxSurge: 1 });
  });

  it('carries them out as Kubernetes does when asked (as kubectl patch --local does)', (t) => {
    const want = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', finalizers: ['f2'] },
      spec: {
        strategy: { type: 'Recreate' },
        template: {
          spec: {
            containers: [
              { name: 'b', image: 'b' },
              { name: 'a', image: 'a2' },
            ],
          },
        },
      },
    };
    assert.deepEqual(merge(BASE, DIRECTIVES, 'kubernetes'), want);
    if (!hasKubectl()) {
      t.skip('kubectl is not on the PATH: not compared with the API machinery');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'podsec-smp-'));
    writeFileSync(join(dir, 'base.yaml'), BASE);
    const patch = JSON.stringify(parse(DIRECTIVES));
    const r = spawnSync(
      'kubectl',
      [
        'patch',
        '--local',
        '-f',
        join(dir, 'base.yaml'),
        '--type',
        'strategic',
        '-p',
        patch,
        '-o',
        'json',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), want);
  });
});
