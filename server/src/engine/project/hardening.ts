/**
 * The hardening checks over generated YAML (a rendered chart, a built
 * overlay). Its objects join the workspace's objects like any file's: a
 * NetworkPolicy in a plain file isolates a chart's Deployment, a quota in an
 * overlay rejects its pods. What the checks find in generated text is then
 * placed where the user edits it (a template line, a values key, a base or a
 * patch), as the Pod Security findings of generated YAML are (generated.ts):
 * fixes are kept when their edits map into the origin file, suppressions of
 * the generated text and of the origin file both apply, and a finding that
 * several builds (overlays, value sets) share is listed once, naming each.
 */
import {
  docRanges,
  hardeningFindingOf,
  hardeningSource,
  MAX_FINDINGS_PER_FILE,
} from '../hardening/index';
import type { HardeningRun, HardeningSource, SourceOptions } from '../hardening/index';
import { LineIndex } from '../lines';
import { segmentAt, segmentsBefore } from '../sources/sourcemap';
import type { GeneratedSource, Segment } from '../sources/sourcemap';
import { findSuppressions, suppressedBy } from '../suppress';
import type { Suppression } from '../suppress';
import type { Diagnostic, Finding, Fix, Policy, SuppressedFinding } from '../types';
import { parseAllDocuments } from 'yaml';
import type { Document } from 'yaml';
import { KUSTOMIZATION_FILE_NAMES } from '../kustomize/kustomization';
import type { OverlayEvaluation } from '../overlays/evaluate';
import { fixAtOrigin } from '../overlays/fixes';
import { joinPath } from '../sources/sourceFs';
import { CHART_FILE } from './discover';
import { dottedPath, mapFix, placeSpan, valuesKeyFor } from './generated';
import { planEdits } from '../fixes/edits';
import type { FixValue } from '../fixes/edits';
import { isMap } from 'yaml';
import type { HardeningFinding, HardeningFix } from '../hardening/index';
import { pathString } from '../hardening/model';
import type { GeneratedDocument } from './generated';
import { templateFile } from './helm';
import type { ChartEvaluation } from './helm';

/** Generated YAML for the hardening checks, and how its results are placed. */
export interface GeneratedHardeningInput {
  source: GeneratedSource;
  /** Where a span no segment covers is reported (the chart's Chart.yaml, the kustomization file). */
  fallbackFile: string;
  /** The generated documents and what produced each (a chart's templates), when known. */
  documents?: readonly GeneratedDocument[];
  /** The namespace of objects without one (a chart's release namespace); default "default". */
  defaultNamespace?: string;
  /**
   * What the results name, when several builds of one project are placed
   * together: `in overlay overlays/prod`, `[values: production]`.
   */
  group?: { kind: 'overlay' | 'values'; name: string };
  /** The files the generated text was made from: they are not read as objects of their own. */
  files?: readonly string[];
}

/** The name a generated input's source has in a hardening run (never a file's path). */
export function generatedFileName(input: GeneratedHardeningInput, index: number): string {
  return `${GENERATED_PREFIX}${index}:${input.source.label}`;
}

const GENERATED_PREFIX = '\u0000generated:';

/** Whether a name is one generatedFileName gave. */
export function isGeneratedFileName(name: string): boolean {
  return name.startsWith(GENERATED_PREFIX);
}

/** What to show for a name generatedFileName gave (its producer's label), or the name itself. */
export function generatedDisplayName(name: string): string {
  if (!isGeneratedFileName(name)) return name;
  const colon = name.indexOf(':', GENERATED_PREFIX.length);
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The input read for a hardening run, under the name generatedFileName gives it. */
export function generatedHardeningSource(
  input: GeneratedHardeningInput,
  index: number,
  options: SourceOptions = {},
): HardeningSource {
  return hardeningSource(generatedFileName(input, index), input.source.text, {
    ...options,
    ...(input.defaultNamespace !== undefined ? { defaultNamespace: input.defaultNamespace } : {}),
  });
}

/** What a run found in generated inputs, placed: per origin file. */
export interface PlacedHardening {
  findings: Finding[];
  notes: Diagnostic[];
  /** Findings a suppression (in the generated text or the origin file) silenced. */
  suppressed: SuppressedFinding[];
}

function describe(f: Finding, doc: GeneratedDocument | undefined): string {
  const name = f.object.name === null ? f.object.kind : `${f.object.kind} "${f.object.name}"`;
  return doc ? `${name} from ${doc.source}` : name;
}

function groupPhrase(kind: 'overlay' | 'values', names: readonly string[]): string {
  if (kind === 'values') return ` [values: ${names.join(', ')}]`;
  return names.length === 1
    ? ` in overlay ${names[0] as string}`
    : ` in overlays ${names.join(', ')}`;
}

function suppressionsOfText(text: string): Suppression[] {
  if (!text.includes('podsec-ignore')) return [];
  const docs = parseAllDocuments(text, { version: '1.1' });
  return findSuppressions(text, new LineIndex(text), docRanges(Array.isArray(docs) ? docs : []));
}

/**
 * Place the findings and notes `run` made in the generated inputs (each read
 * with generatedHardeningSource under its index). `readText` reads an origin
 * file (the editor's text when it is open). Returns what lands in each file.
 */
export function placeGeneratedHardening(
  run: HardeningRun,
  inputs: readonly GeneratedHardeningInput[],
  policy: Policy,
  readText: (file: string) => string | null,
): Map<string, PlacedHardening> {
  const out = new Map<string, PlacedHardening>();
  const at = (file: string): PlacedHardening => {
    let p = out.get(file);
    if (!p) {
      p = { findings: [], notes: [], suppressed: [] };
      out.set(file, p);
    }
    return p;
  };
  const originSups = new Map<string, Suppression[]>();
  const supsOf = (file: string): Suppression[] => {
    let s = originSups.get(file);
    if (!s) {
      s = suppressionsOfText(readText(file) ?? '');
      originSups.set(file, s);
    }
    return s;
  };
  // Fixes of a build that re-prints every object (an overlay) are made again at the origin object.
  const originFs = {
    readText,
    readBytes: (f: string) => {
      const t = readText(f);
      return t === null ? null : new TextEncoder().encode(t);
    },
    list: () => null,
  };
  const originDocs = new Map<string, { text: string; docs: Document.Parsed[] } | null>();
  const valuesDocs = new Map<string, Document.Parsed[]>();
  const findings = new Map<
    string,
    { file: string; f: Finding; names: string[]; kind: 'overlay' | 'values' | null }
  >();
  const notes = new Map<
    string,
    { file: string; d: Diagnostic; names: string[]; kind: 'overlay' | 'values' | null }
  >();
  inputs.forEach((input, index) => {
    const name = generatedFileName(input, index);
    const source = run.sources.get(name);
    if (!source) return;
    const src = input.source;
    const own = run.findings.get(name) ?? [];
    const generatedSups = suppressionsOfText(src.text);
    let generatedDocs: Document.Parsed[] | null = null;
    const docOf = (offset: number): GeneratedDocument | undefined =>
      input.documents?.find((d) => d.start <= offset && offset < d.end);
    const shown = own.length > MAX_FINDINGS_PER_FILE ? own.slice(0, MAX_FINDINGS_PER_FILE) : own;
    for (const h of shown) {
      const generated = hardeningFindingOf(source, h, policy);
      const placed = placeSpan(src, generated.span, input.fallbackFile, readText);
      const doc = docOf(generated.span.start);
      const fixes: Fix[] = [];
      // A chart's own fixes first: the values a template prints from values are set there.
      const valuesFixes: Array<{ file: string; fix: Fix }> = [];
      if (input.documents !== undefined && input.group?.kind !== 'overlay') {
        generatedDocs ??= parseAllDocuments(src.text, { version: '1.1' }) as Document.Parsed[];
        for (const hf of h.fixes) {
          const v = chartValuesFix(src, generatedDocs, hf, readText, valuesDocs);
          if (v) valuesFixes.push(v);
        }
      }
      // An overlay: a new document is a new file of the overlay, listed in its kustomization.
      if (input.group?.kind === 'overlay')
        for (const hf of h.fixes) {
          const op = hf.ops.length === 1 ? hf.ops[0] : undefined;
          if (op?.op !== 'addDocument') continue;
          const add = overlayNewFileFix(input, hf.title, op.text, readText);
          if (add) fixes.push(add);
        }
      for (const v of valuesFixes)
        fixes.push(
          v.file === placed.file
            ? v.fix
            : { ...v.fix, edits: [], files: [{ path: v.file, edits: v.fix.edits }] },
        );
      if (valuesFixes.length === 0)
        for (const fix of generated.fixes) {
          const m = mapFix(src, fix, readText);
          if (m && m.file === placed.file) fixes.push(m.fix);
          else if (!m && input.documents !== undefined && input.group?.kind !== 'overlay') {
            // A chart: lines added at the end of a map the template writes literally.
            // The document the new lines end (they may start just past its last line).
            const at = fix.edits[0]?.start ?? -1;
            const doc = input.documents.find((d) => d.start < at && at <= d.end + 1);
            const l = templateLineInsert(src, releaseNamespaced(fix, h, source), doc, readText);
            if (l)
              fixes.push(
                l.file === placed.file
                  ? l.fix
                  : { ...l.fix, edits: [], files: [{ path: l.file, edits: l.fix.edits }] },
              );
          } else if (input.group?.kind === 'overlay') {
            generatedDocs ??= parseAllDocuments(src.text, { version: '1.1' }) as Document.Parsed[];
            const again = fixAtOrigin(src, generatedDocs, fix, placed.file, originFs, originDocs);
            if (again) fixes.push(again);
          }
        }
      // A chart's finding outside the template of its object (values.yaml, a helper) names the object.
      const named =
        generated.object.kind !== '' && doc !== undefined && doc.file !== placed.file
          ? `, in ${describe(generated, doc)}`
          : '';
      const f: Finding = {
        ...generated,
        message: `${generated.message}${named}`,
        span: placed.span,
        fixes,
      };
      const silencer =
        suppressedBy(generatedSups, f.check, generated.span.start) ??
        suppressedBy(supsOf(placed.file), f.check, placed.span.start);
      if (silencer) {
        at(placed.file).suppressed.push({
          ...f,
          suppression: { kind: 'comment', justification: silencer.reason, span: silencer.span },
        });
        continue;
      }
      const key = [
        placed.file,
        f.check,
        f.span.start,
        f.span.end,
        f.container ?? '',
        f.message,
      ].join('\u0000');
      const hit = findings.get(key);
      if (hit) {
        if (input.group && !hit.names.includes(input.group.name)) hit.names.push(input.group.name);
        // Each build's own fixes (the default-deny file of each overlay) stay offered.
        for (const fx of f.fixes)
          if (!hit.f.fixes.some((x) => x.title === fx.title)) hit.f.fixes.push(fx);
      } else
        findings.set(key, {
          file: placed.file,
          f,
          names: input.group ? [input.group.name] : [],
          kind: input.group?.kind ?? null,
        });
    }
    const listed = [...(run.notes.get(name) ?? [])].map((n) => ({
      message: n.message,
      span: n.span,
    }));
    if (own.length > shown.length) {
      listed.push({
        message: `${own.length - shown.length} more hardening findings in ${src.label} are not listed (at most ${MAX_FINDINGS_PER_FILE} per build)`,
        span: { start: 0, end: 0 },
      });
    }
    for (const n of listed) {
      const placed = placeSpan(src, n.span, input.fallbackFile, readText);
      const doc = docOf(n.span.start);
      const where = doc && doc.file !== placed.file ? ` (in the output of ${doc.source})` : '';
      const d: Diagnostic = {
        message: `${n.message}${where}`,
        span: placed.span,
        code: 'policy',
        severity: 'information',
      };
      const key = [placed.file, d.span.start, d.message].join('\u0000');
      const hit = notes.get(key);
      if (hit) {
        if (input.group && !hit.names.includes(input.group.name)) hit.names.push(input.group.name);
      } else
        notes.set(key, {
          file: placed.file,
          d,
          names: input.group ? [input.group.name] : [],
          kind: input.group?.kind ?? null,
        });
    }
  });
  for (const { file, f, names, kind } of findings.values()) {
    const phrase = kind && names.length > 0 ? groupPhrase(kind, names) : '';
    at(file).findings.push(
      phrase === ''
        ? f
        : {
            ...f,
            message: `${f.message}${phrase}`,
            context: [...(f.context ?? []), phrase.trim()],
            ...(kind === 'overlay' ? { overlays: names } : {}),
          },
    );
  }
  for (const { file, d, names, kind } of notes.values()) {
    const phrase = kind && names.length > 0 ? groupPhrase(kind, names) : '';
    at(file).notes.push(phrase === '' ? d : { ...d, message: `${d.message}${phrase}` });
  }
  for (const p of out.values()) {
    p.findings.sort((a, b) => a.span.start - b.span.start);
    p.notes.sort((a, b) => a.span.start - b.span.start);
  }
  return out;
}

/**
 * A chart's renders as hardening inputs, one per value set; `named` when the
 * value sets came from `.podsec.yaml` (results then name them).
 */
export function chartHardeningInputs(
  evaluations: readonly ChartEvaluation[],
  named: boolean,
): GeneratedHardeningInput[] {
  return evaluations.map((ev) => ({
    source: ev.source,
    fallbackFile: joinPath(ev.chartDir, CHART_FILE),
    documents: ev.render.documents.map((d) => ({
      start: d.start,
      end: d.end,
      source: d.template,
      file: templateFile(ev.chartDir, d.template),
    })),
    defaultNamespace: ev.namespace,
    ...(named ? { group: { kind: 'values' as const, name: ev.valueSet } } : {}),
  }));
}

/** The overlays' builds (those that built) as hardening inputs, each naming its overlay. */
export function overlayHardeningInputs(ev: OverlayEvaluation): GeneratedHardeningInput[] {
  const out: GeneratedHardeningInput[] = [];
  for (const b of ev.builds) {
    if (b.build.error) continue;
    const kfile =
      b.build.files.find((f) => KUSTOMIZATION_FILE_NAMES.some((n) => f === joinPath(b.dir, n))) ??
      joinPath(b.dir, 'kustomization.yaml');
    out.push({
      source: b.build.source,
      fallbackFile: kfile,
      group: { kind: 'overlay', name: b.name },
      files: b.build.files,
    });
  }
  return out;
}

/**
 * A chart's hardening fix made in its values file: when each field the fix
 * sets lies under a map the template prints from values (`toYaml
 * .Values.resources`), the same values are set at the values key instead
 * (`resources.requests` in values.yaml), with the planner's minimal edits.
 * Null when a field has no values key, or the values file cannot take it.
 */
export function chartValuesFix(
  src: GeneratedSource,
  docs: readonly Document.Parsed[],
  fix: HardeningFix,
  readText: (file: string) => string | null,
  parsed: Map<string, Document.Parsed[]> = new Map(),
): { file: string; fix: Fix } | null {
  if (fix.item !== null || fix.ops.length === 0) return null;
  const own = docs[fix.document];
  if (!own) return null;
  let file: string | null = null;
  const sets: Array<{ path: string[]; value: FixValue }> = [];
  let document = 0;
  for (const op of fix.ops) {
    if (op.op !== 'set') return null;
    const key = valuesKeyFor(src, docs, own.range[0], pathString(op.path));
    if (!key || key.path.some((p) => typeof p !== 'string')) return null;
    if (file !== null && key.file !== file) return null;
    file = key.file;
    document = key.document ?? 0;
    sets.push({ path: key.path as string[], value: op.value });
  }
  if (file === null) return null;
  const text = readText(file);
  if (text === null) return null;
  let vdocs = parsed.get(file);
  if (!vdocs) {
    const all = parseAllDocuments(text);
    vdocs = Array.isArray(all) ? all : [];
    parsed.set(file, vdocs);
  }
  const vdoc = vdocs[document];
  if (!vdoc || vdoc.errors.length > 0 || !isMap(vdoc.contents)) return null;
  const root = vdoc.contents;
  const edits = planEdits(
    text,
    vdoc,
    sets.map((x) => ({ op: 'set' as const, map: root, path: x.path, value: x.value })),
  );
  if (!edits || edits.length === 0) return null;
  const name = file.slice(file.lastIndexOf('/') + 1);
  const where = sets.map((x) => dottedPath(x.path)).join(', ');
  return { file, fix: { title: `${fix.title} (${name}: ${where})`, safe: false, edits } };
}

/** Leading spaces of the line at `start` of `text`. */
function indentAt(text: string, start: number): number {
  let i = start;
  while (text[i] === ' ') i++;
  return i - start;
}

function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** A template action that opens, ends or branches a block: lines cannot be moved across it. */
const CONTROL_ACTION = /\{\{-?\s*(?:end|else|if|range|with|define|block)\b/;

/**
 * A fix that adds lines at the end of a rendered map (`automountServiceAccountToken: false`
 * after a pod spec's last field), made in the template when the map is written there
 * literally: a key of the map at the new lines' indentation is the template's own text (not
 * a `toYaml` output), and the lines go after the template text that printed the map's last
 * field, at the template's indentation of that key. Null when the template text between
 * holds a block action (`if`, `range`, `end`…), whose block the lines would join or leave.
 */
export function templateLineInsert(
  src: GeneratedSource,
  fix: Fix,
  doc: GeneratedDocument | undefined,
  readText: (file: string) => string | null,
): { file: string; fix: Fix } | null {
  const e = fix.edits[0];
  if (!doc || fix.edits.length !== 1 || !e || e.start !== e.end) return null;
  const g = src.text;
  if (!e.newText.endsWith('\n') || lineStartOf(g, e.start) !== e.start) return null;
  const col = indentAt(e.newText, 0);
  // The nearest key above at the same indentation: the map's own (deeper lines are its values).
  let line = lineStartOf(g, Math.max(0, e.start - 1));
  let sibling: number | null = null;
  for (let guard = 0; line > doc.start && guard < 100_000; guard++) {
    const ind = indentAt(g, line);
    const ch = g[line + ind];
    const blank = ch === undefined || ch === '\n' || ch === '\r' || ch === '#';
    if (!blank && ind < col) break;
    if (!blank && ind === col) {
      if (ch !== '-') sibling = line + ind;
      break;
    }
    line = lineStartOf(g, line - 1);
  }
  if (sibling === null) return null;
  const key = segmentAt(src, sibling);
  if (!key || key.origin.kind !== 'text') return null;
  const file = key.origin.file;
  const t = readText(file);
  if (t === null) return null;
  const keyAt = key.origin.start + (sibling - key.start);
  const tcol = keyAt - lineStartOf(t, keyAt);
  if (t.slice(lineStartOf(t, keyAt), keyAt).trim() !== '') return null;
  // The template text that printed what comes before the new lines, and what comes after.
  const segs = src.segments;
  const lo = segmentsBefore(segs, e.start);
  let before: Segment | undefined;
  for (let i = lo - 1; i >= 0; i--) {
    const s = segs[i] as Segment;
    if (s.start < doc.start) break;
    if (s.origin.file === file && s.end <= e.start) {
      before = s;
      break;
    }
  }
  let after: Segment | undefined;
  for (let i = lo; i < segs.length; i++) {
    const s = segs[i] as Segment;
    if (s.start >= doc.end) break;
    if (s.origin.file === file && s.origin.kind === 'text') {
      after = s;
      break;
    }
  }
  // What printed the map's last field lies in the map (at or after its key's text).
  if (!before || before.start < key.start) return null;
  const from =
    before.origin.kind === 'text'
      ? before.origin.start + (before.end - before.start)
      : before.origin.end;
  let at: number;
  if (after) {
    at = after.origin.start;
    if (lineStartOf(t, at) !== at) return null;
  } else {
    // The map ends its document: after the template's text of it (before a `---`, else at the end).
    const rest = t.slice(from);
    const marker = /(^|\n)---(?=[ \t\r\n]|$)/.exec(rest);
    at = marker ? from + marker.index + (marker[1]?.length ?? 0) : t.length;
    if (at < from) return null;
  }
  if (at < from || CONTROL_ACTION.test(t.slice(from, at))) return null;
  const shift = tcol - col;
  const lines = e.newText.slice(0, -1).split('\n');
  if (lines.some((l) => indentAt(l, 0) + shift < 0)) return null;
  const moved = lines.map((l) => (shift >= 0 ? ' '.repeat(shift) + l : l.slice(-shift)));
  const lead = at > 0 && t[at - 1] !== '\n' ? '\n' : '';
  return {
    file,
    fix: { ...fix, edits: [{ start: at, end: at, newText: `${lead}${moved.join('\n')}\n` }] },
  };
}

/**
 * A fix that adds a document (the default-deny NetworkPolicy), for an
 * overlay: the document as a new file in the overlay's folder, and that file
 * appended to the `resources:` of its kustomization file, as one fix of
 * both files (`Fix.files`). Null when the kustomization cannot take it.
 */
export function overlayNewFileFix(
  input: GeneratedHardeningInput,
  title: string,
  text: string,
  readText: (file: string) => string | null,
): Fix | null {
  const kfile = input.fallbackFile;
  const ktext = readText(kfile);
  if (ktext === null) return null;
  const docs = parseAllDocuments(ktext);
  const kdoc = Array.isArray(docs) && docs.length === 1 ? docs[0] : undefined;
  if (!kdoc || kdoc.errors.length > 0 || !isMap(kdoc.contents)) return null;
  const dir = kfile.slice(0, kfile.lastIndexOf('/'));
  const name = (n: number) => `default-deny${n === 1 ? '' : `-${n}`}.yaml`;
  let n = 1;
  while (readText(joinPath(dir, name(n))) !== null && n < 100) n++;
  const file = name(n);
  const edits = planEdits(ktext, kdoc, [
    { op: 'append', map: kdoc.contents, path: ['resources'], value: file },
  ]);
  if (!edits || edits.length === 0) return null;
  const where = input.group?.name ?? dir;
  return {
    title: `${title}: new file ${file} in ${where}, listed in its ${kfile.slice(kfile.lastIndexOf('/') + 1)}`,
    safe: false,
    edits: [],
    files: [
      { path: joinPath(dir, file), edits: [{ start: 0, end: 0, newText: text }], create: true },
      { path: kfile, edits },
    ],
  };
}

/**
 * A chart's new document (the default-deny NetworkPolicy) for a workload that names no
 * namespace: without a `namespace:` of its own, so it is installed where the release installs
 * the workload (`helm install -n …`), not in the namespace of the render podsec made.
 */
function releaseNamespaced(fix: Fix, h: HardeningFinding, source: HardeningSource): Fix {
  const adds = h.fixes.some(
    (hf) => hf.title === fix.title && hf.ops.length === 1 && hf.ops[0]?.op === 'addDocument',
  );
  if (!adds) return fix;
  const o = source.objects.find(
    (x) => x.document === h.object.document && x.item === h.object.item,
  );
  const meta = o?.value['metadata'];
  const own =
    meta !== null && typeof meta === 'object' && !Array.isArray(meta)
      ? meta['namespace']
      : undefined;
  if (typeof own === 'string' && own !== '') return fix;
  return {
    ...fix,
    edits: fix.edits.map((e) => ({
      ...e,
      newText: e.newText.replace(/(\nmetadata:\n {2}name: [^\n]*\n) {2}namespace: [^\n]*\n/, '$1'),
    })),
  };
}
