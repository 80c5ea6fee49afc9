#!/bin/sh
# Creates the webhook's serving certificate without cert-manager: a private CA (kept only in a temporary
# directory, so it cannot sign anything else later), a server certificate for the webhook Service, the Secret
# podvm-webhook-tls, and the CA bundle in the MutatingWebhookConfiguration. Run it after `kubectl apply`, and
# again to rotate (the webhook reloads the files from the re-created Secret without a restart).
#
#   deploy/scripts/webhook-cert.sh [namespace] [days]
set -eu

NAMESPACE="${1:-podvm-system}"
DAYS="${2:-365}"
SERVICE=podvm-webhook
SECRET=podvm-webhook-tls
WEBHOOK_CONFIG=podvm-webhook
DNS="${SERVICE}.${NAMESPACE}.svc"

command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "kubectl is required" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$DAYS" \
  -subj "/CN=podvm-webhook-ca" -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=${DNS}" -keyout tls.key -out tls.csr 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' \
  "$DNS" "$SERVICE" "$NAMESPACE" "${DNS}.cluster.local" > ext.cnf
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$DAYS" -extfile ext.cnf -out tls.crt 2>/dev/null

kubectl -n "$NAMESPACE" create secret tls "$SECRET" --cert=tls.crt --key=tls.key --dry-run=client -o yaml \
  | kubectl apply -f -
CA_BUNDLE="$(base64 < ca.crt | tr -d '\n')"
kubectl patch mutatingwebhookconfiguration "$WEBHOOK_CONFIG" --type=json \
  -p "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"${CA_BUNDLE}\"}]"
echo "webhook certificate for ${DNS} installed (valid ${DAYS} days)"
