/**
 * The incremental analysis behind the language server: an edit re-parses and
 * re-evaluates only the YAML documents it touched, a policy change
 * re-evaluates all of them, and the result is always exactly what a fresh
 * analysis of the same text gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, AnalysisCache } from '@podsec/server';
import type { AnalyzeOptions } from '@podsec/server';
import { podYaml } from '../support/manifests';

function pod(name: string, privileged: boolean): string {
  return podYaml({ name, securityContext: { privileged } });
}

const DOCS = 6;
const TEXT = Array.from({ length: DOCS }, (_, i) => pod(`p${i}`, i % 2 === 0)).join('---\n');

function same(cache: AnalysisCache, text: string, o: AnalyzeOptions = {}): void {
  assert.deepEqual(cache.analyze(text, o), analyze(text, o));
}

describe('incremental analysis', () => {
  it('an edit inside one document re-parses and re-evaluates that document only', () => {
    const cache = new AnalysisCache();
    same(cache, TEXT);
    assert.equal(cache.lastParsed, DOCS);
    assert.equal(cache.lastEvaluated, DOCS);
    const edited = TEXT.replace('name: p3', 'name: p3x');
    same(cache, edited);
    assert.equal(cache.lastParsed, 1);
    assert.equal(cache.lastEvaluated, 1);
    // the same text again: nothing to do
    same(cache, edited);
    assert.equal(cache.lastParsed, 0);
    assert.equal(cache.lastEvaluated, 0);
  });

  it('an edit that shifts the documents after it moves their findings to the right place', () => {
    const cache = new AnalysisCache();
    same(cache, TEXT);
    const longer = TEXT.replace('name: p1', 'name: p1-with-a-much-longer-name\n  labels: {a: b}');
    same(cache, longer);
    assert.equal(cache.lastParsed, 1);
    const privileged = cache
      .analyze(longer)
      .findings.filter((f) => f.check === 'privileged')
      .map((f) => longer.slice(f.span.start, f.span.end));
    assert.deepEqual(privileged, ['privileged: true', 'privileged: true', 'privileged: true']);
  });

  it('a policy change re-evaluates every document (parsing them again) with the same result as fresh', () => {
    const cache = new AnalysisCache();
    same(cache, TEXT);
    same(cache, TEXT, { level: 'baseline', version: 'v1.20' });
    assert.equal(cache.lastEvaluated, DOCS);
    same(cache, TEXT, { level: 'privileged' });
    same(cache, TEXT);
    assert.equal(cache.lastEvaluated, DOCS);
  });

  it('adding and removing documents', () => {
    const cache = new AnalysisCache();
    same(cache, TEXT);
    const more = `${TEXT}---\n${pod('extra', true)}`;
    same(cache, more);
    assert.equal(cache.lastParsed, 1);
    const parts = TEXT.split('---\n');
    const fewer = [parts[0], ...parts.slice(3)].join('---\n'); // two removed from the middle
    same(cache, fewer);
    assert.equal(cache.lastParsed, 0, 'documents seen before are not parsed again');
  });
});
