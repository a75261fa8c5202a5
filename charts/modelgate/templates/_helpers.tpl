{{/* Names, labels and shared fragments of the modelgate chart. */}}

{{- define "modelgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object name prefix: at most 50 characters so every suffix below still fits in 63. */}}
{{- define "modelgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "modelgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "modelgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "webhook"). */}}
{{- define "modelgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelgate.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "modelgate.componentLabels" -}}
{{ include "modelgate.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "modelgate.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "modelgate.webhook.name" -}}{{ include "modelgate.fullname" . }}-webhook{{- end -}}
{{- define "modelgate.controller.name" -}}{{ include "modelgate.fullname" . }}-controller{{- end -}}
{{/*
Where the operator's Sigstore trusted root comes from, as JSON {"name": ConfigMap, "key": key}:
the chart's own ConfigMap for controller.sigstore.trustedRoot, or the one
controller.sigstore.trustedRootConfigMap names; {} when neither is set.
*/}}
{{- define "modelgate.controller.trustedRoot" -}}
{{- $s := .Values.controller.sigstore -}}
{{- if $s.trustedRoot -}}
{{- dict "name" (printf "%s-sigstore" (include "modelgate.controller.name" .)) "key" "trusted_root.json" | toJson -}}
{{- else if $s.trustedRootConfigMap.name -}}
{{- dict "name" $s.trustedRootConfigMap.name "key" $s.trustedRootConfigMap.key | toJson -}}
{{- else -}}
{}
{{- end -}}
{{- end -}}
{{/* Secret with the serving certificate (tls.crt, tls.key, ca.crt); mounted by the webhook. */}}
{{- define "modelgate.webhook.tlsSecret" -}}{{ include "modelgate.fullname" . }}-webhook-tls{{- end -}}
{{/* Secret with the chart's CA and its key; never mounted by any pod. */}}
{{- define "modelgate.caSecret" -}}{{ include "modelgate.fullname" . }}-ca{{- end -}}

{{/* DNS names the API server uses to reach the webhook Service. */}}
{{- define "modelgate.webhook.dnsNames" -}}
{{- $svc := include "modelgate.webhook.name" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson -}}
{{- end -}}

{{/*
Security context of every modelgate container: what modelgate's own rules MG009-MG011
demand of any workload (non-root 65532, no escalation, no capabilities, read-only root
filesystem, seccomp RuntimeDefault).
*/}}
{{- define "modelgate.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "modelgate.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
policy/v1 PodDisruptionBudget from Kubernetes 1.21, policy/v1beta1 before. A live
cluster's discovery lists "policy/v1/PodDisruptionBudget"; without a cluster (helm
template, lint) Helm knows only group/versions, so the Kubernetes version decides there.
*/}}
{{- define "modelgate.pdbApiVersion" -}}
{{- $caps := .Capabilities -}}
{{- if or ($caps.APIVersions.Has "policy/v1/PodDisruptionBudget") (and ($caps.APIVersions.Has "policy/v1") (semverCompare ">=1.21.0-0" $caps.KubeVersion.Version)) -}}
policy/v1
{{- else -}}
policy/v1beta1
{{- end -}}
{{- end -}}

{{/* True when the API server sets kubernetes.io/metadata.name on namespaces (1.21+). */}}
{{- define "modelgate.hasNamespaceNameLabel" -}}
{{- if semverCompare ">=1.21.0-0" .Capabilities.KubeVersion.Version -}}true{{- end -}}
{{- end -}}
