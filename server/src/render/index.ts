/**
 * Renderers: engine results in, text out. The command line and the language
 * server both import them from here, so `podsec` and the editor print alike.
 *
 *   fileResult.ts      the per-file results every renderer reads, positions
 *   findingsText.ts    `podsec` text output
 *   findingsJson.ts    `podsec --format json`
 *   sarif.ts           `podsec --format sarif`
 *   reportText.ts      `podsec report` text output
 *   reportMarkdown.ts  the report as Markdown (editor preview, `--format markdown`)
 */
export type { FileResult, HumanRange, Totals } from './fileResult';
export { checked, skipReason, totals } from './fileResult';
export { toText } from './findingsText';
export { toJson } from './findingsJson';
export { toSarif } from './sarif';
export { reportText } from './reportText';
export { reportMarkdown, toNextPhrase, workloadTitle } from './reportMarkdown';
