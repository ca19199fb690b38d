# Shared environment for the run and test scripts (sourced, not executed).
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONHASHSEED=0
export SQLALCHEMY_SILENCE_UBER_WARNING=1
RASA=".venv/bin/rasa"
PY=".venv/bin/python"
# The live model: a symlink written only by promote and rollback (tuning/model_shelf.py).
MODEL="models/live.tar.gz"
# The tests' own model, trained by test.sh; never the live one.
TEST_MODEL_DIR="models/test"
# Where a run keeps its secrets and control socket, and its databases and logs: the repository's
# .run/ and var/ unless a test or a fault script gives it temporary ones.
export RUN_DIR="${RUN_DIR:-.run}" VAR_DIR="${VAR_DIR:-var}"

# What a model is trained from: retraining is needed when this changes.
data_fingerprint() {
  cat config.yml domain.yml requirements.lock $(find data jieba_dict -type f | sort) | sha256sum | cut -d' ' -f1
}

# Tokens: taken from the environment, else generated once into .run/secrets.env (never committed).
load_secrets() {
  mkdir -p "$RUN_DIR" "$VAR_DIR"
  if [ ! -f "$RUN_DIR/secrets.env" ]; then
    umask 077
    {
      echo "RASA_TOKEN=$($PY -c 'import secrets; print(secrets.token_hex(24))')"
      echo "ACTION_SERVER_TOKEN=$($PY -c 'import secrets; print(secrets.token_hex(24))')"
    } > "$RUN_DIR/secrets.env"
  fi
  local rasa_token="${RASA_TOKEN:-}" action_token="${ACTION_SERVER_TOKEN:-}"
  # shellcheck disable=SC1091
  . "$RUN_DIR/secrets.env"
  export RASA_TOKEN="${rasa_token:-$RASA_TOKEN}" ACTION_SERVER_TOKEN="${action_token:-$ACTION_SERVER_TOKEN}"
}

# endpoints.yml reads these; defaults for the embedded setup (run.sh may override the ports).
export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$VAR_DIR/rasa-tracker.db}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:5055/webhook}"
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-}"
mkdir -p "$VAR_DIR"
