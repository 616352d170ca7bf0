/**
 * YAML text into value trees, with kustomize's reading rules and the
 * engine's bounds (nesting depth, expanded size).
 */
import { parseDocs } from '../parse';
import { KustomizeFailure } from './errors';
import { DuplicateKeyError, readDocument, TreeLimitError } from './tree';
import type { KNode, TextSource } from './tree';

export interface YamlReadOptions {
  yaml11: boolean;
  /** Duplicate keys are errors (resources) or the last one wins (kustomization files). */
  uniqueKeys: boolean;
  maxNodes: number;
  maxDepth: number;
}

/** The documents of a text (null for empty documents); a syntax error throws a `yaml` failure. */
export function readYamlDocuments(
  text: string,
  src: TextSource,
  o: YamlReadOptions,
): Array<KNode | null> {
  const parsed = parseDocs(text, o.maxDepth);
  const map = src.map ?? ((x: number) => x);
  for (const e of parsed.errors) {
    // Duplicate keys are found while reading the tree, where both keys' places are known.
    if (/Map keys must be unique/.test(e.message)) continue;
    throw new KustomizeFailure(
      e.code === 'limit' ? 'limit' : 'yaml',
      `MalformedYAMLError: ${e.message} in File: ${src.file}`,
      src.file,
      {
        start: map(e.span.start),
        end: map(e.span.end),
      },
    );
  }
  const out: Array<KNode | null> = [];
  parsed.docs.forEach((doc, i) => {
    try {
      out.push(readDocument(doc, src, src.document ?? i, o));
    } catch (e) {
      if (e instanceof TreeLimitError)
        throw new KustomizeFailure('limit', e.message, src.file, { start: e.start, end: e.end });
      if (e instanceof DuplicateKeyError) {
        const line = (off: number): number => {
          let n = 1;
          const t = src.map ? '' : text;
          for (let i = 0; i < off && i < t.length; i++) if (t.charCodeAt(i) === 10) n++;
          return n;
        };
        throw new KustomizeFailure(
          'yaml',
          `map[string]interface {}(nil): yaml: unmarshal errors:\n  line ${line(e.start)}: mapping key ${JSON.stringify(e.key)} already defined at line ${line(e.firstStart)}`,
          src.file,
          { start: e.start, end: e.end },
          true,
        );
      }
      throw e;
    }
  });
  return out;
}
