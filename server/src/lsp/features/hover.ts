/**
 * The hover over a finding, readable in one glance. One problem: its title
 * and check (and the checks merged into it, see groups.ts), what to do, what
 * is allowed, the fixes, the policy and why it applies, upstream's wording and
 * the field path once, then the links. Several problems on one node (a
 * `securityContext:` missing four fields): one short line each, then the
 * shared policy line, upstream's wording, and the links last. Hardening
 * findings and the workload's network isolation follow as blocks of their own.
 */
import type { Hover } from 'vscode-languageserver';
import { CHECKS_BY_ID, escapeMarkdown, findingSubject, findingSummary } from '../../engine';
import type { Finding } from '../../engine';
import type { PodsecSettings } from '../protocol';
import type { AnalysisResult } from './analysisResult';
import { checkDocsHref, checkHref } from './diagnostics';
import { problemGroups } from './groups';
import type { NamespaceResolver } from './policy';
import { policyReason } from './policy';
import { hardeningFindingHover, isolationHover } from './hardeningHover';

function upstream(f: Finding): string {
  return `\`${f.reason}${f.detail ? ` (${f.detail})` : ''}\``;
}

/** `privileged` (baseline, enforce), and the merged ones. */
function checksOf(members: readonly Finding[]): string {
  return members
    .map((f) => {
      const def = CHECKS_BY_ID.get(f.check as never);
      return `\`${f.check}\` (${def ? `${def.level}, ` : ''}${f.mode})`;
    })
    .join(' and ');
}

/** What to do, without the subject the hover already names. */
function todo(f: Finding): string {
  const summary = findingSummary(f);
  const who = findingSubject(f);
  return who && summary.startsWith(`${who}: `) ? summary.slice(who.length + 2) : summary;
}

function fixes(f: Finding): string[] {
  return f.fixes.map(
    (x) => `${escapeMarkdown(x.title)}${x.safe ? '' : ' (_may change how the workload runs_)'}`,
  );
}

function policyLine(f: Finding, ns: NamespaceResolver, s: PodsecSettings | undefined): string {
  return (
    `Policy: **${f.policy.level}** at ${f.policy.version}` +
    (f.policy.version !== f.evaluatedVersion ? ` (${f.evaluatedVersion})` : '') +
    `, ${f.mode} mode, from ${policyReason(f, ns, s)}.`
  );
}

/** The hover over an exempt workload's `kind:` line: the exemption, since admission does not evaluate it. */
function exemptionHover(r: AnalysisResult, offset: number, line: number): Hover | null {
  const w = r.workloadAt(offset);
  if (!w?.exemption || r.range(w.headSpan).start.line !== line) return null;
  return {
    contents: {
      kind: 'markdown',
      value:
        `**Not evaluated by Pod Security admission** · ${escapeMarkdown(w.object.kind)} ${escapeMarkdown(w.object.name ?? '(unnamed)')}\n\n` +
        `${escapeMarkdown(w.exemption)}.`,
    },
    range: r.range(w.headSpan),
  };
}

/** The checks' own pages (docs/checks), then the Pod Security Standards sections of their levels. */
function links(checks: readonly string[]): string {
  const out = new Map<string, string>();
  for (const c of checks) {
    const docs = checkDocsHref(c);
    if (docs) out.set(docs, `[Documentation: ${c}](${docs})`);
  }
  for (const c of checks) {
    const def = CHECKS_BY_ID.get(c as never);
    const href = checkHref(c);
    if (def && href) out.set(href, `[Pod Security Standards: ${def.level}](${href})`);
  }
  return [...out.values()].join(' · ');
}

export function hoverAt(
  r: AnalysisResult,
  position: { line: number; character: number },
  ns: NamespaceResolver,
  settings?: PodsecSettings,
): Hover | null {
  const offset = r.offset(position);
  const hits = new Set(r.findingsAt(offset, offset));
  const isolation = isolationHover(r, offset);
  if (hits.size === 0) {
    const exempt = exemptionHover(r, offset, position.line);
    if (exempt) return exempt;
    if (!isolation) return null;
    const w = r.workloadAt(offset)!;
    return { contents: { kind: 'markdown', value: isolation }, range: r.range(w.headSpan) };
  }
  const findings = r.analysis.findings;
  const hardening = [...hits]
    .sort((a, b) => a - b)
    .map((i) => findings[i]!)
    .filter((f) => f.family === 'hardening');
  const groups = problemGroups(r)
    .filter((g) => g.some((i) => hits.has(i)))
    .map((g) => g.map((i) => findings[i]!))
    .filter((g) => g[0]!.family !== 'hardening');
  const parts: string[] = [];
  if (groups.length > 0) parts.push(podSecurityHover(groups, ns, r.baseline, settings));
  for (const f of hardening) parts.push(hardeningFindingHover(f));
  if (isolation) parts.push(isolation);
  const first = groups[0]?.[0] ?? hardening[0]!;
  return {
    contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') },
    range: r.range(first.span),
  };
}

/** The Pod Security problems under the cursor (at least one group). */
function podSecurityHover(
  groups: readonly Finding[][],
  ns: NamespaceResolver,
  baseline: AnalysisResult['baseline'],
  settings: PodsecSettings | undefined,
): string {
  const lead = groups[0]![0]!;
  const lines: string[] = [];
  const existing = baseline ? groups.flat().some((f) => baseline.existing.has(f)) : false;
  if (groups.length === 1) {
    const members = groups[0]!;
    const def = CHECKS_BY_ID.get(lead.check as never);
    const title = def ? def.title : lead.reason;
    lines.push(`**${escapeMarkdown(title)}** · ${checksOf(members)}`);
    lines.push('');
    const who = findingSubject(lead);
    lines.push(`${who ? `${escapeMarkdown(who)}: ` : ''}**${escapeMarkdown(todo(lead))}**`);
    if (def) {
      lines.push('');
      lines.push(`Allowed: ${escapeMarkdown(def.allowed)}.`);
    }
    const fx = fixes(lead);
    if (fx.length > 0) {
      lines.push('');
      lines.push(`Fix: ${fx.join('; ')} (Ctrl+.)`);
    }
    lines.push('');
    lines.push(policyLine(lead, ns, settings));
    lines.push('');
    lines.push(`Upstream: ${upstream(lead)}${lead.path ? ` at \`${lead.path}\`` : ''}`);
  } else {
    const who = findingSubject(lead);
    lines.push(
      `**${groups.length} Pod Security problems**${who ? ` · ${escapeMarkdown(who)}` : ''}`,
    );
    lines.push('');
    for (const members of groups) {
      const f = members[0]!;
      const fx = f.fixes[0];
      const fixNote = fx ? (fx.safe ? ' · fix: Ctrl+.' : ' · fix may change how it runs') : '';
      lines.push(`- ${escapeMarkdown(todo(f))} · ${checksOf(members)}${fixNote}`);
    }
    lines.push('');
    lines.push(policyLine(lead, ns, settings));
    lines.push('');
    lines.push('Upstream:');
    lines.push('');
    for (const members of groups) lines.push(`- ${upstream(members[0]!)}`);
  }
  if (existing && baseline) lines.push('', `Existing: in the baseline ${baseline.file}.`);
  const l = links(groups.flat().map((f) => f.check));
  if (l) {
    lines.push('');
    lines.push(l);
  }
  return lines.join('\n');
}
