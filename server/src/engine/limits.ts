/** Default limits on what the engine evaluates; each is a setting and a CLI option. */
export const DEFAULT_LIMITS = {
  /** Largest text evaluated, in characters (about bytes for ASCII YAML). */
  maxFileBytes: 5 * 1024 * 1024,
  /** Alias dereferences per document before evaluation stops. */
  maxAliasCount: 10_000,
  /** Deepest flow or block nesting accepted before parsing. */
  maxDepth: 500,
  /** Findings reported per YAML document; past it, one limit message says the rest were not. */
  maxFindingsPerDocument: 1000,
  /** Findings reported for one text; evaluation stops there, with a note saying so. */
  maxFindings: 100_000,
  /**
   * Findings reported for one file in all (its own, the hardening checks', those an overlay
   * build or a chart places in it); past it, one note says how many were left out.
   */
  maxFindingsPerFile: 100_000,
} as const;
