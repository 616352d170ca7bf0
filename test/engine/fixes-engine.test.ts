/**
 * Fixes never hurt the file. For generated manifests and the examples:
 * every single fix removes its own finding; fix-all leaves no finding of a
 * fixable check, and a second fix-all changes nothing; every comment line is
 * still there; the YAML still parses and, apart from the fields the fixes
 * touched, gives the same data.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { analyze, applyEdits, fixAll } from '@podsec/server';
import type { Finding } from '@podsec/server';
import { iterations } from '../support/fast';
import { generate } from '../support/generate';
import { repoRoot } from '../support/paths';

const NOT_FIXABLE = new Set(['hostPathVolumes', 'restrictedVolumes', 'invalidSuppression']);
const counts = { single: 0, fixAll: 0 };
/** Generated manifests (seeds 1 … n) besides the examples. */
const SEEDS = iterations(6);

const identity = (f: Finding) => `${f.object.document}|${f.check}|${f.container ?? ''}|${f.detail}`;

function comments(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => /(^|\s)(#.*)$/.exec(l.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""'))?.[2]?.trim())
    .filter((c): c is string => c !== undefined);
}

/** Comments that must survive edits: all but those on the lines an edit removes. */
function survivors(text: string, edits: ReadonlyArray<{ start: number; end: number }>): string[] {
  const left = comments(text);
  for (const e of edits) {
    for (const gone of comments(text.slice(e.start, e.end))) {
      const i = left.indexOf(gone);
      if (i >= 0) left.splice(i, 1);
    }
  }
  return left;
}

function data(text: string): unknown[] {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const list = Array.isArray(docs) ? docs : [];
  for (const d of list) assert.deepEqual(d.errors, [], 'the fixed YAML parses');
  return list.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);
}

/** Paths where two plain values differ. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Object.is(a, b) ? [] : [path];
  }
  if (Array.isArray(a) !== Array.isArray(b)) return [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    out.push(
      ...differences(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      ),
    );
  }
  return out;
}

/** Fields a fix may touch. */
const TOUCHABLE =
  /securityContext|\.hostNetwork$|\.hostPID$|\.hostIPC$|\.hostPort$|\.annotations\.|\.host$|\.ports\.\d+$/;

function inputs(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let seed = 1; seed <= SEEDS.n; seed++)
    out.push([`generated seed ${seed}`, generate({ workloads: 25, seed })]);
  for (const f of ['insecure/web.yaml', 'insecure/node-agent.yaml']) {
    out.push([f, readFileSync(join(repoRoot(), 'examples', f), 'utf8')]);
  }
  return out;
}

describe('fixes never hurt the file', () => {
  after(() => {
    process.stdout.write(
      `# fixes: ${counts.single} single fixes and ${counts.fixAll} fix-all runs checked (generated seeds: ${SEEDS.note})\n`,
    );
  });

  for (const [name, text] of inputs()) {
    it(`${name}: each fix removes its own finding and keeps comments`, () => {
      const before = analyze(text, { level: 'restricted' });
      const fixable = before.findings.filter((f) => f.fixes.length > 0);
      assert.ok(fixable.length > 0, 'the input has something to fix');
      for (const f of fixable) {
        for (const fix of f.fixes) {
          counts.single++;
          const fixed = applyEdits(text, fix.edits);
          const after = analyze(fixed, { level: 'restricted' });
          assert.deepEqual(after.errors, [], `"${fix.title}" keeps the YAML valid`);
          assert.ok(
            !after.findings.some((x) => identity(x) === identity(f)),
            `"${fix.title}" removes ${identity(f)}`,
          );
          assert.deepEqual(
            comments(fixed).sort(),
            survivors(text, fix.edits).sort(),
            `"${fix.title}" keeps every other comment`,
          );
        }
      }
    });

    it(`${name}: fix-all fixes every fixable check, once, touching only those fields`, () => {
      counts.fixAll++;
      const once = fixAll(text, { level: 'restricted' }, { unsafe: true });
      const left = once.remaining.filter((f) => !NOT_FIXABLE.has(f.check));
      assert.deepEqual(
        left.map((f) => `${f.check} ${f.message}`),
        [],
        'no finding of a fixable check is left',
      );
      const twice = fixAll(once.text, { level: 'restricted' }, { unsafe: true });
      assert.equal(twice.text, once.text, 'a second fix-all changes nothing');
      assert.equal(twice.applied, 0);
      const standalone = (t: string) =>
        t
          .split(/\r?\n/)
          .filter((l) => /^\s*#/.test(l))
          .map((l) => l.trim());
      assert.deepEqual(
        standalone(once.text),
        standalone(text),
        'every comment line is still there',
      );
      const kept = comments(text);
      for (const c of comments(once.text)) {
        const i = kept.indexOf(c);
        assert.ok(i >= 0, `no comment is invented: ${c}`);
        kept.splice(i, 1);
      }
      const diff = differences(data(text), data(once.text));
      assert.ok(diff.length > 0);
      assert.deepEqual(
        diff.filter((p) => !TOUCHABLE.test(p)),
        [],
        'only the fields the fixes touched differ',
      );
      const safe = fixAll(text, { level: 'restricted' });
      assert.ok(
        safe.remaining.every((f) => f.fixes.every((x) => !x.safe)),
        'after the safe fix-all, only unsafe fixes are left',
      );
    });
  }
});
