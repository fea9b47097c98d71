#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster on a private Unix socket.
# The cluster lives in a temporary folder, runs as the `postgres` user when we are root,
# listens on no TCP port, and is stopped and removed afterwards whatever the command does.
# The command sees TEST_DATABASE_URL.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
base=$(mktemp -d /tmp/hrapp-pg.XXXXXX)
data="$base/data"
sock="$base/sock"
mkdir -p "$data" "$sock"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$base"
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

cleanup() {
  as_pg "$PGBIN/pg_ctl -D '$data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$base"
}
trap cleanup EXIT

chmod 755 "$base"
as_pg "$PGBIN/initdb -D '$data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$PGBIN/pg_ctl -D '$data' -w -l '$base/server.log' \
  -o \"-c listen_addresses='' -k '$sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null
as_pg "$PGBIN/createdb -h '$sock' -U postgres hrapp_test"

export TEST_DATABASE_URL="postgresql+psycopg://postgres@/hrapp_test?host=$sock"
echo "PostgreSQL 15 test cluster on $sock"
"$@"
