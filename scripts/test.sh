#!/usr/bin/env bash
# make test: set up, train if the data changed, then every test in one pytest run: the store
# domain, the actions, the console and ticket store, the browser end-to-end test, Rasa's data
# validation and test stories, and the held-out NLU evaluation (fails below intent macro-F1 0.90).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure_browser.sh
bash scripts/train.sh
. scripts/env.sh
exec $PY -m pytest "$@"
