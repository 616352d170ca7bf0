/**
 * The contract between the podsec language server and its clients (the VS
 * Code extension, other editors, tests): the settings, the custom requests and
 * notifications as typed objects, the command IDs and their arguments, and what
 * a diagnostic carries in `data`.
 *
 * Both sides compile this file from source: the server imports `./protocol`,
 * the extension `../../server/src/lsp/protocol` (TypeScript checks it through
 * the project reference to ../server; esbuild bundles it into each side). So
 * it imports only `vscode-languageserver-protocol` (the one copy that
 * vscode-languageclient and vscode-languageserver share), the hardening ID
 * list (`engine/hardening/ids`, which imports nothing) and engine *types*:
 * nothing here may pull the server's runtime (the engine, yaml, minimatch)
 * into the extension's bundle. A lint rule holds that line, and the package
 * test lists the server files the extension's bundle holds.
 *
 * Requests (client → server)
 *   `podsec/policyForDocument`  PolicyForDocumentRequest
 *       The policy that applies to a document: that of its first workload,
 *       else the configured one. null when the document is not open or podsec
 *       is disabled/excluded for it.
 *   `podsec/report`             ReportRequest
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
 *   `podsec/didChangePolicy`    DidChangePolicyNotification
 *       Sent after diagnostics are published for a document whose policy
 *       differs from the last one sent for it (status bars can listen instead
 *       of polling).
 *
 * Commands
 *   SERVER_COMMANDS are registered by the server (workspace/executeCommand);
 *   CLIENT_COMMANDS are the extension's own, contributed in package.json.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { CheckId, Diagnostic as EngineDiagnostic, Finding, Level } from '../engine/types';
import { HARDENING_CHECK_IDS } from '../engine/hardening/ids';
import type { HardeningCheckId } from '../engine/hardening/ids';

// ---------------------------------------------------------------- settings

export type PolicyLevel = Level;

/**
 * What each level means, in one wording: the level picker and package.json's
 * `podsec.level` enumDescriptions (written by scripts/manifest.mjs) show these.
 */
export const LEVEL_DESCRIPTIONS: Readonly<Record<PolicyLevel, string>> = {
  privileged: 'Unrestricted: checks nothing (known privilege escalations are allowed).',
  baseline: 'Prevents known privilege escalations; minimally restrictive.',
  restricted: 'Heavily restricted, following current pod hardening best practices.',
};

/** Values of `podsec.severity` entries. */
export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** The configuration section both sides read. */
export const SETTINGS_SECTION = 'podsec';

/**
 * The documents the extension sends to the server, by language id: YAML, and
 * `helm`, the id Helm extensions give a chart's templates. Chart partials
 * (`_helpers.tpl`) are sent by file name whatever their language
 * (CHART_PARTIAL_GLOB). The server checks a document that is not YAML by
 * name or language only when it is a file of a Helm chart.
 */
export const DOCUMENT_LANGUAGES = ['yaml', 'helm'] as const;
export const CHART_PARTIAL_GLOB = '**/*.tpl';

/** Whether the extension sends a document with this language id and path (or URI) to the server. */
export function isPodsecDocument(languageId: string, path: string): boolean {
  return (
    (DOCUMENT_LANGUAGES as readonly string[]).includes(languageId) ||
    /\.ya?ml$/i.test(path) ||
    /\.tpl$/i.test(path)
  );
}

/**
 * The `podsec` settings section as the server reads it (workspace/configuration,
 * didChangeConfiguration `settings.podsec`, or initializationOptions). Defaults:
 * DEFAULT_SETTINGS in settings.ts, which package.json's defaults must equal.
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
   * a mode (`enforce`, `warn`, `audit`), an engine diagnostic code (`yaml`,
   * `schema`, `limit`, `policy`) or `note`. A check ID wins over a mode.
   */
  severity: Record<string, SeveritySetting>;
  /** Globs matched against the workspace-relative path (and the absolute path); matches are not checked. */
  exclude: string[];
  /** Largest document checked, in characters. */
  maxFileSize: number;
  /** Most alias look-ups evaluated in one YAML document (alias bombs stop there). */
  maxAliasCount: number;
  /**
   * Attach the Namespace label that chose a finding's level to its diagnostic
   * as related information (default false: the hover and status bar say it,
   * and the Problems panel keeps one row per problem).
   */
  relatedInformation: boolean;
}

/** Settings the VS Code extension reads itself (the server never sees them). */
export interface ClientSettings {
  /** Show the level advisor's code lenses (the client's middleware drops them when false). */
  codeLens: boolean;
}

export const CLIENT_SETTING_DEFAULTS: Readonly<ClientSettings> = { codeLens: true };

/** Findings that are not Pod Security checks (suppression comments, PodSecurityPolicy migration). */
export const META_CHECK_IDS = [
  'invalidSuppression',
  'podSecurityPolicy',
] as const satisfies ReadonlyArray<Exclude<Finding['check'], CheckId | HardeningCheckId>>;

/**
 * The hardening checks' IDs (from the engine's dependency-free ID list, so
 * the client needs no engine at run time) and `hardening`, every one of them.
 */
export const HARDENING_SEVERITY_KEYS = [...HARDENING_CHECK_IDS, 'hardening'] as const;

/**
 * Keys of `podsec.severity` besides check IDs and modes: the engine's
 * diagnostic codes, and `note` (every note). package.json's keys are CHECK_IDS,
 * META_CHECK_IDS, MODES, then these.
 */
export const SEVERITY_CODES = [
  'yaml',
  'schema',
  'limit',
  'policy',
  'kustomize',
  'note',
] as const satisfies ReadonlyArray<EngineDiagnostic['code'] | 'note'>;

// ---------------------------------------------------------------- requests and notifications

export interface PolicyForDocumentParams {
  uri: string;
}

interface PolicyCommon {
  level: PolicyLevel;
  /** As requested: "latest" or "v1.N". */
  version: string;
  /** The concrete version evaluated, e.g. "v1.37". */
  evaluatedVersion: string;
  /** URI of the `.podsec.yaml` whose settings apply to the document, when one does. */
  configFile?: string;
  /** The settings that file chose (`level`, `version`, `namespaceLabels`, `severity`, `exclude`). */
  configKeys?: string[];
  /** When the cluster's admission configuration exempts the document's first workload: which exemption. */
  exemption?: string;
  /** For a file of a Helm chart: the chart and how it was rendered for the findings shown. */
  chart?: ChartPolicyInfo;
}

/** How a chart was rendered for a document of it: one entry per value set evaluated. */
export interface ChartPolicyInfo {
  /** The chart's name (Chart.yaml `name`), or its folder's when it does not load. */
  name: string;
  /** URI of the chart's folder. */
  dir: string;
  renders: Array<{
    /** The value set's name (`default`: the chart's own values). */
    valueSet: string;
    releaseName: string;
    namespace: string;
  }>;
  /** The `.podsec.yaml` whose `helm:` value sets were used, if any. */
  configFile?: string;
}

/** The policy of a document: from the settings, the cluster's admission configuration, or a Namespace's label. */
export type PolicyForDocumentResult =
  | (PolicyCommon & { source: 'setting' })
  | (PolicyCommon & {
      /** A default of the cluster's admission configuration (for a namespace without labels). */
      source: 'admission';
      /** URI of the admission configuration file; absent for its built-in defaults. */
      file?: string;
      /** The key that set the level, e.g. `defaults.enforce`. */
      key?: string;
    })
  | (PolicyCommon & {
      source: 'namespace';
      /** The Namespace's name. */
      namespace: string;
      /** The label that chose the level, e.g. pod-security.kubernetes.io/enforce. */
      label: string;
      /** The URI of the file that declares the Namespace. */
      file: string;
      /**
       * Every mode the Namespace's labels set (with upstream's defaults:
       * unlabelled is privileged, warn follows a stricter enforce): enforce,
       * warn and audit, each with its level, version and the label behind it
       * (null for a default).
       */
      modes?: Array<{
        mode: 'enforce' | 'warn' | 'audit';
        level: PolicyLevel;
        version: string;
        label: string | null;
      }>;
    });

export const PolicyForDocumentRequest = new RequestType<
  PolicyForDocumentParams,
  PolicyForDocumentResult | null,
  void
>('podsec/policyForDocument');

export interface DidChangePolicyParams {
  uri: string;
  policy: PolicyForDocumentResult | null;
}

export const DidChangePolicyNotification = new NotificationType<DidChangePolicyParams>(
  'podsec/didChangePolicy',
);

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

export const ReportRequest = new RequestType<ReportParams, ReportResult, void>('podsec/report');

// ---------------------------------------------------------------- diagnostics and code actions

/** A podsec diagnostic's `code`: a check ID, a meta check, an engine code, or `internal`. */
export type DiagnosticCode = Finding['check'] | EngineDiagnostic['code'] | 'internal';

/** What a podsec diagnostic carries in `data`, so code actions never match on message text. */
export interface DiagnosticData {
  /** Document version the diagnostic was computed for. */
  version: number;
  /** Index of the finding in the analysis of that version; -1 for engine errors and notes. */
  index: number;
  /** Check ID (findings) or engine code (errors, notes). */
  code: DiagnosticCode;
  /**
   * Indices of the other findings this diagnostic stands for: the same problem
   * on the same field, found by another mode or by the check that overrides
   * it (hostPathVolumes and restrictedVolumes on one volume). Absent when none.
   */
  also?: number[];
}

/** The `source` of every podsec diagnostic. */
export const DIAGNOSTIC_SOURCE = 'podsec';

/** The code action kind of "fix all" (for `editor.codeActionsOnSave`). */
export const FIX_ALL_CODE_ACTION_KIND = 'source.fixAll.podsec';

// ---------------------------------------------------------------- commands

/** Commands the server registers (workspace/executeCommand). */
export const SERVER_COMMANDS = {
  /** Applies the safe fixes of the whole file through workspace/applyEdit. */
  fixAllInFile: 'podsec.fixAllInFile',
  /** Used by fix-all code actions for clients without codeAction/resolve. */
  applyFixAll: 'podsec.applyFixAll',
  /**
   * The level advisor's "Fix to <level>" code lens: applies the safe fixes of
   * one workload for that level through workspace/applyEdit, as one edit of
   * the document version the lens was computed for.
   */
  fixToLevel: 'podsec.fixToLevel',
} as const;

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
  /**
   * On a file of a Helm chart: the rendered workload (by its value set and
   * what the render names it), fixed at the origin of each value.
   */
  chart?: ChartFixTarget;
  /**
   * A workload Kustomize overlays deploy: apply this file's safe fixes of the
   * overlays' findings in it (up to `level`), not the file's own.
   */
  inOverlays?: boolean;
}

/** A workload a Helm chart renders, as "Fix to <level>" on a chart file names it. */
export interface ChartFixTarget {
  valueSet: string;
  kind: string;
  name: string | null;
  namespace: string | null;
  /** The template that renders it (`web/templates/deployment.yaml`). */
  source: string | null;
}

/** The arguments each server command takes. */
export interface ServerCommandArguments {
  [SERVER_COMMANDS.fixAllInFile]: [uri: string];
  [SERVER_COMMANDS.applyFixAll]: [FixAllCommandArgs];
  [SERVER_COMMANDS.fixToLevel]: [FixToLevelArgs];
}

/** The extension's own commands (package.json `contributes.commands`); the server registers none of them. */
export const CLIENT_COMMANDS = {
  selectLevel: 'podsec.selectLevel',
  fixAll: 'podsec.fixAll',
  restartServer: 'podsec.restartServer',
  showOutput: 'podsec.showOutput',
  showReport: 'podsec.showReport',
  compareVersions: 'podsec.compareVersions',
  /** Opens a check's documentation page (argument: the check ID; without one, a picker). */
  showCheckDocs: 'podsec.showCheckDocs',
} as const;

/** A command for a code action or lens, with the arguments its ID takes. */
export function serverCommand<C extends keyof ServerCommandArguments>(
  title: string,
  command: C,
  ...args: ServerCommandArguments[C]
): { title: string; command: C; arguments: ServerCommandArguments[C] } {
  return { title, command, arguments: args };
}
