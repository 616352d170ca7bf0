/**
 * Pods for the per-check tables in test/engine/checks/: a row names a pod
 * fragment (annotations, pod securityContext, other spec fields, containers)
 * and the outcome expected at a list of policy versions. The helper builds
 * the Pod, runs the check's variant selected for that version on its
 * PodView, and checks that `analyze` at the same policy agrees on pass or fail.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDocument, stringify } from 'yaml';
import { analyze, CHECKS_BY_ID, selectChecks } from '@podsec/server';
import type { CheckId } from '@podsec/server';
import { DocContext, Cursor } from '@podsec/server/out/engine/cursor';
import { PodView } from '@podsec/server/out/engine/podView';

type Obj = Record<string, unknown>;

export interface PodFragment {
  annotations?: Record<string, string>;
  /** spec.securityContext */
  podSC?: Obj;
  /** Other fields of spec (hostNetwork, volumes, os, hostUsers, ...). */
  spec?: Obj;
  /** Default: one container `{name: c, image: i}`. A container without an image gets `i`. */
  containers?: Obj[];
  initContainers?: Obj[];
  ephemeralContainers?: Obj[];
}

/** The check passes; it is not run at that version; or it fails with upstream's reason and detail. */
export type Expected = 'pass' | 'not run' | { reason: string; detail: string };

export interface Row {
  name: string;
  pod: PodFragment;
  /** Policy minors (v1.N) the row holds at. */
  at: readonly number[];
  expect: Expected;
}

export const fails = (reason: string, detail: string): Expected => ({ reason, detail });

const withImage = (cs: Obj[]): Obj[] => cs.map((c) => ({ image: 'i', ...c }));

/** The Pod a fragment describes, as YAML. */
export function podText(f: PodFragment): string {
  const spec: Obj = { ...(f.spec ?? {}) };
  if (f.podSC) spec.securityContext = f.podSC;
  if (f.initContainers) spec.initContainers = withImage(f.initContainers);
  spec.containers = withImage(f.containers ?? [{ name: 'c' }]);
  if (f.ephemeralContainers) spec.ephemeralContainers = withImage(f.ephemeralContainers);
  const metadata: Obj = { name: 'p' };
  if (f.annotations) metadata.annotations = f.annotations;
  return stringify({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
}

/** The check's outcome at v1.`minor`, evaluated at the check's own level; undefined when not run. */
export function outcomeAt(
  id: CheckId,
  minor: number,
  f: PodFragment,
): { reason: string; detail: string } | null | undefined {
  const text = podText(f);
  const doc = parseDocument(text);
  const pod = new PodView(Cursor.root(new DocContext(doc, 1000), doc.contents));
  const selected = selectChecks(levelOf(id), minor).find((s) => s.check.id === id);
  if (!selected) return undefined;
  const out = selected.variant.evaluate(pod);
  return out ? { reason: out.reason, detail: out.detail } : null;
}

function levelOf(id: CheckId): 'baseline' | 'restricted' {
  const check = CHECKS_BY_ID.get(id);
  assert.ok(check, `unknown check ${id}`);
  return check.level;
}

/** One `it` per row and version. */
export function table(id: CheckId, rows: readonly Row[]): void {
  for (const row of rows) {
    for (const minor of row.at) {
      it(`${row.name} @ v1.${minor}`, () => {
        const got = outcomeAt(id, minor, row.pod);
        if (row.expect === 'not run') {
          assert.equal(got, undefined, `${id} should not run at v1.${minor}`);
          return;
        }
        assert.notEqual(got, undefined, `${id} should run at v1.${minor}`);
        assert.deepEqual(got, row.expect === 'pass' ? null : row.expect);
        const findings = analyze(podText(row.pod), {
          level: levelOf(id),
          version: `v1.${minor}`,
          namespaceLabels: false,
        }).findings.filter((x) => x.check === id);
        if (row.expect === 'pass') assert.deepEqual(findings, []);
        else {
          assert.ok(findings.length > 0, 'analyze reports the check');
          for (const x of findings) assert.equal(x.reason, row.expect.reason);
        }
      });
    }
  }
}
