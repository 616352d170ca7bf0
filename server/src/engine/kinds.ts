/**
 * Which kinds the engine reads: the union of what each check and view
 * declares beside its own code. A document of any other kind (a
 * CustomResourceDefinition, a ConfigMap, a Service) is skimmed from the
 * parser's token stream instead of composed (decode/skim.ts), when that is
 * known to give the same errors. A new check or view that reads a kind adds
 * its reader here; nothing else needs to know.
 */
import { HARDENING_READER } from './hardening/kinds';
import { LIST_READER, NAMESPACE_READER } from './objects';
import { PSP_READER } from './psp';
import type { KindReader } from './types';
import { WORKLOAD_READER } from './workloads';

export const KIND_READERS: readonly KindReader[] = [
  WORKLOAD_READER,
  LIST_READER,
  NAMESPACE_READER,
  PSP_READER,
  HARDENING_READER,
];

/** Whether no check or view reads documents of this kind. */
export function unreadKind(apiVersion: string, kind: string): boolean {
  return !KIND_READERS.some((r) => r.reads(apiVersion, kind));
}
