/**
 * The report's overlay section: each root kustomization with the workloads
 * its build deploys, each placed on the file and line it comes from, with
 * the level that applies in the overlay (the setting's, the admission
 * configuration's, or its Namespace's label, as the build was analysed) and
 * whether the overlay's build of it is admitted.
 */
import { LineIndex } from '../lines';
import type { Level, PolicySource } from '../types';
import type { OverlayEvaluation } from './evaluate';

export interface ReportOverlayWorkload {
  kind: string;
  name: string | null;
  namespace: string | null;
  /** Where its object is written (the base resource, or a generator entry): display path, 1-based line and column. */
  path: string;
  line: number;
  column: number;
  /** The enforce level and version in this overlay, and where they come from in words. */
  level: Level;
  version: string;
  from: string;
  /** Findings enforce rejects (0: admitted), and warn shows. */
  rejected: number;
  warned: number;
}

export interface ReportOverlay {
  /** The overlay's name (`overlays/prod`). */
  name: string;
  /** Why it did not build, when it did not. */
  error: string | null;
  workloads: ReportOverlayWorkload[];
}

/** Where a policy comes from, in words: "the enforce label of Namespace dev". */
export function policyFrom(src: PolicySource): string {
  if (src.kind === 'namespace')
    return `the ${src.label ?? 'enforce'} label of Namespace ${src.namespace ?? ''}`;
  if (src.kind === 'admission') return 'the admission configuration';
  return 'the setting';
}

/**
 * The overlays of evaluations, in name order. `text` gives a file's text as
 * the build read it (for lines), `display` how a file is shown.
 */
export function overlayReport(
  evaluations: readonly OverlayEvaluation[],
  text: (file: string) => string | null,
  display: (file: string) => string,
): ReportOverlay[] {
  const lines = new Map<string, LineIndex | null>();
  const linesOf = (file: string): LineIndex | null => {
    if (!lines.has(file)) {
      const t = text(file);
      lines.set(file, t === null ? null : new LineIndex(t));
    }
    return lines.get(file) ?? null;
  };
  const out: ReportOverlay[] = [];
  for (const ev of evaluations) {
    for (const b of ev.builds) {
      const workloads: ReportOverlayWorkload[] = ev.workloads
        .filter((w) => w.overlay === b.name)
        .map((w) => {
          const s = w.summary;
          const at = linesOf(w.file)?.humanPosition(s.span.start) ?? { line: 1, column: 1 };
          return {
            kind: s.object.kind,
            name: s.object.name,
            namespace: s.object.namespace,
            path: display(w.file),
            line: at.line,
            column: at.column,
            level: s.policy.level,
            version: s.policy.version,
            from: policyFrom(s.policySource),
            rejected: w.rejected,
            warned: w.warned,
          };
        });
      out.push({ name: b.name, error: b.build.error?.message ?? null, workloads });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
