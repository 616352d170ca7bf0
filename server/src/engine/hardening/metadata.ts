/**
 * What each hardening check checks and why, for hovers, docs and SARIF
 * rules. References are Kubernetes documentation pages.
 */
import type { Severity } from '../types';
import type { HardeningCheckId } from './results';

export interface HardeningCheckInfo {
  id: HardeningCheckId;
  family: 'hardening';
  /** The practice the check belongs to. */
  area: 'network' | 'resources' | 'secrets' | 'audit';
  title: string;
  /** What the check looks at and when it reports. */
  checks: string;
  /** Why it matters. */
  why: string;
  /** What passes. */
  allowed: string;
  defaultSeverity: Severity;
  /** The quick fix offered, or null. Hardening fixes are never preferred. */
  fix: string | null;
  references: readonly string[];
}

const DOCS = 'https://kubernetes.io/docs';

export const HARDENING_CHECKS: Readonly<Record<HardeningCheckId, HardeningCheckInfo>> = {
  networkPolicyIsolation: {
    id: 'networkPolicyIsolation',
    family: 'hardening',
    area: 'network',
    title: 'Pods isolated by a NetworkPolicy',
    checks:
      "For each workload, the NetworkPolicies (networking.k8s.io/v1) of its namespace in the workspace whose podSelector matches its pod labels, with policyTypes defaulted as the API server does (Ingress always, Egress when the policy has egress rules). Reports a workload isolated in neither direction, on its pod template's labels.",
    why: 'A pod no NetworkPolicy selects accepts connections from every pod of the cluster and can reach every destination: one compromised pod can reach all the others.',
    allowed:
      'At least one NetworkPolicy selecting the pods with Ingress or Egress among its policy types, for example a default deny (podSelector: {}) in the namespace.',
    defaultSeverity: 'information',
    fix: 'Add a default-deny NetworkPolicy for the namespace, as a new YAML document (in a Kustomize overlay, a new file of the overlay listed in its resources); it blocks all traffic, DNS included, until other policies allow it.',
    references: [
      `${DOCS}/concepts/services-networking/network-policies/`,
      `${DOCS}/concepts/services-networking/network-policies/#default-policies`,
    ],
  },
  networkPolicyUnmatched: {
    id: 'networkPolicyUnmatched',
    family: 'hardening',
    area: 'network',
    title: 'NetworkPolicy selects no workload',
    checks:
      'A NetworkPolicy whose podSelector matches no workload of its namespace in the workspace (only for namespaces with workloads in the workspace).',
    why: 'A selector that matches nothing usually has a typo in a label key or value: the pods it was meant to protect stay unisolated.',
    allowed: 'A podSelector that matches the pod labels of at least one workload of the namespace.',
    defaultSeverity: 'information',
    fix: null,
    references: [
      `${DOCS}/concepts/services-networking/network-policies/`,
      `${DOCS}/concepts/overview/working-with-objects/labels/#label-selectors`,
    ],
  },
  resourceRequests: {
    id: 'resourceRequests',
    family: 'hardening',
    area: 'resources',
    title: 'CPU and memory requests',
    checks:
      "Each container and init container, after the API server's defaulting (a missing request defaults to the limit) and the LimitRange defaults of its namespace, must request CPU and memory (or the pod sets pod-level resources).",
    why: 'The scheduler places pods by their requests: without them a node is overcommitted, and the pod is among the first evicted under memory pressure (BestEffort or Burstable QoS).',
    allowed:
      'resources.requests.cpu and resources.requests.memory set, directly, from the limit, or by a LimitRange default.',
    defaultSeverity: 'warning',
    fix: 'Add the missing requests with placeholder values (100m CPU, 128Mi memory) that you must edit.',
    references: [
      `${DOCS}/concepts/configuration/manage-resources-containers/`,
      `${DOCS}/concepts/policy/limit-range/`,
    ],
  },
  resourceLimits: {
    id: 'resourceLimits',
    family: 'hardening',
    area: 'resources',
    title: 'Memory limit',
    checks:
      'Each container and init container, after the LimitRange defaults of its namespace, must have a memory limit. A CPU limit is required only when configured (option requireCpuLimit): current practice leaves CPU unlimited to avoid throttling.',
    why: 'Without a memory limit one container can take the memory of its whole node, and the kernel kills other pods.',
    allowed:
      'resources.limits.memory set, directly or by a LimitRange default (or a pod-level memory limit).',
    defaultSeverity: 'warning',
    fix: 'Add the missing limit: the memory request when the container has one, else a placeholder (128Mi) that you must edit.',
    references: [
      `${DOCS}/concepts/configuration/manage-resources-containers/`,
      `${DOCS}/tasks/administer-cluster/manage-resources/memory-default-namespace/`,
    ],
  },
  quotaRejects: {
    id: 'quotaRejects',
    family: 'hardening',
    area: 'resources',
    title: 'Pods a ResourceQuota rejects',
    checks:
      "ResourceQuotas of the workload's namespace in the workspace whose scopes (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, CrossNamespacePodAffinity) and scopeSelector match the pods: when one tracks cpu or memory (requests or limits), every container and init container must set it ('must specify …'), unless the pod sets pod-level resources; and one pod's usage, or its replicas' together, must fit in the quota's hard limits ('exceeded quota …'). Messages are the API server's.",
    why: 'The API server rejects such pods at creation: a Deployment then shows no pods, and the reason is only in the ReplicaSet events.',
    allowed: 'Containers that set every resource the quota tracks, and usage within hard.',
    defaultSeverity: 'warning',
    fix: 'Add the resources the quota requires, with placeholder values that you must edit.',
    references: [
      `${DOCS}/concepts/policy/resource-quotas/`,
      `${DOCS}/reference/access-authn-authz/admission-controllers/#resourcequota`,
    ],
  },
  limitRangeRejects: {
    id: 'limitRangeRejects',
    family: 'hardening',
    area: 'resources',
    title: 'Pods a LimitRange rejects',
    checks:
      "LimitRanges of the workload's namespace in the workspace, applied as the LimitRanger admission plugin does: defaults first, then min, max and maxLimitRequestRatio per Container (each container and init container) and per Pod (the pod's totals, sidecars included). Also a request its defaulted limit makes invalid. Messages are the LimitRanger's.",
    why: 'The API server rejects such pods at creation, so the workload never runs.',
    allowed: 'Requests and limits within the LimitRange bounds.',
    defaultSeverity: 'warning',
    fix: null,
    references: [
      `${DOCS}/concepts/policy/limit-range/`,
      `${DOCS}/reference/access-authn-authz/admission-controllers/#limitranger`,
    ],
  },
  secretInEnv: {
    id: 'secretInEnv',
    family: 'hardening',
    area: 'secrets',
    title: 'Literal credential in an environment variable',
    checks:
      'env[].value of every container: a value that looks like a credential (a private key, a URL with a password, a well-known token format), or a literal under a name like *_PASSWORD, *_TOKEN, *_SECRET, *_KEY or *_APIKEY that is not empty, a path, a reference ($(VAR), ${VAR}, a secret manager URI), a URL, a boolean, a number or a placeholder (changeme, <password>, xxx…). Messages never repeat the value.',
    why: 'A literal in the manifest is in the repository, in every copy of the pod spec and visible to everyone who can read the workload.',
    allowed: 'valueFrom.secretKeyRef (or a file from a Secret volume).',
    defaultSeverity: 'warning',
    fix: 'Replace the value with valueFrom.secretKeyRef to a placeholder Secret (<workload>-secrets) you must create.',
    references: [
      `${DOCS}/concepts/configuration/secret/#using-secrets-as-environment-variables`,
      `${DOCS}/concepts/security/secrets-good-practices/`,
    ],
  },
  serviceAccountToken: {
    id: 'serviceAccountToken',
    family: 'hardening',
    area: 'secrets',
    title: 'ServiceAccount token mounted',
    checks:
      "Whether the API server mounts a ServiceAccount token into the pods: the pod's automountServiceAccountToken, else its ServiceAccount's (serviceAccountName, else default; when in the workspace), else true. Reported on the line that decides it. Containers that mount their own volume at /var/run/secrets/kubernetes.io/serviceaccount get no token.",
    why: 'Every process of the pod can call the Kubernetes API with the ServiceAccount permissions; most workloads never need it.',
    allowed:
      'automountServiceAccountToken: false on the pod or its ServiceAccount; a workload that needs the API records it with a suppression and its reason.',
    defaultSeverity: 'information',
    fix: 'Set automountServiceAccountToken: false in the pod spec (the workload may need the API).',
    references: [
      `${DOCS}/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting`,
      `${DOCS}/concepts/security/service-accounts/`,
    ],
  },
  secretManifest: {
    id: 'secretManifest',
    family: 'hardening',
    area: 'secrets',
    title: 'Secret committed with its values',
    checks:
      'A core Secret (v1) with non-empty values in data or stringData. SealedSecret, ExternalSecret and other kinds are not Secrets; a Secret with empty data is not reported.',
    why: 'base64 is not encryption: a Secret committed to a repository leaks to everyone who can read it, and stays in its history.',
    allowed:
      'Secrets created from a secret store, or committed encrypted (SealedSecret, SOPS) or as references (ExternalSecret).',
    defaultSeverity: 'warning',
    fix: null,
    references: [
      `${DOCS}/concepts/configuration/secret/`,
      `${DOCS}/concepts/security/secrets-good-practices/`,
    ],
  },
  auditPolicy: {
    id: 'auditPolicy',
    family: 'hardening',
    area: 'audit',
    title: 'Audit policy gaps',
    checks:
      'An audit.k8s.io/v1 Policy, evaluated as the API server does (rules in order, first match wins, else None), over a fixed set of requests: reading and writing Secrets and ConfigMaps, creating TokenReviews, exec/attach/port-forward, creating Pods and workloads, and RBAC changes. Reports, on the deciding rule: secret bodies logged at Request/RequestResponse, exec/attach/port-forward not logged, pod and workload creation not logged, RBAC changes not logged.',
    why: 'Bodies at Request/RequestResponse copy secrets into the log; unlogged exec, RBAC changes and pod creation hide an intrusion, and without logged pod creation Pod Security audit annotations are never recorded.',
    allowed:
      'Metadata level for Secrets, ConfigMaps and TokenReviews; at least Metadata for exec/attach/port-forward, pod and workload creation and RBAC changes.',
    defaultSeverity: 'warning',
    fix: 'Insert a Metadata rule for the affected resources before the deciding rule.',
    references: [
      `${DOCS}/tasks/debug/debug-cluster/audit/`,
      `${DOCS}/reference/config-api/apiserver-audit.v1/`,
      `${DOCS}/concepts/security/pod-security-admission/`,
    ],
  },
};
