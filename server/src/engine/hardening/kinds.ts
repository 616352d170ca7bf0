/**
 * The kinds the hardening checks read, declared here beside them: workloads
 * (through the Pod Security checks' reader), NetworkPolicies and the policy
 * kinds of other network engines (network.ts), LimitRanges and
 * ResourceQuotas (resources.ts), ServiceAccounts and Secrets (secrets.ts)
 * and audit Policies (audit.ts).
 */
import type { KindReader } from '../types';
import { apiGroup } from '../workloads';

const CORE = new Set(['LimitRange', 'ResourceQuota', 'ServiceAccount', 'Secret']);

export const HARDENING_READER: KindReader = {
  reader: 'the hardening checks',
  reads: (apiVersion, kind) =>
    CORE.has(kind) ||
    /NetworkPolicy$/.test(kind) ||
    (kind === 'Policy' && apiGroup(apiVersion) === 'audit.k8s.io'),
};
