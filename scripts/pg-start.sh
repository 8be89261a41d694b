#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests on a free loopback port, with its unix
# socket in a temporary folder; installs Debian's postgresql first if it is missing (as root).
# As root the server runs as the 'postgres' user (initdb refuses root).
# Prints shell exports: eval "$(bash scripts/pg-start.sh)"; stop with scripts/pg-stop.sh.
set -euo pipefail
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true; }
PG_BIN="$(find_bin)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
    PG_BIN="$(find_bin)"
  else
    echo "PostgreSQL is not installed; as root, make test installs it (apt-get install postgresql)" >&2
    exit 1
  fi
fi
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  as_pg() { runuser -u postgres -- "$@"; }; OWNER=postgres
else
  as_pg() { "$@"; }; OWNER="$(id -un)"
fi
PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/mahnwerk-pg.XXXXXX")"
chown "$OWNER" "$PG_TMP"; chmod 700 "$PG_TMP"
as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  --no-sync >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
for attempt in 1 2 3 4 5; do
  PORT="$(free_port)"
  if as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
      -o "-p $PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null; then break; fi
  [ "$attempt" = 5 ] && { cat "$PG_TMP/server.log" >&2; exit 1; }
done
echo "export PG_BIN='$PG_BIN' PG_TMP='$PG_TMP' PG_OWNER='$OWNER'"
echo "export MAHNWERK_TEST_POSTGRES_URL='postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres'"
