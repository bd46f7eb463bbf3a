#!/bin/sh
# Prints a Prometheus rules file (groups: ...) as a PrometheusRule of the Prometheus Operator, for
#   deploy/kubernetes/prometheus-rule.sh deploy/prometheus/teardown-rules.yml | kubectl apply -f -
# Usage: prometheus-rule.sh RULES_FILE [NAMESPACE [NAME]]   (defaults: teardown, teardown)
# A plain Prometheus loads the rules file itself (rule_files:); this is only for the operator, whose
# Prometheus resource must select the label below (ruleSelector) — add yours with sed if needed.
set -eu
if [ $# -lt 1 ] || [ ! -r "$1" ]; then
  echo "usage: $0 RULES_FILE [NAMESPACE [NAME]]" >&2
  exit 2
fi
rules=$1
namespace=${2:-teardown}
name=${3:-teardown}
printf 'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app.kubernetes.io/name: teardown\nspec:\n' "$name" "$namespace"
# The rules file's top level (groups:) becomes spec's content: indent every line by two spaces; drop a
# leading document marker and blank lines' trailing spaces.
sed -e '/^---[[:space:]]*$/d' -e '/^\.\.\.[[:space:]]*$/d' -e 's/^\(.\)/  \1/' "$rules"
