/**
 * The fast test set for daily work (`npm run test:fast`, which sets
 * PODSEC_TEST_FAST=1) runs property tests with a tenth of their iterations;
 * `npm test` runs the full count. A test that runs fewer says so in its output.
 */
export const FAST = process.env.PODSEC_TEST_FAST === '1';

/**
 * How many iterations to run of `full`: all of them, a tenth in the fast set,
 * or what an environment variable asks for. `note` says which, for the test's output.
 */
export function iterations(full: number, fromEnv?: string): { n: number; note: string } {
  if (fromEnv !== undefined && fromEnv !== '') {
    return {
      n: Number(fromEnv),
      note: `${fromEnv} runs set by the environment (full count ${full})`,
    };
  }
  if (!FAST) return { n: full, note: `full count: ${full}` };
  const n = Math.max(1, Math.ceil(full / 10));
  return { n, note: `fast set: ${n} of ${full}; npm test runs all ${full}` };
}
