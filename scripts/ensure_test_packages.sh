#!/usr/bin/env bash
# Debian packages the tests drive for real: Chromium with CJK fonts (never a downloaded browser;
# the screenshots show Chinese), redis-server (socket.io across console instances, Rasa's lock
# store), docker-compose (`docker compose config` of deploy/docker-compose.yml; the engine is not
# installed). Installs what is missing when we are root; otherwise says what to install.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing+=(fonts-noto-cjk)
command -v redis-server >/dev/null || missing+=(redis-server)
# libfaketime: the clock-jump fault test moves the real processes' clocks
[ -f /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing+=(faketime)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "setup: installing ${missing[*]} (Debian packages) for the tests"
  apt-get update -qq
  # docker-compose's recommends would pull the container engine, which the tests do not need
  lean=(); full=()
  for p in "${missing[@]}"; do if [ "$p" = docker-compose ]; then lean+=("$p"); else full+=("$p"); fi; done
  [ ${#full[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${full[@]}" >/dev/null
  [ ${#lean[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null
else
  echo "setup: missing ${missing[*]}: install first (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
