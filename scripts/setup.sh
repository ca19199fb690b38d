#!/usr/bin/env bash
# Creates .venv with Python 3.10 and the pinned dependencies; a no-op when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/3.10"*/bin/python3.10 \
                   "$HOME/.pyenv/versions/3.10"*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! py=$(find_python310); then
    cat >&2 <<'MSG'
error: Python 3.10 is required (Rasa 3.6.21 refuses 3.11 and newer) and none was found.
  Install it, then run this command again, for example:
    pyenv install 3.10.13            (pyenv)
    apt-get install python3.10-venv  (Debian/Ubuntu with 3.10 packages)
  or point to one explicitly:  PYTHON=/path/to/python3.10 make run
MSG
    exit 1
  fi
  echo "setup: creating .venv with $py"
  "$py" -m venv .venv
fi

stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned dependencies (requirements.lock)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --no-deps -r requirements.lock
  .venv/bin/python -m pip check >/dev/null || .venv/bin/python -m pip check
  echo "$want" > "$stamp"
fi

# The web chat's socket.io client, from the npm registry (served by the console app, no CDN).
bash console/web/build.sh
