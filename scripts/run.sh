#!/usr/bin/env bash
# make run: set up, then start the action server, the Rasa server and the console app (web chat,
# agent inbox, owner console) under supervisord (deploy/supervisord.conf), in the foreground: a
# process that dies is restarted on its own while the others keep serving; Ctrl-C (or SIGTERM)
# stops all three, the console first so it can finish its in-flight shopper messages.
# Rasa serves the live model, models/live.tar.gz, which only promote and rollback change: a
# restart never puts new training data live. Only on the first run, when nothing is live yet,
# a model is trained and made live as the first promotion (recorded, author "setup").
#
# Set by tests and the fault scripts (scripts/faults/), never needed for `make run`:
#   RUN_DIR, VAR_DIR    secrets + control socket, databases + logs (default .run/ and var/)
#   ACTION_PORT, RASA_PORT, CONSOLE_PORT   (default 5055, 5005, 8080)
#   RUN_MODEL           serve this model file instead of the live one (no first-run training)
#   RUN_SETUP=0         skip scripts/setup.sh (the caller has set up already)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${RUN_SETUP:-1}" = 0 ] || bash scripts/setup.sh
. scripts/env.sh
load_secrets
mkdir -p "$VAR_DIR/log"
chmod 700 "$RUN_DIR"   # it holds the secrets and supervisord's control socket
# supervisord resolves its paths once, at start: make them absolute.
RUN_DIR=$(cd "$RUN_DIR" && pwd) VAR_DIR=$(cd "$VAR_DIR" && pwd)
export RUN_DIR VAR_DIR APP_ROOT="$PWD"
export HELPDESK_DB_URL="${HELPDESK_DB_URL:-sqlite:///$VAR_DIR/helpdesk.db}"

if [ -n "${RUN_MODEL:-}" ]; then
  [ -f "$RUN_MODEL" ] || { echo "run: RUN_MODEL=$RUN_MODEL is not a file" >&2; exit 1; }
elif [ -L "$MODEL" ] && [ ! -f "$MODEL" ]; then
  echo "run: $MODEL points to $(readlink "$MODEL"), which is missing; restore that file from models/kept/," >&2
  echo "     or remove $MODEL and run \`make promote CANDIDATE=...\` to make a model live" >&2
  exit 1
elif [ ! -L "$MODEL" ] && [ -e "$MODEL" ]; then
  echo "run: $MODEL is a plain file, not the pointer that promote writes; move it away and run again" >&2
  exit 1
elif [ ! -e "$MODEL" ]; then
  echo "run: no live model yet (first run): training one and making it live"
  $PY scripts/augment_nlu.py >/dev/null
  if [ -f models/store.tar.gz ] && [ "$(cat models/.fingerprint 2>/dev/null)" = "$(data_fingerprint)" ]; then
    first=models/store.tar.gz   # trained by the earlier layout from the same data: no need to train again
  else
    first=$(bash scripts/train.sh | tee /dev/stderr | sed -n 's/^train: model //p' | tail -1)
  fi
  $PY -m tuning promote "$first" --yes --author setup
fi
export RUN_MODEL="${RUN_MODEL:-$MODEL}"

export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"          # the action server stays on localhost
export ACTION_PORT="${ACTION_PORT:-5055}" RASA_PORT="${RASA_PORT:-5005}" CONSOLE_PORT="${CONSOLE_PORT:-8080}"
export ACTION_SERVER_URL="http://127.0.0.1:${ACTION_PORT}/webhook"
export RASA_URL="http://127.0.0.1:${RASA_PORT}"

answering() {
  curl -fs "http://127.0.0.1:${RASA_PORT}/" >/dev/null 2>&1 &&
    curl -fs "http://127.0.0.1:${ACTION_PORT}/health" >/dev/null 2>&1 &&
    curl -fs "http://127.0.0.1:${CONSOLE_PORT}/health" >/dev/null 2>&1
}

# The banner, once all three answer (supervisord is this shell's pid after the exec below).
supervisor=$$
(
  for _ in $(seq 1 300); do
    kill -0 "$supervisor" 2>/dev/null || exit 0
    if answering; then
      cat <<MSG
run: the store assistant is up (supervised: \`make status\`; logs in ${VAR_DIR}/log/).
  REST channel   curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -H 'Content-Type: application/json' -d '{"sender":"me","message":"寄到乌鲁木齐运费多少"}'
  web chat       http://localhost:${CONSOLE_PORT}/
  agent inbox    http://localhost:${CONSOLE_PORT}/agent   (first-run password: .run/agent-password.txt)
  owner console  http://localhost:${CONSOLE_PORT}/owner   (first-run password: .run/owner-password.txt)
Ctrl-C stops everything.
MSG
      exit 0
    fi
    sleep 1
  done
  echo "run: not answering after 300 s; see ${VAR_DIR}/log/ and \`make status\`" >&2
) &

echo "run: starting the servers under supervisord (logs in ${VAR_DIR}/log/)"
exec .venv/bin/supervisord -c deploy/supervisord.conf
