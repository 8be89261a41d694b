#!/usr/bin/env bash
# Every test: static checks, then pytest on SQLite and on a throwaway PostgreSQL server,
# including the end-to-end tests in Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/lint.sh
eval "$(bash scripts/pg-start.sh)"
trap 'bash scripts/pg-stop.sh' EXIT
export MAHNWERK_REQUIRE_POSTGRES=1 MAHNWERK_REQUIRE_BROWSER=1
# one pytest process per core (pytest-xdist), a test file per process (its fixtures, such as
# a demo server, are built once); each test has its own database either way.
# MAHNWERK_TEST_PROCESSES=0 runs them in this process.
.venv/bin/pytest -n "${MAHNWERK_TEST_PROCESSES:-auto}" --dist loadfile "$@"
