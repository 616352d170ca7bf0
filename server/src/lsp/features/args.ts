/**
 * Command arguments as they arrive from a client (any JSON): checked against
 * the protocol's types before anything acts on them.
 */
import { isLevel, isVersion } from '../../engine';
import type { ChartFixTarget, FixAllCommandArgs, FixToLevelArgs } from '../protocol';

function isVersioned(v: unknown): v is { uri: string; version: number } & Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as { uri?: unknown; version?: unknown };
  return typeof a.uri === 'string' && typeof a.version === 'number';
}

export function isFixAllArgs(v: unknown): v is FixAllCommandArgs {
  return (
    isVersioned(v) &&
    (v.scope === 'file' || (v.scope === 'workload' && typeof v.offset === 'number'))
  );
}

export function isFixToLevelArgs(v: unknown): v is FixToLevelArgs {
  return (
    isVersioned(v) &&
    typeof v.offset === 'number' &&
    isLevel(v.level) &&
    typeof v.policyVersion === 'string' &&
    isVersion(v.policyVersion) &&
    (v.chart === undefined || isChartFixTarget(v.chart)) &&
    (!('inOverlays' in v) || typeof v.inOverlays === 'boolean')
  );
}

const nameOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

function isChartFixTarget(v: unknown): v is ChartFixTarget {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return (
    typeof t.valueSet === 'string' &&
    typeof t.kind === 'string' &&
    nameOrNull(t.name) &&
    nameOrNull(t.namespace) &&
    nameOrNull(t.source)
  );
}

/** The document a `podsec.fixAllInFile` argument names: a URI, or an object with `uri`. */
export function uriArgument(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'uri' in v) return String(v.uri);
  return undefined;
}
