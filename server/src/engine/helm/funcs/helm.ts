/**
 * Helm's own template functions (pkg/engine/funcs.go, engine.go): toYaml and
 * friends, include and tpl (with Helm's recursion limit), required, fail,
 * lookup (empty, as `helm template` has no cluster), the duration helpers.
 */
import type { ValueOrigin } from '../../sources/sourcemap';
import { formatFloat, quoteGo } from '../gofmt';
import { SegText } from '../segtext';
import { ExecError, FuncError, Ret } from '../template/exec';
import type { CallCtx, Func } from '../template/exec';
import { parseTemplate, TemplateParseError } from '../template/parse';
import type { Tree } from '../template/parse';
import { assertExpandable, GoList, GoMap, GoStruct, I64, ValueTooLarge } from '../values';
import type { Value } from '../values';
import { readYamlDocuments, toYamlText, YamlError, yamlKeyLess } from '../yaml';
import { fromJsonText, toJsonText } from './json';
import { durationNanos, durationValue, isDuration, parseDuration } from './gotime';
import { strval, toFloat64 } from './convert';

/** A Go string argument (already checked by the executor), as text. */
const gs = (v: Value | undefined): string => (typeof v === 'string' ? v : strval(v ?? null));

const S = 'string';
const A = 'interface {}';

export const HELM_ERR_START = 'HELM_ERR_START';
export const HELM_ERR_END = 'HELM_ERR_END';

const f = (params: string[], fn: Func['fn'], variadic?: string): Func =>
  variadic !== undefined ? { params, fn, variadic } : { params, fn };

function valueOrigin(c: CallCtx, i: number): ValueOrigin | undefined {
  const p = c.provs[i];
  return p && !(p instanceof SegText) ? p : undefined;
}

function toYaml(v: Value, c: CallCtx, must: boolean): Value | Ret {
  try {
    const seg = toYamlText(v, valueOrigin(c, 0)).trimRight((ch) => ch === '\n');
    c.exec.grow(c.state, seg.length);
    return new Ret(seg.text, seg);
  } catch (e) {
    if (e instanceof ExecError || e instanceof ValueTooLarge) throw e;
    if (must) throw new FuncError((e as Error).message);
    return '';
  }
}

function fromYaml(s: string): GoMap {
  try {
    const docs = readYamlDocuments(s, { firstOnly: true });
    const d = docs[0];
    if (d === undefined || d === null) return new GoMap();
    if (!(d instanceof GoMap)) {
      const m = new GoMap();
      m.set(
        'Error',
        `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${d instanceof GoList ? 'array' : typeof d === 'string' ? 'string' : typeof d === 'boolean' ? 'bool' : 'number'} into Go value of type map[string]interface {}`,
      );
      return m;
    }
    return d;
  } catch (e) {
    const m = new GoMap();
    m.set('Error', e instanceof YamlError ? e.message : gs((e as Error).message));
    return m;
  }
}

function fromYamlArray(s: string): GoList {
  try {
    const d = readYamlDocuments(s, { firstOnly: true })[0];
    if (d === undefined || d === null) return new GoList([]);
    if (!(d instanceof GoList))
      return new GoList([
        `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${d instanceof GoMap ? 'object' : 'string'} into Go value of type []interface {}`,
      ]);
    return d;
  } catch (e) {
    return new GoList([(e as Error).message]);
  }
}

function tomlValue(v: Value): string {
  if (typeof v === 'string') return quoteGo(v);
  if (typeof v === 'boolean') return gs(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof I64) return v.v.toString();
  if (typeof v === 'number')
    return Number.isInteger(v) ? formatFloat(v, 'f', 1) : formatFloat(v, 'g', -1);
  if (v instanceof GoList) return `[${v.items.map(tomlValue).join(', ')}]`;
  return '""';
}

/** BurntSushi/toml's encoder for the shapes charts pass it. */
function toToml(v: Value, prefix = ''): string {
  if (prefix === '') assertExpandable(v, 'toml');
  if (!(v instanceof GoMap)) throw new Error('toml: top-level values must be Go maps or structs');
  let out = '';
  const keys = v.sortedKeys();
  const tables: string[] = [];
  for (const k of keys) {
    const x = v.get(k);
    if (x === null || x === undefined) continue;
    if (x instanceof GoMap) tables.push(k);
    else
      out += `${prefix ? '  '.repeat(prefix.split('.').length) : ''}${/^[A-Za-z0-9_-]+$/.test(k) ? k : quoteGo(k)} = ${tomlValue(x)}\n`;
  }
  for (const k of tables) {
    const name = prefix ? `${prefix}.${k}` : k;
    out += `${out ? '\n' : ''}${prefix ? '  '.repeat(prefix.split('.').length) : ''}[${name}]\n${toToml(v.get(k), name)}`;
  }
  return out;
}

const TPL_CACHE = new Map<string, Map<string, Tree> | TemplateParseError>();

export function helmFuncs(): [string, Func][] {
  return [
    [
      'toToml',
      f([A], ([v]) => {
        try {
          return toToml(v ?? null);
        } catch (e) {
          if (e instanceof ValueTooLarge) throw e;
          return (e as Error).message;
        }
      }),
    ],
    ['mustToToml', f([A], ([v]) => toToml(v ?? null))],
    [
      'fromToml',
      f([S], () => {
        const m = new GoMap();
        m.set('Error', 'fromToml is not supported by podsec');
        return m;
      }),
    ],
    ['toYaml', f([A], ([v], c) => toYaml(v ?? null, c, false))],
    ['mustToYaml', f([A], ([v], c) => toYaml(v ?? null, c, true))],
    ['toYamlPretty', f([A], ([v], c) => toYaml(v ?? null, c, false))],
    ['fromYaml', f([S], ([s]) => fromYaml(gs(s)))],
    ['fromYamlArray', f([S], ([s]) => fromYamlArray(gs(s)))],
    [
      'toJson',
      f([A], ([v]) => {
        try {
          return toJsonText(v ?? null);
        } catch (e) {
          if (e instanceof ValueTooLarge) throw e;
          return '';
        }
      }),
    ],
    ['mustToJson', f([A], ([v]) => toJsonText(v ?? null))],
    [
      'fromJson',
      f([S], ([s]) => {
        try {
          const v = fromJsonText(gs(s));
          if (v instanceof GoMap) return v;
          const m = new GoMap();
          if (v !== null)
            m.set(
              'Error',
              `json: cannot unmarshal ${v instanceof GoList ? 'array' : typeof v} into Go value of type map[string]interface {}`,
            );
          return m;
        } catch (e) {
          const m = new GoMap();
          m.set('Error', (e as Error).message);
          return m;
        }
      }),
    ],
    [
      'fromJsonArray',
      f([S], ([s]) => {
        try {
          const v = fromJsonText(gs(s));
          if (v instanceof GoList) return v;
          return new GoList(['json: cannot unmarshal object into Go value of type []interface {}']);
        } catch (e) {
          return new GoList([(e as Error).message]);
        }
      }),
    ],
    ['mustToDuration', f([A], ([v]) => durationValue(asDuration(v ?? null)))],
    ['durationSeconds', f([A], ([v]) => tryDur(v, (d) => Number(d) / 1e9, 0))],
    ['durationMilliseconds', f([A], ([v]) => new I64(tryDur(v, (d) => d / 1000000n, 0n)))],
    ['durationMicroseconds', f([A], ([v]) => new I64(tryDur(v, (d) => d / 1000n, 0n)))],
    ['durationNanoseconds', f([A], ([v]) => new I64(tryDur(v, (d) => d, 0n)))],
    ['durationMinutes', f([A], ([v]) => tryDur(v, (d) => Number(d) / 6e10, 0))],
    ['durationHours', f([A], ([v]) => tryDur(v, (d) => Number(d) / 3.6e12, 0))],
    ['durationDays', f([A], ([v]) => tryDur(v, (d) => Number(d) / 8.64e13, 0))],
    ['durationWeeks', f([A], ([v]) => tryDur(v, (d) => Number(d) / 6.048e14, 0))],
    [
      'durationRoundTo',
      f([A, A], ([v, m]) => {
        const d = asDuration(v ?? null);
        const u = asDuration(m ?? null);
        if (u <= 0n) return durationValue(d);
        const r = d % u;
        const half = u / 2n;
        return durationValue(
          d < 0n ? (-r >= half ? d - r - u : d - r) : r >= half ? d - r + u : d - r,
        );
      }),
    ],
    [
      'durationTruncateTo',
      f([A, A], ([v, m]) => {
        const d = asDuration(v ?? null);
        const u = asDuration(m ?? null);
        return durationValue(u <= 0n ? d : d - (d % u));
      }),
    ],
    [
      'include',
      f([S, A], ([name, data], c) => {
        const n = gs(name);
        const counts = c.exec.includeCounts;
        const k = counts.get(n) ?? 0;
        if (k > 1000)
          throw new FuncError(
            `rendering template has a nested reference name: ${n}: unable to execute template`,
          );
        if (c.state.depth >= c.exec.limits.maxDepth) {
          if (k > 0)
            throw new FuncError(
              `rendering template has a nested reference name: ${n}: unable to execute template`,
            );
          throw c.exec.errorAt(
            c.state,
            `exceeded maximum template depth (${c.exec.limits.maxDepth})`,
            true,
          );
        }
        counts.set(n, k + 1);
        const out = new SegText();
        try {
          c.exec.execute(n, { v: data ?? null, p: c.provs[1] }, out, c.state.depth + 1);
        } finally {
          counts.set(n, (counts.get(n) ?? 1) - 1);
        }
        return new Ret(out.text, out);
      }),
    ],
    [
      'tpl',
      f([S, A], ([text, data], c) => {
        const t = gs(text);
        let parsed = TPL_CACHE.get(t);
        if (!parsed) {
          try {
            parsed = parseTemplate('gotpl', t, { hasFunction: (n) => c.exec.funcs.has(n) });
          } catch (e) {
            if (!(e instanceof TemplateParseError)) throw e;
            parsed = e;
          }
          if (TPL_CACHE.size > 2000) TPL_CACHE.clear();
          TPL_CACHE.set(t, parsed);
        }
        if (parsed instanceof TemplateParseError)
          throw new FuncError(`cannot parse template ${quoteGo(t)}: ${parsed.message}`);
        if (c.state.depth >= c.exec.limits.maxDepth)
          throw c.exec.errorAt(
            c.state,
            `exceeded maximum template depth (${c.exec.limits.maxDepth})`,
            true,
          );
        const saved = new Map<string, Tree | undefined>();
        for (const [n, tree] of parsed) {
          if (n === 'gotpl') continue;
          saved.set(n, c.exec.templates.get(n));
          c.exec.addTree(n, tree);
        }
        const out = new SegText();
        try {
          const root = parsed.get('gotpl');
          if (root)
            c.exec.executeTree(
              root,
              { v: data ?? null, p: c.provs[1] },
              out,
              c.state.depth + 1,
              valueOrigin(c, 0),
            );
        } catch (e) {
          if (e instanceof ExecError && !e.limit)
            throw new ExecError(
              `error during tpl function execution for ${quoteGo(t)}: ${e.message}`,
              e.parseName,
              e.offset,
              e.text,
            );
          throw e;
        } finally {
          for (const [n, old] of saved) {
            if (old) c.exec.templates.set(n, old);
            else c.exec.templates.delete(n);
          }
        }
        const res = out.replaceAll('<no value>', '');
        return new Ret(res.text, res);
      }),
    ],
    [
      'required',
      f([S, A], ([warn, val], c) => {
        if (val === null || val === undefined || val === '')
          throw new FuncError(`${HELM_ERR_START}${gs(warn)}${HELM_ERR_END}`);
        return new Ret(val, c.provs[1]);
      }),
    ],
    [
      'fail',
      f([S], ([msg]) => {
        throw new FuncError(`${HELM_ERR_START}${gs(msg)}${HELM_ERR_END}`);
      }),
    ],
    ['lookup', f([S, S, S, S], () => new GoMap())],
  ];
}

function asDuration(v: Value): bigint {
  if (isDuration(v)) return durationNanos(v);
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') throw new FuncError('empty duration');
    try {
      return parseDuration(s);
    } catch {
      const x = Number(s);
      if (!Number.isNaN(x) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s))
        return BigInt(Math.round(x * 1e9));
      throw new FuncError(`could not parse duration ${quoteGo(v)}`);
    }
  }
  if (v === null || v === undefined) throw new FuncError('invalid duration');
  if (typeof v === 'bigint') return v * 1000000000n;
  if (v instanceof I64) return v.v * 1000000000n;
  if (typeof v === 'number') return BigInt(Math.round(toFloat64(v) * 1e9));
  throw new FuncError(`unsupported duration type ${v instanceof GoStruct ? v.typeName : typeof v}`);
}

function tryDur<T>(v: Value | undefined, fn: (d: bigint) => T, dflt: T): T {
  try {
    return fn(asDuration(v ?? null));
  } catch {
    return dflt;
  }
}

export { yamlKeyLess };
