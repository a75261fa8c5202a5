{{/*
Self-generated TLS material, as a JSON object:
  caCert, caKey       the CA (PEM)
  caNotAfter          its expiry, Unix seconds
  previousCA          PEM of the CA this one replaced, while that is still valid ("" otherwise)
  previousNotAfter    its expiry, Unix seconds (0 when none)
  cert, key           the webhook serving certificate and key (PEM)
  certNotAfter        its expiry, Unix seconds
  bundle              what the API server trusts: caCert followed by previousCA

Why lookup: Helm renders templates on every upgrade, and genCA/genSignedCert make new
keys each time; a new CA on every upgrade would break the running webhook pods until
they reload. So the existing Secrets are read back and reused, and a part is generated
again only when it is missing, expires within tls.renewBeforeDays, no longer matches
(serving certificate signed by another CA, other DNS names), or was never recorded.
When the CA itself is rotated, the old CA stays in the caBundle until it expires, so
pods still serving a certificate from the old CA keep being trusted until the new
Secret reaches them (the webhook re-reads its certificate files when they change).

`helm template` and `helm install --dry-run` (client) have no cluster: lookup returns
nothing there and fresh material is generated, which is the expected output.

This is called once per render (from validatingwebhookconfiguration.yaml, which also
emits both Secrets), because every call generates new keys.
*/}}
{{- define "modelgate.selfSignedTLS" -}}
{{- $ns := .Release.Namespace -}}
{{- $now := now | unixEpoch | int64 -}}
{{- $renew := mul .Values.tls.renewBeforeDays 86400 | int64 -}}
{{- $dnsNames := include "modelgate.webhook.dnsNames" . | fromJsonArray -}}
{{- $dnsKey := join "," $dnsNames -}}
{{- $out := dict "previousCA" "" "previousNotAfter" 0 -}}
{{- $ca := "" -}}

{{- /* The CA: reuse while it is valid beyond the renewal window. */ -}}
{{- $caSecret := lookup "v1" "Secret" $ns (include "modelgate.caSecret" .) -}}
{{- if and $caSecret $caSecret.data -}}
{{- $annotations := default (dict) $caSecret.metadata.annotations -}}
{{- $notAfter := index $annotations "modelgate.io/not-after" | default "0" | int64 -}}
{{- $crt := index $caSecret.data "tls.crt" | default "" -}}
{{- $key := index $caSecret.data "tls.key" | default "" -}}
{{- if and $crt $key (gt (sub $notAfter $now) $renew) -}}
{{- $ca = buildCustomCert $crt $key -}}
{{- $_ := set $out "caNotAfter" $notAfter -}}
{{- $prevNotAfter := index $annotations "modelgate.io/previous-not-after" | default "0" | int64 -}}
{{- $prev := index $caSecret.data "previous.crt" | default "" -}}
{{- if and $prev (gt $prevNotAfter $now) -}}
{{- $_ := set $out "previousCA" (b64dec $prev) -}}
{{- $_ := set $out "previousNotAfter" $prevNotAfter -}}
{{- end -}}
{{- else if and $crt (gt $notAfter $now) -}}
{{- /* Rotation: keep trusting the old CA until it expires. */ -}}
{{- $_ := set $out "previousCA" (b64dec $crt) -}}
{{- $_ := set $out "previousNotAfter" $notAfter -}}
{{- end -}}
{{- end -}}
{{- if not $ca -}}
{{- $ca = genCA (printf "%s-ca" (include "modelgate.fullname" .)) (int .Values.tls.caValidityDays) -}}
{{- $_ := set $out "caNotAfter" (add $now (mul .Values.tls.caValidityDays 86400)) -}}
{{- end -}}
{{- $_ := set $out "caCert" $ca.Cert -}}
{{- $_ := set $out "caKey" $ca.Key -}}

{{- /* The serving certificate: reuse while valid, signed by this CA, for these names. */ -}}
{{- $reused := false -}}
{{- $tlsSecret := lookup "v1" "Secret" $ns (include "modelgate.webhook.tlsSecret" .) -}}
{{- if and $tlsSecret $tlsSecret.data -}}
{{- $annotations := default (dict) $tlsSecret.metadata.annotations -}}
{{- $notAfter := index $annotations "modelgate.io/not-after" | default "0" | int64 -}}
{{- $names := index $annotations "modelgate.io/dns-names" | default "" -}}
{{- $crt := index $tlsSecret.data "tls.crt" | default "" -}}
{{- $key := index $tlsSecret.data "tls.key" | default "" -}}
{{- $signer := index $tlsSecret.data "ca.crt" | default "" | b64dec -}}
{{- if and $crt $key (gt (sub $notAfter $now) $renew) (eq $names $dnsKey) (eq (trim $signer) (trim $ca.Cert)) -}}
{{- $_ := set $out "cert" (b64dec $crt) -}}
{{- $_ := set $out "key" (b64dec $key) -}}
{{- $_ := set $out "certNotAfter" $notAfter -}}
{{- $reused = true -}}
{{- end -}}
{{- end -}}
{{- if not $reused -}}
{{- $cert := genSignedCert (first $dnsNames) nil $dnsNames (int .Values.tls.certValidityDays) $ca -}}
{{- $_ := set $out "cert" $cert.Cert -}}
{{- $_ := set $out "key" $cert.Key -}}
{{- $_ := set $out "certNotAfter" (add $now (mul .Values.tls.certValidityDays 86400)) -}}
{{- end -}}
{{- $_ := set $out "bundle" (printf "%s\n%s" (trim $out.caCert) (trim $out.previousCA) | trim) -}}
{{- $_ := set $out "dnsNames" $dnsKey -}}
{{- toJson $out -}}
{{- end -}}
