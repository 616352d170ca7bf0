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
  chooseAdmissionConfig,
  ConfigResolver,
  effectiveSettings,
  findAdmissionConfigs,
  isExcluded,
  loadAdmissionConfig,
  parseProjectConfig,
} from '../engine/config/index';
import type {
  AdmissionConfig,
  ConfigDiagnostic,
  FoundAdmissionConfig,
  ConfigReader,
  EffectiveSettings,
  ProjectConfig,
  SettingsLayer,
  SeveritySetting,
} from '../engine/config/index';
import type { Analysis, AnalyzeOptions, Diagnostic, Severity } from '../engine/index';
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
  failOnSkipped?: boolean | null;
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

/** What the command line sets for every input of a run. */
export interface RunOptions {
  /** `--as-user`, or null. */
  asUser: string | null;
  maxFileBytes: number;
  maxAliasCount: number;
}

/** Which configuration applies to each input, and what the run must report about them. */
export class CliConfigs {
  private readonly resolver: ConfigResolver;
  private readonly named: ProjectConfig | null = null;
  private readonly layer: SettingsLayer;
  private readonly used = new Map<string, ProjectConfig>();
  private readonly admissions = new Map<string, AdmissionConfig>();
  private found: FoundAdmissionConfig[] = [];
  /** Each input's settings, read once: the files do not change during a run. */
  private readonly settings = new Map<string, EffectiveSettings>();
  /** Set when several admission configurations were found and none named. */
  admissionNote: string | null = null;

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
    let s = this.settings.get(path);
    if (!s) {
      s = effectiveSettings({ cli: this.layer, file: this.configFor(path) });
      this.settings.set(path, s);
    }
    return s;
  }

  /**
   * The options an input is analysed with: its settings (its `.podsec.yaml`
   * under the command line), its admission configuration and the user who
   * applies it. The check and the report command read each file this way.
   */
  analyzeOptionsFor(path: string, run: RunOptions): AnalyzeOptions {
    const s = this.settingsFor(path);
    const admission = this.admissionFor(path);
    return {
      ...(admission ? { admission } : {}),
      ...(run.asUser !== null ? { asUser: run.asUser } : {}),
      level: s.level.value,
      version: s.version.value,
      namespaceLabels: s.namespaceLabels.value,
      maxFileBytes: run.maxFileBytes,
      maxAliasCount: run.maxAliasCount,
    };
  }

  /** Whether the configuration's `exclude` leaves a file out. */
  excluded(path: string): boolean {
    if (path === '-') return false;
    return isExcluded(this.settingsFor(path), slashPath(path));
  }

  /** The inputs' texts, for finding an admission configuration when none is named. */
  discover(inputs: ReadonlyArray<{ path: string; text: string }>): void {
    this.found = findAdmissionConfigs(
      inputs.filter((i) => i.path !== '-').map((i) => ({ path: slashPath(i.path), text: i.text })),
    );
  }

  /**
   * The cluster's admission configuration for an input: the one named
   * (`--admission-config`, else `admissionConfiguration` in its
   * .podsec.yaml), else the only one among the inputs, else none.
   */
  admissionFor(path: string): AdmissionConfig | null {
    const named = this.settingsFor(path).admissionConfiguration.value;
    const choice = chooseAdmissionConfig(named, this.found);
    if (choice.note) this.admissionNote = choice.note;
    if (choice.file === null) return null;
    let config = this.admissions.get(choice.file);
    if (!config) {
      config = loadAdmissionConfig(choice.file, new DiskConfigReader());
      this.admissions.set(choice.file, config);
    }
    return config;
  }

  /** The configuration files used so far that have problems, as results of the run. */
  results(): FileResult[] {
    const diagnostics: ConfigDiagnostic[] = [];
    for (const c of this.used.values()) diagnostics.push(...c.diagnostics);
    // upstream's admission messages already name their field.
    for (const a of this.admissions.values())
      diagnostics.push(...a.diagnostics.map((d) => ({ ...d, path: '' })));
    const files = [...new Set(diagnostics.map((d) => d.file))].sort();
    return files.map((file) => {
      const rel = relative(process.cwd(), file);
      return {
        path: rel === '' || rel.startsWith('..') ? file : rel,
        text: new DiskConfigReader().readText(file) ?? '',
        analysis: {
          findings: [],
          errors: diagnostics.filter((d) => d.file === file).map(toDiagnostic),
          notes: [],
          workloads: [],
          objects: 0,
        },
      };
    });
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
