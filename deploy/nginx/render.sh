#!/bin/sh
# Renders the environment of deploy/nginx/store.conf into CONF_DIR/store-env/ (CONF_DIR: the folder
# of nginx.conf, which store.conf's relative includes are resolved against). POSIX sh, so the
# stock nginx image can run it from /docker-entrypoint.d/; scripts/integration/services.sh uses it
# for the integration run.
#
#   NGINX_PUBLIC_LISTEN    e.g. 443 or 127.0.0.1:20443          (HTTPS, published)
#   NGINX_INTERNAL_LISTEN  e.g. 8000 or 127.0.0.1:20080         (HTTP, private network only)
#   CONSOLE_SERVERS        host:port of each console instance, space-separated
#   RASA_SERVERS           host:port of each Rasa instance, space-separated
#   MODEL_SHELF_DIR        the folder holding live.tar.gz → kept/<name>.tar.gz (tuning/model_shelf.py)
#   MODEL_SERVER_TOKEN     the X-Model-Token the Rasa instances send (endpoints.production.yml)
#   UPSTREAM_MAX_FAILS     failed attempts before an instance is skipped (default 1) …
#   UPSTREAM_FAIL_TIMEOUT  … for this long (default 10s); then it is tried again
#
# usage: render.sh CONF_DIR
set -eu
conf_dir="${1:?usage: render.sh CONF_DIR (the folder of nginx.conf)}"
out="$conf_dir/store-env"
max_fails="${UPSTREAM_MAX_FAILS:-1}"
fail_timeout="${UPSTREAM_FAIL_TIMEOUT:-10s}"

need() {
  eval "value=\${$1:-}"
  if [ -z "$value" ]; then
    echo "render.sh: $1 is not set (see the top of deploy/nginx/render.sh)" >&2
    exit 1
  fi
}
for name in NGINX_PUBLIC_LISTEN NGINX_INTERNAL_LISTEN CONSOLE_SERVERS RASA_SERVERS MODEL_SHELF_DIR MODEL_SERVER_TOKEN; do
  need "$name"
done
case "$MODEL_SERVER_TOKEN" in
  *[!A-Za-z0-9_-]*) echo "render.sh: MODEL_SERVER_TOKEN may hold only letters, digits, - and _" >&2; exit 1 ;;
esac
case "$MODEL_SHELF_DIR" in
  *[\"\;\ ]*) echo "render.sh: MODEL_SHELF_DIR must not hold spaces, quotes or ;" >&2; exit 1 ;;
esac

mkdir -p "$out"
umask 077   # model-store.conf holds the token

servers() {
  for member in $1; do
    echo "server $member max_fails=$max_fails fail_timeout=$fail_timeout;"
  done
}

header="# Rendered by deploy/nginx/render.sh; edit the environment, not this file."
{ echo "$header"; servers "$CONSOLE_SERVERS"; } >"$out/console-servers.conf"
{ echo "$header"; servers "$RASA_SERVERS"; } >"$out/rasa-servers.conf"
{ echo "$header"; echo "listen $NGINX_PUBLIC_LISTEN ssl;"; } >"$out/listen-public.conf"
{ echo "$header"; echo "listen $NGINX_INTERNAL_LISTEN;"; } >"$out/listen-internal.conf"
{
  echo "$header"
  echo "map \$http_x_model_token \$model_token_ok {"
  echo "    default 0;"
  echo "    \"$MODEL_SERVER_TOKEN\" 1;"
  echo "}"
  echo "map \$host \$model_shelf {"
  echo "    default \"$MODEL_SHELF_DIR\";"
  echo "}"
} >"$out/model-store.conf"
# nginx's master reads the files (as root); the folder stays closed to everyone else.
chmod 700 "$out"
