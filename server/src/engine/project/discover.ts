/**
 * Which files of a tree are plain manifests and which belong to something the
 * engine renders or builds first: a Helm chart (a folder with `Chart.yaml`;
 * every file under it is the chart's, its `charts/` subcharts included) or a
 * Kustomize kustomization (see ../kustomize/roots.ts for what reads what).
 *
 * Read through a SourceFs, so the command line, the language server and the
 * tests see the same answer.
 */
import type { SourceFs } from '../sources/sourceFs';
import {
  baseName,
  dirName,
  firstVisit,
  isInside,
  joinPath,
  normalizePath,
} from '../sources/sourceFs';
import { kustomizationGraph } from '../kustomize/roots';
import type { KustomizationGraph } from '../kustomize/roots';

export const CHART_FILE = 'Chart.yaml';

const SKIP = new Set(['node_modules', '.git']);

/** Whether `dir` holds a `Chart.yaml` file. */
export function isChartDir(fs: SourceFs, dir: string): boolean {
  const entries = fs.list(dir);
  return entries !== null && entries.some((e) => !e.dir && e.name === CHART_FILE);
}

/**
 * The chart a file (or folder) belongs to: the nearest folder at or above it
 * with a `Chart.yaml`, raised to its parent chart while it is a subchart
 * (`parent/charts/<child>`), since a subchart renders as part of its parent.
 * Null when no folder above it (inside what `fs` can read) is a chart.
 */
export function chartRootOf(
  fs: SourceFs,
  path: string,
  isChart: (dir: string) => boolean = (d) => isChartDir(fs, d),
): string | null {
  let dir = normalizePath(path);
  let found: string | null = null;
  for (;;) {
    if (isChart(dir)) {
      found = dir;
      break;
    }
    if (dir === '/') break;
    dir = dirName(dir);
  }
  if (found === null) return null;
  for (;;) {
    const holder = dirName(found);
    if (baseName(holder) !== 'charts' || holder === '/') break;
    const parent = dirName(holder);
    if (!isChart(parent)) break;
    found = parent;
  }
  return found;
}

/**
 * Whether `path` is one of the files Helm reads as the chart at `chartDir`:
 * a file of the chart's own folder (Chart.yaml, values.yaml, values files) or
 * anything under `templates/`, `charts/` or `crds/`. Other folders of a chart
 * (`ci/`, `examples/`) hold files Helm never renders: those are plain files.
 */
export function isChartFile(chartDir: string, path: string): boolean {
  const dir = normalizePath(chartDir);
  const p = normalizePath(path);
  if (!isInside(dir, p) || p === dir) return false;
  const rel = p.slice(dir === '/' ? 1 : dir.length + 1);
  const slash = rel.indexOf('/');
  if (slash < 0) return true;
  const top = rel.slice(0, slash);
  return top === 'templates' || top === 'charts' || top === 'crds';
}

export interface DiscoverOptions {
  /** Most directories walked. */
  maxDirs?: number;
}

export interface Project {
  root: string;
  /** Chart folders under `root` (outermost charts only; subcharts render with their parent), sorted. */
  charts: string[];
  /** The kustomizations under `root` and how they include each other. */
  kustomizations: KustomizationGraph;
  /** The chart a path under `root` belongs to (see `isChartFile`), or null. */
  chartOf(path: string): string | null;
}

/** Walk `root` (skipping node_modules and .git) for charts and kustomizations. */
export function discoverProject(fs: SourceFs, rootIn: string, o: DiscoverOptions = {}): Project {
  const root = normalizePath(rootIn);
  const max = o.maxDirs ?? 100_000;
  const charts: string[] = [];
  const stack = [root];
  const visited = new Set<string>();
  let seen = 0;
  while (stack.length > 0 && seen < max) {
    const dir = stack.pop() as string;
    if (!firstVisit(fs, dir, visited)) continue;
    seen++;
    const entries = fs.list(dir);
    if (!entries) continue;
    if (entries.some((e) => !e.dir && e.name === CHART_FILE)) {
      charts.push(dir);
      continue; // everything under a chart is the chart's
    }
    for (const e of [...entries].reverse())
      if (e.dir && !SKIP.has(e.name)) stack.push(joinPath(dir, e.name));
  }
  charts.sort();
  const kustomizations = kustomizationGraph(fs, root, { maxDirs: max });
  // A chart found inside another chart's charts/ folder was not descended into; one above `root` may still own `root`.
  const enclosing = chartRootOf(fs, root);
  if (enclosing !== null && !charts.includes(enclosing)) {
    charts.length = 0;
    charts.push(enclosing);
  }
  return {
    root,
    charts,
    kustomizations,
    chartOf(path: string): string | null {
      const p = normalizePath(path);
      let best: string | null = null;
      for (const c of charts)
        if (isChartFile(c, p) && (best === null || c.length > best.length)) best = c;
      return best;
    },
  };
}
