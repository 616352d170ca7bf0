/**
 * The commented starter `.podsec.yaml` that `podsec init` writes: the level
 * and version set, and one commented example of every other key in use,
 * each with its description, all from the key list in keys.ts.
 */
import type { Level } from '../types';
import { KEYS } from './keys';

export interface StarterOptions {
  level: Level;
  version: string;
  /** Write the examples commented out (the default) or active (to check that each is valid). */
  examples?: 'commented' | 'active';
}

/** Wrap `text` into `# ` comment lines of at most `width` characters. */
function comment(text: string, width = 96): string[] {
  const out: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      out.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  out.push(line);
  return out;
}

/** The starter file's text. Uncommenting any example keeps it valid. */
export function starterConfig(o: StarterOptions): string {
  const lines: string[] = [
    ...comment(
      'podsec project configuration. It applies to the YAML files in this folder and the folders below it; the nearest .podsec.yaml wins. Command-line options override it, and VS Code settings apply only where it is silent.',
    ),
  ];
  for (const k of KEYS) {
    if (k.status !== 'active') continue;
    lines.push('', ...comment(k.description));
    const example = k.example(o);
    const set = k.key === 'level' || k.key === 'version' || o.examples === 'active';
    for (const l of example) lines.push(set ? l : `# ${l}`);
  }
  return `${lines.join('\n')}\n`;
}
