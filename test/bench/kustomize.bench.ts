/**
 * Kustomize benchmark for `npm run bench`, as a ratio against a baseline
 * measured in the same run:
 *
 *  kustomize/3 overlays × 200 workloads   build the three overlays of a generated tree (each with
 *                                         namespace, namePrefix, commonLabels, images, a strategic
 *                                         merge patch on every Deployment, a JSON patch and a
 *                                         generated ConfigMap) and evaluate each build with
 *                                         `analyze`, vs yaml parsing the three built outputs
 *                                         with source tokens (≤ 5×)
 *  kustomize/… evaluated as deployed      the same tree as `podsec <dir>` evaluates it: the
 *                                         kustomization graph, the three builds analysed, every
 *                                         finding placed at its origin with its fixes, shared
 *                                         findings merged, vs the same baseline (≤ 12×)
 */
import { parseAllDocuments } from 'yaml';
import { analyze } from '@podsec/server/out/engine/index';
import { buildKustomization, kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import type { BenchRow, BenchTools } from '../support/bench';

const OVERLAYS = ['dev', 'staging', 'prod'];

/** A repository: base/ with 200 generated workloads, and three overlays over it. */
export function overlayTree(generate: BenchTools['generate']): MemoryFs {
  const fs = new MemoryFs({
    '/repo/base/kustomization.yaml': 'resources:\n- workloads.yaml\n',
    '/repo/base/workloads.yaml': generate({ workloads: 200, seed: 12 }),
  });
  OVERLAYS.forEach((o, i) => {
    fs.set(
      `/repo/overlays/${o}/kustomization.yaml`,
      `namespace: ${o}
namePrefix: ${o}-
commonLabels:
  env: ${o}
images:
- name: busybox
  newTag: "1.36"
resources:
- ../../base
configMapGenerator:
- name: settings
  literals:
  - LEVEL=${i}
patches:
- target:
    kind: Deployment
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: any
    spec:
      template:
        spec:
          securityContext:
            runAsNonRoot: true
- target:
    kind: (StatefulSet|DaemonSet)
  patch: |-
    - op: add
      path: /metadata/annotations
      value: {overlay: ${o}}
`,
    );
  });
  return fs;
}

export async function run({ paired, generate }: BenchTools): Promise<BenchRow[]> {
  const fs = overlayTree(generate);
  const builds = OVERLAYS.map((o) => buildKustomization(fs, `/repo/overlays/${o}`));
  for (const b of builds)
    if (b.error) throw new Error(`bench overlay does not build: ${b.error.message}`);
  const texts = builds.map((b) => b.source.text);
  const [ms, baseMs] = paired(
    () => {
      for (const o of OVERLAYS) analyze(buildKustomization(fs, `/repo/overlays/${o}`).source.text);
    },
    () => {
      for (const t of texts) parseAllDocuments(t, { keepSourceTokens: true });
    },
    7,
    2,
  );
  const objects = builds.reduce((n, b) => n + b.objects.length, 0);
  const [evalMs, evalBaseMs] = paired(
    () => evaluateOverlays(fs, kustomizationGraph(fs, '/repo')),
    () => {
      for (const t of texts) parseAllDocuments(t, { keepSourceTokens: true });
    },
    5,
    1,
  );
  const [proveMs, proveBaseMs] = paired(
    () => evaluateOverlays(fs, kustomizationGraph(fs, '/repo'), { proveFixes: true }),
    () => {
      for (const t of texts) parseAllDocuments(t, { keepSourceTokens: true });
    },
    3,
    1,
  );
  return Promise.resolve([
    {
      name: `kustomize/3 overlays × 200 workloads (${objects} objects) build + analyze`,
      ms,
      baseName: 'yaml parse of the builds',
      baseMs,
      bound: 5,
    },
    {
      name: `kustomize/3 overlays × 200 workloads evaluated as deployed (placed, fixes at the origin)`,
      ms: evalMs,
      baseName: 'yaml parse of the builds',
      baseMs: evalBaseMs,
      bound: 12,
    },
    {
      // As the command line evaluates: each fix proven by building its overlay again with it
      // (at most three more builds of each overlay).
      name: `kustomize/3 overlays × 200 workloads evaluated as deployed, fixes proven by a rebuild`,
      ms: proveMs,
      baseName: 'yaml parse of the builds',
      baseMs: proveBaseMs,
      bound: 40,
    },
  ]);
}
