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

export class WorkspaceAdmission {
  private readonly disk = new Map<string, string>();
  private readonly open = new Map<string, string>();
  private found: FoundAdmissionConfig[] = [];
  private config: AdmissionConfig | null = null;
  private key = '';
  private readonly listeners: Array<() => void> = [];
  /** Changes of what applies so far (analyses are cached per epoch). */
  epoch = 0;
  /** Times the candidates were looked through again (tests bound the work with it). */
  recomputations = 0;

  constructor(private readonly reader: AdmissionReader = new DiskConfigReader()) {}

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
    if (was || this.disk.has(f)) this.update();
  }

  /** An open document's current text (null: closed, the disk's text counts again). */
  documentText(file: string, text: string | null): void {
    const f = slashPath(file);
    const was = this.open.has(f);
    if (text !== null && mayBeAdmission(text)) this.open.set(f, text);
    else this.open.delete(f);
    if (was || this.open.has(f)) this.update();
  }

  /** The workspace folders changed: files outside every folder no longer count. */
  retainUnder(folders: readonly string[]): void {
    const roots = folders.map((d) => `${slashPath(d).replace(/\/+$/, '')}/`);
    let dropped = false;
    for (const f of [...this.disk.keys()]) {
      if (roots.some((r) => f.startsWith(r))) continue;
      this.disk.delete(f);
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

  /** The texts the candidates have now: an open editor's over the disk's. */
  private texts(): Map<string, string> {
    const m = new Map(this.disk);
    for (const [f, t] of this.open) m.set(f, t);
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
