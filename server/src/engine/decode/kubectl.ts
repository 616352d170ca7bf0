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
 * - plain scalars resolve as go-yaml v2's resolver does (`resolvePlain`,
 *   `goScalarKind`);
 * - `.nan`, `.inf` and `-.inf` (go-yaml v2's special floats) cannot be
 *   written as JSON: kubectl fails on the document ("json: unsupported
 *   value: NaN", from encoding/json through sigs.k8s.io/yaml);
 * - a null key (`~: x`): sigs.k8s.io/yaml's JSON conversion fails
 *   ("unsupported map key of type: <nil>");
 * - an alias inside the node its anchor names (`a: &x {b: *x}`): go-yaml v2
 *   fails ("anchor 'x' value contains itself");
 * - `<<` on an alias of a list (`<<: *list`): go-yaml v2's merge() wants the
 *   alias to name a map; only a list written in place may hold maps;
 * - a quoted `"<<"` is an ordinary key, never a merge (isMerge: a plain
 *   `<<`, or one tagged `!!merge`).
 *
 * Upstream sources: go-yaml v2 (gopkg.in/yaml.v2, branch v2) resolve.go
 * (resolve, resolveTable, resolveMap) and decode.go (parser.alias,
 * decoder.alias, decoder.scalar, decoder.mapping, decoder.merge, isMerge);
 * sigs.k8s.io/yaml yaml.go (yamlToJSONTarget, convertToJSONableObject).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Document, Node, Scalar } from 'yaml';
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

/**
 * A map key as it reaches the API server, or null for keys that are not
 * scalars. sigs.k8s.io/yaml turns go-yaml v2's key into a JSON key: a
 * string as written, an integer in decimal (`0x10` is "16"), a boolean as
 * "true" or "false" (`yes` is "true"), a float as strconv.FormatFloat(f,
 * 'g', -1, 32) writes it (`1.50` is "1.5", `1e6` is "1e+06", `.inf` is
 * ".inf"). Other keys (a timestamp, one the YAML library read otherwise)
 * keep their text.
 */
export function jsonKey(key: unknown): string | null {
  if (!isScalar(key)) return null;
  if (key.type === 'PLAIN' && !key.tag && key.source !== undefined) {
    const k = goScalarKind(key.source);
    if (k.kind === 'bool') return String(k.value);
    if (k.kind === 'int') return k.text;
    if (k.kind === 'float') return goFloat32Text(k.value);
    if (k.kind === 'null') return null;
  }
  if (typeof key.value === 'string') return key.value;
  if (typeof key.value === 'number' || typeof key.value === 'boolean')
    return key.source ?? String(key.value);
  return null;
}

const keyName = jsonKey;

/**
 * strconv.FormatFloat(f, 'g', -1, 32): the fewest digits that read back as
 * the same float32, in %e form when the exponent is below -4 or at least 6
 * (two exponent digits at least), else plain; sigs.k8s.io/yaml writes the
 * special values as `.inf`, `-.inf`, `.nan`.
 */
export function goFloat32Text(v: number): string {
  if (Number.isNaN(v)) return '.nan';
  if (v === Infinity) return '.inf';
  if (v === -Infinity) return '-.inf';
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let e = f.toExponential(8);
  for (let p = 0; p <= 8; p++) {
    const c = f.toExponential(p);
    if (Math.fround(Number(c)) === f) {
      e = c;
      break;
    }
  }
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(e);
  if (!m) return String(f);
  const sign = m[1] ?? '';
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  const exp = Number(m[4]);
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const x = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${x < 10 ? `0${x}` : x}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** go-yaml v2's isMerge: a plain `<<`, or one tagged `!!merge`; a quoted "<<" is an ordinary key. */
export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  if (key.tag === 'tag:yaml.org,2002:merge') return true;
  return key.type === 'PLAIN' && (typeof key.value === 'symbol' || key.source === '<<');
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
    Node: (_key, node, path) => {
      if (isAlias(node)) {
        const to = anchors.get(node.source);
        if (!to)
          error(
            node,
            `unknown anchor '${node.source}' referenced (an alias must follow its anchor's definition, as kubectl reads YAML)`,
            true,
          );
        else if (path.includes(to))
          error(node, `anchor '${node.source}' value contains itself`, true);
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (isScalar(node)) {
        // A value JSON cannot hold: kubectl cannot send the document at all. (Keys are text.)
        const parent = path[path.length - 1];
        const isKey = isPair(parent) && parent.key === node;
        const special = isKey ? null : jsonUnsupported(node);
        if (special)
          error(
            node,
            `error converting YAML to JSON: json: unsupported value: ${special} (kubectl cannot send this document; quote it for a string)`,
            true,
          );
        return;
      }
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
        if (isScalar(k) && k.value === null && !isMergeKey(k)) {
          error(
            k,
            'error converting YAML to JSON: unsupported map key of type: <nil> (a null key; quote it for a string)',
            true,
          );
          continue;
        }
        if (isMergeKey(k)) {
          const v = target(it.value);
          if (v === undefined) continue; // an unknown anchor, reported at the alias
          // An alias must name a map; a list (written in place) may hold maps and aliases of maps.
          const ok =
            isMap(v) ||
            (isSeq(v) &&
              !isAlias(it.value) &&
              v.items.every((i) => isMap(target(i)) || target(i) === undefined));
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

/**
 * What JSON cannot write, for a scalar value: go-yaml v2 resolves `.nan`,
 * `.inf`, `-.inf` (plain, or tagged `!!float`) to NaN or an infinity, and
 * encoding/json refuses them ("NaN", "+Inf", "-Inf"). Null otherwise.
 */
function jsonUnsupported(node: Scalar): string | null {
  if (node.source === undefined) return null;
  const plain = node.type === 'PLAIN' && !node.tag;
  const float = node.tag === 'tag:yaml.org,2002:float';
  if (!plain && !float) return null;
  const src = node.source.trim();
  if (!SPECIAL_FLOATS.has(src)) return null;
  return src.toLowerCase().includes('nan') ? 'NaN' : src.startsWith('-') ? '-Inf' : '+Inf';
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
  if (SPECIAL_FLOATS.has(source)) {
    const value = /nan/i.test(source) ? Number.NaN : source.startsWith('-') ? -Infinity : Infinity;
    return { kind: 'float', value };
  }
  const c = source.charAt(0);
  // strconv.ParseFloat fails out of range (`1e400`): go-yaml v2 then keeps the text, a string.
  const float = (s: string): Resolved => {
    const v = Number(s);
    return Number.isFinite(v) ? { kind: 'float', value: v } : { kind: 'other' };
  };
  if (c === '.') return FLOAT.test(source) ? float(source) : { kind: 'other' };
  if (!/[0-9+-]/.test(c)) return { kind: 'other' };
  if (isGoTimestamp(source)) return { kind: 'other' };
  const plain = source.replace(/_/g, '');
  const i = goParseInt(plain);
  if (i !== null) return { kind: 'int', value: Number(i) };
  if (FLOAT.test(plain)) return float(plain);
  return { kind: 'other' };
}

/**
 * go-yaml v2's parseTimestamp, tried before numbers for plain scalars
 * starting with a digit or a sign: four digits, `-`, then one of
 * `2006-1-2T15:4:5.999999999Z07:00` (or `t`), `2006-1-2 15:4:5.999999999`,
 * `2006-1-2`. Decoded into an interface (what kubectl does), such a value
 * stays the text as written: a string.
 */
export function isGoTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  const date = '[0-9]{4}-(0?[1-9]|1[0-2])-(0?[1-9]|[12][0-9]|3[01])';
  const time = '([01]?[0-9]|2[0-3]):[0-5]?[0-9]:([0-5]?[0-9]|60)(\\.[0-9]{1,9})?';
  const zone = '(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])';
  return new RegExp(`^${date}(([Tt]${time}${zone})|( ${time}))?$`).test(s);
}

/** go-yaml v2's reading of a plain scalar into an interface, as kubectl decodes it. */
export type GoScalar =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: number; text: string }
  | { kind: 'float'; value: number }
  | { kind: 'string' };

/** resolve.go's resolveMap: the words that are booleans and nulls (exactly these spellings). */
const GO_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const GO_FALSE = new Set([
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
]);
const GO_NULL = new Set(['', '~', 'null', 'Null', 'NULL']);

/**
 * The type go-yaml v2 gives a plain, untagged scalar (resolve.go): the
 * booleans and nulls of its table, `.nan`/`.inf` and numbers as
 * `resolvePlain` reads them; a timestamp or anything else is a string.
 */
export function goScalarKind(source: string): GoScalar {
  if (GO_TRUE.has(source)) return { kind: 'bool', value: true };
  if (GO_FALSE.has(source)) return { kind: 'bool', value: false };
  if (GO_NULL.has(source)) return { kind: 'null' };
  const r = resolvePlain(source);
  if (r.kind === 'int') {
    const i = goParseInt(source.replace(/_/g, ''));
    return { kind: 'int', value: r.value, text: i !== null ? i.toString() : String(r.value) };
  }
  if (r.kind === 'float') return { kind: 'float', value: r.value };
  return { kind: 'string' };
}

/** The Go integer types of the fields the checks read (`hostPort` and `containerPort` are int32, `runAsUser` int64). */
export type GoIntType = 'int32' | 'int64';

export const GO_INT_RANGE: Readonly<Record<GoIntType, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [INT64_MIN, 2n ** 63n - 1n],
};

/**
 * A float64 as encoding/json writes it (floatEncoder), which is how
 * sigs.k8s.io/yaml passes go-yaml v2's floats on: the shortest digits that
 * read back as the same float64, in plain form from 1e-6 up to 1e21 and in
 * exponent form outside (`1e+21`, `1e-7`) — ECMAScript's Number to String,
 * except that Go keeps the sign of -0.
 */
export function goJsonFloat(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * Whether the API server's decoder (sigs.k8s.io/json, encoding/json's
 * literalStore) takes the JSON number `json` for a Go field of `type`: it
 * reads it with strconv.ParseInt(json, 10, 64) and refuses a parse error
 * or a value that overflows the type ("json: cannot unmarshal number …
 * into Go struct field … of type int32"). `whole` says the number is an
 * integer (it failed on the range only).
 */
export function goIntJson(json: string, type: GoIntType): { ok: boolean; whole: boolean } {
  if (!/^-?[0-9]+$/.test(json)) return { ok: false, whole: false };
  const v = BigInt(json);
  const [min, max] = GO_INT_RANGE[type];
  return { ok: v >= min && v <= max, whole: true };
}
