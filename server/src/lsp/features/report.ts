/**
 * The `podsec/report` request's answer: the level advisor's report of the
 * workspace (YAML files on disk, and the open documents' current text, which
 * wins over the same file on disk; Kustomize overlays each with the workloads
 * they deploy, the files they read not on their own), as Markdown with links to the files:
 * `file:` URIs with `#L<line>`, parentheses percent-encoded so that every
 * link target is one Markdown destination (the extension's report tab
 * numbers them and opens the file at the line).
 */
import { buildReport, isLevel, isVersion, reportMarkdown } from '../../engine';
import type { HardeningReport, ReportInput, ReportInputSettings } from '../../engine';
import { yamlFiles } from '../scan';
import { admissionOf } from '../projectSettings';
import { settingsOrigin } from './policy';
import { join, sep } from 'node:path';
import { DiskSourceFs } from '../../cli/renderKustomize';
import { overlayReport } from '../../engine/overlays/index';
import type { OverlayEvaluation } from '../../engine/overlays/index';
import type { PodsecSettings, ReportParams, ReportResult } from '../protocol';
import { toUri } from '../uris';

/** A URI as a Markdown link destination: no parentheses or spaces left to end it. */
export function linkTarget(uri: string): string {
  return uri.replace(
    /[()\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export interface ReportSources {
  /** Workspace folders on disk. */
  folders: readonly string[];
  /** Open YAML documents podsec checks: file key (path or URI) and current text. */
  open: ReadonlyArray<{ file: string; text: string }>;
  /** Whether a file on disk is excluded (podsec.exclude, its .podsec.yaml's exclude) at its settings. */
  excluded: (file: string, settings: PodsecSettings) => boolean;
  /**
   * Each file's own settings (its .podsec.yaml over its folder's): its
   * workloads are given at its version, with its admission configuration.
   * Without it, every file has `settings`.
   */
  settingsOf?: (file: string) => Promise<PodsecSettings>;
  /** How to show a file (workspace-relative when possible). */
  display: (file: string) => string;
  settings: PodsecSettings;
  cancelled?: () => boolean;
  /**
   * Helm charts: the chart a file belongs to (its files are not read as
   * plain YAML), and a chart's renders as report inputs, places shown with
   * `display`.
   */
  charts?: {
    chartOf(file: string): string | null;
    inputs(chart: string, display: (file: string) => string): ReportInput[];
  };
  /** The workspace's Kustomize overlays, as the documents' analyses evaluated them. */
  overlays?: readonly OverlayEvaluation[];
  /** The hardening section (the language server's workspace run), when the checks are on. */
  hardening?: () => HardeningReport | null;
}

/** The workspace report as Markdown: open documents win over the same files on disk. */
export async function workspaceReport(
  params: ReportParams,
  src: ReportSources,
): Promise<ReportResult> {
  const s = src.settings;
  const own = new Map<string, PodsecSettings>();
  const settingsOf = async (file: string): Promise<PodsecSettings> => {
    let f = own.get(file);
    if (!f) {
      f = src.settingsOf ? await src.settingsOf(file) : s;
      own.set(file, f);
    }
    return f;
  };
  const texts = new Map<string, string>();
  for (const f of src.folders) {
    for await (const { file, text } of yamlFiles(
      f,
      { maxFileSize: s.maxFileSize, maxFiles: 50_000 },
      src.cancelled ?? (() => false),
    )) {
      if (!src.excluded(file, await settingsOf(file))) texts.set(file, text);
    }
  }
  for (const d of src.open) texts.set(d.file, d.text);
  // The files of a chart are reported as the chart renders, each place at its origin.
  const charts = new Set<string>();
  if (src.charts) {
    for (const file of [...texts.keys()]) {
      const chart = src.charts.chartOf(file);
      if (chart === null) continue;
      charts.add(chart);
      texts.delete(file);
    }
  }
  // What the overlays read (bases, patches) is reported per overlay, as deployed, not on its own.
  const overlays = src.overlays ?? [];
  const covered = new Set(overlays.flatMap((ev) => [...ev.covered]));
  const read = new Map(texts);
  for (const f of [...texts.keys()]) if (covered.has(f.split(sep).join('/'))) texts.delete(f);
  const files = [...texts.keys()].sort();
  const version = params.version && isVersion(params.version) ? params.version : s.version;
  /** A file's own settings, for the report: its version unless the request names one. */
  const inputSettings = (f: PodsecSettings): ReportInputSettings => {
    const admission = admissionOf(f);
    return {
      ...(params.version && isVersion(params.version) ? {} : { version: f.version }),
      namespaceLabels: f.namespaceLabels,
      ...(admission ? { admission } : {}),
    };
  };
  const inputs: ReportInput[] = [];
  for (const file of files) {
    inputs.push({
      path: src.display(file),
      text: texts.get(file)!,
      ...(src.settingsOf ? { settings: inputSettings(await settingsOf(file)) } : {}),
    });
  }
  const uriOf = new Map(files.map((f) => [src.display(f), linkTarget(toUri(f))]));
  const shown = (file: string): string => {
    const d = src.display(file);
    uriOf.set(d, linkTarget(toUri(file)));
    return d;
  };
  for (const chart of [...charts].sort()) {
    const chartSettings = src.settingsOf
      ? { settings: inputSettings(await settingsOf(join(chart, 'Chart.yaml'))) }
      : {};
    for (const i of src.charts?.inputs(chart, shown) ?? []) inputs.push({ ...i, ...chartSettings });
  }
  const from = params.from && isVersion(params.from) ? params.from : undefined;
  const to = params.to && isVersion(params.to) ? params.to : undefined;
  // The cluster's admission configuration that applies (named by .podsec.yaml or found in the workspace).
  const admission = admissionOf(s);
  const report = buildReport(inputs, {
    version,
    from: from && to ? from : undefined,
    to: from && to ? to : undefined,
    level: isLevel(params.level) ? params.level : 'restricted',
    namespaceLabels: s.namespaceLabels,
    maxFileBytes: s.maxFileSize,
    maxAliasCount: s.maxAliasCount,
    ...(admission ? { admission } : {}),
  });
  const hardening = src.hardening?.();
  if (hardening) report.hardening = hardening;
  if (overlays.length > 0) {
    const disk = new DiskSourceFs('/');
    const osPath = (f: string): string => f.split('/').join(sep);
    report.overlays = overlayReport(
      overlays,
      (f) => read.get(osPath(f)) ?? disk.readText(f),
      (f) => {
        const shown = src.display(osPath(f));
        uriOf.set(shown, linkTarget(toUri(osPath(f))));
        return shown;
      },
    );
  }
  const markdown = reportMarkdown(
    report,
    (l) => {
      const uri = uriOf.get(l.path);
      return uri ? `${uri}#L${l.line}` : '';
    },
    {
      level: s.level,
      version: s.version,
      from: settingsOrigin(s, src.display, 'the `podsec.level` setting'),
    },
  );
  return {
    markdown,
    files: inputs.length,
    workloads: report.summary.workloads,
    namespaces: report.namespaces.length,
  };
}
