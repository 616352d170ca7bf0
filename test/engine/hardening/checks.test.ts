/**
 * The family as a whole: check metadata for hovers and docs, severities
 * (never error by default, configurable, off), ordering, and the promise
 * that hardening results never repeat secret values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HARDENING_CHECK_IDS,
  HARDENING_CHECKS,
  isHardeningCheckId,
  severityOf,
} from '@podsec/server/out/engine/hardening';
import { CHECK_IDS } from '@podsec/server';
import { deployment, of, run } from './helpers';

describe('check metadata', () => {
  it('every check has its metadata, in the family hardening, never error by default', () => {
    assert.deepEqual(Object.keys(HARDENING_CHECKS).sort(), [...HARDENING_CHECK_IDS].sort());
    for (const id of HARDENING_CHECK_IDS) {
      const c = HARDENING_CHECKS[id];
      assert.equal(c.id, id);
      assert.equal(c.family, 'hardening');
      assert.notEqual(c.defaultSeverity, 'error', id);
      for (const field of [c.title, c.checks, c.why, c.allowed])
        assert.ok(field.length > 10, `${id}: ${field}`);
      assert.ok(c.references.length > 0, id);
      for (const ref of c.references)
        assert.match(
          ref,
          /^https:\/\/kubernetes\.io\/docs\/.+\/$|^https:\/\/kubernetes\.io\/docs\/.+\/#[a-z-]+$/,
          ref,
        );
    }
  });

  it('the default severities are the documented ones', () => {
    const info = HARDENING_CHECK_IDS.filter(
      (id) => HARDENING_CHECKS[id].defaultSeverity === 'information',
    );
    assert.deepEqual(info, [
      'networkPolicyIsolation',
      'networkPolicyUnmatched',
      'serviceAccountToken',
    ]);
  });

  it('hardening IDs never collide with Pod Security check IDs', () => {
    for (const id of HARDENING_CHECK_IDS)
      assert.ok(!(CHECK_IDS as readonly string[]).includes(id), id);
    assert.equal(isHardeningCheckId('privileged'), false);
    assert.equal(isHardeningCheckId('secretInEnv'), true);
  });
});

describe('severities and switches', () => {
  const text = deployment({ container: 'env: [{name: DB_PASSWORD, value: Tr0ub4dor&3}]' });

  it('a check can be raised, lowered or turned off', () => {
    assert.equal(severityOf('secretInEnv'), 'warning');
    assert.equal(severityOf('secretInEnv', { checks: { secretInEnv: 'error' } }), 'error');
    assert.equal(severityOf('secretInEnv', { checks: { secretInEnv: 'off' } }), null);
    const raised = run(text, { checks: { secretInEnv: 'error' } });
    assert.equal(of(raised, 'secretInEnv')[0]?.severity, 'error');
    const off = run(text, { checks: { secretInEnv: 'off', networkPolicyIsolation: 'off' } });
    assert.equal(of(off, 'secretInEnv').length, 0);
    assert.equal(of(off, 'networkPolicyIsolation').length, 0);
    assert.ok(of(off, 'resourceRequests').length > 0, 'other checks still run');
  });

  it('notes of a check that is off are dropped too', () => {
    const cilium =
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: prod}\nspec: {}\n';
    const on = run({ 'a.yaml': text, 'c.yaml': cilium });
    assert.ok(on.notes.some((n) => n.check === 'networkPolicyIsolation'));
    const off = run(
      { 'a.yaml': text, 'c.yaml': cilium },
      { checks: { networkPolicyIsolation: 'off' } },
    );
    assert.ok(!off.notes.some((n) => n.check === 'networkPolicyIsolation'));
  });

  it('findings come sorted by file and offset, all in the family hardening', () => {
    const r = run({ 'b.yaml': text, 'a.yaml': text.replace('name: web', 'name: api') });
    const keys = r.findings.map((f) => [f.file, f.span.start] as const);
    const sorted = [...keys].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
    assert.deepEqual(keys, sorted);
    assert.ok(r.findings.every((f) => f.family === 'hardening'));
  });

  it('no message, path or fix carries the secret value', () => {
    const r = run(text);
    assert.ok(r.findings.length > 3);
    assert.ok(!JSON.stringify(r.findings).includes('Tr0ub4dor'));
  });

  it('an empty workspace, or one without workloads, gives nothing', () => {
    const empty = run({});
    assert.deepEqual(
      [empty.findings, empty.notes, empty.isolation, empty.namespaces],
      [[], [], [], []],
    );
    const cm = run('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n');
    assert.equal(cm.findings.length, 0);
  });
});
