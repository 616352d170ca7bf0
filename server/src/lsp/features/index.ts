/**
 * The language service: pure functions from an analysed document (and the
 * settings, and the workspace's Namespaces through NamespaceResolver) to LSP
 * values. No connection, no state beyond what an AnalysisResult memoizes for
 * its own version: the handlers in ../handlers feed it, and tests call it
 * directly.
 */
export { AnalysisResult, hasSafeFix, inWorkload, workloadKey } from './analysisResult';
export { isFixAllArgs, isFixToLevelArgs, uriArgument } from './args';
export { codeActions } from './codeActions';
export type { CodeActionRequest, FixAllComputer, FixAllScope } from './codeActions';
export { checkHref, findingMessage, podsecData, PSS_DOCS, toDiagnostics } from './diagnostics';
export { minimalEdit, replaceEdit, rewriteEdit, suppressionEdit, workspaceEdit } from './edits';
export type { EditCapabilities } from './edits';
export { hoverAt } from './hover';
export { adviceFor, codeLenses, fixLensTitle, fixToLevelEdit, levelLensTitle } from './lenses';
export { documentPolicy, labelValue, policyReason } from './policy';
export type { NamespaceResolver } from './policy';
export { workspaceReport } from './report';
export type { ReportSources } from './report';
