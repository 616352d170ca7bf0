{{- define "lib.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end -}}
{{- define "lib.labels" -}}
managed-by: {{ .Release.Service }}
{{- end -}}
