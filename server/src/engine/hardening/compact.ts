/**
 * The hardening checks over many files in bounded memory. The checks cross
 * files (a NetworkPolicy in one isolates a workload in another), so every
 * file's objects must be known before any finding is final; the parsed YAML
 * of every file need not be. So:
 *
 * 1. `CompactHardening.add` parses one file and keeps only its objects as
 *    plain JSON values, with a locator that records the field path asked for
 *    and hands back a span to be filled in later. The parsed documents and
 *    the text are dropped at once.
 * 2. `run` runs the checks over all the objects together.
 * 3. `merge` takes one file's text again, parses it, fills in the spans of
 *    that file's objects, and merges its share into its Analysis exactly as
 *    `mergeHardening` does over a run that kept everything.
 *
 * Parsing a file twice costs time, so the first files, up to `budget`
 * characters of text in all, are kept whole as `runHardening` keeps them;
 * only the files past it are kept compact. Either way the findings, notes and
 * their order are the same as `runHardening` over full sources gives: a locator answers null only when the object has no
 * node at all, so "the path, else the object" is what every caller's
 * fallback resolves to.
 */
import type { Analysis, Policy, Span } from '../types';
import type { HardeningOptions } from './index';
import type { HardeningRun, HardeningSource, SourceOptions } from './findings';
import { hardeningSource, mergeHardening, runHardening } from './findings';
import type { Locator, Path } from './model';
import type { HardeningNote } from './results';

interface Pending {
  span: Span;
  document: number;
  item: number | null;
  path: Path;
}

/** Characters of text whose parsed YAML is kept whole before files are kept compact. */
export const DEFAULT_WHOLE_BUDGET = 16_000_000;

const key = (document: number, item: number | null): string => `${document}:${item ?? ''}`;

export class CompactHardening {
  private readonly sources: HardeningSource[] = [];
  private readonly pending = new Map<string, Pending[]>();
  /** How many of a file's notes are the adapter's (they come first, placed already). */
  private readonly adapterNotes = new Map<string, number>();
  /** Files kept whole (within the budget), until merged. */
  private readonly whole = new Map<string, HardeningSource>();
  private kept = 0;
  private result: HardeningRun | null = null;

  constructor(
    private readonly options: HardeningOptions,
    private readonly sourceOptions: SourceOptions = {},
    private readonly budget = DEFAULT_WHOLE_BUDGET,
  ) {}

  /** Pass 1: one file's objects, kept whole within the budget, else as values with deferred locators. */
  add(file: string, text: string): void {
    const full = hardeningSource(file, text, this.sourceOptions);
    if (this.kept + text.length <= this.budget) {
      this.kept += text.length;
      this.whole.set(file, full);
      this.sources.push(full);
      return;
    }
    const pending: Pending[] = [];
    const objects = full.objects.map(({ value, document, item, namespace }) => {
      // Only plain values are captured: the parsed document goes when this file is done.
      const locate: Locator = (path) => {
        const span: Span = { start: 0, end: 0 };
        pending.push({ span, document, item, path: [...path] });
        return span;
      };
      return { value, file, document, item, namespace, locate };
    });
    this.pending.set(file, pending);
    this.adapterNotes.set(file, full.notes.length);
    this.sources.push({ file, text: '', objects, docs: null, notes: full.notes });
  }

  /** Pass 2 starts: the checks over every file's objects together. */
  run(): HardeningRun {
    if (this.result === null) {
      // The run keeps no source: each is handed to `merge` on its own (and dropped after).
      this.result = { ...runHardening(this.sources, this.options), sources: new Map() };
      this.sources.length = 0;
    }
    return this.result;
  }

  /**
   * Pass 2, one file: `text` is the text given to `add`. Its spans are
   * filled in, and its share merged into `analysis`.
   */
  merge(analysis: Analysis, file: string, text: string, policy: Policy): Analysis {
    const run = this.run();
    const kept = this.whole.get(file);
    if (kept) {
      this.whole.delete(file);
      return mergeHardening(analysis, file, { ...run, sources: new Map([[file, kept]]) }, policy);
    }
    const pending = this.pending.get(file);
    if (!pending) return analysis;
    const full = hardeningSource(file, text, this.sourceOptions);
    const locators = new Map<string, Locator>();
    for (const o of full.objects) locators.set(key(o.document, o.item), o.locate);
    for (const p of pending) {
      const real = locators.get(key(p.document, p.item));
      const span = (real && (real(p.path) ?? real([]))) ?? { start: 0, end: 0 };
      p.span.start = span.start;
      p.span.end = span.end;
    }
    this.pending.delete(file);
    // The checks sorted each file's findings by offset when the offsets were still unknown:
    // sorted again (stably, so ties keep their order), they are in the order a full run gives.
    const byStart = (a: { span: Span }, b: { span: Span }): number => a.span.start - b.span.start;
    const findings = [...(run.findings.get(file) ?? [])].sort(byStart);
    const notes = run.notes.get(file) ?? [];
    // The adapter's notes (placed already) come first, then the checks' (sorted by offset).
    const adapter = this.adapterNotes.get(file) ?? 0;
    const placed: HardeningNote[] = notes.slice(0, adapter);
    const checks: HardeningNote[] = notes.slice(adapter);
    const view: HardeningRun = {
      ...run,
      sources: new Map([[file, full]]),
      findings: new Map([[file, findings]]),
      notes: new Map([[file, [...placed, ...checks.sort(byStart)]]]),
    };
    return mergeHardening(analysis, file, view, policy);
  }
}
