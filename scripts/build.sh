#!/usr/bin/env bash
# The package build, for the callers that run it with bash (npm scripts, the Dockerfile, the
# tests): the work is scripts/build.mjs, in plain Node, so that it runs on Linux and macOS alike.
here=${BASH_SOURCE[0]%/*}; [ "$here" = "${BASH_SOURCE[0]}" ] && here=.
exec node "$here/build.mjs" "$@"
