/**
 * Fixes of overlay findings, made at the origin: a missing field is added to
 * the base's container (once, for every overlay), a value a patch sets is
 * changed in the patch, a base's list item is removed from the base; after
 * the fix the overlays build to a result without that finding, and
 * everything else in the file (comments included) is as it was.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { analyze, applyEdits } from '@podsec/server/out/engine/index';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/build';
import { changesOf } from '@podsec/server/out/engine/overlays/fixes';
import { MemoryFs as Memory } from '@podsec/server/out/engine/sources/sourceFs';
import { generate } from '../../support/generate';
import type { Finding } from '@podsec/server/out/engine/index';
import { kustomizationGraph } from '@podsec/server/out/engine/kustomize/index';
import { evaluateOverlays } from '@podsec/server/out/engine/overlays/index';
import type { OverlayEvaluation } from '@podsec/server/out/engine/overlays/index';
import type { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { diskTree } from '../kustomize/support';
import { repoRoot } from '../../support/paths';

const TREE = join(repoRoot(), 'test', 'fixtures', 'overlays');
const at = (rel: string): string => join(TREE, rel);

const evaluate = (fs: MemoryFs): OverlayEvaluation =>
  evaluateOverlays(fs, kustomizationGraph(fs, TREE), { nameOf: (d) => d.slice(TREE.length + 1) });

function findingsOf(ev: OverlayEvaluation, check: string): Array<{ file: string; f: Finding }> {
  return [...ev.files].flatMap(([file, a]) =>
    a.findings.filter((f) => f.check === check).map((f) => ({ file, f })),
  );
}

/** Apply the first fix of the one finding of `check` in `rel`; return the texts before and after. */
function fix(
  fs: MemoryFs,
  check: string,
  rel: string,
): { before: string; after: string; title: string } {
  const found = findingsOf(evaluate(fs), check).filter((x) => x.file === at(rel));
  assert.equal(found.length, 1, `${check} in ${rel}`);
  const fx = found[0]?.f.fixes[0];
  assert.ok(fx, `${check} has a fix`);
  const before = fs.readText(at(rel)) ?? '';
  const after = applyEdits(before, fx.edits);
  fs.set(at(rel), after);
  return { before, after, title: fx.title };
}

/** The lines of `after` that are not in `before`, and the lines of `before` gone from `after`. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const b = before.split('\n');
  const a = after.split('\n');
  return {
    added: a.filter((l) => !b.includes(l)),
    removed: b.filter((l) => !a.includes(l)),
  };
}

describe('overlay fixes at the origin', () => {
  it('a missing field: added to the base’s container, gone from both overlays', () => {
    const fs = diskTree(TREE);
    // Without Namespace labels both overlays have it: one finding, one fix in the base.
    assert.deepEqual(
      findingsOf(evaluate(fs), 'allowPrivilegeEscalation').map((x) => x.f.overlays),
      [['overlays/dev', 'overlays/prod']],
    );
    const { before, after, title } = fix(fs, 'allowPrivilegeEscalation', 'base/deployment.yaml');
    assert.equal(title, 'Set allowPrivilegeEscalation: false in the base');
    assert.deepEqual(lineDiff(before, after), {
      added: ['            allowPrivilegeEscalation: false'],
      removed: [],
    });
    assert.ok(after.includes('# podsec-ignore seccompProfile_restricted'), 'comments kept');
    assert.deepEqual(findingsOf(evaluate(fs), 'allowPrivilegeEscalation'), []);
  });

  it('a value a patch sets: changed in the patch, not in the base', () => {
    const fs = diskTree(TREE);
    const base = fs.readText(at('base/deployment.yaml'));
    const { before, after } = fix(fs, 'privileged', 'overlays/prod/debug.yaml');
    assert.deepEqual(lineDiff(before, after), {
      added: ['            privileged: false'],
      removed: ['            privileged: true'],
    });
    assert.ok(after.startsWith("# The prod debug sidecar's access.\n"), 'comments kept');
    assert.equal(fs.readText(at('base/deployment.yaml')), base);
    assert.deepEqual(findingsOf(evaluate(fs), 'privileged'), []);
  });

  it('a base’s list item: removed in the base; only the hostPort defaulting sets is left', () => {
    const fs = diskTree(TREE);
    const { before, after } = fix(fs, 'hostPorts', 'base/deployment.yaml');
    assert.deepEqual(lineDiff(before, after), {
      added: [],
      removed: ['              hostPort: 8080'],
    });
    // prod sets hostNetwork: true, under which the API server defaults hostPort to containerPort.
    const left = findingsOf(evaluate(fs), 'hostPorts');
    assert.deepEqual(
      left.map((x) => [x.f.overlays, x.f.defaulted !== undefined, x.f.fixes.length]),
      [[['overlays/prod'], true, 0]],
    );
  });

  it('a key an inline JSON patch adds, as its only operation: its patches entry taken out', () => {
    const fs = diskTree(TREE);
    const host = findingsOf(evaluate(fs), 'hostNamespaces');
    assert.equal(host.length, 1);
    assert.deepEqual(
      host[0]?.f.fixes.map((x) => [x.title, x.safe]),
      [['Remove hostNetwork: true', false]],
    );
    const { before, after } = fix(fs, 'hostNamespaces', 'overlays/prod/kustomization.yaml');
    assert.deepEqual(lineDiff(before, after), {
      added: [],
      removed: [
        '  - target:',
        '      kind: Deployment',
        '    patch: |-',
        '      - op: add',
        '        path: /spec/template/spec/hostNetwork',
        '        value: true',
      ],
    });
    assert.deepEqual(findingsOf(evaluate(fs), 'hostNamespaces'), []);
  });

  it('what a fix changes, read where it edits, is what reading the whole fixed object gives', () => {
    const fs = new Memory({
      '/g/base/kustomization.yaml': 'resources:\n- workloads.yaml\n',
      '/g/base/workloads.yaml': generate({ workloads: 20, seed: 7 }),
      '/g/prod/kustomization.yaml': 'resources:\n- ../base\nnamespace: prod\nnamePrefix: p-\n',
    });
    const src = buildKustomization(fs, '/g/prod').source;
    const docs = parseAllDocuments(src.text, { version: '1.1' });
    let compared = 0;
    for (const f of analyze(src.text).findings)
      for (const fx of f.fixes) {
        const first = fx.edits[0];
        if (!first) continue;
        const c = changesOf(src, docs, fx);
        const d = docs.find((x) => x.range[0] <= first.start && first.start <= x.range[2]);
        assert.ok(c && d, fx.title);
        const [s0, , e0] = d.range;
        const whole = parseAllDocuments(
          applyEdits(
            src.text.slice(s0, e0),
            fx.edits.map((e) => ({ start: e.start - s0, end: e.end - s0, newText: e.newText })),
          ),
          { version: '1.1' },
        )[0]?.toJS() as unknown;
        assert.deepEqual(c.after, whole, fx.title);
        compared++;
      }
    assert.ok(compared > 50, `${compared} fixes compared`);
  });
});
