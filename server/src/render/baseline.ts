/**
 * Baselines: the findings a repository already had when it adopted podsec.
 * A baseline is a previous `podsec --format json` or `--format sarif`
 * output (or what `--write-baseline` wrote, which is the JSON output); its
 * findings are known by their fingerprints (fingerprint.ts), so moving lines
 * or files' other content does not make an old finding new.
 */
import type { Finding } from '../engine/index';
import type { FileResult } from './fileResult';
import { FINGERPRINT_KEY, fingerprintsOf } from './fingerprint';

export interface Baseline {
  /** Fingerprints of the baseline's findings. */
  fingerprints: ReadonlySet<string>;
  /** Which output it was read from. */
  format: 'json' | 'sarif';
}

export class BaselineError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Reads a baseline from a previous JSON or SARIF output of podsec. Throws
 * `BaselineError` with a message for anything else (not JSON, another tool's
 * SARIF, an output without fingerprints).
 */
export function parseBaseline(text: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new BaselineError(`not JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) throw new BaselineError('not a podsec JSON or SARIF output');
  const fingerprints = new Set<string>();
  if (Array.isArray(doc.runs)) {
    let podsecRuns = 0;
    for (const run of doc.runs) {
      if (!isObject(run)) continue;
      const driver = isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : {};
      if (driver.name !== 'podsec') continue;
      podsecRuns++;
      for (const res of arrayOf(run.results)) {
        if (!isObject(res) || arrayOf(res.suppressions).length > 0) continue;
        const fp = isObject(res.partialFingerprints)
          ? res.partialFingerprints[FINGERPRINT_KEY]
          : undefined;
        if (typeof fp === 'string') fingerprints.add(fp);
      }
    }
    if (podsecRuns === 0) throw new BaselineError('a SARIF log without a podsec run');
    return { fingerprints, format: 'sarif' };
  }
  if (Array.isArray(doc.files)) {
    for (const file of doc.files) {
      if (!isObject(file)) continue;
      for (const f of arrayOf(file.findings)) {
        if (isObject(f) && typeof f.fingerprint === 'string') fingerprints.add(f.fingerprint);
      }
    }
    return { fingerprints, format: 'json' };
  }
  throw new BaselineError('not a podsec JSON or SARIF output (no "files" or "runs")');
}

/** Marks each result's findings that the baseline holds (`FileResult.existing`). */
export function applyBaseline(results: FileResult[], baseline: Baseline): void {
  for (const r of results) {
    const fps = fingerprintsOf(r);
    const existing = new Set<Finding>();
    for (const f of r.analysis.findings) {
      if (baseline.fingerprints.has(fps.finding(f))) existing.add(f);
    }
    r.existing = existing;
  }
}
