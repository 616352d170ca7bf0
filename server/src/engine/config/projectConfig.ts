/**
 * `.podsec.yaml`: text in, settings and located diagnostics out. Every key
 * is read on its own: an invalid value is reported at its place and only
 * that key keeps its default; unknown keys are warned about and ignored;
 * a YAML error is reported and the keys that did parse still apply.
 */
import type { Span } from '../types';
import { closest, KEY_NAMES, KEYS } from './keys';
import type { ReadContext } from './keys';
import type { ConfigDiagnostic, KeyLocation, ProjectConfig } from './types';
import { describe, readYaml } from './yamlRead';

export const CONFIG_FILE_NAMES = ['.podsec.yaml', '.podsec.yml'] as const;

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i <= 0 ? '/' : file.slice(0, i);
}

/** Parse one `.podsec.yaml` (or `.podsec.yml`). `file` is its absolute path, used for relative paths and messages. */
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const config: ProjectConfig = {
    file,
    settings: {},
    locations: {},
    severityLocations: {},
    diagnostics: [],
  };
  const diag = (
    message: string,
    span: Span,
    path: string,
    severity: ConfigDiagnostic['severity'] = 'error',
    code: ConfigDiagnostic['code'] = 'config',
    keySpan?: Span,
  ) => {
    config.diagnostics.push({
      file,
      message,
      span,
      path,
      severity,
      code,
      ...(keySpan ? { keySpan } : {}),
    });
  };

  // YAML 1.2, as the JSON Schema validation in editors reads it: `yes` and `off` are strings.
  const read = readYaml(text, '1.2');
  for (const e of read.errors) diag(e.message, e.span, '', 'error', 'yaml');
  for (const extra of read.extraDocuments) {
    diag(
      'a .podsec.yaml holds one document: this one and any after it are ignored',
      { start: extra.start, end: Math.min(extra.end, extra.start + 3) },
      '',
    );
  }
  const root = read.root;
  if (root === null) return config;
  if (root.type !== 'map') {
    diag(
      `a .podsec.yaml must be a map of settings (level, version, …), not ${describe(root)}; nothing in it applies`,
      root.span,
      '',
    );
    return config;
  }

  const seen = new Map<string, Span>();
  const settings = config.settings as Record<string, unknown>;
  for (const pair of root.pairs) {
    const key = pair.key;
    if (key === null) {
      diag('a complex key is not a setting; ignored', pair.keySpan, '', 'warning');
      continue;
    }
    // An alias to nothing: the YAML error says so; the key keeps its default.
    if (pair.value.type === 'scalar' && pair.value.dangling) continue;
    const spec = KEYS.find((k) => k.key === key);
    if (!spec) {
      const c = closest(key, KEY_NAMES);
      diag(
        `unknown key "${key}"${c ? ` (did you mean "${c}"?)` : ''}; ignored. Keys: ${KEY_NAMES.join(', ')}`,
        pair.keySpan,
        key,
        'warning',
      );
      continue;
    }
    const earlier = seen.get(key);
    if (earlier) {
      diag(
        `duplicate key "${key}": this one applies, the one on an earlier line is ignored`,
        pair.keySpan,
        key,
      );
    }
    seen.set(key, pair.keySpan);
    const before = config.diagnostics.length;
    const ctx: ReadContext = {
      file,
      dir: dirOf(file),
      report: (message, span, path = key, severity = 'error') =>
        diag(message, span, path, severity, 'config', pair.keySpan),
    };
    // A later duplicate replaces an earlier value, valid or not (as Kubernetes reads duplicate keys).
    delete settings[key];
    delete config.locations[spec.key];
    if (key === 'severity') config.severityLocations = {};
    const value = spec.read(pair.value, ctx);
    if (value === undefined) continue;
    settings[key] = value;
    const loc: KeyLocation = { file, keySpan: pair.keySpan, valueSpan: pair.value.span };
    config.locations[spec.key] = loc;
    if (key === 'severity' && pair.value.type === 'map') {
      for (const p of pair.value.pairs) {
        if (p.key !== null && p.key in (value as Record<string, unknown>)) {
          config.severityLocations[p.key] = {
            file,
            keySpan: p.keySpan,
            valueSpan: p.value.span,
          };
        }
      }
    }
    if (spec.status === 'reserved' && config.diagnostics.length === before) {
      diag(
        `"${key}" is recognised but not used by this version of podsec`,
        pair.keySpan,
        key,
        'information',
      );
    }
  }
  return config;
}

/** Whether a parsed configuration has errors (diagnostics of error severity). */
export function hasConfigErrors(config: { diagnostics: readonly ConfigDiagnostic[] }): boolean {
  return config.diagnostics.some((d) => d.severity === 'error');
}
