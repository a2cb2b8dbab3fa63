#!/bin/sh
# The namespace and the search attributes of deploy/search-attributes.txt, with the Temporal CLI:
# docker-compose.yml's temporal-setup job (in temporalio/admin-tools) and `npm run cluster`
# (scripts/cluster/) both run this file. The server image, unlike the retired auto-setup image,
# creates no namespace; a server that does not know the attributes fails the workflows' tasks.
# Environment: TEMPORAL_ADDRESS; TEMPORAL_CLI (default `temporal`), TEMPORAL_NAMESPACE (default
# `default`), TL_SEARCH_ATTRIBUTES_FILE (default: beside this script).
set -eu
cli=${TEMPORAL_CLI:-temporal}
namespace=${TEMPORAL_NAMESPACE:-default}
attributes_file=${TL_SEARCH_ATTRIBUTES_FILE:-$(dirname "$0")/search-attributes.txt}

tries=0
until "$cli" operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1)); [ $tries -lt 60 ] || { echo "the Temporal server at $TEMPORAL_ADDRESS is not healthy" >&2; exit 1; }
  sleep 2
done
"$cli" operator namespace describe --namespace "$namespace" >/dev/null 2>&1 ||
  "$cli" operator namespace create --namespace "$namespace" --retention 7d

set --
last=
while read -r name type; do
  case $name in '' | '#'*) continue ;; esac
  set -- "$@" --name "$name" --type "$type"
  last=$name
done <"$attributes_file"
# Already registered (a second start) is fine: the list then shows them.
"$cli" operator search-attribute create --namespace "$namespace" "$@" ||
  "$cli" operator search-attribute list --namespace "$namespace" | grep -q "$last"
# A new namespace is cached by the frontend for a few seconds: wait until it answers.
tries=0
until "$cli" workflow list --namespace "$namespace" --limit 1 >/dev/null 2>&1; do
  tries=$((tries + 1)); [ $tries -lt 30 ] || { echo "namespace $namespace does not answer" >&2; exit 1; }
  sleep 1
done
echo "namespace $namespace and its search attributes are registered"
