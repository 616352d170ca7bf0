/**
 * "Fix in overlay <name>": a finding whose value comes from a base, made in
 * one overlay only, as a strategic merge patch of that overlay. What the
 * fix changes in the built object (a field set, a key removed, a list item
 * appended or removed) is written as the patch kustomize merges: maps by
 * key, lists that merge (containers by `name`, ports by `containerPort`, ...,
 * from the API types kustomize knows) by their merge keys, other lists
 * replaced whole, a removed key as `null`, a removed merging item as
 * `$patch: delete`.
 *
 * The patch goes where the overlay already patches the object (a patch file
 * its `patches:` or `patchesStrategicMerge:` lists, for the same kind and
 * name), edited in place with the planner (comments and layout kept);
 * otherwise into a new file beside the kustomization, which gains a
 * `patches:` entry for it, in the kustomization's own list style. An item
 * appended to a block-style list of such a patch is written in block style,
 * in that list's columns. The fix edits only those files, never the base.
 *
 * Which overlay: the root whose build is evaluated (the one the finding
 * names). A value from a file of another kustomization (a base, or an
 * overlay the root includes as a resource) gets a fix in each root that
 * deploys it; an included overlay gets fixes of its own only when it is built
 * itself (`podsec overlays/mid`, or named under `kustomize.roots`). A value
 * the root's own files set is fixed there, at its origin.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, stringify } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import { planEdits } from '../fixes/edits';
import type { FixOp, FixValue } from '../fixes/edits';
import { fieldOf, rootType } from '../kustomize/schema';
import type { KustomizationInfo } from '../kustomize/roots';
import { joinPath } from '../sources/sourceFs';
import type { SourceFs } from '../sources/sourceFs';
import type { FileEdits, Fix, TextEdit } from '../types';
import type { Change, FixChanges, OriginDoc, Part, Plain } from './fixes';

type PMap = { [k: string]: FixValue };

const isObj = (v: Plain): v is PMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys of a list that merges (non-empty), or null for a list replaced whole. */
function mergeKeys(type: string | null, key: string): readonly string[] | null {
  const f = fieldOf(type, key);
  return f?.keys && f.keys.length > 0 ? f.keys : null;
}

function identity(item: Plain, keys: readonly string[]): PMap | null {
  if (!isObj(item)) return null;
  const id: PMap = {};
  for (const k of keys) {
    const v = item[k];
    // kustomize merges on the first key that is present; a missing key makes the item unmatched.
    if (v === undefined) {
      if (k === keys[0]) return null;
      continue;
    }
    id[k] = v;
  }
  return id;
}

const sameId = (a: Plain, id: PMap): boolean =>
  isObj(a) && Object.entries(id).every(([k, v]) => JSON.stringify(a[k]) === JSON.stringify(v));

/**
 * Add one change to the patch tree `patch` (for the map `before`/`after` of
 * schema type `type`); false when it cannot be written as a strategic merge.
 */
function addChange(
  patch: PMap,
  type: string | null,
  before: Plain,
  after: Plain,
  path: readonly Part[],
  change: Change,
): boolean {
  const k = path[0];
  if (typeof k !== 'string' || !isObj(before) || !isObj(after)) return false;
  const rest = path.slice(1);
  const field = fieldOf(type, k);
  const keys = mergeKeys(type, k);
  if (rest.length === 0) {
    if (change.kind === 'set') patch[k] = change.value;
    else if (change.kind === 'remove') patch[k] = null;
    else if (keys && isObj(change.value)) {
      const list = Array.isArray(patch[k]) ? patch[k] : [];
      patch[k] = [...list, change.value];
    } else if (after[k] !== undefined) patch[k] = after[k];
    else return false;
    return true;
  }
  const next = rest[0] as Part;
  if (typeof next === 'number') {
    const bl = before[k];
    const al = after[k];
    if (!Array.isArray(bl)) return false;
    if (!keys) {
      // A list that does not merge is replaced whole.
      if (al === undefined) return false;
      patch[k] = al;
      return true;
    }
    const id = identity(bl[next], keys);
    if (!id) return false;
    if (patch[k] !== undefined && !Array.isArray(patch[k])) return false;
    const list = patch[k] ?? [];
    patch[k] = list;
    let item = list.find((x) => sameId(x, id)) as PMap | undefined;
    if (!item) {
      item = { ...id };
      list.push(item);
    }
    if (rest.length === 1) {
      if (change.kind !== 'remove') return false;
      item.$patch = 'delete';
      return true;
    }
    const ai = Array.isArray(al) ? al.find((x) => sameId(x, id)) : undefined;
    return addChange(item, field?.type ?? null, bl[next], ai, rest.slice(1), change);
  }
  if (patch[k] === undefined) patch[k] = {};
  const sub = patch[k];
  if (!isObj(sub)) return false;
  const b = before[k] ?? {};
  const a = after[k] ?? {};
  return addChange(sub, field?.type ?? null, b, a, rest, change);
}

/** The strategic merge patch body (without apiVersion/kind/metadata name) of a fix's changes. */
export function patchOf(c: FixChanges, apiVersion: string, kind: string): PMap | null {
  const type = rootType(apiVersion, kind);
  const patch: PMap = {};
  for (const ch of c.changes) {
    if (ch.path.length === 0) return null;
    if (!addChange(patch, type, c.before, c.after, ch.path, ch)) return null;
  }
  return Object.keys(patch).length > 0 ? patch : null;
}

/** The object as its base resource writes it: apiVersion, kind, name and namespace. */
export interface PatchTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
}

function str(n: unknown): string | null {
  return isScalar(n) && typeof n.value === 'string' ? n.value : null;
}

function get(map: unknown, key: string): unknown {
  if (!isMap(map)) return undefined;
  for (const p of map.items) if (isScalar(p.key) && String(p.key.value) === key) return p.value;
  return undefined;
}

/** The written identity of a resource document, or null when it has no plain name. */
export function targetOf(doc: Document.Parsed): PatchTarget | null {
  const c = doc.contents;
  const apiVersion = str(get(c, 'apiVersion'));
  const kind = str(get(c, 'kind'));
  const meta = get(c, 'metadata');
  const name = str(get(meta, 'name'));
  if (!apiVersion || !kind || !name) return null;
  return { apiVersion, kind, name, namespace: str(get(meta, 'namespace')) };
}

function sameTarget(a: PatchTarget, b: PatchTarget): boolean {
  return (
    a.kind === b.kind &&
    a.name === b.name &&
    a.apiVersion.split('/')[0] === b.apiVersion.split('/')[0] &&
    (a.namespace ?? '') === (b.namespace ?? '')
  );
}

/** Merge a patch tree into a patch document's map with planner operations. */
function mergeInto(
  map: YAMLMap,
  tree: PMap,
  type: string | null,
  ops: FixOp[],
  at: string[] = [],
): boolean {
  for (const [k, v] of Object.entries(tree)) {
    const cur = get(map, k);
    const keys = mergeKeys(type, k);
    if (cur === undefined || cur === null) {
      ops.push({ op: 'set', map, path: [k], value: v });
      continue;
    }
    if (isObj(v) && isMap(cur)) {
      if (!mergeInto(cur, v, fieldOf(type, k)?.type ?? null, ops, [...at, k])) return false;
      continue;
    }
    if (Array.isArray(v) && keys && isSeq(cur)) {
      const seq = cur;
      for (const item of v) {
        const id = identity(item, keys);
        if (!id || !isObj(item)) return false;
        const found = seq.items.find(
          (n) =>
            isMap(n) &&
            Object.entries(id).every(([ik, iv]) => {
              const s = get(n, ik);
              return isScalar(s) && JSON.stringify(s.value) === JSON.stringify(iv);
            }),
        );
        if (found && isMap(found)) {
          const restOf: PMap = {};
          for (const [ik, iv] of Object.entries(item)) if (!(ik in id)) restOf[ik] = iv;
          if (!mergeInto(found, restOf, fieldOf(type, k)?.type ?? null, ops, [...at, k])) {
            return false;
          }
        } else ops.push({ op: 'append', map, path: [k], value: item });
      }
      continue;
    }
    if (isMap(cur) || isSeq(cur) || isScalar(cur)) {
      ops.push({ op: 'set', map, path: [k], value: v });
      continue;
    }
    return false;
  }
  return true;
}

/** The column a kustomization's block lists put their dashes at, under their key (0 or more). */
function seqIndent(text: string): number {
  const m = /^([A-Za-z]\w*):[ \t]*\r?\n( *)- /m.exec(text);
  return m ? (m[2] as string).length : 2;
}

function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text.charCodeAt(i - 1) === 13 ? '\r\n' : '\n';
}

/** A file name for the overlay's new patch: `patch-<kind>-<name>.yaml`, numbered when taken. */
function newPatchName(fs: SourceFs, dir: string, t: PatchTarget): string {
  const stem = `patch-${t.kind.toLowerCase()}-${t.name}`.replace(/[^A-Za-z0-9._-]+/g, '-');
  for (let i = 1; i < 100; i++) {
    const name = i === 1 ? `${stem}.yaml` : `${stem}-${i}.yaml`;
    if (fs.readText(joinPath(dir, name)) === null) return name;
  }
  return `${stem}-podsec.yaml`;
}

/** Plain text safe as a YAML plain scalar in a kustomization (a relative file name). */
function plainName(s: string): string {
  return /^[A-Za-z0-9_.][\w./-]*$/.test(s) && !/^(?:y|n|yes|no|true|false|on|off|null|~)$/i.test(s)
    ? s
    : JSON.stringify(s);
}

/** The kustomization's edit listing the new patch file under `patches:`. */
function listPatch(text: string, doc: Document.Parsed, file: string): TextEdit[] | null {
  const root = doc.contents;
  if (!isMap(root)) return null;
  const eol = eolOf(text);
  const entry = `path: ${plainName(file)}`;
  const patches = get(root, 'patches');
  if (isSeq(patches) && !patches.flow && patches.items.length > 0) {
    const last = patches.items[patches.items.length - 1] as Node;
    const r = last.range;
    if (!r) return null;
    let dash = r[0] - 1;
    while (dash > 0 && text[dash] !== '-') dash--;
    const col = dash - (text.lastIndexOf('\n', dash) + 1);
    let at = text.indexOf('\n', Math.max(r[1] - 1, r[0]));
    at = at < 0 ? text.length : at + 1;
    const lead = at === text.length && !/[\r\n]$/.test(text) ? eol : '';
    return [{ start: at, end: at, newText: `${lead}${' '.repeat(col)}- ${entry}${eol}` }];
  }
  if (patches !== undefined && patches !== null) {
    const ops: FixOp[] = [{ op: 'append', map: root, path: ['patches'], value: { path: file } }];
    return planEdits(text, doc, ops);
  }
  if (root.flow) return null;
  const at = text.length;
  const lead = text.length > 0 && !/[\r\n]$/.test(text) ? eol : '';
  return [
    {
      start: at,
      end: at,
      newText: `${lead}patches:${eol}${' '.repeat(seqIndent(text))}- ${entry}${eol}`,
    },
  ];
}

/** The patch files an overlay lists itself (no target, so they patch what they name). */
function listedPatchFiles(k: Document.Parsed, dir: string): string[] {
  const out: string[] = [];
  const root = k.contents;
  const patches = get(root, 'patches');
  if (isSeq(patches))
    for (const p of patches.items) {
      const path = str(get(p, 'path'));
      if (path && get(p, 'target') === undefined) out.push(joinPath(dir, path));
    }
  const psm = get(root, 'patchesStrategicMerge');
  if (isSeq(psm))
    for (const p of psm.items) {
      const path = str(p);
      if (path && !path.includes('\n')) out.push(joinPath(dir, path));
    }
  return out;
}

export interface OverlayFixContext {
  fs: SourceFs;
  /** The overlay (root) kustomization, as the graph read it. */
  root: KustomizationInfo;
  /** The overlay's name in titles (`overlays/prod`). */
  name: string;
  /** The base resource document the object was read from. */
  target: PatchTarget;
  /** Parsed files, shared with the fixes at the origin. */
  read: (file: string) => OriginDoc | null;
}

/** The fix `fix` (with its changes to the built object) made as a patch in one overlay, or null. */
export function fixInOverlay(fix: Fix, changes: FixChanges, ctx: OverlayFixContext): Fix | null {
  const kfile = ctx.root.file;
  if (!kfile) return null;
  const t = ctx.target;
  const body = patchOf(changes, t.apiVersion, t.kind);
  if (!body) return null;
  const k = ctx.read(kfile);
  const kdoc = k?.docs[0];
  if (!k || !kdoc || k.docs.length !== 1 || kdoc.errors.length > 0) return null;
  const title = `${fix.title} in overlay ${ctx.name}`;
  const type = rootType(t.apiVersion, t.kind);

  // A patch file of the overlay for the same object: extended in place.
  for (const path of listedPatchFiles(kdoc, ctx.root.dir)) {
    const p = ctx.read(path);
    if (!p) continue;
    for (const d of p.docs) {
      const pt = targetOf(d);
      if (!pt || !sameTarget(pt, t) || d.errors.length > 0 || !isMap(d.contents)) continue;
      const ops: FixOp[] = [];
      if (!mergeInto(d.contents, body, type, ops)) return null;
      const edits = planEdits(p.text, d, ops);
      if (!edits || edits.length === 0) return null;
      return { title, safe: fix.safe, edits: [], files: [{ path, edits }] };
    }
  }

  // Otherwise a new patch file, listed in the kustomization.
  const name = newPatchName(ctx.fs, ctx.root.dir, t);
  const eol = eolOf(k.text);
  const metadata: PMap = { name: t.name };
  if (t.namespace !== null) metadata.namespace = t.namespace;
  const object: PMap = { apiVersion: t.apiVersion, kind: t.kind, metadata, ...body };
  // Plain data (finite numbers, no merge keys) written with YAML 1.1's quoting reads back as
  // the tree it was made from, as the build reads patches (`yes` and `on` stay strings).
  if (!plainData(object)) return null;
  const indentSeq = seqIndent(k.text) > 0;
  const lines = blockLines(object, '', indentSeq);
  let text = lines
    ? `${lines.join('\n')}\n`
    : stringify(object, { version: '1.1', indentSeq, lineWidth: 0 });
  if (eol !== '\n') text = text.replace(/\n/g, eol);
  const listed = listPatch(k.text, kdoc, name);
  if (!listed) return null;
  const files: FileEdits[] = [
    { path: kfile, edits: listed },
    {
      path: joinPath(ctx.root.dir, name),
      edits: [{ start: 0, end: 0, newText: text }],
      create: true,
    },
  ];
  return { title, safe: fix.safe, edits: [], files };
}

/** A YAML 1.1 keyword or a text another type would read (written quoted). */
const KEYWORD = /^(?:y|yes|n|no|true|false|on|off|null)$/i;

/** A scalar as block YAML writes it: plain when nothing else could read it, else JSON-quoted. */
function scalarText(v: FixValue): string | null {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : null;
  if (typeof v !== 'string') return null;
  return /^[A-Za-z_/][\w./-]*$/.test(v) && !KEYWORD.test(v) ? v : JSON.stringify(v);
}

/**
 * The lines of a map of plain data as block YAML (maps and lists of maps or
 * scalars, at `pad`; lists under their key indented when `indentSeq`), as a
 * strategic merge patch is written; null for what this does not write (a
 * list in a list, a fraction), which `stringify` writes instead.
 */
function blockLines(map: PMap, pad: string, indentSeq: boolean): string[] | null {
  const out: string[] = [];
  for (const [k, v] of Object.entries(map)) {
    const key = scalarText(k);
    if (key === null) return null;
    if (isObj(v) && Object.keys(v).length > 0) {
      const inner = blockLines(v, `${pad}  `, indentSeq);
      if (!inner) return null;
      out.push(`${pad}${key}:`, ...inner);
    } else if (Array.isArray(v) && v.length > 0) {
      out.push(`${pad}${key}:`);
      const dash = indentSeq ? `${pad}  ` : pad;
      for (const item of v) {
        if (isObj(item) && Object.keys(item).length > 0) {
          const inner = blockLines(item, `${dash}  `, indentSeq);
          if (!inner) return null;
          out.push(`${dash}- ${(inner[0] as string).slice(dash.length + 2)}`, ...inner.slice(1));
        } else {
          const t = Array.isArray(item) ? null : isObj(item) ? '{}' : scalarText(item);
          if (t === null) return null;
          out.push(`${dash}- ${t}`);
        }
      }
    } else {
      const t = isObj(v) ? '{}' : Array.isArray(v) ? '[]' : scalarText(v);
      if (t === null) return null;
      out.push(`${pad}${key}: ${t}`);
    }
  }
  return out;
}

/** Whether `v` is data YAML writes and reads back unchanged: finite numbers, no `<<` keys. */
function plainData(v: FixValue): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(plainData);
  if (typeof v === 'object' && v !== null)
    return Object.entries(v).every(([k, x]) => k !== '<<' && plainData(x));
  return true;
}

/** Parse a file for fixes (YAML 1.1, as the fixes at the origin read it). */
export function readOrigin(fs: SourceFs, file: string): OriginDoc | null {
  const text = fs.readText(file);
  if (text === null) return null;
  const docs = parseAllDocuments(text, { version: '1.1' });
  return Array.isArray(docs) ? { text, docs } : null;
}
