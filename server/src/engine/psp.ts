/**
 * PodSecurityPolicy (policy/v1beta1, removed in Kubernetes v1.25) and the
 * Pod Security level that comes closest to it.
 *
 * The mapping follows the Kubernetes documentation's reference "Mapping
 * PodSecurityPolicies to Pod Security Standards" and its migration guide,
 * restated here in our own words:
 *
 * - Each PSP setting that the standards cover maps to the strictest level
 *   whose allowed values contain what the PSP allows: `privileged`,
 *   `hostNetwork`, `hostPID`, `hostIPC` true, any `hostPorts`, any
 *   `allowedUnsafeSysctls`, a `volumes` list with `*` or `hostPath`, an
 *   `allowedProcMountTypes` with more than `Default`, capabilities outside
 *   the baseline set, and an SELinux rule other than `MustRunAs` with no
 *   custom user or role and a container type all fall to privileged.
 *   Restricted further needs `requiredDropCapabilities` with `ALL`, added
 *   capabilities limited to `NET_BIND_SERVICE`, `allowPrivilegeEscalation:
 *   false`, `runAsUser.rule: MustRunAsNonRoot`, volumes from the restricted
 *   list, and a seccomp allow-list of `runtime/default` (or `localhost/*`)
 *   that does not also allow an unset profile.
 * - The PSP's level is the least strict of its settings' levels: a namespace
 *   labelled with it admits every pod the PSP admitted (the migration
 *   guide's "at least as permissive" choice). The settings that hold it
 *   below the next level are listed, so the stricter choice can be weighed.
 * - Settings the standards have no opinion on (group and fsGroup rules,
 *   readOnlyRootFilesystem, allowedHostPaths, allowedFlexVolumes,
 *   allowedCSIDrivers, forbiddenSysctls, runtimeClass, the names allowed by
 *   allowedUnsafeSysctls) have no equivalent; purely mutating ones
 *   (defaultAllowPrivilegeEscalation, default profile annotations,
 *   defaultAddCapabilities, MustRunAs defaults) are not done by Pod Security
 *   admission, which never changes pods: the pods must set those values.
 *
 * One deliberate difference from the reference table: it lists AppArmor's
 * allow-list like seccomp's (unset allowed only at baseline), but the
 * restricted level of k8s.io/pod-security-admission has no AppArmor check of
 * its own and admits pods without a profile, so podsec maps an AppArmor
 * allow-list that permits unset to restricted.
 */
import { BASELINE_CAPABILITIES } from './checks/capabilities_baseline';
import { isMap, isScalar, isSeq } from 'yaml';
import { Cursor, DocContext, nodeSpan } from './cursor';
import { DEFAULT_LIMITS } from './limits';
import { parseFile } from './parse';
import type { AnalyzeOptions, Level, Span } from './types';

export const PSP_KIND = 'PodSecurityPolicy';
const PSP_API_VERSIONS = new Set(['policy/v1beta1', 'extensions/v1beta1']);

export function isPodSecurityPolicy(apiVersion: string, kind: string): boolean {
  return kind === PSP_KIND && PSP_API_VERSIONS.has(apiVersion);
}

/** One PSP setting and the level it allows. */
export interface PspSetting {
  /** Field path in the PSP, e.g. spec.hostNetwork. */
  field: string;
  /** The value as written (short form), or "(unset)". */
  value: string;
  /** The strictest level whose allowed values contain what this setting allows. */
  level: Level;
  /** Why, in a sentence. */
  reason: string;
  span: Span | null;
}

/** A PSP setting with no Pod Security equivalent, or a mutation Pod Security does not do. */
export interface PspGap {
  field: string;
  value: string;
  kind: 'noEquivalent' | 'mutating';
  note: string;
  span: Span | null;
}

export interface PspAnalysis {
  name: string | null;
  /** The closest level: the least strict level of the settings (admits all the PSP admitted). */
  level: Level;
  /** The next stricter level, null at restricted. */
  next: Level | null;
  /** The settings that hold the policy below `next` (those at `level`). */
  blockers: PspSetting[];
  /** Every covered setting, with its level. */
  settings: PspSetting[];
  /** Settings with no equivalent, and mutations the pods must now do themselves. */
  gaps: PspGap[];
  /** Span of the `PodSecurityPolicy` value of `kind`. */
  kindSpan: Span;
}

const RANK: Record<Level, number> = { privileged: 0, baseline: 1, restricted: 2 };
const NEXT: Record<Level, Level | null> = {
  privileged: 'baseline',
  baseline: 'restricted',
  restricted: null,
};

/** The capabilities baseline allows to be added. */
export { BASELINE_CAPABILITIES };
/** The volume types restricted allows (PSP spelling). */
export const RESTRICTED_VOLUMES: readonly string[] = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t']);

// ----- raw readers: a PSP is read, not validated, so no schema errors are recorded

function scalar(c: Cursor): string | number | boolean | null | undefined {
  const n = c.node;
  if (!n || !isScalar(n)) return undefined;
  const v = n.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
    ? v
    : undefined;
}

function flag(c: Cursor): boolean | undefined {
  const v = scalar(c);
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function text(c: Cursor): string | undefined {
  const v = scalar(c);
  return v === undefined || v === null ? undefined : String(v);
}

/** Strings of a list; undefined when absent or not a list. */
function list(c: Cursor): string[] | undefined {
  if (!c.present || !isSeq(c.node)) return undefined;
  return c.items().map((i) => text(i) ?? '');
}

function short(values: readonly string[]): string {
  return `[${values.join(', ')}]`;
}

function at(c: Cursor): Span | null {
  return c.present ? c.span : null;
}

// ----- the mapping

function capabilityLevel(values: readonly string[]): { level: Level; reason: string } {
  const outside = values.filter((v) => v === '*' || !BASELINE_CAPABILITIES.includes(v));
  if (outside.length > 0) {
    return {
      level: 'privileged',
      reason: `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside the capabilities baseline allows`,
    };
  }
  const beyond = values.filter((v) => v !== 'NET_BIND_SERVICE');
  if (beyond.length > 0) {
    return {
      level: 'baseline',
      reason: `restricted allows adding only NET_BIND_SERVICE, not ${beyond.join(', ')}`,
    };
  }
  return { level: 'restricted', reason: 'at most NET_BIND_SERVICE may be added' };
}

function profileList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim());
}

function seccompLevel(
  allowed: string | undefined,
  fallbackDefault: string | undefined,
): { level: Level; reason: string } {
  const ok = (p: string) =>
    p === 'runtime/default' || p === 'docker/default' || p.startsWith('localhost/');
  if (allowed === undefined) {
    return {
      level: 'baseline',
      reason: `without an allow-list pods may only leave the profile unset${fallbackDefault ? ` (PodSecurityPolicy then set it to ${fallbackDefault})` : ''}; restricted requires RuntimeDefault or Localhost`,
    };
  }
  const names = profileList(allowed);
  const bad = names.filter((p) => p !== '' && !ok(p));
  if (bad.length > 0) {
    return {
      level: 'privileged',
      reason: `${bad.join(', ')} would allow profiles baseline forbids`,
    };
  }
  if (names.includes('')) {
    return {
      level: 'baseline',
      reason: 'the empty entry allows an unset profile, which restricted forbids',
    };
  }
  return { level: 'restricted', reason: 'only RuntimeDefault or Localhost profiles' };
}

function appArmorLevel(allowed: string | undefined): { level: Level; reason: string } {
  if (allowed === undefined) return { level: 'restricted', reason: 'no AppArmor profile allowed' };
  const bad = profileList(allowed).filter(
    (p) => p !== '' && p !== 'runtime/default' && !p.startsWith('localhost/'),
  );
  if (bad.length > 0) {
    return {
      level: 'privileged',
      reason: `${bad.join(', ')} would allow profiles baseline forbids`,
    };
  }
  return { level: 'restricted', reason: 'only runtime/default or localhost profiles' };
}

/** Map one PodSecurityPolicy object (the cursor at its root) to Pod Security levels. */
export function analyzePodSecurityPolicy(obj: Cursor): PspAnalysis {
  const meta = obj.get('metadata');
  const spec = obj.get('spec');
  const annotations = meta.get('annotations');
  const settings: PspSetting[] = [];
  const gaps: PspGap[] = [];
  const add = (
    c: Cursor,
    field: string,
    value: string,
    r: { level: Level; reason: string },
  ): void => {
    settings.push({ field, value, level: r.level, reason: r.reason, span: at(c) });
  };
  const gap = (c: Cursor, field: string, value: string, kind: PspGap['kind'], note: string) => {
    gaps.push({ field, value, kind, note, span: at(c) });
  };

  // Boolean host and privilege settings: true falls to privileged.
  for (const [key, what] of [
    ['privileged', 'privileged containers'],
    ['hostNetwork', 'the host network'],
    ['hostPID', 'the host PID namespace'],
    ['hostIPC', 'the host IPC namespace'],
  ] as const) {
    const c = spec.get(key);
    const on = flag(c) === true;
    add(
      c,
      `spec.${key}`,
      c.present ? String(text(c)) : '(unset)',
      on
        ? { level: 'privileged', reason: `allows ${what}, which baseline forbids` }
        : { level: 'restricted', reason: `does not allow ${what}` },
    );
  }

  const hostPorts = spec.get('hostPorts');
  const portRanges = hostPorts.present && isSeq(hostPorts.node) ? hostPorts.items() : [];
  add(
    hostPorts,
    'spec.hostPorts',
    portRanges.length > 0
      ? portRanges
          .map((r) => `${text(r.get('min')) ?? '?'}-${text(r.get('max')) ?? '?'}`)
          .join(', ')
      : '(none)',
    portRanges.length > 0
      ? { level: 'privileged', reason: 'allows host ports, which baseline forbids' }
      : { level: 'restricted', reason: 'no host ports' },
  );

  const allowedCaps = spec.get('allowedCapabilities');
  const allowed = list(allowedCaps) ?? [];
  add(allowedCaps, 'spec.allowedCapabilities', short(allowed), capabilityLevel(allowed));

  const defaultCaps = spec.get('defaultAddCapabilities');
  const defaults = list(defaultCaps) ?? [];
  if (defaults.length > 0) {
    add(defaultCaps, 'spec.defaultAddCapabilities', short(defaults), capabilityLevel(defaults));
    gap(
      defaultCaps,
      'spec.defaultAddCapabilities',
      short(defaults),
      'mutating',
      'Pod Security admission adds no capabilities: list them in the containers\u2019 securityContext.capabilities.add',
    );
  }

  const dropC = spec.get('requiredDropCapabilities');
  const drop = list(dropC) ?? [];
  add(
    dropC,
    'spec.requiredDropCapabilities',
    short(drop),
    drop.includes('ALL')
      ? { level: 'restricted', reason: 'requires dropping ALL' }
      : { level: 'baseline', reason: 'restricted requires dropping ALL' },
  );
  if (drop.length > 0) {
    gap(
      dropC,
      'spec.requiredDropCapabilities',
      short(drop),
      'mutating',
      'Pod Security admission drops nothing for the pods: each container must list them in securityContext.capabilities.drop',
    );
  }

  const volumesC = spec.get('volumes');
  const volumes = list(volumesC) ?? [];
  const wild = volumes.filter((v) => v === '*' || v === 'hostPath');
  const notRestricted = volumes.filter((v) => !RESTRICTED_VOLUMES.includes(v));
  add(
    volumesC,
    'spec.volumes',
    short(volumes),
    wild.length > 0
      ? {
          level: 'privileged',
          reason: `${wild.join(', ')} allows hostPath volumes, which baseline forbids`,
        }
      : notRestricted.length > 0
        ? {
            level: 'baseline',
            reason: `${notRestricted.join(', ')} ${notRestricted.length === 1 ? 'is' : 'are'} not among the volume types restricted allows`,
          }
        : { level: 'restricted', reason: 'only volume types restricted allows' },
  );

  const seLinux = spec.get('seLinux');
  const rule = text(seLinux.get('rule'));
  const opts = seLinux.get('seLinuxOptions');
  {
    let r: { level: Level; reason: string };
    if (rule !== 'MustRunAs') {
      r = {
        level: 'privileged',
        reason: `with ${rule ?? 'no rule'} pods may choose any SELinux user, role and type; baseline allows no user or role and only the container types`,
      };
    } else {
      const problems: string[] = [];
      if (text(opts.get('user'))) problems.push('a user');
      if (text(opts.get('role'))) problems.push('a role');
      const type = text(opts.get('type'));
      if (type && !SELINUX_TYPES.has(type)) problems.push(`type ${type}`);
      r =
        problems.length > 0
          ? {
              level: 'privileged',
              reason: `sets ${problems.join(', ')}, which baseline forbids`,
            }
          : { level: 'restricted', reason: 'MustRunAs without a custom user, role or type' };
      gap(
        seLinux,
        'spec.seLinux',
        'MustRunAs',
        'mutating',
        'Pod Security admission does not set seLinuxOptions: pods that relied on the PSP default must set them',
      );
    }
    add(seLinux, 'spec.seLinux.rule', rule ?? '(unset)', r);
  }

  const runAsUser = spec.get('runAsUser');
  const userRule = text(runAsUser.get('rule'));
  add(
    runAsUser,
    'spec.runAsUser.rule',
    userRule ?? '(unset)',
    userRule === 'MustRunAsNonRoot'
      ? { level: 'restricted', reason: 'requires a non-root user' }
      : { level: 'baseline', reason: 'restricted requires the rule MustRunAsNonRoot' },
  );
  if (userRule === 'MustRunAs' || userRule === 'MustRunAsNonRoot') {
    gap(
      runAsUser,
      'spec.runAsUser',
      userRule,
      'mutating',
      userRule === 'MustRunAs'
        ? 'Pod Security admission does not set runAsUser: pods must set their user'
        : 'Pod Security admission does not set runAsNonRoot: pods must set runAsNonRoot: true',
    );
  }

  const ape = spec.get('allowPrivilegeEscalation');
  const apeValue = flag(ape);
  add(
    ape,
    'spec.allowPrivilegeEscalation',
    ape.present ? String(text(ape)) : '(unset: true)',
    apeValue === false
      ? { level: 'restricted', reason: 'forbids privilege escalation' }
      : { level: 'baseline', reason: 'restricted requires allowPrivilegeEscalation: false' },
  );
  if (apeValue === false) {
    gap(
      ape,
      'spec.allowPrivilegeEscalation',
      'false',
      'mutating',
      'Pod Security admission does not set it: each container must set allowPrivilegeEscalation: false',
    );
  }

  const sysctlsC = spec.get('allowedUnsafeSysctls');
  const sysctls = list(sysctlsC) ?? [];
  add(
    sysctlsC,
    'spec.allowedUnsafeSysctls',
    short(sysctls),
    sysctls.length > 0
      ? { level: 'privileged', reason: 'allows unsafe sysctls, which baseline forbids' }
      : { level: 'restricted', reason: 'no unsafe sysctls' },
  );
  if (sysctls.length > 0) {
    gap(
      sysctlsC,
      'spec.allowedUnsafeSysctls',
      short(sysctls),
      'noEquivalent',
      'Pod Security cannot allow individual sysctls: only privileged admits any sysctl outside the safe set',
    );
  }

  const procC = spec.get('allowedProcMountTypes');
  const proc = list(procC) ?? [];
  const unmasked = proc.filter((p) => p !== 'Default');
  add(
    procC,
    'spec.allowedProcMountTypes',
    short(proc),
    unmasked.length > 0
      ? {
          level: 'privileged',
          reason: `${unmasked.join(', ')} proc mounts are forbidden by baseline`,
        }
      : { level: 'restricted', reason: 'only the Default proc mount' },
  );

  const seccompAllowed = annotations.get(
    'seccomp.security.alpha.kubernetes.io/allowedProfileNames',
  );
  const seccompDefault = annotations.get('seccomp.security.alpha.kubernetes.io/defaultProfileName');
  add(
    seccompAllowed,
    'metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]',
    text(seccompAllowed) ?? '(unset)',
    seccompLevel(text(seccompAllowed), text(seccompDefault)),
  );
  const appArmorAllowed = annotations.get(
    'apparmor.security.beta.kubernetes.io/allowedProfileNames',
  );
  add(
    appArmorAllowed,
    'metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]',
    text(appArmorAllowed) ?? '(unset)',
    appArmorLevel(text(appArmorAllowed)),
  );

  // Purely mutating settings.
  for (const [c, field, note] of [
    [
      spec.get('defaultAllowPrivilegeEscalation'),
      'spec.defaultAllowPrivilegeEscalation',
      'a default only; Pod Security admission sets nothing, containers must set allowPrivilegeEscalation themselves',
    ],
    [
      seccompDefault,
      'metadata.annotations[seccomp.security.alpha.kubernetes.io/defaultProfileName]',
      'a default only; pods must set securityContext.seccompProfile themselves',
    ],
    [
      annotations.get('apparmor.security.beta.kubernetes.io/defaultProfileName'),
      'metadata.annotations[apparmor.security.beta.kubernetes.io/defaultProfileName]',
      'a default only; pods must set their AppArmor profile themselves',
    ],
    [
      spec.get('runtimeClass').get('defaultRuntimeClassName'),
      'spec.runtimeClass.defaultRuntimeClassName',
      'a default only; pods must set runtimeClassName themselves',
    ],
  ] as const) {
    if (c.present) gap(c, field, text(c) ?? '…', 'mutating', note);
  }

  // Settings the standards have no opinion on.
  const noOpinion: Array<[string, string]> = [
    [
      'allowedHostPaths',
      'the volumes list decides; Pod Security forbids hostPath from baseline on',
    ],
    ['allowedFlexVolumes', 'the volumes list decides; restricted forbids flexVolume'],
    ['allowedCSIDrivers', 'Pod Security cannot limit CSI drivers'],
    ['forbiddenSysctls', 'Pod Security cannot forbid sysctls from the safe set'],
  ];
  for (const [key, note] of noOpinion) {
    const c = spec.get(key);
    if (c.present) gap(c, `spec.${key}`, summarize(c), 'noEquivalent', note);
  }
  const allowedRuntime = spec.get('runtimeClass').get('allowedRuntimeClassNames');
  if (allowedRuntime.present) {
    gap(
      allowedRuntime,
      'spec.runtimeClass.allowedRuntimeClassNames',
      summarize(allowedRuntime),
      'noEquivalent',
      'Pod Security cannot limit runtime classes (admission exemptions can exempt some)',
    );
  }
  for (const key of ['runAsGroup', 'supplementalGroups', 'fsGroup'] as const) {
    const c = spec.get(key);
    const r = text(c.get('rule'));
    if (r === undefined || r === 'RunAsAny') continue;
    gap(
      c,
      `spec.${key}`,
      r,
      'noEquivalent',
      `Pod Security has no opinion on ${key}${r === 'MustRunAs' ? '; with MustRunAs the PSP also set a default, which pods must now set themselves' : ''}`,
    );
  }
  const rorf = spec.get('readOnlyRootFilesystem');
  if (flag(rorf) === true) {
    gap(
      rorf,
      'spec.readOnlyRootFilesystem',
      'true',
      'noEquivalent',
      'Pod Security has no opinion on a read-only root filesystem; containers must set readOnlyRootFilesystem: true themselves',
    );
  }

  let level: Level = 'restricted';
  for (const s of settings) if (RANK[s.level] < RANK[level]) level = s.level;
  const next = NEXT[level];
  const blockers = next ? settings.filter((s) => s.level === level) : [];
  const kind = obj.get('kind');
  const kindSpan = nodeSpan(kind.node) ?? kind.span;
  return {
    name: text(meta.get('name')) ?? null,
    level,
    next,
    blockers,
    settings,
    gaps,
    kindSpan,
  };
}

function summarize(c: Cursor): string {
  const n = c.node;
  if (isSeq(n)) return `${n.items.length} ${n.items.length === 1 ? 'entry' : 'entries'}`;
  if (isMap(n)) return '{…}';
  return text(c) ?? '…';
}

/** The warning message of a PodSecurityPolicy document. */
export function pspMessage(p: PspAnalysis): string {
  const held =
    p.next && p.blockers.length > 0
      ? `; ${p.blockers.map((b) => b.field.replace(/^spec\./, '')).join(', ')} ${p.blockers.length === 1 ? 'keeps' : 'keep'} it from ${p.next}`
      : '';
  return `PodSecurityPolicy was removed in Kubernetes v1.25; the closest Pod Security level is ${p.level}${held} (see \`podsec report\`)`;
}

/** Every PodSecurityPolicy in a text (documents and `kind: List` items), mapped to levels. */
export function podSecurityPoliciesIn(source: string, options: AnalyzeOptions = {}): PspAnalysis[] {
  if (!source.includes(PSP_KIND)) return [];
  const o = {
    maxFileBytes: options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxAliasCount: options.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  };
  const parsed = parseFile(source, o);
  const out: PspAnalysis[] = [];
  parsed.docs.forEach((doc, i) => {
    if (parsed.broken.has(i)) return;
    const ctx = new DocContext(doc, o.maxAliasCount);
    const visit = (obj: Cursor): void => {
      if (!isMap(obj.node)) return;
      const kind = text(obj.get('kind'));
      const apiVersion = text(obj.get('apiVersion'));
      if (kind === undefined || apiVersion === undefined) return;
      if (kind === 'List' || kind.endsWith('List')) {
        const items = obj.get('items');
        if (isSeq(items.node)) items.items().forEach(visit);
        return;
      }
      if (isPodSecurityPolicy(apiVersion, kind)) out.push(analyzePodSecurityPolicy(obj));
    };
    visit(Cursor.root(ctx, doc.contents));
    if (ctx.overLimit) out.length = 0;
  });
  return out;
}
