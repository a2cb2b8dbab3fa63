#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building it when needed: scripts/temporal-cli.mjs, in plain
# Node, so that it runs on Linux and macOS alike (exit 3: no Go toolchain to build it with).
here=${BASH_SOURCE[0]%/*}; [ "$here" = "${BASH_SOURCE[0]}" ] && here=.
exec node "$here/temporal-cli.mjs" "$@"
