/**
 * values.schema.json, checked as Helm checks it (santhosh-tekuri/jsonschema
 * v6, formats not asserted): the chart's coalesced values against its schema,
 * then each dependency's values against the dependency's own; errors in that
 * library's words (`- at '/replicaCount': got string, want integer`).
 *
 * Written here rather than taken from npm: the common validators compile a
 * schema into JavaScript (new Function), and a schema comes from the
 * workspace; none prints Helm's messages either. Supported: type, enum,
 * const, properties, patternProperties, additionalProperties, required,
 * items/prefixItems/additionalItems, min/maxItems, uniqueItems, contains,
 * minimum/maximum/exclusive*, multipleOf, min/maxLength, pattern,
 * min/maxProperties, propertyNames, dependentRequired/dependencies,
 * allOf/anyOf/oneOf/not, if/then/else, local $ref (#, #/$defs/…, #/definitions/…).
 */
import type { Chart } from './chart';
import { chartName } from './chart';
import { LinearRegex } from '../linearRegex';
import { GoList, GoMap, I64 } from './values';
import type { Value } from './values';

type J = null | boolean | number | string | J[] | { [k: string]: J };

interface SchemaError {
  at: string;
  msg: string;
  causes?: SchemaError[];
}

function toJ(v: Value): J {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof I64) return Number(v.v);
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof GoList) return v.items.map(toJ);
  if (v instanceof GoMap) {
    const o: { [k: string]: J } = {};
    for (const [k, x] of v.m) o[k] = toJ(x);
    return o;
  }
  return null;
}

function jtype(v: J): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function quote(s: string): string {
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function display(v: J): string {
  if (typeof v === 'string') return quote(v);
  if (v !== null && typeof v === 'object') return 'value';
  return String(v);
}

function equal(a: J, b: J): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

function canon(v: J): J {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const o: { [k: string]: J } = {};
    for (const k of Object.keys(v).sort()) o[k] = canon(v[k] ?? null);
    return o;
  }
  return v;
}

const ptr = (base: string, k: string | number): string =>
  `${base}/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`;

class Validator {
  private depth = 0;
  constructor(private readonly root: J) {}

  private resolve(ref: string): J | undefined {
    if (!ref.startsWith('#')) return true; // remote references are not fetched: permissive, as Helm's URN loader
    let cur: J | undefined = this.root;
    const path = ref.slice(1);
    if (path === '') return cur;
    for (const raw of path.split('/').slice(1)) {
      const seg = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
    }
    return cur;
  }

  check(s: J | undefined, v: J, at: string): SchemaError[] {
    if (s === undefined || s === true) return [];
    if (s === false) return [{ at, msg: 'false schema' }];
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return [];
    if (++this.depth > 200) {
      this.depth--;
      return [{ at, msg: 'schema too deeply nested' }];
    }
    try {
      return this.checkObj(s, v, at);
    } finally {
      this.depth--;
    }
  }

  private checkObj(s: { [k: string]: J }, v: J, at: string): SchemaError[] {
    const errs: SchemaError[] = [];
    const t = jtype(v);
    if (typeof s.$ref === 'string') {
      const target = this.resolve(s.$ref);
      errs.push(...this.check(target, v, at));
    }
    if (s.type !== undefined) {
      const want = (Array.isArray(s.type) ? s.type : [s.type]).map((x) =>
        typeof x === 'string' ? x : JSON.stringify(x),
      );
      const ok = want.some((w) => w === t || (w === 'number' && t === 'integer'));
      if (!ok)
        errs.push({ at, msg: `got ${t === 'integer' ? 'number' : t}, want ${want.join(' or ')}` });
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, v))) {
      const prim = s.enum.every((e) => e === null || typeof e !== 'object');
      errs.push({
        at,
        msg: prim
          ? s.enum.length === 1
            ? `value must be ${display(s.enum[0] ?? null)}`
            : `value must be one of ${s.enum.map(display).join(', ')}`
          : 'enum failed',
      });
    }
    if (s.const !== undefined && !equal(s.const, v))
      errs.push({
        at,
        msg:
          s.const !== null && typeof s.const === 'object'
            ? 'const failed'
            : `value must be ${display(s.const)}`,
      });
    if (typeof v === 'number') {
      const num = (k: string): number | undefined => (typeof s[k] === 'number' ? s[k] : undefined);
      const min = num('minimum');
      const max = num('maximum');
      if (min !== undefined && (s.exclusiveMinimum === true ? v <= min : v < min))
        errs.push({
          at,
          msg: `${s.exclusiveMinimum === true ? 'exclusiveMinimum' : 'minimum'}: got ${v}, want ${min}`,
        });
      if (max !== undefined && (s.exclusiveMaximum === true ? v >= max : v > max))
        errs.push({
          at,
          msg: `${s.exclusiveMaximum === true ? 'exclusiveMaximum' : 'maximum'}: got ${v}, want ${max}`,
        });
      const emin = num('exclusiveMinimum');
      const emax = num('exclusiveMaximum');
      if (emin !== undefined && v <= emin)
        errs.push({ at, msg: `exclusiveMinimum: got ${v}, want ${emin}` });
      if (emax !== undefined && v >= emax)
        errs.push({ at, msg: `exclusiveMaximum: got ${v}, want ${emax}` });
      const mo = num('multipleOf');
      if (mo !== undefined && mo > 0 && Math.abs(v / mo - Math.round(v / mo)) > 1e-9)
        errs.push({ at, msg: `multipleOf: got ${v}, want ${mo}` });
    }
    if (typeof v === 'string') {
      const len = [...v].length;
      if (typeof s.minLength === 'number' && len < s.minLength)
        errs.push({ at, msg: `minLength: got ${len}, want ${s.minLength}` });
      if (typeof s.maxLength === 'number' && len > s.maxLength)
        errs.push({ at, msg: `maxLength: got ${len}, want ${s.maxLength}` });
      if (typeof s.pattern === 'string') {
        let ok = true;
        try {
          // Go's regular expressions, matched in linear time (a value cannot freeze the check);
          // a pattern Go does not read is never run by a backtracking engine instead.
          ok = new LinearRegex(s.pattern).test(v);
        } catch {
          ok = true;
        }
        if (!ok) errs.push({ at, msg: `${quote(v)} does not match pattern ${quote(s.pattern)}` });
      }
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems)
        errs.push({ at, msg: `minItems: got ${v.length}, want ${s.minItems}` });
      if (typeof s.maxItems === 'number' && v.length > s.maxItems)
        errs.push({ at, msg: `maxItems: got ${v.length}, want ${s.maxItems}` });
      if (s.uniqueItems === true) {
        outer: for (let i = 0; i < v.length; i++)
          for (let j = i + 1; j < v.length; j++)
            if (equal(v[i] ?? null, v[j] ?? null)) {
              errs.push({ at, msg: `items at ${i} and ${j} are equal` });
              break outer;
            }
      }
      let from = 0;
      if (Array.isArray(s.prefixItems)) {
        s.prefixItems.forEach((ps, i) => {
          if (i < v.length) errs.push(...this.check(ps, v[i] ?? null, ptr(at, i)));
        });
        from = s.prefixItems.length;
        if (s.items !== undefined)
          for (let i = from; i < v.length; i++)
            errs.push(...this.check(s.items, v[i] ?? null, ptr(at, i)));
      } else if (Array.isArray(s.items)) {
        s.items.forEach((is, i) => {
          if (i < v.length) errs.push(...this.check(is, v[i] ?? null, ptr(at, i)));
        });
        from = s.items.length;
        if (s.additionalItems === false && v.length > from)
          errs.push({ at, msg: `last ${v.length - from} additionalItem(s) not allowed` });
        else if (s.additionalItems !== undefined)
          for (let i = from; i < v.length; i++)
            errs.push(...this.check(s.additionalItems, v[i] ?? null, ptr(at, i)));
      } else if (s.items !== undefined)
        v.forEach((x, i) => errs.push(...this.check(s.items, x, ptr(at, i))));
      if (
        s.contains !== undefined &&
        !v.some((x, i) => this.check(s.contains, x, ptr(at, i)).length === 0)
      )
        errs.push({ at, msg: 'no items match contains schema' });
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (Array.isArray(s.required)) {
        const missing = s.required
          .map(String)
          .filter((k) => !Object.prototype.hasOwnProperty.call(v, k));
        if (missing.length === 1)
          errs.push({ at, msg: `missing property ${quote(missing[0] ?? '')}` });
        else if (missing.length > 1)
          errs.push({ at, msg: `missing properties ${missing.map(quote).join(', ')}` });
      }
      if (typeof s.minProperties === 'number' && keys.length < s.minProperties)
        errs.push({ at, msg: `minProperties: got ${keys.length}, want ${s.minProperties}` });
      if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties)
        errs.push({ at, msg: `maxProperties: got ${keys.length}, want ${s.maxProperties}` });
      const props =
        s.properties && typeof s.properties === 'object' && !Array.isArray(s.properties)
          ? s.properties
          : {};
      const pats =
        s.patternProperties &&
        typeof s.patternProperties === 'object' &&
        !Array.isArray(s.patternProperties)
          ? s.patternProperties
          : {};
      const extra: string[] = [];
      for (const k of keys.sort()) {
        const x = v[k] ?? null;
        let matched = false;
        if (Object.prototype.hasOwnProperty.call(props, k)) {
          matched = true;
          errs.push(...this.check(props[k], x, ptr(at, k)));
        }
        for (const [p, ps] of Object.entries(pats)) {
          let re: { test(s: string): boolean };
          try {
            re = new LinearRegex(p);
          } catch {
            continue;
          }
          if (re.test(k)) {
            matched = true;
            errs.push(...this.check(ps, x, ptr(at, k)));
          }
        }
        if (!matched && s.additionalProperties !== undefined) {
          if (s.additionalProperties === false) extra.push(k);
          else errs.push(...this.check(s.additionalProperties, x, ptr(at, k)));
        }
        if (s.propertyNames !== undefined && this.check(s.propertyNames, k, ptr(at, k)).length)
          errs.push({ at, msg: `invalid property ${quote(k)}` });
      }
      if (extra.length)
        errs.push({ at, msg: `additional properties ${extra.map(quote).join(', ')} not allowed` });
      const dr = s.dependentRequired ?? s.dependencies;
      if (dr && typeof dr === 'object' && !Array.isArray(dr)) {
        for (const [p, req] of Object.entries(dr)) {
          if (!Object.prototype.hasOwnProperty.call(v, p)) continue;
          if (Array.isArray(req)) {
            const missing = req
              .map(String)
              .filter((k) => !Object.prototype.hasOwnProperty.call(v, k));
            if (missing.length)
              errs.push({
                at,
                msg: `properties ${missing.map(quote).join(', ')} required, if ${quote(p)} exists`,
              });
          } else errs.push(...this.check(req, v, at));
        }
      }
    }
    if (Array.isArray(s.allOf)) {
      const causes = s.allOf.flatMap((x) => this.check(x, v, at));
      if (causes.length) errs.push({ at, msg: 'allOf failed', causes });
    }
    if (Array.isArray(s.anyOf)) {
      const results = s.anyOf.map((x) => this.check(x, v, at));
      if (!results.some((r) => r.length === 0))
        errs.push({ at, msg: 'anyOf failed', causes: results.flat() });
    }
    if (Array.isArray(s.oneOf)) {
      const results = s.oneOf.map((x) => this.check(x, v, at));
      const ok = results.map((r, i) => (r.length === 0 ? i : -1)).filter((i) => i >= 0);
      if (ok.length === 0)
        errs.push({ at, msg: 'oneOf failed, none matched', causes: results.flat() });
      else if (ok.length > 1)
        errs.push({ at, msg: `oneOf failed, subschemas ${ok[0]}, ${ok[1]} matched` });
    }
    if (s.not !== undefined && this.check(s.not, v, at).length === 0)
      errs.push({ at, msg: 'not failed' });
    if (s.if !== undefined) {
      const cond = this.check(s.if, v, at).length === 0;
      if (cond && s.then !== undefined) errs.push(...this.check(s.then, v, at));
      if (!cond && s.else !== undefined) errs.push(...this.check(s.else, v, at));
    }
    return errs;
  }
}

function format(errs: SchemaError[], indent = ''): string {
  return errs
    .map(
      (e) =>
        `${indent}- at ${quote(e.at)}: ${e.msg}\n${e.causes ? format(e.causes, `${indent}  `) : ''}`,
    )
    .join('');
}

/** Validate one schema text; null when the values meet it. */
export function validateSchemaText(schemaText: string, values: GoMap): string | null {
  let schema: J;
  try {
    schema = JSON.parse(schemaText) as J;
  } catch (e) {
    return `invalid character in values.schema.json: ${(e as Error).message}\n`;
  }
  const errs = new Validator(schema).check(schema, toJ(values), '');
  return errs.length ? format(errs) : null;
}

/** ValidateAgainstSchema: the chart and, recursively, each dependency with its own values. */
export function validateValues(c: Chart, values: GoMap): { message: string; file?: string } | null {
  let sb = '';
  let file: string | undefined;
  if (c.schema !== null) {
    const e = validateSchemaText(c.schema, values);
    if (e) {
      sb += `${chartName(c)}:\n${e}`;
      file = c.schemaPath;
    }
  }
  for (const d of c.dependencies) {
    const raw = values.get(chartName(d));
    if (!values.has(chartName(d)) || raw === null) continue;
    if (!(raw instanceof GoMap)) {
      sb += `${chartName(d)}:\ninvalid type for values: expected object (map), got ${typeof raw}\n`;
      continue;
    }
    const sub = validateValues(d, raw);
    if (sub) {
      sb += sub.message;
      file ??= sub.file;
    }
  }
  return sb ? { message: sb, ...(file ? { file } : {}) } : null;
}
