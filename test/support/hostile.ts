/**
 * Hostile YAML the engine, server and benchmark tests share: the billion
 * laughs, an alias flood, nesting 10,000 deep.
 */

/** The head of a Pod document named `name`, up to its `spec:`. */
export const podHead = (name: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n`;

/** The billion laughs: 9 levels of 9 aliases each, 9^9 leaves if expanded (`l9` the top). */
export function laughs(indent = ''): string {
  let out = `${indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n`;
  for (let i = 1; i <= 9; i++) {
    out += `${indent}l${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(', ')}]\n`;
  }
  return out;
}

/** The billion laughs as the containers of a Pod. */
export const laughsPod = (head: string): string => `${head}${laughs()}spec:\n  containers: *l9\n`;

/** A Pod whose containers are `n` aliases of one container, in one flow sequence. */
export const aliasFlood = (head: string, n: number, container = '{name: a, image: a}'): string =>
  `${head}c: &c ${container}\nspec:\n  containers: [${Array(n).fill('*c').join(', ')}]\n`;

/** A flow sequence nested 10,000 deep, unclosed. */
export const DEEP_FLOW = '['.repeat(10_000);
/** A block sequence nested 10,000 deep. */
export const DEEP_BLOCK = `${'- '.repeat(10_000)}x\n`;
