/**
 * The keys of `.podsec.yaml`, one entry each: its reader (validation with
 * positions), its JSON Schema, its description and its example for
 * `podsec init`. This list is the one extension point: a later feature adds
 * its key here (or turns a `reserved` key `active`), and the parser, the
 * schema (`schemas/podsec.schema.json`, checked against this list by a test)
 * and the starter file follow.
 *
 * `reserved` keys belong to features still to come: their shape is checked
 * now, and an information note says this version does not use them yet.
 */
import { compileGlob } from '../glob';
import { CHECK_IDS } from '../types';
import { HARDENING_CHECK_IDS } from '../hardening/results';
import type { Span } from '../types';
import { LATEST_VERSION, LEVELS, MODES } from '../policy';
import { MAX_MINOR } from '../registry';
import type {
  ConfigDiagnostic,
  HardeningSetting,
  HelmValueSet,
  SettingKey,
  SeveritySetting,
} from './types';
import type { LNode } from './yamlRead';
import { describe, goYamlType, scalarText } from './yamlRead';

export type JsonSchema = Record<string, unknown>;

export const SEVERITY_VALUES: readonly SeveritySetting[] = [
  'error',
  'warning',
  'information',
  'hint',
  'off',
];

/** Engine diagnostic codes a severity entry can name (besides check IDs and modes). */
export const ENGINE_CODES = ['yaml', 'schema', 'limit', 'policy', 'kustomize', 'note'] as const;

/** Every key a `severity` entry can name: check IDs, meta findings, modes, engine codes. */
export const SEVERITY_KEYS: readonly string[] = [
  ...CHECK_IDS,
  'invalidSuppression',
  'podSecurityPolicy',
  ...HARDENING_CHECK_IDS,
  'hardening',
  ...MODES,
  ...ENGINE_CODES,
];

/** Keys of `hardening`: the hardening check IDs, the family switch `enabled`, and requireCpuLimit. */
export const HARDENING_KEYS: readonly string[] = [
  ...HARDENING_CHECK_IDS,
  'enabled',
  'requireCpuLimit',
];

/** What a hardening check can be set to in `hardening`: on, off (or true, false) or a severity. */
export const HARDENING_CHECK_VALUES: readonly string[] = [
  'on',
  'off',
  'error',
  'warning',
  'information',
  'hint',
];

/** Every policy version the schema offers for completion: latest, v1.0 … the newest known. */
export const KNOWN_VERSIONS: readonly string[] = [
  'latest',
  ...Array.from({ length: MAX_MINOR + 1 }, (_, i) => `v1.${i}`),
];

const VERSION_PATTERN = '^v1\\.(0|[1-9][0-9]*)$';

/** What a key reader reports to and learns from. */
export interface ReadContext {
  file: string;
  /** The folder of the file (relative paths in the file are resolved against it). */
  dir: string;
  /** Report a problem with this key's value (or part of it). */
  report(message: string, span: Span, path?: string, severity?: ConfigDiagnostic['severity']): void;
}

export interface KeySpec {
  key: SettingKey;
  status: 'active' | 'reserved';
  /** One sentence, for the schema's description and the starter file. */
  description: string;
  schema: JsonSchema;
  /** The value, or undefined when it is invalid (then the key keeps its default). */
  read(node: LNode, ctx: ReadContext): unknown;
  /** YAML lines of an example, for `podsec init` (commented out there unless `starter` says otherwise). */
  example(o: { level: string; version: string }): string[];
}

// ---------------------------------------------------------------- readers

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest of `options` to `s` (case-insensitive, at most 2 edits away), for "did you mean". */
export function closest(s: string, options: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const o of options) {
    const d = levenshtein(s.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      best = o;
      bestD = d;
    }
  }
  return best;
}

const didYouMean = (s: string, options: readonly string[]): string => {
  const c = closest(s, options);
  return c !== null && c !== s ? ` (did you mean "${c}"?)` : '';
};

const FALLBACK = 'the default applies';

function readString(node: LNode, ctx: ReadContext, key: string): string | undefined {
  if (node.type !== 'scalar' || goYamlType(node) !== 'string') {
    ctx.report(`${key} must be a string, not ${describe(node)}; ${FALLBACK}`, node.span, key);
    return undefined;
  }
  return String(node.value);
}

function readBoolean(node: LNode, ctx: ReadContext, key: string): boolean | undefined {
  if (node.type === 'scalar' && typeof node.value === 'boolean' && !node.quoted) return node.value;
  const hint =
    node.type === 'scalar' && /^(true|false)$/i.test(scalarText(node))
      ? ` (write it without quotes)`
      : node.type === 'scalar' && /^(yes|no|on|off|y|n)$/i.test(scalarText(node))
        ? ` (write true or false: this file is YAML 1.2, where ${scalarText(node)} is a string)`
        : '';
  ctx.report(
    `${key} must be true or false, not ${describe(node)}${hint}; ${FALLBACK}`,
    node.span,
    key,
  );
  return undefined;
}

/** The valid items of a list of non-empty strings, with their places; invalid items are reported and left out. */
function readStringItems(
  node: LNode,
  ctx: ReadContext,
  key: string,
  what: string,
): Array<{ value: string; span: Span; index: number }> | undefined {
  if (node.type === 'scalar' && node.value === null && !node.quoted) return [];
  if (node.type !== 'seq') {
    ctx.report(
      `${key} must be a list of ${what}, not ${describe(node)}; ${FALLBACK}`,
      node.span,
      key,
    );
    return undefined;
  }
  const out: Array<{ value: string; span: Span; index: number }> = [];
  node.items.forEach((item, i) => {
    const p = `${key}[${i}]`;
    if (item.type !== 'scalar' || goYamlType(item) !== 'string') {
      ctx.report(`${p} must be a string, not ${describe(item)}; ignored`, item.span, p);
    } else if (String(item.value) === '') {
      ctx.report(`${p} is empty; ignored`, item.span, p);
    } else out.push({ value: String(item.value), span: item.span, index: i });
  });
  return out;
}

function readStringList(
  node: LNode,
  ctx: ReadContext,
  key: string,
  what: string,
): string[] | undefined {
  return readStringItems(node, ctx, key, what)?.map((i) => i.value);
}

function joinPathLike(dir: string, rel: string): string {
  const parts: string[] = [];
  for (const part of (rel.startsWith('/') ? rel : `${dir}/${rel}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function readPath(node: LNode, ctx: ReadContext, key: string): string | undefined {
  const s = readString(node, ctx, key);
  if (s === undefined) return undefined;
  if (s.trim() === '') {
    ctx.report(`${key} is empty: give a path relative to this file; ${FALLBACK}`, node.span, key);
    return undefined;
  }
  return joinPathLike(ctx.dir, s);
}

function unknownKeys(
  node: LNode & { type: 'map' },
  known: readonly string[],
  ctx: ReadContext,
  prefix: string,
): void {
  for (const p of node.pairs) {
    if (p.key !== null && known.includes(p.key)) continue;
    const name = p.key ?? '(a complex key)';
    ctx.report(
      `unknown key "${name}" in ${prefix}${p.key !== null ? didYouMean(p.key, known) : ''}; ignored`,
      p.keySpan,
      `${prefix}.${name}`,
      'warning',
    );
  }
}

/** `on`/`off` (or true/false) of the hardening family, or undefined (reported) for anything else. */
function readSwitch(node: LNode, ctx: ReadContext, key: string): boolean | undefined {
  if (node.type === 'scalar' && !node.quoted && typeof node.value === 'boolean') return node.value;
  if (node.type === 'scalar' && goYamlType(node) === 'string') {
    const v = String(node.value);
    if (v === 'on' || v === 'off') return v === 'on';
  }
  ctx.report(
    `${key} must be on or off (or true, false), not ${describe(node)}; ${FALLBACK}`,
    node.span,
    key,
  );
  return undefined;
}

function readHardening(node: LNode, ctx: ReadContext): HardeningSetting | undefined {
  if (node.type === 'scalar') {
    const enabled = readSwitch(node, ctx, 'hardening');
    return enabled === undefined ? undefined : { enabled, checks: {} };
  }
  if (node.type !== 'map') {
    ctx.report(
      `hardening must be on, off or a map of hardening check IDs to on, off or a severity, not ${describe(node)}; ${FALLBACK}`,
      node.span,
      'hardening',
    );
    return undefined;
  }
  unknownKeys(node, HARDENING_KEYS, ctx, 'hardening');
  const out: HardeningSetting = { checks: {} };
  for (const p of node.pairs) {
    if (p.key === null || !HARDENING_KEYS.includes(p.key)) continue;
    const key = `hardening.${p.key}`;
    if (p.key === 'enabled') {
      const v = readSwitch(p.value, ctx, key);
      if (v !== undefined) out.enabled = v;
      continue;
    }
    if (p.key === 'requireCpuLimit') {
      const v = readBoolean(p.value, ctx, key);
      if (v !== undefined) out.requireCpuLimit = v;
      continue;
    }
    const v = p.value;
    if (v.type === 'scalar' && !v.quoted && typeof v.value === 'boolean') {
      out.checks[p.key] = v.value ? 'on' : 'off';
      continue;
    }
    const text = v.type === 'scalar' && goYamlType(v) === 'string' ? String(v.value) : null;
    if (text !== null && HARDENING_CHECK_VALUES.includes(text)) {
      out.checks[p.key] = text as SeveritySetting | 'on';
      continue;
    }
    ctx.report(
      `${key} must be on, off or a severity (error, warning, information, hint), not ${text !== null ? JSON.stringify(text) : describe(v)}${text !== null ? didYouMean(text, HARDENING_CHECK_VALUES) : ''}; ${FALLBACK}`,
      v.span,
      key,
    );
  }
  return out;
}

// ---------------------------------------------------------------- keys

const pathSchema = (description: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  description,
});

export const KEYS: readonly KeySpec[] = [
  {
    key: 'level',
    status: 'active',
    description:
      'Pod Security level to check against where no Namespace label chooses one: privileged, baseline or restricted.',
    schema: { type: 'string', enum: [...LEVELS] },
    read(node, ctx) {
      const s = readString(node, ctx, 'level');
      if (s === undefined) return undefined;
      if ((LEVELS as readonly string[]).includes(s)) return s;
      ctx.report(
        `level "${s}" is not a Pod Security level${didYouMean(s, LEVELS)}: expected privileged, baseline or restricted; ${FALLBACK}`,
        node.span,
        'level',
      );
      return undefined;
    },
    example: (o) => [`level: ${o.level}`],
  },
  {
    key: 'version',
    status: 'active',
    description: `Pod Security Standards version: latest or v1.0 … ${LATEST_VERSION}, as in the pod-security.kubernetes.io/enforce-version label (a newer v1.N evaluates as ${LATEST_VERSION}).`,
    schema: {
      type: 'string',
      anyOf: [{ enum: [...KNOWN_VERSIONS] }, { pattern: VERSION_PATTERN }],
    },
    read(node, ctx) {
      if (node.type === 'scalar' && goYamlType(node) === 'number') {
        const hint = /^1\.\d+$/.test(node.source) ? ` (write "v${node.source}")` : '';
        ctx.report(
          `version must be a string such as "v1.30" or "latest", not a number${hint}; ${FALLBACK}`,
          node.span,
          'version',
        );
        return undefined;
      }
      const s = readString(node, ctx, 'version');
      if (s === undefined) return undefined;
      if (s !== 'latest' && !new RegExp(VERSION_PATTERN).test(s)) {
        const hint = /^1\.(0|[1-9][0-9]*)$/.test(s) ? ` (write "v${s}")` : '';
        ctx.report(
          `version "${s}" is not a policy version${hint}: expected "latest" or v1.<minor> (v1.0 to ${LATEST_VERSION}); ${FALLBACK}`,
          node.span,
          'version',
        );
        return undefined;
      }
      const minor = s === 'latest' ? 0 : Number(s.slice(3));
      if (minor > MAX_MINOR) {
        ctx.report(
          `version ${s} is newer than the newest this podsec knows; it evaluates as ${LATEST_VERSION}`,
          node.span,
          'version',
          'information',
        );
      }
      return s;
    },
    example: (o) => [`version: ${o.version}`],
  },
  {
    key: 'namespaceLabels',
    status: 'active',
    description:
      'Let the pod-security.kubernetes.io/{enforce,warn,audit} labels of Namespace documents choose the level for the workloads in that namespace.',
    schema: { type: 'boolean' },
    read: (node, ctx) => readBoolean(node, ctx, 'namespaceLabels'),
    example: () => ['namespaceLabels: true'],
  },
  {
    key: 'severity',
    status: 'active',
    description:
      'Severity overrides: keys are check IDs (runAsNonRoot, invalidSuppression), modes (enforce, warn, audit) or engine codes (yaml, schema, limit, policy, note); values error, warning, information, hint or off. A check ID wins over a mode.',
    schema: {
      type: 'object',
      propertyNames: { enum: [...SEVERITY_KEYS] },
      additionalProperties: { type: 'string', enum: [...SEVERITY_VALUES] },
    },
    read(node, ctx) {
      if (node.type === 'scalar' && node.value === null && !node.quoted) return {};
      if (node.type !== 'map') {
        ctx.report(
          `severity must be a map of check IDs, modes or codes to severities, not ${describe(node)}; ${FALLBACK}`,
          node.span,
          'severity',
        );
        return undefined;
      }
      const out: Record<string, SeveritySetting> = {};
      for (const p of node.pairs) {
        const path = `severity.${p.key ?? '?'}`;
        if (p.key === null || !SEVERITY_KEYS.includes(p.key)) {
          ctx.report(
            `unknown severity key "${p.key ?? '(a complex key)'}"${p.key !== null ? didYouMean(p.key, SEVERITY_KEYS) : ''}: expected a check ID, a mode (enforce, warn, audit) or an engine code (${ENGINE_CODES.join(', ')}); ignored`,
            p.keySpan,
            path,
            'warning',
          );
          continue;
        }
        const v = p.value;
        const text = v.type === 'scalar' ? scalarText(v) : '';
        const word = v.type === 'scalar' && goYamlType(v) === 'string' ? text : '';
        if (v.type !== 'scalar' || !(SEVERITY_VALUES as readonly string[]).includes(word)) {
          ctx.report(
            `${path}: ${v.type === 'scalar' ? `"${text}"` : describe(v)} is not a severity${v.type === 'scalar' ? didYouMean(text, SEVERITY_VALUES) : ''}: expected error, warning, information, hint or off; ignored`,
            v.span,
            path,
          );
          continue;
        }
        out[p.key] = word as SeveritySetting;
      }
      return out;
    },
    example: () => ['severity:', '  runAsNonRoot: warning', '  audit: hint', '  note: off'],
  },
  {
    key: 'exclude',
    status: 'active',
    description:
      "Glob patterns of files not to check, relative to this file's folder, e.g. charts/** or **/*.generated.yaml.",
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    read(node, ctx) {
      const items = readStringItems(node, ctx, 'exclude', 'glob patterns');
      if (items === undefined) return undefined;
      const out: string[] = [];
      for (const { value, span, index } of items) {
        if (value.startsWith('!')) {
          ctx.report(
            `exclude[${index}]: negated patterns ("${value}") are not supported: list only what to leave out; ignored`,
            span,
            `exclude[${index}]`,
          );
        } else {
          const glob = compileGlob(value);
          if ('error' in glob) {
            ctx.report(
              `exclude[${index}]: ${JSON.stringify(value)} is not a usable pattern (${glob.error}); ignored`,
              span,
              `exclude[${index}]`,
            );
          } else out.push(value);
        }
      }
      return out;
    },
    example: () => ['exclude:', '  - "charts/**"', '  - "**/*.generated.yaml"'],
  },
  {
    key: 'admissionConfiguration',
    status: 'active',
    description:
      "The cluster's PodSecurity admission configuration (an AdmissionConfiguration or a PodSecurityConfiguration file), relative to this file: its defaults and exemptions apply.",
    schema: pathSchema(
      "The cluster's PodSecurity admission configuration file, relative to this file.",
    ),
    read: (node, ctx) => readPath(node, ctx, 'admissionConfiguration'),
    example: () => ['admissionConfiguration: cluster/admission-config.yaml'],
  },
  {
    key: 'failOnSkipped',
    status: 'active',
    description:
      'Fail (exit 1 on the command line) when a file or document is not evaluated: a template, over a limit, binary or a YAML error.',
    schema: { type: 'boolean' },
    read: (node, ctx) => readBoolean(node, ctx, 'failOnSkipped'),
    example: () => ['failOnSkipped: true'],
  },
  {
    key: 'baseline',
    status: 'active',
    description:
      'A baseline, relative to this file: a previous podsec JSON or SARIF output (podsec --write-baseline writes one). Findings it holds are reported as existing (a note) and do not fail the command line; only new ones do.',
    schema: pathSchema('A previous podsec JSON or SARIF output, relative to this file.'),
    read: (node, ctx) => readPath(node, ctx, 'baseline'),
    example: () => ['baseline: .podsec-baseline.json'],
  },
  {
    key: 'hardening',
    status: 'active',
    description:
      'The hardening checks beyond the Pod Security Standards (network isolation, resources, secrets, audit): off (or false) turns the family off; as a map, each check ID is on, off or a severity (error, warning, information, hint), enabled: false turns the others off, and requireCpuLimit: true also requires a CPU limit. It wins over severity entries for the same checks.',
    schema: {
      oneOf: [
        { enum: [true, false, 'on', 'off'] },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { enum: [true, false, 'on', 'off'] },
            requireCpuLimit: { type: 'boolean' },
            ...Object.fromEntries(
              HARDENING_CHECK_IDS.map((id) => [
                id,
                { enum: [true, false, ...HARDENING_CHECK_VALUES] },
              ]),
            ),
          },
        },
      ],
    },
    read: readHardening,
    example: () => [
      'hardening:',
      '  networkPolicyIsolation: off',
      '  resourceLimits: error',
      '  requireCpuLimit: true',
    ],
  },
  {
    key: 'helm',
    status: 'active',
    description:
      'Helm value sets to render charts with: each a name, values files (relative to this file), --set values, a release name and a namespace.',
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          values: { type: 'array', items: { type: 'string', minLength: 1 } },
          set: {
            type: 'object',
            additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
          },
          releaseName: { type: 'string', minLength: 1 },
          namespace: { type: 'string', minLength: 1 },
        },
      },
    },
    read(node, ctx) {
      if (node.type !== 'seq') {
        ctx.report(
          `helm must be a list of value sets, not ${describe(node)}; ${FALLBACK}`,
          node.span,
          'helm',
        );
        return undefined;
      }
      const out: HelmValueSet[] = [];
      node.items.forEach((item, i) => {
        const at = `helm[${i}]`;
        if (item.type !== 'map') {
          ctx.report(
            `${at} must be a map (name, values, set, releaseName, namespace); ignored`,
            item.span,
            at,
          );
          return;
        }
        unknownKeys(item, ['name', 'values', 'set', 'releaseName', 'namespace'], ctx, at);
        const get = (k: string) => item.pairs.find((p) => p.key === k)?.value;
        const nameNode = get('name');
        const name = nameNode ? readString(nameNode, ctx, `${at}.name`) : undefined;
        if (nameNode === undefined) {
          ctx.report(`${at} needs a name; ignored`, item.span, `${at}.name`);
          return;
        }
        if (name === undefined || name === '') return;
        const set: HelmValueSet = { name, values: [], set: {} };
        const values = get('values');
        if (values) {
          set.values = (readStringList(values, ctx, `${at}.values`, 'files') ?? []).map((f) =>
            joinPathLike(ctx.dir, f),
          );
        }
        const setNode = get('set');
        if (setNode?.type === 'map') {
          for (const p of setNode.pairs) {
            if (p.key === null) continue;
            if (p.value.type !== 'scalar') {
              ctx.report(`${at}.set.${p.key} must be a scalar; ignored`, p.value.span, `${at}.set`);
              continue;
            }
            const v = p.value.value;
            set.set[p.key] =
              typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
                ? v
                : p.value.source;
          }
        } else if (setNode) {
          ctx.report(`${at}.set must be a map of values; ignored`, setNode.span, `${at}.set`);
        }
        for (const k of ['releaseName', 'namespace'] as const) {
          const n = get(k);
          if (!n) continue;
          const s = readString(n, ctx, `${at}.${k}`);
          if (s !== undefined) set[k] = s;
        }
        out.push(set);
      });
      return out;
    },
    example: () => [
      'helm:',
      '  - name: production',
      '    values: [values-prod.yaml]',
      '    set: { replicas: 3 }',
      '    releaseName: shop',
      '    namespace: shop',
    ],
  },
  {
    key: 'kustomize',
    status: 'active',
    description:
      'Kustomize overlays to build and check: their root folders, relative to this file (default: the kustomizations no other kustomization includes).',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { roots: { type: 'array', items: { type: 'string', minLength: 1 } } },
    },
    read(node, ctx) {
      if (node.type !== 'map') {
        ctx.report(
          `kustomize must be a map with roots, not ${describe(node)}; ${FALLBACK}`,
          node.span,
          'kustomize',
        );
        return undefined;
      }
      unknownKeys(node, ['roots'], ctx, 'kustomize');
      const roots = node.pairs.find((p) => p.key === 'roots')?.value;
      const list = roots ? readStringList(roots, ctx, 'kustomize.roots', 'folders') : [];
      return { roots: (list ?? []).map((r) => joinPathLike(ctx.dir, r)) };
    },
    example: () => ['kustomize:', '  roots: [overlays/production]'],
  },
];

export const KEY_NAMES: readonly string[] = KEYS.map((k) => k.key);

/** The JSON Schema (draft-07) of `.podsec.yaml`, generated from the key list. */
export function podsecConfigSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const k of KEYS) {
    properties[k.key] = {
      ...k.schema,
      description:
        k.status === 'reserved'
          ? `${k.description} (Recognised; used by a later version of podsec.)`
          : k.description,
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'podsec project configuration (.podsec.yaml)',
    description:
      'Settings for podsec in this folder and the folders below it (the nearest .podsec.yaml wins). Command-line options override it; VS Code settings apply where it is silent.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}
