/**
 * User text (a container name, a value, an object name) as messages quote
 * it: cut to a short limit with an ellipsis, so a 1 MB string repeated by
 * aliases cannot make messages, diagnostics, hovers or reports grow without
 * bound. Kubernetes names are at most 63 characters (DNS labels), so a name
 * the API server would accept is never cut and upstream's wording stays
 * exact.
 */

/** The longest user text quoted whole, in characters. */
export const MAX_USER_TEXT = 64;

/** `s` cut to `max` characters, the last being `…` when it was cut. Never splits a surrogate pair. */
export function clipUserText(s: string, max: number = MAX_USER_TEXT): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - 1);
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** `"s"`, with `s` cut as clipUserText cuts it. */
export function quoteUserText(s: string, max: number = MAX_USER_TEXT): string {
  return `"${clipUserText(s, max)}"`;
}
