#!/usr/bin/env bash
# make integration: the production profile on this machine, checked end to end.
#   1. installs PostgreSQL, Redis, RabbitMQ and nginx (Debian packages) when missing;
#   2. starts them on loopback in a temporary folder, on free ports, with passwords and tokens
#      generated for this run (scripts/integration/services.sh);
#   3. puts a model on the run's own model shelf (INTEGRATION_MODEL, else models/live.tar.gz, else
#      the tests' model models/test/store.tar.gz, trained first when there is none);
#   4. runs tests/integration/ (pytest), which starts two Rasa instances, the action server and two
#      consoles (scripts/integration/stack.py) and drives shoppers through nginx over TLS;
#   5. prints the figures (also in results/integration/), stops everything and removes the folder.
# INTEGRATION_SCALE=reduced (CI): fewer conversations, one kill. Arguments go to pytest
# (`bash scripts/integration/run.sh -k promotion`). Logs of the last run: results/integration/last-run/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
. scripts/env.sh
export INTEGRATION_SCALE="${INTEGRATION_SCALE:-full}"
began=$(date +%s)
RUN="$(mktemp -d /tmp/store-integration.XXXXXX)"
OUT=results/integration
mkdir -p "$OUT"

finish() {
  local status=$?
  rm -rf "$OUT/last-run"; mkdir -p "$OUT/last-run"
  cp -r "$RUN/logs" "$OUT/last-run/" 2>/dev/null || true
  cp "$RUN/nginx/error.log" "$OUT/last-run/nginx-error.log" 2>/dev/null || true
  bash scripts/integration/services.sh down "$RUN" || true
  echo "integration: $([ $status = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - began )) s (scale: $INTEGRATION_SCALE)"
  exit $status
}
trap finish EXIT

FIGURES_ENV="$RUN/figures.env" bash scripts/integration/services.sh install

model="${INTEGRATION_MODEL:-}"
if [ -z "$model" ] && [ -f models/live.tar.gz ]; then model=models/live.tar.gz; fi
if [ -z "$model" ]; then
  MODEL_OUT="$TEST_MODEL_DIR" MODEL_NAME=store bash scripts/train.sh
  model="$TEST_MODEL_DIR/store.tar.gz"
fi

bash scripts/integration/services.sh up "$RUN"
$PY -c "import sys; sys.path.insert(0, 'scripts/integration'); from stack import put_on_shelf; \
print('integration: live model', put_on_shelf(__import__('pathlib').Path('$RUN/models'), __import__('pathlib').Path('$model')).name)"

status=0
INTEGRATION_RUN_DIR="$RUN" $PY -m pytest -p no:cacheprovider -v tests/integration "$@" || status=$?
$PY scripts/integration/figures.py "$RUN" | tee "$OUT/figures-$INTEGRATION_SCALE.txt"
cp "$RUN/figures.json" "$OUT/figures-$INTEGRATION_SCALE.json" 2>/dev/null || true
exit $status
