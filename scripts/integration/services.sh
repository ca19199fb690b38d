#!/usr/bin/env bash
# The engines of the production profile for `make integration`: PostgreSQL, Redis, RabbitMQ and
# nginx, the Debian packages, each on loopback with its data in the run's own folder and on free
# ports chosen at start, so a system cluster or another run on this machine is never touched.
#
#   services.sh install          apt-get install what is missing (root), and says how long it took
#   services.sh up RUN_DIR       create the folder's engines, start them, write RUN_DIR/services.env
#   services.sh stop NAME RUN    stop one engine (postgres | redis | rabbitmq | nginx): outage tests
#   services.sh start NAME RUN   start it again on the same port with the same data
#   services.sh down RUN_DIR     stop everything and remove the folder
#
# services.env (mode 600) holds the ports and the passwords generated for this run; the processes
# (scripts/integration/stack.py) and the checks read it. nginx's configuration is
# deploy/nginx/store.conf with this run's environment rendered by deploy/nginx/render.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PACKAGES=(postgresql redis-server rabbitmq-server nginx openssl)
RABBITMQ_BIN=/usr/lib/rabbitmq/bin   # the real scripts: /usr/sbin's wrappers switch to the rabbitmq user

log() { echo "services: $*" >&2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

missing_packages() {
  local missing=()
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x "$RABBITMQ_BIN/rabbitmq-server" ] || missing+=(rabbitmq-server)
  command -v nginx >/dev/null || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  echo "${missing[@]}"
}

install() {
  local missing started
  missing=$(missing_packages)
  if [ -z "$missing" ]; then
    log "PostgreSQL, Redis, RabbitMQ and nginx are installed"
    echo "install_s=0" >>"${FIGURES_ENV:-/dev/null}"
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: $missing; install them as root (apt-get install $missing) and run again"
    exit 1
  fi
  started=$(date +%s.%N)
  log "installing $missing (apt-get)"
  # Debian's policy-rc.d may let a package start its system service on the default port: the
  # run's engines have their own ports, so the system services are stopped again below.
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  local took
  took=$(since "$started")
  log "installed in ${took} s"
  echo "install_s=$took" >>"${FIGURES_ENV:-/dev/null}"
}

# Free TCP ports on 127.0.0.1 below the ephemeral range (outgoing connections never take them).
free_ports() {
  python3 - "$1" <<'EOF'
import random, socket, sys
count, ports = int(sys.argv[1]), []
while len(ports) < count:
    port = random.randint(20000, 29999)
    if port in ports:
        continue
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
    ports.append(port)
print(" ".join(map(str, ports)))
EOF
}

since() { python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$1"; }

secret() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }

load() {  # RUN_DIR → the variables of services.env
  RUN="$(cd "$1" && pwd)"
  # shellcheck disable=SC1091
  set -a; . "$RUN/services.env"; set +a
}

# --- PostgreSQL: a cluster of its own (initdb as the postgres user), password logins over TCP ---
postgres_init() {
  local bin; bin=$(pg_bin)
  mkdir -p "$RUN/postgres"
  chown postgres:postgres "$RUN/postgres"
  runuser -u postgres -- "$bin/initdb" -D "$RUN/postgres/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$RUN/postgres/initdb.log"
}

postgres_start() {
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$RUN/postgres/data" -l "$RUN/postgres/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $POSTGRES_PORT -k $RUN/postgres -c max_connections=200 -c fsync=on" \
    start >/dev/null
}

postgres_stop() {
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$RUN/postgres/data" -m fast -w stop >/dev/null 2>&1 || true
}

psql_admin() {
  runuser -u postgres -- "$(pg_bin)/psql" -q -v ON_ERROR_STOP=1 -h "$RUN/postgres" -p "$POSTGRES_PORT" -U postgres "$@"
}

# The tracker (Rasa's conversations, written by Rasa, read by the console's review queue), and the
# helpdesk (messages, tickets, the owner's records): separate databases and logins.
postgres_databases() {
  psql_admin -d postgres <<SQL
CREATE ROLE rasa LOGIN PASSWORD '$POSTGRES_PASSWORD';
CREATE ROLE tracker_reader LOGIN PASSWORD '$TRACKER_READER_PASSWORD';
CREATE ROLE helpdesk LOGIN PASSWORD '$HELPDESK_DB_PASSWORD';
CREATE DATABASE rasa_tracker OWNER rasa;
CREATE DATABASE helpdesk OWNER helpdesk;
SQL
  # Rasa creates its events table at first start: the reader gets SELECT on what rasa creates.
  psql_admin -d rasa_tracker <<SQL
GRANT CONNECT ON DATABASE rasa_tracker TO tracker_reader;
GRANT USAGE ON SCHEMA public TO tracker_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE rasa IN SCHEMA public GRANT SELECT ON TABLES TO tracker_reader;
GRANT CREATE ON SCHEMA public TO rasa;
SQL
  psql_admin -d helpdesk -c "GRANT CREATE ON SCHEMA public TO helpdesk;"
}

# --- Redis: the lock store (db 0) and python-socketio's manager (db 1) ---------------------------
redis_start() {
  mkdir -p "$RUN/redis"
  (umask 077; cat >"$RUN/redis/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
requirepass $REDIS_PASSWORD
dir $RUN/redis
pidfile $RUN/redis/redis.pid
logfile $RUN/redis/redis.log
daemonize yes
save ""
appendonly no
CONF
)
  redis-server "$RUN/redis/redis.conf"
  for _ in $(seq 1 50); do
    REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return
    sleep 0.1
  done
  log "redis did not start; see $RUN/redis/redis.log"; exit 1
}

redis_stop() {
  REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do [ -e "$RUN/redis/redis.pid" ] || return 0; sleep 0.1; done
}

# --- RabbitMQ: a node of its own name, ports, mnesia folder, cookie and epmd ---------------------
rabbitmq_env() {
  export RABBITMQ_NODENAME="store-integration-$RABBITMQ_PORT@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBITMQ_PORT" RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$RUN/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$RUN/rabbitmq/log"
  export RABBITMQ_CONFIG_FILE="$RUN/rabbitmq/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$RUN/rabbitmq/enabled_plugins"
  export RABBITMQ_PID_FILE="$RUN/rabbitmq/rabbitmq.pid" RABBITMQ_CONF_ENV_FILE="$RUN/rabbitmq/rabbitmq-env.conf"
  export ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 HOME="$RUN/rabbitmq"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"   # loopback only
}

rabbitmq_init() {
  mkdir -p "$RUN/rabbitmq/mnesia" "$RUN/rabbitmq/log"
  (umask 077; cat >"$RUN/rabbitmq/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
default_user = $RABBITMQ_USER
default_pass = $RABBITMQ_PASSWORD
loopback_users = none
log.console = false
log.file.level = warning
CONF
)
  echo "[]." >"$RUN/rabbitmq/enabled_plugins"
  : >"$RUN/rabbitmq/rabbitmq-env.conf"
  (umask 077; secret >"$RUN/rabbitmq/.erlang.cookie")
}

rabbitmq_start() {
  (rabbitmq_env; "$RABBITMQ_BIN/rabbitmq-server" >>"$RUN/rabbitmq/log/startup.log" 2>&1 &)
  (rabbitmq_env; "$RABBITMQ_BIN/rabbitmqctl" -q wait --timeout 120 "$RUN/rabbitmq/rabbitmq.pid" >/dev/null) || {
    log "rabbitmq did not start; see $RUN/rabbitmq/log/"; exit 1; }
  for _ in $(seq 1 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $RABBITMQ_PORT), 1).close()" 2>/dev/null && return
    sleep 0.2
  done
  log "rabbitmq does not listen on $RABBITMQ_PORT"; exit 1
}

# An outage of the broker: the node stays, its AMQP listener and connections go (stop_app).
rabbitmq_pause() { (rabbitmq_env; "$RABBITMQ_BIN/rabbitmqctl" -q stop_app >/dev/null); }
rabbitmq_resume() { (rabbitmq_env; "$RABBITMQ_BIN/rabbitmqctl" -q start_app >/dev/null); }

rabbitmq_stop() {
  (rabbitmq_env; "$RABBITMQ_BIN/rabbitmqctl" -q stop "$RUN/rabbitmq/rabbitmq.pid" >/dev/null 2>&1 || true
   # epmd (the run's own, on its own port) refuses to stop while the node is still registered.
   for _ in $(seq 1 50); do
     epmd -port "$RABBITMQ_EPMD_PORT" -kill >/dev/null 2>&1 || true
     epmd -port "$RABBITMQ_EPMD_PORT" -names >/dev/null 2>&1 || return 0
     sleep 0.2
   done)
}

# --- nginx: deploy/nginx/store.conf, this run's environment, a self-signed certificate -----------
nginx_init() {
  local conf="$RUN/nginx"
  mkdir -p "$conf/tls" "$conf/tmp"
  chown nobody "$conf/tmp" 2>/dev/null || true   # the workers (user nobody) buffer bodies there
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$conf/tls/store.key" -out "$conf/tls/store.crt" >/dev/null 2>&1
  chmod 600 "$conf/tls/store.key"
  NGINX_PUBLIC_LISTEN="127.0.0.1:$NGINX_PUBLIC_PORT" NGINX_INTERNAL_LISTEN="127.0.0.1:$NGINX_INTERNAL_PORT" \
  CONSOLE_SERVERS="127.0.0.1:$CONSOLE_1_PORT 127.0.0.1:$CONSOLE_2_PORT" \
  RASA_SERVERS="127.0.0.1:$RASA_1_PORT 127.0.0.1:$RASA_2_PORT" \
  MODEL_SHELF_DIR="$RUN/models" MODEL_SERVER_TOKEN="$MODEL_SERVER_TOKEN" \
    sh "$ROOT/deploy/nginx/render.sh" "$conf"
  cat >"$conf/nginx.conf" <<CONF
# This run's nginx: the repository's deploy/nginx/store.conf, the environment rendered beside it.
worker_processes 1;
pid $conf/nginx.pid;
error_log $conf/error.log warn;
events { worker_connections 2048; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $conf/access.log;
    # Which Rasa instance answered which conversation (the checks read it; no query string: tokens).
    log_format routed '\$msec \$http_x_conversation_id \$status \$upstream_addr';
    access_log $conf/routed.log routed;
    client_body_temp_path $conf/tmp/body;
    proxy_temp_path $conf/tmp/proxy;
    fastcgi_temp_path $conf/tmp/fastcgi;
    uwsgi_temp_path $conf/tmp/uwsgi;
    scgi_temp_path $conf/tmp/scgi;
    include $ROOT/deploy/nginx/store.conf;
}
CONF
  nginx -t -q -p "$conf" -c "$conf/nginx.conf" -e "$conf/error.log"
}

nginx_start() { nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e "$RUN/nginx/error.log"; }
nginx_stop() {
  [ -f "$RUN/nginx/nginx.pid" ] && nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e "$RUN/nginx/error.log" -s quit 2>/dev/null || true
  for _ in $(seq 1 50); do [ -e "$RUN/nginx/nginx.pid" ] || return 0; sleep 0.1; done
}

up() {
  RUN="$1"
  mkdir -p "$RUN"
  RUN="$(cd "$RUN" && pwd)"
  chmod 711 "$RUN"   # the postgres user and nginx's workers pass through; only root lists it
  local ports
  read -r -a ports <<<"$(free_ports 13)"
  (umask 077; cat >"$RUN/services.env" <<ENV
RUN_DIR=$RUN
POSTGRES_PORT=${ports[0]}
POSTGRES_PASSWORD=$(secret)
TRACKER_READER_PASSWORD=$(secret)
HELPDESK_DB_PASSWORD=$(secret)
REDIS_PORT=${ports[1]}
REDIS_PASSWORD=$(secret)
RABBITMQ_PORT=${ports[2]}
RABBITMQ_DIST_PORT=${ports[3]}
RABBITMQ_EPMD_PORT=${ports[4]}
RABBITMQ_USER=store
RABBITMQ_PASSWORD=$(secret)
NGINX_PUBLIC_PORT=${ports[5]}
NGINX_INTERNAL_PORT=${ports[6]}
RASA_1_PORT=${ports[7]}
RASA_2_PORT=${ports[8]}
ACTION_PORT=${ports[9]}
CONSOLE_1_PORT=${ports[10]}
CONSOLE_2_PORT=${ports[11]}
SPARE_PORT=${ports[12]}
MODEL_SERVER_TOKEN=$(secret)
RASA_TOKEN=$(secret)
ACTION_SERVER_TOKEN=$(secret)
CONSOLE_SECRET=$(secret)$(secret)
METRICS_TOKEN=$(secret)
ENV
)
  load "$RUN"
  mkdir -p "$RUN/models"
  local t0
  t0=$(date +%s.%N); postgres_init; postgres_start; postgres_databases
  echo "start_postgres_s=$(since "$t0")" >>"$RUN/figures.env"
  t0=$(date +%s.%N); redis_start
  echo "start_redis_s=$(since "$t0")" >>"$RUN/figures.env"
  t0=$(date +%s.%N); rabbitmq_init; rabbitmq_start
  echo "start_rabbitmq_s=$(since "$t0")" >>"$RUN/figures.env"
  t0=$(date +%s.%N); nginx_init; nginx_start
  echo "start_nginx_s=$(since "$t0")" >>"$RUN/figures.env"
  log "up in $RUN: PostgreSQL :$POSTGRES_PORT, Redis :$REDIS_PORT, RabbitMQ :$RABBITMQ_PORT," \
      "nginx https://127.0.0.1:$NGINX_PUBLIC_PORT (internal :$NGINX_INTERNAL_PORT)"
}

down() {
  [ -f "$1/services.env" ] || { rm -rf "$1"; return; }
  load "$1"
  local group
  for group in "$RUN"/pids/*; do   # the processes of scripts/integration/stack.py, each a group
    [ -f "$group" ] && kill -KILL -- "-$(cat "$group")" 2>/dev/null || true
  done
  nginx_stop; rabbitmq_stop; redis_stop; postgres_stop
  rm -rf "$RUN"
  log "stopped and removed $RUN"
}

one() {  # stop|start NAME RUN_DIR
  local verb="$1" name="$2"
  load "$3"
  case "$name/$verb" in
    postgres/stop) postgres_stop ;;      postgres/start) postgres_start ;;
    redis/stop) redis_stop ;;            redis/start) redis_start ;;
    rabbitmq/stop) rabbitmq_pause ;;     rabbitmq/start) rabbitmq_resume ;;
    nginx/stop) nginx_stop ;;            nginx/start) nginx_start ;;
    *) log "unknown engine $name (postgres | redis | rabbitmq | nginx)"; exit 2 ;;
  esac
}

case "${1:-}" in
  install) install ;;
  up) up "${2:?RUN_DIR}" ;;
  down) down "${2:?RUN_DIR}" ;;
  stop|start) one "$1" "${2:?NAME}" "${3:?RUN_DIR}" ;;
  *) echo "usage: $0 install | up RUN_DIR | stop NAME RUN_DIR | start NAME RUN_DIR | down RUN_DIR" >&2; exit 2 ;;
esac
