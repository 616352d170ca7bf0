/**
 * Upstream's Pod Security conformance fixtures, as the project carries them
 * (test/fixtures/psa): each distinct file once, and an index whose entries
 * expand back to every (level, version, pass/fail) case of upstream's
 * test/testdata tree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

export interface PsaCase {
  /** Upstream's path: <level>/v1.<minor>/<pass|fail>/<name>.yaml */
  path: string;
  level: 'baseline' | 'restricted';
  version: string;
  expect: 'pass' | 'fail';
  /** Check ID from the file name; null for base, base_linux, base_windows. */
  check: string | null;
  case?: number;
  /** Fail only: text upstream's harness requires in the denial message. */
  expectErrorSubstring?: string;
  /** Fail only: the checks that fire (from an independent reading of the spec). */
  derivedChecksFiring?: string[];
  /** The carried file. */
  file: string;
}

interface Entry {
  level: 'baseline' | 'restricted';
  versions: string;
  expect: 'pass' | 'fail';
  pod: string;
  check: string | null;
  case?: number;
  substring?: string;
  fires?: string[];
}

export interface PsaIndex {
  source: Record<string, string>;
  cases: number;
  files: number;
  entries: Entry[];
}

export const psaDir = (): string => join(repoRoot(), 'test', 'fixtures', 'psa');

export function readPsaIndex(): PsaIndex {
  return JSON.parse(readFileSync(join(psaDir(), 'index.json'), 'utf8')) as PsaIndex;
}

function minors(versions: string): number[] {
  const m = /^v1\.(\d+)(?:-v1\.(\d+))?$/.exec(versions);
  if (!m) throw new Error(`bad version range ${versions}`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from) throw new Error(`bad version range ${versions}`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Every case the carried index stands for, in upstream's path order. */
export function expandPsaCases(index: PsaIndex = readPsaIndex()): PsaCase[] {
  const out: PsaCase[] = [];
  for (const e of index.entries) {
    const name = e.pod.replace(/\.[0-9a-f]+\.yaml$/, '');
    for (const minor of minors(e.versions)) {
      const version = `v1.${minor}`;
      const c: PsaCase = {
        path: `${e.level}/${version}/${e.expect}/${name}.yaml`,
        level: e.level,
        version,
        expect: e.expect,
        check: e.check,
        file: join(psaDir(), 'pods', e.pod),
      };
      if (e.case !== undefined) c.case = e.case;
      if (e.substring !== undefined) c.expectErrorSubstring = e.substring;
      if (e.fires !== undefined) c.derivedChecksFiring = e.fires;
      out.push(c);
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The check upstream's denial names for a fail fixture: the check in the file
 * name, or the restricted check that replaces it at that level and version.
 */
export function namedCheck(check: string, level: string, minor: number): string {
  if (level !== 'restricted') return check;
  if (check === 'hostPathVolumes') return 'restrictedVolumes';
  if (check === 'seccompProfile_baseline' && minor >= 19) return 'seccompProfile_restricted';
  if (check === 'capabilities_baseline' && minor >= 22) return 'capabilities_restricted';
  if (check === 'procMount' && minor >= 35) return 'procMount_restricted';
  return check;
}
