/**
 * Fingerprints: a finding's identity across commits, for SARIF's
 * `partialFingerprints`, the JSON output and baselines.
 *
 * A fingerprint hashes what a finding is about, never where it sits: the
 * file (`FileResult.id`: relative to the working folder, with `/`
 * separators and no leading `./`), the object's
 * kind, namespace and name, the container, the check and the field path.
 * Lines inserted above a finding, or a reordered file, leave it unchanged;
 * renaming the object, the container or the file changes it. An object
 * without a name is known by its document (and List item) index instead.
 * Two findings of one file with the same parts (the same check on the same
 * field of two unnamed objects in one document, say) get `#2`, `#3`… in the
 * order they appear, so every fingerprint of a run is distinct.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic, Finding } from '../engine/index';
import type { FileResult } from './fileResult';

/** The key of podsec's fingerprint in SARIF's `partialFingerprints`. */
export const FINGERPRINT_KEY = 'podsec/v1';

/** The path as fingerprints and baselines compare it. */
export function fingerprintPath(path: string): string {
  let p = path.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

function hash(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** What a finding is about, as the parts its fingerprint hashes. */
export function findingParts(r: FileResult, f: Finding): string[] {
  const o = f.object;
  const who = o.name ?? `#${o.document}${o.item === null ? '' : `.${o.item}`}`;
  // A finding about a comment (an invalid suppression) is known by the comment's text.
  const what = f.path !== '' ? f.path : r.text.slice(f.span.start, f.span.end).trim();
  return [
    fingerprintPath(r.id ?? r.path),
    o.kind,
    o.namespace ?? '',
    who,
    f.container ?? '',
    f.check,
    what,
  ];
}

/**
 * Fingerprints of one file's findings, suppressed findings and errors, in
 * the order given; duplicates are numbered as the header says.
 */
export class Fingerprints {
  private readonly seen = new Map<string, number>();
  private readonly cache = new WeakMap<object, string>();

  constructor(private readonly r: FileResult) {}

  private unique(parts: string[], key: object): string {
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    const base = hash(parts);
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    const fp = n === 1 ? base : hash([...parts, `#${n}`]);
    this.cache.set(key, fp);
    return fp;
  }

  finding(f: Finding): string {
    return this.unique(findingParts(this.r, f), f);
  }

  diagnostic(d: Diagnostic): string {
    return this.unique([fingerprintPath(this.r.id ?? this.r.path), d.code, d.message], d);
  }

  readError(): string {
    return hash([fingerprintPath(this.r.id ?? this.r.path), 'read', this.r.readError ?? '']);
  }
}

const perFile = new WeakMap<FileResult, Fingerprints>();

/**
 * The fingerprints of a file's results. Findings are numbered in the order
 * the analysis lists them (findings, then suppressed ones), whichever
 * renderer asks first, so every renderer and the baseline agree.
 */
export function fingerprintsOf(r: FileResult): Fingerprints {
  let fp = perFile.get(r);
  if (!fp) {
    fp = new Fingerprints(r);
    for (const f of allFindings(r)) fp.finding(f);
    for (const d of r.analysis.errors) fp.diagnostic(d);
    perFile.set(r, fp);
  }
  return fp;
}

/** A file's findings, reported and suppressed, in order of position. */
export function allFindings(r: FileResult): Finding[] {
  const all: Finding[] = [...r.analysis.findings, ...(r.analysis.suppressed ?? [])];
  return all.sort((a, b) => a.span.start - b.span.start);
}
