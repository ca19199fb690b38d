#!/usr/bin/env bash
# Installs the browser libraries pinned in package-lock.json from the npm registry and copies
# the files the pages load into console/static/vendor/ (served by the app: no CDN at run time).
# A no-op when the vendor files match the lock file.
set -euo pipefail
cd "$(dirname "$0")"
vendor=../static/vendor
stamp="$vendor/.package-lock.sha256"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$vendor/socket.io.min.js" ] && [ -f "$vendor/chart.umd.min.js" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed once to fetch the console's browser libraries (Debian: apt-get install npm)" >&2
  exit 1
fi
echo "console: installing browser libraries (npm ci)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
mkdir -p "$vendor"
cp node_modules/socket.io-client/dist/socket.io.min.js node_modules/socket.io-client/dist/socket.io.min.js.map "$vendor/"
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map "$vendor/"
echo "$want" > "$stamp"
