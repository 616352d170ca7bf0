/**
 * Which `.podsec.yaml` applies to a file, and which layer chose each setting.
 *
 * Resolution: the nearest `.podsec.yaml` (or `.podsec.yml`) wins, searched
 * from the file's folder upward; the search stops after the workspace root
 * (a folder given in `roots`) or a repository root (a folder holding `.git`,
 * a folder or, in a worktree, a file), and at `/`. Settings never merge
 * across files: the nearest file is the whole project configuration. Both
 * names in one folder is an error naming both; `.podsec.yaml` is used.
 *
 * Precedence, per setting: command-line options over the file over VS Code
 * settings over built-in defaults (each `severity` entry on its own). The
 * command line and the editor never both apply; either way the origin of
 * every value is kept, so the status bar and hover can say "chosen by
 * .podsec.yaml".
 *
 * The disk is read only through the injected reader (`readText`, `list`),
 * once per folder until `invalidate`.
 */
import { globSet } from '../glob';
import type { Level, Span } from '../types';
import type { DirEntry } from '../sources/sourceFs';
import { dirName, isInside, normalizePath } from '../sources/sourceFs';
import { CONFIG_FILE_NAMES, parseProjectConfig } from './projectConfig';
import type { ProjectConfig, SeveritySetting } from './types';

/** The part of `SourceFs` configuration resolution needs. */
export interface ConfigReader {
  readText(path: string): string | null;
  list(path: string): DirEntry[] | null;
}

interface FolderEntry {
  config: ProjectConfig | null;
  /** Holds `.git`: a repository root, where the search stops. */
  repositoryRoot: boolean;
}

export interface ConfigResolverOptions {
  /** Workspace roots: the search stops after these folders. */
  roots?: readonly string[];
}

export class ConfigResolver {
  private readonly folders = new Map<string, FolderEntry>();
  private readonly roots: Set<string>;
  /** Reader calls made so far (tests bound the work with it). */
  reads = 0;

  constructor(
    private readonly fs: ConfigReader,
    options: ConfigResolverOptions = {},
  ) {
    this.roots = new Set((options.roots ?? []).map(normalizePath));
  }

  /** The configuration that applies to a file, or null when no `.podsec.yaml` is found. */
  forFile(file: string): ProjectConfig | null {
    return this.forDir(dirName(file));
  }

  /** The configuration that applies to the files of a folder. */
  forDir(dir: string): ProjectConfig | null {
    for (const d of this.searchPath(dir)) {
      const entry = this.folder(d);
      if (entry.config) return entry.config;
    }
    return null;
  }

  /** The folders searched for a folder's files, nearest first. */
  searchPath(dir: string): string[] {
    const out: string[] = [];
    let d = normalizePath(dir);
    for (;;) {
      out.push(d);
      if (this.roots.has(d) || d === '/' || this.folder(d).repositoryRoot) return out;
      d = dirName(d);
    }
  }

  /** Forget what is known about a path's folder (a `.podsec.yaml` or `.git` was created, changed or deleted), or about a folder. */
  invalidate(path: string): void {
    const p = normalizePath(path);
    this.folders.delete(p);
    this.folders.delete(dirName(p));
  }

  clear(): void {
    this.folders.clear();
  }

  private folder(dir: string): FolderEntry {
    const cached = this.folders.get(dir);
    if (cached) return cached;
    this.reads++;
    const names = new Set((this.fs.list(dir) ?? []).map((e) => e.name));
    const present = CONFIG_FILE_NAMES.filter((n) => names.has(n));
    let config: ProjectConfig | null = null;
    const first = present[0];
    if (first !== undefined) {
      const file = dir === '/' ? `/${first}` : `${dir}/${first}`;
      this.reads++;
      const text = this.fs.readText(file);
      if (text === null) {
        config = parseProjectConfig('', file);
        config.diagnostics.push({
          file,
          message: `${first} could not be read (not a regular file, over a size limit, or not UTF-8): nothing in it applies, and no configuration further up is used`,
          span: { start: 0, end: 0 },
          path: '',
          severity: 'error',
          code: 'config',
        });
      } else config = parseProjectConfig(text, file);
      if (present.length > 1) {
        const other = dir === '/' ? `/${present[1]}` : `${dir}/${present[1]}`;
        const message = `both ${file} and ${other} exist: ${first} applies and ${present[1]} is ignored; keep one`;
        for (const f of [file, other]) {
          config.diagnostics.push({
            file: f,
            message,
            span: { start: 0, end: 0 },
            path: '',
            severity: 'error',
            code: 'config',
          });
        }
      }
    }
    const entry: FolderEntry = { config, repositoryRoot: names.has('.git') };
    this.folders.set(dir, entry);
    return entry;
  }
}

// ---------------------------------------------------------------- precedence

export type SettingOrigin =
  | { kind: 'cli'; option: string }
  | { kind: 'file'; file: string; key: string; keySpan: Span; valueSpan: Span }
  | { kind: 'editor'; setting: string }
  | { kind: 'default' };

export interface Chosen<T> {
  value: T;
  origin: SettingOrigin;
}

/** Values one layer sets (absent: the layer is silent). */
export interface SettingsLayer {
  level?: Level;
  version?: string;
  namespaceLabels?: boolean;
  severity?: Readonly<Record<string, SeveritySetting>>;
  exclude?: readonly string[];
  admissionConfiguration?: string;
  failOnSkipped?: boolean;
}

export interface EffectiveSettings {
  level: Chosen<Level>;
  version: Chosen<string>;
  namespaceLabels: Chosen<boolean>;
  /** Each entry chosen on its own (the file's `runAsNonRoot: off` and an editor's `yaml: hint` both apply). */
  severity: Record<string, Chosen<SeveritySetting>>;
  /** Patterns and the folder they are relative to (the file's folder, or the editor's workspace folder). */
  exclude: Chosen<string[]> & { base: string | null };
  admissionConfiguration: Chosen<string | null>;
  failOnSkipped: Chosen<boolean>;
  /** The project configuration that took part, if any. */
  config: ProjectConfig | null;
}

export const DEFAULT_SETTINGS = {
  level: 'restricted' as Level,
  version: 'latest',
  namespaceLabels: true,
  failOnSkipped: false,
};

/** Command-line option and VS Code setting of each key, for origins and messages. */
export const CLI_OPTIONS: Readonly<Record<keyof SettingsLayer, string | null>> = {
  level: '--level',
  version: '--policy-version',
  namespaceLabels: '--ignore-namespace-labels',
  severity: null,
  exclude: null,
  admissionConfiguration: '--admission-config',
  failOnSkipped: '--fail-on-skipped',
};
export const EDITOR_SETTINGS: Readonly<Record<keyof SettingsLayer, string | null>> = {
  level: 'podsec.level',
  version: 'podsec.version',
  namespaceLabels: 'podsec.namespaceLabels',
  severity: 'podsec.severity',
  exclude: 'podsec.exclude',
  admissionConfiguration: null,
  failOnSkipped: null,
};

export interface LayersInput {
  /** Options given explicitly on the command line (not their defaults). */
  cli?: SettingsLayer;
  /** The nearest `.podsec.yaml` (from `ConfigResolver`), or null. */
  file?: ProjectConfig | null;
  /** VS Code settings set by the user (not their defaults), and the workspace folder `exclude` is relative to. */
  editor?: SettingsLayer;
  editorFolder?: string | null;
}

/** Every setting with the layer that chose it: command line, then file, then editor, then default. */
export function effectiveSettings(input: LayersInput): EffectiveSettings {
  const file = input.file ?? null;
  const fs = file?.settings ?? {};
  function pick<K extends keyof SettingsLayer>(
    key: K,
    fallback: NonNullable<SettingsLayer[K]>,
  ): Chosen<NonNullable<SettingsLayer[K]>> {
    const cliValue = input.cli?.[key];
    const cliOption = CLI_OPTIONS[key];
    if (cliValue !== undefined && cliValue !== null)
      return { value: cliValue, origin: { kind: 'cli', option: cliOption ?? key } };
    const fileValue = (fs as SettingsLayer)[key];
    const loc = file?.locations[key];
    if (fileValue !== undefined && fileValue !== null && file && loc)
      return {
        value: fileValue,
        origin: {
          kind: 'file',
          file: file.file,
          key,
          keySpan: loc.keySpan,
          valueSpan: loc.valueSpan,
        },
      };
    const editorValue = input.editor?.[key];
    if (editorValue !== undefined && editorValue !== null)
      return {
        value: editorValue,
        origin: { kind: 'editor', setting: EDITOR_SETTINGS[key] ?? key },
      };
    return { value: fallback, origin: { kind: 'default' } };
  }

  const severity: Record<string, Chosen<SeveritySetting>> = {};
  for (const [k, v] of Object.entries(input.editor?.severity ?? {}))
    severity[k] = { value: v, origin: { kind: 'editor', setting: `podsec.severity.${k}` } };
  if (file) {
    for (const [k, v] of Object.entries(fs.severity ?? {})) {
      const loc = file.severityLocations[k];
      if (!loc) continue;
      severity[k] = {
        value: v,
        origin: {
          kind: 'file',
          file: file.file,
          key: `severity.${k}`,
          keySpan: loc.keySpan,
          valueSpan: loc.valueSpan,
        },
      };
    }
  }
  for (const [k, v] of Object.entries(input.cli?.severity ?? {}))
    severity[k] = { value: v, origin: { kind: 'cli', option: `severity ${k}` } };

  const exclude = pick('exclude', []);
  const admission = pick('admissionConfiguration', '');
  return {
    level: pick('level', DEFAULT_SETTINGS.level),
    version: pick('version', DEFAULT_SETTINGS.version),
    namespaceLabels: pick('namespaceLabels', DEFAULT_SETTINGS.namespaceLabels),
    severity,
    exclude: {
      value: [...exclude.value],
      origin: exclude.origin,
      base:
        exclude.origin.kind === 'file'
          ? dirName(exclude.origin.file)
          : exclude.origin.kind === 'editor'
            ? (input.editorFolder ?? null)
            : null,
    },
    admissionConfiguration: {
      value: admission.value === '' ? null : admission.value,
      origin: admission.origin,
    },
    failOnSkipped: pick('failOnSkipped', DEFAULT_SETTINGS.failOnSkipped),
    config: file,
  };
}

/** Whether `file` (absolute) matches one of `patterns`, taken relative to `base` (and, with no base, against the absolute path). */
export function matchesExclude(
  patterns: readonly string[],
  base: string | null,
  file: string,
): boolean {
  if (patterns.length === 0) return false;
  const abs = normalizePath(file);
  const rel =
    base !== null && isInside(base, abs)
      ? abs.slice(normalizePath(base) === '/' ? 1 : normalizePath(base).length + 1)
      : null;
  const globs = globSet(patterns);
  return (rel !== null && globs.matches(rel)) || (base === null && globs.matches(abs));
}

/** Whether the effective settings exclude a file. */
export function isExcluded(settings: EffectiveSettings, file: string): boolean {
  return matchesExclude(settings.exclude.value, settings.exclude.base, file);
}

/** A short phrase for where a value came from: "set in /repo/.podsec.yaml", "--level", "the podsec.level setting", "the default". */
export function originPhrase(origin: SettingOrigin): string {
  switch (origin.kind) {
    case 'cli':
      return origin.option;
    case 'file':
      return `${origin.key} in ${origin.file}`;
    case 'editor':
      return `the ${origin.setting} setting`;
    case 'default':
      return 'the default';
  }
}
