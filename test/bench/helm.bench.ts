/**
 * Helm benchmark for `npm run bench`, a ratio against a baseline measured in
 * the same run:
 *
 *  helm/render+analyze   render a generated chart (50 templates, 20 workloads,
 *                        helpers, toYaml, range, values) in the engine and
 *                        evaluate the output with analyze(), vs yaml parsing the
 *                        rendered output with source tokens
 *  helm/evaluate as deployed  the same chart through the project model
 *                        (evaluateChart: render, evaluate, place every finding
 *                        at its values or template line, values-key fixes), vs
 *                        the same yaml parse
 */
import { parseAllDocuments } from 'yaml';
import { analyze } from '@podsec/server/out/engine/index';
import { renderChart } from '@podsec/server/out/engine/helm/render';
import { MemoryFs } from '@podsec/server/out/engine/sources/sourceFs';
import { evaluateChart } from '@podsec/server/out/engine/project/index';

interface Row {
  name: string;
  ms: number;
  baseName: string;
  baseMs: number;
  bound: number;
}

interface Tools {
  paired: (a: () => unknown, b: () => unknown, runs?: number, warm?: number) => [number, number];
}

/** A chart of `templates` templates, `workloads` of them Deployments. */
export function benchChart(templates = 50, workloads = 20): MemoryFs {
  const files: Record<string, string> = {
    '/chart/Chart.yaml': 'apiVersion: v2\nname: bench\nversion: 1.0.0\nappVersion: "2.0"\n',
    '/chart/templates/_helpers.tpl': [
      '{{- define "bench.labels" -}}',
      'app.kubernetes.io/name: {{ .Chart.Name }}',
      'app.kubernetes.io/instance: {{ .Release.Name }}',
      'helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 }}',
      '{{- end -}}',
      '{{- define "bench.fullname" -}}',
      '{{- printf "%s-%s" .Release.Name .name | trunc 63 | trimSuffix "-" -}}',
      '{{- end -}}',
    ].join('\n'),
  };
  const values: string[] = ['global:', '  registry: registry.example.com', 'workloads:'];
  for (let i = 0; i < workloads; i++) {
    values.push(
      `  w${i}:`,
      `    replicas: ${1 + (i % 3)}`,
      `    image: app-${i}`,
      `    tag: "1.${i}"`,
      '    securityContext:',
      `      runAsNonRoot: ${i % 2 === 0}`,
      '      allowPrivilegeEscalation: false',
      '      capabilities:',
      '        drop: [ALL]',
      '    env:',
      ...Array.from({ length: 5 }, (_, j) => `      VAR_${j}: value-${i}-${j}`),
    );
    files[`/chart/templates/workload-${i}.yaml`] = [
      `{{- $w := index .Values.workloads "w${i}" }}`,
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: {{ include "bench.fullname" (dict "Release" .Release "name" "w${i}") }}`,
      '  labels:',
      '    {{- include "bench.labels" . | nindent 4 }}',
      'spec:',
      '  replicas: {{ $w.replicas }}',
      '  template:',
      '    spec:',
      '      containers:',
      `        - name: w${i}`,
      '          image: "{{ .Values.global.registry }}/{{ $w.image }}:{{ $w.tag | default .Chart.AppVersion }}"',
      '          env:',
      '            {{- range $k, $v := $w.env }}',
      '            - name: {{ $k }}',
      '              value: {{ $v | quote }}',
      '            {{- end }}',
      '          securityContext:',
      '            {{- toYaml $w.securityContext | nindent 12 }}',
    ].join('\n');
  }
  for (let i = workloads; i < templates; i++) {
    files[`/chart/templates/config-${i}.yaml`] = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      `  name: {{ .Release.Name }}-config-${i}`,
      '  labels:',
      '    {{- include "bench.labels" . | nindent 4 }}',
      'data:',
      '  {{- range $i := until 10 }}',
      `  key-{{ $i }}: {{ printf "%d-%s" $i $.Release.Namespace | quote }}`,
      '  {{- end }}',
    ].join('\n');
  }
  files['/chart/values.yaml'] = `${values.join('\n')}\n`;
  return new MemoryFs(files);
}

export function run({ paired }: Tools): Promise<Row[]> {
  const fs = benchChart();
  const first = renderChart(fs, '/chart');
  if (!first.ok) throw new Error(`bench chart does not render: ${first.errors[0]?.message ?? ''}`);
  const text = first.output.text;
  const [render, parse] = paired(
    () => analyze(renderChart(fs, '/chart').output.text),
    () => parseAllDocuments(text, { keepSourceTokens: true }),
    9,
    2,
  );
  const evaluated = evaluateChart(fs, '/chart');
  if (evaluated.findings.length === 0) throw new Error('bench chart has no findings to place');
  const [project, parse2] = paired(
    () => evaluateChart(fs, '/chart'),
    () => parseAllDocuments(text, { keepSourceTokens: true }),
    9,
    2,
  );
  return Promise.resolve([
    {
      name: `helm/evaluate as deployed (50 templates, 20 workloads, ${evaluated.findings.length} findings placed)`,
      ms: project,
      baseName: 'yaml parse of the output',
      baseMs: parse2,
      bound: 12,
    },
    {
      name: `helm/render+analyze (50 templates, 20 workloads, ${text.split('\n').length} lines)`,
      ms: render,
      baseName: 'yaml parse of the output',
      baseMs: parse,
      bound: 10,
    },
  ]);
}
