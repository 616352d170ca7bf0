/**
 * hostPathVolumes (baseline, v1.0; replaced by restrictedVolumes at restricted)
 * HostPath volumes must be forbidden.
 * Field: spec.volumes[*].hostPath. Allowed: absent.
 */
import type { CheckDefinition, Problem } from './shared/api';
import { pluralize, quote } from './shared/api';

export const hostPathVolumes: CheckDefinition = {
  id: 'hostPathVolumes',
  level: 'baseline',
  title: 'HostPath volumes',
  allowed: 'no volume with a hostPath source',
  fields: ['spec.volumes[*].hostPath'],
  variants: [
    {
      name: 'hostPathVolumes_1_0',
      minVersion: 0,
      evaluate(pod) {
        const names: string[] = [];
        const problems: Problem[] = [];
        for (const v of pod.spec.get('volumes').items()) {
          if (!v.get('hostPath').present) continue;
          const name = v.get('name').str() ?? '';
          names.push(name);
          problems.push({
            container: null,
            span: v.span,
            path: v.path,
            detail: `volume ${quote(name)}`,
          });
        }
        if (names.length === 0) return null;
        return {
          reason: 'hostPath volumes',
          detail: `${pluralize('volume', 'volumes', names.length)} ${names.map(quote).join(', ')}`,
          problems,
        };
      },
    },
  ],
};
