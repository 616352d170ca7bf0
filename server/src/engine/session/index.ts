export { AnalysisSession } from './session';
export type { PolicyQuery, SessionOptions } from './session';
