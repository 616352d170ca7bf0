/** Locating the repository from compiled tests. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The repository root: the nearest folder above this file whose package.json is named "podsec". */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const { name } = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string };
      if (name === 'podsec') return (cached = dir);
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('podsec repository root not found');
    dir = up;
  }
}

/**
 * The shared folder beside the repository that holds third-party test data
 * (upstream's conformance fixtures, the real-world corpus): `../shared`, or
 * the folder PODSEC_SHARED_DIR names (point it at a missing folder to run as
 * a fresh clone does).
 */
export function sharedDir(): string {
  return process.env.PODSEC_SHARED_DIR ?? join(repoRoot(), '..', 'shared');
}
