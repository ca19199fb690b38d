#!/usr/bin/env bash
# CI only: start a local PostgreSQL (Debian package) so the ticket-store tests also run on it.
# Prints the URL for TEST_POSTGRES_URL; prints nothing (and the tests skip) when that fails.
set -uo pipefail
{
  if ! command -v pg_ctlcluster >/dev/null; then
    [ "$(id -u)" = 0 ] || exit 0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || exit 0
  fi
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster "$version" main start 2>/dev/null || pg_lsclusters | grep -q online || exit 0
  su postgres -c "psql -q -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'store_test') THEN CREATE ROLE store_test LOGIN PASSWORD 'store_test'; END IF; END \\\$\\\$;\"" || exit 0
  # CREATEDB: the backup test restores pg_dump archives into fresh databases (tests/ops)
  su postgres -c "psql -q -c 'ALTER ROLE store_test CREATEDB'" || exit 0
  su postgres -c "dropdb --if-exists store_test && createdb -O store_test store_test" || exit 0
} >&2
echo "postgresql://store_test:store_test@127.0.0.1:5432/store_test"
