/**
 * The cluster's admission configuration the workspace holds, found by the
 * language server itself, with the command line's rules (findAdmissionConfigs,
 * chooseAdmissionConfig): an `AdmissionConfiguration` with a `PodSecurity`
 * plugin entry or a bare `PodSecurityConfiguration`, first documents only, a
 * `PodSecurityConfiguration` another one points to with `path` being part of
 * that one. Exactly one found: it applies wherever no `.podsec.yaml` names
 * one. Several: none applies, and a warning names them.
 *
 * Owns: the candidate files (those whose text names either kind), with their
 * text on disk (the workspace scan and watch events) or in an open editor
 * (which wins, so an edit applies before it is saved), and the parsed
 * configuration of the one found. Tells its listeners only when what applies
 * changed: the files found, or the defaults and exemptions of the one used.
 * Also gives an open admission configuration its own diagnostics: upstream's
 * validation messages at the offending entry, and the warning when several
 * were found.
 *
 * A file the workspace leaves out (`excluded`: `podsec.exclude` or the
 * `exclude` of its `.podsec.yaml`, or a folder the scan never enters, such
 * as node_modules) is no candidate, whether on disk or open. Whether a file
 * is left out is asked once, when it first becomes a candidate (it counts
 * only once answered), and again for every candidate when the settings
 * change (`settingsChanged`); its text changing does not ask again.
 */
import { resolve } from 'node:path';
import type { Diagnostic as EngineDiagnostic } from '../engine';
import {
  chooseAdmissionConfig,
  findAdmissionConfigs,
  parseAdmissionConfig,
} from '../engine/config/index';
import type {
  AdmissionConfig,
  AdmissionReader,
  FoundAdmissionConfig,
} from '../engine/config/index';
import { DiskConfigReader, slashPath } from '../diskConfig';

/** Whether a text can be an admission configuration at all (the cheap test before parsing). */
const mayBeAdmission = (text: string): boolean =>
  text.includes('AdmissionConfiguration') || text.includes('PodSecurityConfiguration');

/** Whether the workspace leaves a file out (its settings' exclude, the folders the scan skips). */
export type AdmissionExclusion = (file: string) => Promise<boolean>;

export class WorkspaceAdmission {
  private readonly disk = new Map<string, string>();
  private readonly open = new Map<string, string>();
  /** Each candidate's answer to `excluded` (true: left out); absent until answered. */
  private readonly left = new Map<string, boolean>();
  /** The latest question asked for each file: an older answer is dropped. */
  private readonly asked = new Map<string, number>();
  private questions = 0;
  private found: FoundAdmissionConfig[] = [];
  private config: AdmissionConfig | null = null;
  private key = '';
  private readonly listeners: Array<() => void> = [];
  /** Changes of what applies so far (analyses are cached per epoch). */
  epoch = 0;
  /** Times the candidates were looked through again (tests bound the work with it). */
  recomputations = 0;

  constructor(
    private readonly reader: AdmissionReader = new DiskConfigReader(),
    /** What the workspace leaves out; without it, every candidate counts. */
    private readonly excluded: AdmissionExclusion | null = null,
  ) {}

  /** Calls `listener` when the configuration that applies (or the warning) changed. */
  onDidChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** A YAML file's text on disk as scanned or changed (null: gone, or no longer read). */
  diskText(file: string, text: string | null): void {
    const f = slashPath(file);
    const was = this.disk.has(f);
    if (text !== null && mayBeAdmission(text)) this.disk.set(f, text);
    else this.disk.delete(f);
    if (was || this.disk.has(f)) this.candidateChanged(f);
  }

  /** An open document's current text (null: closed, the disk's text counts again). */
  documentText(file: string, text: string | null): void {
    const f = slashPath(file);
    const was = this.open.has(f);
    if (text !== null && mayBeAdmission(text)) this.open.set(f, text);
    else this.open.delete(f);
    if (was || this.open.has(f)) this.candidateChanged(f);
  }

  /** The settings changed (`podsec.exclude`, a `.podsec.yaml`): ask again for every candidate. */
  settingsChanged(): void {
    if (!this.excluded) return;
    for (const f of new Set([...this.disk.keys(), ...this.open.keys()])) this.ask(f);
  }

  /** The workspace folders changed: files outside every folder no longer count. */
  retainUnder(folders: readonly string[]): void {
    const roots = folders.map((d) => `${slashPath(d).replace(/\/+$/, '')}/`);
    let dropped = false;
    for (const f of [...this.disk.keys()]) {
      if (roots.some((r) => f.startsWith(r))) continue;
      this.disk.delete(f);
      if (!this.open.has(f)) this.forget(f);
      dropped = true;
    }
    if (dropped) this.update();
  }

  /** The one admission configuration of the workspace, or null (none, or several). */
  discovered(): AdmissionConfig | null {
    return this.config;
  }

  /** The files found, in path order. */
  files(): string[] {
    return this.found.map((f) => f.file);
  }

  /** The warning when several were found (and so none is used), else null. */
  note(): string | null {
    return chooseAdmissionConfig(null, this.found).note;
  }

  /**
   * An open document's own diagnostics when it is an admission configuration
   * (found in the workspace or not): upstream's validation at each entry,
   * and the warning when it is one of several found.
   */
  diagnosticsFor(file: string, text: string): EngineDiagnostic[] {
    if (!mayBeAdmission(text)) return [];
    const f = slashPath(file);
    if (findAdmissionConfigs([{ path: f, text }]).length === 0) return [];
    const parsed = parseAdmissionConfig(text, f, this.readerWithOpen());
    const out: EngineDiagnostic[] = parsed.diagnostics
      .filter((d) => d.file === f)
      .map((d) => ({
        // upstream's messages already name their field.
        message: d.message,
        span: d.span,
        code: d.code === 'yaml' ? 'yaml' : 'schema',
        severity: d.severity,
      }));
    const note = this.note();
    if (note !== null && this.files().includes(f)) {
      out.push({ message: note, span: { start: 0, end: 0 }, code: 'policy', severity: 'warning' });
    }
    return out;
  }

  /** A file's text changed, or it became or stopped being a candidate. */
  private candidateChanged(f: string): void {
    if (!this.disk.has(f) && !this.open.has(f)) this.forget(f);
    else if (this.excluded && !this.left.has(f)) {
      // Not counted until the workspace says whether it leaves the file out.
      if (!this.asked.has(f)) this.ask(f);
      return;
    }
    this.update();
  }

  private forget(f: string): void {
    this.left.delete(f);
    this.asked.delete(f);
  }

  /** Asks whether the workspace leaves `f` out; the answer counts if it is the latest asked. */
  private ask(f: string): void {
    const excluded = this.excluded;
    if (!excluded) return;
    const question = ++this.questions;
    this.asked.set(f, question);
    const answer = (out: boolean): void => {
      if (this.asked.get(f) !== question) return; // asked again since, or no longer a candidate
      const was = this.left.get(f);
      this.left.set(f, out);
      if (was !== out) this.update();
    };
    // A failed question (a settings request that failed) leaves nothing out.
    excluded(f).then(answer, () => answer(false));
  }

  /** The texts the candidates have now (those the workspace does not leave out): an open editor's over the disk's. */
  private texts(): Map<string, string> {
    const m = new Map<string, string>();
    const counts = (f: string): boolean => !this.excluded || this.left.get(f) === false;
    for (const [f, t] of this.disk) if (counts(f)) m.set(f, t);
    for (const [f, t] of this.open) if (counts(f)) m.set(f, t);
    return m;
  }

  /** The disk, except that open documents are read as the editor has them. */
  private readerWithOpen(): AdmissionReader {
    return {
      readText: (p: string) => this.open.get(slashPath(resolve(p))) ?? this.reader.readText(p),
    };
  }

  private update(): void {
    this.recomputations++;
    const texts = this.texts();
    this.found = findAdmissionConfigs(texts);
    const choice = chooseAdmissionConfig(null, this.found);
    const file = choice.file;
    this.config =
      file === null
        ? null
        : parseAdmissionConfig(texts.get(file) ?? '', file, this.readerWithOpen());
    const c = this.config;
    const key = JSON.stringify([
      this.files(),
      c ? [c.file, c.files, c.defaults, c.exemptions, c.diagnostics] : null,
    ]);
    if (key === this.key) return;
    this.key = key;
    this.epoch++;
    for (const l of this.listeners) l();
  }
}
