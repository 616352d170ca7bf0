/**
 * The level advisor in the language server: code lenses per workload
 * ("meets baseline · 3 changes to restricted", "Fix to restricted"), the
 * `podsec.fixToLevel` command behind the second lens, and the `podsec/report`
 * request. The engine computes; this file turns results into LSP values and
 * collects the workspace's files for the report. server.ts wires it in.
 */
import type { CodeLens, Connection, WorkspaceEdit } from 'vscode-languageserver/node';
import { CodeLensRefreshRequest } from 'vscode-languageserver/node';
import {
  adviseText,
  buildReport,
  fixWorkloadToLevel,
  isLevel,
  isVersion,
  reportMarkdown,
} from '../engine';
import type { ReportInput, WorkloadAdvice } from '../engine';
import { toUri, yamlFiles } from './namespaces';
import type { FixToLevelArgs, PodsecSettings, ReportParams, ReportResult } from './protocol';
import { FIX_TO_LEVEL_COMMAND } from './protocol';
import type { AnalysisResult, EditCapabilities } from './service';
import { replaceEdit, workspaceEdit } from './service';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The title of a workload's first lens. */
export function levelLensTitle(a: WorkloadAdvice): string {
  if (!a.next) return `meets ${a.level}`;
  return `meets ${a.level} · ${plural(a.blockers.length, 'change')} to ${a.next}`;
}

/** The title of the "Fix to" lens, or null when no safe fix applies. */
export function fixLensTitle(a: WorkloadAdvice): string | null {
  if (!a.next || !a.fix || a.fix.fixable === 0) return null;
  return `Fix to ${a.next}${a.fix.left > 0 ? ` (${a.fix.left} left)` : ''}`;
}

const adviceCache = new WeakMap<AnalysisResult, WorkloadAdvice[]>();

/**
 * The advice for every workload of an analysed document, each at the version
 * of the policy that applies to it (the setting, or its Namespace's label).
 */
export function adviceFor(r: AnalysisResult, s: PodsecSettings): WorkloadAdvice[] {
  const hit = adviceCache.get(r);
  if (hit) return hit;
  const versions = new Set(r.analysis.workloads.map((w) => w.policy.version));
  const byVersion = new Map<string, Map<string, WorkloadAdvice>>();
  for (const v of versions) {
    const advice = adviseText(r.text, {
      version: v,
      maxFileBytes: s.maxFileSize,
      maxAliasCount: s.maxAliasCount,
    });
    byVersion.set(v, new Map(advice.map((a) => [`${a.object.document}:${a.object.item}`, a])));
  }
  const out: WorkloadAdvice[] = [];
  for (const w of r.analysis.workloads) {
    const a = byVersion.get(w.policy.version)?.get(`${w.object.document}:${w.object.item}`);
    if (a) out.push(a);
  }
  adviceCache.set(r, out);
  return out;
}

/** Code lenses of one analysed document. */
export function codeLenses(r: AnalysisResult, s: PodsecSettings): CodeLens[] {
  const lenses: CodeLens[] = [];
  const versionOf = new Map(
    r.analysis.workloads.map((w) => [`${w.object.document}:${w.object.item}`, w.policy.version]),
  );
  for (const a of adviceFor(r, s)) {
    const range = r.range(a.headSpan);
    lenses.push({ range, command: { title: levelLensTitle(a), command: '' } });
    const fix = fixLensTitle(a);
    if (fix && a.next) {
      const args: FixToLevelArgs = {
        uri: r.uri,
        version: r.version,
        offset: a.span.start,
        level: a.next,
        policyVersion: versionOf.get(`${a.object.document}:${a.object.item}`) ?? s.version,
      };
      lenses.push({
        range,
        command: { title: fix, command: FIX_TO_LEVEL_COMMAND, arguments: [args] },
      });
    }
  }
  return lenses;
}

export function isFixToLevelArgs(v: unknown): v is FixToLevelArgs {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<FixToLevelArgs>;
  return (
    typeof a.uri === 'string' &&
    typeof a.version === 'number' &&
    typeof a.offset === 'number' &&
    isLevel(a.level) &&
    typeof a.policyVersion === 'string' &&
    isVersion(a.policyVersion)
  );
}

/** The edit "Fix to <level>" makes, or null when the document moved on or nothing changes. */
export function fixToLevelEdit(
  r: AnalysisResult,
  s: PodsecSettings,
  args: FixToLevelArgs,
  caps: EditCapabilities,
): WorkspaceEdit | null {
  if (r.version !== args.version) return null; // stale lens: refuse
  const w = r.workloadAt(args.offset);
  if (!w) return null;
  const fixed = fixWorkloadToLevel(r.text, w.object, args.level, {
    version: args.policyVersion,
    maxFileBytes: s.maxFileSize,
    maxAliasCount: s.maxAliasCount,
  });
  const edit = replaceEdit(r, fixed.text);
  if (!edit) return null;
  return workspaceEdit(r.uri, r.version, [edit], caps);
}

// ---------------------------------------------------------------- podsec/report

export interface ReportSources {
  /** Workspace folders on disk. */
  folders: readonly string[];
  /** Open YAML documents podsec checks: file key (path or URI) and current text. */
  open: ReadonlyArray<{ file: string; text: string }>;
  /** Whether a file on disk is excluded (podsec.exclude). */
  excluded: (file: string) => boolean;
  /** How to show a file (workspace-relative when possible). */
  display: (file: string) => string;
  settings: PodsecSettings;
  cancelled?: () => boolean;
}

/** The workspace report as Markdown: open documents win over the same files on disk. */
export async function workspaceReport(
  params: ReportParams,
  src: ReportSources,
): Promise<ReportResult> {
  const s = src.settings;
  const texts = new Map<string, string>();
  for (const f of src.folders) {
    for await (const { file, text } of yamlFiles(
      f,
      { maxFileSize: s.maxFileSize, maxFiles: 50_000 },
      src.cancelled ?? (() => false),
    )) {
      if (!src.excluded(file)) texts.set(file, text);
    }
  }
  for (const d of src.open) texts.set(d.file, d.text);
  const files = [...texts.keys()].sort();
  const inputs: ReportInput[] = files.map((file) => ({
    path: src.display(file),
    text: texts.get(file)!,
  }));
  const uriOf = new Map(files.map((f) => [src.display(f), toUri(f)]));
  const version = params.version && isVersion(params.version) ? params.version : s.version;
  const from = params.from && isVersion(params.from) ? params.from : undefined;
  const to = params.to && isVersion(params.to) ? params.to : undefined;
  const report = buildReport(inputs, {
    version,
    from: from && to ? from : undefined,
    to: from && to ? to : undefined,
    level: isLevel(params.level) ? params.level : 'restricted',
    namespaceLabels: s.namespaceLabels,
    maxFileBytes: s.maxFileSize,
    maxAliasCount: s.maxAliasCount,
  });
  const markdown = reportMarkdown(report, (l) => {
    const uri = uriOf.get(l.path);
    return uri ? `${uri}#L${l.line}` : '';
  });
  return {
    markdown,
    files: inputs.length,
    workloads: report.summary.workloads,
    namespaces: report.namespaces.length,
  };
}

/** Ask the client to refresh code lenses, if it can. */
export function refreshCodeLenses(connection: Connection, supported: boolean): void {
  if (!supported) return;
  connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
}
