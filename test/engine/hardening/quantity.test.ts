/**
 * Quantities as Kubernetes' resource.Quantity parses, compares and prints
 * them. Expected values were worked out by hand from upstream's parser
 * (k8s.io/apimachinery/pkg/api/resource/quantity.go): its fast path keeps
 * a canonical-looking input as written, its lenient scanner accepts a bare
 * sign or suffix as zero, and values are exact (no floating point).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  add,
  compare,
  formatFixed6,
  formatQuantity,
  milliValue,
  parseQuantity,
  QUANTITY_ERRORS,
  quantityFromJson,
  roundUpMilli,
  value,
} from '@podsec/server/out/engine/hardening/quantity';
import type { Quantity } from '@podsec/server/out/engine/hardening/quantity';

function q(s: string): Quantity {
  const r = parseQuantity(s);
  if (!r.ok) throw new Error(`${s}: ${r.error}`);
  return r.quantity;
}

/** The exact value as a decimal string (mant × 10^exp). */
function exact(x: Quantity): string {
  if (x.exp >= 0) return (x.mant * 10n ** BigInt(x.exp)).toString();
  const neg = x.mant < 0n;
  const digits = (neg ? -x.mant : x.mant).toString().padStart(-x.exp + 1, '0');
  const int = digits.slice(0, digits.length + x.exp);
  const frac = digits.slice(digits.length + x.exp).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

describe('quantity parsing: value and String()', () => {
  const cases: Array<[input: string, value: string, printed: string]> = [
    ['100m', '0.1', '100m'],
    ['1Gi', '1073741824', '1Gi'],
    ['1e3', '1000', '1e3'],
    ['1E3', '1000', '1E3'],
    ['1e4', '10000', '10e3'],
    ['0.5', '0.5', '500m'],
    ['.5', '0.5', '500m'],
    ['1.', '1', '1.'],
    ['1.5', '1.5', '1500m'],
    ['1.500', '1.5', '1.500'],
    ['1.5Ki', '1536', '1536'],
    ['1.5Gi', '1610612736', '1536Mi'],
    ['1024Ki', '1048576', '1Mi'],
    ['1025Ki', '1049600', '1025Ki'],
    ['+1', '1', '+1'],
    ['-1', '-1', '-1'],
    ['+1Ki', '1024', '+1Ki'],
    ['01', '1', '01'],
    ['1000m', '1', '1'],
    ['1500u', '0.0015', '1500u'],
    ['0.1m', '0.0001', '100u'],
    ['1n', '0.000000001', '1n'],
    ['0.5n', '0.000000001', '1n'],
    ['1E', '1000000000000000000', '1E'],
    ['1000E', '1000000000000000000000', '1'],
    ['1k', '1000', '1k'],
    ['2G', '2000000000', '2G'],
    ['12345678901234567890', '12345678901234567890', '12345678901234567890'],
    ['9Ei', '9223372036854775807', '9223372036854775807'],
    ['8Ei', '9223372036854775807', '9223372036854775807'],
    ['1Ei', '1152921504606846976', '1Ei'],
    ['0.5Ki', '512', '512'],
    ['0.0001Ki', '0.1024', '102400u'],
    ['1e4294967296', '1', '1e4294967296'],
    ['0', '0', '0'],
    ['00', '0', '0'],
    ['-0', '0', '0'],
    ['0.0', '0', '0'],
  ];
  for (const [input, v, printed] of cases) {
    it(`${JSON.stringify(input)} is ${v}, printed ${JSON.stringify(printed)}`, () => {
      const x = q(input);
      assert.equal(exact(x), v);
      assert.equal(formatQuantity(x), printed);
    });
  }

  it('the lenient scanner reads a bare sign, point or some suffixes as zero', () => {
    for (const s of ['-', '+', '.', '+.', 'm', 'Gi', 'Ki', 'Ti', 'k', 'e5']) {
      const x = q(s);
      assert.equal(x.mant, 0n, s);
      assert.equal(formatQuantity(x), '0', s);
    }
  });

  it('refuses malformed quantities with upstream messages', () => {
    const bad: Array<[string, string]> = [
      ['', QUANTITY_ERRORS.format],
      ['1 Gi', QUANTITY_ERRORS.format],
      ['1.2.3', QUANTITY_ERRORS.format],
      ['1Kb', QUANTITY_ERRORS.format],
      ['1e3i', QUANTITY_ERRORS.format],
      ['abc', QUANTITY_ERRORS.format],
      ['1e', QUANTITY_ERRORS.suffix],
      ['1K', QUANTITY_ERRORS.suffix],
      ['1i', QUANTITY_ERRORS.suffix],
      ['1Ki2', QUANTITY_ERRORS.suffix],
      ['1m5', QUANTITY_ERRORS.suffix],
      ['1e+', QUANTITY_ERRORS.suffix],
      ['1e9223372036854775808', QUANTITY_ERRORS.suffix],
      // the slow path (exponent 50, 60) needs digits
      ['Pi', QUANTITY_ERRORS.numeric],
      ['Ei', QUANTITY_ERRORS.numeric],
    ];
    for (const [s, err] of bad) {
      const r = parseQuantity(s);
      assert.equal(r.ok, false, s);
      if (!r.ok) assert.equal(r.error, err, s);
    }
  });

  it('refuses quantities beyond 10^300 (podsec does not evaluate them)', () => {
    const r = parseQuantity('1e301');
    assert.equal(r.ok, false);
    assert.equal(parseQuantity('1e299').ok, true);
  });
});

describe('quantity comparison and arithmetic are exact', () => {
  const eq: Array<[string, string]> = [
    ['1', '1000m'],
    ['0.1', '100m'],
    ['1Ki', '1024'],
    ['1e3', '1k'],
    ['1Mi', '1024Ki'],
    ['1.5Gi', '1536Mi'],
    ['+1', '1'],
    ['1000000u', '1'],
  ];
  for (const [a, b] of eq) it(`${a} = ${b}`, () => assert.equal(compare(q(a), q(b)), 0));
  const lt: Array<[string, string]> = [
    ['1G', '1Gi'],
    ['999m', '1'],
    ['1n', '1u'],
    ['-1', '0'],
    ['1E', '1Ei'],
    ['1e20', '1e21'],
    ['123456789012345678901', '123456789012345678902'],
  ];
  for (const [a, b] of lt) {
    it(`${a} < ${b}`, () => {
      assert.equal(compare(q(a), q(b)), -1);
      assert.equal(compare(q(b), q(a)), 1);
    });
  }

  it('0.1 + 0.2 is exactly 300m', () => {
    const s = add(q('0.1'), q('0.2'));
    assert.equal(compare(s, q('300m')), 0);
    assert.equal(formatQuantity(s), '300m');
  });

  it('a sum keeps the format of its first non-zero term', () => {
    assert.equal(formatQuantity(add(q('600Mi'), q('600Mi'))), '1200Mi');
    assert.equal(formatQuantity(add(q('0'), q('512Mi'))), '512Mi');
    assert.equal(formatQuantity(add(q('1G'), q('1Gi'))), '2073741824');
  });

  it('decoding rounds up to milli (SetDefaults_ResourceList), away from zero', () => {
    assert.equal(formatQuantity(roundUpMilli(q('1500u'))), '2m');
    assert.equal(formatQuantity(roundUpMilli(q('0.1m'))), '1m');
    assert.equal(formatQuantity(roundUpMilli(q('1.0001'))), '1001m');
    assert.equal(formatQuantity(roundUpMilli(q('1n'))), '1m');
    // already at milli or coarser: unchanged, text kept
    assert.equal(formatQuantity(roundUpMilli(q('1.500'))), '1.500');
    assert.equal(formatQuantity(roundUpMilli(q('-1500u'))), '-2m');
  });

  it('Value and MilliValue round up (away from zero)', () => {
    assert.equal(value(q('1.5')), 2n);
    assert.equal(value(q('1')), 1n);
    assert.equal(value(q('-1.5')), -2n);
    assert.equal(milliValue(q('1.5')), 1500n);
    assert.equal(milliValue(q('1n')), 1n);
    assert.equal(milliValue(q('1Gi')), 1073741824000n);
  });
});

describe('quantities from decoded JSON', () => {
  it('reads strings (trimmed), numbers and null as the API server does', () => {
    const get = (v: unknown) => {
      const r = quantityFromJson(v);
      return r.ok ? formatQuantity(r.quantity) : `error: ${r.error}`;
    };
    assert.equal(get(' 1Gi '), '1Gi');
    assert.equal(get(0.5), '500m');
    assert.equal(get(2), '2');
    assert.equal(get(1000), '1k');
    assert.equal(get(null), '0');
    assert.equal(get(true), `error: ${QUANTITY_ERRORS.format}`);
    assert.equal(get({ a: 1 }), `error: ${QUANTITY_ERRORS.format}`);
    assert.match(get(Infinity), /^error: /);
  });
});

describe("Go's %f for ratio messages", () => {
  it('prints six decimals of the exact binary value, ties to even', () => {
    assert.equal(formatFixed6(2), '2.000000');
    assert.equal(formatFixed6(5), '5.000000');
    assert.equal(formatFixed6(1 / 3), '0.333333');
    assert.equal(formatFixed6(2 / 3), '0.666667');
    // exactly half way: Go rounds to even (JavaScript's toFixed would round up)
    assert.equal(formatFixed6(1.5078125), '1.507812');
    assert.equal(formatFixed6(0.0078125), '0.007812');
    assert.equal(formatFixed6(1234567.25), '1234567.250000');
    assert.equal(formatFixed6(-2.5), '-2.500000');
  });
});
