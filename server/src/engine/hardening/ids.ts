/**
 * The hardening checks' IDs, the one list. It imports nothing, so the
 * protocol module (compiled into the VS Code extension as well) can build
 * the `podsec.severity` keys from it without pulling in the engine.
 */
export const HARDENING_CHECK_IDS = [
  'networkPolicyIsolation',
  'networkPolicyUnmatched',
  'resourceRequests',
  'resourceLimits',
  'quotaRejects',
  'limitRangeRejects',
  'secretInEnv',
  'serviceAccountToken',
  'secretManifest',
  'auditPolicy',
] as const;
export type HardeningCheckId = (typeof HARDENING_CHECK_IDS)[number];
