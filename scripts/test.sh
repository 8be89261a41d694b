#!/usr/bin/env bash
# Every test: static checks, then pytest (unit, property, CLI; later store on SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lint.sh
.venv/bin/pytest
