/**
 * What a hardening check found for one workload, kept from one run to the
 * next while neither the workload nor what the check reads besides it (the
 * namespace's policies, LimitRanges, quotas: the check's `context`) changed.
 *
 * An open document's objects are read chunk by chunk (findings.ts): an
 * object of a chunk an edit did not touch is its chunk's object again, only
 * placed elsewhere (`placedObject`: its spans moved by the chunk's start,
 * its document index counted in the whole file). A workload's results are
 * kept by that chunk object and moved to where it now stands; results that
 * name any other object are not kept.
 */
import type { ObjectRef, Span } from '../types';
import type { KubeObject } from './model';
import type { HardeningFinding, HardeningNote } from './results';

/** A placed object's chunk object and how far its spans are moved. */
interface Placement {
  base: KubeObject;
  by: number;
}

const placements = new WeakMap<KubeObject, Placement>();

const shift = (s: Span, by: number): Span => ({ start: s.start + by, end: s.end + by });

/**
 * `base` (an object read from a chunk, spans relative to the chunk) as an
 * object of the whole file: its spans `by` further, its document `document`.
 */
export function placedObject(base: KubeObject, by: number, document: number): KubeObject {
  if (by === 0 && base.document === document) return base;
  const locate = base.locate;
  const placed: KubeObject = {
    ...base,
    document,
    locate:
      by === 0
        ? locate
        : (path) => {
            const span = locate(path);
            return span && shift(span, by);
          },
  };
  placements.set(placed, { base, by });
  return placed;
}

function placementOf(o: KubeObject): Placement {
  return placements.get(o) ?? { base: o, by: 0 };
}

const ids = new WeakMap<KubeObject, number>();
let nextId = 0;

/**
 * The same string for the same object, run after run, wherever it stands: an
 * object read from a kept chunk or a file not read again is the same object.
 * For a context whose place no kept result names (a ServiceAccount, a LimitRange).
 */
export function contentKey(o: KubeObject): string {
  const base = placementOf(o).base;
  let id = ids.get(base);
  if (id === undefined) {
    id = nextId++;
    ids.set(base, id);
  }
  return String(id);
}

/** The same string for the same object at the same place (a policy a kept record names). */
export function objectKey(o: KubeObject): string {
  return `${contentKey(o)}@${placementOf(o).by}#${o.document}`;
}

/** What one check found for one workload. */
export interface WorkloadOutput<R> {
  findings: HardeningFinding[];
  notes: HardeningNote[];
  /** The check's record of the workload (its isolation, its resources). */
  record: R;
}

/** Workloads evaluated and reused by every memo (for tests and benchmarks). */
export const workloadMemoCount = { computed: 0, reused: 0 };

interface Kept<R> {
  context: string;
  by: number;
  document: number;
  out: WorkloadOutput<R>;
}

const isOwn = (ref: Pick<ObjectRef, 'document' | 'item'> | null, file: string, o: KubeObject) =>
  ref !== null && file === o.file && ref.document === o.document && ref.item === o.item;

/** A record whose object is the workload: `object` names it. */
const own = <R extends { object: ObjectRef }>(): RecordPlace<R> => ({
  ref: (r) => r.object,
  move: (r, document) => ({ ...r, object: { ...r.object, document } }),
});

/** Where a check's record names its workload, and the record moved to another document. */
export interface RecordPlace<R> {
  ref(record: R): ObjectRef;
  move(record: R, document: number): R;
}

/** One check's workload results, kept by chunk object. */
export class WorkloadMemo<R> {
  private readonly kept = new WeakMap<KubeObject, Kept<R>>();

  constructor(private readonly place: RecordPlace<R>) {}

  /** A memo whose records name their workload in `object`. */
  static of<R extends { object: ObjectRef }>(): WorkloadMemo<R> {
    return new WorkloadMemo<R>(own<R>());
  }

  /** The results for `o` under `context`: kept ones moved to where `o` stands, else `compute()`. */
  get(o: KubeObject, context: string, compute: () => WorkloadOutput<R>): WorkloadOutput<R> {
    const p = placementOf(o);
    const k = this.kept.get(p.base);
    if (k && k.context === context) {
      workloadMemoCount.reused++;
      return k.by === p.by && k.document === o.document
        ? k.out
        : moved(k.out, p.by - k.by, o.document, this.place);
    }
    workloadMemoCount.computed++;
    const out = compute();
    // Kept only when everything in it is the workload's own: another object's place may change.
    const own =
      out.findings.every(
        (f) => isOwn(f.object, f.file, o) && f.fixes.every((x) => isOwn(x, x.file, o)),
      ) &&
      out.notes.every((n) => isOwn(n.object, n.file, o)) &&
      isOwn(this.place.ref(out.record), o.file, o);
    if (own) this.kept.set(p.base, { context, by: p.by, document: o.document, out });
    else this.kept.delete(p.base);
    return out;
  }
}

function moved<R>(
  out: WorkloadOutput<R>,
  by: number,
  document: number,
  place: RecordPlace<R>,
): WorkloadOutput<R> {
  const ref = (r: ObjectRef): ObjectRef => ({ ...r, document });
  return {
    findings: out.findings.map((f) => ({
      ...f,
      span: shift(f.span, by),
      object: ref(f.object),
      fixes: f.fixes.map((x) => ({ ...x, document })),
    })),
    notes: out.notes.map((n) => ({
      ...n,
      span: shift(n.span, by),
      object: n.object && ref(n.object),
    })),
    record: place.move(out.record, document),
  };
}
