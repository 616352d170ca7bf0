/**
 * Renderers: engine results in, text out. The command line and the language
 * server both import them from here, so `podsec` and the editor print alike.
 *
 *   fileResult.ts      the per-file results every renderer reads, positions
 *   findingsText.ts    `podsec` text output
 *   findingsJson.ts    `podsec --format json`
 *   sarif.ts           `podsec --format sarif`
 *   github.ts          `podsec --format github` (GitHub Actions annotations)
 *   junit.ts           `podsec --format junit`
 *   fixChanges.ts      fixes by file, the other files' included (SARIF, JSON)
 *   fingerprint.ts     findings' identities across commits (SARIF, JSON, baselines)
 *   baseline.ts        reading a baseline and marking the findings it holds
 *   reportText.ts      `podsec report` text output
 *   reportMarkdown.ts  the report as Markdown (editor preview, `--format markdown`)
 */
export type { FileResult, HumanRange, Totals } from './fileResult';
export { baselineState, checked, notEvaluated, skipReason, totals } from './fileResult';
export { textChunks, toText } from './findingsText';
export { jsonChunks, toJson } from './findingsJson';
export { SECURITY_SEVERITY, sarifChunks, toSarif } from './sarif';
export type { SarifContext } from './sarif';
export type { FixFiles, FixFileText } from './fixChanges';
export { escapeData, escapeProperty, toGithub } from './github';
export { toJunit, xmlEscape } from './junit';
export { allFindings, FINGERPRINT_KEY, fingerprintPath, fingerprintsOf } from './fingerprint';
export { applyBaseline, BaselineError, parseBaseline } from './baseline';
export type { Baseline } from './baseline';
export { reportText } from './reportText';
export { reportMarkdown, toNextPhrase, workloadTitle } from './reportMarkdown';
