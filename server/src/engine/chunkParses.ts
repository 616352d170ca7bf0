/**
 * A text's YAML documents as the analysis reads them (each chunk of
 * `splitDocuments` through `decodeDocs` on its own), with ranges in the whole
 * text, kept from one version of the text to the next: a new version parses
 * only the chunks whose text is new, and the others' documents are moved to
 * where they now stand (their ranges shifted in place, which costs far less
 * than parsing them again).
 *
 * One reader per instance, one version at a time: the documents handed out
 * for a version are moved for the next one, so what was read from an older
 * version must not be used after a newer one is decoded.
 */
import { visit } from 'yaml';
import { decodeDocs, splitDocuments } from './parse';
import type { ParsedFile, UnreadKind } from './parse';
import type { Diagnostic } from './types';

interface Chunk {
  parsed: ParsedFile;
  /** Where the chunk's documents' ranges say it starts. */
  at: number;
}

type Range = [number, number, number];

function moveRange(r: Range, by: number): void {
  r[0] += by;
  r[1] += by;
  r[2] += by;
}

const moveDiagnostic = (d: Diagnostic, by: number): Diagnostic => ({
  ...d,
  span: { start: d.span.start + by, end: d.span.end + by },
});

/** Shifts every range of a parsed chunk by `by`, in place (diagnostics are copied). */
function moveParsed(p: ParsedFile, by: number): void {
  if (by === 0) return;
  // A range is moved once, however many nodes share it.
  const moved = new Set<Range>();
  const move = (r: Range | null | undefined) => {
    if (!r || moved.has(r)) return;
    moved.add(r);
    moveRange(r, by);
  };
  for (const doc of p.docs) {
    move(doc.range);
    for (const e of [...doc.errors, ...doc.warnings]) e.pos = [e.pos[0] + by, e.pos[1] + by];
    visit(doc, {
      Node: (_key, node) => {
        move((node as { range?: Range | null }).range);
      },
    });
  }
  p.errors = p.errors.map((d) => moveDiagnostic(d, by));
  p.notes = p.notes.map((d) => moveDiagnostic(d, by));
}

export class ChunkParses {
  /** The last version's chunks by text (a text twice in it: both, in order). */
  private chunks = new Map<string, Chunk[]>();
  private options = '';
  /** Chunks parsed by the last `decode` (for tests and benchmarks). */
  lastParsed = 0;
  /** Chunks whose documents the last `decode` moved. */
  lastMoved = 0;

  /** The documents of `text`: as `decodeDocs` of each chunk, placed in the whole text. */
  decode(text: string, maxDepth: number, unread?: UnreadKind): ParsedFile {
    const options = `${maxDepth}|${unread ? 'skim' : ''}`;
    if (options !== this.options) {
      this.chunks.clear();
      this.options = options;
    }
    this.lastParsed = 0;
    this.lastMoved = 0;
    const next = new Map<string, Chunk[]>();
    const out: ParsedFile = { docs: [], errors: [], notes: [], broken: new Set() };
    for (const c of splitDocuments(text)) {
      const slice = text.slice(c.start, c.end);
      let chunk = this.chunks.get(slice)?.shift();
      const kept = chunk !== undefined;
      if (!chunk) {
        this.lastParsed++;
        chunk = { parsed: decodeDocs(slice, maxDepth, unread), at: 0 };
      }
      if (chunk.at !== c.start) {
        if (kept) this.lastMoved++;
        moveParsed(chunk.parsed, c.start - chunk.at);
        chunk.at = c.start;
      }
      const same = next.get(slice);
      if (same) same.push(chunk);
      else next.set(slice, [chunk]);
      append(out, chunk.parsed);
    }
    this.chunks = next;
    return out;
  }

  /** Forget every chunk (the text's reader is gone). */
  clear(): void {
    this.chunks.clear();
  }
}

function append(out: ParsedFile, p: ParsedFile): void {
  const base = out.docs.length;
  for (const d of p.docs) out.docs.push(d);
  for (const e of p.errors) out.errors.push(e);
  for (const n of p.notes) out.notes.push(n);
  for (const i of p.broken) out.broken.add(base + i);
  if (p.skimmed) for (const i of p.skimmed) (out.skimmed ??= new Set()).add(base + i);
}
