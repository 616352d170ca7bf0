/**
 * Document URIs and the file keys the engine and the Namespace index use: the
 * path for file: URIs, the URI itself for anything else (untitled, virtual).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A document's file key: its path for file: URIs, else the URI itself. */
export function fileKey(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}

/** A file key (absolute path or URI) as a URI. */
export function toUri(file: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(file)) return file;
  return pathToFileURL(file).href;
}
