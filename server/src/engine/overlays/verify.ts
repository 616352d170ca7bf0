/**
 * Fixes of an overlay's findings proven by building the overlay again with
 * them (nothing written). `proveCandidates` proves every fix a build offers
 * (in the base, in the overlay's own files, as a patch of the overlay) in a
 * few builds, many fixes at once, so that a later step of the overlay that
 * sets the field again (a later patch, a legacy JSON 6902 patch applied
 * after the strategic merge patches) leaves the fix unoffered. `fixClears`
 * checks one edit alone, where an edit can expose what lies under it (taking
 * a JSON 6902 operation out leaves the base's own value in place): the fix
 * clears the finding when that object no longer fails the same check at the
 * same field.
 */
import { analyze } from '../index';
import { applyEdits, fixEdits } from '../fixes/edits';
import { buildKustomization } from '../kustomize/build';
import type { BuildOptions, KustomizeBuild } from '../kustomize/build';
import type { ResId } from '../kustomize/resid';
import { toPlain } from '../kustomize/tree';
import { normalizePath, TextsOverFs } from '../sources/sourceFs';
import type { SourceFs } from '../sources/sourceFs';
import type { AnalyzeOptions, FileEdits, Finding, Fix, TextEdit } from '../types';
import type { Change, Part } from './fixes';

export interface VerifyContext {
  fs: SourceFs;
  /** The overlay built. */
  dir: string;
  build: BuildOptions;
  analyze: AnalyzeOptions;
  /**
   * The findings of each edited build made so far, by its edits (null: it
   * failed), shared by the fixes of one overlay: an operation that many
   * objects share is taken out in one build. At most `MAX_REBUILDS` builds.
   */
  rebuilt: Map<string, Finding[] | null>;
  /** The findings of the overlay's own build (a fix must add none to its objects). */
  original?: readonly Finding[];
}

/** Most edited builds of one overlay's evaluation; past them, a fix that needs one is not offered. */
export const MAX_REBUILDS = 64;

/** Whether `a` is the finding `f` again: the same check on the same object and field. */
function sameFinding(a: Finding, f: Finding): boolean {
  return (
    a.check === f.check &&
    a.path === f.path &&
    a.object.kind === f.object.kind &&
    a.object.name === f.object.name &&
    (a.object.namespace ?? '') === (f.object.namespace ?? '')
  );
}

/**
 * Whether `fix` (its edits of `file` and of the files it names) leaves the
 * overlay building without any of `findings` (the findings of its build
 * placed where the fix's finding is: every object an operation reaches). A
 * fix whose files cannot be read, or after which the overlay does not
 * build, does not.
 */
export function fixClears(
  ctx: VerifyContext,
  findings: readonly Finding[],
  fix: Fix,
  file: string,
): boolean {
  const parts = fixEdits(fix, file);
  const key = JSON.stringify(parts);
  let found = ctx.rebuilt.get(key);
  if (found === undefined) {
    if (ctx.rebuilt.size >= MAX_REBUILDS) return false;
    found = rebuild(ctx, parts);
    ctx.rebuilt.set(key, found);
  }
  const after = found;
  if (after === null || findings.some((f) => after.some((x) => sameFinding(x, f)))) return false;
  // No object it reaches has a problem more than before (what lay under the edit, at another field).
  const original = ctx.original;
  if (!original) return true;
  const named = (f: Finding): string =>
    `${f.object.kind}\u0000${f.object.namespace ?? ''}\u0000${f.object.name ?? ''}`;
  const objects = new Set(findings.map(named));
  const count = (list: readonly Finding[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const f of list) {
      const k = `${named(f)}\u0000${keyOf(f)}`;
      if (objects.has(named(f))) m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const was = count(original);
  return [...count(after)].every(([k, n]) => n <= (was.get(k) ?? 0));
}

function rebuild(ctx: VerifyContext, parts: readonly FileEdits[]): Finding[] | null {
  const texts = new Map<string, string>();
  for (const part of parts) {
    const before = part.create ? '' : ctx.fs.readText(part.path);
    if (before === null) return null;
    texts.set(normalizePath(part.path), applyEdits(before, part.edits));
  }
  const b = buildKustomization(new TextsOverFs(ctx.fs, texts), ctx.dir, ctx.build);
  return b.error ? null : analyze(b.source.text, ctx.analyze).findings;
}

/** A fix one overlay offers, to be proven by building that overlay with it. */
export interface Candidate {
  fix: Fix;
  /** The file `fix.edits` are of (the finding's). */
  file: string;
  /** The findings of the build it is offered for (each mode's; an operation's, of each object it reaches). */
  claims: Finding[];
  /** What it changes in one object (its index in the overlay's build), when that is known. */
  changes: { object: number; list: readonly Change[] } | null;
}

/** Most rebuilds one overlay's fixes are proven with; a fix not reached by then is not offered. */
export const MAX_ROUNDS = 3;

const keyOf = (f: Finding): string => `${f.check}\u0000${f.container ?? ''}\u0000${f.mode}`;

interface Round {
  members: Array<{ c: Candidate; parts: FileEdits[] }>;
  /**
   * Object and problem keys taken, with what the fixes taking them change:
   * one change per object and problem (the same change made in the base and
   * in the overlay proves or fails alike, so those share a round).
   */
  taken: Map<string, string>;
  /** Each candidate alone on its objects (one that did not prove itself beside others). */
  solo: boolean;
  files: Map<string, { create: boolean; text: string; texts: string[]; edits: TextEdit[] }>;
}

const leading = (s: string): number => /^ */.exec(s)?.[0].length ?? 0;
const firstLine = (s: string): string => s.slice(0, s.indexOf('\n') >>> 0);

/**
 * Whether edit `e` can join the edits `chosen` of `text` (one file): apart
 * from each (more than blanks between: a map emptied and a key added to it
 * must not meet); an insertion at the point of another is the same text
 * (made once) or whole lines at the same column that open another key
 * (written one after the other: two keys of one map).
 */
function joins(text: string, e: TextEdit, chosen: readonly TextEdit[]): boolean {
  // The edits chosen are in start order and apart: only those about `e` can meet it.
  let lo = 0;
  let hi = chosen.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((chosen[mid] as TextEdit).start < e.start) lo = mid + 1;
    else hi = mid;
  }
  let from = lo - 1;
  while (from > 0 && (chosen[from - 1] as TextEdit).start === (chosen[from] as TextEdit).start)
    from--;
  let to = lo;
  while (to < chosen.length && (chosen[to] as TextEdit).start <= e.end) to++;
  for (const t of chosen.slice(Math.max(0, from), to + 1)) {
    if (sameEdit(e, t)) continue;
    const samePoint = e.start === e.end && t.start === t.end && e.start === t.start;
    if (!samePoint) {
      const [lo, hi] = e.start <= t.start ? [e, t] : [t, e];
      if (hi.start < lo.end || text.slice(lo.end, hi.start).trim() === '') return false;
      continue;
    }
    const whole = (s: string): boolean => s.endsWith('\n');
    if (!whole(e.newText) || !whole(t.newText)) return false;
    if (leading(e.newText) !== leading(t.newText)) return false;
    if (firstLine(e.newText) === firstLine(t.newText)) return false;
  }
  return true;
}

let uniques = 0;

function tryJoin(
  round: Round,
  c: Candidate,
  parts: FileEdits[],
  read: SourceFs['readText'],
): boolean {
  const objects = [...new Set(c.claims.map((f) => `o${f.object.document}`))];
  const keys = c.claims.map((f) => `${f.object.document}\u0000${keyOf(f)}`);
  const change = c.changes ? JSON.stringify(c.changes.list) : `\u0000${uniques++}`;
  // Fixes of one object share a round when they settle different problems, or make the same
  // change; in a solo round, not at all.
  if (keys.some((k) => (round.taken.get(k) ?? change) !== change)) return false;
  if (round.solo && objects.some((k) => round.taken.has(k))) return false;
  for (const p of parts) {
    const s = round.files.get(normalizePath(p.path));
    if (!s) continue;
    if (s.create !== (p.create === true)) return false;
    if (!s.create && !p.edits.every((e) => joins(s.text, e, s.edits))) return false;
  }
  for (const k of [...keys, ...objects]) round.taken.set(k, change);
  for (const p of parts) {
    const path = normalizePath(p.path);
    const s = round.files.get(path) ?? {
      create: p.create === true,
      text: p.create === true ? '' : (read(path) ?? ''),
      texts: [],
      edits: [],
    };
    round.files.set(path, s);
    if (s.create) s.texts.push(applyEdits('', p.edits));
    else
      for (const e of p.edits) {
        let i = 0;
        while (i < s.edits.length && (s.edits[i] as TextEdit).start <= e.start) i++;
        if (!s.edits.some((t) => t.start === e.start && sameEdit(t, e))) s.edits.splice(i, 0, e);
      }
  }
  round.members.push({ c, parts });
  return true;
}

const sameEdit = (a: TextEdit, b: TextEdit): boolean =>
  a.start === b.start && a.end === b.end && a.newText === b.newText;

/** Insertions at one point made one edit, in the order they joined. */
function merged(edits: readonly TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const at = out.find((t) => t.start === e.start && t.end === t.start && e.end === e.start);
    if (at) at.newText += e.newText;
    else out.push({ ...e });
  }
  return out;
}

/** Plain values equal, numbers however they were read (a bigint, a number). */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    (typeof a === 'bigint' || typeof a === 'number') &&
    (typeof b === 'bigint' || typeof b === 'number')
  )
    return String(a) === String(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameData(x, b[i]));
  }
  const ka = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ka.length !== Object.keys(bo).length) return false;
  return ka.every((k) => k in bo && sameData((a as Record<string, unknown>)[k], bo[k]));
}

/** Whether `a` has what `b` sets: its keys (a map made may gain others' keys), else equal. */
function covers(a: unknown, b: unknown): boolean {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return sameData(a, b);
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;
  const ao = a as Record<string, unknown>;
  return Object.entries(b).every(([k, v]) => k in ao && covers(ao[k], v));
}

function valueAt(v: unknown, path: readonly Part[]): unknown {
  let at = v;
  for (const p of path) {
    if (typeof p === 'number') at = Array.isArray(at) ? at[p] : undefined;
    else
      at =
        typeof at === 'object' && at !== null && !Array.isArray(at)
          ? (at as Record<string, unknown>)[p]
          : undefined;
  }
  return at;
}

/** Whether the rebuilt object still has what the change made (no later step of the overlay undid it). */
function holds(change: Change, before: unknown, rebuilt: unknown): boolean {
  const last = change.path[change.path.length - 1];
  if (change.kind === 'set') return covers(valueAt(rebuilt, change.path), change.value);
  if (change.kind === 'append') {
    const list = valueAt(rebuilt, change.path);
    return Array.isArray(list) && list.some((x) => sameData(x, change.value));
  }
  if (typeof last === 'string') return valueAt(rebuilt, change.path) === undefined;
  // A list item taken out: the list holds fewer of it than before.
  const parent = change.path.slice(0, -1);
  const item = valueAt(before, change.path);
  const count = (l: unknown): number =>
    Array.isArray(l) ? l.filter((x) => sameData(x, item)).length : 0;
  return count(valueAt(rebuilt, parent)) < count(valueAt(before, parent));
}

const idKey = (id: ResId): string =>
  `${id.gvk.group}/${id.gvk.kind}\u0000${id.namespace}\u0000${id.name}`;

/**
 * The candidates the overlay built with them proves: the overlay is built
 * again (nothing written) with as many candidates at once as can be told
 * apart (one per object and problem; their edits of one file side by side,
 * the patches a file gains written one after another), at most `MAX_ROUNDS`
 * builds. A candidate is proven when, in that build, its object has fewer of
 * each problem it settles and no problem more than before, and still has
 * what the fix changed (a later patch or transformer of the overlay that
 * sets the field again undoes it). A round whose build fails is split.
 */
export function proveCandidates(
  ctx: VerifyContext,
  build: KustomizeBuild,
  findings: readonly Finding[],
  candidates: readonly Candidate[],
): { proven: Set<Fix>; builds: number } {
  const proven = new Set<Fix>();
  const read = (path: string): string | null => ctx.fs.readText(path);
  const queue: Round[] = [];
  const pack = (list: ReadonlyArray<{ c: Candidate; parts: FileEdits[] }>, solo: boolean): void => {
    const rounds: Round[] = [];
    for (const { c, parts } of list) {
      if (rounds.some((r) => tryJoin(r, c, parts, read))) continue;
      const r: Round = { members: [], taken: new Map(), files: new Map(), solo };
      if (tryJoin(r, c, parts, read)) rounds.push(r);
    }
    queue.push(...rounds);
  };
  pack(
    candidates
      .map((c) => ({ c, parts: fixEdits(c.fix, c.file) }))
      .filter((m) => m.parts.length > 0),
    false,
  );
  const before = new Map<number, Map<string, number>>();
  const countsOf = (list: readonly Finding[], index: number): Map<string, number> => {
    const m = new Map<string, number>();
    for (const f of list)
      if (f.object.document === index) m.set(keyOf(f), (m.get(keyOf(f)) ?? 0) + 1);
    return m;
  };
  const wasOf = (object: number): Map<string, number> => {
    let was = before.get(object);
    if (!was) before.set(object, (was = countsOf(findings, object)));
    return was;
  };
  let builds = 0;
  while (queue.length > 0 && builds < MAX_ROUNDS) {
    const round = queue.shift() as Round;
    builds++;
    const b = rebuildWith(ctx, round);
    if (!b) {
      // Told apart again: each half in a round of its own.
      if (round.members.length > 1) {
        const half = Math.ceil(round.members.length / 2);
        const halves = [round.members.slice(0, half), round.members.slice(half)];
        for (const part of halves.reverse()) {
          const r: Round = { members: [], taken: new Map(), files: new Map(), solo: round.solo };
          for (const m of part) tryJoin(r, m.c, m.parts, read);
          queue.unshift(r);
        }
      }
      continue;
    }
    const after = new Map<number, Map<string, number>>();
    for (const f of analyze(b.source.text, ctx.analyze).findings) {
      const m = after.get(f.object.document) ?? new Map<string, number>();
      m.set(keyOf(f), (m.get(keyOf(f)) ?? 0) + 1);
      after.set(f.object.document, m);
    }
    const index = new Map(b.objects.map((o, i) => [idKey(o.id), i]));
    const rebuiltAt = (object: number): number | undefined => {
      const orig = build.objects[object];
      return orig ? index.get(idKey(orig.id)) : undefined;
    };
    const again: Array<{ c: Candidate; parts: FileEdits[] }> = [];
    const shared = new Map<number, number>();
    for (const { c } of round.members)
      for (const o of new Set(c.claims.map((f) => f.object.document)))
        shared.set(o, (shared.get(o) ?? 0) + 1);
    for (const m of round.members) {
      const { c } = m;
      if (proves(c, after, b, rebuiltAt, build, wasOf)) proven.add(c.fix);
      // Beside another fix of its object, either may have undone the other: once more, alone.
      else if (!round.solo && c.claims.some((f) => (shared.get(f.object.document) ?? 0) > 1))
        again.push(m);
    }
    if (again.length > 0) pack(again, true);
  }
  return { proven, builds };
}

/** Apply edits in start order, apart from each other, in one pass (a round has thousands). */
function applyInOrder(text: string, edits: readonly TextEdit[]): string {
  const out: string[] = [];
  let at = 0;
  for (const e of edits) {
    out.push(text.slice(at, e.start), e.newText);
    at = e.end;
  }
  out.push(text.slice(at));
  return out.join('');
}

/** The overlay built with a round's edits, or null when a file cannot be read or it fails. */
function rebuildWith(ctx: VerifyContext, round: Round): KustomizeBuild | null {
  const texts = new Map<string, string>();
  for (const [path, s] of round.files) {
    if (s.create) {
      if (ctx.fs.readText(path) !== null) return null;
      texts.set(path, s.texts.join('---\n'));
      continue;
    }
    const text = ctx.fs.readText(path);
    if (text === null) return null;
    texts.set(path, applyInOrder(text, merged(s.edits)));
  }
  const b = buildKustomization(new TextsOverFs(ctx.fs, texts), ctx.dir, ctx.build);
  return b.error ? null : b;
}

/**
 * Whether a rebuild proves candidate `c`: on each object it reaches, fewer of
 * each problem it settles and no problem more than before; and the object
 * still has what it changed.
 */
function proves(
  c: Candidate,
  after: ReadonlyMap<number, ReadonlyMap<string, number>>,
  b: KustomizeBuild,
  rebuiltAt: (object: number) => number | undefined,
  build: KustomizeBuild,
  wasOf: (object: number) => Map<string, number>,
): boolean {
  const settled = new Map<number, Map<string, number>>();
  for (const f of c.claims) {
    const m = settled.get(f.object.document) ?? new Map<string, number>();
    m.set(keyOf(f), (m.get(keyOf(f)) ?? 0) + 1);
    settled.set(f.object.document, m);
  }
  for (const [object, settles] of settled) {
    const at = rebuiltAt(object);
    if (at === undefined) return false;
    const had = wasOf(object);
    const is = after.get(at) ?? new Map<string, number>();
    if (![...settles].every(([k, n]) => (is.get(k) ?? 0) <= (had.get(k) ?? 0) - n)) return false;
    if (![...is].every(([k, n]) => n <= (had.get(k) ?? 0))) return false;
  }
  const ch = c.changes;
  if (!ch) return true;
  const at = rebuiltAt(ch.object);
  const orig = build.objects[ch.object];
  const now = at === undefined ? undefined : b.objects[at];
  if (!orig || !now) return false;
  const plainBefore = toPlain(orig.node);
  const plainNow = toPlain(now.node);
  return ch.list.every((x) => holds(x, plainBefore, plainNow));
}
