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
import { RESTRICTED_ALLOWED_VOLUMES } from './checks/restrictedVolumes';
import { isMap, isScalar, isSeq } from 'yaml';
import { Cursor, DocContext, nodeSpan } from './cursor';
import { DEFAULT_LIMITS } from './limits';
import { forEachObject } from './objects';
import { parseFile } from './parse';
import { nextLevel, stricter } from './policy';
import type { AnalyzeOptions, KindReader, Level, Span } from './types';

export const PSP_KIND = 'PodSecurityPolicy';
const PSP_API_VERSIONS = new Set(['policy/v1beta1', 'extensions/v1beta1']);

export function isPodSecurityPolicy(apiVersion: string, kind: string): boolean {
  return kind === PSP_KIND && PSP_API_VERSIONS.has(apiVersion);
}

/** The PodSecurityPolicy migration reads PodSecurityPolicies. */
export const PSP_READER: KindReader = {
  reader: 'the PodSecurityPolicy migration',
  reads: isPodSecurityPolicy,
};

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

/** The capabilities baseline allows to be added. */
export { BASELINE_CAPABILITIES };
/**
 * The volume types restricted allows, as a PSP's `volumes` names them: the
 * check's list without `image`, a volume type newer than PodSecurityPolicy.
 */
export const RESTRICTED_VOLUMES: readonly string[] = RESTRICTED_ALLOWED_VOLUMES.filter(
  (v) => v !== 'image',
);
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

// ----- the table: each PSP field, where it is read, how it is shown, the level it allows

type Verdict = { level: Level; reason: string };

/** The parts of a PodSecurityPolicy the rules read. */
interface PspFields {
  spec: Cursor;
  annotations: Cursor;
}

/** A note on a setting Pod Security does not carry over. */
interface GapNote {
  field: string;
  value: string;
  kind: PspGap['kind'];
  note: string;
}

/** A PSP field Pod Security has a level for. */
interface SettingRule {
  field: string;
  read: (p: PspFields) => Cursor;
  value: (c: Cursor) => string;
  level: (c: Cursor, p: PspFields) => Verdict;
  /** Listed only when this holds (default: always). */
  listed?: (c: Cursor) => boolean;
  /** What Pod Security will not do that the PSP did (a mutating default, say). */
  gap?: (c: Cursor) => GapNote | null;
}

/** A PSP field Pod Security has no level for: a note when it is set. */
interface GapRule {
  read: (p: PspFields) => Cursor;
  gap: (c: Cursor) => GapNote | null;
}

const SEC = 'seccomp.security.alpha.kubernetes.io/';
const APPARMOR = 'apparmor.security.beta.kubernetes.io/';

const hostFlag = (key: string, what: string): SettingRule => ({
  field: `spec.${key}`,
  read: (p) => p.spec.get(key),
  value: (c) => (c.present ? String(text(c)) : '(unset)'),
  level: (c) =>
    flag(c) === true
      ? { level: 'privileged', reason: `allows ${what}, which baseline forbids` }
      : { level: 'restricted', reason: `does not allow ${what}` },
});

const portRanges = (c: Cursor): Cursor[] => (c.present && isSeq(c.node) ? c.items() : []);
const strings = (c: Cursor): string[] => list(c) ?? [];

function seLinuxVerdict(c: Cursor): Verdict {
  const rule = text(c.get('rule'));
  if (rule !== 'MustRunAs') {
    return {
      level: 'privileged',
      reason: `with ${rule ?? 'no rule'} pods may choose any SELinux user, role and type; baseline allows no user or role and only the container types`,
    };
  }
  const opts = c.get('seLinuxOptions');
  const problems: string[] = [];
  if (text(opts.get('user'))) problems.push('a user');
  if (text(opts.get('role'))) problems.push('a role');
  const type = text(opts.get('type'));
  if (type && !SELINUX_TYPES.has(type)) problems.push(`type ${type}`);
  return problems.length > 0
    ? { level: 'privileged', reason: `sets ${problems.join(', ')}, which baseline forbids` }
    : { level: 'restricted', reason: 'MustRunAs without a custom user, role or type' };
}

function volumesVerdict(volumes: readonly string[]): Verdict {
  const wild = volumes.filter((v) => v === '*' || v === 'hostPath');
  const notRestricted = volumes.filter((v) => !RESTRICTED_VOLUMES.includes(v));
  if (wild.length > 0) {
    return {
      level: 'privileged',
      reason: `${wild.join(', ')} allows hostPath volumes, which baseline forbids`,
    };
  }
  if (notRestricted.length > 0) {
    return {
      level: 'baseline',
      reason: `${notRestricted.join(', ')} ${notRestricted.length === 1 ? 'is' : 'are'} not among the volume types restricted allows`,
    };
  }
  return { level: 'restricted', reason: 'only volume types restricted allows' };
}

/** The fields Pod Security has a level for, in the order the report lists them. */
const SETTINGS: readonly SettingRule[] = [
  hostFlag('privileged', 'privileged containers'),
  hostFlag('hostNetwork', 'the host network'),
  hostFlag('hostPID', 'the host PID namespace'),
  hostFlag('hostIPC', 'the host IPC namespace'),
  {
    field: 'spec.hostPorts',
    read: (p) => p.spec.get('hostPorts'),
    value: (c) => {
      const ranges = portRanges(c);
      return ranges.length > 0
        ? ranges.map((r) => `${text(r.get('min')) ?? '?'}-${text(r.get('max')) ?? '?'}`).join(', ')
        : '(none)';
    },
    level: (c) =>
      portRanges(c).length > 0
        ? { level: 'privileged', reason: 'allows host ports, which baseline forbids' }
        : { level: 'restricted', reason: 'no host ports' },
  },
  {
    field: 'spec.allowedCapabilities',
    read: (p) => p.spec.get('allowedCapabilities'),
    value: (c) => short(strings(c)),
    level: (c) => capabilityLevel(strings(c)),
  },
  {
    field: 'spec.defaultAddCapabilities',
    read: (p) => p.spec.get('defaultAddCapabilities'),
    listed: (c) => strings(c).length > 0,
    value: (c) => short(strings(c)),
    level: (c) => capabilityLevel(strings(c)),
    gap: (c) => ({
      field: 'spec.defaultAddCapabilities',
      value: short(strings(c)),
      kind: 'mutating',
      note: 'Pod Security admission adds no capabilities: list them in the containers\u2019 securityContext.capabilities.add',
    }),
  },
  {
    field: 'spec.requiredDropCapabilities',
    read: (p) => p.spec.get('requiredDropCapabilities'),
    value: (c) => short(strings(c)),
    level: (c) =>
      strings(c).includes('ALL')
        ? { level: 'restricted', reason: 'requires dropping ALL' }
        : { level: 'baseline', reason: 'restricted requires dropping ALL' },
    gap: (c) =>
      strings(c).length > 0
        ? {
            field: 'spec.requiredDropCapabilities',
            value: short(strings(c)),
            kind: 'mutating',
            note: 'Pod Security admission drops nothing for the pods: each container must list them in securityContext.capabilities.drop',
          }
        : null,
  },
  {
    field: 'spec.volumes',
    read: (p) => p.spec.get('volumes'),
    value: (c) => short(strings(c)),
    level: (c) => volumesVerdict(strings(c)),
  },
  {
    field: 'spec.seLinux.rule',
    read: (p) => p.spec.get('seLinux'),
    value: (c) => text(c.get('rule')) ?? '(unset)',
    level: seLinuxVerdict,
    gap: (c) =>
      text(c.get('rule')) === 'MustRunAs'
        ? {
            field: 'spec.seLinux',
            value: 'MustRunAs',
            kind: 'mutating',
            note: 'Pod Security admission does not set seLinuxOptions: pods that relied on the PSP default must set them',
          }
        : null,
  },
  {
    field: 'spec.runAsUser.rule',
    read: (p) => p.spec.get('runAsUser'),
    value: (c) => text(c.get('rule')) ?? '(unset)',
    level: (c) =>
      text(c.get('rule')) === 'MustRunAsNonRoot'
        ? { level: 'restricted', reason: 'requires a non-root user' }
        : { level: 'baseline', reason: 'restricted requires the rule MustRunAsNonRoot' },
    gap: (c) => {
      const rule = text(c.get('rule'));
      if (rule !== 'MustRunAs' && rule !== 'MustRunAsNonRoot') return null;
      return {
        field: 'spec.runAsUser',
        value: rule,
        kind: 'mutating',
        note:
          rule === 'MustRunAs'
            ? 'Pod Security admission does not set runAsUser: pods must set their user'
            : 'Pod Security admission does not set runAsNonRoot: pods must set runAsNonRoot: true',
      };
    },
  },
  {
    field: 'spec.allowPrivilegeEscalation',
    read: (p) => p.spec.get('allowPrivilegeEscalation'),
    value: (c) => (c.present ? String(text(c)) : '(unset: true)'),
    level: (c) =>
      flag(c) === false
        ? { level: 'restricted', reason: 'forbids privilege escalation' }
        : { level: 'baseline', reason: 'restricted requires allowPrivilegeEscalation: false' },
    gap: (c) =>
      flag(c) === false
        ? {
            field: 'spec.allowPrivilegeEscalation',
            value: 'false',
            kind: 'mutating',
            note: 'Pod Security admission does not set it: each container must set allowPrivilegeEscalation: false',
          }
        : null,
  },
  {
    field: 'spec.allowedUnsafeSysctls',
    read: (p) => p.spec.get('allowedUnsafeSysctls'),
    value: (c) => short(strings(c)),
    level: (c) =>
      strings(c).length > 0
        ? { level: 'privileged', reason: 'allows unsafe sysctls, which baseline forbids' }
        : { level: 'restricted', reason: 'no unsafe sysctls' },
    gap: (c) =>
      strings(c).length > 0
        ? {
            field: 'spec.allowedUnsafeSysctls',
            value: short(strings(c)),
            kind: 'noEquivalent',
            note: 'Pod Security cannot allow individual sysctls: only privileged admits any sysctl outside the safe set',
          }
        : null,
  },
  {
    field: 'spec.allowedProcMountTypes',
    read: (p) => p.spec.get('allowedProcMountTypes'),
    value: (c) => short(strings(c)),
    level: (c) => {
      const unmasked = strings(c).filter((p) => p !== 'Default');
      return unmasked.length > 0
        ? {
            level: 'privileged',
            reason: `${unmasked.join(', ')} proc mounts are forbidden by baseline`,
          }
        : { level: 'restricted', reason: 'only the Default proc mount' };
    },
  },
  {
    field: `metadata.annotations[${SEC}allowedProfileNames]`,
    read: (p) => p.annotations.get(`${SEC}allowedProfileNames`),
    value: (c) => text(c) ?? '(unset)',
    level: (c, p) => seccompLevel(text(c), text(p.annotations.get(`${SEC}defaultProfileName`))),
  },
  {
    field: `metadata.annotations[${APPARMOR}allowedProfileNames]`,
    read: (p) => p.annotations.get(`${APPARMOR}allowedProfileNames`),
    value: (c) => text(c) ?? '(unset)',
    level: (c) => appArmorLevel(text(c)),
  },
];

/** A default the PSP filled in and Pod Security admission, which never changes pods, does not. */
const mutatingDefault = (field: string, read: (p: PspFields) => Cursor, note: string): GapRule => ({
  read,
  gap: (c) => (c.present ? { field, value: text(c) ?? '…', kind: 'mutating', note } : null),
});

/** A field the standards have no opinion on. */
const noOpinion = (field: string, read: (p: PspFields) => Cursor, note: string): GapRule => ({
  read,
  gap: (c) => (c.present ? { field, value: summarize(c), kind: 'noEquivalent', note } : null),
});

const groupRule = (key: 'runAsGroup' | 'supplementalGroups' | 'fsGroup'): GapRule => ({
  read: (p) => p.spec.get(key),
  gap: (c) => {
    const r = text(c.get('rule'));
    if (r === undefined || r === 'RunAsAny') return null;
    return {
      field: `spec.${key}`,
      value: r,
      kind: 'noEquivalent',
      note: `Pod Security has no opinion on ${key}${r === 'MustRunAs' ? '; with MustRunAs the PSP also set a default, which pods must now set themselves' : ''}`,
    };
  },
});

/** The fields Pod Security has no level for, in the order the report lists them. */
const GAPS: readonly GapRule[] = [
  mutatingDefault(
    'spec.defaultAllowPrivilegeEscalation',
    (p) => p.spec.get('defaultAllowPrivilegeEscalation'),
    'a default only; Pod Security admission sets nothing, containers must set allowPrivilegeEscalation themselves',
  ),
  mutatingDefault(
    `metadata.annotations[${SEC}defaultProfileName]`,
    (p) => p.annotations.get(`${SEC}defaultProfileName`),
    'a default only; pods must set securityContext.seccompProfile themselves',
  ),
  mutatingDefault(
    `metadata.annotations[${APPARMOR}defaultProfileName]`,
    (p) => p.annotations.get(`${APPARMOR}defaultProfileName`),
    'a default only; pods must set their AppArmor profile themselves',
  ),
  mutatingDefault(
    'spec.runtimeClass.defaultRuntimeClassName',
    (p) => p.spec.get('runtimeClass').get('defaultRuntimeClassName'),
    'a default only; pods must set runtimeClassName themselves',
  ),
  noOpinion(
    'spec.allowedHostPaths',
    (p) => p.spec.get('allowedHostPaths'),
    'the volumes list decides; Pod Security forbids hostPath from baseline on',
  ),
  noOpinion(
    'spec.allowedFlexVolumes',
    (p) => p.spec.get('allowedFlexVolumes'),
    'the volumes list decides; restricted forbids flexVolume',
  ),
  noOpinion(
    'spec.allowedCSIDrivers',
    (p) => p.spec.get('allowedCSIDrivers'),
    'Pod Security cannot limit CSI drivers',
  ),
  noOpinion(
    'spec.forbiddenSysctls',
    (p) => p.spec.get('forbiddenSysctls'),
    'Pod Security cannot forbid sysctls from the safe set',
  ),
  noOpinion(
    'spec.runtimeClass.allowedRuntimeClassNames',
    (p) => p.spec.get('runtimeClass').get('allowedRuntimeClassNames'),
    'Pod Security cannot limit runtime classes (admission exemptions can exempt some)',
  ),
  groupRule('runAsGroup'),
  groupRule('supplementalGroups'),
  groupRule('fsGroup'),
  {
    read: (p) => p.spec.get('readOnlyRootFilesystem'),
    gap: (c) =>
      flag(c) === true
        ? {
            field: 'spec.readOnlyRootFilesystem',
            value: 'true',
            kind: 'noEquivalent',
            note: 'Pod Security has no opinion on a read-only root filesystem; containers must set readOnlyRootFilesystem: true themselves',
          }
        : null,
  },
];

/** Map one PodSecurityPolicy object (the cursor at its root) to Pod Security levels. */
export function analyzePodSecurityPolicy(obj: Cursor): PspAnalysis {
  const meta = obj.get('metadata');
  const fields: PspFields = { spec: obj.get('spec'), annotations: meta.get('annotations') };
  const settings: PspSetting[] = [];
  const gaps: PspGap[] = [];
  for (const rule of SETTINGS) {
    const c = rule.read(fields);
    if (rule.listed && !rule.listed(c)) continue;
    settings.push({
      field: rule.field,
      value: rule.value(c),
      ...rule.level(c, fields),
      span: at(c),
    });
    const g = rule.gap?.(c);
    if (g) gaps.push({ ...g, span: at(c) });
  }
  for (const rule of GAPS) {
    const c = rule.read(fields);
    const g = rule.gap(c);
    if (g) gaps.push({ ...g, span: at(c) });
  }
  let level: Level = 'restricted';
  for (const s of settings) if (stricter(level, s.level)) level = s.level;
  const next = nextLevel(level);
  const blockers = next ? settings.filter((s) => s.level === level) : [];
  const kind = obj.get('kind');
  return {
    name: text(meta.get('name')) ?? null,
    level,
    next,
    blockers,
    settings,
    gaps,
    kindSpan: nodeSpan(kind.node) ?? kind.span,
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
    forEachObject(Cursor.root(ctx, doc.contents), (obj, apiVersion, kind) => {
      if (isPodSecurityPolicy(apiVersion, kind)) out.push(analyzePodSecurityPolicy(obj));
    });
    if (ctx.overLimit) out.length = 0;
  });
  return out;
}
