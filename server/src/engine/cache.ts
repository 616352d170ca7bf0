/**
 * Incremental analysis. A text is split into its YAML documents; each is
 * parsed and evaluated on its own, and the results are kept keyed by the
 * document's text, so an edit re-parses and re-evaluates only the documents
 * it touched. `analyze()` is this with a fresh cache, so the editor and the
 * command line share one code path.
 */
import type { ResolvedOptions } from './evaluate';
import { analyzeParsed, namespacesIn, resolveOptions } from './evaluate';
import type { ParsedFile } from './parse';
import { decodeDocs, precheck, splitDocuments } from './parse';
import type { Analysis, AnalyzeOptions, Finding, NamespaceLabels, Span } from './types';

interface Entry {
  /**
   * The parsed documents, until the chunk is evaluated: they are most of the
   * memory a cached text holds, so they are dropped then and parsed again only
   * if the policy changes.
   */
  parsed: ParsedFile | undefined;
  /** Number of YAML documents in the chunk. */
  docCount: number;
  namespaces: NamespaceLabels[];
  evalKey?: string;
  /** Results with offsets relative to the chunk. */
  result?: Analysis;
  /** The same, placed in the whole text at the last position the chunk was seen. */
  placed?: { key: string; analysis: Analysis };
}

const shiftSpan = (s: Span, by: number): Span => ({ start: s.start + by, end: s.end + by });

function policyKey(o: ResolvedOptions, nsKey: string): string {
  return `${o.level}|${o.version}|${o.namespaceLabels}|${o.maxAliasCount}|${nsKey}|${o.admissionKey}`;
}

export class AnalysisCache {
  private entries = new Map<string, Entry>();

  /** Number of document chunks parsed by the last call (for tests and benchmarks). */
  lastParsed = 0;
  /** Number of document chunks evaluated by the last call (for tests and benchmarks). */
  lastEvaluated = 0;

  analyze(text: string, options: AnalyzeOptions = {}): Analysis {
    const o = resolveOptions(options);
    const pre = precheck(text, o);
    if (pre) {
      this.entries.clear();
      return { findings: [], errors: pre.errors, notes: pre.notes, workloads: [], objects: 0 };
    }
    const chunks = splitDocuments(text);
    const next = new Map<string, Entry>();
    const used: Array<{ start: number; text: string; entry: Entry }> = [];
    this.lastParsed = 0;
    this.lastEvaluated = 0;
    for (const c of chunks) {
      const slice = text.slice(c.start, c.end);
      let entry = next.get(slice) ?? this.entries.get(slice);
      if (!entry) {
        this.lastParsed++;
        const parsed = decodeDocs(slice, o.maxDepth);
        const namespaces =
          o.namespaceLabels && slice.includes('Namespace')
            ? namespacesIn(parsed.docs, parsed.broken, o.file, o.maxAliasCount)
            : [];
        entry = { parsed, docCount: parsed.docs.length, namespaces };
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
      if (e.evalKey !== key || !e.result) {
        let parsed = e.parsed;
        if (!parsed) {
          this.lastParsed++;
          parsed = decodeDocs(u.text, o.maxDepth);
        }
        this.lastEvaluated++;
        e.result = analyzeParsed(u.text, parsed, o, local);
        e.evalKey = key;
        e.placed = undefined;
        e.parsed = undefined;
      }
      const placeKey = `${u.start}|${docBase}|${spansKey}`;
      if (e.placed?.key !== placeKey) {
        e.placed = { key: placeKey, analysis: place(e.result, u.start, docBase, local, o.file) };
      }
      const r = e.placed.analysis;
      for (const f of r.findings) out.findings.push(f);
      for (const d of r.errors) out.errors.push(d);
      for (const d of r.notes) out.notes.push(d);
      for (const w of r.workloads) out.workloads.push(w);
      out.objects += r.objects;
      docBase += e.docCount;
    }
    return out;
  }

  /** Forget everything (e.g. when the document closes). */
  clear(): void {
    this.entries.clear();
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
    })),
    objects: r.objects,
  };
}

function shiftFinding(
  f: Finding,
  by: number,
  docBase: number,
  local: ReadonlyMap<string, NamespaceLabels>,
  file: string,
): Finding {
  let policySource = f.policySource;
  if (policySource.kind === 'namespace' && policySource.file === file && policySource.namespace) {
    const ns = local.get(policySource.namespace);
    const span = ns && policySource.label ? ns.spans[policySource.label] : undefined;
    if (span) policySource = { ...policySource, span };
  }
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
