/**
 * Small text helpers every view of the engine's results writes with: the
 * report renderers, the command line's summaries, the language server's
 * hovers and code lenses. Plain strings in, plain strings out.
 */

/** `1 change`, `3 changes`; `many` for irregular plurals (`2 fixes`). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Text shown literally inside Markdown: the characters Markdown gives a meaning are escaped. */
export function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_{}[\]<>|])/g, '\\$1');
}
