/**
 * Hovers of the hardening checks: over a finding, what the check looks at,
 * why it matters, what passes, the message and the fixes on offer; over a
 * workload's `kind:` line, the NetworkPolicies that select its pods, per
 * direction, and whether they deny all, allow all or allow some.
 */
import { escapeMarkdown, HARDENING_CHECKS, isHardeningCheckId } from '../../engine';
import type { Finding, WorkloadIsolation } from '../../engine';
import type { AnalysisResult } from './analysisResult';

/** The hover text of one hardening finding (Markdown). */
export function hardeningFindingHover(f: Finding): string {
  if (!isHardeningCheckId(f.check)) return escapeMarkdown(f.message);
  const c = HARDENING_CHECKS[f.check];
  const lines = [
    `**${escapeMarkdown(c.title)}** (\`${f.check}\`, hardening check, ${f.severity})`,
    '',
    escapeMarkdown(f.message),
    '',
    `Checks: ${escapeMarkdown(c.checks)}`,
    '',
    `Why: ${escapeMarkdown(c.why)}`,
    '',
    `Passes: ${escapeMarkdown(c.allowed)}`,
  ];
  if (f.fixes.length > 0) {
    lines.push('', 'Fixes (never preferred: they need your values or change traffic):');
    for (const x of f.fixes) lines.push(`- ${escapeMarkdown(x.title)}`);
  }
  lines.push(
    '',
    `Silence with \`# podsec-ignore ${f.check} -- <reason>\`, or set \`podsec.severity\` \`{"${f.check}": "off"}\`.`,
  );
  const refs = c.references.map(
    (u, i) => `[Kubernetes docs${c.references.length > 1 ? ` ${i + 1}` : ''}](${u})`,
  );
  if (refs.length > 0) lines.push('', refs.join(' · '));
  return lines.join('\n');
}

const RULES: Record<string, string> = {
  denyAll: 'denies all',
  allowAll: 'allows all',
  some: 'allows some',
};

function direction(name: string, d: WorkloadIsolation['ingress']): string {
  if (d.policies.length === 0) return `- ${name}: not isolated (no NetworkPolicy selects the pods)`;
  const list = d.policies
    .map((p) => `\`${escapeMarkdown(p.name)}\` (${RULES[p.rules] ?? p.rules})`)
    .join(', ');
  return `- ${name}: isolated by ${list}${d.allowsAll ? ' — one of them allows all traffic' : ''}`;
}

/** The NetworkPolicies of a workload whose `kind:` line is at `offset` (Markdown), or null. */
export function isolationHover(r: AnalysisResult, offset: number): string | null {
  const w = r.workloadAt(offset);
  const list = r.analysis.hardening?.isolation;
  if (!w || !list || offset < w.headSpan.start || offset > w.headSpan.end) return null;
  const i = list.find(
    (x) => x.object.document === w.object.document && x.object.item === w.object.item,
  );
  if (!i) return null;
  const lines = [
    `**NetworkPolicies** selecting the pods of ${escapeMarkdown(w.object.kind)} \`${escapeMarkdown(w.object.name ?? '')}\` in namespace \`${escapeMarkdown(i.namespace)}\` (workspace):`,
    '',
    direction('Ingress', i.ingress),
    direction('Egress', i.egress),
  ];
  if (i.notJudged.length > 0) {
    lines.push(
      '',
      `Not evaluated, may select them too: ${i.notJudged.map((n) => escapeMarkdown(n)).join(', ')}`,
    );
  }
  return lines.join('\n');
}
