#!/usr/bin/env bash
# make run: the embedded default (SQLite under var/). On the first start it creates the demo
# portfolio, then runs today's dunning run and starts the server, printing where to look.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST="${MAHNWERK_HOST:-127.0.0.1}"
PORT="${MAHNWERK_PORT:-8000}"
export MAHNWERK_PUBLIC_URL="${MAHNWERK_PUBLIC_URL:-http://$HOST:$PORT}"
"$BIN/mahnwerk" demo --if-empty
"$BIN/mahnwerk" run
cat <<MSG

mahnwerk läuft auf $MAHNWERK_PUBLIC_URL/
  Arbeitsliste:     $MAHNWERK_PUBLIC_URL/login   (Sachbearbeitung, Teamleitung, Compliance)
  Mandantensicht:   $MAHNWERK_PUBLIC_URL/login   (Mandanten-Benutzer)
  Schuldnerportal:  $MAHNWERK_PUBLIC_URL/portal  (Aktenzeichen und Code aus einem Brief)
  API:              $MAHNWERK_PUBLIC_URL/api/v1/docs
MSG
exec "$BIN/mahnwerk" serve --host "$HOST" --port "$PORT"
