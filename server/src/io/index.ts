/**
 * Safe file input and output for the command line: what is read (regular
 * files only, each once, bounded), how directories are walked (loops end,
 * links checked), and how fixed files are written (atomically, never over a
 * change made meanwhile). The engine reads no files; this is the edge.
 *
 *   fs.ts     the file-system calls, behind a seam tests can fail on purpose
 *   read.ts   one file or handle: non-blocking open, fstat, bounded read
 *   walk.ts   the one directory walker (the command line's paths, the server's
 *             workspace scan): files, named skips, counted steps
 *   write.ts  the atomic write of a fixed file
 *   files.ts  whole files besides the inputs: bounded text reads, atomic writes of reports
 */
export type { FsSeam } from './fs';
export { describeCode, errorCode, kindOf, nodeFs } from './fs';
export type { FileIdentity, ReadOutcome } from './read';
export { readBounded, readHandle, readRegular, sha256 } from './read';
export type {
  WalkedFile,
  WalkError,
  WalkOptions,
  WalkResult,
  WalkSkip,
  WalkSkipKind,
  WalkStep,
  WalkSteps,
} from './walk';
export { insideRoots, SKIP_DIRS, walk, walkSteps, YAML_NAME } from './walk';
export type { WriteOutcome, WriteRequest } from './write';
export { writeFixed } from './write';
export type { TargetState, TextRead } from './files';
export {
  MAX_BASELINE_BYTES,
  outsideOf,
  readTextFile,
  readTextOrNull,
  rewriteText,
  targetState,
  writeProblem,
  writeWhole,
} from './files';
