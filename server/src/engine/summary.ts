/**
 * The short form of a finding: one sentence that names the workload and the
 * container and leads with what to do, e.g.
 * `Deployment frontend, container server: set securityContext.seccompProfile.type to RuntimeDefault or Localhost`.
 * The editor's diagnostics and the command line's text output show it;
 * upstream's wording (what `kubectl` warns) and the field path stay in
 * `Finding.message`, the hover, JSON `message` and SARIF.
 *
 * The action is read from the problem's own detail (upstream's phrase for
 * this one field), so it names the same values: the capability, the port,
 * the volume, the sysctl.
 */
import { clip } from './text';
import type { Finding } from './types';

/**
 * Names (workload, container, volume) are cut to this many characters in the
 * short form, so that a long name cannot push the common messages much past
 * 100 characters; the hover, JSON and SARIF keep the whole name.
 */
export const SUMMARY_NAME_MAX = 24;

function name(s: string): string {
  return clip(s, SUMMARY_NAME_MAX);
}

/** `"a", "b"` → `a, b`: upstream quotes values; the short form does not (and cuts long ones). */
function unquote(s: string): string {
  return s.replace(/"([^"]*)"/g, (_, v: string) => name(v));
}

/** The part of a detail after its setters (`pod or container "a" must set …` → `must set …`). */
function predicate(detail: string): string {
  const m = /\b(must (?:not )?(?:set|include)\b.*|set forbidden\b.*|uses?\b.*)$/.exec(detail);
  return m ? m[1]! : detail;
}

/** What to do about one problem, from its check and detail; empty for findings that are not checks. */
function action(f: Pick<Finding, 'check' | 'detail' | 'path' | 'family' | 'message'>): string {
  const d = f.detail;
  // The hardening checks give their action as the detail (their message is the whole story).
  if (f.family === 'hardening') return d === f.message ? '' : d;
  const p = predicate(d);
  let m: RegExpExecArray | null;
  switch (f.check) {
    case 'allowPrivilegeEscalation':
      return 'set securityContext.allowPrivilegeEscalation to false';
    case 'capabilities_baseline':
    case 'capabilities_restricted':
      if ((m = /must not include (.+) in securityContext\.capabilities\.add/.exec(p))) {
        return `remove ${unquote(m[1]!)} from securityContext.capabilities.add`;
      }
      return 'set securityContext.capabilities.drop to [ALL]';
    case 'hostNamespaces':
      if ((m = /^(host\w+)=true$/.exec(d))) return `remove ${m[1]}: true`;
      return 'remove hostNetwork, hostPID and hostIPC';
    case 'hostPathVolumes':
      if ((m = /^volumes? (.+)$/.exec(d))) return `remove hostPath volume ${unquote(m[1]!)}`;
      return 'remove the hostPath volumes';
    case 'restrictedVolumes':
      if ((m = /^volumes? (.+?) uses? restricted volume types? (.+)$/.exec(d))) {
        return `replace volume ${unquote(m[1]!)} (type ${unquote(m[2]!)} is not allowed)`;
      }
      return 'use only the allowed volume types';
    case 'hostPorts':
      if ((m = /uses? hostPorts? (.+)$/.exec(p))) return `remove hostPort ${m[1]}`;
      return 'remove the hostPort';
    case 'hostProbesAndHostLifecycle':
      if ((m = /hosts? (.+)$/.exec(p))) {
        return `remove host ${unquote(m[1]!)} from the probe or lifecycle handler`;
      }
      return 'remove the host of the probe or lifecycle handler';
    case 'privileged':
      return 'set securityContext.privileged to false';
    case 'procMount':
    case 'procMount_restricted':
      return 'set securityContext.procMount to Default';
    case 'seLinuxOptions':
      if ((m = /types? (.+?)(?:;|$)/.exec(p))) {
        return `remove securityContext.seLinuxOptions.type ${unquote(m[1]!)}`;
      }
      if (/user may not be set/.test(p)) return 'remove securityContext.seLinuxOptions.user';
      if (/role may not be set/.test(p)) return 'remove securityContext.seLinuxOptions.role';
      return 'remove the forbidden securityContext.seLinuxOptions';
    case 'seccompProfile_baseline':
      if ((m = /^forbidden annotations? ([^=]+)=/.exec(d))) {
        return `set annotation ${m[1]} to runtime/default`;
      }
      if ((m = /to (.+)$/.exec(p))) {
        return `set securityContext.seccompProfile.type to RuntimeDefault, not ${unquote(m[1]!)}`;
      }
      return 'set securityContext.seccompProfile.type to RuntimeDefault';
    case 'seccompProfile_restricted':
      if ((m = /must not set securityContext\.seccompProfile\.type to (.+)$/.exec(p))) {
        return `set securityContext.seccompProfile.type to RuntimeDefault, not ${unquote(m[1]!)}`;
      }
      return 'set securityContext.seccompProfile.type to RuntimeDefault or Localhost';
    case 'sysctls':
      return d ? `remove sysctl ${d}` : 'remove the forbidden sysctls';
    case 'windowsHostProcess':
      return 'remove securityContext.windowsOptions.hostProcess: true';
    case 'runAsNonRoot':
      if (/=false$/.test(p)) return 'set securityContext.runAsNonRoot to true, not false';
      return 'set securityContext.runAsNonRoot to true';
    case 'runAsUser':
      return 'set securityContext.runAsUser to a non-zero UID, not 0';
    case 'appArmorProfile':
      if ((m = /^annotation must not set AppArmor profile type to "([^=]+)=/.exec(d))) {
        return `set annotation ${m[1]} to runtime/default`;
      }
      if ((m = /type to (.+)$/.exec(p))) {
        return `set the AppArmor profile type to RuntimeDefault or Localhost, not ${unquote(m[1]!)}`;
      }
      return 'set the AppArmor profile type to RuntimeDefault or Localhost';
    default:
      return '';
  }
}

/** `Deployment web`, `Pod (unnamed)`, with the container when there is one. */
export function findingSubject(f: Pick<Finding, 'object' | 'container'>): string {
  const o = f.object;
  const who = o.kind ? `${o.kind} ${o.name ? name(o.name) : '(unnamed)'}` : '';
  if (f.container === null) return who;
  const c = `container ${f.container ? name(f.container) : '(unnamed)'}`;
  return who ? `${who}, ${c}` : c;
}

type Summarized = Pick<
  Finding,
  'check' | 'family' | 'detail' | 'path' | 'object' | 'container' | 'message' | 'context'
>;

/**
 * Short forms by finding: a finding kept from one analysis to the next (a
 * document's unchanged chunks) is summarized once.
 */
const summaries = new WeakMap<Summarized, string>();

/** The short form of a finding (see the file's first comment). */
export function findingSummary(f: Summarized): string {
  let s = summaries.get(f);
  if (s === undefined) {
    s = summarize(f);
    summaries.set(f, s);
  }
  return s;
}

function summarize(f: Summarized): string {
  const what = action(f);
  if (what === '') return f.message; // invalid suppressions, PodSecurityPolicy: already short prose
  const who = findingSubject(f);
  // Where a generated finding comes from (its overlays, the values key) stays in the short form.
  const where = f.context && f.context.length > 0 ? ` (${f.context.join('; ')})` : '';
  return `${who ? `${who}: ${what}` : what}${where}`;
}
