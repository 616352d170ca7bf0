/**
 * `podsec report`: the level advisor on the command line. Where each
 * workload stands (grouped by namespace, with the namespace's labels and
 * what-ifs), what changes between two versions, and how PodSecurityPolicies
 * map to Pod Security levels. Text, Markdown or JSON; the engine does all the
 * work (buildReport); render/ writes the text and Markdown.
 *
 * The project configuration and the cluster's admission configuration are
 * read as the check command reads them, per file (CliConfigs
 * analyzeOptionsFor): the nearest `.podsec.yaml` upward from each file (or
 * `--config`, or none with `--no-config`) sets the version its workloads are
 * given at and its Namespace-label use where the command line is silent, its
 * `exclude` leaves files found in folders out, and the admission
 * configuration it names (or `--admission-config`, or the only one among the
 * inputs) gives its namespaces' defaults and its workloads' exemptions. The
 * report's own heading (its version, the level --from/--to compare, the
 * hardening section and the overlays) uses the first file's. Problems of
 * those files are reported as errors of the report.
 */
import {
  buildReport,
  clip,
  DEFAULT_LIMITS,
  LineIndex,
  versionError,
  visible,
} from '../engine/index';
import type {
  AdvisorReport,
  HardeningOptions,
  HardeningReport,
  Level,
  ReportInput,
  ReportInputSettings,
  ReportOptions,
} from '../engine/index';
import { reportMarkdown, reportText } from '../render/index';
import { basename } from 'node:path';
import { CONFIG_FILE_NAMES } from '../engine/config/index';
import { relative } from 'node:path';
import type { AnalyzeOptions, NamespaceLabels } from '../engine/index';
import { collectNamespaces } from '../engine/index';
import { overlayReport } from '../engine/overlays/index';
import type { ReportOverlay } from '../engine/overlays/index';
import { enginePath, runOverlays } from './overlays';
import type { OverlayRun } from './overlays';
import { reportHardening } from './hardening';
import { DiskSourceFs } from './renderKustomize';
import { parseOptions, readConfigFlag, readHardeningOption, UsageError } from './args';
import { withCharts } from './chartReport';
import type { HelmCliOptions } from './charts';
import { helmFlag } from './render';
import { CliConfigs, UnreadableConfig } from './config';
import type { ConfigOptions } from './config';
import type { EffectiveSettings } from '../engine/config/index';

export type ReportFormat = 'text' | 'markdown' | 'json';

export interface ReportCliOptions extends ConfigOptions {
  format: ReportFormat;
  /** `--as-user <name>`: the user who creates the objects (exempt usernames). */
  asUser: string | null;
  /** Helm's options, for the charts among the inputs. */
  helm: HelmCliOptions;
  from: string | null;
  to: string | null;
  hardening: HardeningOptions;
}

export const REPORT_HELP = `Usage: podsec report [options] <file|dir|->...

The level advisor: the highest Pod Security level each workload meets and the
findings between it and the next level, grouped by namespace with the
namespace's pod-security labels and which workloads would be rejected or
warned if enforce moved up a level or to the newest version; what changes
between two policy versions; and the closest level of each PodSecurityPolicy.
A Helm chart is reported as it renders (with the Helm options below, else once
per value set of the nearest .podsec.yaml, else with its own values), each
workload at its template line.

Options:
  --format <format>          text | markdown | json (default: text)
  --policy-version <v>       version the levels are given at (default: latest)
  --from <v> --to <v>        also list what changes for each workload between
                             two versions (e.g. --from v1.30 --to latest)
  --level <level>            level whose checks --from/--to compare
                             (default: restricted)
  --ignore-namespace-labels  do not read Namespace documents' labels
  --config <file>            the project configuration (default: the nearest
                             .podsec.yaml or .podsec.yml upward from each
                             file, stopping at the repository root)
  --no-config                read no .podsec.yaml
  --admission-config <file>  the cluster's PodSecurity admission configuration
                             (default: the one each file's .podsec.yaml names,
                             else the only one among the inputs): its defaults
                             for unlabelled namespaces and its exemptions
  --as-user <name>           the user who applies the manifests (exempt usernames)
  -f, --values, --set, --set-string, --set-json, --set-file, --release-name,
  --name-template, -n, --namespace, --kube-version, -a, --api-versions,
  --no-hooks, --include-crds, --is-upgrade, --skip-schema-validation
                             Helm's options, for the charts among the inputs
                             (as podsec render takes them)
  --hardening <spec>         the hardening section: off, on, or
                             <checkId>=<error|warning|information|off>[,...]
  --max-file-size <chars>    largest file evaluated (default: 5242880)
  --max-alias-count <n>      alias look-ups per document (default: 10000)
  --color / --no-color       force colours on or off (default: on a terminal only)
  -h, --help                 print this help

Exit status: 0 when the report was made, 1 when a workload would be rejected
by its namespace's enforce label as labelled now, a file has a YAML error or a
configuration file has a problem, 2 on a usage or read error.
`;

export function parseReportArgs(argv: string[]): ReportCliOptions {
  const o: ReportCliOptions = {
    paths: [],
    format: 'text',
    level: 'restricted',
    version: 'latest',
    from: null,
    to: null,
    namespaceLabels: true,
    color: null,
    maxFileSize: null,
    maxAliasCount: null,
    help: false,
    hardening: {},
    config: null,
    noConfig: false,
    admissionConfig: null,
    asUser: null,
    helm: { options: {}, valuesFiles: [] },
  };
  const version = (flag: string, v: string): string => {
    const err = versionError(v);
    if (err) throw new UsageError(`${flag}: ${err}`);
    return v;
  };
  parseOptions(argv, o, ({ flag, take }) => {
    if (flag !== '-s' && flag !== '--show-only' && helmFlag(o.helm, flag, take)) return true;
    switch (flag) {
      case '--format': {
        const v = take();
        if (v !== 'text' && v !== 'markdown' && v !== 'json')
          throw new UsageError(`invalid --format "${v}": expected text, markdown or json`);
        o.format = v;
        return true;
      }
      case '--from':
        o.from = version(flag, take());
        return true;
      case '--to':
        o.to = version(flag, take());
        return true;
      case '--hardening':
        readHardeningOption(take(), o.hardening);
        return true;
      default:
        return readConfigFlag(flag, take, o);
    }
  });
  if (o.help) return o;
  if ((o.from === null) !== (o.to === null))
    throw new UsageError('--from and --to go together: give both, or neither');
  if (o.paths.length === 0)
    throw new UsageError('no input: give files, directories, or - for standard input');
  return o;
}

/** What the report command needs from its caller (main.ts reads the files). */
export interface ReportIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Read the paths (directories expanded); readError set for unreadable ones, skipped for those not read. */
  read: (
    paths: string[],
    maxFileSize?: number,
  ) => Array<{
    path: string;
    text: string;
    readError?: string;
    skipped?: string;
    revisit?: string;
  }>;
}

/** The report of `inputs`, with the hardening section when the checks ran (also the CI step summary's). */
export function reportOf(
  inputs: readonly ReportInput[],
  options: ReportOptions & { level: Level; version: string; hardening: HardeningReport | null },
): AdvisorReport {
  const { hardening, ...reportOptions } = options;
  const report = buildReport(inputs, reportOptions);
  if (hardening) report.hardening = hardening;
  return report;
}

export function runReport(argv: string[], io: ReportIo): number {
  let o: ReportCliOptions;
  try {
    o = parseReportArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`podsec report: ${e.message}\nRun "podsec report --help" for usage.\n`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    io.stdout(REPORT_HELP);
    return 0;
  }
  let configs: CliConfigs;
  try {
    configs = new CliConfigs(o);
  } catch (e) {
    if (e instanceof UnreadableConfig) {
      io.stderr(`podsec report: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const files = io.read(o.paths, o.maxFileSize ?? undefined);
  // Kustomize overlays under the paths: built, and reported per overlay; the files they read
  // (bases, patches) are not reported as objects of their own.
  // Built at the settings of the first file reported (its .podsec.yaml, else the command line),
  // as the check command builds them.
  const firstFile = files.find(
    (f) =>
      !f.readError &&
      f.skipped === undefined &&
      f.revisit === undefined &&
      (o.paths.includes(f.path) ||
        !(
          (CONFIG_FILE_NAMES as readonly string[]).includes(basename(f.path)) ||
          configs.excluded(f.path)
        )),
  );
  const overlays = reportOverlays(o, files, configs.settingsFor(firstFile?.path ?? '-'));
  const inputs: ReportInput[] = [];
  const readErrors: string[] = [];
  for (const f of files) {
    // As the check command: a .podsec.yaml's exclude leaves out files found in folders
    // (and the configuration files themselves); a file named on the command line is read.
    const named = o.paths.includes(f.path);
    if (
      !named &&
      ((CONFIG_FILE_NAMES as readonly string[]).includes(basename(f.path)) ||
        configs.excluded(f.path))
    )
      continue;
    if (f.readError) readErrors.push(`${f.path}: ${f.readError}`);
    else if (f.skipped !== undefined)
      io.stderr(`podsec report: ${visible(f.path)}: ${visible(f.skipped)}\n`);
    else if (f.revisit === undefined && !overlays.covered.has(enginePath(f.path)))
      inputs.push({ path: f.path, text: f.text });
  }
  configs.discover(inputs);
  const run = {
    asUser: o.asUser,
    maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  };
  // The report's heading is the first input's settings, as the check command's run settings are.
  const first = inputs[0]?.path ?? '-';
  const settings = configs.settingsFor(first);
  const admission = configs.admissionFor(first);
  // Each file at its own settings, as the check command reads them.
  const own = (path: string): ReportInputSettings => {
    const a = configs.analyzeOptionsFor(path, run);
    return {
      level: a.level ?? settings.level.value,
      version: a.version ?? settings.version.value,
      namespaceLabels: a.namespaceLabels !== false,
      ...(a.admission ? { admission: a.admission } : {}),
      ...(a.asUser !== undefined ? { asUser: a.asUser } : {}),
    };
  };
  // The files of a Helm chart are reported as the chart renders.
  const charts = withCharts(inputs, o.helm, {
    maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  });
  const limits = {
    maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  };
  // The hardening checks read what the check command reads: the charts' renders, the overlays'
  // builds and the other files, each file under its own .podsec.yaml (its `hardening:` key).
  const policy = { level: settings.level.value, version: settings.version.value };
  const hardening = reportHardening(
    charts.inputs.filter((i) => !i.generated),
    charts.charts,
    o.hardening,
    { ...policy, namespaceLabels: settings.namespaceLabels.value, ...limits },
    policy,
    overlays.run,
    configs,
  );
  const report = reportOf(
    charts.inputs.map((i) => ({ ...i, settings: own(i.path) })),
    {
      version: settings.version.value,
      from: o.from ?? undefined,
      to: o.to ?? undefined,
      level: settings.level.value,
      namespaceLabels: settings.namespaceLabels.value,
      maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
      maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
      hardening,
      ...(admission ? { admission } : {}),
      ...(o.asUser !== null ? { asUser: o.asUser } : {}),
    },
  );
  // Once every file's admission configuration was chosen: several found and none named.
  if (configs.admissionNote) io.stderr(`podsec report: ${configs.admissionNote}\n`);
  report.errors.push(...charts.errors);
  readErrors.push(...charts.readErrors);
  // The configuration files' own problems, at their place, as the check command reports them.
  for (const r of configs.results()) {
    const lines = new LineIndex(r.text);
    for (const e of r.analysis.errors) {
      const p = lines.humanPosition(e.span.start);
      report.errors.push({ path: r.path, line: p.line, column: p.column, message: e.message });
    }
  }
  if (overlays.sections.length > 0) report.overlays = overlays.sections;
  for (const e of readErrors) io.stderr(`podsec report: ${visible(e)}\n`);
  // User text (names) is cut to a bound, so an aliased 1 MB name cannot multiply the output.
  if (o.format === 'json')
    io.stdout(
      `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'string' ? clip(v, 1000) : v), 2)}\n`,
    );
  else if (o.format === 'markdown') io.stdout(reportMarkdown(forTerminal(report)));
  else {
    const color = o.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
    io.stdout(reportText(forTerminal(report), color));
  }
  if (readErrors.length > 0) return 2;
  const rejected =
    report.namespaces.some(
      (n) => (n.scenarios.find((s) => s.kind === 'current')?.rejected.length ?? 0) > 0,
    ) || overlays.sections.some((s) => s.error !== null || s.workloads.some((w) => w.rejected > 0));
  return rejected || report.errors.length > 0 ? 1 : 0;
}

/** The overlays under the report's paths, and the files they read. */
function reportOverlays(
  o: ReportCliOptions,
  files: ReadonlyArray<{ path: string; text: string; readError?: string; skipped?: string }>,
  settings: EffectiveSettings,
): { sections: ReportOverlay[]; covered: Set<string>; run: OverlayRun } {
  const namespaces = new Map<string, NamespaceLabels>();
  const options: AnalyzeOptions = {
    level: settings.level.value,
    version: settings.version.value,
    namespaceLabels: settings.namespaceLabels.value,
    maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  };
  if (options.namespaceLabels)
    for (const f of files)
      if (!f.readError && f.skipped === undefined && f.text !== '')
        for (const ns of collectNamespaces(f.text, f.path, options)) namespaces.set(ns.name, ns);
  const run = runOverlays(o.paths, { ...options, advise: true }, namespaces);
  if (run.evaluations.length === 0) return { sections: [], covered: run.covered, run };
  const disk = new DiskSourceFs('/');
  const display = (file: string): string => {
    const rel = relative(process.cwd(), file).replace(/\\/g, '/');
    return rel.startsWith('..') || rel === '' ? file : rel;
  };
  return {
    sections: overlayReport(run.evaluations, (f) => disk.readText(f), display),
    covered: run.covered,
    run,
  };
}

/**
 * The report with every string from the user (names, paths, messages) cut to
 * a bound and its control characters made visible, before colours are added.
 */
function forTerminal<T>(value: T): T {
  const map = (v: unknown): unknown => {
    if (typeof v === 'string') return visible(clip(v, 1000));
    if (Array.isArray(v)) return v.map(map);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x)]));
    }
    return v;
  };
  return map(value) as T;
}
