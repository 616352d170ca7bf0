/**
 * The level advisor's report as Markdown: the editor's "Show Pod Security
 * Report" preview, the `podsec/report` request and `podsec report --format
 * markdown`.
 */
import { hardeningMarkdown } from './reportHardening';
import { escapeMarkdown as md, plural } from '../engine/index';
import type { AdvisorReport, Level, Located, ModeLabel, ReportChart } from '../engine/index';

function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${s}${fence}`;
}

/** `Deployment web` as Markdown; a chart's workload also names its chart, value set and release. */
export function workloadTitle(w: {
  kind: string;
  name: string | null;
  chart?: ReportChart;
}): string {
  const chart = w.chart
    ? ` (chart ${code(w.chart.name)}, values ${code(w.chart.valueSet)}, release ${code(w.chart.releaseName)})`
    : '';
  return `${w.kind} ${code(w.name ?? '(unnamed)')}${chart}`;
}

/** "3 changes to restricted", or "meets restricted". */
export function toNextPhrase(w: { next: Level | null; blockers: readonly unknown[] }): string {
  return w.next ? `${plural(w.blockers.length, 'change')} to ${w.next}` : '—';
}

function modeText(m: ModeLabel): string {
  const v = m.version === 'latest' ? 'latest' : m.version;
  return `**${m.level}** (${v})${m.labelled ? '' : m.fromAdmission ? ' _admission configuration default_' : ' _default_'}`;
}

/** What the editor checks workloads of unlabelled namespaces against, for the report to say. */
export interface EditorPolicy {
  level: Level;
  version: string;
  /** Where that level comes from, in words (e.g. "the `podsec.level` setting"). */
  from: string;
}

/**
 * The report as Markdown (the editor's "Show Pod Security Report" and `podsec
 * report --format markdown`). `linkFor` makes places links (the editor's
 * preview opens them at the line); `editor` is the policy the editor applies
 * where no label chooses one, stated next to the cluster's default.
 */
export function reportMarkdown(
  r: AdvisorReport,
  linkFor?: (l: Located) => string,
  editor?: EditorPolicy,
): string {
  const out: string[] = [];
  const link = (label: string, l: Located) => {
    const href = linkFor?.(l);
    return href ? `[${label}](${href})` : label;
  };
  const where = (l: Located) => link(code(`${l.path}:${l.line}`), l);
  /** A place in a file already named: its line only. */
  const lineIn = (l: Located, file: string) =>
    l.path === file ? link(`line ${l.line}`, l) : where(l);
  out.push('# Pod Security report');
  out.push('');
  out.push(
    `Levels at ${code(r.version)}${r.version !== r.evaluatedVersion ? ` (${r.evaluatedVersion})` : ''}: ` +
      `${plural(r.summary.workloads, 'workload')} in ${plural(r.namespaces.length, 'namespace')} ` +
      `(${r.summary.byLevel.restricted} restricted, ${r.summary.byLevel.baseline} baseline, ${r.summary.byLevel.privileged} privileged)` +
      `${r.summary.podSecurityPolicies > 0 ? `, ${plural(r.summary.podSecurityPolicies, 'PodSecurityPolicy', 'PodSecurityPolicies')}` : ''}` +
      ` from ${plural(r.summary.files, 'file')}.`,
  );
  for (const ns of r.namespaces) {
    out.push('');
    out.push(`## Namespace ${code(ns.name)}`);
    out.push('');
    const declared = ns.declaredIn
      ? ` Declared in ${code(ns.declaredIn)}.`
      : ' No Namespace document found.';
    const cluster =
      ns.admissionConfiguration === undefined
        ? ''
        : ns.admissionConfiguration === null
          ? ' No admission configuration.'
          : ` Admission configuration ${code(ns.admissionConfiguration)}.`;
    out.push(
      `Labels: enforce ${modeText(ns.enforce)}, warn ${modeText(ns.warn)}, audit ${modeText(ns.audit)}.${declared}${cluster}`,
    );
    if (ns.exemption) {
      out.push('');
      out.push(
        `**${md(ns.exemption.message)}.**${ns.exemption.warning ? ` Warning: ${md(ns.exemption.warning)}.` : ''}`,
      );
    }
    if (editor && !ns.enforce.labelled) {
      out.push('');
      out.push(
        `The editor checks these workloads at **${editor.level}** (${md(editor.version)}), from ${editor.from}; ` +
          `a cluster admits them at its default, **${ns.enforce.level}** (${ns.enforce.version}), until the namespace is labelled.`,
      );
    }
    if (ns.workloads.length === 0) {
      out.push('');
      out.push('No workloads.');
      continue;
    }
    out.push('');
    out.push('| Workload | Where | Meets | To the next level |');
    out.push('| --- | --- | --- | --- |');
    for (const w of ns.workloads) {
      const exempt = w.exemption !== undefined ? ' · _exempt_' : '';
      out.push(
        `| ${workloadTitle(w)} | ${where(w)} | **${w.level}**${w.version ? ` (${code(w.version)})` : ''}${exempt} | ${toNextPhrase(w)} |`,
      );
    }
    out.push('');
    // An exemption the namespace's line already gives is not repeated.
    const exempted = ns.workloads.filter(
      (w) => w.exemption !== undefined && w.exemption !== ns.exemption?.message,
    );
    for (const w of exempted) {
      out.push(`- ${workloadTitle(w)} is not evaluated by admission: ${md(w.exemption ?? '')}.`);
    }
    if (exempted.length > 0) out.push('');
    for (const s of ns.scenarios) {
      const names = (ix: number[]) =>
        ix.length === 0 ? 'none' : ix.map((i) => workloadTitle(ns.workloads[i]!)).join(', ');
      const policy = `enforce ${s.enforce.level}:${s.enforce.version}, warn ${s.warn.level}:${s.warn.version}`;
      out.push(
        `- **${md(s.title[0]!.toUpperCase() + s.title.slice(1))}** (${policy}): rejected: ${names(s.rejected)}; warned: ${names(s.warned)}.`,
      );
    }
    const withBlockers = ns.workloads.filter((w) => w.blockers.length > 0);
    if (withBlockers.length > 0) {
      out.push('');
      out.push('### What stands between each workload and the next level');
      for (const w of withBlockers) {
        out.push('');
        out.push(`${workloadTitle(w)} in ${where(w)} (${w.level} → ${w.next ?? ''}):`);
        out.push('');
        for (const b of w.blockers) {
          const fix =
            b.fix === 'safe'
              ? 'safe fix'
              : b.fix === 'unsafe'
                ? 'fix may change behaviour'
                : 'no fix';
          out.push(
            `- ${code(b.check)} ${md(b.message)} at ${lineIn(b, w.path)} (${fix}${b.suppressed ? '; suppressed in the file, still counted by admission' : ''})`,
          );
        }
      }
    }
  }
  for (const o of r.overlays ?? []) {
    out.push('');
    out.push(`## Overlay ${code(o.name)}`);
    out.push('');
    if (o.error !== null) {
      out.push(`Not built: ${md(o.error)}`);
      continue;
    }
    if (o.workloads.length === 0) {
      out.push('No workloads.');
      continue;
    }
    out.push('| Workload | Where | Namespace | Level there | Admitted | Meets |');
    out.push('| --- | --- | --- | --- | --- | --- |');
    for (const w of o.workloads) {
      const verdict =
        w.rejected === 0 ? '✓' : `✗ (${plural(w.rejected, 'finding')} enforce rejects)`;
      const warned = w.warned > 0 ? `, ${plural(w.warned, 'warning')}` : '';
      const meets =
        w.met === undefined
          ? ''
          : `**${w.met}**${w.next ? ` (${plural(w.toNext ?? 0, 'change')} to ${w.next})` : ''}`;
      out.push(
        `| ${workloadTitle(w)} | ${where(w)} | ${code(w.namespace ?? '(none)')} | **${w.level}** (${md(w.version)}, from ${md(w.from)}) | ${verdict}${warned} | ${meets} |`,
      );
    }
    if (o.met !== null || o.scenarios.length > 0) out.push('');
    if (o.met !== null) out.push(`Highest level every workload meets: **${o.met}**.`);
    for (const sc of o.scenarios)
      out.push(`- ${md(sc.title)}: ${sc.rejected} of ${plural(sc.of, 'workload')} rejected`);
  }
  if (r.upgrade) {
    const u = r.upgrade;
    out.push('');
    out.push(
      `## Version upgrade ${code(u.from)} → ${code(u.to)} (${u.fromVersion} → ${u.toVersion}, ${u.level} checks)`,
    );
    out.push('');
    if (u.workloads.length === 0) out.push('Nothing changes for any workload.');
    for (const w of u.workloads) {
      out.push(
        `- ${workloadTitle(w.workload)} in ${code(w.workload.namespace)} at ${where(w.workload)}: ${w.fromLevel} → ${w.toLevel}`,
      );
      const file = w.workload.path;
      for (const c of w.added)
        out.push(`  - new: ${code(c.check)} ${md(c.message)} at ${lineIn(c, file)}`);
      for (const c of w.relaxed) {
        out.push(`  - relaxed: ${code(c.check)} ${md(c.message)} at ${lineIn(c, file)}`);
      }
    }
  }
  if (r.podSecurityPolicies.length > 0) {
    out.push('');
    out.push('## PodSecurityPolicies (removed in Kubernetes v1.25)');
    for (const p of r.podSecurityPolicies) {
      out.push('');
      out.push(`### ${code(p.name ?? '(unnamed)')} at ${where(p)}`);
      out.push('');
      out.push(
        `Closest Pod Security level: **${p.level}** (admits every pod this policy admitted).`,
      );
      if (p.blockers.length > 0) {
        out.push('');
        out.push('Keeping it from restricted:');
        out.push('');
        for (const b of p.blockers) {
          out.push(`- ${code(b.field)} ${code(b.value)} (${b.level}): ${md(b.reason)}`);
        }
      }
      const none = p.gaps.filter((g) => g.kind === 'noEquivalent');
      const mut = p.gaps.filter((g) => g.kind === 'mutating');
      if (none.length > 0) {
        out.push('');
        out.push('No Pod Security equivalent:');
        out.push('');
        for (const g of none) out.push(`- ${code(g.field)} ${code(g.value)}: ${md(g.note)}`);
      }
      if (mut.length > 0) {
        out.push('');
        out.push('Mutations Pod Security admission does not do (pods must set these themselves):');
        out.push('');
        for (const g of mut) out.push(`- ${code(g.field)} ${code(g.value)}: ${md(g.note)}`);
      }
    }
  }
  if (r.hardening) out.push(...hardeningMarkdown(r.hardening));
  if (r.errors.length > 0) {
    out.push('');
    out.push('## Not evaluated');
    out.push('');
    for (const e of r.errors) out.push(`- ${where(e)}: ${md(e.message)}`);
  }
  return `${out.join('\n')}\n`;
}
