/**
 * `{{ … }}` in YAML. Outside a Helm chart it is text like any other: a
 * Grafana dashboard's `"legendFormat": "{{instance}}"` or a PrometheusRule's
 * `summary: "{{ $labels.instance }} is down"` is a string, and the file is
 * evaluated. Only a file in a chart's `templates/` folder is a template Helm
 * renders (what to do with it is the chart support's decision), and only
 * when YAML does not parse at a `{{ … }}` action does podsec say that the
 * file looks like a template.
 */
import type { Diagnostic, Span } from '../types';

/** What `isChartTemplate` asks of the file system. */
export interface FileProbe {
  /** True when `path` names a regular file. */
  isFile(path: string): boolean;
}

/**
 * True when `path` is a file under the `templates/` folder of a Helm chart
 * (a folder holding `Chart.yaml`), at any depth below `templates/` (Helm
 * renders its subfolders too).
 */
export function isChartTemplate(path: string, fs: FileProbe): boolean {
  const sep = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  const parts = path.split(/[\\/]/);
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] !== 'templates') continue;
    const dir = parts.slice(0, i).join(sep);
    const chart =
      dir === '' ? (i === 0 ? 'Chart.yaml' : `${sep}Chart.yaml`) : `${dir}${sep}Chart.yaml`;
    if (fs.isFile(chart)) return true;
  }
  return false;
}

const ACTION = /\{\{[\s\S]*?\}\}/g;

/** The `{{ … }}` actions of a text, in order (an unclosed `{{` runs to the end of its line). */
export function templateActions(text: string): Span[] {
  const out: Span[] = [];
  if (!text.includes('{{')) return out;
  ACTION.lastIndex = 0;
  for (let m = ACTION.exec(text); m; m = ACTION.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length });
  }
  // An unclosed action still marks its line.
  const last = out[out.length - 1]?.end ?? 0;
  const open = text.indexOf('{{', last);
  if (open >= 0) {
    const nl = text.indexOf('\n', open);
    out.push({ start: open, end: nl < 0 ? text.length : nl });
  }
  return out;
}

const overlaps = (a: Span, b: Span): boolean =>
  a.start < b.end && b.start < Math.max(a.end, a.start + 1);

/**
 * The note for a text whose YAML errors sit at a `{{ … }}` action, or null
 * when none does (then the errors speak for themselves).
 */
export function templateNote(text: string, errors: readonly Diagnostic[]): Diagnostic | null {
  if (errors.length === 0) return null;
  const actions = templateActions(text);
  if (actions.length === 0) return null;
  for (const e of errors) {
    const at = actions.find((a) => overlaps(e.span, a));
    if (!at) continue;
    return {
      message:
        'This looks like a template: the YAML does not parse at this {{ … }} action (a Helm chart?). Check the rendered manifests instead (helm template … | podsec -)',
      span: at,
      code: 'policy',
      severity: 'information',
    };
  }
  return null;
}

/** The note on a chart template, which is not evaluated as it stands. */
export function chartTemplateNote(text: string): Diagnostic {
  const at = templateActions(text)[0] ?? { start: 0, end: 0 };
  return {
    message:
      'Not evaluated: this is a Helm chart template (a file in templates/ beside Chart.yaml). Check the rendered manifests instead (helm template … | podsec -)',
    span: at,
    code: 'policy',
    severity: 'information',
  };
}
