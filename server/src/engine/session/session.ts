/**
 * One analysis session: a text parsed once, evaluated at any policy.
 *
 * Every view that needs more than one evaluation of the same text (the level
 * advisor at baseline and restricted, with and without suppressions, at two
 * versions; the report; code lenses and "Fix to") asks a session instead of
 * parsing again. Each YAML document is parsed once (through the incremental
 * cache, which keeps parsed documents and results per policy here); each
 * policy is evaluated once and the result kept for the session's lifetime.
 * Suppressions are an option of the evaluation: nothing rewrites the text.
 */
import { AnalysisCache } from '../cache';
import type { AdmissionConfig } from '../config/admission';
import type { Analysis, AnalyzeOptions, Level, NamespaceLabels } from '../types';

/** What stays the same for every evaluation of the text. */
export interface SessionOptions {
  file?: string;
  maxFileBytes?: number;
  maxAliasCount?: number;
  maxDepth?: number;
}

/** One policy to evaluate the text at. */
export interface PolicyQuery {
  level?: Level;
  version?: string;
  /** Honour Namespace labels (default true). */
  namespaceLabels?: boolean;
  /** Namespaces known from other files. */
  namespaces?: ReadonlyMap<string, NamespaceLabels>;
  /** Honour podsec-ignore comments (default true). */
  suppressions?: boolean;
  /** The cluster's admission configuration: its defaults and exemptions replace `level`/`version`. */
  admission?: AdmissionConfig;
  /** The user who creates the objects (exempt usernames), with `admission`. */
  asUser?: string;
}

let nextMapId = 1;
const mapIds = new WeakMap<object, number>();
const idOf = (m: object | undefined): number => {
  if (!m) return 0;
  let id = mapIds.get(m);
  if (id === undefined) mapIds.set(m, (id = nextMapId++));
  return id;
};

export class AnalysisSession {
  private readonly cache: AnalysisCache;
  private readonly results = new Map<string, Analysis>();
  /** Evaluations run (for tests and benchmarks): one per distinct policy. */
  evaluations = 0;

  /**
   * `cache` (made with `keepParsed`) is the document's incremental cache when the
   * caller has one (the language server's): then documents parsed for the
   * diagnostics are not parsed again, and unchanged documents are not evaluated again.
   */
  constructor(
    readonly text: string,
    readonly options: SessionOptions = {},
    cache?: AnalysisCache,
  ) {
    this.cache = cache ?? new AnalysisCache({ keepParsed: true });
  }

  /** Whether the text has suppression comments at all (else both evaluations are one). */
  get hasSuppressions(): boolean {
    return this.text.includes('podsec-ignore');
  }

  /** The analysis at `q`, evaluated once per distinct policy. */
  analyze(q: PolicyQuery = {}): Analysis {
    const suppressions = (q.suppressions ?? true) && this.hasSuppressions;
    const key = [
      q.level ?? 'restricted',
      q.version ?? 'latest',
      q.namespaceLabels ?? true,
      suppressions,
      idOf(q.namespaces),
      idOf(q.admission),
      q.asUser ?? '',
    ].join('|');
    let r = this.results.get(key);
    if (!r) {
      const options: AnalyzeOptions = { ...this.options, ...q, suppressions };
      r = this.cache.analyze(this.text, options);
      this.evaluations++;
      this.results.set(key, r);
    }
    return r;
  }

  /** Number of YAML document chunks parsed so far (for tests and benchmarks). */
  get parsedChunks(): number {
    return this.cache.totalParsed;
  }

  /** The Namespaces the text declares, with their labels and where they sit. */
  namespaces(): NamespaceLabels[] {
    if (!this.text.includes('Namespace')) return [];
    if (this.results.size === 0) this.analyze({ level: 'privileged', namespaceLabels: false });
    return this.cache.declaredNamespaces();
  }
}
