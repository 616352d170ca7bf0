/** Command-line arguments of `podsec`. */
import { HARDENING_CHECK_IDS, isHardeningCheckId, isLevel, versionError } from '../engine/index';
import type { HardeningCheckId, HardeningOptions, Level, Severity } from '../engine/index';
import type { HelmCliOptions } from './charts';
import { helmFlag } from './render';

export type Format = 'text' | 'json' | 'sarif' | 'github' | 'junit';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github', 'junit'];

/** One output of a run: a format, written to a file or (file null) to standard output. */
export interface OutputSpec {
  format: Format;
  file: string | null;
}

/** The options every podsec command takes. */
export interface CommonOptions {
  paths: string[];
  level: Level;
  version: string;
  namespaceLabels: boolean;
  color: boolean | null;
  maxFileSize: number | null;
  maxAliasCount: number | null;
  help: boolean;
  /** The options given explicitly (so a `.podsec.yaml` decides the others). */
  given?: Set<string>;
}

export interface CliOptions extends CommonOptions {
  /** The first output's format (see `outputs`). */
  format: Format;
  /** Every output, in the order given: `--format f [--output file]`…; text to stdout by default. */
  outputs: OutputSpec[];
  /** A previous JSON or SARIF output whose findings are reported as existing. */
  baseline: string | null;
  /** Where to write this run's findings as a baseline. */
  writeBaseline: string | null;
  /** Append the Markdown report to $GITHUB_STEP_SUMMARY. */
  summary: boolean;
  fix: boolean;
  fixUnsafe: boolean;
  /** With --fix, write files with other hard links in place. */
  fixHardLinks: boolean;
  /** Exit 1 when a file was not read or not evaluated; null when not given. */
  failOnSkipped: boolean | null;
  showVersion: boolean;
  /** `--config <file>`: the project configuration for every input. */
  config: string | null;
  /** `--no-config`: read no `.podsec.yaml`. */
  noConfig: boolean;
  /** `--admission-config <file>`: the cluster's PodSecurity admission configuration. */
  admissionConfig: string | null;
  /** `--as-user <name>`: the user creating the Pods (for exempt usernames). */
  asUser: string | null;
  /** The hardening checks: severities per check, 'off' for checks switched off. */
  hardening: HardeningOptions;
  /** Helm's options, for the charts found among the inputs. */
  helm: HelmCliOptions;
}

export class UsageError extends Error {}

export const HELP = `Usage: podsec [options] <file|dir|->...
       podsec report [options] <file|dir|->...   (see podsec report --help)
       podsec render <chart> [options]          (see podsec render --help)

Checks Kubernetes manifests against the Pod Security Standards, exactly as the
admission controller (k8s.io/pod-security-admission) evaluates them.
Directories are searched recursively for *.yaml and *.yml (node_modules and
.git are skipped); "-" reads standard input.

Options:
  --level <level>            privileged | baseline | restricted (default: restricted)
  --policy-version <v>       latest | v1.N (default: latest; newer than the newest
                             known version evaluates as the newest)
  --ignore-namespace-labels  ignore pod-security.kubernetes.io labels on Namespace
                             documents; always use --level and --policy-version
  --format <format>          text | json | sarif | github | junit (default: text);
                             may be given more than once
  --output <file>            write the preceding --format to <file> instead of
                             standard output (e.g. --format sarif --output
                             results.sarif --format text)
  --baseline <file>          a previous JSON or SARIF output of podsec: findings
                             it holds are reported as existing (note) and do
                             not fail the run; only new ones do
  --write-baseline <file>    write this run's findings to <file> as a baseline
                             (they then count as existing)
  --summary                  append the Markdown report to $GITHUB_STEP_SUMMARY
  --fix                      apply every safe fix in place, then report what is left
  --fix-unsafe               with --fix, also apply fixes that can change how the
                             workload runs (runAsNonRoot, host namespaces, ...)
  --fix-hard-links           with --fix, also write files that have other hard
                             links, in place (else they are reported, not written)
  --fail-on-skipped          exit 1 when a file was not read (a FIFO, a device, a
                             dangling link...) or not evaluated (a limit, a template)
  --hardening <spec>         the hardening checks (network isolation, resources,
                             secrets, audit; on by default, never errors unless
                             set so): off, on, or <checkId>=<error|warning|
                             information|off>[,...]; may be repeated
  --require-cpu-limit        resourceLimits also requires a CPU limit
  --max-file-size <chars>    largest file evaluated (default: 5242880)
  --max-alias-count <n>      alias look-ups per document before evaluation stops
                             (default: 10000; aliases are never expanded)
  --config <file>            the project configuration for every input (default:
                             the nearest .podsec.yaml or .podsec.yml upward from
                             each file, up to the repository root)
  --no-config                read no .podsec.yaml
  --admission-config <file>  the cluster's PodSecurity admission configuration
                             (AdmissionConfiguration or PodSecurityConfiguration)
  --as-user <name>           the user that creates the Pods (exempt usernames)
  --color / --no-color       force colours on or off (default: on a terminal only)
  --version                  print the version
  -h, --help                 print this help

Helm charts (folders with Chart.yaml) among the inputs are rendered in-process,
as "helm template" would, and their findings reported on the values or template
line that set them. Helm's options:
  -f, --values <file>        values file (repeatable; later files win)
  --set, --set-string, --set-json, --set-file <k=v,...>
  --release-name <name>      (default: release-name)
  --name-template <tpl>      template for the release name
  -n, --namespace <ns>       release namespace (default: default)
  --kube-version <v>         Capabilities.KubeVersion (default: v1.36.0)
  -a, --api-versions <list>  extra Capabilities.APIVersions
  --no-hooks, --include-crds, --is-upgrade, --skip-schema-validation

Flags take no value: "--fix=false" is a usage error; leave the flag out instead.

"podsec report" prints the level advisor's report: the highest level each
workload meets, what stands between it and the next, namespaces' labels and
what-ifs, version upgrades (--from/--to) and PodSecurityPolicy migration, as
text, Markdown or JSON.

Fixed files are written atomically (a temporary file in the same directory,
then renamed over the original, mode kept); a file changed on disk since it
was read, read-only, hard-linked, or reached through a link outside the paths
given is not written and is reported.

Exit status: 0 when nothing of error severity was found, 1 when a finding or a
YAML error of error severity was (findings of the --baseline do not count; with
--fail-on-skipped or failOnSkipped in .podsec.yaml, a file not read or not
evaluated counts too), 2 on a usage or read error, a baseline or --output file
that cannot be used, or when --fix could not write a file.
`;

/** One option being read: its name, and readers of its value. */
export interface OptionReader {
  flag: string;
  /** The value (`--flag v` or `--flag=v`). */
  take: () => string;
  /** The value as a positive whole number. */
  positive: () => number;
}

/**
 * Walks `argv`: `own` handles a command's own options (returning false for
 * one it does not know); the options all commands share are set on `o`;
 * anything else not starting with "-" is a path.
 */
export function parseOptions<T extends CommonOptions>(
  argv: readonly string[],
  o: T,
  own: (r: OptionReader) => boolean,
): T {
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    let took = false;
    if (flag.startsWith('--')) (o.given ??= new Set()).add(flag);
    const take = (): string => {
      took = true;
      if (eq > 0) return raw.slice(eq + 1);
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('-') && v !== '-'))
        throw new UsageError(`${flag} needs a value`);
      i++;
      return v;
    };
    const positive = (): number => {
      const v = Number(take());
      if (!Number.isInteger(v) || v < 1)
        throw new UsageError(`${flag} needs a positive whole number`);
      return v;
    };
    // A flag given a value (`--fix=false`) would be read as the flag alone: refuse it.
    const noValue = (): void => {
      if (eq > 0 && !took)
        throw new UsageError(`${flag} takes no value: give ${flag} alone, or leave it out`);
    };
    if (own({ flag, take, positive })) {
      noValue();
      continue;
    }
    switch (flag) {
      case '--level': {
        const v = take();
        if (!isLevel(v))
          throw new UsageError(
            `invalid --level "${v}": expected privileged, baseline or restricted`,
          );
        o.level = v;
        break;
      }
      case '--policy-version':
      case '--version-policy': {
        const v = take();
        const err = versionError(v);
        if (err) throw new UsageError(err);
        o.version = v;
        break;
      }
      case '--ignore-namespace-labels':
        o.namespaceLabels = false;
        break;
      case '--max-file-size':
        o.maxFileSize = positive();
        break;
      case '--max-alias-count':
        o.maxAliasCount = positive();
        break;
      case '--color':
        o.color = true;
        break;
      case '--no-color':
        o.color = false;
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      case '--':
        o.paths.push(...argv.slice(i + 1));
        i = argv.length;
        break;
      default:
        if (raw.startsWith('-') && raw !== '-') throw new UsageError(`unknown option ${raw}`);
        o.paths.push(raw);
    }
    noValue();
  }
  return o;
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    paths: [],
    level: 'restricted',
    version: 'latest',
    namespaceLabels: true,
    format: 'text',
    outputs: [],
    baseline: null,
    writeBaseline: null,
    summary: false,
    fix: false,
    fixUnsafe: false,
    fixHardLinks: false,
    failOnSkipped: null,
    color: null,
    maxFileSize: null,
    maxAliasCount: null,
    help: false,
    showVersion: false,
    config: null,
    noConfig: false,
    admissionConfig: null,
    asUser: null,
    hardening: {},
    helm: { options: {}, valuesFiles: [] },
  };
  parseOptions(argv, o, ({ flag, take }) => {
    if (flag !== '-s' && flag !== '--show-only' && helmFlag(o.helm, flag, take)) return true;
    switch (flag) {
      // Outputs and baselines (CI).
      case '--format': {
        const v = take();
        const f = FORMATS.find((x) => x === v);
        if (!f) {
          throw new UsageError(
            `invalid --format "${v}": expected text, json, sarif, github or junit`,
          );
        }
        o.outputs.push({ format: f, file: null });
        return true;
      }
      case '--output':
      case '-o': {
        const v = take();
        if (o.outputs.length === 0) o.outputs.push({ format: 'text', file: null });
        const last = o.outputs[o.outputs.length - 1];
        if (last && last.file !== null)
          throw new UsageError(`${flag} "${v}": give a --format before each --output`);
        if (last) last.file = v;
        return true;
      }
      case '--baseline':
        o.baseline = take();
        return true;
      case '--write-baseline':
        o.writeBaseline = take();
        return true;
      case '--summary':
        o.summary = true;
        return true;
      case '--fix':
        o.fix = true;
        return true;
      case '--fix-unsafe':
        o.fix = true;
        o.fixUnsafe = true;
        return true;
      case '--fix-hard-links':
        o.fixHardLinks = true;
        return true;
      case '--fail-on-skipped':
        o.failOnSkipped = true;
        return true;
      case '--version':
        o.showVersion = true;
        return true;
      case '--hardening':
        readHardeningOption(take(), o.hardening);
        return true;
      case '--require-cpu-limit':
        o.hardening.requireCpuLimit = true;
        return true;
      default:
        return readConfigFlag(flag, take, o);
    }
  });
  if (o.outputs.length === 0) o.outputs.push({ format: 'text', file: null });
  o.format = o.outputs[0]?.format ?? 'text';
  if (o.outputs.filter((x) => x.file === null).length > 1) {
    throw new UsageError(
      'more than one --format writes to standard output: give all but one an --output <file>',
    );
  }
  if (!o.help && !o.showVersion && o.paths.length === 0) {
    throw new UsageError('no input: give files, directories, or - for standard input');
  }
  return o;
}

const HARDENING_SEVERITIES = new Set<string>(['error', 'warning', 'information', 'off']);

/** The options that choose the configuration files and the requesting user. */
export interface ConfigFlags {
  config: string | null;
  noConfig: boolean;
  admissionConfig?: string | null;
  asUser: string | null;
}

/**
 * Read one of the options every command that reads `.podsec.yaml` and the
 * admission configuration takes (`--config`, `--no-config`,
 * `--admission-config`, `--as-user`) into `o`; false for any other flag.
 */
export function readConfigFlag(flag: string, take: () => string, o: ConfigFlags): boolean {
  switch (flag) {
    case '--config':
      o.config = take();
      return true;
    case '--no-config':
      o.noConfig = true;
      return true;
    case '--admission-config':
      o.admissionConfig = take();
      return true;
    case '--as-user':
      o.asUser = take();
      return true;
    default:
      return false;
  }
}

/**
 * Read one `--hardening` value into `o`: `off`, `on`, or a comma-separated
 * list of `<checkId>=<error|warning|information|off>`. Later values win.
 */
export function readHardeningOption(value: string, o: HardeningOptions): void {
  const checks: Partial<Record<HardeningCheckId, Severity | 'off'>> = { ...(o.checks ?? {}) };
  if (value === 'off' || value === 'on') {
    for (const id of HARDENING_CHECK_IDS) {
      if (value === 'off') checks[id] = 'off';
      else delete checks[id];
    }
    o.checks = checks;
    // On: also over a .podsec.yaml that turns checks off.
    if (value === 'on') o.familyOn = true;
    else delete o.familyOn;
    return;
  }
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const id = (eq < 0 ? part : part.slice(0, eq)).trim();
    const sev = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!isHardeningCheckId(id)) {
      throw new UsageError(
        `invalid --hardening "${value}": "${id}" is not a hardening check (${HARDENING_CHECK_IDS.join(', ')}); or give off or on`,
      );
    }
    if (!HARDENING_SEVERITIES.has(sev)) {
      throw new UsageError(
        `invalid --hardening "${value}": ${id} needs =error, =warning, =information or =off`,
      );
    }
    checks[id] = sev as Severity | 'off';
  }
  o.checks = checks;
}
