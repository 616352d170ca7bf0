/**
 * Settings. Owns: whether the client answers workspace/configuration, the
 * settings it pushed (initializationOptions, didChangeConfiguration), the
 * normalized settings per document (asked once, until the configuration
 * changes or the document closes), and which problems with them were shown
 * (each once, all those found at once in one warning). Tells its listeners when the configuration changed.
 */
import type { Connection, InitializeParams } from 'vscode-languageserver/node';
import { MessageType, ShowMessageNotification } from 'vscode-languageserver/node';
import { SETTINGS_SECTION } from '../protocol';
import type { PodsecSettings } from '../protocol';
import type { NormalizedSettings } from '../settings';
import { normalizeSettings, podsecSection } from '../settings';

/** What other modules read: the settings for a document. */
export interface SettingsSource {
  /** The settings that apply to `uri` (per folder in VS Code). */
  for(uri: string): Promise<PodsecSettings>;
  /** The settings without a document: pushed ones, or the defaults. */
  defaults(): PodsecSettings;
  /** Calls `listener` after the configuration changed. */
  onDidChange(listener: () => void): void;
}

export class Settings implements SettingsSource {
  private pull = false;
  private pushed: unknown = undefined;
  private readonly perDocument = new Map<string, Promise<PodsecSettings>>();
  private readonly shown = new Set<string>();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly connection: Connection) {
    connection.onDidChangeConfiguration((change) => {
      if (!this.pull) {
        const section = podsecSection(change.settings);
        if (section !== undefined) this.pushed = section;
      }
      this.perDocument.clear();
      for (const l of this.listeners) l();
    });
  }

  initialize(params: InitializeParams): void {
    this.pull = params.capabilities.workspace?.configuration === true;
    this.pushed = params.initializationOptions as unknown;
  }

  /** Calls `listener` after the configuration changed (the cached settings are gone by then). */
  onDidChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  for(uri: string): Promise<PodsecSettings> {
    let p = this.perDocument.get(uri);
    if (!p) {
      const raw: Promise<NormalizedSettings> = this.pull
        ? this.connection.workspace
            .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
            .then((section: unknown) => normalizeSettings(section))
            .catch((e: unknown) => {
              this.connection.console.log(
                `workspace/configuration failed: ${String(e)}; using defaults`,
              );
              return normalizeSettings(podsecSection(this.pushed));
            })
        : Promise.resolve(normalizeSettings(podsecSection(this.pushed)));
      p = raw.then((n) => {
        this.show(n.problems);
        return n.settings;
      });
      this.perDocument.set(uri, p);
    }
    return p;
  }

  defaults(): PodsecSettings {
    return normalizeSettings(podsecSection(this.pushed)).settings;
  }

  /** The document closed: ask again if it opens again. */
  forget(uri: string): void {
    this.perDocument.delete(uri);
  }

  /** One warning naming every invalid setting not shown before (each falls back on its own). */
  private show(problems: readonly string[]): void {
    const fresh = problems.filter((p) => !this.shown.has(p));
    if (fresh.length === 0) return;
    for (const p of fresh) this.shown.add(p);
    const message =
      fresh.length === 1
        ? `podsec: invalid setting: ${fresh[0]}`
        : `podsec: ${fresh.length} invalid settings, each replaced by its default: ${fresh.join(' ')}`;
    // A notification (window/showMessage): nothing to answer, so nothing to wait for.
    void this.connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Warning,
      message,
    });
    for (const p of fresh) this.connection.console.log(`settings: ${p}`);
  }
}
