/**
 * Settings: whatever the client sends, made into a complete, valid
 * PodsecSettings plus the problems found on the way (for one warning each).
 * Pure; handlers/settings.ts asks the client and keeps the results.
 */
import { DEFAULT_LIMITS, isLevel, isVersion } from '../engine';
import { globSet } from '../engine/glob';
import type { PodsecSettings, SeveritySetting } from './protocol';

export const DEFAULT_SETTINGS: PodsecSettings = {
  enable: true,
  level: 'restricted',
  version: 'latest',
  namespaceLabels: true,
  severity: {},
  exclude: [],
  maxFileSize: DEFAULT_LIMITS.maxFileBytes,
  maxAliasCount: DEFAULT_LIMITS.maxAliasCount,
  relatedInformation: false,
};

const SEVERITIES = new Set<string>(['error', 'warning', 'information', 'hint', 'off']);

export interface NormalizedSettings {
  settings: PodsecSettings;
  /** Human-readable problems with the raw values (each shown once). */
  problems: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The `podsec` section of initializationOptions or of a pushed
 * didChangeConfiguration: `{podsec: {...}}`, `{settings: {podsec}}` or flat.
 */
export function podsecSection(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.podsec === 'object' && r.podsec !== null) return r.podsec;
  if (typeof r.settings === 'object' && r.settings !== null) return podsecSection(r.settings);
  return raw;
}

/** A value as a setting warning quotes it: JSON, cut short. */
function shown(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 64 ? `${text.slice(0, 63)}…` : text;
}

/** Whether a key is set at all (unset and null mean the default, without a warning). */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * Turn a raw `podsec` section (any shape) into valid settings. Every invalid
 * value is named in `problems` and falls back to the default for that key
 * only (for `severity` and `exclude`, for that entry only).
 */
export function normalizeSettings(raw: unknown): NormalizedSettings {
  const problems: string[] = [];
  const s: PodsecSettings = {
    ...DEFAULT_SETTINGS,
    severity: {},
    exclude: [],
  };
  if (!isSet(raw)) return { settings: s, problems };
  if (!isRecord(raw)) {
    problems.push(`podsec: the settings are ${shown(raw)}, not an object; using the defaults.`);
    return { settings: s, problems };
  }
  const bool = (key: 'enable' | 'namespaceLabels') => {
    const v = raw[key];
    if (!isSet(v)) return;
    if (typeof v === 'boolean') s[key] = v;
    else problems.push(`podsec.${key} ${shown(v)} is not true or false; using ${s[key]}.`);
  };
  bool('enable');
  if (isSet(raw.level)) {
    if (isLevel(raw.level)) s.level = raw.level;
    else
      problems.push(
        `podsec.level ${shown(raw.level)} is not privileged, baseline or restricted; using restricted.`,
      );
  }
  if (isSet(raw.version) && raw.version !== '') {
    if (typeof raw.version === 'string' && isVersion(raw.version)) s.version = raw.version;
    else
      problems.push(
        `podsec.version ${shown(raw.version)} is not "latest" or v1.<minor>; using latest.`,
      );
  }
  bool('namespaceLabels');
  if (isRecord(raw.severity)) {
    for (const [k, v] of Object.entries(raw.severity)) {
      if (typeof v === 'string' && SEVERITIES.has(v)) s.severity[k] = v as SeveritySetting;
      else
        problems.push(
          `podsec.severity.${shown(k).slice(1, -1)}: ${shown(v)} is not error, warning, information, hint or off; ignored.`,
        );
    }
  } else if (isSet(raw.severity)) {
    problems.push(`podsec.severity ${shown(raw.severity)} is not an object; using {}.`);
  }
  if (Array.isArray(raw.exclude)) {
    const patterns: string[] = [];
    (raw.exclude as unknown[]).forEach((g, i) => {
      if (typeof g === 'string') patterns.push(g);
      else problems.push(`podsec.exclude[${i}] ${shown(g)} is not a string; ignored.`);
    });
    // Compiled here once (cached by content): the matcher skips the patterns it cannot use.
    for (const bad of globSet(patterns).invalid) {
      problems.push(`podsec.exclude: ${shown(bad.pattern)}: ${bad.error}; ignored.`);
    }
    s.exclude = patterns;
  } else if (isSet(raw.exclude)) {
    problems.push(`podsec.exclude ${shown(raw.exclude)} is not a list of glob patterns; using [].`);
  }
  if (typeof raw.relatedInformation === 'boolean') s.relatedInformation = raw.relatedInformation;
  const positive = (key: 'maxFileSize' | 'maxAliasCount') => {
    const v = raw[key];
    if (!isSet(v)) return;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 1) s[key] = Math.floor(v);
    else problems.push(`podsec.${key} ${shown(v)} is not a positive number; using ${s[key]}.`);
  };
  positive('maxFileSize');
  positive('maxAliasCount');
  return { settings: s, problems };
}

/** A stable key of the settings that influence analysis results. */
export function settingsKey(s: PodsecSettings): string {
  return JSON.stringify([
    s.enable,
    s.level,
    s.version,
    s.namespaceLabels,
    s.maxFileSize,
    s.maxAliasCount,
  ]);
}
