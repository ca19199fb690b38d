#!/usr/bin/env bash
# make lock: resolve requirements.in in a throwaway Python 3.10 venv and write requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash scripts/setup.sh   # finds Python 3.10 (or says what to install)
py="$(.venv/bin/python -c 'import sys; print(sys.base_prefix)')/bin/python3.10"
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --upgrade pip
"$tmp/venv/bin/pip" install --quiet -r requirements.in
{ "$tmp/venv/bin/pip" freeze | grep -v '^-e'; "$tmp/venv/bin/pip" list --format=freeze 2>/dev/null | grep -E '^(setuptools|wheel)=='; } > requirements.lock
echo "wrote requirements.lock ($(wc -l < requirements.lock) pins)"
