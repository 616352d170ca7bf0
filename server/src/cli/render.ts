/**
 * `podsec render <chart> [options]`: prints a chart's documents as
 * `helm template` does, rendered by the engine (no helm binary, no network),
 * with Helm's option names. A render error prints Helm's message and exits 1.
 * Other sources (a Kustomize directory) can be dispatched from `runRender`.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { readHandle, readRegular, readTextFile } from '../io/index';
import { renderChart } from '../engine/helm/render';
import { visibleLines } from '../engine/text';
import type { RenderOptions, RenderResult } from '../engine/helm/render';
import { isInside, normalizePath } from '../engine/sources/sourceFs';
import type { DirEntry, SourceFs } from '../engine/sources/sourceFs';

export const RENDER_HELP = `Usage: podsec render <chart> [options]

Prints the chart's documents as "helm template" does (each after
"---" and "# Source: <chart>/templates/<file>"), rendered in-process:
no helm binary, no network, no file outside the chart is read (values
files named with --values/--set-file excepted).

Options (Helm's names):
  -f, --values <file>         values file (repeatable; later files win)
      --set <k=v,...>         set values (a.b=c, a[0]=x, a={x,y})
      --set-string <k=v,...>  set values, always as strings
      --set-json <k=json,...> set values from JSON
      --set-file <k=path,...> set values from the files' text
      --release-name <name>   release name (default: release-name)
      --name-template <tpl>   template for the release name
  -n, --namespace <ns>        release namespace (default: default)
      --kube-version <v>      Capabilities.KubeVersion (default: v1.36.0)
  -a, --api-versions <list>   extra Capabilities.APIVersions (repeatable, comma-separated)
      --no-hooks              leave hooks out
      --include-crds          print the charts' crds/ first
  -s, --show-only <path>      only the documents of this template (repeatable)
      --is-upgrade            .Release.IsUpgrade instead of .Release.IsInstall
      --skip-schema-validation  do not check values against values.schema.json
  -h, --help                  print this help

Exit status: 0 when the chart rendered, 1 on a render error (Helm's message on
standard error), 2 on a usage error.
`;

export interface RenderIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const MAX_FILE = 5 * 1024 * 1024;

/** The disk under `root`, read-only, regular files only, never outside `root` (symlinks included). */
export class DiskFs implements SourceFs {
  private readonly root: string;
  /** The root as given (a path through a linked folder reads the same files). */
  private readonly given: string;
  constructor(root: string) {
    this.given = normalizePath(root);
    this.root = normalizePath(realpathSafe(root));
  }
  private real(path: string): string | null {
    const n = normalizePath(path);
    if (!isInside(this.given, n) && !isInside(this.root, n)) return null;
    const r = realpathSafe(n);
    return isInside(this.root, normalizePath(r)) ? r : null;
  }
  realPath(path: string): string | null {
    const r = this.real(path);
    return r === null ? null : normalizePath(r.replace(/\\/g, '/'));
  }
  readBytes(path: string): Uint8Array | null {
    const r = this.real(path);
    if (!r) return null;
    // Regular files only, checked on the open handle (a file swapped for a FIFO cannot block).
    const read = readRegular(r, MAX_FILE);
    return read.kind === 'ok' ? new Uint8Array(read.bytes) : null;
  }
  readText(path: string): string | null {
    const b = this.readBytes(path);
    if (!b) return null;
    try {
      const t = new TextDecoder('utf-8', { fatal: true }).decode(b);
      return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
    } catch {
      return null;
    }
  }
  list(path: string): DirEntry[] | null {
    const r = this.real(path);
    if (!r) return null;
    try {
      return readdirSync(r, { withFileTypes: true })
        .map((e) => {
          let dir = e.isDirectory();
          if (e.isSymbolicLink()) {
            try {
              dir = statSync(`${r}/${e.name}`).isDirectory();
            } catch {
              dir = false;
            }
          }
          return { name: e.name, dir };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return null;
    }
  }
}

function realpathSafe(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export class RenderUsageError extends Error {}

export interface RenderArgs {
  chart: string | null;
  options: RenderOptions;
  valuesFiles: string[];
  help: boolean;
}

export function parseRenderArgs(argv: readonly string[]): RenderArgs {
  const a: RenderArgs = { chart: null, options: {}, valuesFiles: [], help: false };
  const o = a.options;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] ?? '';
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new RenderUsageError(`flag needs an argument: ${arg}`);
      return v;
    };
    if (helmFlag(a, arg, take)) continue;
    switch (arg) {
      case '-h':
      case '--help':
        a.help = true;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new RenderUsageError(`unknown flag: ${arg}`);
        if (a.chart === null) a.chart = arg;
        else if (o.releaseName === undefined && !o.nameTemplate) {
          // helm template [NAME] [CHART]
          o.releaseName = a.chart;
          a.chart = arg;
        } else throw new RenderUsageError(`unexpected argument: ${arg}`);
    }
  }
  return a;
}

/**
 * One of Helm's `template` options (the ones `podsec render` and `podsec <dir>`
 * share), read into `a`; false when `flag` is not one.
 */
export function helmFlag(
  a: Pick<RenderArgs, 'options' | 'valuesFiles'>,
  flag: string,
  take: () => string,
): boolean {
  const o = a.options;
  const push = (
    k: 'set' | 'setString' | 'setJson' | 'setFile' | 'showOnly' | 'apiVersions',
    v: string,
  ): void => {
    (o[k] ??= []).push(v);
  };
  switch (flag) {
    case '-f':
    case '--values':
      a.valuesFiles.push(
        ...take()
          .split(',')
          .filter((x) => x !== ''),
      );
      return true;
    case '--set':
      push('set', take());
      return true;
    case '--set-string':
      push('setString', take());
      return true;
    case '--set-json':
      push('setJson', take());
      return true;
    case '--set-file':
      push('setFile', take());
      return true;
    case '--release-name':
      o.releaseName = take();
      return true;
    case '--name-template':
      o.nameTemplate = take();
      return true;
    case '-n':
    case '--namespace':
      o.namespace = take();
      return true;
    case '--kube-version':
      o.kubeVersion = take();
      return true;
    case '-a':
    case '--api-versions':
      for (const v of take().split(',')) if (v) push('apiVersions', v);
      return true;
    case '--no-hooks':
      o.noHooks = true;
      return true;
    case '--include-crds':
      o.includeCrds = true;
      return true;
    case '-s':
    case '--show-only':
      push('showOnly', take());
      return true;
    case '--is-upgrade':
      o.isUpgrade = true;
      return true;
    case '--skip-schema-validation':
      o.skipSchemaValidation = true;
      return true;
    default:
      return false;
  }
}

/**
 * A values file named on the command line (`-`: standard input): a regular
 * file, or standard input, of UTF-8 text, never read past the limit.
 * Throws with Helm's wording when it cannot be read.
 */
function readValues(p: string): string {
  if (p === '-') {
    const r = readHandle(0, MAX_FILE);
    if (r.kind === 'ok') {
      const t = r.bytes.toString('utf8');
      return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
    }
    throw new Error(
      `open -: ${r.kind === 'too-large' ? `more than ${r.limit} bytes` : `standard input ${r.reason}`}`,
    );
  }
  const r = readTextFile(p, MAX_FILE);
  if (r.kind === 'ok') return r.text;
  throw new Error(`open ${p}: ${r.reason}`);
}

/** Render a chart from the disk with the command's options (values files read here). */
export function renderFromDisk(chartPath: string, args: RenderArgs): RenderResult {
  const dir = resolve(chartPath);
  const st = statSync(dir);
  const root = st.isDirectory() ? dir : resolve(dir, '..');
  const fs = new DiskFs(root);
  const options: RenderOptions = {
    ...args.options,
    values: args.valuesFiles.map((p) => ({ path: p, text: readValues(p) })),
    readFile: (p) => {
      const t = readTextFile(p, MAX_FILE);
      return t.kind === 'ok' ? t.text : null;
    },
  };
  return renderChart(fs, normalizePath(realpathSafe(dir)), options);
}

/** `podsec render …`. */
export function runRender(argv: string[], io: RenderIo): number {
  let args: RenderArgs;
  try {
    args = parseRenderArgs(argv);
  } catch (e) {
    if (e instanceof RenderUsageError) {
      io.stderr(`podsec render: ${e.message}\nRun "podsec render --help" for usage.\n`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    io.stdout(RENDER_HELP);
    return 0;
  }
  if (args.chart === null) {
    io.stderr('podsec render: a chart is required\nRun "podsec render --help" for usage.\n');
    return 2;
  }
  let r: RenderResult;
  try {
    r = renderFromDisk(args.chart, args);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.stderr(
      `Error: ${code === 'ENOENT' ? `path "${args.chart}" not found` : (e as Error).message}\n`,
    );
    return 1;
  }
  const first = r.errors[0];
  if (first) {
    // Helm's message quotes the chart (a `fail` text, a value): shown, never sent raw.
    io.stderr(`Error: ${visibleLines(first.message)}\n`);
    return 1;
  }
  io.stdout(r.output.text);
  return 0;
}
