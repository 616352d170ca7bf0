/**
 * The vocabulary of the project configuration (`.podsec.yaml`) and the
 * cluster's admission configuration. Plain data: offsets are UTF-16 code
 * units into the file's text; paths are absolute and use `/`.
 */
import type { Level, Span } from '../types';

/** Values of a `severity` entry (the same as the `podsec.severity` setting's). */
export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

/**
 * `.podsec.yaml`'s `hardening`: the family switch (`hardening: off`, or
 * `enabled: false` in the map), each check on, off or at a severity, and
 * `requireCpuLimit`. It wins over `severity` entries for the same checks.
 */
export interface HardeningSetting {
  /** false: every check off, except those `checks` turns on or gives a severity. */
  enabled?: boolean;
  /** Per hardening check ID: `on` (its default, or its `severity` entry), `off`, or a severity. */
  checks: Record<string, SeveritySetting | 'on'>;
  requireCpuLimit?: boolean;
}

/** A message about a configuration file, placed in that file. */
export interface ConfigDiagnostic {
  /** The file the message is about (absolute path). */
  file: string;
  message: string;
  /** The offending text: a value, or the key for an unknown or duplicate key. */
  span: Span;
  /** The key the message is about (its span), when it is about a key's value. */
  keySpan?: Span;
  /** Dotted path of the key, e.g. `severity.runAsNonRoot` or `exemptions.namespaces[2]`. */
  path: string;
  severity: 'error' | 'warning' | 'information';
  /** 'yaml' for syntax errors, 'config' for everything else. */
  code: 'yaml' | 'config';
}

/** One `helm` value set (a later feature; its shape is checked now). */
export interface HelmValueSet {
  name: string;
  values: string[];
  set: Record<string, string | number | boolean | null>;
  releaseName?: string;
  namespace?: string;
}

/**
 * The settings a `.podsec.yaml` can hold. A key the file does not set (or
 * sets to an invalid value) is absent, so a lower layer (VS Code settings,
 * built-in defaults) decides it.
 */
export interface ProjectSettings {
  level?: Level;
  version?: string;
  namespaceLabels?: boolean;
  severity?: Record<string, SeveritySetting>;
  /** Globs, matched against paths relative to the configuration file's folder. */
  exclude?: string[];
  /** Absolute path of the cluster's admission configuration (written relative to the file's folder). */
  admissionConfiguration?: string;
  failOnSkipped?: boolean;
  hardening?: HardeningSetting;
  // Recognised now, used by later features:
  baseline?: string;
  helm?: HelmValueSet[];
  kustomize?: { roots: string[] };
}

export type SettingKey = keyof ProjectSettings;

/** Where a key was written in a configuration file. */
export interface KeyLocation {
  file: string;
  /** The key's span (`level` in `level: baseline`). */
  keySpan: Span;
  /** The value's span. */
  valueSpan: Span;
}

/** A parsed `.podsec.yaml`. */
export interface ProjectConfig {
  /** Absolute path of the file. */
  file: string;
  settings: ProjectSettings;
  /** Where each set key was written (valid values only), for the status bar and hover. */
  locations: Partial<Record<SettingKey, KeyLocation>>;
  /** Where each `severity` entry was written, by its key. */
  severityLocations: Record<string, KeyLocation>;
  diagnostics: ConfigDiagnostic[];
}
