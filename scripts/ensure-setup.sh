#!/usr/bin/env bash
# Everything `npm test` and `npm run demo` need on a fresh clone: the locked npm packages and
# the Temporal CLI. Cheap when both are already there.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages (locked versions)..." >&2
  # Not `npm ci`: registries that serve only this platform's builds leave the other platforms'
  # optional packages (@swc/core-darwin-*, ...) out of the lock, and npm ci then refuses it.
  # `npm install --no-save` installs exactly the locked versions and never rewrites the lock.
  npm install --no-save --no-audit --no-fund >&2
fi
temporal=$(bash scripts/temporal-cli.sh) || status=$?
if [ "${status:-0}" = 3 ]; then
  echo "no Go toolchain: tests will use the Temporal dev server that @temporalio/testing downloads" >&2
elif [ "${status:-0}" != 0 ]; then
  exit "$status"
else
  echo "Temporal CLI: $temporal" >&2
fi
# The compiled package (dist/): the CLI's bin, `npm run worker` and the package test run it.
# Cached: a no-op when src/ has not changed since the last build.
bash scripts/build.sh
