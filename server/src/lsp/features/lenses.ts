/**
 * The level advisor's code lenses: per workload, on its `kind:` line, where it
 * stands (`meets baseline · 3 changes to restricted`) and, when safe fixes
 * apply, `Fix to restricted`; and the edit that lens's command makes. The
 * advice is read from the document's current analysis session (nothing is
 * parsed again), once per policy version; fix outlooks of unchanged YAML
 * documents are kept across edits.
 */
import type { CodeLens, WorkspaceEdit } from 'vscode-languageserver';
import { adviseText, fixWorkloadToLevel, plural } from '../../engine';
import type { WorkloadAdvice } from '../../engine';
import { SERVER_COMMANDS, serverCommand } from '../protocol';
import type { FixToLevelArgs, PodsecSettings } from '../protocol';
import type { AnalysisResult } from './analysisResult';
import { workloadKey } from './analysisResult';
import type { EditCapabilities } from './edits';
import { rewriteEdit } from './edits';

/** The title of a workload's first lens. */
function levelLensTitle(a: WorkloadAdvice): string {
  if (!a.next) return `meets ${a.level}`;
  return `meets ${a.level} · ${plural(a.blockers.length, 'change')} to ${a.next}`;
}

/** The title of the "Fix to" lens, or null when no safe fix applies. */
function fixLensTitle(a: WorkloadAdvice): string | null {
  if (!a.next || !a.fix || a.fix.fixable === 0) return null;
  return `Fix to ${a.next}${a.fix.left > 0 ? ` (${a.fix.left} left)` : ''}`;
}

/** The advice for every workload of the analysed text at one policy version, by workload key. */
function adviceAt(r: AnalysisResult, version: string, s: PodsecSettings) {
  return r.derived(`advice ${version}`, () => {
    const advice = adviseText(
      r.text,
      {
        version,
        maxFileBytes: s.maxFileSize,
        maxAliasCount: s.maxAliasCount,
        outlookMemo: r.outlookMemo,
      },
      r.session,
    );
    return new Map(advice.map((a) => [workloadKey(a), a]));
  });
}

/**
 * The advice for every workload of an analysed document, each at the version
 * of the policy that applies to it (the setting, or its Namespace's label).
 */
function adviceFor(r: AnalysisResult, s: PodsecSettings): WorkloadAdvice[] {
  return r.derived('advice', () =>
    r.analysis.workloads.flatMap((w) => adviceAt(r, w.policy.version, s).get(workloadKey(w)) ?? []),
  );
}

/** Code lenses of one analysed document. */
export function codeLenses(r: AnalysisResult, s: PodsecSettings): CodeLens[] {
  const lenses: CodeLens[] = [];
  const versionOf = new Map(r.analysis.workloads.map((w) => [workloadKey(w), w.policy.version]));
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
        policyVersion: versionOf.get(workloadKey(a)) ?? s.version,
      };
      lenses.push({ range, command: serverCommand(fix, SERVER_COMMANDS.fixToLevel, args) });
    }
  }
  return lenses;
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
  return rewriteEdit(r, fixed.text, caps);
}
