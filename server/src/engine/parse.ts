/**
 * Multi-document parsing with source ranges. YAML errors become diagnostics
 * at their position; inputs that are not evaluated (over a limit, binary,
 * a Helm chart's templates) get one clear message instead of findings.
 * `{{ … }}` elsewhere is text (see decode/templates.ts).
 */
import { Composer, Document, Parser } from 'yaml';
import type { CST, DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';
import { decodeIssues, unreadAfterEnd } from './decode/kubectl';
import { skimDocument } from './decode/skim';
import { chartTemplateNote, templateNote } from './decode/templates';
import type { Diagnostic } from './types';

export interface ParseLimits {
  maxFileBytes: number;
  maxDepth: number;
  /** The file is a Helm chart template (`isChartTemplate`): with `{{` it is not evaluated. */
  chartTemplate?: boolean;
}

export interface ParsedFile {
  docs: Document.Parsed[];
  errors: Diagnostic[];
  notes: Diagnostic[];
  /** Documents (by index) whose YAML has errors: not evaluated. */
  broken: Set<number>;
  /**
   * Documents (by index) of a kind nothing reads, skimmed instead of
   * composed: each holds only its apiVersion and kind.
   */
  skimmed?: Set<number>;
}

/** Whether no check or view reads a kind (kinds.ts `unreadKind`): such documents are skimmed. */
export type UnreadKind = (apiVersion: string, kind: string) => boolean;

/**
 * Characters YAML does not allow in a stream (C0 controls but tab and line
 * breaks, DEL, C1 controls but NEL, U+FFFE/U+FFFF): Kubernetes' decoder
 * rejects the whole file ("control characters are not allowed").
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]/;
/**
 * The deepest nesting ever parsed, whatever `maxDepth` asks: near 1,000
 * levels of compact sequences (`- - - …`) the YAML library exhausts memory
 * compiling a regular expression and takes the process down.
 */
const SAFE_DEPTH = 800;
/** Longest YAML error message shown (the parser quotes whole tokens, which binary input makes huge). */
const MAX_MESSAGE = 200;

/**
 * Deepest nesting of block indentation plus flow collections, stopping early
 * past `limit`. Block depth counts distinct indentation levels (a `- `
 * sequence indicator opens a level too), so one-space indentation counts
 * as much as two.
 */
function nestingDepth(text: string, limit: number): { depth: number; at: number } {
  const indents: number[] = [];
  let flow = 0;
  let inComment = false;
  let quote = 0;
  let lineStart = true;
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) {
      inComment = false;
      lineStart = true;
      col = 0;
      continue;
    }
    if (lineStart && quote === 0 && flow === 0) {
      if (ch === 32) {
        col++;
        continue;
      }
      if (ch === 45 && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 10)) {
        // "- " opens a level at this column; the content after it is deeper still
        while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= col) indents.pop();
        indents.push(col);
        if (indents.length > limit) return { depth: indents.length, at: i };
        col++;
        continue;
      }
      lineStart = false;
      if (ch !== 35) {
        while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= col) indents.pop();
        indents.push(col);
        if (indents.length > limit) return { depth: indents.length, at: i };
      }
    }
    lineStart = false;
    if (inComment) continue;
    if (quote !== 0) {
      if (ch === quote) quote = 0;
      else if (ch === 92 && quote === 34) i++;
      continue;
    }
    if (ch === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) inComment = true;
    else if (ch === 34 || ch === 39) {
      const prev = i === 0 ? 32 : text.charCodeAt(i - 1);
      if (prev <= 32 || prev === 91 || prev === 123 || prev === 44 || prev === 58) quote = ch;
    } else if (ch === 91 || ch === 123) {
      flow++;
      if (flow + indents.length > limit) return { depth: flow + indents.length, at: i };
    } else if ((ch === 93 || ch === 125) && flow > 0) flow--;
  }
  return { depth: 0, at: 0 };
}

/**
 * Whole-text checks before parsing: over the size limit, binary, or a
 * template. Returns the result to report instead of evaluating, or
 * null when the text can be parsed.
 */
export function precheck(text: string, limits: ParseLimits): ParsedFile | null {
  const out: ParsedFile = { docs: [], errors: [], notes: [], broken: new Set() };
  if (text.length > limits.maxFileBytes) {
    out.errors.push({
      message: `File not evaluated: ${text.length} characters is over the limit of ${limits.maxFileBytes} (setting podsec.maxFileSize, option --max-file-size)`,
      span: { start: 0, end: 0 },
      code: 'limit',
      severity: 'error',
    });
    return out;
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    out.errors.push({
      message: 'File not evaluated: it contains a NUL byte, so it is binary, not YAML',
      span: { start: nul, end: nul + 1 },
      code: 'limit',
      severity: 'error',
    });
    return out;
  }
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    out.errors.push({
      message: `File not evaluated: it contains the control character U+${code}, which YAML does not allow (a binary file?)`,
      span: { start: control.index, end: control.index + 1 },
      code: 'limit',
      severity: 'error',
    });
    return out;
  }
  if (limits.chartTemplate === true && text.includes('{{')) {
    out.notes.push(chartTemplateNote(text));
    return out;
  }
  return null;
}

function shorten(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

/**
 * Parse YAML documents as the YAML library reads them (duplicate keys are
 * "Map keys must be unique" errors); errors become diagnostics and mark
 * their document as not evaluated. The Kustomize build reads with this.
 */
export function parseDocs(text: string, requestedDepth: number): ParsedFile {
  return parseYaml(text, requestedDepth, true);
}

/**
 * Texts `decodeDocs` parsed, and their characters, since the process began:
 * what tests count to hold a reader to one parse of a text.
 */
export const decodeCount = { texts: 0, chars: 0 };

/**
 * Parse YAML documents as kubectl decodes them (decode/kubectl.ts):
 * duplicate keys reported but read (the last wins), what go-yaml v2 rejects
 * reported at its place, documents kubectl never reads marked, and a note
 * when an error sits at a `{{ … }}` action. What the engine evaluates.
 */
export function decodeDocs(text: string, requestedDepth: number, unread?: UnreadKind): ParsedFile {
  decodeCount.texts++;
  decodeCount.chars += text.length;
  const out = parseYaml(text, requestedDepth, false, unread);
  const docs = out.docs;
  docs.forEach((doc, i) => {
    if (out.broken.has(i) || out.skimmed?.has(i)) return;
    const issues = decodeIssues(doc);
    for (const e of issues.errors) out.errors.push(e);
    if (issues.fatal) out.broken.add(i);
  });
  for (const { index, diagnostic } of unreadAfterEnd(docs)) {
    out.notes.push(diagnostic);
    out.broken.add(index);
  }
  const note = templateNote(text, out.errors);
  if (note) out.notes.push(note);
  return out;
}

type ComposeOptions = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * Top-level tokens around a document that leave the composer's errors where
 * they were when the document is left out: comments and white space only
 * (no `...`, no directive, no error), back to the previous document and on
 * to the next.
 */
function quietAround(tokens: readonly CST.Token[], i: number): boolean {
  const quiet = (t: CST.Token) =>
    t.type === 'comment' || t.type === 'newline' || t.type === 'space';
  for (let j = i - 1; j >= 0 && tokens[j]!.type !== 'document'; j--)
    if (!quiet(tokens[j]!)) return false;
  for (let j = i + 1; j < tokens.length && tokens[j]!.type !== 'document'; j++)
    if (!quiet(tokens[j]!)) return false;
  return true;
}

/**
 * `parseAllDocuments` (the parser, then the composer), except that a
 * document whose kind `unread` says nothing reads, and that skims cleanly,
 * is not composed: a placeholder holding its apiVersion and kind stands in
 * its place, with its range.
 */
function composeAll(
  text: string,
  options: ComposeOptions,
  unread: UnreadKind | undefined,
): { docs: Document.Parsed[]; skimmed: Set<number> } {
  const composer = new Composer(options);
  const docs: Document.Parsed[] = [];
  const skimmed = new Set<number>();
  const tokens = Array.from(new Parser().parse(text));
  tokens.forEach((t, i) => {
    if (t.type === 'document' && unread && quietAround(tokens, i)) {
      const s = skimDocument(t);
      if (s && unread(s.apiVersion, s.kind)) {
        for (const d of composer.end()) docs.push(d);
        const doc = new Document({ apiVersion: s.apiVersion, kind: s.kind }, options);
        const end = tokens[i + 1]?.offset ?? text.length;
        doc.range = [t.offset, end, end];
        if (s.docStart && doc.directives) doc.directives.docStart = true;
        skimmed.add(docs.length);
        docs.push(doc as Document.Parsed);
        return;
      }
    }
    for (const d of composer.next(t)) docs.push(d);
  });
  for (const d of composer.end()) docs.push(d);
  return { docs, skimmed };
}

function parseYaml(
  text: string,
  requestedDepth: number,
  uniqueKeys: boolean,
  unread?: UnreadKind,
): ParsedFile {
  const out: ParsedFile = { docs: [], errors: [], notes: [], broken: new Set() };
  const maxDepth = Math.min(requestedDepth, SAFE_DEPTH);
  const depth = nestingDepth(text, maxDepth);
  if (depth.depth > maxDepth) {
    out.errors.push({
      message: `Not evaluated: nesting deeper than ${maxDepth} levels`,
      span: { start: depth.at, end: depth.at + 1 },
      code: 'limit',
      severity: 'error',
    });
    return out;
  }
  let docs: Document.Parsed[];
  try {
    // Suppression comments are mapped to documents by their ranges: those texts are composed.
    const skim = unread && !text.includes('podsec-ignore') ? unread : undefined;
    const composed = composeAll(text, { version: '1.1', prettyErrors: false, uniqueKeys }, skim);
    docs = composed.docs;
    if (composed.skimmed.size > 0) out.skimmed = composed.skimmed;
  } catch (e) {
    out.errors.push({
      message: `File not evaluated: ${e instanceof RangeError ? 'nesting too deep to parse' : String(e)}`,
      span: { start: 0, end: 0 },
      code: 'limit',
      severity: 'error',
    });
    return out;
  }
  out.docs = docs;
  docs.forEach((doc, i) => {
    for (const err of doc.errors) {
      out.broken.add(i);
      const start = Math.min(err.pos[0], text.length);
      const end = Math.min(Math.max(start, err.pos[1]), text.length);
      out.errors.push({
        message: shorten(err.message.split('\n')[0] ?? err.message),
        span: { start, end },
        code: 'yaml',
        severity: 'error',
      });
    }
  });
  return out;
}

/**
 * Whole-text parses one reader hands to another, so a text that is one
 * chunk is parsed once: the first reader (the command line's analysis, the
 * editor's hardening index) parses it and leaves the parse here, the second
 * (the hardening checks, the editor's analysis) takes it instead of parsing
 * the same text at the same depth and skim again. A parse is taken once; at
 * most `max` wait (the oldest goes first: the editor's share is bounded, a
 * command-line run's holds every file until the hardening checks read it),
 * and `clear` drops them.
 */
export class ParseShare {
  constructor(private readonly max = Number.POSITIVE_INFINITY) {}

  private readonly parses = new Map<string, { key: string; parsed: ParsedFile }>();
  /** Parses taken (for tests and benchmarks). */
  taken = 0;

  /** The parse another reader left for `text`, taken; else `parse()`, left for the next reader. */
  exchange(text: string, maxDepth: number, skim: boolean, parse: () => ParsedFile): ParsedFile {
    const key = `${maxDepth}|${skim}`;
    const e = this.parses.get(text);
    if (e && e.key === key) {
      this.parses.delete(text);
      this.taken++;
      return e.parsed;
    }
    const parsed = parse();
    this.parses.delete(text);
    this.parses.set(text, { key, parsed });
    for (const old of this.parses.keys()) {
      if (this.parses.size <= this.max) break;
      this.parses.delete(old);
    }
    return parsed;
  }

  /** Parses waiting to be taken. */
  get size(): number {
    return this.parses.size;
  }

  clear(): void {
    this.parses.clear();
  }
}

/** A whole text as the engine evaluates it: the prechecks, then `decodeDocs`. */
export function parseFile(text: string, limits: ParseLimits, unread?: UnreadKind): ParsedFile {
  return precheck(text, limits) ?? decodeDocs(text, limits.maxDepth, unread);
}

/**
 * Split a text into chunks at document markers (`---` at the start of a
 * line), so each chunk can be parsed on its own and cached. A text with
 * directives (`%YAML`) is kept whole, since a directive belongs to the
 * document after its marker.
 */
export function splitDocuments(text: string): Array<{ start: number; end: number }> {
  if (text.startsWith('%') || /[\r\n]%/.test(text)) return [{ start: 0, end: text.length }];
  const out: Array<{ start: number; end: number }> = [];
  const marker = /(^|\n|\r(?!\n))---(?=[ \t\r\n]|$)/g;
  let start = 0;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    const at = m.index + (m[1]?.length ?? 0);
    if (at > start) out.push({ start, end: at });
    start = at;
  }
  out.push({ start, end: text.length });
  return out;
}
