/**
 * Upstream's Pod Security conformance fixtures (k8s.io/pod-security-admission
 * test/testdata), read where they live: `conformance/psa` in the shared folder
 * beside the repository (see its README.md for the layout and index.json).
 * The project carries no copy; when the folder is absent, `readUpstream`
 * says where it looked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDir } from './paths';

/** How many cases upstream's fixture set has (index.json and the README's counts). */
export const UPSTREAM_CASES = 4537;

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
}

export type Upstream =
  | { found: true; dir: string; cases: PsaCase[]; source: Record<string, string> }
  | { found: false; dir: string };

export const psaDir = (): string => join(sharedDir(), 'conformance', 'psa');

/** Upstream's cases from index.json, sorted by path; `found: false` when the folder is absent. */
export function readUpstream(dir = psaDir()): Upstream {
  const index = join(dir, 'index.json');
  if (!existsSync(index)) return { found: false, dir };
  const { source, fixtures } = JSON.parse(readFileSync(index, 'utf8')) as {
    source: Record<string, string>;
    fixtures: PsaCase[];
  };
  const cases = [...fixtures].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { found: true, dir, cases, source };
}
