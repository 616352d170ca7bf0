/**
 * Documents of kinds no check or view reads are skimmed from the parser's
 * token stream, not composed (decode/skim.ts, kinds.ts), and nothing shows
 * it: the Pod Security analysis and the hardening checks give the same
 * results with and without the skim across the real-world corpus beside the
 * project (when present), the project's examples and mutations of them; a
 * document with a YAML error or a kubectl decoding issue is never skimmed,
 * so its errors stay where they were; and every kind a check or view reads
 * is declared.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, collectNamespaces, hardeningSource, runHardening } from '@podsec/server';
import { KIND_READERS, unreadKind } from '@podsec/server/out/engine/kinds';
import { decodeDocs } from '@podsec/server/out/engine/parse';
import { skim } from '@podsec/server/out/engine/decode/skim';
import { Rng } from '../support/generate';
import { MUTATIONS, realisticTexts } from '../support/mutations';
import { sharedDir } from '../support/paths';

const REAL = join(sharedDir(), 'corpus', 'real');

/** Everything both analyses report, with and without the skim. */
function bothWays(text: string, file = 'm.yaml') {
  const run = (skimming: boolean) => ({
    pss: analyze(text, { file, skim: skimming }),
    hardening: runHardening([hardeningSource(file, text, { skim: skimming })]).result,
    namespaces: collectNamespaces(text, file, { skim: skimming }),
  });
  return { skimmed: run(true), composed: run(false) };
}

const skimmedCount = (text: string): number =>
  decodeDocs(text, 1000, unreadKind).skimmed?.size ?? 0;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com # a comment
  labels: {}
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          description: 'Widget is a ''thing'''
          type: object
          properties:
            spec:
              description: |-
                What the widget does.
                  Indented more.
              type: object
              default: {}
              x-kubernetes-preserve-unknown-fields: true
            status:
              description: "A \\"status\\" of it"
              type: object
`;

const CONFIGMAP = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "1"
  script: >
    folded
    text
`;

describe('skimming documents nothing reads', () => {
  it('a CustomResourceDefinition and a ConfigMap are skimmed; what is read is composed', () => {
    assert.deepEqual(skim(CRD), {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      docStart: false,
    });
    assert.equal(skim(CONFIGMAP)?.kind, 'ConfigMap');
    assert.equal(skim(CONFIGMAP)?.docStart, true);
    const text = `${CRD}---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: a}]}\n${CONFIGMAP}`;
    const p = decodeDocs(text, 1000, unreadKind);
    assert.equal(p.docs.length, 3);
    assert.deepEqual([...(p.skimmed ?? [])], [0, 2]);
    const { skimmed, composed } = bothWays(text);
    assert.deepEqual(skimmed, composed);
    assert.equal(skimmed.pss.objects, 3, 'skimmed objects still count');
  });

  it('every kind a check or view reads is declared, and composed', () => {
    const read: Array<[string, string]> = [
      ['v1', 'Pod'],
      ['apps/v1', 'Deployment'],
      ['batch/v1', 'CronJob'],
      ['apps/v1', 'Deploymen'], // a misspelt workload kind is reported
      ['v1', 'List'],
      ['v1', 'NamespaceList'],
      ['v1', 'Namespace'],
      ['policy/v1beta1', 'PodSecurityPolicy'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['cilium.io/v2', 'CiliumNetworkPolicy'],
      ['v1', 'LimitRange'],
      ['v1', 'ResourceQuota'],
      ['v1', 'ServiceAccount'],
      ['v1', 'Secret'],
      ['audit.k8s.io/v1', 'Policy'],
    ];
    for (const [a, k] of read) assert.equal(unreadKind(a, k), false, `${a} ${k} is read`);
    for (const [a, k] of [
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
      ['v1', 'ConfigMap'],
      ['v1', 'Service'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
      ['policy/v1', 'Policy'],
    ])
      assert.equal(unreadKind(a!, k!), true, `${a} ${k} is not read`);
    assert.ok(KIND_READERS.length >= 5);
    assert.ok(KIND_READERS.every((r) => r.reader.length > 0));
  });

  it('a document with an error or a decoding issue is composed, and reports as before', () => {
    const broken: Array<[string, string]> = [
      ['a tab as indentation', CRD.replace('  group: example.com', '\tgroup: example.com')],
      [
        'a repeated key',
        CRD.replace('  scope: Namespaced', '  scope: Namespaced\n  scope: Cluster'),
      ],
      [
        'a key repeated through an escape',
        CRD.replace('  scope: Namespaced', '  scope: Namespaced\n  "sc\\u006fpe": Cluster'),
      ],
      ['a bad indentation', CRD.replace('    plural: widgets', '     plural: widgets')],
      ['an unclosed quote', CRD.replace("'Widget is a ''thing'''", "'Widget is a")],
      ['a bad escape', CRD.replace('A \\"status\\" of it', 'A \\q of it')],
      ['a comment touching a quote', CRD.replace('"A \\"status\\" of it"', '"x"#c')],
      [
        'a block scalar with more-indented leading empty lines',
        CRD.replace('|-\n                What', '|-\n                    \n                What'),
      ],
      ['a merge key', CRD.replace('  scope: Namespaced', '  <<: {a: b}')],
      ['an alias to no anchor', CRD.replace('  scope: Namespaced', '  scope: *nope')],
      ['a multi-line implicit key', CRD.replace('  scope: Namespaced', '  "sco\n  pe": x')],
      ['a template action', CRD.replace('  scope: Namespaced', '  scope: {{ .Values.scope }}')],
      [
        'metadata that is no map',
        CRD.replace(/metadata:\n {2}name: [^\n]*\n {2}labels: \{\}/, 'metadata: x'),
      ],
    ];
    for (const [what, text] of broken) {
      assert.equal(skim(text), null, `${what}: not skimmed`);
      assert.equal(skimmedCount(text), 0, what);
      const { skimmed, composed } = bothWays(text);
      assert.deepEqual(skimmed, composed, what);
    }
    // Most of them are errors today, at their place: still reported, at the same place.
    const withErrors = broken.filter(([, t]) => analyze(t).errors.length > 0);
    assert.ok(withErrors.length >= 8, withErrors.map(([w]) => w).join(', '));
  });

  it('the real-world corpus gives the same results either way, and most of it is skimmed', (t) => {
    if (!existsSync(REAL)) {
      t.skip(`${REAL} is not present (a fresh clone)`);
      return;
    }
    let docs = 0;
    let skimmed = 0;
    for (const name of readdirSync(REAL).filter((n) => n.endsWith('.yaml'))) {
      const text = readFileSync(join(REAL, name), 'utf8');
      const both = bothWays(text, name);
      assert.deepEqual(both.skimmed, both.composed, name);
      const p = decodeDocs(text, 1000, unreadKind);
      docs += p.docs.length;
      skimmed += p.skimmed?.size ?? 0;
    }
    t.diagnostic(`${skimmed} of ${docs} documents skimmed`);
    assert.ok(skimmed > docs / 3, `${skimmed} of ${docs}`);
    const argo = readFileSync(join(REAL, 'argo-cd__install.yaml'), 'utf8');
    assert.ok(skimmedCount(argo) >= 30, 'the argo-cd CRDs are skimmed');
  });

  it('mutations of realistic manifests give the same results either way', () => {
    const texts = [...realisticTexts(), CRD, CONFIGMAP];
    const r = new Rng(8);
    let skimmedSome = 0;
    for (let i = 0; i < 150; i++) {
      // One mutation of one document: the skim must see every error it brings.
      let text = r.pick(texts);
      const docs = text.split(/^---$/m);
      if (docs.length > 1) text = r.pick(docs).replace(/^\n/, '');
      text = r.pick(MUTATIONS)(text, r);
      const { skimmed, composed } = bothWays(text);
      assert.deepEqual(skimmed, composed, JSON.stringify(text.slice(0, 300)));
      if (skimmedCount(text) > 0) skimmedSome++;
    }
    assert.ok(skimmedSome > 10, `${skimmedSome} mutants skimmed`);
  });
});
