#!/usr/bin/env bash
# Prints the path of a Temporal CLI (dev server + Web UI) on stdout, installing it when needed.
# Order: $TEMPORAL_CLI_PATH, a `temporal` already on PATH, the cached build, a fresh
# `go install` into the cache. Exits 3 when there is no Go toolchain to build with, so callers
# can fall back to the server that @temporalio/testing downloads (machines with internet only).
set -euo pipefail

version=v1.5.1 # later tags cannot be `go install`ed (replace directives in their go.mod)
cache_root="${TL_UPLOAD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tl-upload}"
bin_dir="$cache_root/temporal-cli-$version"
bin="$bin_dir/temporal"

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || { echo "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file" >&2; exit 1; }
  echo "$TEMPORAL_CLI_PATH"; exit 0
fi
if on_path=$(command -v temporal 2>/dev/null); then echo "$on_path"; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

go_bin=$(command -v go 2>/dev/null || true)
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; } || true
if [ -z "$go_bin" ]; then
  echo "no Go toolchain: cannot build the Temporal CLI $version (set TEMPORAL_CLI_PATH or install Go)" >&2
  exit 3
fi

mkdir -p "$bin_dir"
# Several test workers may ask at once: one builds, the others wait for it.
exec 9>"$bin_dir/.lock"
flock 9
if [ ! -x "$bin" ]; then
  echo "building the Temporal CLI $version with $go_bin (first run on this machine, a few minutes)..." >&2
  tmp=$(mktemp -d "$bin_dir/build.XXXXXX")
  (cd "$tmp" && GOBIN="$tmp" GOFLAGS=-trimpath "$go_bin" install "github.com/temporalio/cli/cmd/temporal@$version") >&2
  mv "$tmp/temporal" "$bin"
  rm -rf "$tmp"
fi
echo "$bin"
