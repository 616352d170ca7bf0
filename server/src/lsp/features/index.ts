/**
 * The language service: pure functions from an analysed document (and the
 * settings, and the workspace's Namespaces through NamespaceResolver) to LSP
 * values. No connection, no state beyond what an AnalysisResult memoizes for
 * its own version: the handlers in ../handlers feed it, and tests call it
 * directly.
 */
export { AnalysisResult, inWorkload } from './analysisResult';
export { isFixAllArgs, isFixToLevelArgs, uriArgument } from './args';
export { codeActions } from './codeActions';
export type { FixAllScope } from './codeActions';
export { toDiagnostics } from './diagnostics';
export { fixWorkspaceEdit, minimalEdit, rewriteEdit, suppressionEdit } from './edits';
export type { EditCapabilities, FileTexts } from './edits';
export { hoverAt } from './hover';
export { codeLenses, fixToLevelEdit } from './lenses';
export { documentPolicy } from './policy';
export type { NamespaceResolver } from './policy';
export { workspaceReport } from './report';
