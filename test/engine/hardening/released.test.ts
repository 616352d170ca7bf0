/**
 * Released sources (the command line's): a file's objects keep positions as
 * numbers instead of its parsed documents. Their locators answer every path
 * as the document's own locators do (aliases, `<<` merges, duplicate keys,
 * Lists, flow style, absent fields and items), and a run over released
 * sources gives the same findings, fixes (in the file and in another file),
 * suppressions and notes as a run over kept ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, hardeningSource, mergeHardening, runHardening } from '@podsec/server';
import type { Analysis } from '@podsec/server';
import { objectsFromText } from '@podsec/server/out/engine/hardening/yaml';
import type { JsonValue, Path } from '@podsec/server/out/engine/hardening/model';
import {
  hardenedDeployment,
  networkPolicyYaml,
  privilegedPod,
  serviceAccountYaml,
} from '../../support/manifests';

const POLICY = { level: 'restricted' as const, version: 'latest' };

const TEXTS: string[] = [
  hardenedDeployment('web', { namespace: 'shop' }),
  privilegedPod('p'),
  `apiVersion: apps/v1
kind: Deployment
metadata: &meta
  name: merged
  labels: &labels {app: merged, tier: "web"}
spec:
  selector: {matchLabels: *labels}
  template:
    metadata:
      <<: *meta
      labels:
        <<: *labels
        extra: yes
    spec:
      containers:
        - &c
          name: a
          image: nginx   # trailing comment
          resources: {limits: {memory: 1Gi}}
        - *c
        - name: b
          image: busybox
          resources:
          env:
            - {name: X, value: "1"}
            - name: Y
              value: |
                two
                lines
      initContainers: []
      volumes: [{name: v, emptyDir: {}}]
`,
  `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: {name: sa, namespace: shop}
  - not an object
  - apiVersion: v1
    kind: Pod
    metadata:
      name: dup
      name: dup2
    spec:
      containers:
      - name: c
        image: i
        securityContext: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: v1
kind: Pod
metadata: {name: flow}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}], hostNetwork: true}
`,
];

/** Every path into `v`, then paths just past each: an absent key, an index past the end, a key of a list. */
function pathsOf(v: JsonValue, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix, [...prefix, 'absent'], [...prefix, 99], [...prefix, 0, 'x'], [...prefix, -1]);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}

describe('released sources', () => {
  it('a released locator answers every path as the document locator does', () => {
    let compared = 0;
    for (const text of TEXTS) {
      const kept = objectsFromText(text, { file: 'f.yaml', defaultNamespace: 'default' });
      const released = objectsFromText(text, {
        file: 'f.yaml',
        defaultNamespace: 'default',
        release: true,
      });
      assert.equal(released.objects.length, kept.objects.length);
      assert.ok(kept.objects.length > 0);
      kept.objects.forEach((o, i) => {
        const r = released.objects[i];
        assert.ok(r);
        assert.deepEqual(r.value, o.value);
        for (const path of pathsOf(o.value)) {
          assert.deepEqual(r.locate(path), o.locate(path), JSON.stringify(path));
          compared++;
        }
      });
    }
    assert.ok(compared > 500, `${compared} paths compared`);
  });

  it('a run over released sources gives the same findings, fixes, suppressions and notes', () => {
    const files: Record<string, string> = {
      'app.yaml': `${hardenedDeployment('web', { namespace: 'shop', podFields: { serviceAccountName: 'runner' } })}---\n${hardenedDeployment('api', { namespace: 'shop' })}`,
      'quiet.yaml': `# podsec-ignore resourceLimits -- measured elsewhere\n${hardenedDeployment('quiet', { namespace: 'shop' })}`,
      'sa.yaml': serviceAccountYaml('runner', 'shop'),
      'netpol.yaml': networkPolicyYaml('web', 'shop', 'web'),
      'list.yaml': TEXTS[3] as string,
      'merged.yaml': TEXTS[2] as string,
    };
    const run = (release: boolean) => {
      const sources = Object.entries(files).map(([file, text]) =>
        hardeningSource(file, text, { release }),
      );
      if (release) for (const s of sources) assert.equal(s.docs, null, s.file);
      const r = runHardening(sources);
      const out: Record<string, Analysis> = {};
      for (const [file, text] of Object.entries(files))
        out[file] = mergeHardening(analyze(text, { level: 'restricted' }), file, r, POLICY);
      return out;
    };
    const kept = run(false);
    const released = run(true);
    assert.deepEqual(released, kept);
    const all = Object.values(kept).flatMap((a) => a.findings);
    const hardening = all.filter((f) => f.family === 'hardening');
    assert.ok(hardening.length > 5, `${hardening.length} hardening findings`);
    assert.ok(hardening.some((f) => f.fixes.some((x) => x.edits.length > 0)));
    assert.ok(
      hardening.some((f) => f.fixes.some((x) => x.files?.some((y) => y.path === 'sa.yaml'))),
      'a fix of the ServiceAccount in another file',
    );
    assert.ok(Object.values(kept).some((a) => (a.suppressed ?? []).length > 0));
  });
});
