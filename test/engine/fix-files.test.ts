/**
 * Fixes that edit other files: the choice of fixes applied together over
 * several files is all or nothing per fix (a file it cannot read, a file it
 * would create that exists, an edit out of range or touching one already
 * chosen: the whole fix waits), each distinct fix is made once, and the
 * texts made are the edits applied to the texts read. The language server
 * turns the same fix into one WorkspaceEdit, versioned for open documents.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '@podsec/server';
import type { Finding, Fix } from '@podsec/server/out/engine/index';
import { fixEdits, planFixes } from '@podsec/server/out/engine/fixes/edits';
import { AnalysisResult, fixWorkspaceEdit } from '@podsec/server/out/lsp/features';
import type { EditCapabilities, FileTexts } from '@podsec/server/out/lsp/features';
import { privilegedPod } from '../support/manifests';

/** A finding whose only interesting part is its fixes (the rest from a real analysis). */
const POD = privilegedPod('p', { container: 'a', image: 'x' });
const TEMPLATE: Finding = analyze(POD).findings.find((f) => f.check === 'privileged')!;
const finding = (...fixes: Fix[]): Finding => ({ ...TEMPLATE, fixes });

const ownEdit = (start: number, text: string) => ({ start, end: start, newText: text });

describe('fixes across files: the plan', () => {
  const texts: Record<string, string> = {
    '/r/base.yaml': 'a: 1\nb: 2\n',
    '/r/prod/kustomization.yaml': 'resources:\n  - ../base\n',
  };
  const read = (p: string): string | null => texts[p] ?? null;
  const overlayFix: Fix = {
    title: 'Fix in overlay prod',
    safe: true,
    edits: [],
    files: [
      { path: '/r/prod/kustomization.yaml', edits: [ownEdit(23, 'patches:\n  - path: p.yaml\n')] },
      { path: '/r/prod/p.yaml', edits: [ownEdit(0, 'kind: Deployment\n')], create: true },
    ],
  };

  it('a fix of two other files, one new: both texts made, counted in its finding’s file', () => {
    const plan = planFixes([{ file: '/r/base.yaml', finding: finding(overlayFix) }], read);
    assert.equal(plan.count, 1);
    assert.deepEqual(
      plan.changes.map((c) => [c.path, c.create, c.text]),
      [
        [
          '/r/prod/kustomization.yaml',
          false,
          'resources:\n  - ../base\npatches:\n  - path: p.yaml\n',
        ],
        ['/r/prod/p.yaml', true, 'kind: Deployment\n'],
      ],
    );
    assert.deepEqual([...plan.applied], [['/r/base.yaml', 1]]);
  });

  it('a file it cannot read, or a file it would create that exists: the whole fix waits', () => {
    const unreadable: Fix = {
      ...overlayFix,
      edits: [ownEdit(0, '# x\n')],
      files: [{ path: '/r/gone.yaml', edits: [ownEdit(0, 'x')] }],
    };
    const exists: Fix = {
      ...overlayFix,
      edits: [ownEdit(0, '# y\n')],
      files: [{ path: '/r/base.yaml', edits: [ownEdit(0, 'z')], create: true }],
    };
    for (const fix of [unreadable, exists]) {
      const plan = planFixes([{ file: '/r/prod/kustomization.yaml', finding: finding(fix) }], read);
      assert.equal(plan.count, 0);
      assert.deepEqual(plan.changes, [], 'its own file is not edited either');
    }
  });

  it('an edit out of the text’s range is no fix', () => {
    const fix: Fix = { title: 't', safe: true, edits: [ownEdit(1000, 'x')] };
    assert.equal(planFixes([{ file: '/r/base.yaml', finding: finding(fix) }], read).count, 0);
  });

  it('fixes touching the same text in another file: the first is made, the second waits', () => {
    const second: Fix = {
      ...overlayFix,
      title: 'other',
      files: [{ path: '/r/prod/kustomization.yaml', edits: [ownEdit(23, 'namespace: x\n')] }],
    };
    const third: Fix = {
      title: 'apart',
      safe: true,
      edits: [],
      files: [{ path: '/r/prod/kustomization.yaml', edits: [ownEdit(0, '# top\n')] }],
    };
    const plan = planFixes(
      [
        { file: '/r/base.yaml', finding: finding(overlayFix) },
        { file: '/r/base.yaml', finding: finding(second) },
        { file: '/r/base.yaml', finding: finding(third) },
      ],
      read,
    );
    assert.equal(plan.count, 2);
    assert.equal(
      plan.changes[0]?.text,
      '# top\nresources:\n  - ../base\npatches:\n  - path: p.yaml\n',
    );
  });

  it('the same fix on two findings is made once; two fixes creating one file: one', () => {
    const twin: Fix = { ...overlayFix, title: 'twin', files: [overlayFix.files![1]!] };
    const plan = planFixes(
      [
        { file: '/r/base.yaml', finding: finding(overlayFix) },
        { file: '/r/base.yaml', finding: finding(overlayFix) },
        { file: '/r/base.yaml', finding: finding(twin) },
      ],
      read,
    );
    assert.equal(plan.count, 1);
  });

  it('without other files: a fix of this file alone is chosen over the finding’s first', () => {
    const local: Fix = { title: 'local', safe: true, edits: [ownEdit(0, '# l\n')] };
    const plan = planFixes([{ file: '/r/base.yaml', finding: finding(overlayFix, local) }], read, {
      otherFiles: false,
    });
    assert.deepEqual(
      plan.changes.map((c) => [c.path, c.text]),
      [['/r/base.yaml', '# l\na: 1\nb: 2\n']],
    );
    // With other files, the finding's first fix.
    const all = planFixes([{ file: '/r/base.yaml', finding: finding(overlayFix, local) }], read);
    assert.deepEqual(
      all.changes.map((c) => c.path),
      ['/r/prod/kustomization.yaml', '/r/prod/p.yaml'],
    );
  });

  it('an unsafe fix only with unsafe; fixEdits lists the own file first', () => {
    const unsafe: Fix = { ...overlayFix, safe: false };
    assert.equal(planFixes([{ file: '/r/b', finding: finding(unsafe) }], read).count, 0);
    assert.equal(
      planFixes([{ file: '/r/b', finding: finding(unsafe) }], read, { unsafe: true }).count,
      1,
    );
    const both: Fix = { ...overlayFix, edits: [ownEdit(0, 'x')] };
    assert.deepEqual(
      fixEdits(both, '/r/base.yaml').map((f) => f.path),
      ['/r/base.yaml', '/r/prod/kustomization.yaml', '/r/prod/p.yaml'],
    );
  });
});

describe('fixes across files: one WorkspaceEdit', () => {
  const r = new AnalysisResult('file:///r/base.yaml', 7, 'a: 1\nb: 2\n', analyze(''));
  const caps: EditCapabilities = {
    documentChanges: true,
    snippets: false,
    resolve: false,
    createFiles: true,
  };
  const open: Record<string, { text: string; version: number | null }> = {
    '/r/prod/kustomization.yaml': { text: 'resources:\n  - ../base\n', version: 3 },
    '/r/dev/kustomization.yaml': { text: 'resources:\n- ../base\n', version: null },
  };
  const files: FileTexts = { uri: (p) => `file://${p}`, get: (p) => open[p] ?? null };
  const fix: Fix = {
    title: 'Fix in overlay prod',
    safe: true,
    edits: [ownEdit(5, '# seen\n')],
    files: [
      { path: '/r/prod/kustomization.yaml', edits: [ownEdit(23, 'patches:\n')] },
      { path: '/r/dev/kustomization.yaml', edits: [{ start: 0, end: 9, newText: 'bases' }] },
      { path: '/r/prod/p.yaml', edits: [ownEdit(0, 'kind: Deployment\n')], create: true },
    ],
  };

  it('own file at the analysed version, open files at theirs, disk files unversioned, new file created first', () => {
    const edit = fixWorkspaceEdit(r, fix, caps, files);
    assert.deepEqual(edit, {
      documentChanges: [
        {
          textDocument: { uri: 'file:///r/base.yaml', version: 7 },
          edits: [{ range: { start: pos(1, 0), end: pos(1, 0) }, newText: '# seen\n' }],
        },
        {
          textDocument: { uri: 'file:///r/prod/kustomization.yaml', version: 3 },
          edits: [{ range: { start: pos(2, 0), end: pos(2, 0) }, newText: 'patches:\n' }],
        },
        {
          textDocument: { uri: 'file:///r/dev/kustomization.yaml', version: null },
          edits: [{ range: { start: pos(0, 0), end: pos(0, 9) }, newText: 'bases' }],
        },
        {
          kind: 'create',
          uri: 'file:///r/prod/p.yaml',
          options: { overwrite: false, ignoreIfExists: false },
        },
        {
          textDocument: { uri: 'file:///r/prod/p.yaml', version: null },
          edits: [{ range: { start: pos(0, 0), end: pos(0, 0) }, newText: 'kind: Deployment\n' }],
        },
      ],
    });
  });

  it('no fix the client cannot take whole: no create support, no documentChanges, a file not readable', () => {
    assert.equal(fixWorkspaceEdit(r, fix, { ...caps, createFiles: false }, files), null);
    assert.equal(fixWorkspaceEdit(r, fix, { ...caps, documentChanges: false }, files), null);
    assert.equal(fixWorkspaceEdit(r, fix, caps, undefined), null);
    const gone: Fix = { ...fix, files: [{ path: '/r/none.yaml', edits: [ownEdit(0, 'x')] }] };
    assert.equal(fixWorkspaceEdit(r, gone, caps, files), null);
    const outOfRange: Fix = {
      ...fix,
      files: [{ path: '/r/prod/kustomization.yaml', edits: [ownEdit(999, 'x')] }],
    };
    assert.equal(fixWorkspaceEdit(r, outOfRange, caps, files), null);
    // Without documentChanges, edits of existing files still go as plain changes.
    const noCreate: Fix = { ...fix, files: fix.files!.slice(0, 1) };
    assert.deepEqual(fixWorkspaceEdit(r, noCreate, { ...caps, documentChanges: false }, files), {
      changes: {
        'file:///r/base.yaml': [
          { range: { start: pos(1, 0), end: pos(1, 0) }, newText: '# seen\n' },
        ],
        'file:///r/prod/kustomization.yaml': [
          { range: { start: pos(2, 0), end: pos(2, 0) }, newText: 'patches:\n' },
        ],
      },
    });
  });
});

function pos(line: number, character: number): { line: number; character: number } {
  return { line, character };
}
