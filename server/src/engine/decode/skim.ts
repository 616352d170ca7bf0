/**
 * Reading a document's kind from the YAML parser's token stream (the `yaml`
 * package's Lexer and Parser, its CST), without composing it into nodes.
 *
 * The engine composes only what some check or view reads (see ../kinds.ts);
 * a CustomResourceDefinition or a ConfigMap is never read, and composing it
 * is most of the work of opening a large install manifest. But composing is
 * also where most YAML errors are found, and a skipped document must report
 * exactly what it reported before. So `skim` answers only for a document it
 * can prove composes without an error or a kubectl decoding issue: a single
 * document of block maps, block sequences, plain, quoted and block scalars,
 * with no anchor, alias, tag, flow collection (but an empty `{}` or `[]`),
 * directive, tab, merge key or repeated key, nothing the parser marked as an
 * error, and every check the composer makes on such tokens (indentation,
 * comment spacing, implicit keys, escapes, block scalar headers and
 * indentation) passed. Anything else gives null, and the document is
 * composed as always.
 */
import { Parser } from 'yaml';
import type { CST } from 'yaml';

/** A document's identity as the token stream shows it, when it composes cleanly. */
export interface Skimmed {
  apiVersion: string;
  kind: string;
  /** The document opens with `---`. */
  docStart: boolean;
}

type Token = CST.Token;
type SourceToken = CST.SourceToken;

/** Longest implicit key the composer accepts (strict mode: 1,024 characters, with room). */
const MAX_KEY = 1000;
/** Plain scalars that YAML 1.1 reads as something other than a string. */
const NOT_A_STRING =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
/** What a kind or apiVersion read as a string looks like (anything else: compose). */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9.\-/]*$/;
/** Characters a plain scalar may not start with (the composer's BAD_SCALAR_START, and tab). */
const BAD_PLAIN_START = new Set(['\t', ',', '%', '|', '>', '@', '`']);
const SIMPLE_ESCAPE = new Set([...'0abtnvfre "/\\N_LP']);

class NotClean extends Error {}
function fail(): never {
  throw new NotClean();
}

/**
 * Tokens as the composer reads a node's properties: space (no tab), newline
 * and comment (after white space) tokens, and at most one `indicator` (`:`,
 * `-`, `---`), before which a comment may stand only if `commentFirst`.
 * Anything else fails. Returns the indicator and whether a newline came.
 */
function props(
  tokens: readonly SourceToken[] | undefined,
  indicator: string | null,
  hasSpace: boolean,
  commentFirst = true,
): { found: SourceToken | null; newline: boolean } {
  let found: SourceToken | null = null;
  let newline = false;
  for (const t of tokens ?? []) {
    if (indicator !== null && t.type === indicator) {
      if (found) fail();
      found = t;
      hasSpace = false;
    } else if (t.type === 'space') {
      if (t.source.includes('\t')) fail();
      hasSpace = true;
    } else if (t.type === 'newline') {
      hasSpace = true;
      newline = true;
    } else if (t.type === 'comment') {
      if (!hasSpace || (!commentFirst && !found)) fail();
    } else fail();
  }
  return { found, newline };
}

/** Space, newline and comment tokens, with comments separated by white space. */
const spacing = (tokens: readonly SourceToken[] | undefined, hasSpace: boolean): void =>
  void props(tokens, null, hasSpace);

function doubleQuotedClean(inner: string): boolean {
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] !== '\\') continue;
    const c = inner[i + 1] ?? '';
    if (SIMPLE_ESCAPE.has(c)) i++;
    else if (c === 'x' && /^[0-9a-fA-F]{2}$/.test(inner.slice(i + 2, i + 4))) i += 3;
    else if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(inner.slice(i + 2, i + 6))) i += 5;
    else return false;
  }
  return true;
}

/** The text of a flow scalar if it is clean (null for a plain empty one), or fail. */
function flowScalar(t: CST.FlowScalar): string {
  const s = t.source;
  if (t.type === 'scalar') {
    if (s.length > 0 && BAD_PLAIN_START.has(s[0]!)) fail();
    spacing(t.end, false);
    return s;
  }
  if (t.type === 'single-quoted-scalar') {
    if (s.length < 2 || !s.endsWith("'")) fail();
    spacing(t.end, false);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (t.type === 'double-quoted-scalar') {
    if (s.length < 2 || !s.endsWith('"')) fail();
    const inner = s.slice(1, -1);
    if (inner.includes('\n') || inner.includes('\r') || !doubleQuotedClean(inner)) fail();
    spacing(t.end, false);
    return inner;
  }
  return fail();
}

/** The composer's checks of a block scalar with no indentation indicator. */
function blockScalar(t: CST.BlockScalar): void {
  const [header, ...rest] = t.props;
  if (header?.type !== 'block-scalar-header' || !/^[|>][-+]?$/.test(header.source)) fail();
  let hasSpace = false;
  for (const p of rest) {
    if (p.type === 'space') {
      if (p.source.includes('\t')) fail();
      hasSpace = true;
    } else if (p.type === 'comment') {
      if (!hasSpace) fail();
    } else if (p.type !== 'newline') fail();
  }
  // Lines as the composer splits them: [indent of spaces, content].
  const split = t.source.split(/\n( *)/);
  const first = split[0] ?? '';
  const lead = /^( *)/.exec(first)?.[1] ?? '';
  const lines: Array<[string, string]> = [[lead, first.slice(lead.length)]];
  for (let i = 1; i < split.length; i += 2) lines.push([split[i] ?? '', split[i + 1] ?? '']);
  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const c = lines[i]![1];
    if (c === '' || c === '\r') chompStart = i;
    else break;
  }
  if (chompStart === 0) return;
  let trim = t.indent;
  let contentStart = 0;
  for (let i = 0; i < chompStart; i++) {
    const [indent, content] = lines[i]!;
    if (content === '' || content === '\r') {
      if (indent.length > trim) trim = indent.length;
      continue;
    }
    // More-indented leading empty lines, or content at column 0 inside a collection.
    if (indent.length < trim || indent.length === 0) fail();
    trim = indent.length;
    contentStart = i;
    break;
  }
  for (let i = contentStart; i < chompStart; i++) {
    const [indent, content] = lines[i]!;
    if (content !== '' && content !== '\r' && indent.length < trim) fail();
  }
}

/** Checks a node (a map value, a sequence item); returns a scalar's text, else null. */
function node(t: Token, depth: number): string | null {
  if (depth > 200) fail();
  switch (t.type) {
    case 'block-map':
      blockMap(t, depth);
      return null;
    case 'block-seq':
      blockSeq(t, depth);
      return null;
    case 'block-scalar':
      blockScalar(t);
      return null;
    case 'flow-collection': {
      // An empty `{}` or `[]` only.
      const [close, ...rest] = t.end;
      if (t.items.length > 0 || close?.source !== (t.start.source === '{' ? '}' : ']')) fail();
      spacing(rest, false);
      return null;
    }
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return flowScalar(t);
    default:
      return fail();
  }
}

/** A key of a map: its value's token, and the value's text when a single-line flow scalar. */
interface Entry {
  value: Token | undefined;
  text: string | null;
}

/** Checks a block map; returns its entries by key. */
function blockMap(m: CST.BlockMap, depth: number): Map<string, Entry> {
  const keys = new Map<string, Entry>();
  for (const item of m.items) {
    if ('explicitKey' in item && item.explicitKey) fail();
    spacing(item.start, true);
    const { key, sep, value } = item;
    if (!key || !sep) fail();
    if (
      key.type !== 'scalar' &&
      key.type !== 'single-quoted-scalar' &&
      key.type !== 'double-quoted-scalar'
    )
      fail();
    const k = key;
    if (k.indent !== m.indent || k.source.includes('\n') || k.source.includes('\r')) fail();
    if (k.end?.some((e) => e.type === 'newline')) fail();
    // An escape in a key would have to be decoded to compare it with the other keys: compose.
    if (k.type === 'double-quoted-scalar' && k.source.includes('\\')) fail();
    const name = flowScalar(k);
    // `<<` merges, an empty or null key, and repeated keys (kubectl reports them): compose.
    if (name === '<<' || name === '' || (k.type === 'scalar' && NOT_A_STRING.test(name))) fail();
    if (keys.has(name)) fail();
    // The separator: one `:`, comments after it and white space, no tab.
    const { found: indicator, newline } = props(sep, 'map-value-ind', false, false);
    if (!indicator || indicator.offset - k.offset > MAX_KEY) fail();
    let text: string | null = null;
    if (value) {
      if ((value.type === 'block-map' || value.type === 'block-seq') && !newline) fail();
      text = node(value, depth + 1);
      if (text !== null && 'source' in value && value.source.includes('\n')) text = null;
    }
    keys.set(name, { value, text });
  }
  return keys;
}

function blockSeq(s: CST.BlockSequence, depth: number): void {
  for (const item of s.items) {
    if (!props(item.start, 'seq-item-ind', true).found) fail();
    if (item.value) node(item.value, depth + 1);
  }
}

/** A string value (kind, apiVersion) as the engine reads it, or fail. */
function identifier(e: Entry | undefined): string {
  const v = e?.text;
  if (v === null || v === undefined || !IDENTIFIER.test(v)) return fail();
  if (e?.value?.type === 'scalar' && NOT_A_STRING.test(v)) fail();
  return v;
}

/**
 * The apiVersion and kind of a document of the token stream when it
 * composes with no error or decoding issue (see the module comment); null
 * otherwise.
 */
export function skimDocument(doc: CST.Document): Skimmed | null {
  try {
    const start = props(doc.start, 'doc-start', true);
    const docStart = start.found !== null;
    const newline = start.newline;
    const value = doc.value;
    if (value?.type !== 'block-map' || value.indent !== 0) return null;
    if (docStart && !newline) return null;
    spacing(doc.end, true);
    const keys = blockMap(value, 0);
    const kind = identifier(keys.get('kind'));
    const apiVersion = identifier(keys.get('apiVersion'));
    // Every object's metadata is read (its name and namespace, as strings): it must be a map.
    const meta = keys.get('metadata');
    if (meta) {
      if (meta.value?.type !== 'block-map') return null;
      const fields = blockMap(meta.value, 1);
      for (const f of ['name', 'namespace']) {
        const t = fields.get(f)?.value?.type;
        if (t === 'block-map' || t === 'block-seq') return null;
      }
    }
    return { apiVersion, kind, docStart };
  } catch (e) {
    if (e instanceof NotClean) return null;
    throw e;
  }
}

/** `skimDocument` of a text that holds exactly one document (tests). */
export function skim(text: string): Skimmed | null {
  let doc: CST.Document | null = null;
  for (const t of new Parser().parse(text)) {
    if (t.type === 'document') {
      if (doc) return null;
      doc = t;
    } else if (t.type !== 'comment' && t.type !== 'newline' && t.type !== 'space') return null;
  }
  return doc ? skimDocument(doc) : null;
}
