{{/*
A read-only ClusterRole for the objects Agents reference (Secrets of spec.apiKeySecretRef,
ConfigMaps of spec.instructionsFrom / systemPromptFrom), bound cluster-wide or, when namespaces
are listed, by a RoleBinding in each of them only (then set watchNamespaces to the same list: the
operator watches these objects in the namespaces it watches, and cannot start without access).
Arguments: (dict "root" $ "name" "secret-reader" "resource" "secrets" "namespaces" list).
*/}}
{{- define "orq-operator.readerRBAC" -}}
{{- $root := .root -}}
{{- $role := printf "%s-%s" (include "orq-operator.fullname" $root) .name -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $role }}
  labels:
    {{- include "orq-operator.labels" $root | nindent 4 }}
rules:
- apiGroups:
  - ""
  resources:
  - {{ .resource }}
  verbs:
  - get
  - list
  - watch
{{- if .namespaces }}
{{- range .namespaces }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $role }}
  namespace: {{ . }}
  labels:
    {{- include "orq-operator.labels" $root | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $role }}
subjects:
- kind: ServiceAccount
  name: {{ include "orq-operator.serviceAccountName" $root }}
  namespace: {{ $root.Release.Namespace }}
{{- end }}
{{- else }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $role }}-rolebinding
  labels:
    {{- include "orq-operator.labels" $root | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $role }}
subjects:
- kind: ServiceAccount
  name: {{ include "orq-operator.serviceAccountName" $root }}
  namespace: {{ $root.Release.Namespace }}
{{- end }}
{{- end }}
