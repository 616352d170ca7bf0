/**
 * What podsec writes to standard error quotes repository content too (a
 * chart's `fail` message, Kustomize's errors, a baseline path from
 * `.podsec.yaml`): control characters in it are shown, never sent raw.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli as runCli } from '../support/cli';
import type { Ran } from '../support/cli';

/** On a terminal, where raw escape sequences would do harm. */
const cli = (args: string[], cwd?: string): Ran =>
  runCli(args, { isTTY: true, ...(cwd !== undefined ? { cwd } : {}) });

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('standard error shows control characters from repository content', () => {
  it("a chart's fail message with an escape sequence (podsec render)", () => {
    const chart = mkdtempSync(join(tmpdir(), 'podsec-stderr-chart-'));
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n');
    mkdirSync(join(chart, 'templates'));
    writeFileSync(join(chart, 'templates', 'x.yaml'), '{{ fail "boom\\x1b]0;PWNED\\x07" }}\n');
    const r = cli(['render', chart]);
    assert.equal(r.code, 1);
    assert.match(r.err, /boom\\x1b\]0;PWNED\\x07/);
    assert.doesNotMatch(r.err, RAW);
  });

  it("Kustomize's error naming a resource with an escape sequence (podsec render)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-stderr-kust-'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - "gone\\e[2K.yaml"\n');
    const r = cli(['render', dir]);
    assert.equal(r.code, 1);
    assert.match(r.err, /gone\\x1b\[2K\.yaml/);
    assert.doesNotMatch(r.err, RAW);
  });

  it('a baseline path from .podsec.yaml with an escape sequence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podsec-stderr-base-'));
    writeFileSync(join(dir, '.podsec.yaml'), 'baseline: "b\\e]52;c;ZXZpbA==\\a.json"\n');
    writeFileSync(join(dir, 'p.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    const r = cli([join(dir, 'p.yaml')], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read the baseline .*b\\x1b\]52;c;ZXZpbA==\\x07\.json/);
    assert.doesNotMatch(r.err, RAW);
  });
});
