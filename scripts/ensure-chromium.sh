#!/usr/bin/env bash
# Debian's chromium (and a font for legible screenshots) for the Web UI tests: playwright-core
# drives it, so no browser build is ever downloaded. Prints the browser's path.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/chromium ] || bash scripts/ensure-debian-packages.sh chromium fonts-liberation
[ -x /usr/bin/chromium ] || { echo "ensure-chromium: /usr/bin/chromium is still missing after installing the chromium package" >&2; exit 1; }
echo /usr/bin/chromium
