/**
 * The hover over a finding: the check's title and level, the policy and why
 * it applies, what is allowed, upstream's message, the fixes on offer, and a
 * link to the Pod Security Standards.
 */
import type { Hover } from 'vscode-languageserver';
import { CHECKS_BY_ID, escapeMarkdown } from '../../engine';
import type { AnalysisResult } from './analysisResult';
import { checkHref } from './diagnostics';
import type { NamespaceResolver } from './policy';
import { policyReason } from './policy';
import { hardeningFindingHover, isolationHover } from './hardeningHover';

export function hoverAt(
  r: AnalysisResult,
  position: { line: number; character: number },
  ns: NamespaceResolver,
): Hover | null {
  const offset = r.offset(position);
  const hits = r.findingsAt(offset, offset);
  const isolation = isolationHover(r, offset);
  if (hits.length === 0) {
    if (!isolation) return null;
    const w = r.workloadAt(offset)!;
    return { contents: { kind: 'markdown', value: isolation }, range: r.range(w.headSpan) };
  }
  const parts: string[] = [];
  for (const i of hits) {
    const f = r.analysis.findings[i]!;
    if (f.family === 'hardening') {
      parts.push(hardeningFindingHover(f));
      continue;
    }
    const def = CHECKS_BY_ID.get(f.check as never);
    const lines: string[] = [];
    lines.push(
      def
        ? `**${escapeMarkdown(def.title)}** (\`${f.check}\`, ${def.level} check)`
        : `**${escapeMarkdown(f.reason)}** (\`${f.check}\`)`,
    );
    lines.push('');
    lines.push(
      `Policy: **${f.policy.level}** at ${f.policy.version}` +
        (f.policy.version !== f.evaluatedVersion ? ` (evaluated as ${f.evaluatedVersion})` : '') +
        `, ${f.mode} mode, from ${policyReason(f, ns)}.`,
    );
    if (def) {
      lines.push('');
      lines.push(`Allowed: ${escapeMarkdown(def.allowed)}`);
    }
    lines.push('');
    lines.push(`Upstream: \`${f.reason}${f.detail ? ` (${f.detail})` : ''}\``);
    if (f.path) lines.push(`at \`${f.path}\``);
    if (f.fixes.length > 0) {
      lines.push('');
      lines.push('Fixes:');
      for (const x of f.fixes) {
        lines.push(`- ${escapeMarkdown(x.title)}${x.safe ? '' : ' (may change behaviour)'}`);
      }
    }
    const href = checkHref(f.check);
    if (href) {
      lines.push('');
      lines.push(`[Pod Security Standards: ${def?.level ?? ''}](${href})`);
    }
    parts.push(lines.join('\n'));
  }
  if (isolation) parts.push(isolation);
  const first = r.analysis.findings[hits[0]!]!;
  return {
    contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') },
    range: r.range(first.span),
  };
}
