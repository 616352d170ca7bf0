/**
 * One analysed version of one document, with what the features need to answer
 * fast: positions, findings by offset, workloads by offset, and the views
 * derived from this version's analysis (computed once, on first use). It is
 * immutable: a new version of the document gets a new AnalysisResult.
 */
import { AnalysisSession, LineIndex, OutlookMemo } from '../../engine';
import type { Analysis, Finding, Span, WorkloadSummary } from '../../engine';
import type { Range } from 'vscode-languageserver';
import { editsOtherFiles } from '../../engine/fixes/edits';
import type { ChartPolicyInfo } from '../protocol';

export class AnalysisResult {
  readonly lines: LineIndex;
  // Built on first use: publishing diagnostics needs none of them, code actions and hovers do.
  private byStart?: {
    /** Finding indices sorted by span start. */
    order: number[];
    /** Running maximum of span ends along `order`, for overlap queries. */
    maxEnd: number[];
  };
  private sortedWorkloads?: WorkloadSummary[];
  private safeFixableCount?: number;
  private readonly views = new Map<string, unknown>();
  /** Evaluations of this version at other policies (the level advisor's), parsed once. */
  readonly session: AnalysisSession;
  /** Fix outlooks of the document's YAML documents, kept across versions. */
  readonly outlookMemo: OutlookMemo;
  /**
   * Findings of the baseline named by the nearest `.podsec.yaml` (shown as
   * hints), with its file, or null for none; set when diagnostics are
   * published (undefined until this result has been matched).
   */
  baseline: { file: string; existing: ReadonlySet<Finding> } | null | undefined = undefined;
  /** For a file of a Helm chart: the chart and the value sets and releases it was rendered with. */
  chart: ChartPolicyInfo | null = null;
  /** For a file of a Helm chart: the rendered workload whose policy the document shows. */
  chartWorkload: WorkloadSummary | null = null;

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
    readonly analysis: Analysis,
    lines?: LineIndex,
    engine?: { session: AnalysisSession; outlookMemo: OutlookMemo },
  ) {
    this.lines = lines ?? new LineIndex(text);
    this.session = engine?.session ?? new AnalysisSession(text);
    this.outlookMemo = engine?.outlookMemo ?? new OutlookMemo();
  }

  /**
   * A view of this version (the level advice at one policy version, say),
   * computed by `compute` the first time `key` is asked for and kept as long as
   * this result is the document's current one.
   */
  derived<T>(key: string, compute: () => T): T {
    if (this.views.has(key)) return this.views.get(key) as T;
    const value = compute();
    this.views.set(key, value);
    return value;
  }

  /** Number of findings with a safe fix. */
  get safeFixable(): number {
    return (this.safeFixableCount ??= this.analysis.findings.filter(hasSafeFix).length);
  }

  private get order(): number[] {
    return this.index().order;
  }

  private get maxEnd(): number[] {
    return this.index().maxEnd;
  }

  private index(): { order: number[]; maxEnd: number[] } {
    if (!this.byStart) {
      const f = this.analysis.findings;
      const order = f.map((_, i) => i).sort((a, b) => f[a]!.span.start - f[b]!.span.start || a - b);
      let max = -1;
      this.byStart = { order, maxEnd: order.map((i) => (max = Math.max(max, f[i]!.span.end))) };
    }
    return this.byStart;
  }

  /** Workloads sorted by span start. */
  private get workloads(): WorkloadSummary[] {
    return (this.sortedWorkloads ??= [...this.analysis.workloads].sort(
      (a, b) => a.span.start - b.span.start,
    ));
  }

  /** Indices of findings whose span touches [start, end] (both inclusive), in text order. */
  findingsAt(start: number, end: number): number[] {
    // Last position whose span starts at or before `end`.
    const f = this.analysis.findings;
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (f[this.order[mid]!]!.span.start <= end) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let k = lo - 1; k >= 0 && this.maxEnd[k]! >= start; k--) {
      const i = this.order[k]!;
      if (f[i]!.span.end >= start) out.push(i);
    }
    return out.reverse();
  }

  /** The workload whose object contains `offset`, if any. */
  workloadAt(offset: number): WorkloadSummary | undefined {
    let lo = 0;
    let hi = this.workloads.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.workloads[mid]!.span.start <= offset) lo = mid + 1;
      else hi = mid;
    }
    // Objects do not nest (List items are siblings), so the nearest one before decides.
    const w = lo > 0 ? this.workloads[lo - 1] : undefined;
    return w && w.span.end >= offset ? w : undefined;
  }

  get workloadCount(): number {
    return this.workloads.length;
  }

  range(span: Span): Range {
    return { start: this.lines.position(span.start), end: this.lines.position(span.end) };
  }

  offset(p: { line: number; character: number }): number {
    return this.lines.offsetAt(p.line, p.character);
  }
}

/** A safe fix of the file alone (what fix-all in the file makes). */
export function hasSafeFix(f: Finding): boolean {
  return f.fixes.some((x) => x.safe && x.edits.length > 0 && !editsOtherFiles(x));
}

/** Whether a finding belongs to the workload `w` (same document, same List item). */
export function inWorkload(w: WorkloadSummary): (f: Finding) => boolean {
  return (f) => f.object.document === w.object.document && f.object.item === w.object.item;
}

/** The key of a workload within its file (document and List item), as findings and advice name it. */
export function workloadKey(o: { object: { document: number; item: number | null } }): string {
  return `${o.object.document}:${o.object.item}`;
}
