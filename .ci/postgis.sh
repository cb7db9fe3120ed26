#!/bin/sh
# A local PostgreSQL + PostGIS server for the shared workspace store (make postgis). Idempotent: installs
# the Debian packages when missing (as root), starts the cluster, creates role and database "onemap" with
# the postgis extension, and prints the store URL as its last line:
#   export ONEMAP_STORE="$(make -s postgis | tail -n 1)"
# The password is generated once and kept in $ONEMAP_PG_PASSWORD_FILE (default: .venv/.onemap-pg-password).
set -eu

PGVER=${ONEMAP_PG_VERSION:-15}
DB=${ONEMAP_PG_DB:-onemap}
ROLE=${ONEMAP_PG_ROLE:-onemap}
PORT=${ONEMAP_PG_PORT:-5432}
PWFILE=${ONEMAP_PG_PASSWORD_FILE:-.venv/.onemap-pg-password}

as_postgres() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if [ ! -x "/usr/lib/postgresql/$PGVER/bin/postgres" ] || [ ! -f "/usr/share/postgresql/$PGVER/extension/postgis.control" ]; then
	echo "installing postgresql-$PGVER and postgresql-$PGVER-postgis-3" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql "postgresql-$PGVER" "postgresql-$PGVER-postgis-3" >/dev/null
fi

if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -qx "$PGVER main"; then
	pg_createcluster "$PGVER" main -p "$PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
	pg_ctlcluster "$PGVER" main start >&2
fi
PORT=$(pg_lsclusters -h | awk -v v="$PGVER" '$1 == v && $2 == "main" {print $3}')

for _ in 1 2 3 4 5 6 7 8 9 10; do
	as_postgres psql -p "$PORT" -Atqc "SELECT 1" >/dev/null 2>&1 && break
	sleep 1
done

mkdir -p "$(dirname "$PWFILE")"
if [ ! -s "$PWFILE" ]; then
	(umask 077; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$PWFILE")
fi
PW=$(cat "$PWFILE")

psql_admin() { as_postgres psql -p "$PORT" -v ON_ERROR_STOP=1 -Atq "$@"; }
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
	psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PW'"
else
	psql_admin -c "ALTER ROLE $ROLE PASSWORD '$PW'"
fi
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
	psql_admin -c "CREATE DATABASE $DB OWNER $ROLE"
fi
psql_admin -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis"

echo "postgresql://$ROLE:$PW@127.0.0.1:$PORT/$DB"
