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
import type { ChunkParses } from '../chunkParses';
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
import { objectsFromDocument } from './yaml';

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
   * The file's documents kept from its previous version (an open document):
   * only the chunks that changed are parsed again, as the analysis does.
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
  const chunks = options.chunks;
  const share = options.share;
  // A text of one chunk: the analysis reads the same parse (`share`). That parse is never the
  // chunk parses' own: they move their documents for the next version, and the analysis cache
  // keeps what it took. An open document of several chunks parses only the chunks an edit
  // changed (`chunks`); others are parsed here.
  const parsed =
    precheck(text, {
      maxFileBytes: options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
      maxDepth,
    }) ??
    (share && splitDocuments(text).length === 1
      ? share.exchange(text, maxDepth, skim, () => decodeDocs(text, maxDepth, unread))
      : chunks
        ? chunks.decode(text, maxDepth, unread)
        : decodeDocs(text, maxDepth, unread));
  const source: HardeningSource = { file, text, objects: [], docs: null, notes: [] };
  if (parsed.docs.length === 0) return source;
  options.onParsed?.(parsed.docs);
  const release = options.release === true;
  if (release)
    source.released = { ranges: docRanges(parsed.docs), parse: reparse(text, maxDepth, unread) };
  else source.docs = parsed.docs;
  parsed.docs.forEach((doc, document) => {
    if (parsed.broken.has(document)) return;
    const r = objectsFromDocument(
      doc,
      {
        file,
        document,
        defaultNamespace: options.defaultNamespace ?? HARDENING_DEFAULT_NAMESPACE,
        maxAliasCount: options.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
        release,
      },
      text,
    );
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
export function docRanges(docs: readonly Document.Parsed[]): Span[] {
  const out: Span[] = [];
  for (const d of docs) {
    const c = d.contents as { range?: [number, number, number] } | null;
    if (c?.range) out.push({ start: c.range[0], end: d.range[2] });
  }
  return out;
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
  const doc = source ? docsOf(source)?.[fix.document] : undefined;
  if (!source || !doc) return null;
  const edits = planHardeningFix(
    source.text,
    doc,
    fix,
    fix.item === null ? [] : ['items', fix.item],
  );
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
    const doc = docsOf(source)?.[fix.document];
    if (!doc) continue;
    const edits = planHardeningFix(
      source.text,
      doc,
      fix,
      fix.item === null ? [] : ['items', fix.item],
    );
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
  const ranges = source.docs ? docRanges(source.docs) : source.released?.ranges;
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
