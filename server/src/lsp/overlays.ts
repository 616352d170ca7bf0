/**
 * Kustomize overlays in the editor. Per workspace folder that holds
 * kustomizations: the roots (or those `.podsec.yaml` names under
 * `kustomize.roots`) built from the open editors' text and the files on
 * disk, evaluated as deployed, and what they find placed in the files that
 * set each value. A base file opened shows the findings of every overlay
 * that includes it, each naming its overlay; a patch shows what it sets in
 * the overlays that apply it; neither is evaluated as a file of its own.
 *
 * The evaluation is kept until a file it read (or any kustomization file)
 * changes, in an editor or on disk (generator inputs included: the files an
 * evaluation read are reported to be watched), or the settings or Namespaces change;
 * `epoch` counts the evaluations, so analyses made from an older one are
 * known to be stale.
 */
import { relative, sep } from 'node:path';
import type { Analysis, AnalyzeOptions } from '../engine';
import { ConfigResolver } from '../engine/config/index';
import { kustomizationGraph, KUSTOMIZATION_FILE_NAMES } from '../engine/kustomize/index';
import { evaluateOverlays } from '../engine/overlays/index';
import type { OverlayEvaluation } from '../engine/overlays/index';
import type { DirEntry, SourceFs } from '../engine/sources/sourceFs';
import { baseName, isInside, normalizePath } from '../engine/sources/sourceFs';
import { DiskSourceFs } from '../cli/renderKustomize';
import { toUri } from './uris';

/** What the index reads open documents through. */
export interface OpenText {
  get(uri: string): { getText(): string } | undefined;
}

/**
 * Files as the editor sees them: an open document's text, else the file on
 * disk, read only when its real path lies inside a workspace folder (a link
 * out of the workspace is not followed, and the build says why).
 */
class EditorFs implements SourceFs {
  private reader: { key: string; disk: DiskSourceFs } | null = null;

  constructor(
    private readonly documents: OpenText,
    private readonly folders: () => string[],
  ) {}

  private get disk(): DiskSourceFs {
    const folders = this.folders();
    const key = folders.join('\0');
    if (this.reader?.key !== key) this.reader = { key, disk: new DiskSourceFs('/', folders) };
    return this.reader.disk;
  }

  readText(path: string): string | null {
    const doc = this.documents.get(toUri(path));
    return doc ? doc.getText() : this.disk.readText(path);
  }

  readBytes(path: string): Uint8Array | null {
    const doc = this.documents.get(toUri(path));
    return doc ? new TextEncoder().encode(doc.getText()) : this.disk.readBytes(path);
  }

  list(path: string): DirEntry[] | null {
    return this.disk.list(path);
  }

  realPath(path: string): string | null {
    return this.disk.realPath(path);
  }

  refusal(path: string): string | null {
    return this.documents.get(toUri(path)) ? null : this.disk.refusal(path);
  }
}

interface Tree {
  key: string;
  dirty: boolean;
  epoch: number;
  evaluation: OverlayEvaluation | null;
  /** Every file the evaluation read. */
  reads: Set<string>;
}

/** What an open file gets from the overlays. */
export interface OverlayAnalysis {
  /** What the overlays place in the file. */
  analysis: Analysis;
  /** The overlays read the file as part of a build: their analysis replaces the file's own. */
  replaces: boolean;
  /** The evaluation it came from (a newer one means this is stale). */
  epoch: number;
}

/** Engine paths use `/`; on Windows a drive path is kept as it is. */
const enginePath = (file: string): string =>
  sep === '/' ? normalizePath(file) : file.split(sep).join('/');

export class OverlayIndex {
  private readonly trees = new Map<string, Tree>();
  private readonly fs: EditorFs;
  private epochs = 0;
  private readonly inputListeners: Array<(files: string[]) => void> = [];

  constructor(
    documents: OpenText,
    private readonly folders: () => string[],
  ) {
    this.fs = new EditorFs(documents, folders);
  }

  /**
   * The overlays' analysis of `file` (a path), or null when no overlay build
   * reads it or places anything in it. `key` identifies the settings and
   * Namespaces the options carry.
   */
  analysisFor(file: string, options: AnalyzeOptions, key: string): OverlayAnalysis | null {
    const path = enginePath(file);
    const folder = this.folderOf(path);
    if (folder === null) return null;
    const tree = this.treeOf(folder, options, key);
    const ev = tree.evaluation;
    if (!ev) return null;
    const analysis = ev.files.get(path);
    const replaces = ev.covered.has(path);
    if (!analysis && !replaces) return null;
    const placed = analysis ?? { findings: [], errors: [], notes: [], workloads: [], objects: 0 };
    return {
      analysis: replaces ? { ...placed, generated: true } : placed,
      replaces,
      epoch: tree.epoch,
    };
  }

  /**
   * The evaluation of the overlays of the workspace folder holding `file`
   * (null when none holds it), with the folder.
   */
  evaluationOf(
    file: string,
    options: AnalyzeOptions,
    key: string,
  ): { folder: string; evaluation: OverlayEvaluation | null } | null {
    const folder = this.folderOf(enginePath(file));
    if (folder === null) return null;
    return { folder, evaluation: this.treeOf(folder, options, key).evaluation };
  }

  /**
   * A file changed (in an editor or on disk): the evaluations that read it,
   * or any evaluation when it is a kustomization file, are made again when
   * next asked for. True when one was.
   */
  touched(file: string): boolean {
    const path = enginePath(file);
    const kustomization = (KUSTOMIZATION_FILE_NAMES as readonly string[]).includes(baseName(path));
    let any = false;
    for (const [folder, tree] of this.trees) {
      if (!isInside(folder, path)) continue;
      if (tree.reads.has(path) || kustomization) {
        tree.dirty = true;
        any = true;
      }
    }
    return any;
  }

  /** The evaluation of every workspace folder that holds kustomizations (the report's overlays). */
  evaluations(options: AnalyzeOptions, key: string): OverlayEvaluation[] {
    const out: OverlayEvaluation[] = [];
    for (const f of this.folders().map(enginePath)) {
      const ev = this.treeOf(f, options, key).evaluation;
      if (ev) out.push(ev);
    }
    return out;
  }

  /** Calls `listener` with every file the evaluations read, after each new evaluation (to watch them). */
  onDidReadInputs(listener: (files: string[]) => void): void {
    this.inputListeners.push(listener);
  }

  /** Forget every evaluation (a folder was added or removed). */
  clear(): void {
    this.trees.clear();
  }

  private folderOf(path: string): string | null {
    let best: string | null = null;
    for (const f of this.folders().map(enginePath))
      if (isInside(f, path) && (best === null || f.length > best.length)) best = f;
    return best;
  }

  private treeOf(folder: string, options: AnalyzeOptions, key: string): Tree {
    const old = this.trees.get(folder);
    if (old && !old.dirty && old.key === key) return old;
    const graph = kustomizationGraph(this.fs, folder);
    const tree: Tree = {
      key,
      dirty: false,
      epoch: ++this.epochs,
      evaluation: null,
      reads: new Set(),
    };
    if (graph.kustomizations.size > 0) {
      const named = new ConfigResolver(this.fs, { roots: [folder] }).forDir(folder)?.settings
        .kustomize?.roots;
      const roots = named && named.length > 0 ? named.map(normalizePath) : graph.roots;
      const evaluation = evaluateOverlays(this.fs, graph, {
        ...options,
        // The lenses and the report say the level each overlay's build meets.
        advise: true,
        roots,
        nameOf: (d) => relative(folder, d).split(sep).join('/') || baseName(d),
      });
      tree.evaluation = evaluation;
      for (const info of graph.kustomizations.values())
        for (const f of info.files) tree.reads.add(f.path);
      for (const b of evaluation.builds) for (const f of b.build.files) tree.reads.add(f);
      for (const f of evaluation.files.keys()) tree.reads.add(f);
    }
    this.trees.set(folder, tree);
    if (this.inputListeners.length > 0) {
      const all = [...this.trees.values()].flatMap((t) => [...t.reads]);
      for (const l of this.inputListeners) l(all);
    }
    return tree;
  }
}
