/**
 * Cases for the fidelity test against the real Helm: ../shared/helm holds public charts with the
 * output `helm template` (or Helm's Go engine) produced. Each case is rendered
 * with its args and compared with the golden output as data, with exactly the
 * quirks ../shared/helm/README.md lists: `checksum/config` and `helm.sh/chart`
 * dropped on both sides, null values dropped, empty documents dropped;
 * datadog-agent's goldens are filtered by key name (manifest.json lists the
 * names), so those keys are dropped on both sides too; helm-unittest's
 * snapshots are compared as helm-unittest stores them (leading newlines of
 * string values removed) and without the keys `STALE` lists. Documents are compared
 * as a multiset: cases written with --output-dir concatenate per-template
 * files, so their order is not Helm's print order.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderFromDisk, parseRenderArgs } from '@podsec/server/out/cli/render';
import type { RenderArgs } from '@podsec/server/out/cli/render';
import type { RenderedDocument } from '@podsec/server/out/engine/helm/render';
import { sharedDir } from '../../support/paths';

export const SHARED = resolve(sharedDir(), 'helm');

export interface Case {
  set: string;
  case: string;
  chart: string;
  args: string[];
  rendered: string;
}

export const DATADOG_DROP = new Set([
  'helm.sh/chart',
  'checksum',
  'chart',
  'install_id',
  'install_time',
  'token',
  'install_info',
]);

/**
 * helm-unittest writes a snapshot entry after removing the leading newlines of
 * every string value, in maps and lists at any depth (keys are kept as they
 * are): a block scalar that starts with an empty line is stored without it. For
 * its sets the same is done to both sides (`trim`); nothing else is changed.
 */
export function clean(v: unknown, drop: (k: string) => boolean, trim = false): unknown {
  if (trim && typeof v === 'string') return v.replace(/^\n+/, '');
  if (Array.isArray(v)) return v.filter((x) => x !== null).map((x) => clean(x, drop, trim));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === null || x === undefined || drop(k)) continue;
      out[k] = clean(x, drop, trim);
    }
    return out;
  }
  return v;
}

function docs(text: string, drop: (k: string) => boolean, trim = false): string[] {
  const out: string[] = [];
  for (const d of parseAllDocuments(text, { uniqueKeys: false })) {
    if (d.errors.length)
      throw new Error(`golden or output does not parse: ${d.errors[0]?.message ?? ''}`);
    const js: unknown = d.toJS({ maxAliasCount: -1 });
    if (js === null || js === undefined) continue;
    const c = clean(js, drop, trim);
    if (c && typeof c === 'object' && Object.keys(c).length === 0) continue;
    out.push(JSON.stringify(c));
  }
  return out.sort();
}

export function golden(path: string): string {
  if (!statSync(path).isDirectory()) return readFileSync(path, 'utf8');
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const f = join(d, n);
      if (statSync(f).isDirectory()) walk(f);
      else parts.push(readFileSync(f, 'utf8'));
    }
  };
  walk(path);
  return parts.join('\n---\n');
}

/** helm/helm's goldens come from its Go tests, which use test capabilities (KubeVersion v1.20.0). */
export const HELM_TESTS = new Set([
  'helm-testchart-lib-dep',
  'helm-testchart-lib-archive-dep',
  'helm-testchart-subchart',
]);

interface UnittestCase {
  name: string;
  suite_level?: {
    set?: Record<string, unknown>;
    templates?: string[];
    chart?: { version?: string; appVersion?: string };
    capabilities?: { majorVersion?: number; minorVersion?: number };
  };
  test_level?: { set?: Record<string, unknown>; template?: string; documentIndex?: number };
}

/**
 * helm-unittest cases: the values, chart overrides and capabilities the suite
 * and the test set (manifest.json, as helm-unittest applies them: each `set`
 * key a dotted path), and only the documents the snapshot holds (the test's
 * template and document index, or the suite's templates).
 */
function unittest(
  c: Case,
  parsed: RenderArgs,
): { filter: (d: RenderedDocument, i: number) => boolean } {
  const m = JSON.parse(readFileSync(join(SHARED, c.set, 'manifest.json'), 'utf8')) as {
    cases: UnittestCase[];
  };
  const u = m.cases.find((x) => x.name === c.case);
  const o = parsed.options;
  for (const set of [u?.suite_level?.set, u?.test_level?.set])
    for (const [k, v] of Object.entries(set ?? {}))
      (o.setJson ??= []).push(`${k}=${JSON.stringify(v)}`);
  if (u?.suite_level?.chart) o.overrideChart = u.suite_level.chart;
  const cap = u?.suite_level?.capabilities;
  if (cap?.majorVersion !== undefined)
    o.kubeVersion = `${cap.majorVersion}.${cap.minorVersion ?? 0}`;
  const one = u?.test_level?.template;
  const templates = one ? [one] : (u?.suite_level?.templates ?? []);
  const index = u?.test_level?.documentIndex;
  return {
    filter: (d, i) =>
      (templates.length === 0 || templates.some((t) => d.template.endsWith(`/${t}`))) &&
      (index === undefined || i === index),
  };
}

/**
 * Snapshot entries that helm-unittest keeps as first written: an entry of a
 * `matchSnapshot` with `matchRegex` is only matched against the pattern, never
 * compared with the stored entry nor rewritten, so a key that depends on a
 * template changed since then is stale. The key is dropped on both sides here;
 * fidelity.test.ts renders the chart as it was when the entry was written and
 * compares the whole document, that key included.
 */
export const STALE: Record<string, string> = {
  // sha256 of configmap.yaml before helm-unittest 432e617 changed its ingress list
  'helm-unittest-basic deployment-test-yaml--should-pass-all-kinds-of-assertion': 'checksum/health',
};

function oneRender(
  c: Case,
  chartDir: string,
  parsed: RenderArgs,
  drop: (k: string) => boolean,
): { error: string; docs: Map<string, string[]> } {
  let filter: (d: RenderedDocument, i: number) => boolean = () => true;
  if (c.set.startsWith('helm-unittest')) filter = unittest(c, parsed).filter;
  const r = renderFromDisk(chartDir, parsed);
  if (r.errors.length) return { error: r.errors.map((e) => e.message).join('\n'), docs: new Map() };
  const byTemplate = new Map<string, string[]>();
  const seen = new Map<string, number>();
  for (const d of r.documents) {
    const i = seen.get(d.template) ?? 0;
    seen.set(d.template, i + 1);
    if (!filter(d, i)) continue;
    const list = byTemplate.get(d.template) ?? [];
    list.push(
      ...docs(r.output.text.slice(d.start, d.end), drop, c.set.startsWith('helm-unittest')),
    );
    byTemplate.set(d.template, list);
  }
  return { error: '', docs: byTemplate };
}

/** Renders case `c` (from `chartDir` when given, every key compared) and compares it with its golden. */
export function renderCase(
  c: Case,
  chartDir?: string,
): {
  ok: boolean;
  message: string;
  ours: string[];
  theirs: string[];
} {
  const setDir = join(SHARED, c.set);
  const parsed = parseRenderArgs([...c.args]);
  parsed.valuesFiles = parsed.valuesFiles.map((p) => join(setDir, p));
  if (HELM_TESTS.has(c.set)) parsed.options.testCapabilities = true;
  const stale = chartDir ? undefined : STALE[`${c.set} ${c.case}`];
  const drop =
    c.set === 'datadog-agent'
      ? (k: string) => DATADOG_DROP.has(k) || k.startsWith('checksum/')
      : (k: string) => k === 'checksum/config' || k === 'helm.sh/chart' || k === stale;
  const theirs = docs(golden(join(SHARED, c.rendered)), drop, c.set.startsWith('helm-unittest'));
  // otel-* examples with several values files: one `helm template` per file into the same
  // folder, a template's file from a later run replacing the earlier one (manifest.json).
  const runs =
    c.set.startsWith('otel-') && parsed.valuesFiles.length > 1
      ? parsed.valuesFiles.map((v) => ({
          ...parsed,
          valuesFiles: [v],
          options: { ...parsed.options },
        }))
      : [parsed];
  const union = new Map<string, string[]>();
  for (const run of runs) {
    const one = oneRender(c, chartDir ?? join(SHARED, c.chart), run, drop);
    if (one.error) return { ok: false, message: one.error, ours: [], theirs };
    for (const [t, d] of one.docs) union.set(t, d);
  }
  const ours = [...union.values()].flat().sort();
  return { ok: JSON.stringify(ours) === JSON.stringify(theirs), message: '', ours, theirs };
}
