{{- define "sm.labels" -}}
app: {{ .Chart.Name }}
{{- end -}}
