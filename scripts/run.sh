#!/usr/bin/env bash
# make run: the embedded default (SQLite under var/). On the first start it creates the demo
# portfolio, then plans today's dunning run, starts a worker in the background (it delivers
# the day's letters and e-mails, so that debtors see them in the portal, and schedules the
# next runs) and the server, printing where to look. Ctrl+C ends both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST="${MAHNWERK_HOST:-127.0.0.1}"
PORT="${MAHNWERK_PORT:-8000}"
export MAHNWERK_PUBLIC_URL="${MAHNWERK_PUBLIC_URL:-http://$HOST:$PORT}"
# The demo's sender, invented like every name in the demo: without a configured sender no
# letter goes out (§ 13a RDG). For real use set your own MAHNWERK_AGENCY_* before make run.
export MAHNWERK_AGENCY_NAME="${MAHNWERK_AGENCY_NAME:-Demo-Inkasso GmbH (Beispieldaten)}"
export MAHNWERK_AGENCY_ADDRESS="${MAHNWERK_AGENCY_ADDRESS:-Beispielweg 1, 20095 Hamburg}"
export MAHNWERK_AGENCY_EMAIL="${MAHNWERK_AGENCY_EMAIL:-service@demo-inkasso.example}"
export MAHNWERK_AGENCY_REGISTRATION="${MAHNWERK_AGENCY_REGISTRATION:-Demo, keine Registrierung}"
"$BIN/mahnwerk" demo --if-empty --queue-today
"$BIN/mahnwerk" run --plan-only
LOG="${MAHNWERK_VAR_DIR:-var}/worker.log"
mkdir -p "$(dirname "$LOG")"
"$BIN/mahnwerk" worker >>"$LOG" 2>&1 &
WORKER_PID=$!
trap 'kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true' EXIT
cat <<MSG

mahnwerk läuft auf $MAHNWERK_PUBLIC_URL/
  Arbeitsliste:     $MAHNWERK_PUBLIC_URL/login   (Sachbearbeitung, Teamleitung, Compliance)
  Mandantensicht:   $MAHNWERK_PUBLIC_URL/login   (Mandanten-Benutzer)
  Schuldnerportal:  $MAHNWERK_PUBLIC_URL/portal  (Aktenzeichen und Code aus einem Brief)
  API:              $MAHNWERK_PUBLIC_URL/api/v1/docs
  Worker:           Zustellung und Zeitplan im Hintergrund (Protokoll: $LOG)
MSG
"$BIN/mahnwerk" serve --host "$HOST" --port "$PORT"
