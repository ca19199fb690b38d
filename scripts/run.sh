#!/usr/bin/env bash
# make run: set up, then start the action server, the Rasa server and the console app (web chat,
# agent inbox, owner console). Ctrl-C stops all three.
# Rasa serves the live model, models/live.tar.gz, which only promote and rollback change: a
# restart never puts new training data live. Only on the first run, when nothing is live yet,
# a model is trained and made live as the first promotion (recorded, author "setup").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
load_secrets
export HELPDESK_DB_URL="${HELPDESK_DB_URL:-sqlite:///$PWD/var/helpdesk.db}"

if [ -L "$MODEL" ] && [ ! -f "$MODEL" ]; then
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

export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"          # the action server stays on localhost
ACTION_PORT="${ACTION_PORT:-5055}" RASA_PORT="${RASA_PORT:-5005}"
export ACTION_SERVER_URL="http://127.0.0.1:${ACTION_PORT}/webhook"

export RASA_URL="http://127.0.0.1:${RASA_PORT}"
mkdir -p var/log

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

$PY -m rasa_sdk --actions actions -p "$ACTION_PORT" >>var/log/actions.log 2>&1 &
pids+=($!)
# The HTTP API is on only with a token; the token is not put in logs.
$PY -m rasa_server_plugins run --model "$MODEL" -i 127.0.0.1 -p "$RASA_PORT" --enable-api --auth-token "$RASA_TOKEN" \
  --credentials credentials.yml --endpoints endpoints.yml --cors "" >>var/log/rasa.log 2>&1 &
pids+=($!)
if [ -d console ]; then
  $PY -m console >>var/log/console.log 2>&1 &
  pids+=($!)
fi

printf 'run: waiting for the servers (logs in var/log/)'
for _ in $(seq 1 180); do
  if curl -fs "http://127.0.0.1:${RASA_PORT}/" >/dev/null 2>&1; then break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo; echo "run: a server exited; see var/log/"; tail -20 var/log/*.log; exit 1; }; done
  printf '.'; sleep 1
done
echo
cat <<MSG
run: the store assistant is up.
  REST channel   curl -s localhost:${RASA_PORT}/webhooks/rest/webhook -d '{"sender":"me","message":"寄到乌鲁木齐运费多少"}'
  web chat       http://localhost:${CONSOLE_PORT:-8080}/
  agent inbox    http://localhost:${CONSOLE_PORT:-8080}/agent   (first-run password: .run/agent-password.txt)
  owner console  http://localhost:${CONSOLE_PORT:-8080}/owner   (first-run password: .run/owner-password.txt)
Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
echo "run: a server stopped; see var/log/"
