/**
 * The level quick pick (status bar click, `podsec.selectLevel`): writes
 * `podsec.level` (and optionally `podsec.version`) for the workspace.
 */
import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../../server/src/lsp/protocol';
import type { PolicyForDocumentResult, PolicyLevel } from '../../server/src/lsp/protocol';

const LEVELS: { level: PolicyLevel; detail: string }[] = [
  { level: 'privileged', detail: 'Unrestricted: nothing is checked.' },
  { level: 'baseline', detail: 'Prevents known privilege escalations; minimally restrictive.' },
  { level: 'restricted', detail: 'Heavily restricted: current pod hardening best practice.' },
];

/** Whether a value (a command argument, say) names a Pod Security level. */
export function isLevel(v: unknown): v is PolicyLevel {
  return LEVELS.some((l) => l.level === v);
}

interface LevelItem extends vscode.QuickPickItem {
  level?: PolicyLevel;
  chooseVersion?: true;
}

/** Where a workspace-wide choice is written: the workspace if one is open, else the user settings. */
function target(): vscode.ConfigurationTarget {
  return vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
}

export async function selectLevel(
  uri: vscode.Uri | undefined,
  policy: PolicyForDocumentResult | null,
): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, uri);
  const current = config.get<string>('level', 'restricted');
  const version = config.get<string>('version', 'latest');
  const items: LevelItem[] = LEVELS.map(({ level, detail }) => ({
    label: level,
    description: level === current ? '(current setting)' : undefined,
    detail,
    level,
  }));
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    {
      label: `$(versions) Version: ${version}`,
      detail: 'Choose the Pod Security Standards version',
      chooseVersion: true,
    },
  );
  const namespaceNote =
    policy?.source === 'namespace'
      ? ` (this file's level comes from Namespace ${policy.namespace}'s label)`
      : '';
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Pod Security level',
    placeHolder: `Level for workloads without a namespace label${namespaceNote}`,
  });
  if (!picked) return;
  if (picked.chooseVersion) {
    await selectVersion(version);
    return;
  }
  if (picked.level && picked.level !== current) {
    await config.update('level', picked.level, target());
  }
}

/** The versions the manifest offers for `podsec.version`, newest first after "latest". */
export function knownVersions(): string[] {
  interface Manifest {
    contributes?: { configuration?: { properties?: Record<string, { enum?: string[] }> } };
  }
  const manifest = vscode.extensions.getExtension('podsec.podsec')?.packageJSON as
    Manifest | undefined;
  const all = manifest?.contributes?.configuration?.properties?.['podsec.version']?.enum ?? [];
  return ['latest', ...all.filter((v) => v !== 'latest').reverse()];
}

async function selectVersion(current: string): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    knownVersions().map((v) => ({
      label: v,
      description: v === current ? '(current setting)' : undefined,
    })),
    { title: 'Pod Security Standards version' },
  );
  if (picked && picked.label !== current) {
    await vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .update('version', picked.label, target());
  }
}
