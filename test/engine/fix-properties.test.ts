/**
 * Fixes never hurt the file. For generated manifests (every workload kind,
 * random securityContexts at both levels, comments, anchors, flow and block
 * styles), applying every fix and re-evaluating:
 * - leaves none of the problems that had a fix (same check, container and detail);
 * - a second fix-all changes nothing;
 * - every comment is still there;
 * - the YAML still parses and, apart from the fields fixes touch, gives the
 *   same data.
 * Safe fixes alone, and safe plus unsafe.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { analyze, fixAll } from '@podsec/server';
import type { Finding } from '@podsec/server';
import { iterations } from '../support/fast';
import { generate } from '../support/generate';

const SEED = Number(process.env.PODSEC_FUZZ_SEED ?? 20261122);
const RUNS = iterations(250, process.env.PODSEC_FIX_RUNS);

/** Fields a fix may set or remove; everything else must be left as it was. */
const TOUCHED = new Set(['securityContext', 'hostNetwork', 'hostPID', 'hostIPC', 'hostPort']);
const TOUCHED_ANNOTATION = /apparmor|seccomp/i;

function strip(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => strip(x));
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (TOUCHED.has(k)) continue;
    if (key === 'annotations' && TOUCHED_ANNOTATION.test(k)) continue;
    out[k] = strip(x, k);
  }
  // A fix may add the first annotation of a template: an empty map is the same as none.
  if (key === 'metadata' && isEmptyObject(out.annotations)) delete out.annotations;
  return out;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function data(text: string): unknown[] {
  const docs = parseAllDocuments(text, { version: '1.1' });
  assert.ok(Array.isArray(docs));
  for (const d of docs) {
    assert.deepEqual(
      d.errors.map((e) => e.message),
      [],
      'the fixed YAML parses',
    );
  }
  return docs.map((d) => strip(d.toJS({ maxAliasCount: -1 })));
}

/** One located problem: check, object, container and upstream's detail (a check may report several per container). */
const key = (f: Finding) =>
  `${f.check}|${f.object.document}|${f.object.item}|${f.container ?? ''}|${f.detail}`;

/** Every comment (the text from `#` to the end of the line) of `before` is in `after`. */
function commentsKept(before: string, after: string): void {
  for (const line of before.split('\n')) {
    const i = line.search(/(^|\s)#/);
    if (i < 0) continue;
    const comment = line.slice(line.indexOf('#', i)).trimEnd();
    assert.ok(after.includes(comment), `comment ${JSON.stringify(comment)} kept`);
  }
}

export const counts = { safe: 0, unsafe: 0, fixesApplied: 0 };

function property(unsafe: boolean): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 8 }),
      fc.constantFrom<'baseline' | 'restricted'>('baseline', 'restricted'),
      (seed, workloads, level) => {
        const text = generate({ seed, workloads });
        const options = { level };
        const before = analyze(text, options);
        assert.deepEqual(before.errors, [], 'generated YAML parses');
        const fixable = new Set(
          before.findings.filter((f) => f.fixes.some((x) => x.safe || unsafe)).map(key),
        );
        const result = fixAll(text, options, { unsafe });
        counts.fixesApplied += result.applied;
        if (unsafe) counts.unsafe++;
        else counts.safe++;

        const after = analyze(result.text, options);
        assert.deepEqual(after.errors, [], 'no YAML or schema error after fixing');
        const left = after.findings.filter((f) => fixable.has(key(f)));
        assert.deepEqual(left.map(key), [], 'no finding of a fixed check is left');
        assert.deepEqual(result.remaining.map(key).sort(), after.findings.map(key).sort());

        const again = fixAll(result.text, options, { unsafe });
        assert.equal(again.applied, 0, 'a second fix-all applies nothing');
        assert.equal(again.text, result.text, 'a second fix-all changes nothing');

        commentsKept(text, result.text);
        assert.deepEqual(data(result.text), data(text), 'same data apart from the fixed fields');
        assert.equal(after.workloads.length, before.workloads.length);
      },
    ),
    { seed: SEED, numRuns: RUNS.n },
  );
}

describe('fixes never hurt the file', () => {
  it('safe fixes of generated manifests', (t) => {
    property(false);
    t.diagnostic(`${counts.safe} generated manifests fixed (safe fixes; ${RUNS.note})`);
  });
  it('safe and unsafe fixes of generated manifests', (t) => {
    property(true);
    t.diagnostic(
      `${counts.unsafe} generated manifests fixed (unsafe too); ${counts.fixesApplied} fixes applied in all (seed ${SEED}; ${RUNS.note})`,
    );
  });
});
