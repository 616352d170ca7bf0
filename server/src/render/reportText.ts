/** `podsec report` as plain text (colours on a terminal). */
import { hardeningText } from './reportHardening';
import { plural } from '../engine/index';
import type { AdvisorReport, Level, ModeLabel, ReportChart, ReportWorkload } from '../engine/index';

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

const ref = (w: { kind: string; name: string | null; chart?: ReportChart }) =>
  `${w.kind}/${w.name ?? '(unnamed)'}${w.chart ? ` [chart ${w.chart.name}, values ${w.chart.valueSet}, release ${w.chart.releaseName}]` : ''}`;

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
    const mode = (name: string, m: ModeLabel) =>
      `${name} ${m.level}:${m.version}${m.labelled ? '' : m.fromAdmission ? ' (admission configuration default)' : ' (default)'}`;
    out.push(
      `${p.bold(`namespace ${ns.name}`)}  ${mode('enforce', ns.enforce)}, ${mode('warn', ns.warn)}, ${mode('audit', ns.audit)}` +
        p.dim(
          (ns.declaredIn ? `; declared in ${ns.declaredIn}` : '; no Namespace document') +
            (ns.admissionConfiguration === undefined
              ? ''
              : `; ${ns.admissionConfiguration === null ? 'no admission configuration' : `admission configuration ${ns.admissionConfiguration}`}`),
        ),
    );
    if (ns.exemption) {
      out.push(`  ${p.yellow('exempt')}  ${ns.exemption.message}`);
      if (ns.exemption.warning) out.push(`  ${p.yellow('warning')}  ${ns.exemption.warning}`);
    }
    if (ns.workloads.length === 0) {
      out.push('  no workloads');
      continue;
    }
    const wWhere = ns.workloads.map((w) => `${w.path}:${w.line}`);
    const wRef = ns.workloads.map(ref);
    const a = Math.max(...wWhere.map((s) => s.length));
    const b = Math.max(...wRef.map((s) => s.length));
    ns.workloads.forEach((w, i) => {
      // An exemption the namespace line already gives is not repeated.
      const next =
        w.exemption !== undefined
          ? `  ${p.yellow('exempt')}${w.exemption === ns.exemption?.message ? '' : `: ${w.exemption}`}`
          : w.next
            ? `  ${plural(w.blockers.length, 'change')} to ${w.next}`
            : '';
      out.push(
        `  ${pad(wWhere[i]!, a)}  ${pad(wRef[i]!, b)}  ${p.level(w.level)}${' '.repeat(10 - w.level.length)}${w.version ? ` at ${w.version}` : ''}${next}`.trimEnd(),
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
  for (const o of r.overlays ?? []) {
    out.push('');
    out.push(p.bold(`overlay ${o.name}`));
    if (o.error !== null) {
      out.push(`  ${p.red('not built')}: ${o.error}`);
      continue;
    }
    if (o.workloads.length === 0) out.push('  no workloads');
    for (const w of o.workloads) {
      const verdict =
        w.rejected === 0
          ? p.green('admitted')
          : p.red(`rejected (${plural(w.rejected, 'finding')})`);
      const warned = w.warned > 0 ? `, ${plural(w.warned, 'warning')}` : '';
      out.push(
        `  ${w.path}:${w.line}  ${ref(w)}  namespace ${w.namespace ?? '(none)'}  ${p.level(w.level)}:${w.version} ${p.dim(`from ${w.from}`)}  ${verdict}${warned}${overlayMeets(w)}`,
      );
    }
    if (o.met !== null) out.push(`  highest level every workload meets: ${p.level(o.met)}`);
    for (const sc of o.scenarios)
      out.push(`  ${sc.title}: ${sc.rejected} of ${plural(sc.of, 'workload')} rejected`);
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
  if (r.hardening) out.push(...hardeningText(r.hardening, p.bold));
  if (r.errors.length > 0) {
    out.push('');
    out.push(p.bold('not evaluated'));
    for (const e of r.errors) out.push(`  ${e.path}:${e.line}:${e.column}  ${e.message}`);
  }
  return `${out.join('\n')}\n`;
}

/** `; meets baseline (2 to restricted)` for an overlay's workload the advisor judged. */
export function overlayMeets(w: { met?: Level; next?: Level | null; toNext?: number }): string {
  if (w.met === undefined) return '';
  const to = w.next ? ` (${plural(w.toNext ?? 0, 'change')} to ${w.next})` : '';
  return `; meets ${w.met}${to}`;
}
