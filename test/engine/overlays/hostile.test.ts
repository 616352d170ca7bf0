/**
 * Bad input is normal input for overlays: a half-typed kustomization, a
 * template, nesting 10,000 deep, an empty file or binary bytes as a base
 * resource, a patch or a kustomization file give a clear error at the file
 * that holds it (never a throw, never a silent pass), and the other overlays
 * still build. An alias bomb stops at the build's node bound, measured
 * before anything is expanded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { DEEP_BLOCK, DEEP_FLOW, podHead } from '../../support/hostile';

const POD = `${podHead('p')}spec:\n  containers:\n  - name: a\n    image: a\n    securityContext:\n      privileged: true\n`;

/** Nine levels of eight aliases of the level below: 8^9 (134 million) nodes expanded. */
function aliasBomb(): string {
  let y =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++)
    y += `  a${i}: &a${i} [${Array.from({ length: 8 }, () => `*a${i - 1}`).join(', ')}]\n`;
  return y;
}

const HOSTILE: Record<string, string> = {
  'alias bomb': aliasBomb(),
  'half-typed': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [p\n',
  template: `${podHead('{{ .Values.name }}')}spec:\n  containers: {{ toYaml .Values.c }}\n`,
  'deep flow': DEEP_FLOW,
  'deep block': DEEP_BLOCK,
  empty: '',
  'not yaml': '\u0000\u0001\u0002',
};

function tree(where: 'resource' | 'patch' | 'kustomization', text: string): MemoryFs {
  const files: Record<string, string> = {
    '/r/base/kustomization.yaml': 'resources:\n- pod.yaml\n- bad.yaml\n',
    '/r/base/pod.yaml': POD,
    '/r/base/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    '/r/bad/kustomization.yaml': 'resources:\n- ../base\npatches:\n- path: patch.yaml\n',
    '/r/bad/patch.yaml': `${podHead('p')}spec:\n  hostPID: true\n`,
    '/r/good/kustomization.yaml': 'resources:\n- ../other\n',
    '/r/other/kustomization.yaml': 'resources:\n- pod.yaml\n',
    '/r/other/pod.yaml': POD,
  };
  if (where === 'resource') files['/r/base/bad.yaml'] = text;
  if (where === 'patch') files['/r/bad/patch.yaml'] = text;
  if (where === 'kustomization') files['/r/bad/kustomization.yaml'] = text;
  return new MemoryFs(files);
}

describe('hostile overlays', () => {
  for (const [name, text] of Object.entries(HOSTILE)) {
    for (const where of ['resource', 'patch', 'kustomization'] as const) {
      it(`${name} as a ${where}: an error or a result, never a throw; other overlays build`, () => {
        const fs = tree(where, text);
        const ev = evaluateOverlays(fs, kustomizationGraph(fs, '/r'), {
          nameOf: (d) => d.slice(3),
        });
        const bad = ev.builds.find((b) => b.name === 'bad');
        const said = [...ev.files.values()].flatMap((a) => [...a.errors, ...a.findings]);
        // Either the build failed (or the kustomization could not be read) with an error placed
        // in a file, or it built and was checked.
        if (!bad || bad.build.error) {
          const errors = [...ev.files.values()].flatMap((a) => a.errors);
          assert.ok(
            errors.some((e) => e.code === 'kustomize' && e.message.endsWith('(overlay bad)')),
            JSON.stringify(errors),
          );
        } else assert.ok(bad.analysis, 'analysed');
        assert.ok(said.length > 0, 'never a silent pass');
        const good = ev.builds.find((b) => b.name === 'good');
        assert.equal(good?.build.error, null);
        assert.ok(
          ev.files.get('/r/other/pod.yaml')?.findings.some((f) => f.check === 'privileged'),
          'the other overlay is checked',
        );
      });
    }
  }
});
