/**
 * Label selectors with apimachinery's semantics: matchLabels and
 * matchExpressions ANDed, `{}` selects everything, NotIn and DoesNotExist
 * match a missing label, and invalid selectors are refused (never matched).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  labelKeyProblem,
  labelValueProblem,
  readSelector,
  selectorMatches,
} from '@podsec/server/out/engine/hardening/selector';
import type { JsonValue } from '@podsec/server/out/engine/hardening';

function matches(sel: unknown, labels: Record<string, string>): boolean {
  const r = readSelector(sel as JsonValue | undefined);
  if (!r.ok) throw new Error(`invalid selector: ${r.problems.map((p) => p.message).join('; ')}`);
  return selectorMatches(r.selector, labels);
}

function problems(sel: unknown): string[] {
  const r = readSelector(sel as JsonValue);
  return r.ok ? [] : r.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('label selector matching', () => {
  it('{} and an absent selector select everything', () => {
    assert.equal(matches({}, {}), true);
    assert.equal(matches({}, { app: 'web' }), true);
    assert.equal(matches(undefined, { app: 'web' }), true);
    assert.equal(matches(null, {}), true);
    assert.equal(matches({ matchLabels: {}, matchExpressions: [] }, { a: 'b' }), true);
    const r = readSelector({});
    assert.ok(r.ok && r.selector.everything);
    const r2 = readSelector({ matchLabels: { app: 'web' } });
    assert.ok(r2.ok && !r2.selector.everything);
  });

  it('matchLabels: every pair must be present with its value', () => {
    const sel = { matchLabels: { app: 'web', tier: 'front' } };
    assert.equal(matches(sel, { app: 'web', tier: 'front', extra: 'x' }), true);
    assert.equal(matches(sel, { app: 'web' }), false);
    assert.equal(matches(sel, { app: 'web', tier: 'back' }), false);
    assert.equal(matches({ matchLabels: { app: '' } }, { app: '' }), true);
    assert.equal(matches({ matchLabels: { app: '' } }, {}), false);
  });

  it('In: the label exists with one of the values', () => {
    const sel = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] };
    assert.equal(matches(sel, { tier: 'a' }), true);
    assert.equal(matches(sel, { tier: 'b' }), true);
    assert.equal(matches(sel, { tier: 'c' }), false);
    assert.equal(matches(sel, {}), false);
  });

  it('NotIn: a missing label matches, as does any other value', () => {
    const sel = { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] };
    assert.equal(matches(sel, {}), true);
    assert.equal(matches(sel, { tier: 'b' }), true);
    assert.equal(matches(sel, { tier: 'a' }), false);
    assert.equal(
      matches({ matchExpressions: [{ key: 't', operator: 'NotIn', values: [''] }] }, { t: '' }),
      false,
    );
  });

  it('Exists and DoesNotExist look at the key only', () => {
    const ex = { matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    const dne = { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] };
    assert.equal(matches(ex, { tier: '' }), true);
    assert.equal(matches(ex, {}), false);
    assert.equal(matches(dne, {}), true);
    assert.equal(matches(dne, { tier: 'x' }), false);
    // values: [] (empty) is allowed with Exists
    assert.equal(
      matches(
        { matchExpressions: [{ key: 'tier', operator: 'Exists', values: [] }] },
        { tier: 'x' },
      ),
      true,
    );
  });

  it('matchLabels and matchExpressions are ANDed', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    assert.equal(matches(sel, { app: 'web', env: 'prod' }), true);
    assert.equal(matches(sel, { app: 'web', env: 'prod', canary: 'true' }), false);
    assert.equal(matches(sel, { app: 'api', env: 'prod' }), false);
    assert.equal(matches(sel, { app: 'web' }), false);
  });

  it('an expression on the same key as matchLabels must hold as well', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }],
    };
    assert.equal(matches(sel, { app: 'web' }), false);
  });
});

describe('invalid selectors are refused', () => {
  it('In and NotIn need values', () => {
    assert.match(
      problems({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })[0] ?? '',
      /values must be specified/,
    );
    assert.match(
      problems({ matchExpressions: [{ key: 'a', operator: 'NotIn' }] })[0] ?? '',
      /values must be specified/,
    );
  });
  it('Exists and DoesNotExist take no values', () => {
    assert.match(
      problems({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })[0] ?? '',
      /may not be specified/,
    );
    assert.match(
      problems({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] })[0] ??
        '',
      /may not be specified/,
    );
  });
  it('operators are case-sensitive and closed', () => {
    for (const op of ['in', 'Equals', 'Gt', '']) {
      assert.match(
        problems({ matchExpressions: [{ key: 'a', operator: op, values: ['1'] }] })[0] ?? '',
        /not a valid selector operator/,
        op,
      );
    }
  });
  it('keys and values must be valid label names', () => {
    assert.equal(problems({ matchExpressions: [{ operator: 'Exists' }] }).length, 1);
    assert.match(problems({ matchLabels: { '-bad': 'x' } })[0] ?? '', /invalid key/);
    assert.match(problems({ matchLabels: { app: 'a b' } })[0] ?? '', /invalid value/);
    assert.match(problems({ matchLabels: { app: 'x'.repeat(64) } })[0] ?? '', /63/);
    assert.equal(problems({ matchLabels: { 'example.com/app': 'web' } }).length, 0);
    assert.match(problems({ matchLabels: { 'Example.com/app': 'web' } })[0] ?? '', /prefix/);
    assert.match(
      problems({ matchLabels: { '/app': 'web' } })[0] ?? '',
      /prefix part must be non-empty/,
    );
    assert.match(problems({ matchLabels: { 'a/b/c': 'web' } })[0] ?? '', /at most one/);
  });
  it('wrong types are problems, not crashes', () => {
    assert.ok(problems('app=web').length > 0);
    assert.ok(problems({ matchLabels: ['app'] }).length > 0);
    assert.ok(problems({ matchExpressions: { key: 'a' } }).length > 0);
    assert.ok(problems({ matchLabels: { app: 1 } }).length > 0);
  });
  it('label name and value rules', () => {
    assert.equal(labelKeyProblem('app.kubernetes.io/name'), null);
    assert.equal(labelKeyProblem('a'), null);
    assert.notEqual(labelKeyProblem(''), null);
    assert.notEqual(labelKeyProblem('a_'), null);
    assert.equal(labelValueProblem(''), null);
    assert.equal(labelValueProblem('v1.2_x-y'), null);
    assert.notEqual(labelValueProblem('-v'), null);
  });
});
