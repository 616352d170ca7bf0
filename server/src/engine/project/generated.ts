/**
 * Evaluating generated YAML (a rendered chart, a built overlay) with the same
 * engine as any file, and carrying each result back to where the user edits
 * it: every finding, error and note is placed in its origin file (a template's
 * literal text, a values or base node, a patch) through the source map, and
 * names the rendered object it was found in.
 *
 * A fix is kept when every edit lands in literal text of one origin file (an
 * edit of generated text that no file holds verbatim cannot be mapped back);
 * `fixAt` lets a producer (Helm: set the key in values.yaml) offer its own.
 */
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { AnalysisCache } from '../cache';
import type { FixValue } from '../fixes/edits';
import type { Analysis, AnalyzeOptions, Diagnostic, Finding, Fix, Span, TextEdit } from '../types';
import { originOf, segmentAt, segmentsBefore } from '../sources/sourcemap';
import type { GeneratedSource, Origin, Segment } from '../sources/sourcemap';

/** An object of the generated text and what produced it. */
export interface RenderedObject {
  kind: string;
  name: string | null;
  namespace: string | null;
  /** What produced its document, for messages: `web/templates/deployment.yaml`, `overlays/prod`. */
  source: string | null;
  /** The file that produced it, when one did (the template; the kustomization). */
  file: string | null;
}

/** A finding placed in its origin file: `span` and the fixes' edits are offsets into `file`. */
export interface LocatedFinding extends Finding {
  file: string;
  /** The finding's span in the generated text. */
  generatedSpan: Span;
  /** How the span was placed: through a segment's origin, or (none covered it) at the fallback. */
  origin: Origin | null;
  rendered: RenderedObject;
  /**
   * For a required field that is missing: the key (dotted path) in the origin
   * values file that would set it, when the generated map it belongs to is
   * printed from values (`toYaml .Values.securityContext`).
   */
  valuesKey?: { file: string; path: (string | number)[]; document?: number };
  /** The generated source's label (`chart charts/web (values: default)`). */
  producer: string;
  /**
   * Fixes at the origin, each with the file it edits: `fixes` holds those that
   * edit `file` itself (what an editor offers on the finding); these may also
   * edit another file (set the key in values.yaml for a finding on a
   * template). Best first.
   */
  originFixes: Array<{ file: string; fix: Fix }>;
}

export interface LocatedDiagnostic extends Diagnostic {
  file: string;
}

/** One generated document: its span in the generated text and what produced it. */
export interface GeneratedDocument {
  start: number;
  end: number;
  source: string;
  file: string | null;
}

export interface EvaluateGeneratedOptions {
  analyze?: AnalyzeOptions;
  /** Name the values key that would set a missing field (Helm charts; default true). */
  valuesKeys?: boolean;
  /** Where a span no segment covers is reported (the chart's Chart.yaml, the kustomization file). */
  fallbackFile: string;
  documents?: readonly GeneratedDocument[];
  /** Reads an origin file (to check that a mapped fix keeps its indentation). */
  readText: (file: string) => string | null;
  /**
   * A producer's own fixes for a finding (setting a values key), tried before
   * the mapped ones; when it returns any, mapped fixes are not offered.
   */
  fixAt?: (
    f: LocatedFinding,
    generated: Finding,
    docs: () => Document.Parsed[],
  ) => Array<{ file: string; fix: Fix }> | null;
}

export interface GeneratedEvaluation {
  source: GeneratedSource;
  /** The analysis of the generated text, in its own offsets. */
  analysis: Analysis;
  findings: LocatedFinding[];
  errors: LocatedDiagnostic[];
  notes: LocatedDiagnostic[];
}

/**
 * Place a generated span in a file: its origin; else (text no file holds, such
 * as a value from `--set` printed by `toYaml`) the template text printed just
 * before it, underlined from the start of its last line (the `securityContext:`
 * line above a `toYaml`); else the fallback file's start.
 */
export function placeSpan(
  src: GeneratedSource,
  span: Span,
  fallbackFile: string,
  readText?: (file: string) => string | null,
): { file: string; span: Span; origin: Origin | null } {
  const o = originOf(src, span.start, span.end);
  if (o) return { file: o.file, span: { start: o.start, end: o.end }, origin: o.origin };
  // The last segment starting before the span (binary search), then back to the nearest literal text.
  const segs = src.segments;
  const lo = segmentsBefore(segs, span.start);
  const prev = lo > 0 ? segs[lo - 1] : undefined;
  let prevText: Segment | undefined;
  for (let i = lo - 1; i >= 0 && i >= lo - 64; i--) {
    const s = segs[i] as Segment;
    if (s.origin.kind === 'text') {
      prevText = s;
      break;
    }
  }
  const best = prevText ?? prev;
  if (best) {
    const p = best.origin;
    const end = p.kind === 'text' ? p.start + (best.end - best.start) : p.end;
    let start = end;
    const t = readText?.(p.file);
    if (t && p.kind === 'text') {
      start = lineStart(t, end);
      while (start < end && (t[start] === ' ' || t[start] === '\t')) start++;
      start = Math.max(start, p.start);
    }
    return { file: p.file, span: { start, end }, origin: p };
  }
  return { file: fallbackFile, span: { start: 0, end: 0 }, origin: null };
}

/** Map a generated offset that lies in (or at the end of) literal text, else null. */
function mapTextOffset(src: GeneratedSource, offset: number): { file: string; at: number } | null {
  const s = segmentAt(src, offset) ?? segmentAt(src, offset - 1);
  if (!s || s.origin.kind !== 'text') return null;
  if (offset < s.start || offset > s.end) return null;
  return { file: s.origin.file, at: s.origin.start + (offset - s.start) };
}

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/**
 * Map a fix's edits to one origin file when each lands in literal text; else
 * null. An edit that inserts lines must sit where the generated line and the
 * file's line start together (so the generated indentation is the file's own);
 * `readText` reads the origin file for that test.
 */
export function mapFix(
  src: GeneratedSource,
  fix: Fix,
  readText: (file: string) => string | null,
): { file: string; fix: Fix } | null {
  let file: string | null = null;
  const edits: TextEdit[] = [];
  for (const e of fix.edits) {
    const whole = segmentAt(src, e.start);
    if (
      whole &&
      whole.origin.kind === 'value' &&
      e.start === whole.start &&
      e.end === whole.end &&
      !e.newText.includes('\n')
    ) {
      // A scalar printed from a values (or base) node, replaced: replace the node's own text.
      if (file !== null && whole.origin.file !== file) return null;
      file = whole.origin.file;
      edits.push({ start: whole.origin.start, end: whole.origin.end, newText: e.newText });
      continue;
    }
    const a = mapTextOffset(src, e.start);
    if (!a) return null;
    if (e.newText.includes('\n')) {
      const gl = lineStart(src.text, e.start);
      const l = mapTextOffset(src, gl);
      const t = readText(a.file);
      if (!l || l.file !== a.file || t === null || lineStart(t, l.at) !== l.at) return null;
      if (a.at - l.at !== e.start - gl) return null;
    }
    let endAt = a.at;
    if (e.end > e.start) {
      // Both ends inside the same literal segment: the bytes between are the file's own.
      const s = segmentAt(src, e.start);
      if (!s || s.origin.kind !== 'text' || e.end > s.end) return null;
      endAt = a.at + (e.end - e.start);
    }
    if (file !== null && a.file !== file) return null;
    file = a.file;
    edits.push({ start: a.at, end: endAt, newText: e.newText });
  }
  return file === null ? null : { file, fix: { ...fix, edits } };
}

type PathPart = string | number;

/**
 * The fixes an editor offers on a located finding: its own (edits of its
 * file), then each fix at the origin that edits another file instead (the
 * values key a template's missing field is set at) as a fix of that file
 * alone (`Fix.files`), to be applied as one edit of both documents.
 */
export function editorFixes(f: LocatedFinding): Fix[] {
  const out = [...f.fixes];
  for (const o of f.originFixes) {
    if (o.file === f.file || o.fix.edits.length === 0) continue;
    out.push({
      title: o.fix.title,
      safe: o.fix.safe,
      edits: [],
      files: [{ path: o.file, edits: o.fix.edits }],
    });
  }
  return out;
}

/** `spec.template.spec.containers[0].securityContext.runAsNonRoot` → parts; annotation keys in ["…"] kept whole. */
export function splitFieldPath(path: string): PathPart[] {
  const out: PathPart[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

function child(node: Node | null | undefined, part: PathPart): Node | null {
  if (!node) return null;
  if (typeof part === 'number') {
    if (!isSeq(node)) return null;
    return (node.items[part] as Node | undefined) ?? null;
  }
  if (!isMap(node)) return null;
  for (const pair of node.items) {
    const k = pair.key;
    if (isScalar(k) && String(k.value) === part) return (pair.value as Node | null) ?? null;
  }
  return null;
}

/**
 * The values key that would set the missing field at `path` of the object at
 * `objectStart`: the deepest existing map on the path whose content (or one of
 * whose entries) was printed from a values node; its values path plus the
 * missing rest.
 */
export function valuesKeyFor(
  src: GeneratedSource,
  docs: readonly Document.Parsed[],
  objectStart: number,
  path: string,
): LocatedFinding['valuesKey'] | undefined {
  const doc = docs.find((d) => d.range[0] <= objectStart && objectStart < d.range[2]);
  if (!doc) return undefined;
  let node = doc.contents as Node | null;
  // A List item: the item containing objectStart.
  const items = child(node, 'items');
  if (items && isSeq(items)) {
    const it = items.items.find((i) => {
      const r = (i as Node).range;
      return r !== undefined && r !== null && r[0] <= objectStart && objectStart < r[2];
    }) as Node | undefined;
    if (it) node = it;
  }
  const parts = splitFieldPath(path);
  let depth = 0;
  for (; depth < parts.length; depth++) {
    const next = child(node, parts[depth] as PathPart);
    if (!next) break;
    node = next;
  }
  if (depth === parts.length || !node || !isMap(node)) return undefined; // present, or under a non-map
  const rest = parts.slice(depth);
  const r = node.range;
  if (r) {
    // The whole map printed from one values node (`{}` from toYaml of an empty map).
    const s = segmentAt(src, r[0]);
    if (s && s.origin.kind === 'value' && s.end >= r[1])
      return {
        file: s.origin.file,
        path: [...s.origin.path, ...rest],
        ...(s.origin.document !== undefined ? { document: s.origin.document } : {}),
      };
  }
  for (const pair of node.items) {
    const k = pair.key as Node | null;
    if (!isScalar(k) || !k.range) continue;
    const s = segmentAt(src, k.range[0]);
    if (!s || s.origin.kind !== 'value') continue;
    const vp = s.origin.path;
    if (vp.length === 0 || String(vp[vp.length - 1]) !== String(k.value)) continue;
    return {
      file: s.origin.file,
      path: [...vp.slice(0, -1), ...rest],
      ...(s.origin.document !== undefined ? { document: s.origin.document } : {}),
    };
  }
  return undefined;
}

/**
 * The plain value at a finding's field path in generated documents (`item`
 * for a List's item), or undefined when the field is absent.
 */
export function nodeAt(
  docs: readonly Document.Parsed[],
  document: number,
  item: number | null,
  path: string,
): FixValue | undefined {
  const doc = docs[document];
  if (!doc) return undefined;
  let node = doc.contents as Node | null;
  if (item !== null) node = child(child(node, 'items'), item);
  for (const part of splitFieldPath(path)) {
    node = child(node, part);
    if (!node) return undefined;
  }
  return node ? (node.toJSON() as FixValue) : undefined;
}

/** `securityContext.runAsNonRoot`, `containers[0].name`. */
export function dottedPath(path: readonly PathPart[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

function documentAt(
  documents: readonly GeneratedDocument[] | undefined,
  offset: number,
): GeneratedDocument | undefined {
  return documents?.find((d) => d.start <= offset && offset < d.end);
}

function describeObject(r: RenderedObject): string {
  const name = r.name === null ? r.kind : `${r.kind} "${r.name}"`;
  return r.source ? `${name} from ${r.source}` : name;
}

function placeDiagnostic(
  src: GeneratedSource,
  d: Diagnostic,
  fallbackFile: string,
  documents: readonly GeneratedDocument[] | undefined,
  readText: (file: string) => string | null,
): LocatedDiagnostic {
  const p = placeSpan(src, d.span, fallbackFile, readText);
  const doc = documentAt(documents, d.span.start);
  const where = doc && doc.file !== p.file ? ` (in the output of ${doc.source})` : '';
  return { ...d, message: `${d.message}${where}`, span: p.span, file: p.file };
}

/**
 * Evaluate generated YAML as a file is evaluated and place every result at
 * its origin. A finding whose origin is not the file that produced its object
 * (a values file, a shared `_helpers.tpl`, a base) names the object; a missing
 * field that a values key would set names that key.
 */
export function evaluateGenerated(
  src: GeneratedSource,
  o: EvaluateGeneratedOptions,
): GeneratedEvaluation {
  const analysis = new AnalysisCache().analyze(src.text, {
    ...o.analyze,
    file: o.analyze?.file ?? src.label,
  });
  const workloadStart = new Map<string, number>();
  for (const w of analysis.workloads)
    workloadStart.set(`${w.object.document}:${w.object.item ?? ''}`, w.span.start);
  let docs: Document.Parsed[] | null = null;
  const parsedDocs = (): Document.Parsed[] => {
    docs ??= parseAllDocuments(src.text, { version: '1.1' }) as Document.Parsed[];
    return Array.isArray(docs) ? docs : [];
  };
  const findings: LocatedFinding[] = [];
  for (const f of analysis.findings) {
    const placed = placeSpan(src, f.span, o.fallbackFile, o.readText);
    const objectStart =
      workloadStart.get(`${f.object.document}:${f.object.item ?? ''}`) ?? f.span.start;
    const doc = documentAt(o.documents, objectStart);
    const rendered: RenderedObject = {
      kind: f.object.kind,
      name: f.object.name,
      namespace: f.object.namespace,
      source: doc?.source ?? null,
      file: doc?.file ?? null,
    };
    let message = f.message;
    const context = [...(f.context ?? [])];
    let valuesKey: LocatedFinding['valuesKey'];
    if (o.valuesKeys !== false && f.path && f.object.kind !== '') {
      valuesKey = valuesKeyFor(src, parsedDocs(), objectStart, f.path);
      if (valuesKey) {
        message += ` (values key ${dottedPath(valuesKey.path)} would set it)`;
        context.push(`values key ${dottedPath(valuesKey.path)} would set it`);
      }
    }
    if (f.object.kind !== '' && (rendered.file === null || rendered.file !== placed.file))
      message += `, in ${describeObject(rendered)}`;
    const located: LocatedFinding = {
      ...f,
      message,
      ...(context.length > 0 ? { context } : {}),
      span: placed.span,
      file: placed.file,
      generatedSpan: f.span,
      origin: placed.origin,
      rendered,
      producer: src.label,
      fixes: [],
      originFixes: [],
      ...(valuesKey ? { valuesKey } : {}),
    };
    const own = o.fixAt?.(located, f, parsedDocs);
    if (own && own.length > 0) located.originFixes = own;
    else
      for (const fix of f.fixes) {
        const m = mapFix(src, fix, o.readText);
        if (m) located.originFixes.push(m);
      }
    located.fixes = located.originFixes.filter((x) => x.file === located.file).map((x) => x.fix);
    findings.push(located);
  }
  return {
    source: src,
    analysis,
    findings,
    errors: analysis.errors.map((d) =>
      placeDiagnostic(src, d, o.fallbackFile, o.documents, o.readText),
    ),
    notes: analysis.notes.map((d) =>
      placeDiagnostic(src, d, o.fallbackFile, o.documents, o.readText),
    ),
  };
}
