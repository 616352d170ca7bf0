/**
 * Secrets and tokens.
 *
 * `secretInEnv`: a literal credential in a container's `env[].value`.
 * By the value, whatever the name: a PEM private key block, a URL with a
 * password (`scheme://user:password@host`), or a well-known token format
 * (AWS access key IDs, GitHub, GitLab, Slack, Stripe, Google API keys,
 * npm, SendGrid, JSON Web Tokens). By the name (`*_PASSWORD`, `*_TOKEN`,
 * `*_SECRET`, `*_KEY`, `*_APIKEY`, …) only when the value is a literal:
 * not empty, not a path, not a reference (`$(VAR)`, `${VAR}`, a secret
 * manager URI), not a plain URL, not a boolean or a number, and not a
 * placeholder (`changeme`, `<password>`, `xxx`, `TODO`…): a placeholder
 * leaks nothing, and a real value has to replace it before it works.
 * Messages never repeat the value.
 *
 * `serviceAccountToken`: whether the API server mounts a ServiceAccount
 * token into the pods (plugin/pkg/admission/serviceaccount): the pod's
 * `automountServiceAccountToken` wins; else the ServiceAccount's
 * (`serviceAccountName`, else the deprecated `serviceAccount`, else
 * `default`; found in the workspace); else true. A container that already
 * mounts something at /var/run/secrets/kubernetes.io/serviceaccount gets
 * no token; mirror (static) pods get none.
 *
 * `secretManifest`: a core `Secret` with values in `data` or `stringData`
 * (SealedSecret, ExternalSecret and other kinds are not Secrets).
 */
import type { JsonObject, JsonValue, KubeObject, Path } from './model';
import {
  apiVersionOf,
  at,
  isObject,
  kindOf,
  list,
  nameOf,
  pathString,
  quoted,
  refOf,
  short,
  str,
} from './model';
import { containerTitle, workloadTitle } from './pods';
import type { Workload } from './pods';
import { contentKey, WorkloadMemo } from './memo';
import type { WorkloadOutput } from './memo';
import type { HardeningFinding, HardeningFix, HardeningNote } from './results';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** Well-known credential formats, detected by the value alone. */
const VALUE_PATTERNS: ReadonlyArray<{ what: string; re: RegExp }> = [
  { what: 'a private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { what: 'an AWS access key ID', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/ },
  {
    what: 'a GitHub token',
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/,
  },
  { what: 'a GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { what: 'a Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  {
    what: 'a Slack webhook URL',
    re: /hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]+/,
  },
  { what: 'a Stripe key', re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}\b/ },
  { what: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: 'an npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { what: 'a SendGrid API key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
  {
    what: 'a JSON Web Token',
    re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/,
  },
];

/** Last words of an env name that mark a credential (compared lower case). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'key',
  'apikey',
  'credential',
  'credentials',
]);
/** Words before `key` that make it a non-secret (a public key, a key's name or id). */
const NOT_SECRET_BEFORE_KEY = new Set([
  'public',
  'pub',
  'partition',
  'sort',
  'primary',
  'cache',
  'routing',
  'idempotency',
  'object',
  's3',
  'shard',
]);

const PLACEHOLDER = new RegExp(
  [
    '^(?:change[-_ ]?me|changeit|replace[-_ ]?me|to[-_ ]?do|tbd|fixme|placeholder|dummy|example|sample|test|secret|password|passwd|pass|token|key|none|null|nil|undefined|empty|redacted|unset|not[-_ ]?set)$',
    '^<[^<>]*>$',
    '^\\[[^[\\]]*\\]$',
    '^(?:x+|\\*+|\\.+|-+|_+|#+|\\?+)$',
    '^your[-_ ]',
    '^(?:my|some)[-_ ]?(?:password|secret|token|key)$',
  ].join('|'),
  'i',
);
const REFERENCE = /\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}|\{\{[^}]*\}\}/;
const MANAGER_URI =
  /^(?:arn:aws[a-z-]*:|vault:|ref\+|sm:\/\/|ssm:|secretsmanager:|awssm:|azkv:|gcpsm:|projects\/[^/]+\/secrets\/|op:\/\/|secret:\/\/)/i;
const PATH = /^(?:\/|\.\.?\/|~\/|file:|[A-Za-z]:\\)/;
const URL_NO_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*(?:[/?#]\S*)?$/i;
const BOOLEAN_OR_NUMBER =
  /^(?:true|false|yes|no|on|off|y|n|enabled?|disabled?|[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|0x[0-9a-f]+)$/i;
const URL_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/([^/@:\s]*):([^/@\s]+)@/i;

/** Split an env name into words (snake, kebab, dotted, camelCase). */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[_\-.\s]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** Whether an env name says the value is a credential. */
export function secretName(name: string): boolean {
  const w = words(name);
  const last = w[w.length - 1];
  if (last === undefined) return false;
  if (last === 'key' && w.length > 1 && NOT_SECRET_BEFORE_KEY.has(w[w.length - 2] as string))
    return false;
  if (last === 'key' && w.length === 1) return false;
  if (SECRET_WORDS.has(last)) return true;
  // PRIVATE_KEY_PEM, API_KEY_VALUE … are rare; a secret word followed by a format word still counts
  return (
    w.length > 1 &&
    SECRET_WORDS.has(w[w.length - 2] as string) &&
    ['pem', 'value', 'b64', 'base64'].includes(last)
  );
}

/** Why a value is not a literal credential (by the name rule), or null when it is one. */
export function notLiteral(value: string): string | null {
  const v = value.trim();
  if (v.length === 0) return 'empty';
  if (REFERENCE.test(v)) return 'a reference';
  if (MANAGER_URI.test(v)) return 'a secret manager reference';
  if (PATH.test(v)) return 'a path';
  if (BOOLEAN_OR_NUMBER.test(v)) return 'a boolean or a number';
  if (PLACEHOLDER.test(v)) return 'a placeholder';
  if (URL_NO_USERINFO.test(v)) return 'a URL';
  return null;
}

/** What credential a value looks like by its format, or null. */
export function credentialInValue(value: string): string | null {
  for (const p of VALUE_PATTERNS) if (p.re.test(value)) return p.what;
  const url = URL_CREDENTIALS.exec(value.trim());
  if (url) {
    const password = decodeURIComponentSafe(url[2] ?? '');
    if (password.length > 0 && notLiteral(password) === null) return 'a URL with a password';
  }
  return null;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A Secret key from an env name: DB_PASSWORD → db-password. */
function secretKeyFor(name: string): string {
  const k = words(name)
    .join('-')
    .replace(/[^a-z0-9-]/g, '');
  return k.length > 0 ? k.slice(0, 63) : 'value';
}

function secretNameFor(w: Workload): string {
  const base = (nameOf(w.object) ?? 'app')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${(base || 'app').slice(0, 50)}-secrets`;
}

export interface TokenMount {
  object: ReturnType<typeof refOf>;
  file: string;
  namespace: string;
  serviceAccount: string;
  /** Whether the API server mounts a token. */
  mounted: boolean;
  /** What decides: the pod's field, the ServiceAccount's field, or the default (true). */
  decidedBy: 'pod' | 'serviceAccount' | 'default' | 'mirrorPod' | 'ownMounts';
  /** The ServiceAccount was found in the workspace. */
  serviceAccountFound: boolean;
}

export interface SecretsResult {
  findings: HardeningFinding[];
  notes: HardeningNote[];
  tokens: TokenMount[];
}

function spanOf(o: KubeObject, path: Path) {
  return o.locate(path) ?? o.locate([]) ?? { start: 0, end: 0 };
}

function existingPath(v: JsonValue, path: Path): Path {
  for (let n = path.length; n > 0; n--)
    if (at(v, path.slice(0, n)) !== undefined) return path.slice(0, n);
  return [];
}

/** Workload results kept from run to run (see memo.ts). */
const SECRETS_MEMO = WorkloadMemo.of<TokenMount>();

/** One workload's literal credentials and token mount, under the ServiceAccounts of the workspace. */
function workloadSecrets(
  w: Workload,
  serviceAccounts: ReadonlyMap<string, KubeObject>,
): WorkloadOutput<TokenMount> {
  const findings: HardeningFinding[] = [];
  const notes: HardeningNote[] = [];
  const o = w.object;
  // secretInEnv
  for (const c of w.allContainers) {
    list(c.value['env']).forEach((e, i) => {
      if (!isObject(e)) return;
      const name = str(e['name']) ?? '';
      const v = e['value'];
      if (typeof v !== 'string') return;
      const what =
        credentialInValue(v) ??
        (secretName(name) && notLiteral(v) === null ? 'a literal credential (by its name)' : null);
      if (!what) return;
      const envPath: Path = [...c.path, 'env', i];
      const fix: HardeningFix = {
        title: `Move ${short(name, 40)} to a Secret (secretKeyRef placeholder: create the Secret)`,
        preferred: false,
        file: o.file,
        document: o.document,
        item: o.item,
        ops: [
          { op: 'remove', path: [...envPath, 'value'] },
          {
            op: 'set',
            path: [...envPath, 'valueFrom'],
            value: { secretKeyRef: { name: secretNameFor(w), key: secretKeyFor(name) } },
          },
        ],
      };
      findings.push({
        check: 'secretInEnv',
        family: 'hardening',
        severity: 'warning',
        message: `${containerTitle(c)} of ${workloadTitle(w)} sets env ${quoted(name, 40)} to ${what} (value redacted): a literal in the manifest leaks to everyone who can read it or the pod spec; take it from a Secret (valueFrom.secretKeyRef)`,
        action: `take env ${short(name, 28)} from a Secret (valueFrom.secretKeyRef)`,
        path: pathString([...envPath, 'value']),
        file: o.file,
        span: spanOf(o, [...envPath, 'value']),
        object: refOf(o),
        container: c.name,
        fixes: [fix],
      });
    });
  }

  // serviceAccountToken
  const spec: JsonObject = w.spec;
  const saName = str(spec['serviceAccountName']) || str(spec['serviceAccount']) || 'default';
  const sa = serviceAccounts.get(`${o.namespace}/${saName}`);
  const podField = spec['automountServiceAccountToken'];
  const saField = sa ? sa.value['automountServiceAccountToken'] : undefined;
  let mounted: boolean;
  let decidedBy: TokenMount['decidedBy'];
  if (
    w.kind === 'Pod' &&
    isObject(w.metadata['annotations']) &&
    MIRROR_ANNOTATION in w.metadata['annotations']
  ) {
    mounted = false;
    decidedBy = 'mirrorPod';
  } else if (typeof podField === 'boolean') {
    mounted = podField;
    decidedBy = 'pod';
  } else if (typeof saField === 'boolean') {
    mounted = saField;
    decidedBy = 'serviceAccount';
  } else {
    mounted = true;
    decidedBy = 'default';
  }
  if (mounted) {
    const ownMount = (cv: JsonObject) =>
      list(cv['volumeMounts']).some((m) => isObject(m) && m['mountPath'] === TOKEN_MOUNT_PATH);
    if (w.containers.length > 0 && w.containers.every((c) => ownMount(c.value))) {
      mounted = false;
      decidedBy = 'ownMounts';
    }
  }
  const record: TokenMount = {
    object: refOf(o),
    file: o.file,
    namespace: o.namespace,
    serviceAccount: saName,
    mounted,
    decidedBy,
    serviceAccountFound: sa !== undefined,
  };
  if (!mounted) return { findings, notes, record };
  const specPath: Path = [...w.template, 'spec'];
  const fix: HardeningFix = {
    title: `Set automountServiceAccountToken: false in the pod spec of ${workloadTitle(w)}`,
    preferred: false,
    file: o.file,
    document: o.document,
    item: o.item,
    ops: [{ op: 'set', path: [...specPath, 'automountServiceAccountToken'], value: false }],
  };
  const saTitle = `ServiceAccount ${quoted(saName)}`;
  // The ServiceAccount's own field, when it is in the workspace: it decides for every pod that
  // sets none (so the fix is offered as such), wherever its file is.
  const saFix: HardeningFix | null = sa
    ? {
        title: `Set automountServiceAccountToken: false on ${saTitle} (every pod using it that sets none)`,
        preferred: false,
        file: sa.file,
        document: sa.document,
        item: sa.item,
        ops: [{ op: 'set', path: ['automountServiceAccountToken'], value: false }],
      }
    : null;
  const base = `the API server mounts a token of ${saTitle} into the pods of ${workloadTitle(w)}, so any process in them can call the Kubernetes API with its permissions`;
  if (decidedBy === 'serviceAccount' && sa) {
    findings.push({
      check: 'serviceAccountToken',
      family: 'hardening',
      severity: 'information',
      message: `${base} (decided by the ServiceAccount's automountServiceAccountToken: true)`,
      action: `set automountServiceAccountToken to false (ServiceAccount ${short(saName, 28)} sets true)`,
      path: 'automountServiceAccountToken',
      file: sa.file,
      span: spanOf(sa, ['automountServiceAccountToken']),
      object: refOf(o),
      container: null,
      fixes: saFix ? [saFix, fix] : [fix],
    });
  } else if (decidedBy === 'pod') {
    findings.push({
      check: 'serviceAccountToken',
      family: 'hardening',
      severity: 'information',
      message: `${base} (decided by the pod's automountServiceAccountToken: true)`,
      action: 'set automountServiceAccountToken to false',
      path: pathString([...specPath, 'automountServiceAccountToken']),
      file: o.file,
      span: spanOf(o, [...specPath, 'automountServiceAccountToken']),
      object: refOf(o),
      container: null,
      fixes: [fix],
    });
  } else {
    const where = sa
      ? `neither the pod nor ${saTitle} sets automountServiceAccountToken, and it defaults to true`
      : `the pod does not set automountServiceAccountToken and ${saTitle} is not in the workspace${saName === 'default' ? '' : ' (its own setting may turn this off)'}; it defaults to true`;
    findings.push({
      check: 'serviceAccountToken',
      family: 'hardening',
      severity: 'information',
      message: `${base} (${where})`,
      action: 'set automountServiceAccountToken to false (it defaults to true)',
      path: pathString(existingPath(o.value, specPath)),
      file: o.file,
      span: spanOf(o, specPath),
      object: refOf(o),
      container: null,
      fixes: saFix ? [fix, saFix] : [fix],
    });
  }
  return { findings, notes, record };
}

/** Evaluate secretInEnv, serviceAccountToken and secretManifest. */
export function analyzeSecrets(
  objects: readonly KubeObject[],
  workloads: readonly Workload[],
): SecretsResult {
  const findings: HardeningFinding[] = [];
  const notes: HardeningNote[] = [];
  const tokens: TokenMount[] = [];
  const serviceAccounts = new Map<string, KubeObject>();
  for (const o of objects) {
    const kind = kindOf(o);
    if (apiVersionOf(o) !== 'v1') continue;
    if (kind === 'ServiceAccount') {
      const name = nameOf(o);
      if (name) serviceAccounts.set(`${o.namespace}/${name}`, o);
    } else if (kind === 'Secret') {
      for (const field of ['data', 'stringData'] as const) {
        const d = o.value[field];
        if (!isObject(d)) continue;
        const keys = Object.entries(d).filter(
          ([, v]) => typeof v === 'string' && v.length > 0,
        ).length;
        if (keys === 0) continue;
        findings.push({
          check: 'secretManifest',
          family: 'hardening',
          severity: 'warning',
          message: `Secret ${quoted(nameOf(o))} commits ${keys} value${keys === 1 ? '' : 's'} in ${field} (values redacted): a Secret in the repository leaks to everyone who can read it; keep it in a secret store, or commit it encrypted (SealedSecret, SOPS) or as a reference (ExternalSecret)`,
          action: `keep the ${keys === 1 ? 'value' : `${keys} values`} of ${field} out of the repository (a secret store, SealedSecret, SOPS)`,
          path: field,
          file: o.file,
          span: spanOf(o, [field]),
          object: refOf(o),
          container: null,
          fixes: [],
        });
      }
    }
  }

  // What a workload's results depend on besides it: the ServiceAccounts of its namespace (what
  // they say: a kept result never names where they are).
  const accountsByNs = new Map<string, string[]>();
  for (const [key, sa] of serviceAccounts) {
    const ns = key.slice(0, key.indexOf('/'));
    const l = accountsByNs.get(ns) ?? [];
    l.push(`${key}=${contentKey(sa)}`);
    accountsByNs.set(ns, l);
  }
  for (const w of workloads) {
    const context = JSON.stringify(accountsByNs.get(w.object.namespace) ?? []);
    const r = SECRETS_MEMO.get(w.object, context, () => workloadSecrets(w, serviceAccounts));
    for (const f of r.findings) findings.push(f);
    for (const n of r.notes) notes.push(n);
    tokens.push(r.record);
  }
  return { findings, notes, tokens };
}
