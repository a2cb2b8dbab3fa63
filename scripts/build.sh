#!/usr/bin/env bash
# The package build: src/ compiled to CommonJS + declarations in dist/ (tsconfig.build.json), the
# encrypted-failure converter copied beside its module, and the workflow bundles written ahead of
# time (dist/workflow-bundles/, loaded by the worker instead of running webpack at start).
# Cached: nothing runs when no input is newer than the last build's stamp; tsc is incremental.
# Several processes may ask at once (test workers, npm run worker): one builds, the others wait.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.build-stamp
inputs=(src tsconfig.json tsconfig.build.json package.json package-lock.json scripts/build.sh)

fresh() { [ -f "$stamp" ] && [ -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit)" ]; }
fresh && exit 0
mkdir -p dist
exec 9>dist/.build-lock
flock 9
fresh && exit 0 # another process built it while we waited

started=$(date +%s%N)
# The stamp's time is taken before reading the inputs: an edit during the build makes the next one rebuild.
touch dist/.build-stamp.next
# A source file removed or renamed since the last build would leave its old output behind (and in
# the tarball): start from an empty dist/ whenever the set of source files changed.
sources=$(find src -type f | LC_ALL=C sort | sha1sum | cut -d' ' -f1)
if [ "$(cat dist/.build-sources 2>/dev/null)" != "$sources" ]; then
  find dist -mindepth 1 -not -name .build-lock -not -name .build-stamp.next -delete
fi
node node_modules/typescript/bin/tsc -p tsconfig.build.json
cp src/security/failure-converter.cjs dist/security/failure-converter.cjs
node dist/workflow-bundle.js --write-workflow-bundles dist/workflow-bundles
echo "$sources" > dist/.build-sources
mv dist/.build-stamp.next "$stamp"
echo "built dist/ in $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
