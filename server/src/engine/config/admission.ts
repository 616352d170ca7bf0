/**
 * The cluster's PodSecurity admission configuration, read offline as the
 * API server and the PodSecurity webhook read it.
 *
 * Two forms (upstream sources in brackets, by repository and path):
 * - `AdmissionConfiguration`, the API server's `--admission-control-config-file`
 *   (`apiserver.config.k8s.io/v1`, and `apiserver.k8s.io/v1alpha1`: the
 *   v1alpha1 kind lives in the older group) [kubernetes/apiserver
 *   pkg/apis/apiserver/v1/register.go, v1alpha1/register.go]. The first
 *   `plugins` entry named `PodSecurity` is the one used; its inline
 *   `configuration` wins over its `path`; a relative `path` is resolved
 *   against the admission configuration file's folder; an entry with
 *   neither, or no entry, means the built-in defaults [kubernetes/apiserver
 *   pkg/admission/config.go: ReadAdmissionConfiguration, ConfigFor].
 * - a bare `PodSecurityConfiguration` (`pod-security.admission.config.k8s.io/v1`,
 *   `v1beta1`, `v1alpha1`), the webhook's configuration and the target of a
 *   plugin's `path` [kubernetes/pod-security-admission admission/api/scheme/scheme.go].
 *
 * Decoding is strict, as both readers' codecs are (unknown and duplicate
 * fields are errors); only the first YAML document is read; scalars are
 * typed as sigs.k8s.io/yaml types them (YAML 1.1: `on` is a boolean, so it
 * is not a string). An empty `PodSecurityConfiguration` text is the defaults
 * [admission/api/load/load.go: LoadFromData].
 *
 * Defaulting: an empty or absent level is `privileged`, an empty or absent
 * version `latest`, for each of enforce, warn and audit [admission/api/v1/defaults.go].
 * Validation, with upstream's messages: levels and versions
 * [api/helpers.go: ParseLevel, ParseVersion], exempt namespaces as DNS-1123
 * labels, exempt runtime classes as DNS-1123 subdomains, usernames not
 * empty, no duplicates [admission/api/validation/validation.go;
 * kubernetes/apimachinery pkg/util/validation/validation.go]. The API server
 * refuses to start with an invalid configuration; podsec reports each error
 * at its entry and evaluates an invalid level as `restricted` and an invalid
 * version as `latest` (what upstream's parser returns with its error), so an
 * invalid configuration never makes a workload pass.
 */
import type { Level, Mode, Span } from '../types';
import type { ConfigDiagnostic } from './types';
import type { LMap, LNode, LScalar } from './yamlRead';
import { describe, goQuote, goYamlType, primitiveText, readYaml } from './yamlRead';

export const POD_SECURITY_GROUP = 'pod-security.admission.config.k8s.io';
export const POD_SECURITY_VERSIONS = ['v1', 'v1beta1', 'v1alpha1'] as const;
/** apiVersions under which `AdmissionConfiguration` is registered. */
export const ADMISSION_CONFIGURATION_VERSIONS = [
  'apiserver.config.k8s.io/v1',
  'apiserver.k8s.io/v1alpha1',
] as const;
export const POD_SECURITY_PLUGIN = 'PodSecurity';

/** The part of `SourceFs` reading a plugin's `path` needs. */
export interface AdmissionReader {
  readText(path: string): string | null;
}

/** One entry of an exemption list, where it was written. */
export interface ConfigEntry {
  value: string;
  file: string;
  span: Span;
  /** Its index in the list (`exemptions.namespaces[2]`). */
  index: number;
}

export type DefaultOrigin =
  { kind: 'config'; file: string; span: Span; key: string } | { kind: 'builtIn' };

export interface ModeDefault {
  level: Level;
  version: string;
  levelOrigin: DefaultOrigin;
  versionOrigin: DefaultOrigin;
}

export type ExemptionList = 'usernames' | 'namespaces' | 'runtimeClasses';

export interface AdmissionConfig {
  /** The file that was named or found (null: none, the built-in defaults). */
  file: string | null;
  /**
   * Where the PodSecurity settings came from: a bare PodSecurityConfiguration,
   * an AdmissionConfiguration's inline `configuration` or its `path`, an
   * AdmissionConfiguration without a PodSecurity entry (or an entry with
   * neither), or nothing at all.
   */
  source: 'bare' | 'inline' | 'path' | 'noPlugin' | 'builtIn';
  /** The file holding the PodSecurityConfiguration (the `path` target, or `file`). */
  podSecurityFile: string | null;
  /** apiVersion of the PodSecurityConfiguration, when one was read. */
  apiVersion: string | null;
  defaults: Record<Mode, ModeDefault>;
  exemptions: Record<ExemptionList, ConfigEntry[]>;
  /** Errors (the API server would not start), warnings and notes, each in its file. */
  diagnostics: ConfigDiagnostic[];
  /** Every file read, for watching. */
  files: string[];
}

const MODES: readonly Mode[] = ['enforce', 'warn', 'audit'];
const LEVELS: readonly string[] = ['privileged', 'baseline', 'restricted'];
const SPAN0: Span = { start: 0, end: 0 };

function builtInDefaults(): Record<Mode, ModeDefault> {
  const d = (): ModeDefault => ({
    level: 'privileged',
    version: 'latest',
    levelOrigin: { kind: 'builtIn' },
    versionOrigin: { kind: 'builtIn' },
  });
  return { enforce: d(), warn: d(), audit: d() };
}

/** The configuration a cluster without one has: privileged:latest for every mode, no exemptions. */
export function builtInAdmissionConfig(): AdmissionConfig {
  return {
    file: null,
    source: 'builtIn',
    podSecurityFile: null,
    apiVersion: null,
    defaults: builtInDefaults(),
    exemptions: { usernames: [], namespaces: [], runtimeClasses: [] },
    diagnostics: [],
    files: [],
  };
}

// ---------------------------------------------------------------- upstream rules

/** upstream's ParseLevel: the level, or restricted and an error [api/helpers.go]. */
export function parseLevel(s: string): { level: Level; error: string | null } {
  return LEVELS.includes(s)
    ? { level: s as Level, error: null }
    : { level: 'restricted', error: 'must be one of privileged, baseline, restricted' };
}

const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;
/** upstream's ParseVersion: the version, or latest and an error [api/helpers.go]. */
export function parseVersion(s: string): { version: string; error: string | null } {
  if (s === 'latest' || VERSION_RE.test(s)) return { version: s, error: null };
  return { version: 'latest', error: 'must be "latest" or "v1.x"' };
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);
const SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN}$`);

/** apimachinery's IsDNS1123Label (namespace names) [pkg/util/validation/validation.go]. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_RE.test(value)) {
    if (SUBDOMAIN_RE.test(value)) errs.push('must not contain dots');
    else
      errs.push(
        `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`,
      );
  }
  return errs;
}

/** apimachinery's IsDNS1123Subdomain (runtime class names) [pkg/util/validation/validation.go]. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 253) errs.push('must be no more than 253 characters');
  if (!SUBDOMAIN_RE.test(value))
    errs.push(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`,
    );
  return errs;
}

// ---------------------------------------------------------------- decoding

class Decoder {
  readonly diagnostics: ConfigDiagnostic[] = [];
  /** Location path of the object being decoded (an inline configuration's `plugins[0].configuration`). */
  base = '';
  constructor(readonly file: string) {}

  error(
    message: string,
    span: Span,
    path: string,
    severity: ConfigDiagnostic['severity'] = 'error',
  ): void {
    this.diagnostics.push({ file: this.file, message, span, path, severity, code: 'config' });
  }

  /** Strict decoding: unknown and duplicate fields are errors. Returns the known fields' nodes. */
  fields(
    map: LMap,
    known: readonly string[],
    prefix: string,
  ): Map<string, { node: LNode; keySpan: Span }> {
    const out = new Map<string, { node: LNode; keySpan: Span }>();
    for (const p of map.pairs) {
      const name = p.key ?? '';
      const path = prefix ? `${prefix}.${name}` : name;
      // Messages name the field within the object being decoded, as its decoder does.
      const rel =
        this.base !== '' && path.startsWith(`${this.base}.`)
          ? path.slice(this.base.length + 1)
          : path;
      if (!known.includes(name)) {
        this.error(`strict decoding error: unknown field ${goQuote(rel)}`, p.keySpan, path);
        continue;
      }
      if (out.has(name)) {
        this.error(`strict decoding error: duplicate field ${goQuote(rel)}`, p.keySpan, path);
      }
      out.set(name, { node: p.value, keySpan: p.keySpan });
    }
    return out;
  }

  /** A Go string field: null reads as "", anything but a string is a decoding error. */
  string(node: LNode, path: string, goField: string): string | null {
    if (node.type === 'scalar') {
      const t = goYamlType(node);
      if (t === 'null') return '';
      if (t === 'string') return String(node.value);
    }
    this.error(
      `json: cannot unmarshal ${jsonType(node)} into Go struct field ${goField} of type string`,
      node.span,
      path,
    );
    return null;
  }

  /** A map field (null reads as empty). */
  map(node: LNode, path: string, goField: string, goType: string): LMap | null {
    if (node.type === 'map') return node;
    if (node.type === 'scalar' && goYamlType(node) === 'null') return null;
    this.error(
      `json: cannot unmarshal ${jsonType(node)} into Go struct field ${goField} of type ${goType}`,
      node.span,
      path,
    );
    return null;
  }
}

function jsonType(node: LNode): string {
  if (node.type === 'map') return 'object';
  if (node.type === 'seq') return 'array';
  const t = goYamlType(node);
  return t === 'boolean' ? 'bool' : t;
}

function apiVersionOf(root: LMap): string {
  const v = typeMeta(root).apiVersion;
  return v ? primitiveText(v.value) : '';
}

function typeMeta(root: LMap): { apiVersion: LScalar | null; kind: LScalar | null } {
  const get = (k: string): LScalar | null => {
    const v = root.pairs.find((p) => p.key === k)?.value;
    return v && v.type === 'scalar' && goYamlType(v) === 'string' ? v : null;
  };
  return { apiVersion: get('apiVersion'), kind: get('kind') };
}

/** Decode a PodSecurityConfiguration node into `out` (defaults, exemptions), reporting at each entry. */
function decodePodSecurity(node: LMap, d: Decoder, out: AdmissionConfig, prefix: string): void {
  const base = d.base;
  d.base = prefix;
  try {
    decodePodSecurityFields(node, d, out, prefix);
  } finally {
    d.base = base;
  }
}

function decodePodSecurityFields(
  node: LMap,
  d: Decoder,
  out: AdmissionConfig,
  prefix: string,
): void {
  const fields = d.fields(node, ['apiVersion', 'kind', 'defaults', 'exemptions'], prefix);
  const at = (k: string) => (prefix ? `${prefix}.${k}` : k);
  const defaults = fields.get('defaults');
  if (defaults) {
    const m = d.map(
      defaults.node,
      at('defaults'),
      'PodSecurityConfiguration.defaults',
      'v1.PodSecurityDefaults',
    );
    if (m) {
      const keys = MODES.flatMap((mode) => [mode, `${mode}-version`]);
      const f = d.fields(m, keys, at('defaults'));
      for (const mode of MODES) {
        for (const which of ['level', 'version'] as const) {
          const key = which === 'level' ? mode : `${mode}-version`;
          const entry = f.get(key);
          if (!entry) continue;
          const path = `defaults.${key}`;
          const goName = `${mode[0]?.toUpperCase()}${mode.slice(1)}${which === 'version' ? 'Version' : ''}`;
          const s = d.string(entry.node, at(path), `PodSecurityDefaults.defaults.${goName}`);
          if (s === null || s === '') continue; // defaulted (privileged / latest)
          const origin: DefaultOrigin = {
            kind: 'config',
            file: d.file,
            span: entry.node.span,
            key: path,
          };
          const def = out.defaults[mode];
          if (which === 'level') {
            const r = parseLevel(s);
            def.level = r.level;
            def.levelOrigin = origin;
            if (r.error)
              d.error(
                `${path}: Invalid value: ${goQuote(s)}: ${r.error}`,
                entry.node.span,
                at(path),
              );
          } else {
            const r = parseVersion(s);
            def.version = r.version;
            def.versionOrigin = origin;
            if (r.error)
              d.error(
                `${path}: Invalid value: ${goQuote(s)}: ${r.error}`,
                entry.node.span,
                at(path),
              );
          }
        }
      }
    }
  }
  const exemptions = fields.get('exemptions');
  if (exemptions) {
    const m = d.map(
      exemptions.node,
      at('exemptions'),
      'PodSecurityConfiguration.exemptions',
      'v1.PodSecurityExemptions',
    );
    if (m) {
      const f = d.fields(m, ['usernames', 'namespaces', 'runtimeClasses'], at('exemptions'));
      for (const list of ['namespaces', 'runtimeClasses', 'usernames'] as const) {
        const entry = f.get(list);
        if (!entry) continue;
        const node = entry.node;
        const path = `exemptions.${list}`;
        if (node.type === 'scalar' && goYamlType(node) === 'null') continue;
        if (node.type !== 'seq') {
          d.error(
            `json: cannot unmarshal ${jsonType(node)} into Go struct field PodSecurityExemptions.exemptions.${list[0]?.toUpperCase()}${list.slice(1)} of type []string`,
            node.span,
            at(path),
          );
          continue;
        }
        const seen = new Set<string>();
        node.items.forEach((item, index) => {
          const itemPath = `${path}[${index}]`;
          const value = d.string(item, at(itemPath), `PodSecurityExemptions.${path}`);
          if (value === null) return;
          out.exemptions[list].push({ value, file: d.file, span: item.span, index });
          let errs: string[] = [];
          if (list === 'namespaces') errs = dns1123LabelErrors(value);
          else if (list === 'runtimeClasses') errs = dns1123SubdomainErrors(value);
          else if (value === '') errs = ['username must not be empty'];
          if (errs.length > 0) {
            d.error(
              `${itemPath}: Invalid value: ${goQuote(value)}: ${errs.join(', ')}`,
              item.span,
              at(itemPath),
            );
            return;
          }
          if (seen.has(value)) {
            d.error(`${itemPath}: Duplicate value: ${goQuote(value)}`, item.span, at(itemPath));
            return;
          }
          seen.add(value);
        });
      }
    }
  }
}

function kindError(d: Decoder, kind: string, apiVersion: string, span: Span): void {
  d.error(
    `no kind ${goQuote(kind)} is registered for version ${goQuote(apiVersion)}: expected an AdmissionConfiguration (${ADMISSION_CONFIGURATION_VERSIONS.join(' or ')}) or a PodSecurityConfiguration (${POD_SECURITY_VERSIONS.map((v) => `${POD_SECURITY_GROUP}/${v}`).join(', ')})`,
    span,
    'apiVersion',
  );
}

/**
 * Check apiVersion and kind as the universal decoder does (kind first):
 * returns the kind when it is one of ours at a registered version.
 */
function decodeTypeMeta(
  d: Decoder,
  root: LMap,
  expect: 'any' | 'PodSecurityConfiguration',
): 'AdmissionConfiguration' | 'PodSecurityConfiguration' | null {
  const { apiVersion, kind } = typeMeta(root);
  if (!kind || String(kind.value) === '') {
    d.error(
      `Object 'Kind' is missing: set kind: ${expect === 'any' ? 'AdmissionConfiguration or PodSecurityConfiguration' : 'PodSecurityConfiguration'}`,
      root.span.start === root.span.end ? SPAN0 : { start: root.span.start, end: root.span.start },
      'kind',
    );
    return null;
  }
  if (!apiVersion || String(apiVersion.value) === '') {
    d.error(`Object 'apiVersion' is missing`, kind.span, 'apiVersion');
    return null;
  }
  const k = String(kind.value);
  const v = String(apiVersion.value);
  if (k === 'PodSecurityConfiguration') {
    const [group, version, extra] = v.split('/');
    if (
      group === POD_SECURITY_GROUP &&
      extra === undefined &&
      (POD_SECURITY_VERSIONS as readonly string[]).includes(version ?? '')
    )
      return k;
    kindError(d, k, v, apiVersion.span);
    return null;
  }
  if (k === 'AdmissionConfiguration' && expect === 'any') {
    if ((ADMISSION_CONFIGURATION_VERSIONS as readonly string[]).includes(v)) return k;
    const hint =
      v === 'apiserver.config.k8s.io/v1alpha1'
        ? ' (AdmissionConfiguration v1alpha1 is apiserver.k8s.io/v1alpha1)'
        : '';
    d.error(
      `no kind ${goQuote(k)} is registered for version ${goQuote(v)}${hint}: expected ${ADMISSION_CONFIGURATION_VERSIONS.join(' or ')}`,
      apiVersion.span,
      'apiVersion',
    );
    return null;
  }
  if (expect === 'PodSecurityConfiguration') {
    d.error(`expected PodSecurityConfiguration, got ${k} (${v})`, kind.span, 'kind');
    return null;
  }
  kindError(d, k, v, kind.span);
  return null;
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i <= 0 ? '/' : file.slice(0, i);
}

function resolvePath(base: string, p: string): string {
  const parts: string[] = [];
  for (const part of (p.startsWith('/') ? p : `${base}/${p}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Read a whole text: YAML errors, extra documents, the root map (or null). */
function readRoot(text: string, d: Decoder, what: string): LMap | null {
  const read = readYaml(text);
  for (const e of read.errors)
    d.diagnostics.push({
      file: d.file,
      message: e.message,
      span: e.span,
      path: '',
      severity: 'error',
      code: 'yaml',
    });
  for (const extra of read.extraDocuments) {
    d.error(
      `only the first document of ${what} is read: this one is ignored`,
      { start: extra.start, end: Math.min(extra.end, extra.start + 3) },
      '',
      'warning',
    );
  }
  if (read.root === null) return null;
  if (read.root.type !== 'map') {
    d.error(
      `${what} must be a map (apiVersion, kind, …), not ${describe(read.root)}`,
      read.root.span,
      '',
    );
    return null;
  }
  return read.root;
}

/**
 * Parse an admission configuration text: an AdmissionConfiguration (a
 * PodSecurity plugin `path` is read through `reader`) or a bare
 * PodSecurityConfiguration. `file` is its absolute path.
 */
export function parseAdmissionConfig(
  text: string,
  file: string,
  reader?: AdmissionReader,
): AdmissionConfig {
  const out = builtInAdmissionConfig();
  out.file = file;
  out.files.push(file);
  const d = new Decoder(file);
  const root = readRoot(text, d, 'an admission configuration');
  if (root === null) {
    if (d.diagnostics.length === 0)
      d.error(
        'the file is empty: the built-in defaults apply (privileged for every mode, no exemptions)',
        SPAN0,
        '',
        'warning',
      );
    out.diagnostics.push(...d.diagnostics);
    return out;
  }
  const kind = decodeTypeMeta(d, root, 'any');
  if (kind === 'PodSecurityConfiguration') {
    out.source = 'bare';
    out.podSecurityFile = file;
    out.apiVersion = apiVersionOf(root);
    decodePodSecurity(root, d, out, '');
  } else if (kind === 'AdmissionConfiguration') {
    out.source = 'noPlugin';
    const f = d.fields(root, ['apiVersion', 'kind', 'plugins'], '');
    const plugins = f.get('plugins')?.node;
    let chosen: LMap | null = null;
    let chosenIndex = -1;
    if (plugins && plugins.type === 'seq') {
      plugins.items.forEach((item, i) => {
        const path = `plugins[${i}]`;
        if (item.type !== 'map') {
          if (!(item.type === 'scalar' && goYamlType(item) === 'null'))
            d.error(
              `json: cannot unmarshal ${jsonType(item)} into Go struct field AdmissionConfiguration.plugins of type v1.AdmissionPluginConfiguration`,
              item.span,
              path,
            );
          return;
        }
        const pf = d.fields(item, ['name', 'path', 'configuration'], path);
        const nameNode = pf.get('name')?.node;
        const name = nameNode
          ? d.string(nameNode, `${path}.name`, 'AdmissionPluginConfiguration.plugins.name')
          : '';
        const pathNode = pf.get('path')?.node;
        if (pathNode)
          d.string(pathNode, `${path}.path`, 'AdmissionPluginConfiguration.plugins.path');
        if (name !== POD_SECURITY_PLUGIN) return;
        if (chosen) {
          d.error(
            `only the first ${POD_SECURITY_PLUGIN} entry (plugins[${chosenIndex}]) is used: this one is ignored`,
            nameNode?.span ?? item.span,
            path,
            'warning',
          );
          return;
        }
        chosen = item;
        chosenIndex = i;
      });
    } else if (plugins && !(plugins.type === 'scalar' && goYamlType(plugins) === 'null')) {
      d.error(
        `json: cannot unmarshal ${jsonType(plugins)} into Go struct field AdmissionConfiguration.plugins of type []v1.AdmissionPluginConfiguration`,
        plugins.span,
        'plugins',
      );
    }
    const entry = chosen as LMap | null;
    if (!entry) {
      d.error(
        `no plugins entry named ${POD_SECURITY_PLUGIN}: the built-in PodSecurity defaults apply (privileged for every mode, no exemptions)`,
        root.span.start === root.span.end
          ? SPAN0
          : { start: root.span.start, end: root.span.start },
        'plugins',
        'information',
      );
    } else {
      const prefix = `plugins[${chosenIndex}]`;
      const configuration = entry.pairs.find((p) => p.key === 'configuration')?.value;
      const pathNode = entry.pairs.find((p) => p.key === 'path')?.value;
      const pathValue =
        pathNode && pathNode.type === 'scalar' && goYamlType(pathNode) === 'string'
          ? String(pathNode.value)
          : '';
      if (
        configuration &&
        !(configuration.type === 'scalar' && goYamlType(configuration) === 'null')
      ) {
        out.source = 'inline';
        out.podSecurityFile = file;
        if (pathValue !== '')
          d.error(
            `both configuration and path are set: the inline configuration is used and ${goQuote(pathValue)} is not read`,
            pathNode?.span ?? SPAN0,
            `${prefix}.path`,
            'warning',
          );
        if (configuration.type !== 'map') {
          d.error(
            `${prefix}.configuration must be a PodSecurityConfiguration object, not ${describe(configuration)}`,
            configuration.span,
            `${prefix}.configuration`,
          );
        } else if (decodeTypeMeta(d, configuration, 'PodSecurityConfiguration')) {
          out.apiVersion = apiVersionOf(configuration);
          decodePodSecurity(configuration, d, out, `${prefix}.configuration`);
        }
      } else if (pathValue !== '') {
        const target = resolvePath(dirOf(file), pathValue);
        out.source = 'path';
        out.podSecurityFile = target;
        out.files.push(target);
        const targetText = reader?.readText(target) ?? null;
        if (targetText === null) {
          d.error(
            `Couldn't open admission plugin configuration ${target}: not found or not readable here`,
            pathNode?.span ?? SPAN0,
            `${prefix}.path`,
          );
        } else {
          const td = new Decoder(target);
          const troot = readRoot(targetText, td, 'a PodSecurityConfiguration');
          // An empty file is the defaults (LoadFromData with no data).
          if (troot && decodeTypeMeta(td, troot, 'PodSecurityConfiguration')) {
            out.apiVersion = apiVersionOf(troot);
            decodePodSecurity(troot, td, out, '');
          }
          d.diagnostics.push(...td.diagnostics);
        }
      }
    }
  }
  out.diagnostics.push(...d.diagnostics);
  return out;
}

/** Read and parse an admission configuration file through a reader (null text: a clear error, never the defaults in silence). */
export function loadAdmissionConfig(file: string, reader: AdmissionReader): AdmissionConfig {
  const text = reader.readText(file);
  if (text === null) {
    const out = builtInAdmissionConfig();
    out.file = file;
    out.files.push(file);
    out.diagnostics.push({
      file,
      message: `the admission configuration ${file} could not be read (missing, not a regular file, over a size limit, or not UTF-8)`,
      span: SPAN0,
      path: '',
      severity: 'error',
      code: 'config',
    });
    return out;
  }
  return parseAdmissionConfig(text, file, reader);
}

/** Whether the API server (or webhook) would start with this configuration: no error diagnostics. */
export function isAdmissionConfigValid(c: AdmissionConfig): boolean {
  return !c.diagnostics.some((x) => x.severity === 'error');
}
