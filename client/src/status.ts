/**
 * The status bar item of YAML files: the level and version that apply to the
 * active file, and whether a Namespace label chose them; for a file of a Helm
 * chart, also the value set and release name the chart was rendered with.
 */
import * as vscode from 'vscode';
import type { ChartPolicyInfo, PolicyForDocumentResult } from '../../server/src/lsp/protocol';

/**
 * A chart's part of the status bar: `$(package) web: default · release-name`
 * for one value set, `$(package) web: dev, prod` for several; the tooltip
 * names each set's release and namespace.
 */
export function chartStatus(chart: ChartPolicyInfo): { text: string; tooltip: string } {
  const [one, ...more] = chart.renders;
  const text =
    one && more.length === 0
      ? `$(package) ${chart.name}: ${one.valueSet} · ${one.releaseName}`
      : `$(package) ${chart.name}: ${chart.renders.map((r) => r.valueSet).join(', ') || 'no value set'}`;
  const from = chart.configFile
    ? ` (value sets of ${vscode.workspace.asRelativePath(vscode.Uri.parse(chart.configFile))})`
    : '';
  const lines = chart.renders.map(
    (r) =>
      `- value set **${r.valueSet}**${r.valueSet === 'default' && !chart.configFile ? " (the chart's values.yaml)" : ''}: release \`${r.releaseName}\` in namespace \`${r.namespace}\``,
  );
  const tooltip =
    `\n\nHelm chart \`${chart.name}\`, rendered as a whole${from}:\n\n` +
    (lines.length > 0 ? lines.join('\n') : '- no value set could be read');
  return { text, tooltip };
}

type Modes = Extract<PolicyForDocumentResult, { source: 'namespace' }>['modes'];

/**
 * The Namespace's modes as tooltip lines: enforce always, warn and audit when
 * they differ from enforce (a default is marked as such).
 */
export function modesText(modes: Modes): string {
  if (!modes || modes.length === 0) return '';
  const enforce = modes.find((m) => m.mode === 'enforce');
  const shown = modes.filter(
    (m) =>
      m.mode === 'enforce' ||
      !enforce ||
      m.level !== enforce.level ||
      m.version !== enforce.version,
  );
  const line = (m: NonNullable<Modes>[number]) =>
    `- ${m.mode}: **${m.level}** at ${m.version}${m.label === null ? ' (default)' : ''}`;
  const hidden = modes.filter((m) => !shown.includes(m)).map((m) => m.mode);
  const same = hidden.length > 0 ? `\n- ${hidden.join(' and ')}: as enforce` : '';
  return `\n\n${shown.map(line).join('\n')}${same}`;
}

export class PolicyStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private visible = false;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the item's text, tooltip or visibility changed. */
  readonly onDidChange = this.changed.event;

  constructor(command: string) {
    this.item = vscode.window.createStatusBarItem(
      'podsec.policy',
      vscode.StatusBarAlignment.Right,
      100,
    );
    this.item.name = 'Pod Security level';
    this.item.command = command;
  }

  /** Shows the policy of the active file; null means podsec does not check it. */
  show(policy: PolicyForDocumentResult | null, config: vscode.WorkspaceConfiguration): void {
    const tooltip = new vscode.MarkdownString(undefined, true);
    if (policy === null) {
      const enabled = config.get<boolean>('enable', true);
      this.item.text = '$(shield) PSS off';
      tooltip.appendMarkdown(
        enabled
          ? 'podsec does not check this file (excluded by `podsec.exclude`, or not open in the server yet).'
          : 'podsec is disabled for this file (`podsec.enable`).',
      );
    } else {
      const version =
        policy.version === 'latest'
          ? `latest (${policy.evaluatedVersion})`
          : policy.evaluatedVersion;
      const rel = (uri: string) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri));
      const exempt = policy.exemption
        ? `\n\n**Not evaluated by admission**: ${policy.exemption}.`
        : '';
      if (policy.exemption) {
        this.item.text = `$(shield) PSS exempt`;
        tooltip.appendMarkdown(
          `**Pod Security: exempt**${exempt}\n\nClick to change the level for workloads without a namespace label.`,
        );
      } else if (policy.source === 'admission') {
        this.item.text = `$(shield) PSS ${policy.level} ${policy.evaluatedVersion} $(server)`;
        tooltip.appendMarkdown(
          `**Pod Security: ${policy.level}**, version ${version}\n\n` +
            (policy.file
              ? `From ${policy.key ? `\`${policy.key}\` of ` : ''}the cluster's admission configuration ${rel(policy.file)}.`
              : "From the cluster's admission configuration (its built-in defaults).") +
            '\n\nClick to change the level.',
        );
      } else if (policy.source === 'namespace') {
        this.item.text = `$(shield) PSS ${policy.level} ${policy.evaluatedVersion} $(tag) ${policy.namespace}`;
        tooltip.appendMarkdown(
          `**Pod Security: ${policy.level}**, version ${version}\n\n` +
            `Chosen by the label \`${policy.label}\` of Namespace \`${policy.namespace}\`` +
            ` in ${vscode.workspace.asRelativePath(vscode.Uri.parse(policy.file))}.` +
            modesText(policy.modes) +
            '\n\nClick to change the level for workloads without a namespace label.',
        );
      } else {
        const keys = (policy.configKeys ?? []).filter((k) => k === 'level' || k === 'version');
        const fromFile = policy.configFile !== undefined && keys.length > 0;
        this.item.text = `$(shield) PSS ${policy.level} ${policy.evaluatedVersion}${fromFile ? ' $(file)' : ''}`;
        tooltip.appendMarkdown(
          `**Pod Security: ${policy.level}**, version ${version}\n\n` +
            (fromFile
              ? `From .podsec.yaml (${keys.map((k) => `\`${k}\``).join(' and ')} in ${rel(policy.configFile ?? '')}).`
              : 'From the `podsec.level` and `podsec.version` settings.') +
            '\n\nClick to change the level.',
        );
      }
      if (policy.chart) {
        const chart = chartStatus(policy.chart);
        this.item.text += ` ${chart.text}`;
        tooltip.appendMarkdown(chart.tooltip);
      }
    }
    this.item.tooltip = tooltip;
    this.item.show();
    this.visible = true;
    this.changed.fire();
  }

  hide(): void {
    this.item.hide();
    this.visible = false;
    this.changed.fire();
  }

  snapshot(): { text: string; tooltip: string; visible: boolean } {
    const t = this.item.tooltip;
    return {
      text: this.item.text,
      tooltip: typeof t === 'string' ? t : (t?.value ?? ''),
      visible: this.visible,
    };
  }

  dispose(): void {
    this.item.dispose();
    this.changed.dispose();
  }
}
