/**
 * The report's hardening section, in Markdown and in text: per namespace,
 * isolated workloads of total and its default denies; per check that runs,
 * its severity and number of findings; per audit Policy, its gaps.
 */
import { escapeMarkdown, plural } from '../engine/index';
import type { HardeningReport } from '../engine/index';

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function denies(n: HardeningReport['namespaces'][number]): string {
  const parts: string[] = [];
  if (n.defaultDenyIngress) parts.push(`ingress ${n.defaultDenyIngress}`);
  if (n.defaultDenyEgress) parts.push(`egress ${n.defaultDenyEgress}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Markdown lines of the section (empty when there is nothing to say). */
export function hardeningMarkdown(h: HardeningReport): string[] {
  const out: string[] = ['', '## Hardening checks', ''];
  if (h.checks.length === 0) return [...out, 'Every hardening check is off.'];
  out.push('| Check | Severity | Findings |', '| --- | --- | --- |');
  for (const c of h.checks) out.push(`| ${code(c.check)} | ${c.severity} | ${c.findings} |`);
  if (h.namespaces.length > 0) {
    out.push('', '### Network isolation', '');
    out.push(
      '| Namespace | Isolated (any direction) | Ingress | Egress | Default deny |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const n of h.namespaces) {
      out.push(
        `| ${code(n.namespace)} | ${n.isolatedAny} of ${n.workloads} | ${n.isolatedIngress} | ${n.isolatedEgress} | ${escapeMarkdown(denies(n))} |`,
      );
    }
  }
  if (h.audit.length > 0) {
    out.push('', '### Audit policies', '');
    for (const a of h.audit) {
      out.push(
        `- ${code(a.file)}${a.name ? ` (${escapeMarkdown(a.name)})` : ''}: ${a.gaps === 0 ? `logs the ${a.probes} security-relevant requests as it should` : plural(a.gaps, 'gap')}`,
      );
    }
  }
  return out;
}

/** Text lines of the section. */
export function hardeningText(h: HardeningReport, bold: (s: string) => string): string[] {
  const out: string[] = ['', bold('hardening checks')];
  if (h.checks.length === 0) return [...out, '  every hardening check is off'];
  for (const c of h.checks)
    out.push(`  ${c.check.padEnd(24)} ${c.severity.padEnd(12)} ${plural(c.findings, 'finding')}`);
  for (const n of h.namespaces) {
    out.push(
      `  namespace ${n.namespace}: ${n.isolatedAny} of ${plural(n.workloads, 'workload')} isolated (ingress ${n.isolatedIngress}, egress ${n.isolatedEgress}); default deny: ${denies(n)}`,
    );
  }
  for (const a of h.audit) {
    out.push(
      `  audit policy ${a.file}${a.name ? ` (${a.name})` : ''}: ${a.gaps === 0 ? 'no gaps' : plural(a.gaps, 'gap')}`,
    );
  }
  return out;
}
