/**
 * windowsHostProcess (baseline, v1.0)
 * Windows pods offer the ability to run HostProcess containers which enables privileged access
 * to the Windows host; it must be disallowed.
 * Fields: spec.securityContext.windowsOptions.hostProcess,
 * containers[*].securityContext.windowsOptions.hostProcess. Allowed: absent, false.
 */
import type { CheckDefinition, Problem } from './shared/api';
import { containersPhrase, removeAt, settersPhrase } from './shared/api';

const render = (setters: string): string =>
  `${setters} must not set securityContext.windowsOptions.hostProcess=true`;

export const windowsHostProcess: CheckDefinition = {
  id: 'windowsHostProcess',
  level: 'baseline',
  title: 'HostProcess',
  allowed: 'windowsOptions.hostProcess absent or false',
  fields: [
    'spec.securityContext.windowsOptions.hostProcess',
    'spec.containers[*].securityContext.windowsOptions.hostProcess',
  ],
  variants: [
    {
      name: 'windowsHostProcess_1_0',
      minVersion: 0,
      evaluate(pod) {
        const problems: Problem[] = [];
        const f = pod.podSC.get('windowsOptions').get('hostProcess');
        const podBad = f.bool() === true;
        if (podBad) {
          problems.push({
            container: null,
            span: f.span,
            path: f.path,
            detail: render('pod'),
            fix: { title: 'Remove hostProcess: true', safe: false, ops: removeAt(f) },
          });
        }
        const names: string[] = [];
        for (const c of pod.containers) {
          const cf = c.sc.get('windowsOptions').get('hostProcess');
          if (cf.bool() !== true) continue;
          names.push(c.name);
          problems.push({
            container: c.name,
            span: cf.span,
            path: cf.path,
            detail: render(containersPhrase([c.name])),
            fix: { title: 'Remove hostProcess: true', safe: false, ops: removeAt(cf) },
          });
        }
        if (problems.length === 0) return null;
        return { reason: 'hostProcess', detail: render(settersPhrase(podBad, names)), problems };
      },
    },
  ],
};
