/** encoding/json as templates use it: Marshal (sorted keys, HTML escaping), MarshalIndent, Unmarshal (numbers are float64). */
import { jsonFloat } from '../yaml';
import { assertExpandable, compareGo, GoList, GoMap, GoStruct, I64 } from '../values';
import type { Value } from '../values';
import { base64Encode } from './encoding';
import { durationNanos, isDuration } from './gotime';

function jsonString(s: string, html: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20) {
      if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (c === 8) out += '\\b';
      else if (c === 12) out += '\\f';
      else out += `\\u00${c.toString(16).padStart(2, '0')}`;
    } else if (html && (ch === '<' || ch === '>' || ch === '&')) out += `\\u00${c.toString(16)}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

export interface JsonOptions {
  html?: boolean;
  indent?: string;
}

export function toJsonText(v: Value, opts: JsonOptions = {}, prefix = '', depth = 0): string {
  const html = opts.html ?? true;
  if (depth === 0) assertExpandable(v, 'json');
  if (depth > 1000) throw new Error('json: unsupported value: encountered a cycle');
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return jsonString(v, html);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof I64) return v.v.toString();
  if (typeof v === 'number') return jsonFloat(v);
  if (v instanceof Uint8Array) return jsonString(base64Encode(v), html);
  const ind = opts.indent;
  const nl = ind !== undefined ? `\n${prefix}${ind}` : '';
  const close = ind !== undefined ? `\n${prefix}` : '';
  const sep = ind !== undefined ? ': ' : ':';
  const inner = prefix + (ind ?? '');
  if (v instanceof GoMap || (v instanceof GoStruct && !isDuration(v))) {
    const entries: [string, Value][] =
      v instanceof GoMap ? v.sortedKeys().map((k) => [k, v.get(k)]) : [...v.fields.entries()];
    if (v instanceof GoStruct && v.stringer && v.typeName === 'time.Time')
      return jsonString(v.stringer(), html);
    if (entries.length === 0) return '{}';
    if (v instanceof GoMap) entries.sort(([a], [b]) => compareGo(a, b));
    return `{${entries.map(([k, x]) => `${nl}${jsonString(k, html)}${sep}${toJsonText(x, opts, inner, depth + 1)}`).join(',')}${close}}`;
  }
  if (v instanceof GoStruct) return durationNanos(v).toString();
  if (v instanceof GoList) {
    if (v.items.length === 0) return '[]';
    return `[${v.items.map((x) => `${nl}${toJsonText(x, opts, inner, depth + 1)}`).join(',')}${close}]`;
  }
  throw new Error(`json: unsupported type: ${typeof v}`);
}

/** json.Unmarshal into interface{}. Go's error texts for the common cases. */
export function fromJsonText(s: string): Value {
  let x: unknown;
  try {
    x = JSON.parse(s);
  } catch (e) {
    if (s.trim() === '') throw new Error('unexpected end of JSON input');
    throw new Error(`invalid character in JSON: ${(e as Error).message}`);
  }
  return fromJs(x);
}

export function fromJs(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (typeof x === 'boolean' || typeof x === 'string' || typeof x === 'number') return x;
  if (Array.isArray(x)) return new GoList(x.map(fromJs));
  if (typeof x === 'object') {
    const m = new GoMap();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) m.set(k, fromJs(v));
    return m;
  }
  return null;
}
