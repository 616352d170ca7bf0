/**
 * The level quick pick (status bar click, `podsec.selectLevel`): writes
 * `podsec.level` (and optionally `podsec.version`) for the workspace.
 */
import * as vscode from 'vscode';
import { LEVEL_DESCRIPTIONS, SETTINGS_SECTION } from '../../server/src/lsp/protocol';
import type { PolicyForDocumentResult, PolicyLevel } from '../../server/src/lsp/protocol';

/** Strictest first: privileged, which checks nothing, is last. */
const LEVELS: readonly PolicyLevel[] = ['restricted', 'baseline', 'privileged'];

/** Whether a value (a command argument, say) names a Pod Security level. */
export function isLevel(v: unknown): v is PolicyLevel {
  return LEVELS.some((l) => l === v);
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

const shown = new vscode.EventEmitter<string>();
/** Fires with a picker's title once it is shown (the extension's API passes it on to tests). */
export const onDidShowPicker = shown.event;

/**
 * A quick pick with `active` preselected, so Enter right after it opens keeps
 * what is there. Resolves with the accepted item, or undefined when dismissed.
 */
export function pick<T extends vscode.QuickPickItem>(
  items: readonly T[],
  active: T | undefined,
  options: { title: string; placeholder: string },
): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = options.title;
  qp.placeholder = options.placeholder;
  qp.items = items;
  if (active) qp.activeItems = [active];
  return new Promise<T | undefined>((resolve) => {
    let done = false;
    const finish = (v: T | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidAccept(() => finish(qp.activeItems[0]));
    qp.onDidHide(() => finish(undefined));
    qp.show();
    shown.fire(options.title);
  });
}

/** Asks before turning checking off: "Keep <current>" is preselected. */
async function confirmPrivileged(current: string): Promise<boolean> {
  const off = { label: 'Use privileged: check nothing', detail: LEVEL_DESCRIPTIONS.privileged };
  const keep = { label: `Keep ${current}` };
  const picked = await pick([keep, off], keep, {
    title: 'Pod Security level privileged checks nothing',
    placeholder: 'Turn the Pod Security checks off?',
  });
  return picked === off;
}

export async function selectLevel(
  uri: vscode.Uri | undefined,
  policy: PolicyForDocumentResult | null,
): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, uri);
  const current = config.get<string>('level', 'restricted');
  const version = config.get<string>('version', 'latest');
  const items: LevelItem[] = LEVELS.map((level) => ({
    label: level,
    description: level === current ? '(current)' : undefined,
    detail: LEVEL_DESCRIPTIONS[level],
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
  const fromNamespace =
    policy?.source === 'namespace' ? ` · this file: Namespace ${policy.namespace}'s label` : '';
  const picked = await pick(
    items,
    items.find((i) => i.level === current),
    {
      title: `Pod Security level${fromNamespace}`,
      placeholder: 'Level for workloads without a Namespace label',
    },
  );
  if (!picked) return;
  if (picked.chooseVersion) {
    await selectVersion(version);
    return;
  }
  if (!picked.level || picked.level === current) return;
  if (picked.level === 'privileged' && !(await confirmPrivileged(current))) return;
  await config.update('level', picked.level, target());
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
  const items = knownVersions().map((v) => ({
    label: v,
    description: v === current ? '(current)' : undefined,
  }));
  const picked = await pick(
    items,
    items.find((i) => i.label === current),
    { title: 'Pod Security Standards version', placeholder: 'Version to check against' },
  );
  if (picked && picked.label !== current) {
    await vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .update('version', picked.label, target());
  }
}
