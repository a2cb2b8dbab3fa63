#!/usr/bin/env bash
# Installs the named Debian packages that are not installed yet (apt-get update only when one is
# missing); quiet and cheap when everything is there. Needs root or passwordless sudo.
# usage: bash scripts/ensure-debian-packages.sh chromium fonts-liberation docker-compose
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
  echo "ensure-debian-packages: ${missing[*]} missing and neither root nor passwordless sudo: install them with apt-get" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "ensure-debian-packages: ${missing[*]} missing and there is no apt-get on this machine" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-debian-packages: apt-get failed for: ${missing[*]}" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
