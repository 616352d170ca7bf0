/**
 * Incremental analysis. A text is split into its YAML documents; each is
 * parsed and evaluated on its own, and the results are kept keyed by the
 * document's text, so an edit re-parses and re-evaluates only the documents
 * it touched. `analyze()` is this with a fresh cache, so the editor and the
 * command line share one code path.
 *
 * With `keepParsed`, the parsed documents stay after evaluation and results
 * are kept per policy, so one text can be evaluated at any level, version,
 * Namespace labels or suppressions without parsing again (the analysis
 * session, session/, is built on this).
 */
import type { ResolvedOptions } from './evaluate';
import { analyzeParsed, namespacesIn, resolveOptions } from './evaluate';
import type { ParsedFile } from './parse';
import { unreadKind } from './kinds';
import { decodeDocs, precheck, splitDocuments } from './parse';
import type {
  Analysis,
  AnalyzeOptions,
  Finding,
  NamespaceLabels,
  PolicySource,
  Span,
} from './types';

interface Evaluated {
  /** Results with offsets relative to the chunk. */
  result: Analysis;
  /** The same, placed in the whole text at the last position the chunk was seen. */
  placed?: { key: string; analysis: Analysis };
}

interface Entry {
  /**
   * The parsed documents, until the chunk is evaluated: they are most of the
   * memory a cached text holds, so unless the cache keeps them they are
   * dropped then and parsed again only if the policy changes.
   */
  parsed: ParsedFile | undefined;
  /** Number of YAML documents in the chunk. */
  docCount: number;
  namespaces: NamespaceLabels[];
  /** Results by policy key: the latest one only, or every one with `keepParsed`. */
  results: Map<string, Evaluated>;
}

export interface CacheOptions {
  /** Keep parsed documents and the results of every policy (default false). */
  keepParsed?: boolean;
}

const shiftSpan = (s: Span, by: number): Span => ({ start: s.start + by, end: s.end + by });

function policyKey(o: ResolvedOptions, nsKey: string): string {
  return `${o.level}|${o.version}|${o.namespaceLabels}|${o.suppressions}|${o.maxAliasCount}|${nsKey}|${o.admissionKey}|${o.defaultNamespace ?? ''}`;
}

export class AnalysisCache {
  private entries = new Map<string, Entry>();
  private readonly keepParsed: boolean;
  private local = new Map<string, NamespaceLabels>();

  constructor(options: CacheOptions = {}) {
    this.keepParsed = options.keepParsed ?? false;
  }

  /** Number of document chunks parsed by the last call (for tests and benchmarks). */
  lastParsed = 0;
  /** Number of document chunks evaluated by the last call (for tests and benchmarks). */
  lastEvaluated = 0;
  /** Number of document chunks parsed since the cache was made. */
  totalParsed = 0;

  analyze(text: string, options: AnalyzeOptions = {}): Analysis {
    const o = resolveOptions(options);
    const pre = precheck(text, o);
    if (pre) {
      this.clear();
      return { findings: [], errors: pre.errors, notes: pre.notes, workloads: [], objects: 0 };
    }
    // The chunks the hardening checks just read from the same text, else split here.
    const chunks =
      o.chunks?.chunksOf(text) ??
      splitDocuments(text).map((c) => ({ start: c.start, text: text.slice(c.start, c.end) }));
    const next = new Map<string, Entry>();
    const used: Array<{ start: number; text: string; entry: Entry }> = [];
    this.lastParsed = 0;
    this.lastEvaluated = 0;
    for (const c of chunks) {
      const slice = c.text;
      let entry = next.get(slice) ?? this.entries.get(slice);
      if (!entry) {
        this.lastParsed++;
        this.totalParsed++;
        const unread = o.skim ? unreadKind : undefined;
        const chunkParses = o.chunks;
        // The chunk as the hardening checks read it (`o.chunks`, an open document's), or the
        // whole text in one chunk left for them (`o.share`): either way parsed once.
        const parse = chunkParses
          ? () => chunkParses.take(slice, o.maxDepth, unread)
          : () => decodeDocs(slice, o.maxDepth, unread);
        const parsed =
          o.share && chunks.length === 1
            ? o.share.exchange(text, o.maxDepth, o.skim, parse)
            : parse();
        const namespaces =
          (o.namespaceLabels || this.keepParsed) && slice.includes('Namespace')
            ? namespacesIn(parsed.docs, parsed.broken, o.file, o.maxAliasCount)
            : [];
        entry = { parsed, docCount: parsed.docs.length, namespaces, results: new Map() };
      }
      next.set(slice, entry);
      used.push({ start: c.start, text: slice, entry });
    }
    this.entries = next;

    // Namespaces declared anywhere in this text, with spans made absolute.
    const local = new Map<string, NamespaceLabels>();
    for (const u of used) {
      for (const ns of u.entry.namespaces) {
        const spans: Record<string, Span> = {};
        for (const [k, s] of Object.entries(ns.spans)) spans[k] = shiftSpan(s, u.start);
        local.set(ns.name, { ...ns, spans });
      }
    }
    this.local = local;
    const nsKey = o.namespaceLabels
      ? JSON.stringify([
          [...local.values()].map((n) => [n.name, n.labels]),
          [...o.namespaces.values()].map((n) => [n.name, n.file, n.labels]),
        ])
      : '';
    const key = policyKey(o, nsKey);

    const out: Analysis = { findings: [], errors: [], notes: [], workloads: [], objects: 0 };
    // Where local Namespace labels sit, since findings point at them.
    const spansKey = local.size > 0 ? JSON.stringify([...local.values()].map((n) => n.spans)) : '';
    let docBase = 0;
    for (const u of used) {
      const e = u.entry;
      let ev = e.results.get(key);
      if (!ev) {
        let parsed = e.parsed;
        if (!parsed) {
          this.lastParsed++;
          this.totalParsed++;
          parsed = decodeDocs(u.text, o.maxDepth, o.skim ? unreadKind : undefined);
        }
        this.lastEvaluated++;
        ev = { result: analyzeParsed(u.text, parsed, o, local) };
        if (this.keepParsed) {
          e.parsed = parsed;
        } else {
          e.results.clear();
          e.parsed = undefined;
        }
        e.results.set(key, ev);
      }
      const placeKey = `${u.start}|${docBase}|${spansKey}`;
      if (ev.placed?.key !== placeKey) {
        ev.placed = { key: placeKey, analysis: place(ev.result, u.start, docBase, local, o.file) };
      }
      const r = ev.placed.analysis;
      for (const f of r.findings) out.findings.push(f);
      for (const d of r.errors) out.errors.push(d);
      for (const d of r.notes) out.notes.push(d);
      for (const w of r.workloads) out.workloads.push(w);
      if (r.suppressed) (out.suppressed ??= []).push(...r.suppressed);
      out.objects += r.objects;
      docBase += e.docCount;
    }
    return out;
  }

  /**
   * The Namespaces the last analysed text declares (spans in the whole text). Always known
   * with `keepParsed`; otherwise only when the last analysis read Namespace labels.
   */
  declaredNamespaces(): NamespaceLabels[] {
    return [...this.local.values()];
  }

  /** Forget everything (e.g. when the document closes). */
  clear(): void {
    this.entries.clear();
    this.local = new Map();
  }
}

/** A chunk's results moved to where the chunk starts in the whole text. */
function place(
  r: Analysis,
  by: number,
  docBase: number,
  local: ReadonlyMap<string, NamespaceLabels>,
  file: string,
): Analysis {
  return {
    findings: r.findings.map((f) => shiftFinding(f, by, docBase, local, file)),
    errors: [...r.errors]
      .sort((a, b) => a.span.start - b.span.start)
      .map((d) => ({ ...d, span: shiftSpan(d.span, by) })),
    notes: r.notes.map((d) => ({ ...d, span: shiftSpan(d.span, by) })),
    workloads: r.workloads.map((w) => ({
      ...w,
      object: { ...w.object, document: w.object.document + docBase },
      span: shiftSpan(w.span, by),
      headSpan: shiftSpan(w.headSpan, by),
      podSpecSpan: w.podSpecSpan ? shiftSpan(w.podSpecSpan, by) : null,
      policySource: placeSource(w.policySource, local, file),
    })),
    objects: r.objects,
    ...(r.suppressed
      ? {
          suppressed: r.suppressed.map((f) => ({
            ...shiftFinding(f, by, docBase, local, file),
            suppression: { ...f.suppression, span: shiftSpan(f.suppression.span, by) },
          })),
        }
      : {}),
  };
}

/** A policy source whose label is in this text, pointed at where the label is now. */
function placeSource(
  src: PolicySource,
  local: ReadonlyMap<string, NamespaceLabels>,
  file: string,
): PolicySource {
  if (src.kind !== 'namespace' || src.file !== file || !src.namespace) return src;
  const ns = local.get(src.namespace);
  const span = ns && src.label ? ns.spans[src.label] : undefined;
  return span ? { ...src, span } : src;
}

function shiftFinding(
  f: Finding,
  by: number,
  docBase: number,
  local: ReadonlyMap<string, NamespaceLabels>,
  file: string,
): Finding {
  const policySource = placeSource(f.policySource, local, file);
  if (by === 0 && docBase === 0 && policySource === f.policySource) return f;
  return {
    ...f,
    span: shiftSpan(f.span, by),
    object: { ...f.object, document: f.object.document + docBase },
    policySource,
    fixes: f.fixes.map((fx) => ({
      ...fx,
      edits: fx.edits.map((e) => ({ start: e.start + by, end: e.end + by, newText: e.newText })),
    })),
  };
}
