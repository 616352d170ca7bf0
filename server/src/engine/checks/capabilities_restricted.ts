/**
 * capabilities_restricted (restricted, v1.22; Windows pods exempt from v1.25)
 * Containers must drop ALL capabilities, and may only add back NET_BIND_SERVICE.
 * Fields: containers[*].securityContext.capabilities.drop and .add.
 */
import type { PodView } from '../podView';
import type { CheckDefinition, Outcome, Problem } from './shared/api';
import {
  appendInContainer,
  containersPhrase,
  forbiddenAddedCapabilities,
  quotedSet,
} from './shared/api';

function evaluate(pod: PodView, skipWindows: boolean): Outcome | null {
  if (skipWindows && pod.isWindows) return null;
  const noDrop: string[] = [];
  const badAdd: string[] = [];
  const caps: string[] = [];
  const problems: Problem[] = [];
  for (const c of pod.containers) {
    const capsCur = c.sc.get('capabilities');
    const drop = capsCur.get('drop');
    const dropsAll = drop.items().some((i) => i.str() === 'ALL');
    if (!dropsAll) {
      noDrop.push(c.name);
      const at = drop.node !== null ? drop : capsCur.node !== null ? capsCur : null;
      problems.push({
        container: c.name,
        span: at ? at.keySpan : pod.containerAnchor(c),
        path: drop.path,
        detail: `${containersPhrase([c.name])} must set securityContext.capabilities.drop=["ALL"]`,
        fix: {
          title: 'Drop ALL capabilities',
          safe: true,
          ops: appendInContainer(c, ['securityContext', 'capabilities', 'drop'], 'ALL'),
        },
      });
    }
    const bad = forbiddenAddedCapabilities(
      c.name,
      capsCur.get('add'),
      (cap) => cap === 'NET_BIND_SERVICE',
    );
    if (bad.length > 0) badAdd.push(c.name);
    for (const b of bad) {
      caps.push(b.cap);
      problems.push(b.problem);
    }
  }
  if (problems.length === 0) return null;
  const parts: string[] = [];
  if (noDrop.length > 0) {
    parts.push(`${containersPhrase(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (badAdd.length > 0) {
    parts.push(
      `${containersPhrase(badAdd)} must not include ${quotedSet(caps)} in securityContext.capabilities.add`,
    );
  }
  return { reason: 'unrestricted capabilities', detail: parts.join('; '), problems };
}

export const capabilities_restricted: CheckDefinition = {
  id: 'capabilities_restricted',
  level: 'restricted',
  title: 'Capabilities (restricted)',
  allowed: 'capabilities.drop contains "ALL"; capabilities.add only NET_BIND_SERVICE',
  fields: [
    'spec.containers[*].securityContext.capabilities.drop',
    'spec.containers[*].securityContext.capabilities.add',
  ],
  variants: [
    {
      name: 'capabilitiesRestricted_1_22',
      minVersion: 22,
      overrides: ['capabilities_baseline'],
      evaluate: (pod) => evaluate(pod, false),
    },
    {
      name: 'capabilitiesRestricted_1_25',
      minVersion: 25,
      overrides: ['capabilities_baseline'],
      evaluate: (pod) => evaluate(pod, true),
    },
  ],
};
