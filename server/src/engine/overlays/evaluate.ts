/**
 * Kustomize overlays evaluated as deployed. Each root kustomization (one no
 * other includes, or the ones `.podsec.yaml` names) is built, and its build
 * is analysed by the normal engine with the build's namespaces, so that the
 * Namespace labels of the cluster (declared anywhere in the inputs, or in a
 * build) apply. Every finding is placed on the line that set the offending
 * value: the base resource, the patch file, the inline patch in
 * `kustomization.yaml`, or the transformer's setting; its message names the
 * overlay. A finding several overlays share is reported once, naming each.
 *
 * Files the overlays read are not analysed on their own: kustomization files,
 * patches and generator inputs never are; resources are, as today, only when
 * no build that reads them succeeds (the build's error says why).
 */
import { collectNamespaces } from '../index';
import { evaluatedMinor } from '../policy';
import { adviseText } from '../advisor/index';
import type { WorkloadAdvice } from '../advisor/index';
import { buildKustomization } from '../kustomize/build';
import type { BuildOptions, BuiltObject, HelmRenderer, KustomizeBuild } from '../kustomize/build';
import type { KustomizationGraph } from '../kustomize/roots';
import { LineIndex } from '../lines';
import type { SourceFs } from '../sources/sourceFs';
import { normalizePath } from '../sources/sourceFs';
import { findSuppressions, suppressedBy } from '../suppress';
import type { Suppression } from '../suppress';
import type {
  Analysis,
  AnalyzeOptions,
  Diagnostic,
  Finding,
  Fix,
  Level,
  NamespaceLabels,
  Span,
  WorkloadSummary,
} from '../types';
import { parseAllDocuments } from 'yaml';
import type { Document } from 'yaml';
import { changesOf, fixAtOrigin } from './fixes';
import type { FixChanges, OriginDoc } from './fixes';
import { fixInJsonPatch } from './jsonPatchFix';
import { fixInOverlay, readOrigin, targetOf } from './overlayFix';
import { evaluateGenerated, placeSpan } from '../project/index';
import type { LocatedDiagnostic, LocatedFinding } from '../project/index';
import { valuesFixes } from '../project/helm';
import { overlayPhrase, placeFixes } from './origins';
import { fixClears, proveCandidates } from './verify';
import type { Candidate, VerifyContext } from './verify';

export interface OverlayOptions extends AnalyzeOptions {
  /** The kustomizations to build (absolute); default: the graph's roots. */
  roots?: readonly string[];
  /** How a root is named in messages (`overlays/prod`); default: its path. */
  nameOf?: (dir: string) => string;
  /** Renders `helmCharts` entries. */
  helm?: HelmRenderer;
  /**
   * Also the highest level each built workload meets (its `met`), as the
   * level advisor judges it at the version that applies to it: for the
   * report and the editor's lenses (two more evaluations of each build).
   */
  advise?: boolean;
  /**
   * Offer a fix only when the overlay built again with it proves it (the
   * finding gone, no new one, the change still in the built object): at
   * most three more builds of each overlay. The command line proves the
   * fixes it prints and writes; the editor, which evaluates on every edit,
   * offers them unproven and shows the build again after a fix is applied.
   */
  proveFixes?: boolean;
}

/** A workload as one overlay builds it, placed in the file its object came from. */
export interface OverlayWorkload {
  overlay: string;
  file: string;
  summary: WorkloadSummary;
  /** Its findings in the build that enforce rejects, and that warn shows. */
  rejected: number;
  warned: number;
  /** With `advise`: the highest level the build of it meets, and the findings between it and the next. */
  met?: Level;
  toNext?: number;
  /** With `advise` and a version older than the latest: the level the build meets at the latest. */
  metLatest?: Level;
}

export interface OverlayBuild {
  dir: string;
  /** The overlay's name in messages (`overlays/prod`). */
  name: string;
  build: KustomizeBuild;
  /** The analysis of the build's text; null when the build failed. */
  analysis: Analysis | null;
  /**
   * The fixes this overlay's build offered, proven by building it again
   * with them: how many builds that took, how many it proved, and how many
   * it did not (those are not offered).
   */
  proofs?: { builds: number; proven: number; refused: number };
}

export interface OverlayEvaluation {
  builds: OverlayBuild[];
  /** Findings, errors and notes, by the file they are placed in. */
  files: Map<string, Analysis>;
  /** Files the overlays read that are not to be analysed on their own. */
  covered: Set<string>;
  /** Every workload of every overlay, placed. */
  workloads: OverlayWorkload[];
}

/** Most fixes one build places at their origin (the rest keep only edits that map verbatim). */
const MAX_ORIGIN_FIXES = 2000;

const emptyAnalysis = (): Analysis => ({
  findings: [],
  errors: [],
  notes: [],
  workloads: [],
  objects: 0,
});

/**
 * The fix of a chart object's finding at the values key the map it belongs to
 * is printed from (a `helmCharts` entry's values file): the edit of that file,
 * as a chart's own finding gets it. Null when there is none.
 */
function chartValuesFix(
  src: KustomizeBuild['source'],
  located: LocatedFinding,
  generated: Finding,
  fix: Fix,
  docs: Document.Parsed[],
  file: string,
  fs: SourceFs,
): Fix | null {
  const found = valuesFixes(
    src,
    located,
    { ...generated, fixes: [fix] },
    () => docs,
    (p) => fs.readText(p),
  )?.[0];
  if (!found) return null;
  return found.file === file
    ? found.fix
    : { ...found.fix, edits: [], files: [{ path: found.file, edits: found.fix.edits }] };
}

function withoutFile(d: LocatedDiagnostic): Diagnostic {
  const { file: _f, ...rest } = d;
  return rest;
}

function findingKey(file: string, f: Finding): string {
  return [
    file,
    f.check,
    f.span.start,
    f.span.end,
    f.severity,
    f.mode,
    f.container ?? '',
    f.detail,
  ].join('\u0000');
}

/** The suppressions written in a file (comments a build does not carry). */
function suppressionsOf(text: string): Suppression[] {
  if (!text.includes('podsec-ignore')) return [];
  const ranges: Span[] = [];
  for (const d of parseAllDocuments(text)) {
    const c = d.contents as { range?: [number, number, number] } | null;
    if (c?.range) ranges.push({ start: c.range[0], end: d.range[2] });
  }
  return findSuppressions(text, new LineIndex(text), ranges);
}

/**
 * Build and analyse the roots of `graph`, and place what they find.
 * `options.namespaces` are the Namespaces known from files outside the
 * builds; a build's own Namespaces are added to them.
 */
export function evaluateOverlays(
  fs: SourceFs,
  graph: KustomizationGraph,
  options: OverlayOptions = {},
): OverlayEvaluation {
  const nameOf = options.nameOf ?? ((d: string) => d);
  const roots = (options.roots ?? graph.roots).map(normalizePath);
  const { roots: _r, nameOf: _n, helm, advise, proveFixes, ...analyzeOptions } = options;
  const buildOptionsOf = (name: string): BuildOptions => ({
    label: `overlay ${name}`,
    ...(helm ? { helm } : {}),
  });
  const builds: OverlayBuild[] = roots.map((dir) => {
    const name = nameOf(dir);
    return { dir, name, build: buildKustomization(fs, dir, buildOptionsOf(name)), analysis: null };
  });

  const namespaces = new Map<string, NamespaceLabels>(options.namespaces ?? []);
  if (options.namespaceLabels !== false)
    for (const b of builds)
      if (!b.build.error)
        for (const ns of collectNamespaces(b.build.source.text, b.dir, analyzeOptions))
          if (!namespaces.has(ns.name)) namespaces.set(ns.name, ns);

  const files = new Map<string, Analysis>();
  const fileOf = (p: string): Analysis => {
    let a = files.get(p);
    if (!a) {
      a = emptyAnalysis();
      files.set(p, a);
    }
    return a;
  };
  const groups = new Map<string, { file: string; finding: Finding; overlays: string[] }>();
  const diags = new Map<
    string,
    { file: string; d: Diagnostic; overlays: string[]; kind: 'error' | 'note' }
  >();
  const addDiag = (file: string, d: Diagnostic, overlay: string, kind: 'error' | 'note') => {
    const key = `${kind}\u0000${file}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.message}`;
    const g = diags.get(key);
    if (g) {
      if (!g.overlays.includes(overlay)) g.overlays.push(overlay);
    } else diags.set(key, { file, d, overlays: [overlay], kind });
  };
  const workloads: OverlayWorkload[] = [];
  const objects = new Map<string, Set<string>>();
  const covered = new Set<string>();
  const origins = new Map<string, OriginDoc | null>();
  // Fixes an overlay's build with them did not prove (not offered), and the fix of the build
  // each fix of a finding was made from (its title), for the overlays that share the finding.
  const refused = new Set<Fix>();
  const madeFrom = new WeakMap<Fix, string>();
  // Fixes made otherwise than the finding's fix (a JSON 6902 operation taken out or zeroed).
  const reworded = new WeakSet<Fix>();
  const readCached = (file: string): OriginDoc | null => {
    if (!origins.has(file)) origins.set(file, readOrigin(fs, file));
    return origins.get(file) ?? null;
  };

  for (const info of graph.kustomizations.values())
    for (const f of info.files) if (f.role !== 'resource') covered.add(f.path);

  // A kustomization file that cannot be read is no root and builds nothing: its error is still said.
  for (const info of graph.kustomizations.values()) {
    const e = info.error;
    if (!e || builds.some((b) => b.build.error?.file === e.file)) continue;
    addDiag(
      e.file,
      { message: e.message, span: e.span, code: 'kustomize', severity: 'error' },
      nameOf(info.dir),
      'error',
    );
  }
  for (const b of builds) {
    const kfile = graph.kustomizations.get(b.dir)?.file ?? `${b.dir}/kustomization.yaml`;
    for (const n of b.build.notes)
      addDiag(
        n.file,
        { message: n.message, span: n.span, code: 'kustomize', severity: 'information' },
        b.name,
        'note',
      );
    if (b.build.error) {
      const e = b.build.error;
      addDiag(
        e.file,
        { message: e.message, span: e.span, code: 'kustomize', severity: 'error' },
        b.name,
        'error',
      );
      covered.add(kfile);
      continue;
    }
    for (const f of b.build.files) covered.add(f);
    const src = b.build.source;
    // Edited builds of this overlay (a JSON 6902 operation taken out), shared by its fixes.
    const verify: VerifyContext = {
      fs,
      dir: b.dir,
      build: buildOptionsOf(b.name),
      analyze: { ...analyzeOptions, namespaces, file: kfile },
      rebuilt: new Map<string, Finding[] | null>(),
    };
    let generatedDocs: Document.Parsed[] | null = null;
    let originFixes = 0;
    // The fixes this build offers, each with the findings it settles, to be proven by a rebuild.
    const candidates = new Map<Fix, Candidate>();
    const claim = (
      fix: Fix,
      file: string,
      finding: Finding,
      changes: FixChanges | null | undefined,
    ): void => {
      const c = candidates.get(fix);
      if (c) {
        if (!c.claims.includes(finding)) c.claims.push(finding);
        return;
      }
      // A JSON 6902 operation taken out changes the object otherwise than the finding's fix.
      const list = reworded.has(fix) ? undefined : changes?.changes;
      const object = finding.object.document;
      candidates.set(fix, {
        fix,
        file,
        claims: [finding],
        changes: list ? { object, list } : null,
      });
    };
    const fixMemo = new Map<string, { placed?: Fix | null; inOverlay?: Fix | null }>();
    const info = graph.kustomizations.get(b.dir);
    // The overlay's own files (its resources, patches and kustomization file): a fix there is
    // already a fix in this overlay only.
    const ownFiles = new Set((info?.files ?? []).map((f) => f.path));
    if (info?.file) ownFiles.add(info.file);
    const fixesOf = (
      finding: Finding,
      file: string,
      object: BuiltObject | undefined,
      grouped: boolean,
      sharers: readonly Finding[],
      located: LocatedFinding,
    ): { fixes: Fix[]; inOverlay: Fix[] } => {
      const fixes = finding.fixes;
      const none = { fixes: [], inOverlay: [] };
      if (fixes.length === 0) return none;
      const docs = (generatedDocs ??= parseAllDocuments(src.text, { version: '1.1' }));
      const objectFile = object?.source.file;
      const out: Fix[] = [];
      const inOverlay: Fix[] = [];
      for (const f of fixes) {
        // The same fix of the same file (a finding in two modes) is made once per build.
        const key = `${file}\u0000${f.title}\u0000${f.safe}\u0000${JSON.stringify(f.edits)}`;
        const m = fixMemo.get(key) ?? {};
        fixMemo.set(key, m);
        // Each fix at the origin re-reads its object: bounded per build (an alias flood has thousands).
        const bounded = (): boolean =>
          m.placed === undefined && m.inOverlay === undefined && originFixes++ >= MAX_ORIGIN_FIXES;
        if (bounded()) {
          m.placed = placeFixes(src, [f], file)[0] ?? null;
          m.inOverlay = null;
        }
        // What the fix changes in the built object: worked out once, for each place it can go.
        let known: FixChanges | null | undefined;
        const changes = (): FixChanges | null => (known ??= changesOf(src, docs, f));
        // A finding another overlay already placed keeps that overlay's fixes at the origin.
        if (!grouped && m.placed === undefined) {
          const atOrigin = fixAtOrigin(src, docs, f, file, fs, origins, changes());
          let placed = atOrigin ?? placeFixes(src, [f], file)[0] ?? null;
          if (!placed) {
            // A key a JSON 6902 operation adds: removed by taking the operation out.
            const c = changes();
            // The overlay built again with the edit: what lay under the operation must not fail.
            const clears = (x: Fix): boolean => fixClears(verify, sharers, x, file);
            placed = c ? fixInJsonPatch(src, f, c, file, readCached, clears) : null;
            if (placed) reworded.add(placed);
          }
          // A chart's object: the values key its map is printed from (a helmCharts entry).
          if (!placed && object?.rendered && located.valuesKey)
            placed = chartValuesFix(src, located, finding, f, docs, file, fs);
          // A fix in the resource the overlays read is a fix for every overlay that deploys it.
          m.placed =
            placed && file === objectFile && !object?.rendered
              ? { ...placed, title: `${placed.title} in the base` }
              : placed;
          if (placed && m.placed && reworded.has(placed)) reworded.add(m.placed);
        }
        if (m.inOverlay === undefined) {
          m.inOverlay = null;
          // A value from a file of another kustomization (a base, or an overlay this one includes),
          // set there or missing there: also fixable in this overlay alone, the one built.
          if (info && object && !ownFiles.has(file)) {
            const base = object.rendered
              ? null
              : readCached(object.source.file)?.docs[object.source.document];
            const target = object.rendered ?? (base ? targetOf(base) : null);
            const c = target ? changes() : null;
            m.inOverlay =
              target && c
                ? fixInOverlay(f, c, { fs, root: info, name: b.name, target, read: readCached })
                : null;
          }
        }
        if (!grouped && m.placed) {
          madeFrom.set(m.placed, f.title);
          claim(m.placed, file, finding, known);
          out.push(m.placed);
        }
        if (m.inOverlay) {
          claim(m.inOverlay, file, finding, known);
          inOverlay.push(m.inOverlay);
        }
      }
      return { fixes: out, inOverlay };
    };
    const ev = evaluateGenerated(src, {
      // The values keys of chart objects (helmCharts), for their fixes.
      valuesKeys: b.build.objects.some((o) => o.rendered),
      analyze: { ...analyzeOptions, namespaces, file: kfile },
      fallbackFile: kfile,
      readText: (f) => fs.readText(f),
    });
    const analysis = ev.analysis;
    b.analysis = analysis;
    verify.original = analysis.findings;
    // The findings of this build at one place (a JSON 6902 operation over many objects).
    const placeKey = (file: string, f: Finding): string =>
      `${file}\u0000${f.check}\u0000${f.path}\u0000${f.span.start}`;
    const samePlace = new Map<string, Finding[]>();
    ev.findings.forEach((located, i) => {
      const original = analysis.findings[i] as Finding;
      const k = placeKey(located.file, { ...original, span: located.span });
      const list = samePlace.get(k) ?? [];
      list.push(original);
      samePlace.set(k, list);
    });
    ev.findings.forEach((located, i) => {
      // The project layer names the rendered object in its message; overlays name the overlay instead.
      const original = analysis.findings[i] as Finding;
      const {
        file,
        generatedSpan: _g,
        origin,
        rendered: _r,
        producer: _p,
        valuesKey: _v,
        ...rest
      } = located;
      const document =
        origin?.kind === 'value' && origin.document !== undefined
          ? origin.document
          : rest.object.document;
      const placedFinding: Finding = {
        ...rest,
        message: original.message,
        object: { ...rest.object, document },
        fixes: [],
      };
      const key = findingKey(file, placedFinding);
      const g = groups.get(key);
      const fixes = fixesOf(
        original,
        file,
        b.build.objects[original.object.document],
        g !== undefined,
        samePlace.get(placeKey(file, { ...original, span: located.span })) ?? [original],
        located,
      );
      const finding: Finding = { ...placedFinding, fixes: [...fixes.fixes, ...fixes.inOverlay] };
      if (g) {
        if (!g.overlays.includes(b.name)) g.overlays.push(b.name);
        // The fixes every overlay shares are proven in this overlay's build too.
        for (const x of g.finding.fixes) {
          const from = madeFrom.get(x);
          const own = from === undefined ? undefined : original.fixes.find((y) => y.title === from);
          if (!own) continue;
          const docs = (generatedDocs ??= parseAllDocuments(src.text, { version: '1.1' }));
          claim(x, file, original, changesOf(src, docs, own));
        }
        // Each overlay adds its own "in overlay" fixes, after the fixes for every overlay.
        for (const x of fixes.inOverlay)
          if (!g.finding.fixes.some((y) => y.title === x.title)) g.finding.fixes.push(x);
      } else groups.set(key, { file, finding, overlays: [b.name] });
    });
    if (proveFixes === true) {
      const proof = proveCandidates(verify, b.build, analysis.findings, [...candidates.values()]);
      for (const x of candidates.keys()) if (!proof.proven.has(x)) refused.add(x);
      b.proofs = {
        builds: proof.builds,
        proven: proof.proven.size,
        refused: candidates.size - proof.proven.size,
      };
    }
    for (const d of ev.errors) addDiag(d.file, withoutFile(d), b.name, 'error');
    for (const d of ev.notes) addDiag(d.file, withoutFile(d), b.name, 'note');
    // The level advisor over the build, once per policy version its workloads have.
    const adviceAt = new Map<string, Map<string, WorkloadAdvice>>();
    const adviceOf = (
      w: WorkloadSummary,
      version = w.policy.version,
    ): WorkloadAdvice | undefined => {
      let m = adviceAt.get(version);
      if (!m) {
        const list = adviseText(src.text, {
          version,
          fixOutlook: false,
          file: kfile,
          maxFileBytes: analyzeOptions.maxFileBytes,
          maxAliasCount: analyzeOptions.maxAliasCount,
        });
        m = new Map(list.map((a) => [`${a.object.document}:${a.object.item}`, a]));
        adviceAt.set(version, m);
      }
      return m.get(`${w.object.document}:${w.object.item}`);
    };
    for (const w of analysis.workloads) {
      const advice = advise ? adviceOf(w) : undefined;
      // A pinned version older than the latest: also the level at the latest, for the what-if.
      const pinned = advice && evaluatedMinor(w.policy.version) < evaluatedMinor('latest');
      const atLatest = pinned ? adviceOf(w, 'latest') : undefined;
      const obj = b.build.objects[w.object.document];
      const file = obj?.source.file ?? kfile;
      const head = placeSpan(src, w.headSpan, kfile);
      const span = obj ? { start: obj.source.start, end: obj.source.end } : { start: 0, end: 0 };
      const mine = analysis.findings.filter(
        (f) =>
          f.object.document === w.object.document &&
          f.object.item === w.object.item &&
          f.family !== 'hardening',
      );
      workloads.push({
        overlay: b.name,
        file,
        rejected: mine.filter((f) => f.mode === 'enforce').length,
        warned: mine.filter((f) => f.mode === 'warn').length,
        ...(advice ? { met: advice.level, toNext: advice.blockers.length } : {}),
        ...(atLatest ? { metLatest: atLatest.level } : {}),
        summary: {
          ...w,
          object: { ...w.object, document: obj?.source.document ?? w.object.document },
          span,
          headSpan: head.file === file ? head.span : span,
          podSpecSpan: null,
        },
      });
    }
    for (const o of b.build.objects) {
      const s = objects.get(o.source.file) ?? new Set<string>();
      s.add(String(o.source.document));
      objects.set(o.source.file, s);
    }
  }

  // Suppressions are comments in the files the user edits; a build carries none.
  const sups = new Map<string, Suppression[]>();
  const supsOf = (file: string): Suppression[] => {
    let s = sups.get(file);
    if (!s) {
      s = suppressionsOf(fs.readText(file) ?? '');
      sups.set(file, s);
    }
    return s;
  };
  for (const g of groups.values()) {
    const f = { ...g.finding, fixes: g.finding.fixes.filter((x) => !refused.has(x)) };
    const placed: Finding = {
      ...f,
      message: `${f.message} ${overlayPhrase(g.overlays)}`,
      context: [...(f.context ?? []), overlayPhrase(g.overlays)],
      overlays: g.overlays,
    };
    // A suppressed finding is kept as such: admission reads no comments, the build still fails it.
    const silencer = suppressedBy(supsOf(g.file), g.finding.check, g.finding.span.start);
    if (silencer) {
      const a = fileOf(g.file);
      (a.suppressed ??= []).push({
        ...placed,
        suppression: {
          kind: silencer.form ?? 'comment',
          justification: silencer.reason,
          span: silencer.span,
        },
      });
    } else fileOf(g.file).findings.push(placed);
  }
  for (const g of diags.values()) {
    const label = g.overlays.length === 1 ? 'overlay' : 'overlays';
    const d = {
      ...g.d,
      message: `${g.d.message} (${label} ${g.overlays.join(', ')})`,
    };
    if (g.kind === 'error') fileOf(g.file).errors.push(d);
    else fileOf(g.file).notes.push(d);
  }
  for (const w of workloads) {
    const a = fileOf(w.file);
    if (!a.workloads.some((x) => x.span.start === w.summary.span.start))
      a.workloads.push(w.summary);
    const s = w.summary;
    (a.overlayWorkloads ??= []).push({
      overlay: w.overlay,
      kind: s.object.kind,
      name: s.object.name,
      namespace: s.object.namespace,
      span: s.span,
      headSpan: s.headSpan,
      policy: s.policy,
      policySource: s.policySource,
      rejected: w.rejected,
      warned: w.warned,
      ...(w.met !== undefined ? { met: w.met, toNext: w.toNext ?? 0 } : {}),
    });
  }
  for (const [file, docs] of objects) fileOf(file).objects = docs.size;
  for (const a of files.values()) {
    a.findings.sort((x, y) => x.span.start - y.span.start || x.check.localeCompare(y.check));
    a.errors.sort((x, y) => x.span.start - y.span.start);
    a.notes.sort((x, y) => x.span.start - y.span.start);
  }
  return { builds, files, covered, workloads };
}
