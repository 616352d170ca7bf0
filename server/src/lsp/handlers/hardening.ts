/**
 * The workspace's objects for the hardening checks. Owns: per file, its text
 * on disk (from the workspace scan and file-watcher events) and its text in
 * the editor while open (which wins), each read once into a HardeningSource
 * when a run needs it; an epoch that counts changes of what the checks see;
 * and the last run per set of options. A change that can move another file's
 * findings (a NetworkPolicy, a LimitRange, a quota, a ServiceAccount, an
 * audit Policy, a workload's labels) tells the listeners, so open documents
 * are analysed again.
 *
 * Files that are not open keep only the objects other files' findings depend
 * on (workloads and the kinds above), not Secrets or ConfigMaps.
 *
 * Helm charts and Kustomize overlays take part as deployed: what a chart
 * renders to and what a folder's overlays build are given under a key
 * (`generated`); their objects join the others, the files they were made
 * from are not read as objects of their own, and what the checks find in
 * them is placed in the file that set it.
 */
import type { Connection } from 'vscode-languageserver/node';
import {
  hardeningEnabled,
  hardeningOptionsOf,
  hardeningReport,
  hardeningSource,
  mergeHardening,
  runHardening,
  isSharedHardeningObject,
  sharedFingerprint,
} from '../../engine';
import type {
  Analysis,
  HardeningOptions,
  HardeningReport,
  HardeningRun,
  HardeningSource,
  ParseShare,
} from '../../engine';
import {
  chartHardeningInputs,
  chartRootOf,
  evaluateChartValueSets,
  generatedDisplayName,
  generatedHardeningSource,
  isChartDir,
  isChartFile,
  isGeneratedFileName,
  placeGeneratedHardening,
} from '../../engine/project/index';
import { ChunkParses } from '../../engine/chunkParses';
import { ConfigResolver } from '../../engine/config/index';
import { DiskFs } from '../../cli/render';
import { MAX_VALUES_BYTES } from '../../cli/charts';
import { readTextOrNull } from '../../io/index';
import type { GeneratedHardeningInput, PlacedHardening } from '../../engine/project/index';
import { isInside, normalizePath } from '../../engine/sources/sourceFs';
import type { PodsecSettings } from '../protocol';
import { hardeningSettingOf } from '../projectSettings';
import { fileKey } from '../uris';

interface Entry {
  text: string;
  /** Read on demand; kept until the text changes. */
  source?: HardeningSource;
  /** What other files' findings depend on, to tell a change that matters. */
  fingerprint?: string;
}

/** Generated YAML under one key: a chart's renders, or the overlays of a folder. */
export interface GeneratedEntry {
  inputs: readonly GeneratedHardeningInput[];
  /** Files it was made from (an overlay's bases and patches). */
  files?: ReadonlySet<string>;
  /** Folders all of whose files it was made from (a chart). */
  dirs?: readonly string[];
  /** What the inputs were made from (an evaluation): given again, nothing changed. */
  from?: object;
}

function generatedFingerprint(g: GeneratedEntry): string {
  return JSON.stringify([
    g.inputs.map((i) => [i.source.label, i.group ?? null, i.defaultNamespace ?? null]),
    [...(g.files ?? [])],
    g.dirs ?? [],
  ]).concat(...g.inputs.map((i) => `\u0000${i.source.text}`));
}

/** The options the editor's settings give the hardening checks. */
export function hardeningOptionsFor(s: PodsecSettings): HardeningOptions {
  return hardeningOptionsOf(s.severity, hardeningSettingOf(s));
}

/** What other modules use: the hardening findings of an open document. */
export interface HardeningSourceIndex {
  /** Counts changes of what the checks see (analyses are cached per epoch). */
  epoch(): number;
  /**
   * Record an open document's current text (before its analysis); its parse
   * is left in `share` for the analysis of the same text.
   */
  documentText(uri: string, text: string, share?: ParseShare): void;
  /** `analysis` of the open document with its hardening findings added. */
  merge(uri: string, analysis: Analysis, s: PodsecSettings): Analysis;
  /** The last run under `s` (for views: isolation per namespace, the report). */
  runFor(s: PodsecSettings): HardeningRun;
  /** Generated YAML under `key` (a chart, a folder's overlays); null drops it. */
  generated(key: string, entry: GeneratedEntry | null): void;
  /** The report's hardening section under `s`, or null when every check is off. */
  reportFor(s: PodsecSettings): HardeningReport | null;
}

export class HardeningIndex implements HardeningSourceIndex {
  private readonly disk = new Map<string, Entry>();
  private readonly open = new Map<string, Entry>();
  /** Each open document's parsed chunks, kept across its versions (an edit parses what it changed). */
  private readonly openParses = new Map<string, ChunkParses>();
  private changes = 0;
  private last:
    | {
        key: string;
        epoch: number;
        run: HardeningRun;
        inputs: GeneratedHardeningInput[];
        placed?: { policy: string; files: Map<string, PlacedHardening> };
      }
    | undefined;
  private readonly generatedBy = new Map<string, GeneratedEntry & { fingerprint: string }>();
  /** Charts no open document belongs to, rendered from disk for the run (by chart folder). */
  private readonly closedCharts = new Map<string, readonly GeneratedHardeningInput[]>();
  /** Whether a folder holds a Chart.yaml, as last looked. */
  private readonly chartDirs = new Map<string, boolean>();
  private readonly listeners: Array<() => void> = [];
  private pending = false;

  constructor(private readonly connection: Pick<Connection, 'console'>) {}

  /** Calls `listener` when a change can move the findings of other files. */
  onDidChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  epoch(): number {
    return this.changes;
  }

  /** A file's text on disk (null: deleted or no longer read). */
  diskText(file: string, text: string | null): void {
    const p = normalizePath(file.replace(/\\/g, '/'));
    if (p.endsWith('/Chart.yaml')) {
      this.chartDirs.clear();
      this.closedCharts.clear();
    } else {
      const chart = this.chartOf(p);
      if (chart !== null) this.closedCharts.delete(chart);
    }
    const before = this.disk.get(file);
    if (text === null) {
      if (!before) return;
      this.disk.delete(file);
      if (!this.open.has(file) && before.fingerprint !== '') this.changedSoon();
      return;
    }
    if (before?.text === text) return;
    this.disk.set(file, { text });
    // Read when a run needs it; an open document covers the file meanwhile.
    if (!this.open.has(file)) this.changedSoon();
  }

  documentText(uri: string, text: string, share?: ParseShare): void {
    const file = fileKey(uri);
    const before = this.open.get(file);
    if (before?.text === text) return;
    const entry: Entry = { text };
    this.open.set(file, entry);
    const was = before ?? this.disk.get(file);
    const old = was ? this.fingerprintOf(file, was, true) : '';
    // Read now, its parse shared with the analysis that follows.
    this.sourceOf(file, entry, true, undefined, share);
    if (this.fingerprintOf(file, entry, true) !== old) this.changed();
    else this.changes++;
  }

  /** The document closed: the file on disk counts again. */
  documentClosed(uri: string): void {
    const file = fileKey(uri);
    const before = this.open.get(file);
    if (!before) return;
    this.open.delete(file);
    this.openParses.delete(file);
    // The chart's last open file closed: the chart counts as it renders from disk again.
    const p = normalizePath(file.replace(/\\/g, '/'));
    for (const [key, g] of this.generatedBy) {
      if (!key.startsWith('chart:') || !g.dirs?.some((d) => isInside(d, p))) continue;
      const stillOpen = [...this.open.keys()].some((f) =>
        g.dirs?.some((d) => isInside(d, normalizePath(f.replace(/\\/g, '/')))),
      );
      if (stillOpen) continue;
      this.generatedBy.delete(key);
      this.changedSoon();
    }
    const disk = this.disk.get(file);
    const now = disk ? this.fingerprintOf(file, disk, false) : '';
    // Later: the closing document leaves the editor's list first.
    if (this.fingerprintOf(file, before, true) !== now) this.changedSoon();
  }

  generated(key: string, entry: GeneratedEntry | null): void {
    const before = this.generatedBy.get(key);
    if (entry === null) {
      if (!before) return;
      this.generatedBy.delete(key);
      this.changed();
      return;
    }
    if (before && entry.from !== undefined && before.from === entry.from) return;
    const fingerprint = generatedFingerprint(entry);
    if (before?.fingerprint === fingerprint) {
      this.generatedBy.set(key, { ...entry, fingerprint });
      return;
    }
    this.generatedBy.set(key, { ...entry, fingerprint });
    this.changed();
  }

  /** The chart a file belongs to (its folder), or null. */
  private chartOf(path: string): string | null {
    const disk = new DiskFs('/');
    const root = chartRootOf(disk, path, (d) => {
      let v = this.chartDirs.get(d);
      if (v === undefined) {
        v = isChartDir(disk, d);
        this.chartDirs.set(d, v);
      }
      return v;
    });
    return root !== null && isChartFile(root, path) ? root : null;
  }

  /** The renders of the charts the workspace holds that no open document registered. */
  private closedChartInputs(files: Iterable<string>): GeneratedHardeningInput[] {
    const out: GeneratedHardeningInput[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const chart = this.chartOf(normalizePath(file.replace(/\\/g, '/')));
      if (chart === null || seen.has(chart) || this.generatedBy.has(`chart:${chart}`)) continue;
      seen.add(chart);
      let inputs = this.closedCharts.get(chart);
      if (!inputs) {
        try {
          const config = new ConfigResolver(new DiskFs('/')).forDir(chart);
          const disk = new DiskFs('/');
          const ev = evaluateChartValueSets(
            new DiskFs(chart),
            chart,
            config?.settings.helm ?? [],
            { analyze: {} },
            (f) => disk.readText(f),
            config?.file,
          );
          inputs = chartHardeningInputs(
            ev.evaluations,
            ev.evaluations.some((e) => e.valueSet !== 'default'),
          );
        } catch (e) {
          this.connection.console.error(
            `podsec: hardening checks could not render ${chart}: ${e instanceof Error ? e.message : String(e)}`,
          );
          inputs = [];
        }
        this.closedCharts.set(chart, inputs);
      }
      out.push(...inputs);
    }
    return out;
  }

  /** Whether a file is read through what it generates (a chart's file, a file an overlay reads). */
  private isGenerated(file: string): boolean {
    const p = normalizePath(file.replace(/\\/g, '/'));
    if (this.chartOf(p) !== null) return true;
    if (this.generatedBy.size === 0) return false;
    for (const g of this.generatedBy.values()) {
      if (g.files?.has(p)) return true;
      if (g.dirs?.some((d) => isInside(d, p))) return true;
    }
    return false;
  }

  merge(uri: string, analysis: Analysis, s: PodsecSettings): Analysis {
    const run = this.runFor(s);
    const file = fileKey(uri);
    const open = this.open.get(file);
    let out = analysis;
    // Findings refer to the text they were computed from: only the current one.
    if (open?.source && run.sources.has(file))
      out = mergeHardening(out, file, run, { level: s.level, version: s.version });
    const placed = this.placedFor(s).get(normalizePath(file.replace(/\\/g, '/')));
    if (!placed) return out;
    return {
      ...out,
      findings: [...out.findings, ...placed.findings],
      notes: [...out.notes, ...placed.notes].sort((a, b) => a.span.start - b.span.start),
      ...(placed.suppressed.length > 0
        ? { suppressed: [...(out.suppressed ?? []), ...placed.suppressed] }
        : {}),
    };
  }

  reportFor(s: PodsecSettings): HardeningReport | null {
    if (!hardeningEnabled(hardeningOptionsFor(s))) return null;
    const run = this.runFor(s);
    const placed = [...this.placedFor(s).values()].map((p) => p.findings);
    return hardeningReport(
      run,
      { level: s.level, version: s.version },
      { placed, generated: isGeneratedFileName, displayName: generatedDisplayName },
    );
  }

  /** What the last run found in generated YAML, placed in the files that set it. */
  private placedFor(s: PodsecSettings): Map<string, PlacedHardening> {
    this.runFor(s);
    const last = this.last;
    if (!last || last.inputs.length === 0) return new Map();
    const policy = JSON.stringify([s.level, s.version]);
    if (last.placed?.policy === policy) return last.placed.files;
    const files = placeGeneratedHardening(
      last.run,
      last.inputs,
      { level: s.level, version: s.version },
      (f) => this.textOf(f),
    );
    last.placed = { policy, files };
    return files;
  }

  /** A file's text as the editor has it: open, else as last read from disk, else read now. */
  private textOf(file: string): string | null {
    const known = this.open.get(file) ?? this.disk.get(file);
    if (known) return known.text;
    // A regular file within the bound only: a FIFO or a device there must not block the server.
    return readTextOrNull(file, MAX_VALUES_BYTES);
  }

  runFor(s: PodsecSettings): HardeningRun {
    const options = hardeningOptionsFor(s);
    const key = JSON.stringify([options, s.maxFileSize, s.maxAliasCount]);
    if (this.last?.key === key && this.last.epoch === this.changes) return this.last.run;
    const sources: HardeningSource[] = [];
    for (const [file, entry] of this.open)
      if (!this.isGenerated(file)) sources.push(this.sourceOf(file, entry, true, s));
    for (const [file, entry] of this.disk) {
      if (!this.open.has(file) && !this.isGenerated(file))
        sources.push(this.sourceOf(file, entry, false, s));
    }
    const inputs = [
      ...[...this.generatedBy.values()].flatMap((g) => g.inputs),
      ...this.closedChartInputs([...this.open.keys(), ...this.disk.keys()]),
    ];
    const limits = { maxFileBytes: s.maxFileSize, maxAliasCount: s.maxAliasCount };
    inputs.forEach((g, i) => {
      try {
        sources.push(generatedHardeningSource(g, i, limits));
      } catch (e) {
        this.connection.console.error(
          `podsec: hardening checks could not read ${g.source.label}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    });
    const run = runHardening(sources, options);
    this.last = { key, epoch: this.changes, run, inputs };
    return run;
  }

  private changed(): void {
    this.changes++;
    for (const l of this.listeners) l();
  }

  /** A change from disk: many come together (a scan, a checkout), so listeners hear once. */
  private changedSoon(): void {
    this.changes++;
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      for (const l of this.listeners) l();
    });
  }

  private sourceOf(
    file: string,
    entry: Entry,
    open: boolean,
    s?: Pick<PodsecSettings, 'maxFileSize' | 'maxAliasCount'>,
    share?: ParseShare,
  ): HardeningSource {
    if (entry.source) return entry.source;
    let source: HardeningSource;
    try {
      let chunks: ChunkParses | undefined;
      if (open) {
        chunks = this.openParses.get(file) ?? new ChunkParses();
        this.openParses.set(file, chunks);
      }
      source = hardeningSource(file, entry.text, {
        maxFileBytes: s?.maxFileSize,
        maxAliasCount: s?.maxAliasCount,
        ...(chunks ? { chunks } : {}),
        ...(share ? { share } : {}),
      });
    } catch (e) {
      this.connection.console.error(
        `podsec: hardening checks could not read ${file}: ${e instanceof Error ? e.message : String(e)}`,
      );
      source = { file, text: entry.text, objects: [], docs: null, notes: [] };
    }
    if (!open) {
      // Closed files: only what other files depend on, and no parsed documents for fixes.
      const objects = source.objects.filter(isSharedHardeningObject);
      source = { ...source, objects, notes: [], docs: objects.length > 0 ? source.docs : null };
    }
    entry.source = source;
    return source;
  }

  /** What other files' findings depend on ('' when nothing), to tell changes that matter elsewhere. */
  private fingerprintOf(file: string, entry: Entry, open: boolean): string {
    if (entry.fingerprint !== undefined) return entry.fingerprint;
    const source = this.sourceOf(file, entry, open);
    // Printed from the YAML as written, so an amplified document costs its own size.
    entry.fingerprint = sharedFingerprint(source.objects, source.docs);
    return entry.fingerprint;
  }
}
