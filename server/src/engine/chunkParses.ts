/**
 * A text's YAML documents as the analysis reads them: each chunk of
 * `splitDocuments` through `decodeDocs` on its own, its ranges counted from
 * the chunk's start. Kept by chunk text from one version of the text to the
 * next, so a new version parses only the chunks whose text is new; a chunk
 * that moved keeps its parse as it is (nothing is shifted), and its reader
 * adds the chunk's start.
 *
 * One instance per open document serves both of its readers: the hardening
 * checks (`read`, the whole text) and the analysis cache (`take`, the chunks
 * it has no entry for). Whichever reads a chunk of the current version first
 * parses it; the other reads that parse, so a version is parsed once.
 * Parses are never changed by a reader, so each may keep what it read.
 */
import { decodeDocs, splitDocuments } from './parse';
import type { ParsedFile, UnreadKind } from './parse';

/** One chunk of a text: where it starts, its text, and its parse (ranges relative to `text`). */
export interface TextChunk {
  start: number;
  text: string;
  parsed: ParsedFile;
}

export class ChunkParses {
  /** The last version's parses by chunk text. */
  private parses = new Map<string, ParsedFile>();
  private options = '';
  /** The text the last `read` read, and its chunks. */
  private last: { text: string; chunks: TextChunk[] } | undefined;
  /** Chunks parsed by the last `read` (for tests and benchmarks). */
  lastParsed = 0;
  /** Chunks parsed since the instance was made, by `read` and `take` (for tests and benchmarks). */
  parsed = 0;

  private optionsKey(maxDepth: number, unread: UnreadKind | undefined): string {
    return `${maxDepth}|${unread ? 'skim' : ''}`;
  }

  private parse(slice: string, maxDepth: number, unread: UnreadKind | undefined): ParsedFile {
    this.parsed++;
    return decodeDocs(slice, maxDepth, unread);
  }

  /**
   * The chunks of `text`, each parsed as `decodeDocs` parses its text: the
   * chunks of the previous version with the same text are not parsed again,
   * and chunks of equal text share one parse.
   */
  read(text: string, maxDepth: number, unread?: UnreadKind): TextChunk[] {
    const options = this.optionsKey(maxDepth, unread);
    if (options !== this.options) {
      this.parses.clear();
      this.options = options;
    }
    const before = this.parsed;
    const next = new Map<string, ParsedFile>();
    const out: TextChunk[] = [];
    for (const c of splitDocuments(text)) {
      const slice = text.slice(c.start, c.end);
      let parsed = next.get(slice) ?? this.parses.get(slice);
      if (!parsed) parsed = this.parse(slice, maxDepth, unread);
      next.set(slice, parsed);
      out.push({ start: c.start, text: slice, parsed });
    }
    this.parses = next;
    this.last = { text, chunks: out };
    this.lastParsed = this.parsed - before;
    return out;
  }

  /** The chunks the last `read` split `text` into, or null when it read another text. */
  chunksOf(text: string): readonly TextChunk[] | null {
    return this.last?.text === text ? this.last.chunks : null;
  }

  /**
   * The parse of one chunk's text: the one the last `read` made or kept,
   * with the same options; else parsed now (and not kept: `read` decides
   * what the next version keeps).
   */
  take(slice: string, maxDepth: number, unread?: UnreadKind): ParsedFile {
    const kept =
      this.optionsKey(maxDepth, unread) === this.options ? this.parses.get(slice) : undefined;
    return kept ?? this.parse(slice, maxDepth, unread);
  }

  /** Forget every chunk (the text's reader is gone). */
  clear(): void {
    this.parses.clear();
    this.last = undefined;
  }
}
