#!/usr/bin/env bash
# The benchmark's baseline environment: stock Rasa 3.6.21 in its own virtual environment
# (.bench/stock-rasa/), with whatever pip resolves for `rasa==3.6.21 jieba` — nothing pinned by
# us, so a fix in our requirements.lock (e.g. jsonschema) counts for the project, not for the
# baseline. Created once; prints the venv's path. The action server stays the project's.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.bench/stock-rasa
if [ ! -x "$venv/bin/rasa" ]; then
  bash scripts/setup.sh >/dev/null   # finds Python 3.10 (or says what to install)
  py="$(.venv/bin/python -c 'import sys; print(sys.base_prefix)')/bin/python3.10"
  echo "stock-rasa: creating $venv (pip install rasa==3.6.21 jieba; a few minutes)" >&2
  "$py" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet "rasa==3.6.21" jieba >&2
  "$venv/bin/pip" freeze > "$venv/resolved.txt"
fi
echo "$venv"
