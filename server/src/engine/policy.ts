/**
 * Levels, versions, and the policy a Namespace's pod-security labels choose.
 */
import { MAX_MINOR } from './registry';
import type { Level, Mode, Policy } from './types';

export const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];
export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const MODES: readonly Mode[] = ['enforce', 'warn', 'audit'];

export function isLevel(s: unknown): s is Level {
  return s === 'privileged' || s === 'baseline' || s === 'restricted';
}

const VERSION_RE = /^v1\.(0|[1-9][0-9]*)$/;

/** Whether `s` is a valid policy version: "latest" or "v1.<minor>". */
export function isVersion(s: unknown): boolean {
  return s === 'latest' || (typeof s === 'string' && VERSION_RE.test(s));
}

/** The minor version a policy evaluates at: "latest" and newer versions clamp to the newest known. */
export function evaluatedMinor(version: string): number {
  if (version === 'latest') return MAX_MINOR;
  const m = VERSION_RE.exec(version);
  if (!m?.[1]) throw new Error(`invalid policy version "${version}": use "latest" or v1.<minor>`);
  return Math.min(Number(m[1]), MAX_MINOR);
}

export const LATEST_VERSION = `v1.${MAX_MINOR}`;

/** Error text for an invalid version, or null when valid. */
export function versionError(version: string): string | null {
  return isVersion(version)
    ? null
    : `invalid policy version "${version}": expected "latest" or v1.<minor> (v1.0 to ${LATEST_VERSION}; newer minors evaluate as ${LATEST_VERSION})`;
}

/** Levels from the least to the most strict. */
export const LEVEL_RANK: Readonly<Record<Level, number>> = {
  privileged: 0,
  baseline: 1,
  restricted: 2,
};

/** Whether `a` is stricter than `b`. */
export function stricter(a: Level, b: Level): boolean {
  return LEVEL_RANK[a] > LEVEL_RANK[b];
}

/** The next stricter level, or null above restricted. */
export function nextLevel(level: Level): Level | null {
  return level === 'privileged' ? 'baseline' : level === 'baseline' ? 'restricted' : null;
}

export interface ModePolicy {
  mode: Mode;
  policy: Policy;
  /** The label that set the level, if any. */
  label: string | null;
}

export interface LabelProblem {
  label: string;
  message: string;
}

/**
 * The enforce/warn/audit policies that a Namespace's labels choose, following
 * upstream: missing labels use the defaults (privileged, latest); an invalid
 * enforce level fails closed (restricted), invalid warn/audit levels fail
 * open (privileged); invalid versions become latest; warn follows a stricter
 * enforce level (and its version) unless warn is labelled.
 */
export function namespacePolicies(labels: Readonly<Record<string, string>>): {
  modes: ModePolicy[];
  problems: LabelProblem[];
} {
  const problems: LabelProblem[] = [];
  const read = (mode: Mode) => {
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const versionKey = `${levelKey}-version`;
    const rawLevel = labels[levelKey];
    const rawVersion = labels[versionKey];
    let level: Level = 'privileged';
    let levelValid = false;
    if (rawLevel !== undefined) {
      if (isLevel(rawLevel)) {
        level = rawLevel;
        levelValid = true;
      } else {
        level = mode === 'enforce' ? 'restricted' : 'privileged';
        problems.push({
          label: levelKey,
          message: `invalid level "${rawLevel}" in ${levelKey}: expected privileged, baseline or restricted; evaluating as ${level}`,
        });
      }
    }
    let version = 'latest';
    if (rawVersion !== undefined) {
      if (isVersion(rawVersion)) version = rawVersion;
      else {
        problems.push({
          label: versionKey,
          message: `invalid version "${rawVersion}" in ${versionKey}: expected latest or v1.<minor>; evaluating as latest`,
        });
      }
    }
    return {
      level,
      version,
      levelLabel: rawLevel !== undefined ? levelKey : null,
      levelValid,
      versionSet: rawVersion !== undefined,
    };
  };
  const enforce = read('enforce');
  const warn = read('warn');
  const audit = read('audit');
  if (warn.levelLabel === null && enforce.levelValid && stricter(enforce.level, warn.level)) {
    warn.level = enforce.level;
    warn.levelLabel = enforce.levelLabel;
    if (!warn.versionSet) warn.version = enforce.version;
  }
  return {
    modes: [
      {
        mode: 'enforce',
        policy: { level: enforce.level, version: enforce.version },
        label: enforce.levelLabel,
      },
      {
        mode: 'warn',
        policy: { level: warn.level, version: warn.version },
        label: warn.levelLabel,
      },
      {
        mode: 'audit',
        policy: { level: audit.level, version: audit.version },
        label: audit.levelLabel,
      },
    ],
    problems,
  };
}

/** Whether a Namespace's labels say anything about pod security. */
export function hasPodSecurityLabels(labels: Readonly<Record<string, string>>): boolean {
  return Object.keys(labels).some((k) => k.startsWith(LABEL_PREFIX));
}
