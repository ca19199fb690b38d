#!/bin/sh
# The image's entry point: starts one process of the store assistant, chosen by STORE_ROLE (or the
# first argument): console | rasa | actions | seed. Refuses to start when a secret it needs is
# unset, empty or a short placeholder: an empty RASA_TOKEN would open Rasa's HTTP API
# (CVE-2024-49375) and an empty ACTION_SERVER_TOKEN would let any caller run actions.
set -eu
cd "$(dirname "$0")/../.."   # the app root: /app in the image
role="${1:-${STORE_ROLE:-}}"
missing=""

# Names that must be set and non-empty.
require() {
  for name in "$@"; do
    [ -n "$(printenv "$name" || true)" ] || missing="$missing $name"
  done
}

# Tokens: at least 32 characters (make one: python -c 'import secrets; print(secrets.token_hex(24))').
require_token() {
  for name in "$@"; do
    value="$(printenv "$name" || true)"
    [ "${#value}" -ge 32 ] || missing="$missing $name(>=32 characters)"
  done
}

refuse_if_missing() {
  if [ -n "$missing" ]; then
    echo "start $role: refusing to start, these are unset, empty or too short:$missing" >&2
    echo "  (Kubernetes: the Secret store-secrets; compose: deploy/.env; see deploy/README.md)" >&2
    exit 64
  fi
}

# Several Sanic workers share their metrics through this folder (metrics_export/page.py).
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

case "$role" in
  rasa)
    # endpoints.production.yml reads these; Rasa itself reads TICKET_LOCK_LIFETIME and SANIC_WORKERS.
    require ACTION_SERVER_URL POSTGRES_HOST POSTGRES_PORT RASA_TRACKER_DB_NAME POSTGRES_USER POSTGRES_PASSWORD \
            REDIS_HOST REDIS_PORT REDIS_PASSWORD REDIS_LOCK_DB RABBITMQ_HOST RABBITMQ_PORT RABBITMQ_USER \
            RABBITMQ_PASSWORD MODEL_SERVER_URL TICKET_LOCK_LIFETIME
    require_token RASA_TOKEN ACTION_SERVER_TOKEN MODEL_SERVER_TOKEN METRICS_TOKEN
    refuse_if_missing
    # One Sanic worker per instance: Rasa's socket.io channel has no cross-process manager.
    export SANIC_WORKERS="${SANIC_WORKERS:-1}"
    # No --model: with `models:` in endpoints.production.yml Rasa pulls the live model from the
    # model store (nginx) at start and every wait_time_between_pulls seconds.
    exec python -m rasa_server_plugins run --enable-api --auth-token "$RASA_TOKEN" \
      --interface 0.0.0.0 --port "${RASA_PORT:-5005}" \
      --endpoints endpoints.production.yml --credentials credentials.yml --cors ""
    ;;
  actions)
    require HELPDESK_DB_URL
    require_token ACTION_SERVER_TOKEN METRICS_TOKEN
    refuse_if_missing
    # Reachable from the Rasa pods (a NetworkPolicy admits only them); every call needs the token.
    export SANIC_HOST=0.0.0.0
    exec python -m rasa_sdk --actions actions --port "${ACTION_PORT:-5055}"
    ;;
  console)
    require RASA_URL HELPDESK_DB_URL RASA_TRACKER_URL REDIS_URL AGENT_USERS OWNER_USERS
    require_token CONSOLE_SECRET RASA_TOKEN METRICS_TOKEN
    refuse_if_missing
    export CONSOLE_ENV=production CONSOLE_HOST=0.0.0.0
    exec python -m console
    ;;
  seed)
    exec python deploy/bin/seed_shared_files.py /shared
    ;;
  *)
    echo "start: STORE_ROLE must be console, rasa, actions or seed (got '${role}')" >&2
    exit 64
    ;;
esac
