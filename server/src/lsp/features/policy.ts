/**
 * Where a policy comes from: the settings, or a Namespace's label. The
 * document policy the status bar shows, and the words and locations a finding's
 * diagnostic and hover give for its policy. The Namespaces themselves are the
 * workspace's; this file reads them through NamespaceResolver.
 */
import type { Location } from 'vscode-languageserver';
import { evaluatedMinor, namespacePolicies } from '../../engine';
import type { Finding, NamespaceLabels, Span } from '../../engine';
import type { PodsecSettings, PolicyForDocumentResult } from '../protocol';
import { projectChoice } from '../projectSettings';
import { fileKey } from '../uris';
import type { AnalysisResult } from './analysisResult';

/** The workspace's Namespaces, as the language service reads them. */
export interface NamespaceResolver {
  /** The location of `span` in `file` (a path or URI the engine was given), if known. */
  locate(file: string, span: Span): Location | null;
  /** The Namespace `name` as declared in `file` (or wherever it is declared). */
  lookup(name: string, file: string | undefined): NamespaceLabels | undefined;
  /** How to show a file to people (workspace-relative when possible). */
  display(file: string): string;
}

/** The policy of the document's first workload (as the engine chose it), or the configured one. */
export function documentPolicy(
  r: AnalysisResult,
  s: PodsecSettings,
  ns: { uriOf(file: string): string } & Partial<Pick<NamespaceResolver, 'lookup'>>,
): PolicyForDocumentResult {
  const chosen = projectChoice(s);
  const fromSetting: PolicyForDocumentResult = {
    level: s.level,
    version: s.version,
    evaluatedVersion: `v1.${evaluatedMinor(s.version)}`,
    source: 'setting',
    ...(chosen ? { configFile: chosen.file, configKeys: chosen.keys } : {}),
    ...(r.chart ? { chart: r.chart } : {}),
  };
  const w = r.analysis.workloads[0];
  const exemption = w?.exemption !== undefined ? { exemption: w.exemption } : {};
  if (w && w.policySource.kind === 'admission') {
    const a = w.policySource;
    return {
      level: w.policy.level,
      version: w.policy.version,
      evaluatedVersion: `v1.${evaluatedMinor(w.policy.version)}`,
      source: 'admission',
      ...(a.file !== undefined ? { file: ns.uriOf(a.file) } : {}),
      ...(a.label !== undefined ? { key: a.label } : {}),
      ...(chosen ? { configFile: chosen.file, configKeys: chosen.keys } : {}),
      ...(r.chart ? { chart: r.chart } : {}),
      ...exemption,
    };
  }
  if (!w || w.policySource.kind !== 'namespace' || !s.namespaceLabels)
    return { ...fromSetting, ...exemption };
  const src = w.policySource;
  // Every mode of the Namespace (upstream's defaults filled in), for the status bar's tooltip.
  const declared = src.namespace ? ns.lookup?.(src.namespace, src.file) : undefined;
  const modes = declared
    ? namespacePolicies(declared.labels).modes.map((x) => ({
        mode: x.mode,
        level: x.policy.level,
        version: x.policy.version,
        label: x.label,
      }))
    : undefined;
  return {
    level: w.policy.level,
    version: w.policy.version,
    evaluatedVersion: `v1.${evaluatedMinor(w.policy.version)}`,
    source: 'namespace',
    namespace: src.namespace ?? '',
    label: src.label ?? '',
    file: ns.uriOf(src.file ?? ''),
    ...(modes ? { modes } : {}),
    ...exemption,
    ...(r.chart ? { chart: r.chart } : {}),
  };
}

/** The value of the label that chose a finding's policy, if a Namespace chose it. */
export function labelValue(f: Finding, ns: NamespaceResolver): string | undefined {
  const src = f.policySource;
  if (src.kind !== 'namespace' || !src.namespace || !src.label) return undefined;
  return ns.lookup(src.namespace, src.file)?.labels[src.label] ?? f.policy.level;
}

/**
 * Where the level for workloads no label chooses comes from, in words: the
 * `.podsec.yaml` that sets `level` (or `version`), else the settings.
 */
export function settingsOrigin(
  s: PodsecSettings | undefined,
  display: (file: string) => string,
  fallback = 'the `podsec.level` / `podsec.version` settings',
): string {
  const chosen = s ? projectChoice(s) : undefined;
  const keys = (chosen?.keys ?? []).filter((k) => k === 'level' || k === 'version');
  if (chosen && keys.length > 0) {
    const setting = keys.length === 2 ? '`level` and `version`' : `\`${keys[0] ?? ''}\``;
    return `.podsec.yaml (${setting} in ${display(fileKey(chosen.file))})`;
  }
  return fallback;
}

/** Why a finding's policy applies, in words (`s`: the document's settings, for `.podsec.yaml`). */
export function policyReason(f: Finding, ns: NamespaceResolver, s?: PodsecSettings): string {
  const src = f.policySource;
  if (src.kind === 'namespace') {
    const value = labelValue(f, ns);
    const where = src.file ? ` in ${ns.display(src.file)}` : '';
    return `namespace "${src.namespace ?? ''}" label \`${src.label ?? ''}${value !== undefined ? `=${value}` : ''}\`${where}`;
  }
  if (src.kind === 'admission') {
    const key = src.label ? `\`${src.label}\` of ` : 'the defaults of ';
    return src.file
      ? `${key}the admission configuration ${ns.display(src.file)}`
      : "the admission configuration's built-in defaults";
  }
  return settingsOrigin(s, (file) => ns.display(file));
}
