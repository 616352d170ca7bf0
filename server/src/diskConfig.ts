/**
 * The disk as configuration resolution reads it (`.podsec.yaml` files and
 * the folders they sit in), for the command line and the language server:
 * regular files only, bounded, UTF-8. The engine itself never reads the disk.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { readTextOrNull } from './io/index';
import type { ConfigReader } from './engine/config/index';
import type { DirEntry } from './engine/sources/sourceFs';

/** Largest configuration file read (a `.podsec.yaml` is a few lines). */
const MAX_CONFIG_BYTES = 1 << 20;

/** `/` paths for the engine's configuration code, from the platform's. */
export function slashPath(p: string): string {
  return resolve(p).split('\\').join('/');
}

/** The disk, as configuration resolution reads it: regular files only, bounded, UTF-8. */
export class DiskConfigReader implements ConfigReader {
  readText(path: string): string | null {
    // Checked on the open handle (a file swapped for a FIFO cannot block), never read past the limit.
    return readTextOrNull(path, MAX_CONFIG_BYTES);
  }

  list(path: string): DirEntry[] | null {
    try {
      return readdirSync(path, { withFileTypes: true })
        .map((d) => ({ name: d.name, dir: d.isDirectory() }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return null;
    }
  }
}
