/**
 * File watchers for the Helm charts with open documents. A chart renders from
 * every file of its folder: values files, templates and `_*.tpl` partials,
 * Chart.yaml, `values.schema.json`, dependency archives in `charts/*.tgz`,
 * and whatever `.Files` reads. The workspace's own watcher sees YAML files
 * only, so while a document of a chart is open the client is asked to watch
 * the whole chart folder (a relative pattern, when the client supports them),
 * else a fixed set of globs for the files charts are made of. Each render
 * also says what it read: the folders it listed and the files it read outside
 * them (a file `.Files` reads anywhere in the chart, a value set's values file
 * outside it) are watched by their own paths where the watchers above do not
 * reach them (one registration per chart, replaced when the paths change).
 * The events arrive through `workspace/didChangeWatchedFiles`, as for any
 * watched file.
 */
import type {
  ClientCapabilities,
  Connection,
  Disposable,
  FileSystemWatcher,
  InitializeParams,
} from 'vscode-languageserver/node';
import { DidChangeWatchedFilesNotification } from 'vscode-languageserver/node';
import { isInside } from '../engine/sources/sourceFs';
import { toUri } from './uris';

/** A path as a glob that matches that path alone. */
const exactGlob = (p: string): string => p.replace(/[[\]{}*?!]/g, '[$&]');

/** YAML files: the workspace's own watcher sees them. */
const isYamlPath = (p: string): boolean => /\.ya?ml$/i.test(p);

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
  /** Per chart, the globs of what its render read, and their registration. */
  private readonly read = new Map<
    string,
    { key: string; reg: Promise<Disposable | null> | null }
  >();

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

  /**
   * What a render of `chart` read (`dirs` listed, `files` read outside them):
   * watch what the chart's watcher above does not cover.
   */
  watchRead(chart: string, read: { dirs: readonly string[]; files: readonly string[] }): void {
    const ws = this.capabilities.workspace?.didChangeWatchedFiles;
    if (!this.ready || ws?.dynamicRegistration !== true) return;
    const folder = ws.relativePatternSupport === true;
    const globs = [
      // A folder's files, also those created later (a folder inside a watched chart folder is seen).
      ...read.dirs.filter((d) => !(folder && isInside(chart, d))).map((d) => `${exactGlob(d)}/*`),
      ...read.files.filter((f) => !isYamlPath(f) && !(folder && isInside(chart, f))).map(exactGlob),
    ];
    const key = globs.join('\u0000');
    const previous = this.read.get(chart);
    if (previous?.key === key) return;
    this.read.set(chart, {
      key,
      reg: globs.length === 0 ? null : this.register(globs.map((globPattern) => ({ globPattern }))),
    });
    void previous?.reg?.then((d) => d?.dispose());
  }

  /** No document of `chart` is open any more. */
  unwatch(chart: string): void {
    const own = this.read.get(chart);
    this.read.delete(chart);
    void own?.reg?.then((d) => d?.dispose());
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
