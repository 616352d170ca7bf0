/**
 * Settings: whatever the client sends, made into a complete, valid
 * PodsecSettings plus the problems found on the way (for one warning each).
 * Pure; handlers/settings.ts asks the client and keeps the results.
 */
import { DEFAULT_LIMITS, isLevel, isVersion } from '../engine';
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

/** Turn a raw `podsec` section (any shape) into valid settings. */
export function normalizeSettings(raw: unknown): NormalizedSettings {
  const problems: string[] = [];
  const s: PodsecSettings = {
    ...DEFAULT_SETTINGS,
    severity: {},
    exclude: [],
  };
  if (!isRecord(raw)) return { settings: s, problems };
  if (typeof raw.enable === 'boolean') s.enable = raw.enable;
  if (raw.level !== undefined && raw.level !== null) {
    if (isLevel(raw.level)) s.level = raw.level;
    else
      problems.push(
        `podsec.level ${JSON.stringify(raw.level)} is not privileged, baseline or restricted; using restricted.`,
      );
  }
  if (raw.version !== undefined && raw.version !== null && raw.version !== '') {
    if (typeof raw.version === 'string' && isVersion(raw.version)) s.version = raw.version;
    else
      problems.push(
        `podsec.version ${JSON.stringify(raw.version)} is not "latest" or v1.<minor>; using latest.`,
      );
  }
  if (typeof raw.namespaceLabels === 'boolean') s.namespaceLabels = raw.namespaceLabels;
  if (isRecord(raw.severity)) {
    for (const [k, v] of Object.entries(raw.severity)) {
      if (typeof v === 'string' && SEVERITIES.has(v)) s.severity[k] = v as SeveritySetting;
      else
        problems.push(
          `podsec.severity.${k}: ${JSON.stringify(v)} is not error, warning, information, hint or off; ignored.`,
        );
    }
  }
  if (Array.isArray(raw.exclude)) {
    s.exclude = raw.exclude.filter((g): g is string => typeof g === 'string' && g.length > 0);
  }
  if (typeof raw.maxFileSize === 'number' && Number.isFinite(raw.maxFileSize)) {
    if (raw.maxFileSize > 0) s.maxFileSize = Math.floor(raw.maxFileSize);
    else problems.push(`podsec.maxFileSize must be positive; using ${s.maxFileSize}.`);
  }
  if (typeof raw.maxAliasCount === 'number' && Number.isFinite(raw.maxAliasCount)) {
    if (raw.maxAliasCount > 0) s.maxAliasCount = Math.floor(raw.maxAliasCount);
    else problems.push(`podsec.maxAliasCount must be positive; using ${s.maxAliasCount}.`);
  }
  if (typeof raw.relatedInformation === 'boolean') s.relatedInformation = raw.relatedInformation;
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
