/**
 * The contract between the podsec language server and its clients (the VS
 * Code extension, other editors, tests). Types and string constants only: no
 * runtime dependency on vscode-languageserver, so the client can import it.
 *
 * Requests (client → server)
 *   `podsec/policyForDocument`  PolicyForDocumentParams → PolicyForDocumentResult | null
 *       The policy that applies to a document: that of its first workload,
 *       else the configured one. null when the document is not open or podsec
 *       is disabled/excluded for it.
 *
 *   `podsec/report`             ReportParams → ReportResult
 *       The level advisor's report of the workspace (open documents and the
 *       YAML files of the workspace folders), as Markdown: workloads by
 *       namespace with their levels, labels and what-ifs, an optional version
 *       comparison, and PodSecurityPolicy migration.
 *
 * Code lenses (textDocument/codeLens)
 *   One per workload, on its `kind:` line: `meets baseline · 3 changes to
 *   restricted` (no command), and when safe fixes apply a second one,
 *   `Fix to restricted` or `Fix to restricted (1 left)`, running
 *   `podsec.fixToLevel`. Refreshed (workspace/codeLens/refresh) when settings
 *   or Namespace labels change, if the client supports it.
 *
 * Notifications (server → client)
 *   `podsec/didChangePolicy`    DidChangePolicyParams
 *       Sent after diagnostics are published for a document whose policy
 *       differs from the last one sent for it (status bars can listen instead
 *       of polling).
 *
 * Commands (workspace/executeCommand, registered by the server)
 *   `podsec.fixAllInFile`  arguments: [uri: string]
 *       Applies the safe fixes of the whole file through workspace/applyEdit.
 *   `podsec.applyFixAll`   arguments: [FixAllCommandArgs]
 *       Used by fix-all code actions for clients without codeAction/resolve.
 *   `podsec.fixToLevel`    arguments: [FixToLevelArgs]
 *       The level advisor's "Fix to <level>" code lens: applies the safe fixes
 *       of one workload for that level through workspace/applyEdit, as one edit
 *       of the document version the lens was computed for.
 *   (`podsec.restartServer`, `podsec.selectLevel`, `podsec.showOutput` are the
 *   client's own and are not registered by the server.)
 */

export type PolicyLevel = 'privileged' | 'baseline' | 'restricted';

/** Values of `podsec.severity` entries. */
export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

/**
 * The `podsec` settings section as the server reads it (workspace/configuration,
 * didChangeConfiguration `settings.podsec`, or initializationOptions).
 */
export interface PodsecSettings {
  /** Check documents at all (default true). */
  enable: boolean;
  /** Level when no Namespace label chooses one (default restricted). */
  level: PolicyLevel;
  /** "latest" or "v1.N" (default latest); an invalid value evaluates as latest. */
  version: string;
  /** Honour pod-security.kubernetes.io labels of Namespaces in the workspace (default true). */
  namespaceLabels: boolean;
  /**
   * Severity overrides. Keys: a check ID (`runAsNonRoot`, `invalidSuppression`),
   * a mode (`enforce`, `warn`, `audit`), or an engine diagnostic code (`yaml`,
   * `schema`, `limit`, `policy`, `note`). A check ID wins over a mode.
   */
  severity: Record<string, SeveritySetting>;
  /** Globs matched against the workspace-relative path (and the absolute path); matches are not checked. */
  exclude: string[];
  /** Largest document checked, in characters. */
  maxFileSize: number;
  /** Most alias look-ups evaluated in one YAML document (alias bombs stop there). */
  maxAliasCount: number;
}

export const POLICY_FOR_DOCUMENT_REQUEST = 'podsec/policyForDocument';
export const DID_CHANGE_POLICY_NOTIFICATION = 'podsec/didChangePolicy';
export const FIX_ALL_IN_FILE_COMMAND = 'podsec.fixAllInFile';
export const APPLY_FIX_ALL_COMMAND = 'podsec.applyFixAll';
export const FIX_ALL_CODE_ACTION_KIND = 'source.fixAll.podsec';
export const FIX_TO_LEVEL_COMMAND = 'podsec.fixToLevel';
export const REPORT_REQUEST = 'podsec/report';

export interface PolicyForDocumentParams {
  uri: string;
}

export interface PolicyForDocumentResult {
  level: PolicyLevel;
  /** As requested: "latest" or "v1.N". */
  version: string;
  /** The concrete version evaluated, e.g. "v1.37". */
  evaluatedVersion: string;
  /** Whether the podsec.level setting or a Namespace label chose the level. */
  source: 'setting' | 'namespace';
  /** For source "namespace": the Namespace's name. */
  namespace?: string;
  /** For source "namespace": the label that chose the level, e.g. pod-security.kubernetes.io/enforce. */
  label?: string;
  /** For source "namespace": the URI of the file that declares the Namespace. */
  file?: string;
}

export interface DidChangePolicyParams {
  uri: string;
  policy: PolicyForDocumentResult | null;
}

/** What a podsec diagnostic carries in `data`, so code actions never match on message text. */
export interface DiagnosticData {
  /** Document version the diagnostic was computed for. */
  version: number;
  /** Index of the finding in the analysis of that version; -1 for engine errors and notes. */
  index: number;
  /** Check ID (findings) or engine code (errors, notes). */
  code: string;
}

/** Arguments of `podsec.applyFixAll` (and `data` of unresolved fix-all code actions). */
export interface FixAllCommandArgs {
  uri: string;
  /** The document version the action was offered for; stale requests are refused. */
  version: number;
  scope: 'file' | 'workload';
  /** For scope "workload": an offset inside the workload. */
  offset?: number;
}

/** Arguments of `podsec.fixToLevel` (the "Fix to <level>" code lens). */
export interface FixToLevelArgs {
  uri: string;
  /** The document version the lens was computed for; stale requests are refused. */
  version: number;
  /** An offset inside the workload. */
  offset: number;
  /** The level to fix the workload to. */
  level: PolicyLevel;
  /** The policy version the lens evaluated ("latest" or "v1.N"). */
  policyVersion: string;
}

export interface ReportParams {
  /** Version the levels are given at (default: the `podsec.version` setting). */
  version?: string;
  /** Compare two versions (both or neither), e.g. from "v1.30" to "latest". */
  from?: string;
  to?: string;
  /** Level whose checks the comparison looks at (default restricted). */
  level?: PolicyLevel;
}

export interface ReportResult {
  /** The report as Markdown; file locations link to the files (file URIs with #L<line>). */
  markdown: string;
  files: number;
  workloads: number;
  namespaces: number;
}
