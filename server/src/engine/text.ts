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

/**
 * Text from a manifest or a path shown on a terminal: every control character
 * (C0, DEL, C1, and the line and paragraph separators) written visibly, as
 * `\n`, `\r`, `\t` or `\xHH` / `\uHHHH`, so user data can neither send escape
 * sequences (retitle the terminal, erase lines, set the clipboard) nor break
 * one line per finding. Colours are added by the caller, after this.
 */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/**
 * A message of several lines that quotes user data (a Helm or Kustomize
 * error, a path from a repository's `.podsec.yaml`): `visible` line by line,
 * so its own line breaks stay and nothing else reaches the terminal raw.
 */
export function visibleLines(s: string): string {
  return s.split('\n').map(visible).join('\n');
}

/**
 * The longest user text (a name, a value) quoted whole in a message, in
 * characters. Kubernetes names are at most 63 characters (DNS labels), so a
 * name the API server would accept is never cut and upstream's wording stays
 * exact.
 */
export const MAX_QUOTED = 64;

/**
 * User text quoted in a message, cut to `max` characters with an ellipsis, so
 * a 1 MB container name repeated by aliases cannot grow messages, hovers and
 * reports without bound. Never splits a surrogate pair.
 */
export function clip(s: string, max: number = MAX_QUOTED): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - 1);
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** `"s"`, with `s` cut as clip cuts it. */
export function quoteText(s: string, max: number = MAX_QUOTED): string {
  return `"${clip(s, max)}"`;
}
