/** The fix-edit planner's public face: operations in, minimal text edits out. */
export { applyEdits, planEdits } from './planner';
export type { FixOp, FixValue } from './planner';
export { editsOtherFiles, fixEdits, fixHasEdits, planFixes } from './files';
export type { FileChange, FixChoice, FixPlan, PlacedFinding } from './files';
