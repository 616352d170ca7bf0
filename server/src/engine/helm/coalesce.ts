/**
 * Values as Helm merges them (pkg/chart/common/util/coalesce.go and
 * pkg/chart/v2/util/dependencies.go): the user's values over the chart's,
 * each dependency's values under its name (or alias), `global` copied down,
 * null deleting a key when coalescing, dependency `condition` and `tags`,
 * `import-values` in both forms. Origins travel with the values they name.
 */
import type { Chart, Dependency } from './chart';
import { chartName } from './chart';
import { checkConstraint, parseVersion } from './funcs/semver';
import { deepCopy, GoList, GoMap } from './values';
import type { Value } from './values';

export type Warn = (msg: string) => void;

const isTable = (v: Value): v is GoMap => v instanceof GoMap;

/** Masterminds' constraint check; an unparsable constraint or version is not compatible. */
export function isCompatibleRange(constraint: string, version: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  try {
    return checkConstraint(constraint, v);
  } catch {
    return false;
  }
}

function copyMap(m: GoMap): GoMap {
  return m.copy();
}

function cleanNil(m: GoMap): void {
  for (const [k, v] of [...m.m]) {
    if (v === null || v === undefined) m.delete(k);
    else if (v instanceof GoMap) cleanNil(v);
  }
}

function concatPrefix(a: string, b: string): string {
  return a === '' ? b : `${a}.${b}`;
}

export function coalesceTables(
  dst: GoMap | null,
  src: GoMap | null,
  prefix: string,
  merge: boolean,
  warn: Warn,
): GoMap | null {
  if (src === null) return dst;
  if (dst === null) return src;
  const srcNonNil = new Set<string>();
  for (const [k, v] of src.m) if (v !== null && v !== undefined) srcNonNil.add(k);
  for (const [k, v] of dst.m) if (v === null) src.set(k, null, dst.origin(k));
  for (const [k, val] of [...src.m]) {
    const full = concatPrefix(prefix, k);
    const ok = dst.has(k);
    const dv = dst.get(k);
    if (ok && !merge && dv === null && srcNonNil.has(k)) dst.delete(k);
    else if (!ok) dst.set(k, val, src.origin(k));
    else if (isTable(val)) {
      if (isTable(dv)) coalesceTables(dv, val, full, merge, warn);
      else warn(`warning: cannot overwrite table with non table for ${full}`);
    } else if (isTable(dv) && val !== null)
      warn(`warning: destination for ${full} is a table. Ignoring non-table value`);
  }
  return dst;
}

function childIsChart(c: Chart, key: string): boolean {
  return c.dependencies.some((d) => chartName(d) === key);
}

function coalesceValues(c: Chart, v: GoMap, prefix: string, merge: boolean, warn: Warn): void {
  const sub = concatPrefix(prefix, chartName(c));
  const vc = deepCopy(c.values) as GoMap;
  for (const [key, val] of vc.m) {
    if (v.has(key)) {
      const value = v.get(key);
      if (value === null && !merge) v.delete(key);
      else if (value instanceof GoMap) {
        if (!(val instanceof GoMap)) {
          if (val !== null) warn(`warning: skipped value for ${sub}.${key}: Not a table.`);
        } else {
          const m2 = childIsChart(c, key) ? true : merge;
          if (!m2) cleanNil(val);
          coalesceTables(value, val, concatPrefix(sub, key), m2, warn);
        }
      }
    } else {
      if (!merge) {
        if (val === null) continue;
        if (val instanceof GoMap) cleanNil(val);
      }
      v.set(key, val, vc.origin(key));
    }
  }
}

function coalesceGlobals(dest: GoMap, src: GoMap, prefix: string, warn: Warn): void {
  let dg: GoMap;
  let sg: GoMap;
  const d = dest.get('global');
  if (!dest.has('global')) dg = new GoMap();
  else if (d instanceof GoMap) dg = d;
  else {
    warn('warning: skipping globals because destination global is not a table.');
    return;
  }
  const s = src.get('global');
  if (!src.has('global')) sg = new GoMap();
  else if (s instanceof GoMap) sg = s;
  else {
    warn('warning: skipping globals because source global is not a table.');
    return;
  }
  for (const [key, val] of sg.m) {
    if (val instanceof GoMap) {
      const vv = copyMap(val);
      const dv = dg.get(key);
      if (!dg.has(key)) dg.set(key, vv, sg.origin(key));
      else if (!(dv instanceof GoMap))
        warn(`Conflict: cannot merge map onto non-map for "${key}". Skipping.`);
      else {
        coalesceTables(vv, dv, concatPrefix(prefix, key), true, warn);
        dg.set(key, vv, sg.origin(key));
      }
    } else if (dg.has(key) && isTable(dg.get(key))) warn(`key ${key} is table. Skipping`);
    else dg.set(key, val, sg.origin(key));
  }
  dest.set('global', dg, dest.origin('global') ?? src.origin('global'));
}

function coalesceDeps(c: Chart, dest: GoMap, prefix: string, merge: boolean, warn: Warn): GoMap {
  for (const sub of c.dependencies) {
    const name = chartName(sub);
    if (!dest.has(name)) dest.set(name, new GoMap());
    else if (!isTable(dest.get(name)))
      throw new Error(`type mismatch on ${name}: %!t(${typeof dest.get(name)})`);
    const dv = dest.get(name) as GoMap;
    const subPrefix = concatPrefix(prefix, chartName(c));
    coalesceGlobals(dv, dest, subPrefix, warn);
    dest.set(name, coalesce(sub, dv, subPrefix, merge, warn), dest.origin(name));
  }
  return dest;
}

function coalesce(c: Chart, dest: GoMap, prefix: string, merge: boolean, warn: Warn): GoMap {
  coalesceValues(c, dest, prefix, merge, warn);
  return coalesceDeps(c, dest, prefix, merge, warn);
}

/** CoalesceValues: the user's values (copied) over the chart's and its dependencies'. */
export function coalesceChartValues(c: Chart, vals: GoMap, warn: Warn = () => {}): GoMap {
  const copy = deepCopy(vals) as GoMap;
  copy.typeName = 'map[string]interface {}';
  return coalesce(c, copy, '', false, warn);
}

/** MergeValues: as coalescing, but nulls are kept. */
export function mergeChartValues(c: Chart, vals: GoMap, warn: Warn = () => {}): GoMap {
  const copy = deepCopy(vals) as GoMap;
  return coalesce(c, copy, '', true, warn);
}

// ---------------------------------------------------------------- dependencies

/** Values.Table: a dotted path of maps. */
export function table(v: GoMap, path: string): GoMap | null {
  let t: GoMap = v;
  for (const n of path.split('.')) {
    const x = t.get(n);
    if (!t.has(n) || !(x instanceof GoMap)) return null;
    t = x;
  }
  return t;
}

/** Values.PathValue: a non-table value at a dotted path. */
function pathValue(v: GoMap, path: string): { ok: boolean; v: Value } {
  const parts = path.split('.');
  const key = parts.pop() ?? '';
  const t = parts.length ? table(v, parts.join('.')) : v;
  if (!t || !t.has(key) || isTable(t.get(key))) return { ok: false, v: null };
  return { ok: true, v: t.get(key) };
}

function processTags(reqs: Dependency[], cvals: GoMap, warn: Warn): void {
  const vt = table(cvals, 'tags');
  if (!vt) return;
  for (const r of reqs) {
    let hasTrue = false;
    let hasFalse = false;
    for (const k of r.tags) {
      if (!vt.has(k)) continue;
      const b = vt.get(k);
      if (typeof b === 'boolean') {
        if (b) hasTrue = true;
        else hasFalse = true;
      } else warn(`returned non-bool value for tag ${k} of chart ${r.name}`);
    }
    if (!hasTrue && hasFalse) r.enabled = false;
    else if (hasTrue || (!hasTrue && !hasFalse)) r.enabled = true;
  }
}

function processConditions(reqs: Dependency[], cvals: GoMap, cpath: string, warn: Warn): void {
  for (const r of reqs) {
    for (const raw of r.condition.trim().split(',')) {
      const c = raw;
      if (c === '') continue;
      const pv = pathValue(cvals, cpath + c);
      if (pv.ok) {
        if (typeof pv.v === 'boolean') {
          r.enabled = pv.v;
          break;
        }
        warn(`returned non-bool value for condition ${c} of chart ${r.name}`);
      }
    }
  }
}

function aliasDependency(charts: Chart[], dep: Dependency): Chart | null {
  for (const c of charts) {
    if (chartName(c) !== dep.name) continue;
    if (!isCompatibleRange(dep.version, c.metadata.version)) continue;
    const out: Chart = {
      ...c,
      metadata: {
        ...c.metadata,
        dependencies: c.metadata.dependencies
          ? c.metadata.dependencies.map((d) => ({ ...d }))
          : null,
      },
      dependencies: [],
    };
    out.dependencies = c.dependencies.map((d) => ({ ...d, parent: out }));
    if (dep.alias !== '') out.metadata.name = dep.alias;
    return out;
  }
  return null;
}

function processEnabled(c: Chart, v: GoMap, path: string, warn: Warn): void {
  const reqs = c.metadata.dependencies;
  if (!reqs) return;
  const kept: Chart[] = [];
  outer: for (const existing of c.dependencies) {
    for (const req of reqs)
      if (
        chartName(existing) === req.name &&
        isCompatibleRange(req.version, existing.metadata.version)
      )
        continue outer;
    kept.push(existing);
  }
  for (const req of reqs) {
    const d = aliasDependency(c.dependencies, req);
    if (d) kept.push(d);
    if (req.alias !== '') req.name = req.alias;
  }
  for (const d of kept) d.parent = c;
  c.dependencies = kept;
  for (const r of reqs) r.enabled = true;
  const cvals = coalesceChartValues(c, v, warn);
  processTags(reqs, cvals, warn);
  processConditions(reqs, cvals, path, warn);
  const rm = new Set(reqs.filter((r) => !r.enabled).map((r) => r.name));
  const cd = c.dependencies.filter((d) => !rm.has(chartName(d)));
  const meta = reqs.filter((r) => !rm.has(r.name));
  for (const t of cd) processEnabled(t, cvals, `${path}${chartName(t)}.`, warn);
  c.metadata.dependencies = meta;
  c.dependencies = cd;
}

function pathToMap(path: string, data: GoMap): GoMap {
  if (path === '.') return data;
  let cur = data;
  for (const p of path.split('.').reverse()) cur = new GoMap([[p, cur]]);
  return cur;
}

function processImportValues(c: Chart, warn: Warn): void {
  const reqs = c.metadata.dependencies;
  if (!reqs) return;
  const cvals = mergeChartValues(c, new GoMap(), warn);
  let b = new GoMap();
  for (const r of reqs) {
    const outiv: unknown[] = [];
    for (const riv of r.importValues) {
      if (riv && typeof riv === 'object' && !Array.isArray(riv)) {
        const o = riv as Record<string, unknown>;
        const child = typeof o.child === 'string' ? o.child : '<nil>';
        const parent = typeof o.parent === 'string' ? o.parent : '<nil>';
        outiv.push({ child, parent });
        const vv = table(cvals, `${r.name}.${child}`);
        if (!vv) {
          warn(`ImportValues missing table from chart ${r.name}: ${child}`);
          continue;
        }
        b = coalesceTables(b, pathToMap(parent, deepCopy(vv) as GoMap), '', true, warn) ?? b;
      } else if (typeof riv === 'string') {
        const child = `exports.${riv}`;
        outiv.push({ child, parent: '.' });
        const vm = table(cvals, `${r.name}.${child}`);
        if (!vm) {
          warn(`ImportValues missing table: ${child}`);
          continue;
        }
        b = coalesceTables(b, deepCopy(vm) as GoMap, '', true, warn) ?? b;
      }
    }
    r.importValues = outiv;
  }
  c.values = coalesceTables(deepCopy(cvals) as GoMap, b, '', true, warn) ?? c.values;
}

function processImports(c: Chart, warn: Warn): void {
  for (const d of c.dependencies) processImports(d, warn);
  processImportValues(c, warn);
}

/** ProcessDependencies: drop disabled dependencies, then import values from the enabled ones. */
export function processDependencies(c: Chart, vals: GoMap, warn: Warn = () => {}): void {
  processEnabled(c, vals, '', warn);
  processImports(c, warn);
}

export { GoList };
