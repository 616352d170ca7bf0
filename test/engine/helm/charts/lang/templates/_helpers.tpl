{{/* a comment: not output */}}
{{- define "lang.name" -}}
{{ .Chart.Name }}-{{ .Values.name }}
{{- end -}}
{{- define "lang.greet" -}}
hello {{ . }}
{{- end -}}
