/**
 * Finding the cluster's admission configuration among a workspace's YAML
 * files, for when none is named: an `AdmissionConfiguration` with a
 * `PodSecurity` plugin entry, or a bare `PodSecurityConfiguration`. As the
 * API server reads only a file's first document, only first documents count.
 * A `PodSecurityConfiguration` that a found `AdmissionConfiguration` points
 * to with `path` is part of that one, not another.
 */
import { parseAdmissionConfig } from './admission';
import type { AdmissionReader } from './admission';
import { goYamlType, readYaml } from './yamlRead';

export interface FoundAdmissionConfig {
  file: string;
  kind: 'AdmissionConfiguration' | 'PodSecurityConfiguration';
  /** For an AdmissionConfiguration whose PodSecurity entry has a `path`: the file it names. */
  points: string | null;
}

/** The admission configurations among `texts` (path → text), in path order. */
export function findAdmissionConfigs(
  texts: ReadonlyMap<string, string> | ReadonlyArray<{ path: string; text: string }>,
): FoundAdmissionConfig[] {
  const entries: Array<[string, string]> =
    texts instanceof Map
      ? [...(texts as ReadonlyMap<string, string>).entries()]
      : (texts as ReadonlyArray<{ path: string; text: string }>).map((t) => [t.path, t.text]);
  const found: FoundAdmissionConfig[] = [];
  for (const [file, text] of entries) {
    // Cheap filter first: most YAML files are neither.
    if (!text.includes('AdmissionConfiguration') && !text.includes('PodSecurityConfiguration'))
      continue;
    const read = readYaml(text);
    const root = read.root;
    if (!root || root.type !== 'map') continue;
    const kindNode = root.pairs.find((p) => p.key === 'kind')?.value;
    if (!kindNode || kindNode.type !== 'scalar' || goYamlType(kindNode) !== 'string') continue;
    const kind = String(kindNode.value);
    if (kind === 'PodSecurityConfiguration') {
      found.push({ file, kind, points: null });
    } else if (kind === 'AdmissionConfiguration') {
      const plugins = root.pairs.find((p) => p.key === 'plugins')?.value;
      if (!plugins || plugins.type !== 'seq') continue;
      const entry = plugins.items.find(
        (i) =>
          i.type === 'map' &&
          i.pairs.some(
            (p) => p.key === 'name' && p.value.type === 'scalar' && p.value.value === 'PodSecurity',
          ),
      );
      if (!entry) continue;
      // The path it points to, resolved as the API server does (the reader is not needed for that).
      const none: AdmissionReader = { readText: () => null };
      const parsed = parseAdmissionConfig(text, file, none);
      found.push({ file, kind, points: parsed.source === 'path' ? parsed.podSecurityFile : null });
    }
  }
  found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const pointed = new Set(found.map((f) => f.points).filter((p): p is string => p !== null));
  return found.filter((f) => !(f.kind === 'PodSecurityConfiguration' && pointed.has(f.file)));
}

export interface AdmissionChoice {
  /** The file to use, or null (built-in defaults). */
  file: string | null;
  /** How it was chosen. */
  reason: 'named' | 'discovered' | 'none' | 'ambiguous';
  /** A note to show (several found and none named), or null. */
  note: string | null;
}

/**
 * Which admission configuration applies: the named one (`admissionConfiguration`
 * in `.podsec.yaml`, or `--admission-config`); else the only one found; else
 * none, with a note when several were found.
 */
export function chooseAdmissionConfig(
  named: string | null,
  found: readonly FoundAdmissionConfig[],
): AdmissionChoice {
  if (named !== null) return { file: named, reason: 'named', note: null };
  if (found.length === 1) return { file: found[0]?.file ?? null, reason: 'discovered', note: null };
  if (found.length === 0) return { file: null, reason: 'none', note: null };
  return {
    file: null,
    reason: 'ambiguous',
    note: `${found.length} admission configurations found (${found.map((f) => f.file).join(', ')}): none is used. Name one with admissionConfiguration in .podsec.yaml (or --admission-config).`,
  };
}
