#!/usr/bin/env bash
# Installs the Debian packages dora needs (PostGIS for PostgreSQL 15, Chromium for browser
# tests) when they are missing: with apt when root, else a clear message and exit 1.
set -euo pipefail

missing=()
postgis_control=$(ls /usr/share/postgresql/*/extension/postgis.control 2>/dev/null | head -n 1 || true)
[ -n "$postgis_control" ] || missing+=(postgresql-15 postgresql-15-postgis-3)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# `ensure_system_packages.sh bench`: the HTTP load generator of the benchmarks too.
if [ "${1:-}" = "bench" ]; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "dora needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
