/**
 * `podsec report`: the level advisor on the command line. Where each
 * workload stands (grouped by namespace, with the namespace's labels and
 * what-ifs), what changes between two versions, and how PodSecurityPolicies
 * map to Pod Security levels. Text, Markdown or JSON; the engine does all the
 * work (buildReport, reportMarkdown).
 */
import { buildReport, DEFAULT_LIMITS, plural, reportMarkdown, versionError } from '../engine/index';
import type { AdvisorReport, Level, ReportInput, ReportWorkload } from '../engine/index';
import { parseOptions, UsageError } from './args';
import type { CommonOptions } from './args';

export type ReportFormat = 'text' | 'markdown' | 'json';

export interface ReportCliOptions extends CommonOptions {
  format: ReportFormat;
  from: string | null;
  to: string | null;
}

export const REPORT_HELP = `Usage: podsec report [options] <file|dir|->...

The level advisor: the highest Pod Security level each workload meets and the
findings between it and the next level, grouped by namespace with the
namespace's pod-security labels and which workloads would be rejected or
warned if enforce moved up a level or to the newest version; what changes
between two policy versions; and the closest level of each PodSecurityPolicy.

Options:
  --format <format>          text | markdown | json (default: text)
  --policy-version <v>       version the levels are given at (default: latest)
  --from <v> --to <v>        also list what changes for each workload between
                             two versions (e.g. --from v1.30 --to latest)
  --level <level>            level whose checks --from/--to compare
                             (default: restricted)
  --ignore-namespace-labels  do not read Namespace documents' labels
  --max-file-size <chars>    largest file evaluated (default: 5242880)
  --max-alias-count <n>      alias look-ups per document (default: 10000)
  --color / --no-color       force colours on or off (default: on a terminal only)
  -h, --help                 print this help

Exit status: 0 when the report was made, 1 when a workload would be rejected
by its namespace's enforce label as labelled now or a file has a YAML error,
2 on a usage or read error.
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
  };
  const version = (flag: string, v: string): string => {
    const err = versionError(v);
    if (err) throw new UsageError(`${flag}: ${err}`);
    return v;
  };
  parseOptions(argv, o, ({ flag, take }) => {
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
      default:
        return false;
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
  /** Read the paths (directories expanded); readError set for unreadable ones. */
  read: (paths: string[]) => Array<{ path: string; text: string; readError?: string }>;
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
  const files = io.read(o.paths);
  const inputs: ReportInput[] = [];
  const readErrors: string[] = [];
  for (const f of files) {
    if (f.readError) readErrors.push(`${f.path}: ${f.readError}`);
    else inputs.push({ path: f.path, text: f.text });
  }
  const report = buildReport(inputs, {
    version: o.version,
    from: o.from ?? undefined,
    to: o.to ?? undefined,
    level: o.level,
    namespaceLabels: o.namespaceLabels,
    maxFileBytes: o.maxFileSize ?? DEFAULT_LIMITS.maxFileBytes,
    maxAliasCount: o.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  });
  for (const e of readErrors) io.stderr(`podsec report: ${e}\n`);
  if (o.format === 'json') io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (o.format === 'markdown') io.stdout(reportMarkdown(report));
  else {
    const color = o.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
    io.stdout(reportText(report, color));
  }
  if (readErrors.length > 0) return 2;
  const rejected = report.namespaces.some(
    (n) => (n.scenarios.find((s) => s.kind === 'current')?.rejected.length ?? 0) > 0,
  );
  return rejected || report.errors.length > 0 ? 1 : 0;
}

// ---------------------------------------------------------------- text

function paint(color: boolean) {
  const wrap = (open: number, close: number) => (s: string) =>
    color ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  const bold = wrap(1, 22);
  const dim = wrap(2, 22);
  const red = wrap(31, 39);
  const yellow = wrap(33, 39);
  const green = wrap(32, 39);
  const level = (l: Level) =>
    l === 'restricted' ? green(l) : l === 'baseline' ? yellow(l) : red(l);
  return { bold, dim, red, yellow, green, level };
}

const ref = (w: { kind: string; name: string | null }) => `${w.kind}/${w.name ?? '(unnamed)'}`;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The report as plain text (colours on a terminal). */
export function reportText(r: AdvisorReport, color: boolean): string {
  const p = paint(color);
  const out: string[] = [];
  out.push(
    p.bold(
      `Pod Security report at ${r.version}${r.version !== r.evaluatedVersion ? ` (${r.evaluatedVersion})` : ''}: ` +
        `${plural(r.summary.workloads, 'workload')} in ${plural(r.namespaces.length, 'namespace')}` +
        ` (${r.summary.byLevel.restricted} restricted, ${r.summary.byLevel.baseline} baseline, ${r.summary.byLevel.privileged} privileged)` +
        `${r.summary.podSecurityPolicies > 0 ? `, ${plural(r.summary.podSecurityPolicies, 'PodSecurityPolicy', 'PodSecurityPolicies')}` : ''}`,
    ),
  );
  for (const ns of r.namespaces) {
    out.push('');
    const mode = (name: string, m: { level: Level; version: string; labelled: boolean }) =>
      `${name} ${m.level}:${m.version}${m.labelled ? '' : ' (default)'}`;
    out.push(
      `${p.bold(`namespace ${ns.name}`)}  ${mode('enforce', ns.enforce)}, ${mode('warn', ns.warn)}, ${mode('audit', ns.audit)}` +
        p.dim(ns.declaredIn ? `; declared in ${ns.declaredIn}` : '; no Namespace document'),
    );
    if (ns.workloads.length === 0) {
      out.push('  no workloads');
      continue;
    }
    const wWhere = ns.workloads.map((w) => `${w.path}:${w.line}`);
    const wRef = ns.workloads.map(ref);
    const a = Math.max(...wWhere.map((s) => s.length));
    const b = Math.max(...wRef.map((s) => s.length));
    ns.workloads.forEach((w, i) => {
      const next = w.next ? `  ${plural(w.blockers.length, 'change')} to ${w.next}` : '';
      out.push(
        `  ${pad(wWhere[i]!, a)}  ${pad(wRef[i]!, b)}  ${p.level(w.level)}${' '.repeat(10 - w.level.length)}${next}`.trimEnd(),
      );
    });
    for (const s of ns.scenarios) {
      const names = (ix: number[]) =>
        ix.length === 0 ? 'none' : ix.map((i) => ref(ns.workloads[i]!)).join(', ');
      const rej = names(s.rejected);
      out.push(
        `  ${s.title} (enforce ${s.enforce.level}:${s.enforce.version}): rejected ${s.rejected.length > 0 ? p.red(rej) : rej}; warned ${names(s.warned)}`,
      );
    }
    for (const w of ns.workloads.filter((x: ReportWorkload) => x.blockers.length > 0)) {
      out.push(`  ${ref(w)} → ${w.next ?? ''}:`);
      for (const bl of w.blockers) {
        const fix =
          bl.fix === 'safe'
            ? 'safe fix'
            : bl.fix === 'unsafe'
              ? 'fix may change behaviour'
              : 'no fix';
        out.push(
          `    ${bl.path}:${bl.line}:${bl.column}  ${bl.message}  ${p.dim(`[${bl.check}; ${fix}${bl.suppressed ? '; suppressed' : ''}]`)}`,
        );
      }
    }
  }
  if (r.upgrade) {
    const u = r.upgrade;
    out.push('');
    out.push(
      p.bold(
        `version upgrade ${u.from} → ${u.to} (${u.fromVersion} → ${u.toVersion}, ${u.level} checks)`,
      ),
    );
    if (u.workloads.length === 0) out.push('  nothing changes');
    for (const w of u.workloads) {
      out.push(
        `  ${w.workload.path}:${w.workload.line}  ${ref(w.workload)}  ${w.fromLevel} → ${w.toLevel}`,
      );
      for (const c of w.added)
        out.push(`    + ${c.check}  ${c.path}:${c.line}:${c.column}  ${c.message}`);
      for (const c of w.relaxed)
        out.push(`    - ${c.check}  ${c.path}:${c.line}:${c.column}  ${c.message}`);
    }
  }
  for (const psp of r.podSecurityPolicies) {
    out.push('');
    out.push(
      `${p.bold(`PodSecurityPolicy ${psp.name ?? '(unnamed)'}`)} (${psp.path}:${psp.line}, removed in Kubernetes v1.25): closest level ${p.level(psp.level)}`,
    );
    if (psp.blockers.length > 0) {
      out.push('  keeping it from restricted:');
      for (const b of psp.blockers) out.push(`    ${b.field} ${b.value} (${b.level}): ${b.reason}`);
    }
    const none = psp.gaps.filter((g) => g.kind === 'noEquivalent');
    const mut = psp.gaps.filter((g) => g.kind === 'mutating');
    if (none.length > 0) {
      out.push('  no Pod Security equivalent:');
      for (const g of none) out.push(`    ${g.field} ${g.value}: ${g.note}`);
    }
    if (mut.length > 0) {
      out.push('  mutations Pod Security admission does not do:');
      for (const g of mut) out.push(`    ${g.field} ${g.value}: ${g.note}`);
    }
  }
  if (r.errors.length > 0) {
    out.push('');
    out.push(p.bold('not evaluated'));
    for (const e of r.errors) out.push(`  ${e.path}:${e.line}:${e.column}  ${e.message}`);
  }
  return `${out.join('\n')}\n`;
}
