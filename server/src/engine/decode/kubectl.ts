/**
 * YAML as kubectl decodes it. kubectl (through sigs.k8s.io/yaml) reads each
 * part of a stream between `---` lines with go-yaml v2 and turns it into
 * JSON; the API server then decodes that JSON. Where that differs from the
 * YAML library's reading, this module says so:
 *
 * - a map or a list used as a key: go-yaml v2 fails ("invalid map key");
 * - an alias to an anchor not defined before it: "unknown anchor referenced";
 * - `<<` whose value is not a map or a list of maps: "map merge requires map
 *   or sequence of maps as the value";
 * - duplicate keys: decoding keeps the last value (reported, still evaluated);
 * - a document after `...` with no `---` of its own: kubectl splits the stream
 *   on `---` only and decodes the first document of each part, so it never
 *   sees that one;
 * - plain scalars resolve as go-yaml v2's resolver does (`resolvePlain`).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Diagnostic } from '../types';

export interface DecodeReport {
  errors: Diagnostic[];
  /** True when kubectl could not decode the document at all. */
  fatal: boolean;
}

function spanOf(node: Node | null | undefined, fallback: number): { start: number; end: number } {
  const r = node?.range;
  return r ? { start: r[0], end: Math.max(r[0], r[1]) } : { start: fallback, end: fallback };
}

function keyName(key: unknown): string | null {
  if (!isScalar(key)) return null;
  if (typeof key.value === 'string') return key.value;
  if (typeof key.value === 'number' || typeof key.value === 'boolean')
    return key.source ?? String(key.value);
  return null;
}

export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.source === '<<');
}

/** What kubectl's decoder rejects or reads differently in one parsed document. */
export function decodeIssues(doc: Document.Parsed): DecodeReport {
  const out: DecodeReport = { errors: [], fatal: false };
  const start = doc.range[0];
  const anchors = new Map<string, Node>();
  const error = (node: Node | null | undefined, message: string, fatal: boolean): void => {
    out.errors.push({
      message,
      span: spanOf(node, start),
      code: 'yaml',
      severity: 'error',
    });
    if (fatal) out.fatal = true;
  };
  const target = (n: unknown): unknown => (isAlias(n) ? anchors.get(n.source) : n);
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        if (!anchors.has(node.source))
          error(
            node,
            `unknown anchor '${node.source}' referenced (an alias must follow its anchor's definition, as kubectl reads YAML)`,
            true,
          );
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (!isMap(node)) return;
      const seen = new Map<string, Node>();
      for (const it of node.items) {
        if (!isPair(it)) continue;
        const k = it.key as Node | null;
        const kt = target(k);
        if (isMap(kt) || isSeq(kt)) {
          error(
            k,
            'invalid map key: a map or a list cannot be a key (kubectl cannot decode it; a {{ … }} template action?)',
            true,
          );
          continue;
        }
        if (isMergeKey(k)) {
          const v = target(it.value);
          if (v === undefined) continue; // an unknown anchor, reported at the alias
          const ok =
            isMap(v) ||
            (isSeq(v) && v.items.every((i) => isMap(target(i)) || target(i) === undefined));
          if (!ok)
            error(
              (it.value as Node | null) ?? k,
              'map merge requires map or sequence of maps as the value',
              true,
            );
          continue;
        }
        const name = keyName(k);
        if (name === null) continue;
        if (seen.has(name)) {
          error(
            k,
            `duplicate key "${name}": Kubernetes reads the last value, which podsec evaluates`,
            false,
          );
        }
        seen.set(name, k as Node);
      }
    },
  });
  return out;
}

/**
 * The documents kubectl never reads: after the first of a `---`-delimited
 * part, a document that does not open with its own `---` (it follows a `...`
 * end marker). Empty ones are nothing to lose. Each is a note, not an
 * error: the YAML is valid, kubectl just never sends that document, so it
 * counts as not evaluated (`--fail-on-skipped`), not as a failure.
 */
export function unreadAfterEnd(
  docs: readonly Document.Parsed[],
): Array<{ index: number; diagnostic: Diagnostic }> {
  const out: Array<{ index: number; diagnostic: Diagnostic }> = [];
  docs.forEach((doc, i) => {
    if (i === 0 || doc.directives?.docStart === true) return;
    const c = doc.contents as Node | null;
    if (!c || (isScalar(c) && c.value === null)) return;
    out.push({
      index: i,
      diagnostic: {
        message:
          'Document not evaluated: kubectl splits a stream on "---" only, so after the "..." end marker it does not read the rest of this part. Start this document with "---"',
        span: spanOf(c, doc.range[0]),
        code: 'yaml',
        severity: 'information',
      },
    });
  });
  return out;
}

/** A plain scalar as go-yaml v2 resolves it (the part podsec needs: numbers). */
export type Resolved =
  { kind: 'int'; value: number } | { kind: 'float'; value: number } | { kind: 'other' };

const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS = new Set([
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '.nan',
  '.NaN',
  '.NAN',
]);
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64) together (no underscores left). */
function goParseInt(s: string): bigint | null {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const sign = m[1] ?? '';
  let digits = m[2] ?? '0';
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  let v: bigint;
  try {
    v = BigInt(digits.toLowerCase());
  } catch {
    return null;
  }
  if (sign === '-') v = -v;
  // ParseUint takes no sign; ParseInt stops at int64.
  if (v < INT64_MIN || v > UINT64_MAX || (sign !== '' && v > 2n ** 63n - 1n)) return null;
  return v;
}

/**
 * How go-yaml v2 resolves a plain (unquoted, untagged) scalar that may be a
 * number: the first character decides (a digit or a sign: integer, then
 * float; a dot: float), underscores are dropped, and Go's base-0 integer
 * syntax applies (`0x50`, `0o120`, `0120` octal, `0b1010`, `+80`, `1_000`).
 */
export function resolvePlain(source: string): Resolved {
  if (source === '') return { kind: 'other' };
  if (SPECIAL_FLOATS.has(source)) return { kind: 'float', value: Number.NaN };
  const c = source.charAt(0);
  if (c === '.') {
    return FLOAT.test(source) ? { kind: 'float', value: Number(source) } : { kind: 'other' };
  }
  if (!/[0-9+-]/.test(c)) return { kind: 'other' };
  const plain = source.replace(/_/g, '');
  const i = goParseInt(plain);
  if (i !== null) return { kind: 'int', value: Number(i) };
  if (FLOAT.test(plain)) return { kind: 'float', value: Number(plain) };
  return { kind: 'other' };
}
