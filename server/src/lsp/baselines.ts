/**
 * Baselines in the editor: the `baseline:` of the `.podsec.yaml` nearest to
 * a document names a previous podsec JSON or SARIF output; the findings it
 * holds are shown at a lower severity (hint) and their hover says so. Files
 * are known by their path from the folder of that `.podsec.yaml`, as the
 * command line run there knows them. The configuration is looked up at each
 * analysis (a few reads up to the repository root); a baseline file is read
 * again only when its size or modification time changes.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { ConfigResolver } from '../engine/config/index';
import { DiskConfigReader } from '../diskConfig';
import { MAX_BASELINE_BYTES, readTextFile } from '../io/index';
import type { Analysis, Finding } from '../engine/index';
import { applyBaseline, BaselineError, parseBaseline } from '../render/index';
import type { Baseline, FileResult } from '../render/index';
import { fileKey } from './uris';

/** `.podsec.yaml` files: regular files only, checked on the open handle, bounded. */
const diskReader = new DiskConfigReader();

interface Loaded {
  stamp: string;
  baseline: Baseline | null;
  /** Why the file cannot be used, when it cannot. */
  problem: string | null;
}

export interface BaselineMatch {
  /** The baseline file. */
  file: string;
  /** The analysis' findings it holds. */
  existing: ReadonlySet<Finding>;
  /** Set when the file cannot be read or is not a podsec output (then nothing is existing). */
  problem: string | null;
}

export class Baselines {
  private readonly loaded = new Map<string, Loaded>();

  /** What the baseline that applies to `uri` says of its analysis; null when no baseline applies. */
  match(uri: string, text: string, analysis: Analysis): BaselineMatch | null {
    const path = fileKey(uri);
    if (!isAbsolute(path)) return null;
    const config = new ConfigResolver(diskReader).forFile(path);
    const file = config?.settings.baseline;
    if (!config || !file) return null;
    const loaded = this.load(file);
    if (!loaded.baseline) return { file, existing: new Set(), problem: loaded.problem };
    const id = relative(dirname(config.file), path).split(sep).join('/');
    const result: FileResult = { path, id, text, analysis };
    applyBaseline([result], loaded.baseline);
    return { file, existing: result.existing ?? new Set(), problem: null };
  }

  private load(file: string): Loaded {
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      return {
        stamp: '',
        baseline: null,
        problem: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      };
    }
    const cached = this.loaded.get(file);
    if (cached?.stamp === stamp) return cached;
    let entry: Loaded;
    // A FIFO or a device named as the baseline must not block or flood the server: the
    // bounded, regular-file-only reader decides.
    const read = readTextFile(file, MAX_BASELINE_BYTES);
    if (read.kind !== 'ok') entry = { stamp, baseline: null, problem: read.reason };
    else {
      try {
        entry = { stamp, baseline: parseBaseline(read.text), problem: null };
      } catch (e) {
        const problem =
          e instanceof BaselineError
            ? e.message
            : `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
        entry = { stamp, baseline: null, problem };
      }
    }
    this.loaded.set(file, entry);
    return entry;
  }
}
