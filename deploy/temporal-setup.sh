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
# A new namespace reaches the server's namespace cache some seconds after it is created: retry
# until the attributes are registered (already registered, on a second start, is fine: the list
# then shows them).
tries=0
until "$cli" operator search-attribute create --namespace "$namespace" "$@" 2>/dev/null ||
  "$cli" operator search-attribute list --namespace "$namespace" 2>/dev/null | grep -q "$last"; do
  tries=$((tries + 1)); [ $tries -lt 60 ] || { echo "could not register the search attributes in $namespace" >&2; exit 1; }
  sleep 1
done
echo "namespace $namespace and its search attributes are registered"
