/**
 * `.podsec.yaml` in the language server. Owns: the configuration resolver
 * (the nearest `.podsec.yaml` or `.podsec.yml` upward from a document,
 * stopping at its workspace folder or repository root), read from disk and
 * forgotten when a watched configuration file (or `.git`) changes. The
 * settings a document gets are the editor's with the file's values over
 * them: VS Code settings apply only where the file is silent. Which keys
 * the file chose is kept per settings object (`projectChoice`), for the
 * status bar and hover. Where no `.podsec.yaml` names an admission
 * configuration, the workspace's only one applies (`discovered`, see
 * admission.ts). Tells its listeners when anything changed.
 */
import { basename } from 'node:path';
import type { Diagnostic as EngineDiagnostic } from '../engine';
import {
  CONFIG_FILE_NAMES,
  ConfigResolver,
  effectiveSettings,
  loadAdmissionConfig,
  parseProjectConfig,
} from '../engine/config/index';
import type { AdmissionConfig, ProjectConfig } from '../engine/config/index';
import type { HardeningSetting } from '../engine/config/types';
import { DiskConfigReader, slashPath } from '../diskConfig';
import type { PodsecSettings, SeveritySetting } from './protocol';
import { fileKey, toUri } from './uris';

/** What a `.podsec.yaml` chose for a document's settings. */
export interface ProjectChoice {
  /** URI of the configuration file. */
  file: string;
  /** The settings it chose: `level`, `version`, `namespaceLabels`, `severity`, `exclude`. */
  keys: string[];
}

const choices = new WeakMap<PodsecSettings, ProjectChoice>();
const admissions = new WeakMap<PodsecSettings, AdmissionConfig>();
const hardeningSettings = new WeakMap<PodsecSettings, HardeningSetting>();

/** The `hardening` key of the `.podsec.yaml` these settings came from, if it has one. */
export function hardeningSettingOf(s: PodsecSettings): HardeningSetting | undefined {
  return hardeningSettings.get(s);
}

/** The cluster's admission configuration a `.podsec.yaml` names for these settings, if any. */
export function admissionOf(s: PodsecSettings): AdmissionConfig | undefined {
  return admissions.get(s);
}

/** Which keys a `.podsec.yaml` chose in these settings (undefined: none did). */
export function projectChoice(s: PodsecSettings): ProjectChoice | undefined {
  return choices.get(s);
}

/** Whether a file name is a project configuration file. */
export function isConfigFile(fileOrUri: string): boolean {
  return (CONFIG_FILE_NAMES as readonly string[]).includes(basename(fileOrUri));
}

/** A configuration file's own problems, as engine diagnostics in its text. */
export function configDiagnostics(uri: string, text: string): EngineDiagnostic[] {
  const config = parseProjectConfig(text, slashPath(fileKey(uri)));
  return config.diagnostics.map((d) => ({
    message: `${d.path ? `${d.path}: ` : ''}${d.message}`,
    span: d.span,
    code: d.code === 'yaml' ? 'yaml' : 'schema',
    severity: d.severity,
  }));
}

/** Glob-special characters in a folder path, escaped so it prefixes a pattern literally. */
function globEscape(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}

export interface BaseSettings {
  for(uri: string): Promise<PodsecSettings>;
  defaults(): PodsecSettings;
  onDidChange(listener: () => void): void;
}

export class ProjectSettings {
  private resolver: ConfigResolver | null = null;
  private readonly listeners: Array<() => void> = [];
  private readonly admissionFiles = new Map<string, AdmissionConfig>();

  constructor(
    private readonly base: BaseSettings,
    private readonly folders: () => string[],
    /** The workspace's only admission configuration, when no `.podsec.yaml` names one. */
    private readonly discovered: () => AdmissionConfig | null = () => null,
  ) {
    base.onDidChange(() => this.changed());
  }

  async for(uri: string): Promise<PodsecSettings> {
    const s = await this.base.for(uri);
    return this.apply(uri, s);
  }

  /**
   * The settings for a file on disk that no editor has open (the workspace
   * report's files): the editor's settings of its scope (`scopeUri`, a name
   * in its workspace folder: asked once per folder, not per file), its
   * `.podsec.yaml` over them.
   */
  async forFile(uri: string, scopeUri: string): Promise<PodsecSettings> {
    return this.apply(uri, await this.base.for(scopeUri));
  }

  defaults(): PodsecSettings {
    return this.base.defaults();
  }

  onDidChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** A watched file changed: a configuration file or `.git` makes the files below it resolve again. */
  fileChanged(uri: string): void {
    if (!uri.startsWith('file:')) return;
    const file = slashPath(fileKey(uri));
    let hit = false;
    for (const [k, a] of this.admissionFiles) {
      if (!a.files.includes(file)) continue;
      this.admissionFiles.delete(k);
      hit = true;
    }
    const name = basename(file);
    if (isConfigFile(name) || name === '.git') {
      this.resolver?.invalidate(file);
      hit = true;
    }
    if (hit) this.changed();
  }

  /** The workspace folders changed: resolve from scratch. */
  foldersChanged(): void {
    this.resolver = null;
    this.changed();
  }

  /** The configuration file that applies to a document, or null. */
  configFor(uri: string): ProjectConfig | null {
    if (!uri.startsWith('file:')) return null;
    this.resolver ??= new ConfigResolver(new DiskConfigReader(), {
      roots: this.folders().map((f) => slashPath(f)),
    });
    return this.resolver.forFile(slashPath(fileKey(uri)));
  }

  private apply(uri: string, s: PodsecSettings): PodsecSettings {
    const config = this.configFor(uri);
    const out = config ? this.fromFile(config, s) : s;
    if (config?.settings.admissionConfiguration !== undefined) return out;
    // None named: the workspace's only admission configuration, found by itself.
    const found = this.discovered();
    if (!found) return out;
    const copy = out === s ? { ...s } : out;
    admissions.set(copy, found);
    return copy;
  }

  /** The settings with a `.podsec.yaml`'s values over the editor's. */
  private fromFile(config: ProjectConfig, s: PodsecSettings): PodsecSettings {
    const eff = effectiveSettings({
      file: config,
      editor: {
        level: s.level,
        version: s.version,
        namespaceLabels: s.namespaceLabels,
        severity: s.severity,
      },
    });
    const keys = (['level', 'version', 'namespaceLabels'] as const).filter(
      (k) => eff[k].origin.kind === 'file',
    ) as string[];
    const severity: Record<string, SeveritySetting> = {};
    for (const [k, v] of Object.entries(eff.severity)) severity[k] = v.value;
    if (Object.values(eff.severity).some((v) => v.origin.kind === 'file')) keys.push('severity');
    let exclude = s.exclude;
    const fileExclude = config.settings.exclude;
    if (fileExclude !== undefined && config.locations.exclude) {
      // Patterns are relative to the file's folder; the workspace also matches absolute paths.
      const dir = globEscape(config.file.slice(0, config.file.lastIndexOf('/')));
      exclude = fileExclude.map((p) => `${dir}/${p}`);
      keys.push('exclude');
    }
    const out: PodsecSettings = {
      ...s,
      level: eff.level.value,
      version: eff.version.value,
      namespaceLabels: eff.namespaceLabels.value,
      severity,
      exclude,
    };
    choices.set(out, { file: toUri(config.file), keys });
    if (config.settings.hardening) {
      hardeningSettings.set(out, config.settings.hardening);
      keys.push('hardening');
    }
    const named = config.settings.admissionConfiguration;
    if (named !== undefined) {
      let a = this.admissionFiles.get(named);
      if (!a) {
        a = loadAdmissionConfig(named, new DiskConfigReader());
        this.admissionFiles.set(named, a);
      }
      admissions.set(out, a);
      keys.push('admissionConfiguration');
    }
    return out;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
