/** Every function a chart's templates can call: Go's builtins, Sprig's, Helm's. */
import { AND, OR } from '../template/exec';
import type { Func } from '../template/exec';
import { helmFuncs } from './helm';
import { builtinFuncs, Rand, sprigFuncs } from './sprig';

/** A fresh function map (its random functions start from the same seed: renders are reproducible). */
export function chartFuncs(): Map<string, Func> {
  const m = new Map<string, Func>();
  for (const [k, v] of builtinFuncs()) m.set(k, v);
  m.set('and', AND);
  m.set('or', OR);
  for (const [k, v] of sprigFuncs(new Rand())) m.set(k, v);
  for (const [k, v] of helmFuncs()) m.set(k, v);
  return m;
}
