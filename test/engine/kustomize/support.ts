/**
 * Helpers for the Kustomize tests: the project's test overlays loaded into
 * the engine's in-memory file tree (at their real paths, so that kustomize's
 * messages, which name paths, compare), and locating a built field in the
 * generated text to ask the source map where it came from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Node as YNode } from 'yaml';
import { LineIndex } from '@podsec/server/out/engine/lines';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import type { GeneratedSource, OriginSpan } from '@podsec/server/out/engine/sources/sourcemap';
import { originOf } from '@podsec/server/out/engine/sources/sourcemap';
import { repoRoot } from '../../support/paths';

export const CASES = join(repoRoot(), 'test', 'engine', 'kustomize', 'cases');

export interface CaseMeta {
  /** The kustomization built, relative to the case (default "."). */
  build?: string;
  /** The failure kustomize reports: its class and the file (relative to the case) and 1-based line that cause it. */
  error?: { class: string; file: string; line: number };
  /** "class-only": kustomize's message comes from its YAML parser's wording; only the class and place compare. */
  message?: 'class-only';
}

export interface Case {
  name: string;
  dir: string;
  meta: CaseMeta;
  /** kubectl's output, when kustomize builds the case. */
  expected: string | null;
  /** kubectl's error message (`$CASE` for the case's path), when it fails. */
  expectedError: string | null;
}

export function caseNames(): string[] {
  return readdirSync(CASES)
    .filter((n) => statSync(join(CASES, n)).isDirectory())
    .sort();
}

function read(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

export function loadCase(name: string): Case {
  const dir = join(CASES, name);
  const meta = JSON.parse(read(join(dir, 'case.json')) ?? '{}') as CaseMeta;
  return {
    name,
    dir,
    meta,
    expected: read(join(dir, 'expected.yaml')),
    expectedError: read(join(dir, 'expected.error.txt'))?.replace(/\n$/, '') ?? null,
  };
}

/** Every file under `dir`, in an in-memory tree at the same absolute paths. */
export function diskTree(dir: string, fs = new MemoryFs()): MemoryFs {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) diskTree(p, fs);
    else fs.set(p, new Uint8Array(readFileSync(p)));
  }
  return fs;
}

/** The documents of a build's text (or kubectl's), as data: YAML 1.1, as kubectl reads what kustomize prints. */
export function asData(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)
    .filter((d) => d !== null);
}

/** The node at `path` of document `doc` in generated text: its [start, end). */
export function spanAt(
  text: string,
  doc: number,
  path: ReadonlyArray<string | number>,
): { start: number; end: number } {
  const d = parseAllDocuments(text, { version: '1.1' })[doc];
  if (!d) throw new Error(`no document ${doc}`);
  let n: unknown = d.contents;
  for (const p of path) {
    if (isMap(n))
      n = n.items.find((it) => isScalar(it.key) && String(it.key.value) === String(p))?.value;
    else if (isSeq(n) && typeof p === 'number') n = n.items[p];
    else n = undefined;
    if (n === undefined) throw new Error(`no ${path.join('.')} in document ${doc}`);
  }
  const r = (n as YNode).range;
  if (!r) throw new Error(`no range at ${path.join('.')}`);
  return { start: r[0], end: r[1] };
}

/** Where a built field came from: the origin's file and 1-based line, and the origin itself. */
export function originAt(
  src: GeneratedSource,
  doc: number,
  path: ReadonlyArray<string | number>,
  fs: MemoryFs,
): { file: string; line: number; origin: OriginSpan } {
  const s = spanAt(src.text, doc, path);
  const o = originOf(src, s.start, s.end);
  if (!o) throw new Error(`no origin for ${path.join('.')}`);
  const text = fs.readText(o.file) ?? '';
  return { file: o.file, line: new LineIndex(text).lineOf(o.start) + 1, origin: o };
}

/** The 1-based line of the first line of `file` containing `needle` (after line `after`). */
export function lineOfText(fs: MemoryFs, file: string, needle: string, after = 0): number {
  const lines = (fs.readText(file) ?? '').split('\n');
  for (let i = after; i < lines.length; i++)
    if ((lines[i] as string).includes(needle)) return i + 1;
  throw new Error(`${needle} not in ${file}`);
}
