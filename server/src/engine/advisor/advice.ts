/**
 * Level advice: where each workload stands and what it takes to move up.
 *
 * - The level a workload meets at a version is what admission would decide:
 *   with no baseline finding it meets baseline, and with no restricted-level
 *   finding either it meets restricted; otherwise privileged. Baseline is
 *   judged by a baseline evaluation (at restricted, hostPathVolumes is
 *   replaced by restrictedVolumes, which would hide a hostPath from it).
 * - `podsec-ignore` comments do not raise a level: admission reads no
 *   comments. A suppressed finding still stands between the workload and the
 *   next level (marked `suppressed`), and fixing to a level leaves it alone.
 * - "Fix to <level>" applies the safe fixes of one workload's findings at that
 *   level (fixAll with the workload filter); what would still stand after it
 *   is counted by applying them to a copy and evaluating again.
 * - All evaluations of one text come from one analysis session: the text is
 *   parsed once, whatever the levels and versions asked.
 */
import { fixAll } from '../fixall';
import { splitDocuments } from '../parse';
import { evaluatedMinor } from '../policy';
import type { AnalysisSession } from '../session';
import type { Analysis, AnalyzeOptions, CheckId, Finding, Level, ObjectRef, Span } from '../types';
import type { AdvisorLimits } from './shared';
import {
  byWorkload,
  distinct,
  evaluationsAt,
  findingKey,
  isCheck,
  nextLevel,
  sessionOf,
  workloadKey,
} from './shared';

/** One finding standing between a workload and the next level. */
export interface Blocker {
  check: CheckId;
  /** Level of the check. */
  level: Level;
  message: string;
  path: string;
  span: Span;
  container: string | null;
  /** A safe fix exists (and is applied by "Fix to"), only unsafe ones, or none. */
  fix: 'safe' | 'unsafe' | 'none';
  /** Silenced by a podsec-ignore comment (admission still counts it). */
  suppressed: boolean;
}

/** What applying a workload's safe fixes for the next level would do. */
export interface FixOutlook {
  /** Blockers with a safe fix (0: "Fix to" has nothing to do). */
  fixable: number;
  /** Blockers still standing after the safe fixes are applied. */
  left: number;
}

export interface WorkloadAdvice {
  object: ObjectRef;
  span: Span;
  headSpan: Span;
  /** The concrete version evaluated, e.g. "v1.37". */
  evaluatedVersion: string;
  /** The highest level the workload meets. */
  level: Level;
  /** The next level up, null at restricted. */
  next: Level | null;
  /** The findings between it and `next` (distinct located problems). */
  blockers: Blocker[];
  /** Outcome of "Fix to <next>"; null at restricted or when not computed. */
  fix: FixOutlook | null;
}

export interface AdviseOptions extends AdvisorLimits {
  /** Policy version (default latest). */
  version?: string;
  /** Also work out what "Fix to <next>" leaves (default true; costs a fix-all per level). */
  fixOutlook?: boolean;
  /** Fix outlooks of unchanged documents kept from earlier calls (the language server's). */
  outlookMemo?: OutlookMemo;
}

const keptKeys = new WeakMap<Analysis, Set<string>>();

/** Keys of the findings the user sees (what suppressions leave). */
function kept(user: Analysis): Set<string> {
  let k = keptKeys.get(user);
  if (!k) keptKeys.set(user, (k = new Set(user.findings.map(findingKey))));
  return k;
}

function toBlockers(findings: readonly Finding[], user: Analysis): Blocker[] {
  const keys = kept(user);
  return distinct(findings).map((f) => ({
    check: f.check as CheckId,
    level: f.level,
    message: f.message,
    path: f.path,
    span: f.span,
    container: f.container,
    fix: f.fixes.some((x) => x.safe && x.edits.length > 0)
      ? 'safe'
      : f.fixes.length > 0
        ? 'unsafe'
        : 'none',
    suppressed: !keys.has(findingKey(f)),
  }));
}

/**
 * The highest level each workload of `text` meets at `options.version`, the
 * findings between it and the next level, and what "Fix to" would leave.
 * Namespace labels play no part here: this is the workload on its own.
 * `session` (of the same text) is reused when given.
 */
export function adviseText(
  text: string,
  options: AdviseOptions = {},
  session?: AnalysisSession,
): WorkloadAdvice[] {
  const s = sessionOf(text, options, session);
  const version = options.version ?? 'latest';
  const base = evaluationsAt(s, 'baseline', version);
  const evaluatedVersion = `v1.${evaluatedMinor(version)}`;
  const baseFindings = byWorkload(base.admission);
  let restricted: { admission: Analysis; user: Analysis } | null = null;
  let restrictedFindings: Map<string, Finding[]> | null = null;
  const out: WorkloadAdvice[] = [];
  for (const w of base.admission.workloads) {
    const key = workloadKey(w.object);
    const bf = baseFindings.get(key) ?? [];
    let level: Level;
    let blockers: Blocker[];
    if (bf.length > 0) {
      level = 'privileged';
      blockers = toBlockers(bf, base.user);
    } else {
      restricted ??= evaluationsAt(s, 'restricted', version);
      restrictedFindings ??= byWorkload(restricted.admission);
      const rf = restrictedFindings.get(key) ?? [];
      level = rf.length > 0 ? 'baseline' : 'restricted';
      blockers = toBlockers(rf, restricted.user);
    }
    out.push({
      object: w.object,
      span: w.span,
      headSpan: w.headSpan,
      evaluatedVersion,
      level,
      next: nextLevel(level),
      blockers,
      fix: null,
    });
  }
  if (options.fixOutlook !== false) {
    options.outlookMemo?.begin();
    addFixOutlook(text, options, out, options.outlookMemo);
  }
  return out;
}

function analyzeOptions(o: AdviseOptions, level: Level): AnalyzeOptions {
  return {
    level,
    version: o.version ?? 'latest',
    namespaceLabels: false,
    file: o.file,
    maxFileBytes: o.maxFileBytes,
    maxAliasCount: o.maxAliasCount,
    maxDepth: o.maxDepth,
  };
}

/** Findings of one workload left standing at `level` in a fixed text (as admission sees it). */
function leftAfter(
  fixedText: string,
  options: AdviseOptions,
  level: Level,
): Map<string, Finding[]> {
  const after = sessionOf(fixedText, options).analyze({
    level,
    version: options.version ?? 'latest',
    namespaceLabels: false,
    suppressions: false,
  });
  return byWorkload(after);
}

/**
 * Fix outlooks kept by YAML document, so that after an edit only the documents
 * it touched are fixed and evaluated again (the language server keeps one per
 * open document). What a call does not use is dropped by the next.
 */
export class OutlookMemo {
  private current = new Map<string, Map<number, number>>();
  private previous = new Map<string, Map<number, number>>();
  /** Documents fixed and evaluated by the last call (for tests and benchmarks). */
  lastComputed = 0;

  /** Start of one advice call. */
  begin(): void {
    this.previous = this.current;
    this.current = new Map();
    this.lastComputed = 0;
  }

  get(key: string): Map<number, number> | undefined {
    const v = this.current.get(key) ?? this.previous.get(key);
    if (v) this.current.set(key, v);
    return v;
  }

  set(key: string, v: Map<number, number>): void {
    this.current.set(key, v);
    this.lastComputed++;
  }
}

/** Index of the chunk holding `offset` (chunks sorted, contiguous). */
function chunkAt(chunks: ReadonlyArray<{ start: number; end: number }>, offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * What the safe fixes of the workloads starting at `starts` (offsets in the
 * document's own text) leave at `target`, by start. A YAML document is fixed
 * and evaluated on its own: the advisor reads no Namespace labels, so nothing
 * outside it plays a part.
 */
function documentOutlook(
  chunk: string,
  starts: readonly number[],
  options: AdviseOptions,
  target: Level,
): Map<number, number> {
  const s = sessionOf(chunk, options);
  const before = s.analyze({
    level: target,
    version: options.version ?? 'latest',
    namespaceLabels: false,
  });
  const keyAt = new Map(before.workloads.map((w) => [w.span.start, workloadKey(w.object)]));
  const keys = new Set(starts.flatMap((st) => keyAt.get(st) ?? []));
  const fixed = fixAll(chunk, analyzeOptions(options, target), {
    filter: (f) => isCheck(f) && keys.has(workloadKey(f.object)),
  });
  const left = leftAfter(fixed.text, options, target);
  return new Map(
    starts.map((st) => {
      const key = keyAt.get(st);
      return [st, key === undefined ? 0 : distinct(left.get(key) ?? []).length];
    }),
  );
}

function addFixOutlook(
  text: string,
  options: AdviseOptions,
  advice: WorkloadAdvice[],
  memo: OutlookMemo | undefined,
): void {
  const chunks = splitDocuments(text);
  const limitsKey = `${options.version ?? 'latest'}|${options.maxAliasCount ?? ''}|${options.maxDepth ?? ''}|${options.maxFileBytes ?? ''}`;
  for (const target of ['baseline', 'restricted'] as const) {
    const group = advice.filter((a) => a.next === target);
    const byChunk = new Map<number, WorkloadAdvice[]>();
    for (const a of group) {
      const n = a.blockers.filter((b) => b.fix === 'safe' && !b.suppressed).length;
      a.fix = { fixable: n, left: a.blockers.length };
      if (n === 0) continue;
      const c = chunkAt(chunks, a.span.start);
      let list = byChunk.get(c);
      if (!list) byChunk.set(c, (list = []));
      list.push(a);
    }
    for (const [c, list] of byChunk) {
      const { start, end } = chunks[c]!;
      const chunk = text.slice(start, end);
      const starts = list.map((a) => a.span.start - start);
      const key = `${target}|${limitsKey}|${starts.join(',')}|${chunk}`;
      let lefts = memo?.get(key);
      if (!lefts) {
        lefts = documentOutlook(chunk, starts, options, target);
        memo?.set(key, lefts);
      }
      for (const a of list) {
        a.fix = { fixable: a.fix?.fixable ?? 0, left: lefts.get(a.span.start - start) ?? 0 };
      }
    }
  }
}

/**
 * The text with the safe fixes of one workload (the object at `document` /
 * `item`) applied for `level` at `version`: what "Fix to <level>" does.
 */
export function fixWorkloadToLevel(
  text: string,
  workload: { document: number; item: number | null },
  level: Level,
  options: AdviseOptions = {},
): { text: string; applied: number; left: number } {
  const key = workloadKey(workload);
  const fixed = fixAll(text, analyzeOptions(options, level), {
    filter: (f) => isCheck(f) && workloadKey(f.object) === key,
  });
  const left = distinct(leftAfter(fixed.text, options, level).get(key) ?? []).length;
  return { text: fixed.text, applied: fixed.applied, left };
}
