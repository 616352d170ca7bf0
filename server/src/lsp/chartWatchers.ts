/**
 * File watchers for the Helm charts with open documents. A chart renders from
 * every file of its folder: values files, templates and `_*.tpl` partials,
 * Chart.yaml, `values.schema.json`, dependency archives in `charts/*.tgz`,
 * and whatever `.Files` reads. The workspace's own watcher sees YAML files
 * only, so while a document of a chart is open the client is asked to watch
 * the whole chart folder (a relative pattern, when the client supports them),
 * else a fixed set of globs for the files charts are made of. The events
 * arrive through `workspace/didChangeWatchedFiles`, as for any watched file.
 */
import type {
  ClientCapabilities,
  Connection,
  Disposable,
  FileSystemWatcher,
  InitializeParams,
} from 'vscode-languageserver/node';
import { DidChangeWatchedFilesNotification } from 'vscode-languageserver/node';
import { toUri } from './uris';

/** Without relative patterns: the files of a chart the YAML watcher does not see. */
export const CHART_WATCH_GLOBS = [
  '**/*.tpl',
  '**/*.tgz',
  '**/values.schema.json',
  '**/.helmignore',
  '**/templates/**',
  '**/files/**',
];

export class ChartWatchers {
  private capabilities: ClientCapabilities = {};
  private ready = false;
  private readonly watched = new Map<string, Promise<Disposable | null>>();
  private fallback: Promise<Disposable | null> | null = null;

  constructor(private readonly connection: Connection) {}

  initialize(params: InitializeParams): Record<string, never> {
    this.capabilities = params.capabilities;
    return {};
  }

  /** After `initialized`: registrations can be made (charts opened before then are watched now). */
  initialized(open: readonly string[]): void {
    this.ready = true;
    for (const chart of open) this.watch(chart);
  }

  /** Watch every file of `chart` (a folder path) while documents of it are open. */
  watch(chart: string): void {
    const ws = this.capabilities.workspace?.didChangeWatchedFiles;
    if (!this.ready || ws?.dynamicRegistration !== true) return;
    if (ws.relativePatternSupport === true) {
      if (this.watched.has(chart)) return;
      const watcher: FileSystemWatcher = {
        globPattern: { baseUri: toUri(chart), pattern: '**/*' },
      };
      this.watched.set(chart, this.register([watcher]));
    } else if (!this.fallback) {
      this.fallback = this.register(CHART_WATCH_GLOBS.map((globPattern) => ({ globPattern })));
    }
  }

  /** No document of `chart` is open any more. */
  unwatch(chart: string): void {
    const r = this.watched.get(chart);
    if (!r) return;
    this.watched.delete(chart);
    void r.then((d) => d?.dispose());
  }

  private register(watchers: FileSystemWatcher[]): Promise<Disposable | null> {
    return this.connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers })
      .then(
        (d) => d,
        (e: unknown) => {
          this.connection.console.log(`podsec: could not watch chart files: ${String(e)}`);
          return null;
        },
      );
  }
}
