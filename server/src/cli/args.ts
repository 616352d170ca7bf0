/** Command-line arguments of `podsec`. */
import { HARDENING_CHECK_IDS, isHardeningCheckId, isLevel, versionError } from '../engine/index';
import type { HardeningCheckId, HardeningOptions, Level, Severity } from '../engine/index';

export type Format = 'text' | 'json' | 'sarif';

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
}

export interface CliOptions extends CommonOptions {
  format: Format;
  fix: boolean;
  fixUnsafe: boolean;
  showVersion: boolean;
  /** The hardening checks: severities per check, 'off' for checks switched off. */
  hardening: HardeningOptions;
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
  --format <format>          text | json | sarif (default: text)
  --fix                      apply every safe fix in place, then report what is left
  --fix-unsafe               with --fix, also apply fixes that can change how the
                             workload runs (runAsNonRoot, host namespaces, ...)
  --hardening <spec>         the hardening checks (network isolation, resources,
                             secrets, audit; on by default, never errors unless
                             set so): off, on, or <checkId>=<error|warning|
                             information|off>[,...]; may be repeated
  --require-cpu-limit        resourceLimits also requires a CPU limit
  --max-file-size <chars>    largest file evaluated (default: 5242880)
  --max-alias-count <n>      alias look-ups per document before evaluation stops
                             (default: 10000; aliases are never expanded)
  --color / --no-color       force colours on or off (default: on a terminal only)
  --version                  print the version
  -h, --help                 print this help

"podsec report" prints the level advisor's report: the highest level each
workload meets, what stands between it and the next, namespaces' labels and
what-ifs, version upgrades (--from/--to) and PodSecurityPolicy migration, as
text, Markdown or JSON.

Exit status: 0 when nothing of error severity was found, 1 when a finding or a
YAML error of error severity was, 2 on a usage or read error.
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
    const take = (): string => {
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
    if (own({ flag, take, positive })) continue;
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
    fix: false,
    fixUnsafe: false,
    color: null,
    maxFileSize: null,
    maxAliasCount: null,
    help: false,
    showVersion: false,
    hardening: {},
  };
  parseOptions(argv, o, ({ flag, take }) => {
    switch (flag) {
      case '--format': {
        const v = take();
        if (v !== 'text' && v !== 'json' && v !== 'sarif') {
          throw new UsageError(`invalid --format "${v}": expected text, json or sarif`);
        }
        o.format = v;
        return true;
      }
      case '--fix':
        o.fix = true;
        return true;
      case '--fix-unsafe':
        o.fix = true;
        o.fixUnsafe = true;
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
        return false;
    }
  });
  if (!o.help && !o.showVersion && o.paths.length === 0) {
    throw new UsageError('no input: give files, directories, or - for standard input');
  }
  return o;
}

const HARDENING_SEVERITIES = new Set<string>(['error', 'warning', 'information', 'off']);

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
