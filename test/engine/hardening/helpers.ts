/** Shared helpers of the hardening tests: a workspace of named YAML texts in, results out. */
import { parseAllDocuments } from 'yaml';
import {
  analyzeHardening,
  applyHardeningFix,
  objectsFromText,
} from '@podsec/server/out/engine/hardening';
import type {
  HardeningFinding,
  HardeningFix,
  HardeningNote,
  HardeningOptions,
  HardeningResult,
  KubeObject,
} from '@podsec/server/out/engine/hardening';

export type Workspace = Record<string, string>;

export interface Run extends HardeningResult {
  objects: KubeObject[];
  adapterNotes: HardeningNote[];
  files: Workspace;
}

/** Analyse a workspace given as file name → YAML text (files in name order). */
export function run(files: Workspace | string, options: HardeningOptions = {}): Run {
  const ws = typeof files === 'string' ? { 'a.yaml': files } : files;
  const objects: KubeObject[] = [];
  const adapterNotes: HardeningNote[] = [];
  for (const file of Object.keys(ws).sort()) {
    const r = objectsFromText(ws[file] as string, { file, defaultNamespace: 'default' });
    objects.push(...r.objects);
    adapterNotes.push(...r.notes);
  }
  return { ...analyzeHardening(objects, options), objects, adapterNotes, files: ws };
}

export function of(r: Run, check: string): HardeningFinding[] {
  return r.findings.filter((f) => f.check === check);
}

export function notesOf(r: Run, check: string | null): HardeningNote[] {
  return r.notes.filter((n) => n.check === check);
}

/** The text a finding or note underlines. */
export function spanText(
  r: Run,
  f: { file: string; span: { start: number; end: number } } | undefined,
): string {
  if (!f) throw new Error('no finding or note to locate');
  return (r.files[f.file] ?? '').slice(f.span.start, f.span.end);
}

/** Apply a fix to its file's text; the text after, or throws when the fix cannot be written. */
export function applyFix(r: Run, fix: HardeningFix): Workspace {
  const text = r.files[fix.file];
  if (text === undefined) throw new Error(`no file ${fix.file}`);
  const docs = parseAllDocuments(text, { version: '1.1', prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[fix.document];
  if (!doc) throw new Error(`no document ${fix.document}`);
  const out = applyHardeningFix(text, doc, fix, fix.item === null ? [] : ['items', fix.item]);
  if (out === null) throw new Error(`fix "${fix.title}" could not be written`);
  return { ...r.files, [fix.file]: out };
}

/** Comment lines of a text (to check that fixes keep them). */
export function comments(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => /(^|\s)(#.*)$/.exec(l)?.[2]?.trim())
    .filter((c): c is string => c !== undefined);
}

/** A Deployment with one container; `extra` is YAML appended under the container (indented 10). */
export function deployment(opts: {
  name?: string;
  namespace?: string | null;
  labels?: Record<string, string> | null;
  container?: string;
  spec?: string;
  replicas?: number;
}): string {
  const name = opts.name ?? 'web';
  const ns = opts.namespace === undefined ? 'prod' : opts.namespace;
  const labels = opts.labels === undefined ? { app: name } : opts.labels;
  const lines = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    ...(ns === null ? [] : [`  namespace: ${ns}`]),
    'spec:',
    ...(opts.replicas === undefined ? [] : [`  replicas: ${opts.replicas}`]),
    '  template:',
    '    metadata:',
    ...(labels === null
      ? ['      annotations: {}']
      : ['      labels:', ...Object.entries(labels).map(([k, v]) => `        ${k}: ${v}`)]),
    '    spec:',
    ...(opts.spec ? opts.spec.split('\n').map((l) => `      ${l}`) : []),
    '      containers:',
    '        - name: app',
    '          image: nginx',
    ...(opts.container ? opts.container.split('\n').map((l) => `          ${l}`) : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Resources for a container (to pass as `container`). */
export const FULL_RESOURCES = `resources:
  requests: {cpu: 100m, memory: 128Mi}
  limits: {memory: 128Mi}`;
