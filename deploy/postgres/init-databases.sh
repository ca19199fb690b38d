#!/bin/sh
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d/): the
# assistant's databases and roles, each with its own password from the environment.
#
#   rasa            owns the database `rasa`: Rasa's tracker store (endpoints.production.yml)
#   helpdesk        owns the database `helpdesk`: tickets, messages, the owner's records
#   tracker_reader  reads `rasa` only: the owner console's review queue (RASA_TRACKER_URL)
set -eu
: "${RASA_DB_PASSWORD:?RASA_DB_PASSWORD is required}"
: "${HELPDESK_DB_PASSWORD:?HELPDESK_DB_PASSWORD is required}"
: "${TRACKER_READER_PASSWORD:?TRACKER_READER_PASSWORD is required}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v rasa_password="$RASA_DB_PASSWORD" \
  -v helpdesk_password="$HELPDESK_DB_PASSWORD" \
  -v reader_password="$TRACKER_READER_PASSWORD" <<'SQL'
CREATE ROLE rasa LOGIN PASSWORD :'rasa_password';
CREATE DATABASE rasa OWNER rasa;
CREATE ROLE helpdesk LOGIN PASSWORD :'helpdesk_password';
CREATE DATABASE helpdesk OWNER helpdesk;
CREATE ROLE tracker_reader LOGIN PASSWORD :'reader_password';
REVOKE ALL ON DATABASE rasa, helpdesk FROM PUBLIC;
GRANT CONNECT ON DATABASE rasa TO tracker_reader;
\connect rasa
GRANT USAGE ON SCHEMA public TO tracker_reader;
-- Rasa creates its tables at its first start, as `rasa`: the reader may select from them.
ALTER DEFAULT PRIVILEGES FOR ROLE rasa IN SCHEMA public GRANT SELECT ON TABLES TO tracker_reader;
SQL
