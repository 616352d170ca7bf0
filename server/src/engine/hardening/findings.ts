/**
 * The hardening checks as podsec findings. The command line and the language
 * server read each file once into a `HardeningSource` (its Kubernetes objects,
 * with locators), run `runHardening` over all the sources of the run or the
 * workspace together (a NetworkPolicy in one file isolates a workload in
 * another), and merge each file's share into that file's Analysis with
 * `mergeHardening`: findings of the family 'hardening' at their configured
 * severity, their fixes as minimal text edits (never safe, never preferred),
 * the file's suppressions applied, and notes for what cannot be judged.
 * Nothing here changes a Pod Security finding.
 */
import type { Document } from 'yaml';
import type { HardeningSetting } from '../config/types';
import { DEFAULT_LIMITS } from '../limits';
import { LineIndex } from '../lines';
import { decodeDocs, precheck, splitDocuments } from '../parse';
import type { ParseShare } from '../parse';
import type { ChunkParses, TextChunk } from '../chunkParses';
import { unreadKind } from '../kinds';
import { findSuppressions, suppressedBy } from '../suppress';
import type {
  Analysis,
  Diagnostic,
  Finding,
  Fix,
  Policy,
  Severity,
  Span,
  SuppressedFinding,
  TextEdit,
} from '../types';
import { evaluatedMinor } from '../policy';
import { planHardeningFix } from './fixes';
import { analyzeHardening, severityOf } from './index';
import type { HardeningOptions, HardeningResult } from './index';
import { HARDENING_CHECKS } from './metadata';
import type { KubeObject } from './model';
import { HARDENING_CHECK_IDS, isHardeningCheckId } from './results';
import type { HardeningCheckId, HardeningFinding, HardeningFix, HardeningNote } from './results';
import { placedObject } from './memo';
import { objectsFromDocument } from './yaml';
import type { AdapterOptions, AdapterResult } from './yaml';

/** Hardening findings listed per file; more are counted in one note. */
export const MAX_FINDINGS_PER_FILE = 1000;

/** The namespace of objects without metadata.namespace, as kubectl applies them. */
export const HARDENING_DEFAULT_NAMESPACE = 'default';

export interface SourceOptions {
  /** Default "default". */
  defaultNamespace?: string;
  maxFileBytes?: number;
  maxAliasCount?: number;
  maxDepth?: number;
  /** Skim documents of kinds nothing reads instead of composing them (default true). */
  skim?: boolean;
  /**
   * The file's chunk parses, kept from its previous version and shared with
   * its analysis (an open document): only the chunks that changed are parsed
   * again, once for both.
   */
  chunks?: ChunkParses;
  /** Parses shared with the analysis of the same text (see ParseShare), so it is parsed once. */
  share?: ParseShare;
  /**
   * Keep no parsed document (the command line, which reads file after file):
   * the objects' locators hold positions as numbers, and the text is parsed
   * again only when a fix is planned in it (see HardeningSource.released).
   */
  release?: boolean;
  /** Sees the documents parsed for the file, before they are released (tests count them). */
  onParsed?: (docs: readonly Document.Parsed[]) => void;
}

/** One file read for the hardening checks. */
export interface HardeningSource {
  file: string;
  text: string;
  objects: KubeObject[];
  /** The parsed documents (null when the file could not be parsed: over a limit, a template). */
  docs: Document.Parsed[] | null;
  /** Notes about documents the adapter could not decode. */
  notes: HardeningNote[];
  /**
   * Per document, when the documents were read chunk by chunk (`chunks`): the
   * chunk it belongs to, whose text its ranges count from, and where that
   * chunk starts in `text`. Absent: the documents' ranges are in `text`.
   */
  chunkOf?: readonly DocumentChunk[];
  /**
   * A source read with `release` (docs null): the spans of its documents (as
   * suppressions read them), and its text parsed again, as it was, when a
   * fix is planned in it.
   */
  released?: { ranges: Span[]; parse: () => Document.Parsed[] };
}

/** The last sources parsed again (a fix, and one in another file, are planned together). */
const reparsed: Array<{ source: HardeningSource; docs: Document.Parsed[] }> = [];

/** A source's documents: its own, or those of its text parsed again when it was released. */
function docsOf(source: HardeningSource): readonly Document.Parsed[] | null {
  if (source.docs !== null || !source.released) return source.docs;
  const hit = reparsed.find((r) => r.source === source);
  if (hit) return hit.docs;
  const docs = source.released.parse();
  reparsed.unshift({ source, docs });
  reparsed.length = Math.min(reparsed.length, 2);
  return docs;
}

/** The chunk of a text a document was parsed from. */
export interface DocumentChunk {
  start: number;
  text: string;
}

/** A document of a source, the text its ranges count from, and where that text starts in the file. */
export function sourceDocument(
  source: HardeningSource,
  document: number,
): { doc: Document.Parsed; text: string; start: number } | null {
  const doc = docsOf(source)?.[document];
  if (!doc) return null;
  const chunk = source.chunkOf?.[document];
  return chunk
    ? { doc, text: chunk.text, start: chunk.start }
    : { doc, text: source.text, start: 0 };
}

const shiftSpan = (s: Span, by: number): Span => ({ start: s.start + by, end: s.end + by });

/** What a document's objects were read under (the adapter's options but the document index). */
interface AdaptedDocument {
  key: string;
  result: AdapterResult;
}

/**
 * A chunk's documents read into objects, by parsed document: a chunk kept
 * from the previous version is not read again, only placed.
 */
const adapted = new WeakMap<Document.Parsed, AdaptedDocument>();

/** Objects and notes of one document of a chunk, placed at the chunk's start and document index. */
function chunkDocumentObjects(
  doc: Document.Parsed,
  chunk: DocumentChunk,
  options: AdapterOptions,
): AdapterResult {
  const key = JSON.stringify([options.file, options.defaultNamespace, options.maxAliasCount]);
  let a = adapted.get(doc);
  if (a?.key !== key) {
    a = { key, result: objectsFromDocument(doc, options, chunk.text) };
    adapted.set(doc, a);
  }
  const by = chunk.start;
  const objects = a.result.objects.map((o) => placedObject(o, by, options.document));
  const notes =
    by === 0 ? a.result.notes : a.result.notes.map((n) => ({ ...n, span: shiftSpan(n.span, by) }));
  return { objects, notes };
}

/** Whether a text's chunks all end lines as the whole text does (the fix planner follows it). */
function sameLineEnds(text: string, chunks: readonly TextChunk[]): boolean {
  if (!text.includes('\r\n')) return true;
  return chunks.every((c) => c.text.includes('\r\n'));
}

/**
 * Read one file. A file the Pod Security analysis does not evaluate (over a
 * limit, binary, a template) gives no objects: its own analysis says why.
 * Documents with YAML errors are left out the same way.
 */
export function hardeningSource(
  file: string,
  text: string,
  options: SourceOptions = {},
): HardeningSource {
  const maxDepth = options.maxDepth ?? DEFAULT_LIMITS.maxDepth;
  const skim = options.skim !== false;
  const unread = skim ? unreadKind : undefined;
  const adapter = (document: number): AdapterOptions => ({
    file,
    document,
    defaultNamespace: options.defaultNamespace ?? HARDENING_DEFAULT_NAMESPACE,
    maxAliasCount: options.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  });
  const source: HardeningSource = { file, text, objects: [], docs: null, notes: [] };
  const pre = precheck(text, {
    maxFileBytes: options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxDepth,
  });
  // An open document (`chunks`): its chunks as the analysis reads them, the same parses, each
  // document read in its chunk's text. A text whose chunks end lines otherwise than the whole
  // text is read whole, as fixes are planned in the line ends of the text they are planned in.
  const chunks = !pre && options.chunks ? options.chunks.read(text, maxDepth, unread) : null;
  // A text of one chunk is left in `share` too, for a reader without the chunk parses.
  const only = chunks?.length === 1 ? chunks[0] : undefined;
  if (only && options.share) options.share.exchange(text, maxDepth, skim, () => only.parsed);
  if (chunks && sameLineEnds(text, chunks)) {
    const docs: Document.Parsed[] = [];
    const chunkOf: DocumentChunk[] = [];
    for (const c of chunks) {
      const chunk: DocumentChunk = { start: c.start, text: c.text };
      c.parsed.docs.forEach((doc, i) => {
        const document = docs.length;
        docs.push(doc);
        chunkOf.push(chunk);
        if (c.parsed.broken.has(i)) return;
        const r = chunkDocumentObjects(doc, chunk, adapter(document));
        for (const o of r.objects) source.objects.push(o);
        for (const n of r.notes) source.notes.push(n);
      });
    }
    if (docs.length === 0) return source;
    source.docs = docs;
    source.chunkOf = chunkOf;
    return source;
  }
  // A text of one chunk: the analysis reads the same parse (`share`).
  const share = options.share;
  const parsed =
    pre ??
    (share && splitDocuments(text).length === 1
      ? share.exchange(text, maxDepth, skim, () => decodeDocs(text, maxDepth, unread))
      : decodeDocs(text, maxDepth, unread));
  if (parsed.docs.length === 0) return source;
  options.onParsed?.(parsed.docs);
  const release = options.release === true;
  if (release)
    source.released = { ranges: docRanges(parsed.docs), parse: reparse(text, maxDepth, unread) };
  else source.docs = parsed.docs;
  parsed.docs.forEach((doc, document) => {
    if (parsed.broken.has(document)) return;
    const r = objectsFromDocument(doc, { ...adapter(document), release }, text);
    for (const o of r.objects) source.objects.push(o);
    for (const n of r.notes) source.notes.push(n);
  });
  return source;
}

/** The parse of `text` made again; a closure of its own, so it holds nothing of the first parse. */
function reparse(
  text: string,
  maxDepth: number,
  unread: typeof unreadKind | undefined,
): () => Document.Parsed[] {
  return () => decodeDocs(text, maxDepth, unread).docs;
}

/** The result of one run over a set of sources. */
export interface HardeningRun {
  result: HardeningResult;
  options: HardeningOptions;
  /** The sources by file. */
  sources: ReadonlyMap<string, HardeningSource>;
  /** Findings and notes by file. */
  findings: ReadonlyMap<string, HardeningFinding[]>;
  notes: ReadonlyMap<string, HardeningNote[]>;
}

function group<T extends { file: string }>(xs: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const list = out.get(x.file);
    if (list) list.push(x);
    else out.set(x.file, [x]);
  }
  return out;
}

/** Run the hardening checks over every source together. */
export function runHardening(
  sources: Iterable<HardeningSource>,
  options: HardeningOptions = {},
): HardeningRun {
  const byFile = new Map<string, HardeningSource>();
  const objects: KubeObject[] = [];
  const adapterNotes: HardeningNote[] = [];
  for (const s of sources) {
    byFile.set(s.file, s);
    for (const o of s.objects) objects.push(o);
    for (const n of s.notes) adapterNotes.push(n);
  }
  const result = analyzeHardening(objects, options);
  return {
    result,
    options,
    sources: byFile,
    findings: group(result.findings),
    notes: group([...adapterNotes, ...result.notes]),
  };
}

/** Whether any hardening check runs under `options`. */
export function hardeningEnabled(options: HardeningOptions): boolean {
  return HARDENING_CHECK_IDS.some((id) => severityOf(id, options) !== null);
}

/**
 * Hardening options from severity entries (`podsec.severity`, `.podsec.yaml`'s
 * `severity`) and on/off switches (`.podsec.yaml`'s `hardening`). A check's
 * own entry wins over the family's (`hardening`); `hint` runs the check at
 * information (the editor shows it as a hint). Keys that are not hardening
 * checks are ignored here.
 */
export function hardeningOptionsFrom(
  severity: Readonly<Record<string, string>> = {},
  switches: Readonly<Record<string, boolean>> = {},
): HardeningOptions {
  const checks: NonNullable<HardeningOptions['checks']> = {};
  const asSeverity = (v: string | undefined): Severity | 'off' | undefined =>
    v === 'error' || v === 'warning' || v === 'information' || v === 'off'
      ? v
      : v === 'hint'
        ? 'information'
        : undefined;
  const family = asSeverity(severity['hardening']);
  for (const id of HARDENING_CHECK_IDS) {
    const s = asSeverity(severity[id]) ?? family;
    if (s !== undefined) checks[id] = s;
    if (switches[id] === false) checks[id] = 'off';
    else if (switches[id] === true && checks[id] === 'off') delete checks[id];
  }
  const out: HardeningOptions = { checks };
  if (switches['requireCpuLimit'] === true) out.requireCpuLimit = true;
  return out;
}

/**
 * Hardening options from severity entries (as hardeningOptionsFrom reads
 * them) and `.podsec.yaml`'s `hardening` setting, which wins: `enabled:
 * false` (or `hardening: off`) turns every check off but those it turns on
 * or gives a severity; a check `on` runs at its severity entry, else its
 * default; `off` or a severity set it.
 */
export function hardeningOptionsOf(
  severity: Readonly<Record<string, string>> = {},
  setting?: HardeningSetting,
): HardeningOptions {
  const out = hardeningOptionsFrom(severity);
  if (!setting) return out;
  const checks = { ...(out.checks ?? {}) };
  if (setting.enabled === false) for (const id of HARDENING_CHECK_IDS) checks[id] = 'off';
  if (setting.enabled === true)
    for (const id of HARDENING_CHECK_IDS) {
      if (checks[id] !== 'off') continue;
      // The family is on: a check's own severity entry still counts, the family's `off` does not.
      const own = hardeningOptionsFrom({ [id]: severity[id] ?? '' }).checks?.[id];
      if (own === undefined) delete checks[id];
      else checks[id] = own;
    }
  for (const [id, v] of Object.entries(setting.checks)) {
    if (!isHardeningCheckId(id)) continue;
    if (v === 'off') checks[id] = 'off';
    else if (v === 'on') {
      const own = hardeningOptionsFrom({ [id]: severity[id] ?? '' }).checks?.[id];
      if (own !== undefined && own !== 'off') checks[id] = own;
      else checks[id] = HARDENING_CHECKS[id].defaultSeverity;
    } else checks[id] = v === 'hint' ? 'information' : v;
  }
  return {
    ...out,
    checks,
    ...(setting.requireCpuLimit !== undefined ? { requireCpuLimit: setting.requireCpuLimit } : {}),
  };
}

/** The spans of a file's documents, as suppressions read them. */
export function docRanges(
  docs: readonly Document.Parsed[],
  chunkOf?: readonly DocumentChunk[],
): Span[] {
  const out: Span[] = [];
  docs.forEach((d, i) => {
    const c = d.contents as { range?: [number, number, number] } | null;
    const by = chunkOf?.[i]?.start ?? 0;
    if (c?.range) out.push({ start: c.range[0] + by, end: d.range[2] + by });
  });
  return out;
}

/**
 * Fixes planned in a chunk's document, by document and operations: edits
 * relative to the chunk, which a kept chunk keeps from version to version.
 */
const plannedInChunk = new WeakMap<Document.Parsed, Map<string, TextEdit[] | null>>();

/** New documents planned at the end of a source's text, by operations. */
const plannedAtEnd = new WeakMap<HardeningSource, Map<string, TextEdit[] | null>>();

/**
 * The text edits of `fix` in `source` (the file of the object it changes),
 * or null when it cannot be planned there. A document read in its chunk is
 * planned in the chunk's text and its edits moved to the chunk's place; a
 * new document goes at the end of the whole text.
 */
export function planSourceFix(source: HardeningSource, fix: HardeningFix): TextEdit[] | null {
  const at = sourceDocument(source, fix.document);
  if (!at) return null;
  const base = fix.item === null ? [] : ['items', fix.item];
  if (at.start === 0 && at.text.length === source.text.length)
    return planHardeningFix(source.text, at.doc, fix, base);
  const last = at.start + at.text.length === source.text.length;
  // A new document is added after the last chunk, whichever chunk the object is in.
  const added = last ? [] : fix.ops.filter((op) => op.op === 'addDocument');
  const inChunk = added.length === 0 ? fix.ops : fix.ops.filter((op) => op.op !== 'addDocument');
  // In the chunk (no operations: only whether the object is there), kept with the chunk.
  let plans = plannedInChunk.get(at.doc);
  if (!plans) {
    plans = new Map();
    plannedInChunk.set(at.doc, plans);
  }
  const key = JSON.stringify([fix.item, inChunk]);
  let planned = plans.get(key);
  if (planned === undefined) {
    planned = planHardeningFix(at.text, at.doc, { ...fix, ops: inChunk }, base);
    plans.set(key, planned);
  }
  if (!planned) return null;
  let edits = planned.map((e) => ({
    start: e.start + at.start,
    end: e.end + at.start,
    newText: e.newText,
  }));
  if (added.length > 0) {
    // At the end of the whole text, whatever the object (found above): the same new document
    // for many findings (a namespace's default deny) is planned once.
    let ends = plannedAtEnd.get(source);
    if (!ends) {
      ends = new Map();
      plannedAtEnd.set(source, ends);
    }
    const endKey = JSON.stringify(added);
    let end = ends.get(endKey);
    if (end === undefined) {
      end = planHardeningFix(source.text, at.doc, { ...fix, ops: added }, base);
      ends.set(endKey, end);
    }
    if (!end) return null;
    edits = [...edits, ...end];
  }
  return edits;
}

/**
 * The text edits of a hardening fix in the file of the object it changes
 * (the run's source of that file), or null when it cannot be planned there.
 * A finding's fix may change an object of another file (the ServiceAccount
 * that decides a token mount): these are its edits.
 */
export function hardeningFixEdits(
  run: Pick<HardeningRun, 'sources'>,
  fix: HardeningFix,
): TextEdit[] | null {
  const source = run.sources.get(fix.file);
  if (!source) return null;
  const edits = planSourceFix(source, fix);
  return edits && edits.length > 0 ? edits : null;
}

function fixesOf(
  source: HardeningSource,
  h: HardeningFinding,
  sources?: ReadonlyMap<string, HardeningSource>,
): Fix[] {
  const out: Fix[] = [];
  for (const fix of h.fixes) {
    if (fix.file !== h.file) {
      // The object the fix changes is in another file (the ServiceAccount that decides a token
      // mount): its edits go with the fix as that file's.
      const edits = sources ? hardeningFixEdits({ sources }, fix) : null;
      if (edits)
        out.push({ title: fix.title, safe: false, edits: [], files: [{ path: fix.file, edits }] });
      continue;
    }
    const edits = planSourceFix(source, fix);
    if (edits && edits.length > 0) out.push({ title: fix.title, safe: false, edits });
  }
  return out;
}

/** A hardening finding as a podsec finding of `source`'s text, its fixes as text edits. */
export function hardeningFindingOf(
  source: HardeningSource,
  h: HardeningFinding,
  policy: Policy,
  sources?: ReadonlyMap<string, HardeningSource>,
): Finding {
  return {
    check: h.check,
    family: 'hardening',
    level: policy.level,
    severity: h.severity,
    mode: 'warn',
    reason: HARDENING_CHECKS[h.check].title,
    // The short form's action (see summary.ts); the message is the whole story.
    detail: h.action ?? h.message,
    message: h.message,
    path: h.path,
    span: h.span,
    object: h.object,
    container: h.container,
    policy,
    evaluatedVersion: `v1.${evaluatedMinor(policy.version)}`,
    policySource: { kind: 'setting' },
    fixes: fixesOf(source, h, sources),
  };
}

/**
 * `analysis` (the Pod Security analysis of `file`, whose text is the
 * source's) with the file's hardening findings and notes added: findings
 * silenced by the file's suppressions are dropped, and a suppression that
 * names only hardening checks that run and silences none of them is
 * reported (`invalidSuppression`), as the Pod Security suppressions are.
 * `policy` is the configured policy (findings carry it for their renderers).
 */
export function mergeHardening(
  analysis: Analysis,
  file: string,
  run: HardeningRun,
  policy: Policy,
): Analysis {
  const source = run.sources.get(file);
  if (!source) return analysis;
  const own = run.findings.get(file) ?? [];
  const notes = run.notes.get(file) ?? [];
  const isolation = run.result.isolation.filter((i) => i.file === file);
  if (own.length === 0 && notes.length === 0 && !source.text.includes('podsec-ignore'))
    return isolation.length > 0 ? { ...analysis, hardening: { isolation } } : analysis;
  // A file of thousands of containers (an alias flood) would give as many
  // findings, each with its fix: the first ones are reported, the rest counted.
  const shown = own.length > MAX_FINDINGS_PER_FILE ? own.slice(0, MAX_FINDINGS_PER_FILE) : own;
  let added = shown.map((h) => hardeningFindingOf(source, h, policy, run.sources));
  const meta: Finding[] = [];
  const silenced: SuppressedFinding[] = [];
  const ranges = source.docs ? docRanges(source.docs, source.chunkOf) : source.released?.ranges;
  if (source.text.includes('podsec-ignore') && ranges) {
    const sups = findSuppressions(source.text, new LineIndex(source.text), ranges);
    const kept: Finding[] = [];
    for (const f of added) {
      const s = suppressedBy(sups, f.check, f.span.start);
      if (s === null) kept.push(f);
      else
        silenced.push({
          ...f,
          suppression: { kind: 'comment', justification: s.reason, span: s.span },
        });
    }
    added = kept;
    for (const s of sups) {
      const hardening = s.checks.filter(isHardeningCheckId);
      if (s.used || hardening.length === 0 || hardening.length !== s.checks.length) continue;
      if (!hardening.every((id: HardeningCheckId) => severityOf(id, run.options) !== null))
        continue;
      // One without a reason is reported by the Pod Security pass already.
      if (s.reason === '') continue;
      const detail =
        'it silences nothing here. Use: # podsec-ignore <checkId>[,<checkId>…] -- <reason>';
      meta.push({
        check: 'invalidSuppression',
        level: policy.level,
        severity: 'warning',
        mode: 'warn',
        reason: 'invalid suppression',
        detail,
        message: `invalid suppression: ${detail}`,
        path: '',
        span: s.span,
        object: { kind: '', name: null, namespace: null, document: 0, item: null },
        container: null,
        policy,
        evaluatedVersion: `v1.${evaluatedMinor(policy.version)}`,
        policySource: { kind: 'setting' },
        fixes: [],
      });
    }
  }
  // The Pod Security findings keep their order; the hardening ones follow, in text order.
  const findings = [
    ...analysis.findings,
    ...[...added, ...meta].sort((a, b) => a.span.start - b.span.start),
  ];
  const noteDiagnostics: Diagnostic[] = notes.map((n) => ({
    message: n.message,
    span: n.span,
    code: 'policy',
    severity: 'information',
  }));
  const last = shown[shown.length - 1];
  if (own.length > shown.length && last) {
    noteDiagnostics.push({
      message: `${own.length - shown.length} more hardening findings in this file are not listed (at most ${MAX_FINDINGS_PER_FILE} per file)`,
      span: { start: last.span.start, end: last.span.start },
      code: 'limit',
      severity: 'information',
    });
  }
  return {
    ...analysis,
    ...(isolation.length > 0 ? { hardening: { isolation } } : {}),
    findings,
    ...(silenced.length > 0 ? { suppressed: [...(analysis.suppressed ?? []), ...silenced] } : {}),
    notes: [...analysis.notes, ...noteDiagnostics].sort((a, b) => a.span.start - b.span.start),
  };
}

/** Whether a finding belongs to the hardening family. */
export function isHardeningFinding(f: Finding): boolean {
  return f.family === 'hardening';
}

/** The hardening section of the report: plain data. */
export interface HardeningReport {
  /** Per namespace with workloads: isolated workloads of total, and the default denies. */
  namespaces: Array<{
    namespace: string;
    workloads: number;
    isolatedIngress: number;
    isolatedEgress: number;
    isolatedAny: number;
    defaultDenyIngress: string | null;
    defaultDenyEgress: string | null;
  }>;
  /** Per check that runs: its severity and its findings (after suppressions). */
  checks: Array<{ check: HardeningCheckId; severity: Severity; findings: number }>;
  /** Per audit Policy: the security-relevant requests it does not log as it should. */
  audit: Array<{ file: string; name: string | null; probes: number; gaps: number }>;
}

/** What the report's hardening section counts besides the run's own files. */
export interface HardeningReportOptions {
  /**
   * Findings the caller placed itself (those of generated YAML, in the files
   * that set them): counted instead of the run's sources `generated` names.
   */
  placed?: Iterable<readonly Finding[]>;
  generated?: (file: string) => boolean;
  /** How a source is named in the audit list (a generated source by its producer). */
  displayName?: (file: string) => string;
}

/** The report's hardening section from a run (suppressions honoured). */
export function hardeningReport(
  run: HardeningRun,
  policy: Policy,
  o: HardeningReportOptions = {},
): HardeningReport {
  const counts = new Map<HardeningCheckId, number>();
  const empty: Analysis = { findings: [], errors: [], notes: [], workloads: [], objects: 0 };
  const count = (fs: readonly Finding[]) => {
    for (const f of fs)
      if (isHardeningCheckId(f.check)) counts.set(f.check, (counts.get(f.check) ?? 0) + 1);
  };
  for (const file of run.sources.keys())
    if (!o.generated?.(file)) count(mergeHardening(empty, file, run, policy).findings);
  for (const fs of o.placed ?? []) count(fs);
  const displayName = o.displayName ?? ((f: string) => f);
  const checks: HardeningReport['checks'] = [];
  for (const id of HARDENING_CHECK_IDS) {
    const severity = severityOf(id, run.options);
    if (severity !== null) checks.push({ check: id, severity, findings: counts.get(id) ?? 0 });
  }
  const gaps = new Map<string, number>();
  for (const f of run.result.findings) {
    if (f.check !== 'auditPolicy') continue;
    const key = `${f.file}\u0000${f.object.document}\u0000${f.object.item ?? ''}`;
    gaps.set(key, (gaps.get(key) ?? 0) + 1);
  }
  return {
    namespaces: run.result.namespaces
      .filter((n) => n.workloads > 0)
      .map((n) => ({
        namespace: n.namespace,
        workloads: n.workloads,
        isolatedIngress: n.isolatedIngress,
        isolatedEgress: n.isolatedEgress,
        isolatedAny: n.isolatedAny,
        defaultDenyIngress: n.defaultDeny.ingress?.name ?? null,
        defaultDenyEgress: n.defaultDeny.egress?.name ?? null,
      })),
    checks,
    audit: run.result.audit.map((a) => ({
      file: displayName(a.file),
      name: a.object.name,
      probes: a.probes.length,
      gaps: gaps.get(`${a.file}\u0000${a.object.document}\u0000${a.object.item ?? ''}`) ?? 0,
    })),
  };
}
