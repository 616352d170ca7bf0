/**
 * The project configuration on the command line: the nearest `.podsec.yaml`
 * (or `.podsec.yml`) upward from each file, stopping at the repository root
 * (a folder holding `.git`); `--config <file>` names one for every file;
 * `--no-config` reads none. Options given on the command line win over the
 * file, the file over the defaults. A configuration file's own problems are
 * reported in it, as a file of the run.
 */
import { relative } from 'node:path';
import { DiskConfigReader, slashPath } from '../diskConfig';
import {
  ConfigResolver,
  effectiveSettings,
  isExcluded,
  parseProjectConfig,
} from '../engine/config/index';
import type {
  ConfigDiagnostic,
  ConfigReader,
  EffectiveSettings,
  ProjectConfig,
  SettingsLayer,
  SeveritySetting,
} from '../engine/config/index';
import type { Analysis, Diagnostic, Severity } from '../engine/index';
import type { CommonOptions } from './args';
import type { FileResult } from './report';

export interface ConfigOptions extends CommonOptions {
  /** `--config <file>`, or null. */
  config: string | null;
  /** `--no-config`. */
  noConfig: boolean;
  /** `--admission-config <file>`, or null. */
  admissionConfig?: string | null;
  /** `--fail-on-skipped`. */
  failOnSkipped?: boolean;
}

/** The values the command line set explicitly (not its defaults): the top layer. */
export function cliLayer(o: ConfigOptions): SettingsLayer {
  const g = o.given ?? new Set<string>();
  return {
    ...(g.has('--level') ? { level: o.level } : {}),
    ...(g.has('--policy-version') || g.has('--version-policy') ? { version: o.version } : {}),
    ...(g.has('--ignore-namespace-labels') ? { namespaceLabels: false } : {}),
    ...(o.admissionConfig ? { admissionConfiguration: slashPath(o.admissionConfig) } : {}),
    ...(o.failOnSkipped === true ? { failOnSkipped: true } : {}),
  };
}

export class UnreadableConfig extends Error {}

/** Which configuration applies to each input, and what the run must report about them. */
export class CliConfigs {
  private readonly resolver: ConfigResolver;
  private readonly named: ProjectConfig | null = null;
  private readonly layer: SettingsLayer;
  private readonly used = new Map<string, ProjectConfig>();

  constructor(
    private readonly o: ConfigOptions,
    reader: ConfigReader = new DiskConfigReader(),
  ) {
    this.resolver = new ConfigResolver(reader);
    this.layer = cliLayer(o);
    if (o.config !== null && !o.noConfig) {
      const file = slashPath(o.config);
      const text = reader.readText(file);
      if (text === null)
        throw new UnreadableConfig(
          `cannot read --config ${o.config}: not a readable regular file of UTF-8 text`,
        );
      this.named = parseProjectConfig(text, file);
    }
  }

  /** The configuration file for an input (`-` counts from the current folder), or null. */
  configFor(path: string): ProjectConfig | null {
    if (this.o.noConfig) return null;
    const config =
      this.named ??
      (path === '-'
        ? this.resolver.forDir(slashPath('.'))
        : this.resolver.forFile(slashPath(path)));
    if (config) this.used.set(config.file, config);
    return config;
  }

  /** The settings for an input, with the layer that chose each. */
  settingsFor(path: string): EffectiveSettings {
    return effectiveSettings({ cli: this.layer, file: this.configFor(path) });
  }

  /** Whether the configuration's `exclude` leaves a file out. */
  excluded(path: string): boolean {
    if (path === '-') return false;
    return isExcluded(this.settingsFor(path), slashPath(path));
  }

  /** The configuration files used so far that have problems, as results of the run. */
  results(): FileResult[] {
    const out: FileResult[] = [];
    for (const c of this.used.values()) {
      if (c.diagnostics.length === 0) continue;
      const text = new DiskConfigReader().readText(c.file) ?? '';
      const byFile = c.diagnostics.filter((d) => d.file === c.file);
      if (byFile.length === 0) continue;
      const rel = relative(process.cwd(), c.file);
      out.push({
        path: rel === '' || rel.startsWith('..') ? c.file : rel,
        text,
        analysis: {
          findings: [],
          errors: byFile.map(toDiagnostic),
          notes: [],
          workloads: [],
          objects: 0,
        },
      });
    }
    return out;
  }
}

function toDiagnostic(d: ConfigDiagnostic): Diagnostic {
  return {
    message: `${d.path ? `${d.path}: ` : ''}${d.message}`,
    span: d.span,
    code: d.code === 'yaml' ? 'yaml' : 'schema',
    severity: d.severity,
  };
}

/**
 * `severity` entries applied to an analysis, as the editor applies
 * `podsec.severity`: for a finding its check ID, else its mode; for an
 * error its code; for a note `note`. `off` drops it; `hint` is shown as
 * information.
 */
export function applySeverity(
  a: Analysis,
  severity: Readonly<Record<string, { value: SeveritySetting }>>,
): Analysis {
  if (Object.keys(severity).length === 0) return a;
  const pick = (keys: readonly string[], current: Severity): Severity | null => {
    for (const k of keys) {
      const v = severity[k]?.value;
      if (v === undefined) continue;
      if (v === 'off') return null;
      return v === 'hint' ? 'information' : v;
    }
    return current;
  };
  const mapped = <T extends { severity: Severity }>(items: T[], keys: (t: T) => string[]): T[] =>
    items.flatMap((t) => {
      const s = pick(keys(t), t.severity);
      return s === null ? [] : [{ ...t, severity: s }];
    });
  return {
    ...a,
    findings: mapped(a.findings, (f) => [f.check, f.mode]),
    errors: mapped(a.errors, (d) => [d.code]),
    notes: mapped(a.notes, (d) => [d.code, 'note']),
  };
}
