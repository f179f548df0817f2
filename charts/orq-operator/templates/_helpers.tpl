{{/* The chart name, overridable with nameOverride. */}}
{{- define "orq-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every object's name: the release name when it already contains the chart name
(so release orq-operator gives the names kustomize's namePrefix gives), else release-chart.
*/}}
{{- define "orq-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The ServiceAccount the manager runs as. */}}
{{- define "orq-operator.serviceAccountName" -}}
{{- printf "%s-controller-manager" (include "orq-operator.fullname" .) }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "orq-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "orq-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the manager's pods. */}}
{{- define "orq-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orq-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The name of the metrics Service, which the ServiceMonitor's job label takes. */}}
{{- define "orq-operator.metricsServiceName" -}}
{{- printf "%s-controller-manager-metrics-service" (include "orq-operator.fullname" .) }}
{{- end }}

{{/*
The label matchers of the operator's series in the alerts: the ServiceMonitor's job (the metrics
Service) in the release namespace, unless monitoring.prometheusRule.selector says otherwise.
*/}}
{{- define "orq-operator.metricsSelector" -}}
{{- with .Values.monitoring.prometheusRule.selector }}
{{- . }}
{{- else }}
{{- printf "job=%q,namespace=%q" (include "orq-operator.metricsServiceName" .) .Release.Namespace }}
{{- end }}
{{- end }}
