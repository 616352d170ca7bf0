/**
 * Generated YAML and where each piece of it came from.
 *
 * A rendered Helm chart and a built Kustomize overlay are YAML text that no
 * user wrote: the engine evaluates that text as it evaluates any file, and
 * this map carries each finding (and each fix) back to the file and line the
 * user edits: a template's literal text, a values node, a base resource, a
 * patch, or the transformer that set a value.
 *
 * Offsets are UTF-16 code units, as everywhere in the engine: `start`/`end` of
 * a segment index the generated text; an origin's `start`/`end` index the
 * text of its own file.
 */

/** Text copied verbatim from a file: generated offset `g` maps to `start + (g - segment.start)`. */
export interface TextOrigin {
  kind: 'text';
  file: string;
  start: number;
  end: number;
}

/**
 * A YAML node of a file (a values key, a base resource's field, a patch's
 * field), re-serialised: the generated text need not equal the node's source
 * text, so the whole generated segment maps to the node's span. `path` is the
 * node's key path inside its document (`['securityContext', 'privileged']`).
 */
export interface ValueOrigin {
  kind: 'value';
  file: string;
  start: number;
  end: number;
  path: readonly (string | number)[];
  /** 0-based YAML document index in `file`. */
  document?: number;
}

/**
 * Text an expression or a transformer produced (a template action's output
 * that is not a single values node, a `namespace:` transformer, a generated
 * name hash): the span is the expression's (or the setting's) own.
 */
export interface ComputedOrigin {
  kind: 'computed';
  file: string;
  start: number;
  end: number;
  /** What produced it, for messages: `{{ include "app.labels" . }}`, `namespace: prod`. */
  expression: string;
}

export type Origin = TextOrigin | ValueOrigin | ComputedOrigin;

/** A run [start, end) of generated text and its origin. */
export interface Segment {
  start: number;
  end: number;
  origin: Origin;
}

export interface GeneratedSource {
  /** The generated YAML (one or more documents). */
  text: string;
  /** Sorted by `start`, not overlapping; text no segment covers has no known origin. */
  segments: readonly Segment[];
  /** What produced it, for messages: `chart charts/web (values: default)`, `overlay overlays/prod`. */
  label: string;
}

/** A span in a user's file. */
export interface OriginSpan {
  file: string;
  start: number;
  end: number;
  origin: Origin;
}

/** Index of the last segment starting at or before `offset`, or -1. */
function segmentBefore(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((segments[mid] as Segment).start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** How many segments start before `offset` (the index of the first that starts at or after it). */
export function segmentsBefore(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((segments[mid] as Segment).start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The segment covering generated offset `offset`, if any. */
export function segmentAt(src: GeneratedSource, offset: number): Segment | undefined {
  const i = segmentBefore(src.segments, offset);
  const s = i >= 0 ? src.segments[i] : undefined;
  return s && offset < s.end ? s : undefined;
}

/** Map one generated offset inside `seg` to its file offset. */
function mapOffset(seg: Segment, offset: number): number {
  const o = seg.origin;
  if (o.kind === 'text') return Math.min(o.end, o.start + (offset - seg.start));
  return o.start;
}

/**
 * Where a generated span [start, end) came from. A span inside one verbatim
 * text segment maps exactly. Otherwise the origin of the value a finding is
 * about wins: the last value or computed segment the span touches (for
 * `privileged: true`, the `true`), mapped to that node's whole span. Null
 * when no segment covers the span.
 */
export function originOf(src: GeneratedSource, start: number, end: number): OriginSpan | null {
  const first = segmentBefore(src.segments, start);
  let best: Segment | undefined;
  for (let i = Math.max(first, 0); i < src.segments.length; i++) {
    const s = src.segments[i] as Segment;
    if (s.start >= Math.max(end, start + 1)) break;
    if (s.end <= start) continue;
    if (s.origin.kind !== 'text') best = s;
    else if (!best) best = s;
  }
  if (!best) return null;
  const o = best.origin;
  if (o.kind === 'text') {
    const from = mapOffset(best, Math.max(start, best.start));
    const to = end <= best.end ? mapOffset(best, end) : o.end;
    return { file: o.file, start: from, end: Math.max(from, to), origin: o };
  }
  return { file: o.file, start: o.start, end: o.end, origin: o };
}
