/**
 * Fidelity: every test overlay under cases/ builds in the engine as
 * `kubectl kustomize` built it (expected.yaml, stored beside it by
 * scripts/kustomize-expected.mjs): the same data, and the same bytes. An
 * overlay kustomize rejects fails with the same class of error, at the file
 * and line that cause it, with kustomize's message. When kubectl is on the
 * PATH, each case is also run through it afresh.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LineIndex } from '@podsec/server/out/engine/lines';
import { buildKustomization } from '@podsec/server/out/engine/kustomize/index';
import { asData, caseNames, diskTree, loadCase } from './support';
import { hasKubectl, kubectlKustomize } from './kubectl';

/** Go prints pointers in some messages (`&{0xc000aba4e0 <nil>}`): they differ from run to run. */
const normalize = (s: string): string => s.replace(/0xc[0-9a-f]+/g, '0xc…').replace(/\n+$/, '');

const names = caseNames();

describe('kustomize test overlays', () => {
  it('has the overlays, each with kubectl’s expected output or error', () => {
    assert.ok(names.length >= 45, `only ${names.length} cases`);
    for (const n of names) {
      const c = loadCase(n);
      assert.ok(
        (c.expected === null) !== (c.expectedError === null),
        `${n}: needs exactly one of expected.yaml, expected.error.txt`,
      );
      assert.equal(
        c.meta.error !== undefined,
        c.expectedError !== null,
        `${n}: case.json names the error class exactly when kustomize fails`,
      );
    }
  });

  for (const name of names) {
    const c = loadCase(name);
    const fs = diskTree(c.dir);
    const dir = join(c.dir, c.meta.build ?? '.');
    const build = buildKustomization(fs, dir);
    if (c.expected !== null) {
      const expected = c.expected;
      it(`${name}: builds the same objects as kubectl`, () => {
        assert.equal(build.error, null, build.error?.message);
        assert.deepEqual(asData(build.source.text), asData(expected));
      });
      it(`${name}: prints them byte for byte as kubectl`, () => {
        assert.equal(build.source.text, expected);
      });
      it(`${name}: maps every object to its document and every document to objects`, () => {
        assert.equal(build.objects.length, asData(expected).length);
        for (const o of build.objects)
          assert.ok(
            build.source.text.slice(o.span.start, o.span.end).includes(`name: ${o.id.name}`),
          );
      });
    } else {
      const expectedError = c.expectedError as string;
      const want = c.meta.error as { class: string; file: string; line: number };
      it(`${name}: fails as kustomize does (${want.class})`, () => {
        assert.ok(build.error, 'the build should fail');
        assert.equal(build.error.class, want.class, build.error.message);
        if (c.meta.message !== 'class-only')
          assert.equal(
            normalize(build.error.message.split(c.dir).join('$CASE')),
            normalize(expectedError),
          );
        const file = join(c.dir, want.file);
        assert.equal(build.error.file, file);
        const line = new LineIndex(fs.readText(file) ?? '').lineOf(build.error.span.start) + 1;
        assert.equal(line, want.line, `error at line ${line}, expected ${want.line}`);
        assert.equal(build.source.text, '');
      });
    }
  }
});

describe('kustomize test overlays, through kubectl afresh', () => {
  const kubectl = hasKubectl();
  for (const name of names) {
    it(`${name}: kubectl kustomize still gives the stored result`, (t) => {
      if (!kubectl) {
        t.skip('kubectl is not on the PATH: the stored outputs were not re-checked');
        return;
      }
      const c = loadCase(name);
      const r = kubectlKustomize(c.dir, c.meta.build ?? '.');
      if (r.ok) assert.equal(r.output, c.expected);
      else assert.equal(normalize(r.error), normalize(c.expectedError ?? ''));
    });
  }
});
